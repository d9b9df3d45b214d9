"""``romrunner demo``: the whole path on an example library the project makes itself."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from romrunner.bios.check import check_bios
from romrunner.bios.example import build_example_bios
from romrunner.bios.scan import scan_bios
from romrunner.catalog.importer import import_dat
from romrunner.cli.bios_cmd import bios_table
from romrunner.cli.context import app_context, path_param
from romrunner.deploy.execute import deploy
from romrunner.deploy.plan import build_plan
from romrunner.deploy.select import choose_games
from romrunner.devices.paths import card_layout
from romrunner.devices.profiles import add_device, create_profile
from romrunner.errors import InputError
from romrunner.library.example import build_example
from romrunner.library.games import GameFilter, list_games
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library, summary_matches
from romrunner.words import counted

DEMO_DATABASE = "demo.db"
DEMO_DEVICE, DEMO_OS = "rg-35xx-plus", "muos"


def demo_folder(workdir: Path | None) -> Path:
    """A folder that holds nothing yet, for the demo's files and its own database.

    ``--dir`` is used as it is when it does not exist or is empty; otherwise the demo makes
    a new folder inside it, so it never opens or replaces a database it did not create
    (pointed at the user's data folder, it once wrote into the real database there).
    """
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="romrunner-demo-"))
    if workdir.exists() and not workdir.is_dir():
        raise InputError(f"{workdir}: not a folder")
    if workdir.is_dir() and any(workdir.iterdir()):
        return Path(tempfile.mkdtemp(prefix="romrunner-demo-", dir=workdir))
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


@click.command()
@click.option("--dir", "workdir", type=path_param(), default=None,
              help="Where to build the example (default: a new temporary folder); when "
                   "the folder is not empty the demo makes a new one inside it.")
def demo(workdir: Path | None) -> int:
    """Build an example library, scan it, identify it against its DAT, check its BIOS, and
    deploy what was identified to a folder laid out like a muOS SD card.

    The demo always uses a new database of its own inside its folder, whatever --db or
    ROMRUNNER_DB say: the user's database is never opened.
    """
    app = app_context()
    base = demo_folder(workdir)
    app.db_path = base / DEMO_DATABASE
    if app.db_path.exists():  # a folder that was empty a moment ago: someone else is here
        raise InputError(f"{app.db_path}: already exists; the demo uses a new database only")
    bios_folder, pack_copy, bios_platforms = build_example_bios(base, app.pack().path)
    app.use_pack(pack_copy)
    db = app.open_db()
    library, dats = build_example(base)
    with db.atomic():
        root = add_root(db, library)
        known = set(app.pack().platforms)
        for dat in dats:
            import_dat(db, dat, known_platforms=known)
        summary = scan_library(db, app.pack(), [root], workers=1)
        games = list_games(db, GameFilter(limit=50))
        bios_summary = scan_bios(db, app.pack(), [bios_folder])
        bios_report = check_bios(db, app.pack(), platforms=bios_platforms)
        device = add_device(db, app.pack(), DEMO_DEVICE)
        profile = create_profile(db, app.pack(), device.id, DEMO_OS).profile
    card = base / f"sdcard-{DEMO_OS}"
    card.mkdir()
    layout = card_layout(db, app.pack(), profile.id, card)
    chosen = choose_games(db, app.pack(), profile.id, layout, words=["match:hash"])
    plan = build_plan(db, layout, chosen.game_ids, pack=app.pack(), profile_id=profile.id)
    deployed = deploy(db, plan, profile_id=profile.id, name="demo: every identified game")
    plan_warnings = [issue.message for issue in [*plan.errors, *plan.warnings]]
    card_tree = sorted(str(path.relative_to(card)) for path in card.rglob("*")
                       if path.is_file() and ".romrunner" not in path.relative_to(card).parts)

    def render(console: Console) -> None:
        console.print(f"example library {library}")
        console.print(f"database        {app.db_path}")
        console.print(f"scanned {counted(summary.scanned, 'file')}: "
                      f"{summary_matches(summary).said()}")
        table = Table("platform", "file", "identified as", "how")
        for game in games:
            table.add_row(game["platform_id"], game["filename"],
                          game["catalog_title"] or "-", game["match_method"] or "-")
        console.print(table)
        console.print(f"BIOS folder {bios_folder}: {counted(bios_summary.scanned, 'file')} "
                      "checked against "
                      f"test-only entries in {pack_copy}")
        console.print(bios_table(bios_report))
        console.print(f"deployed {counted(deployed.copied, 'file')} "
                      f"({counted(deployed.bytes_copied, 'byte')}) for "
                      f"{profile.name} to the card folder {card}:")
        for entry in card_tree:
            console.print(f"  {entry}")
        console.print(f"try: romrunner --db {app.db_path} games ls")
        console.print(f"     romrunner --db {app.db_path} --pack {pack_copy} bios check")
        console.print(f"     romrunner --db {app.db_path} --pack {pack_copy} deploy {profile.id} "
                      f"--to {card} --dry-run match:hash")

    for message in plan_warnings:  # the example's bad SNES BIOS dump: said, not copied
        app.warn(message)  # (on stderr and in the envelope: QA34 F3)
    app.finish({"workdir": str(base), "database": str(app.db_path),
                "scan": {"scanned": summary.scanned, "added": summary.added},
                "identified": summary.identified, "guessed": summary.guessed,
                "unidentified": summary.unidentified, "playlists": summary.playlists,
                "games": games, "bios": {"ok": bios_report.ok, "groups": [
                    g.as_dict() for g in bios_report.groups]},
                "deploy": {"card": str(card), "os": DEMO_OS, "summary": deployed.as_dict(),
                           "tree": card_tree,
                           "warnings": plan_warnings}}, render)
    return 0
