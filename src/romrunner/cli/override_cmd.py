"""``romrunner override`` and ``romrunner resolve``: which emulator a game uses, and why."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from romrunner.cache.explain import suggested_settings
from romrunner.cli.autolist_cmd import verdict_words
from romrunner.cli.context import PROFILE_ID, ROW_ID, app_context
from romrunner.devices.autolist import autolist_verdict
from romrunner.devices.overrides import (
    explain,
    format_setting,
    list_overrides,
    parse_setting,
    remove_game_settings,
    remove_override,
    set_game_override,
    set_platform_override,
)
from romrunner.errors import InputError
from romrunner.store import OpenMode
from romrunner.words import shell_word


@click.group()
def override() -> None:
    """Per-platform and per-game emulator, include/exclude and settings overrides.

    Precedence: profile game > game > profile platform > platform > OS default > pack
    fallback. `romrunner resolve GAME` shows which rule decided.
    """


def _target(platform: str | None, game: int | None) -> None:
    if (platform is None) == (game is None):
        raise InputError("give --platform ID or --game ID (one of them)")


@override.command(name="set")
@click.option("--platform", "platform", default=None, help="Platform id of the pack.")
@click.option("--game", "game", type=ROW_ID, default=None, help="Game id.")
@click.option("--profile", "profile", type=PROFILE_ID, default=None,
              help="Device profile id (default: every profile).")
@click.option("--emulator", default=None, help="Emulator id (any spelling of its family).")
@click.option("--include", is_flag=True, help="Always deploy this game.")
@click.option("--exclude", is_flag=True, help="Never deploy this game.")
@click.option("--setting", "settings", multiple=True, metavar="KEY=VALUE",
              help="A per-game setting (repeatable). The value is kept as typed (text), "
                   "except whole numbers, true, false and null; NaN/Infinity are refused.")
@click.option("--force", is_flag=True,
              help="Set an emulator the definition pack says does not run the platform.")
def override_set(platform: str | None, game: int | None, profile: int | None,
                 emulator: str | None, include: bool, exclude: bool,
                 settings: tuple[str, ...], force: bool) -> int:
    """Set an override; emulator and platform ids are checked against the pack, and an
    emulator the pack says does not run the platform is refused unless --force."""
    _target(platform, game)
    if include and exclude:
        raise InputError("--include and --exclude together: give one of them")
    action = "include" if include else "exclude" if exclude else None
    app = app_context()
    db, pack = app.open_db(), app.pack()
    if platform is not None:
        if emulator is None or action or settings:
            raise InputError("a platform override takes --emulator only")
        change = set_platform_override(db, pack, platform, emulator, profile, force=force)
    else:
        if emulator is None and action is None and not settings:
            raise InputError("give --emulator, --include/--exclude or --setting")
        assert game is not None
        change = set_game_override(db, pack, game, profile_id=profile, emulator=emulator,
                                   action=action, settings=_settings(settings),
                                   force=force)
    for warning in change.warnings:
        app.warn(warning)
    scope = f"profile {profile}" if profile is not None else "every profile"
    parts = [f"emulator {change.emulator_id}" if change.emulator_id else "",
             change.action or "",
             ", ".join(f"{k}={format_setting(v)}" for k, v in change.settings.items())]
    app.finish(asdict(change), lambda c: c.print(
        f"{change.scope} {change.target} ({scope}): " + "; ".join(p for p in parts if p)))
    return 0


@override.command(name="rm")
@click.option("--platform", "platform", default=None, help="Platform id.")
@click.option("--game", "game", type=ROW_ID, default=None, help="Game id.")
@click.option("--profile", "profile", type=PROFILE_ID, default=None,
              help="Device profile id (default: the override for every profile).")
@click.option("--setting", "settings", multiple=True, metavar="KEY",
              help="Remove only this setting of the game's override (repeatable); its "
                   "emulator, include/exclude and other settings stay.")
def override_rm(platform: str | None, game: int | None, profile: int | None,
                settings: tuple[str, ...]) -> int:
    """Remove the override of a platform or game at one scope, or with --setting only some
    of a game override's settings (the override goes once nothing is left of it)."""
    _target(platform, game)
    if settings:
        return _remove_settings(platform, game, profile, settings)
    app = app_context()
    removed = remove_override(app.open_db(), platform_id=platform, game_id=game,
                              profile_id=profile, known_platforms=app.pack().platforms)
    app.finish({"removed": removed}, lambda c: c.print(f"{removed} override removed"))
    return 0


def _remove_settings(platform: str | None, game: int | None, profile: int | None,
                     settings: tuple[str, ...]) -> int:
    """``override rm --game ID --setting KEY…``: drop those keys of the game's override."""
    if platform is not None:
        raise InputError("--setting goes with --game: a platform override has no settings")
    for key in settings:
        if not key.strip():  # (review49d F5: looked up, "has no setting  (it sets c)")
            raise click.BadParameter(f"{key!r}: give the key of the setting to remove (KEY)",
                                     param_hint="--setting")
        if "=" in key:  # (`--setting k=v` as `override set` takes it: the key alone here)
            raise click.BadParameter(f"{key!r}: give the key alone (KEY, not KEY=VALUE)",
                                     param_hint="--setting")
    keys = list(dict.fromkeys(key.strip() for key in settings))
    assert game is not None
    app = app_context()
    left = remove_game_settings(app.open_db(), game, keys, profile)
    scope = f"profile {profile}" if profile is not None else "every profile"
    removed = f"game {game} ({scope}): setting{'s' if len(keys) > 1 else ''} " \
        f"{', '.join(shell_word(key) for key in keys)} removed"

    def render(console: Console) -> None:
        if left is None:
            console.print(f"{removed}; nothing else was set: override removed", markup=False)
            return
        parts = [f"emulator {left.emulator_id}" if left.emulator_id else "",
                 left.action or "",
                 ", ".join(f"{k}={format_setting(v)}" for k, v in left.settings.items())]
        console.print(f"{removed}; left: " + "; ".join(p for p in parts if p), markup=False)

    app.finish({"removed": 0 if left is not None else 1, "settings_removed": keys,
                "override": asdict(left) if left is not None else None}, render)
    return 0


@override.command(name="ls")
@click.option("--profile", "profile", type=PROFILE_ID, default=None,
              help="Only the global overrides and this profile's.")
def override_ls(profile: int | None) -> int:
    """Every override."""
    app = app_context()
    rows = list_overrides(app.open_db(OpenMode.READ), profile)
    pack = app.pack()
    stale = sorted({f"platform {row['target']}" for row in rows if row["scope"] == "platform"
                    and row["target"] not in pack.platforms}
                   | {f"emulator {row['emulator_id']}" for row in rows if row["emulator_id"]
                      and row["emulator_id"] not in pack.emulators})
    if stale:  # (QA29 F3: applied, and flagged nowhere)
        app.warn(f"overrides name {', '.join(stale)}, which the definition pack in use does "
                 "not know (a pack update renamed or dropped them?): `romrunner override rm` "
                 "or `override set` them anew")

    def render(console: Console) -> None:
        table = Table("scope", "target", "title", "profile", "emulator", "action", "settings")
        for row in rows:
            table.add_row(row["scope"], row["target"], row["title"] or "",
                          "all" if row["profile_id"] is None else str(row["profile_id"]),
                          row["emulator_id"] or "", row["action"] or "",
                          ", ".join(f"{k}={format_setting(v)}"
                                    for k, v in row["settings"].items()))
        console.print(table if rows else "no overrides")

    app.finish(rows, render)
    return 0


@click.command(name="resolve")
@click.argument("game_id", type=ROW_ID)
@click.option("--profile", "profile", type=PROFILE_ID, default=None, help="Device profile id.")
def resolve(game_id: int, profile: int | None) -> int:
    """The emulator, include/exclude and settings a game gets, and which rule decided."""
    app = app_context()
    db = app.open_db(OpenMode.READ)
    result = explain(db, app.pack(), game_id, profile)
    suggested = suggested_settings(db, result.platform_id, result.emulator_id, game_id)
    # (the overrides' include is not the card's: the auto-list's gates and drops decide too)
    verdict = autolist_verdict(db, app.pack(), profile, game_id) if profile is not None \
        else None
    for warning in result.warnings:
        app.warn(warning)

    def render(console: Console) -> None:
        where = f"profile {profile}" if profile is not None else "global rules only"
        console.print(f"game {result.game_id}: {result.title or ''} ({result.platform_id}), "
                      f"{where}")
        console.print(f"emulator  {result.emulator_id or '-'}  <- {result.emulator_origin}")
        for rule in result.emulator_rules:
            if not rule.decided:
                console.print(f"          {rule.value}  (outranked: {rule.level})")
        console.print(f"action    {result.action}  <- {result.action_origin}")
        if profile is None:
            console.print("auto-list (--profile says whether the device's auto-list takes it)")
        elif verdict is None:
            console.print("auto-list left out by the profile's filters")
        else:
            console.print(f"auto-list {'included' if verdict.included else 'left out'}: "
                          f"{verdict_words(verdict)}", markup=False)
        for key, (value, origin) in sorted(result.settings.items()):
            console.print(f"setting   {key}={format_setting(value)}  <- {origin}")
        for answer in suggested:  # (the emulator databases' own: QA127 F5)
            shown = json.dumps(answer.settings, ensure_ascii=False)
            console.print(f"suggested {answer.game_key}: "
                          f"{shown if len(shown) <= 100 else shown[:99] + '…'}  <- "
                          f"{answer.source}{f' ({answer.apply_mode})' if answer.apply_mode else ''}"
                          f" (`romrunner --verbose cache explain {result.game_id}` shows "
                          "them whole)", markup=False)

    data = asdict(result)
    data["settings"] = {k: {"value": v, "origin": o} for k, (v, o) in result.settings.items()}
    data["suggested_settings"] = [asdict(answer) for answer in suggested]
    if profile is not None:  # (null: the profile's filters leave the game out)
        data["autolist"] = asdict(verdict) if verdict is not None else None
    app.finish(data, render)
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(override)
    group.add_command(resolve)


def _settings(values: tuple[str, ...]) -> dict[str, Any]:
    """The ``--setting KEY=VALUE`` options as a dict; a key given twice is refused (QA98
    F13: the last one kept without a word)."""
    settings: dict[str, Any] = {}
    for value in values:
        key, setting = parse_setting(value)
        if key in settings:
            raise click.BadParameter(f"{key} is given twice", param_hint="--setting")
        settings[key] = setting
    return settings
