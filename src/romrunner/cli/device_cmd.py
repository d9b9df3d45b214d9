"""``romrunner device``: the device catalog and the devices the user owns."""

from __future__ import annotations

from dataclasses import asdict

import click
from rich.console import Console

from romrunner.cli.context import ROW_ID, app_context
from romrunner.devices.catalog import os_called, search_catalog
from romrunner.devices.profiles import (
    add_device,
    list_devices,
    remove_device,
    unfinished_words,
)
from romrunner.store import OpenMode
from romrunner.words import counted


@click.group()
def device() -> None:
    """Devices: search the catalog, add the ones you own."""


@device.command(name="catalog")
@click.argument("text", nargs=-1)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
def device_catalog(text: tuple[str, ...], limit: int) -> int:
    """Search the pack's device catalog by name, brand or chip (every word must match)."""
    app = app_context()
    pack = app.pack()
    found, total = search_catalog(pack, " ".join(text), limit)
    called = os_called(pack, " ".join(text)) if not total else None
    if called is not None:  # (qa205 N6: a user typed the OS they run, "onion": review51f F3)
        app.warn(f"{called[1]} ({called[0]}) is an operating system, not a device: find your "
                 "handheld by its name; `romrunner profile create --device N --os "
                 f"{called[0]}` then says what it runs (`romrunner profile os` lists the OSes)")

    def render(console: Console) -> None:
        for item in found:
            console.print(f"{item.id}  {item.name}  {item.manufacturer or '?'}  "
                          f"{item.chip or 'chip unknown'}"
                          + (f" ({item.chipset})" if item.chipset else ""), markup=False)
        if total:
            console.print(f"{len(found)} of {counted(total, 'device')}", markup=False)
        else:  # (as `profile os` says it: "0 of 0 devices" said neither what nor where)
            console.print(_nothing_found(" ".join(text), len(pack.devices)), markup=False)

    app.finish({"devices": [asdict(d) for d in found], "total": total}, render)
    return 0


def _nothing_found(text: str, everything: int) -> str:
    """What ``device catalog TEXT`` says when no device matches."""
    if not everything:
        return "the pack's device catalog is empty (`romrunner pack status` says which pack " \
            "is in use)"
    return (f"no device matches {text!r}: none of the pack's {everything} has every word in "
            f"its name, brand or chip (`romrunner device catalog --limit {everything}` lists "
            "them all)")


@device.command(name="add")
@click.argument("catalog_id")
@click.option("--name", "nickname", default=None, help="Your name for it.")
def device_add(catalog_id: str, nickname: str | None) -> int:
    """Add a device you own by its catalog id (any of the pack's spellings)."""
    app = app_context()
    owned = add_device(app.open_db(), app.pack(), catalog_id, nickname)

    def render(console: Console) -> None:
        console.print(f"device {owned.id}: {f'{owned.nickname}, ' if owned.nickname else ''}"
                      f"{owned.name} ({owned.device_id})", markup=False)
        # (qa173 F8: the next step, as a first user needs it)
        console.print(f"next: `romrunner profile create --device {owned.id} --os OS` says "
                      "what it runs (`romrunner profile os` lists the OSes)", markup=False)

    app.finish(asdict(owned), render)
    return 0


@device.command(name="ls")
def device_ls() -> int:
    """List your devices."""
    app = app_context()
    owned = list_devices(app.open_db(OpenMode.READ), app.pack())
    for item in owned:
        if not item.in_pack:  # (QA114 F6: only "chipset unknown")
            app.warn(f"device {item.id}: {item.device_id} is not in the definition pack in "
                     "use (a pack update renamed or dropped it?): its chipset, and the "
                     "performance answers that go by it, are unknown")

    def render(console: Console) -> None:
        for item in owned:
            console.print(f"{item.id}  {item.nickname or item.name}  ({item.device_id}, "
                          f"chipset {item.chipset or 'unknown'})  "
                          f"{counted(item.profiles, 'profile')}",
                          markup=False)
        if not owned:
            console.print("no devices (`romrunner device add CATALOG_ID`)", markup=False)

    app.finish([asdict(item) for item in owned], render)
    return 0


@device.command(name="rm")
@click.argument("device_id", type=ROW_ID)
@click.option("--force", is_flag=True, help="Also remove the device's profiles (a device "
              "that has profiles is refused without it).")
def device_rm(device_id: int, force: bool) -> int:
    """Remove a device (and, with --force, its profiles)."""
    app = app_context()
    removed = remove_device(app.open_db(), device_id, force=force)
    if removed.unfinished:  # (QA102 F4: a killed deploy's copies, untracked without a word)
        app.warn(unfinished_words(removed.unfinished, removed=True))
    history = f" and the history of {counted(removed.deployments, 'deployment')}" \
        if removed.deployments else ""
    overrides = f", {counted(removed.overrides, 'override')}" if removed.overrides else ""
    performance = f", {counted(removed.performance, 'performance answer')} imported for it" \
        if removed.performance else ""
    app.finish({"id": device_id, "profiles_removed": removed.profiles,
                "deployments_removed": removed.deployments,
                "overrides_removed": removed.overrides,
                "performance_removed": removed.performance}, lambda c: c.print(
        f"removed device {device_id}, {counted(removed.profiles, 'profile')}{overrides}"
        f"{performance}{history}", markup=False))
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(device)
