"""Commands whose trailing words are a query, so ``-flag:hack`` is a NOT term, not an option."""

from __future__ import annotations

import re

import click


class QueryCommand(click.Command):
    """A command taking QUERY words: a word that starts with one ``-`` but is none of the
    command's own options (``-flag:hack``, ``-beta``) is a query word, wherever it stands; an
    unknown ``--option`` is still an error."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        options: list[str] = []
        words: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            if arg == "--":
                words.extend(args[index + 1:])
                break
            name = arg.split("=", 1)[0]
            if name in takes_value or arg.startswith("--"):  # an unknown --option: click says so
                options.append(arg)
                if takes_value.get(name) and "=" not in arg:
                    if index + 1 == len(args):  # (QA98 F4: its value was the `--` below)
                        raise click.UsageError(f"Option '{name}' requires an argument.", ctx)
                    index += 1
                    options.append(args[index])
            elif _SHORT_GLOBALS.fullmatch(arg):
                meant = " ".join(name for letter, name in (("q", "--quiet"),
                                                           ("v", "--verbose")) if letter in arg)
                raise click.UsageError(
                    f"{arg}: after a command that takes query words this would be a NOT term "
                    f"(the games without a word starting with {arg[1:]!r}), not {meant}: write "
                    f"it before the command (`romrunner {arg} {_command_words(ctx)} …`) or as "
                    f"{meant}; for the NOT term, -title:{arg[1:]}", ctx)
            else:
                words.append(arg)
            index += 1
        return super().parse_args(ctx, [*options, "--", *words])


# The global options' short forms, as a user writes them after a command (QA98 F1: `deploy …
# --prune -q` took the games with a "q" word off the card): refused as query words.
_SHORT_GLOBALS = re.compile(r"-[qv]+")


def _command_words(ctx: click.Context) -> str:
    """The command as the user typed it, without the program's name (``games ls``): a
    command run as its group's default one (``deploy``'s ``run``) by its group's."""
    names: list[str] = []
    current: click.Context | None = ctx
    while current is not None and current.parent is not None:
        if current.info_name and current.info_name != "run":
            names.insert(0, current.info_name)
        current = current.parent
    return " ".join(names)
