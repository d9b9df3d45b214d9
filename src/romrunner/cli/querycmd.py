"""Commands whose trailing words are a query, so ``-flag:hack`` is a NOT term, not an option."""

from __future__ import annotations

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
                if takes_value.get(name) and "=" not in arg and index + 1 < len(args):
                    index += 1
                    options.append(args[index])
            else:
                words.append(arg)
            index += 1
        return super().parse_args(ctx, [*options, "--", *words])
