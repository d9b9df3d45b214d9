"""``romrunner``: the command-line entry point and its one error handler."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

import click
import platformdirs

from romrunner import __version__
from romrunner.cli.context import JSON_ENVELOPE_VERSION, AppContext, json_document
from romrunner.cli.terminal import visible_line
from romrunner.errors import RomRunnerError

EXIT_OK, EXIT_CHECK_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

log = logging.getLogger("romrunner")


def default_db_path() -> Path:
    """The database in the user's data directory."""
    return Path(platformdirs.user_data_dir("romrunner", appauthor=False)) / "romrunner.db"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="romrunner")
@click.option("--db", "db_path", type=click.Path(path_type=Path), envvar="ROMRUNNER_DB",
              default=None, help="Database file (env ROMRUNNER_DB; default: user data dir).")
@click.option("--pack", "pack_dir", type=click.Path(path_type=Path), envvar="ROMRUNNER_PACK",
              default=None, help="Definition pack folder (env ROMRUNNER_PACK; default: built-in).")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Log details; show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, pack_dir: Path | None, json_output: bool,
        quiet: bool, verbose: bool) -> None:
    """ROM Runner: scan, identify and deploy a retro-game library."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    app = AppContext(db_path or default_db_path(), pack_dir, json_output, quiet, verbose)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register_commands() -> None:
    from romrunner.cli import (
        bios_cmd,
        cache_cmd,
        collection_cmd,
        dat_cmd,
        db_cmd,
        demo_cmd,
        games_cmd,
        library_cmd,
        override_cmd,
        pack_cmd,
        report_cmd,
        scan_cmd,
        search_cmd,
    )

    for module in (library_cmd, scan_cmd, games_cmd, dat_cmd, search_cmd, cache_cmd, bios_cmd,
                   collection_cmd, override_cmd, report_cmd):
        module.register(cli)
    cli.add_command(db_cmd.db)
    cli.add_command(pack_cmd.pack)
    cli.add_command(demo_cmd.demo)


_register_commands()


def _report_error(message: str, json_output: bool) -> None:
    click.echo(f"error: {visible_line(message)}", err=True)
    if json_output:
        click.echo(json_document({"version": JSON_ENVELOPE_VERSION, "ok": False, "data": None,
                               "warnings": [], "errors": [message]}))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure becomes one line on stderr and a non-zero exit code."""
    args = sys.argv[1:] if argv is None else argv
    json_output = "--json" in args
    verbose = "--verbose" in args or "-v" in args
    try:
        result = cli.main(args=args, prog_name="romrunner", standalone_mode=False)
    except RomRunnerError as exc:
        if verbose:
            traceback.print_exc()
        _report_error(str(exc), json_output)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        _report_error(exc.format_message(), json_output)
        return EXIT_ERROR
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted: work committed so far is kept", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the one place an unexpected error is caught
        if verbose:
            traceback.print_exc()
        else:
            log.debug("unexpected error", exc_info=True)
        _report_error(f"internal error: {type(exc).__name__}: {exc} "
                      "(run with --verbose for details)", json_output)
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
