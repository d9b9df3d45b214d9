"""``romrunner profile``: a device running an OS, and what its auto-lists choose."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console

from romrunner.cli.context import PROFILE_ID, ROW_ID, app_context, count_range
from romrunner.collections.store import collection_names
from romrunner.devices.autolist import unknown_platform_warnings
from romrunner.devices.osprofile import ResolvedOsProfile, resolve_os_profile
from romrunner.devices.profiles import (
    PERFORMANCE_MODES,
    Profile,
    broken_collection_warnings,
    create_profile,
    languages_no_game_has,
    list_profiles,
    load_profile,
    remove_profile,
    unfinished_words,
    update_profile,
)
from romrunner.errors import InputError, NotFoundError
from romrunner.store import OpenMode
from romrunner.words import counted


@click.group()
def profile() -> None:
    """Device profiles: a device, its OS, and the choices auto-lists make for it."""


def _line(item: Profile) -> str:
    return (f"{item.id}  {item.name or ''}  device {item.device_id}  os {item.os_id}  "
            f"mode {item.performance_mode}")


@profile.command(name="create")
@click.option("--device", "device_row", type=ROW_ID, required=True,
              help="Your device's id (`device ls`).")
@click.option("--os", "os_id", required=True, help="OS id from the pack (e.g. muos, knulli).")
@click.option("--name", default=None)
def profile_create(device_row: int, os_id: str, name: str | None) -> int:
    """Create a profile: one of your devices running OS_ID."""
    app = app_context()
    result = create_profile(app.open_db(), app.pack(), device_row, os_id, name)
    for warning in result.warnings:
        app.warn(warning)
    app.finish(result.profile.as_dict(),
               lambda c: c.print(f"profile {_line(result.profile)}", markup=False))
    return 0


@profile.command(name="os")
@click.argument("text", nargs=-1)
def profile_os(text: tuple[str, ...]) -> int:
    """The OS ids a profile can use (every word of TEXT must match id or name)."""
    app = app_context()
    pack = app.pack()
    words = " ".join(text).lower().split()
    profiles = pack.os_profiles.get("profilesByOsId")
    ids = sorted(set(pack.operating_systems) | set(profiles if isinstance(profiles, dict)
                                                     else ()))
    rows = []
    for os_id in ids:
        catalogued = os_id in pack.operating_systems  # else: an emulator profile alone
        name = pack.operating_systems[os_id].name if catalogued else None
        if all(word in f"{os_id} {name or ''}".lower() for word in words):
            rows.append({"id": os_id, "name": name, "in_os_catalog": catalogued})

    def render(console: Console) -> None:
        for row in rows:
            name = row["name"] or "(an emulator profile only: not in the pack's OS catalog)"
            console.print(f"{row['id']}  {name}", markup=False)
        if not rows:  # (QA98 F7: nothing at all, exit 0)
            console.print(f"no OS matches {' '.join(text)!r} (`romrunner profile os` lists "
                          f"all {len(ids)})", markup=False)

    app.finish(rows, render)
    return 0


@profile.command(name="ls")
def profile_ls() -> int:
    """List profiles."""
    app = app_context()
    items = list_profiles(app.open_db(OpenMode.READ))

    def render(console: Console) -> None:
        for item in items:
            console.print(_line(item), markup=False)
        if not items:
            console.print("no profiles (`romrunner profile create`)", markup=False)

    app.finish([item.as_dict() for item in items], render)
    return 0


def _listed(values: tuple[object, ...], empty: str) -> str:
    return ", ".join(str(v) for v in values) if values else empty


def _named(ids: tuple[int, ...], names: dict[int, str]) -> tuple[str, ...]:
    return tuple(f"{names[i]} ({i})" if i in names else f"{i} (no longer exists)" for i in ids)


def _readable(item: Profile, names: dict[int, str]) -> list[tuple[str, str]]:
    """What ``profile show`` prints: the choices a user made, in words (JSON keeps the rest)."""
    return [
        ("device", item.device_id), ("os", item.os_id),
        ("performance mode", item.performance_mode),
        ("platforms", _listed(item.include_platforms, "all")
         + (f" except {_listed(item.exclude_platforms, '')}" if item.exclude_platforms else "")),
        ("collections", _listed(_named(item.include_collections, names), "any")
         + (f" except {_listed(_named(item.exclude_collections, names), '')}"
            if item.exclude_collections else "")),
        ("games per platform", str(item.max_games_per_platform or "no limit")),
        ("one game, one ROM", "yes" if item.one_game_one_rom else "no, every version"),
        ("regions preferred", _listed(item.region_preference, "(none)")),
        ("languages preferred", _listed(item.language_preference, "(none)")),
        ("betas and protos", "allowed" if item.allow_prerelease else "left out"),
        ("hacks", "allowed" if item.allow_hacks else "left out"),
        ("translations", "allowed" if item.allow_hacks or item.allow_translations
         else "left out"),
        ("ROM folder", item.custom_roms_path or "the OS's"),
        ("BIOS folder", item.custom_bios_path or "the OS's"),
    ]


@profile.command(name="show")
@click.argument("profile_id", type=PROFILE_ID)
def profile_show(profile_id: int) -> int:
    """A profile's settings and how its OS profile resolved (emulator per platform)."""
    app = app_context()
    database = app.open_db(OpenMode.READ)
    item = load_profile(database, profile_id)
    names = collection_names(database, (*item.include_collections, *item.exclude_collections))
    try:
        resolved = resolve_os_profile(app.pack(), item.device_id, item.os_id)
    except (InputError, NotFoundError) as exc:  # (QA29 F4: the settings were not shown)
        app.warn(f"{exc} (`romrunner profile set {profile_id} --os OS` points the profile "
                 "at another)")
        resolved = ResolvedOsProfile(item.os_id, item.device_id, item.os_id, [], {}, None, {},
                                     False)
    for warning in (*resolved.warnings, *unknown_platform_warnings(app.pack(), item)):
        app.warn(warning)
    data: dict[str, Any] = item.as_dict()
    data["collection_names"] = {str(i): name for i, name in names.items()}
    data["os_profile"] = {
        "layers": resolved.layers,
        "emulators": {p: {"emulator": e, "origin": o, "rule": resolved.default_for(p)[1]}
                      for p, (e, o) in sorted(resolved.emulators.items())},
        "installed": sorted(resolved.installed) if resolved.installed is not None else None,
        "layout_paths": resolved.layout_paths}

    def render(console: Console) -> None:
        console.print(_line(item), markup=False)
        for label, value in _readable(item, names):
            console.print(f"  {label:<22} {value}", markup=False)
        console.print("  os profile: " + " <- ".join(resolved.layers or ["(none)"]),
                      markup=False)
        # (the rule that named each, in `resolve`'s words: qa188 F3, Android's GBA was
        # said to be the pack's "fallback default", which names none for it)
        for platform, (emulator, _) in sorted(resolved.emulators.items()):
            console.print(f"    {platform}: {emulator} ({resolved.default_for(platform)[1]})",
                          markup=False)

    app.finish(data, render)
    return 0


@profile.command(name="rm")
@click.argument("profile_id", type=PROFILE_ID)
@click.option("--force", is_flag=True,
              help="Remove it even when it has deployed or has overrides: they go too.")
def profile_rm(profile_id: int, force: bool) -> int:
    """Remove a profile and its overrides (refused when it has deploy history or overrides,
    unless --force)."""
    app = app_context()
    removed = remove_profile(app.open_db(), profile_id, force=force)
    if removed.unfinished:  # (QA102 F4: a killed deploy's copies, untracked without a word)
        app.warn(unfinished_words(removed.unfinished, removed=True))
    also = "".join((f", its {counted(removed.overrides, 'override')}" if removed.overrides
                    else "", f", {counted(removed.performance, 'performance answer')} imported "
                    "for its device" if removed.performance else "",
                    f" and the history of its {removed.deployments:,} deployment(s)"
                    if removed.deployments else ""))
    app.finish({"id": profile_id, "deployments_removed": removed.deployments,
                "overrides_removed": removed.overrides,
                "performance_removed": removed.performance},
               lambda c: c.print(f"removed profile {profile_id}{also}", markup=False))
    return 0


def _split(text: str | None, option: str = "") -> list[str] | None:
    """A comma list of ``option`` (None: not given; ``""``: cleared). An empty value among
    others is refused (QA144 F5: `--regions USA,,Europe` dropped it without a word)."""
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if parts == [""]:
        return []
    if "" in parts:
        raise click.BadParameter(f"{text!r}: an empty value between commas (give '' alone "
                                 "to clear the list)", param_hint=option or None)
    return parts


@profile.command(name="set")
@click.argument("profile_id", type=PROFILE_ID)
@click.option("--name", default=None)
@click.option("--os", "os_id", default=None,
              help="Another OS for the device (`profile os` lists them); the profile keeps "
                   "its settings, overrides and history.")
@click.option("--mode", type=click.Choice(PERFORMANCE_MODES), default=None,
              help="How the auto-list gates games. balanced (the default): drops games "
                   "rated broken, boots-only or menu/intro (never in-game: in every mode), "
                   "and those of demanding platforms with no performance data or of the "
                   "pack's strict platforms (PS3, Wii U, Saturn...) with no rating; strict: "
                   "also those rated ingame or unknown (a game no source rates is kept, as "
                   "in balanced); permissive: keeps the unrated and unmeasured ones too.")
@click.option("--include-platforms", default=None, help="Comma list; '' for all platforms.")
@click.option("--exclude-platforms", default=None, help="Comma list; '' for none.")
@click.option("--include-collections", default=None,
              help="Comma list of collection names or ids (`collection ls`); '' for any.")
@click.option("--exclude-collections", default=None,
              help="Comma list of collection names or ids; '' for none.")
@click.option("--max-per-platform", type=count_range(), default=None,
              help="At most N games per platform (0: no limit).")
@click.option("--regions", default=None, help="Region preference, e.g. USA,Europe,Japan.")
@click.option("--languages", default=None, help="Language preference, e.g. En,Fr.")
@click.option("--prerelease/--no-prerelease", default=None,
              help="Allow beta/proto/demo versions.")
@click.option("--hacks/--no-hacks", default=None, help="Allow hacks and translations.")
@click.option("--translations/--no-translations", default=None,
              help="Allow fan translations that are no hacks besides, without other hacks.")
@click.option("--one-game-one-rom/--all-versions", default=None,
              help="Keep only the best version of each title.")
def profile_set(profile_id: int, name: str | None, os_id: str | None, mode: str | None,
                include_platforms: str | None, exclude_platforms: str | None,
                include_collections: str | None, exclude_collections: str | None,
                max_per_platform: int | None, regions: str | None, languages: str | None,
                prerelease: bool | None, hacks: bool | None, translations: bool | None,
                one_game_one_rom: bool | None) -> int:
    """Change a profile's auto-list settings."""
    app = app_context()
    changes: dict[str, Any] = {
        "profile_name": name, "os_id": os_id, "performance_mode": mode,
        "include_platforms": _split(include_platforms, "--include-platforms"),
        "exclude_platforms": _split(exclude_platforms, "--exclude-platforms"),
        "region_preference": _split(regions, "--regions"),
        "language_preference": _split(languages, "--languages"),
        "allow_prerelease": prerelease, "allow_hacks": hacks,
        "allow_translations": translations,
        "one_game_one_rom": one_game_one_rom}
    for key, text in (("include_collections", include_collections),
                      ("exclude_collections", exclude_collections)):
        if text is not None:
            changes[key] = text  # names or ids, a comma list: resolved by the profile
    changes = {key: value for key, value in changes.items() if value is not None}
    if max_per_platform is not None:
        changes["max_games_per_platform"] = max_per_platform
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    database = app.open_db()
    item = update_profile(database, app.pack(), profile_id, changes)
    names = collection_names(database, (*item.include_collections, *item.exclude_collections))
    for warning in broken_collection_warnings(
            database, item, [key for key in changes if key.endswith("_collections")]):
        app.warn(warning)
    if languages is not None and (unheard := languages_no_game_has(
            database, item.language_preference)):
        app.warn(f"no game of the library is in {', '.join(unheard)}, nor any region's "
                 "language: kept, but check the code (as file names tag them: En, Fr, De, "
                 "Ja, Zh-Hans…)")

    def render(console: Console) -> None:  # (its settings as now: QA120 F5, the header only)
        console.print(f"profile {_line(item)}", markup=False)
        for label, value in _readable(item, names):
            console.print(f"  {label:<22} {value}", markup=False)

    app.finish(item.as_dict(), render)
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(profile)
