"""``romrunner pack``: status and validation of definition packs."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from romrunner.bios.known import dat_disagreements, imported_disagreements, pack_disagreements
from romrunner.cli.context import app_context, path_param
from romrunner.packs.loader import DefinitionPack, load_pack
from romrunner.packs.sync import stored_pack_hash
from romrunner.store import OpenMode
from romrunner.store.open import how_one_is_made
from romrunner.words import counted


@click.group()
def pack() -> None:
    """Inspect definition packs."""


@pack.command()
def status() -> int:
    """Show the pack in use, its versions and whether the database has seen it.

    Also counts the BIOS dumps the pack gives inconsistent hashes for, within itself and
    against the BIOS DATs imported with `bios import-dat` (`pack validate` names them).
    """
    app = app_context()
    loaded = app.pack()
    # A pack can be looked at before any database exists (a new user's first look).
    db = app.open_db(OpenMode.READ) if app.db_path.exists() else None
    stored = stored_pack_hash(db) if db is not None else None  # the pack it last saw
    bios_problems = {"within_pack": len(pack_disagreements(loaded.bios)),
                     "with_imported_dats": len(imported_disagreements(db, loaded))
                     if db is not None else 0}
    data = {"path": "builtin" if loaded.builtin else str(loaded.path),
            "content_hash": loaded.content_hash, "versions": loaded.versions,
            "database": str(app.db_path) if db is not None else None,
            "stored_hash": stored, "counts": _counts(loaded), "warnings": len(loaded.warnings),
            "bios_hash_disagreements": bios_problems}

    def render(console: Console) -> None:
        console.print(f"pack     {data['path']}")
        console.print(f"hash     {loaded.content_hash[:16]}")
        if db is None:
            made = how_one_is_made(app.db_path, "a command that writes creates it",
                                   make_folders=app.make_db_folders)
            console.print(f"database none yet at {app.db_path} ({made})", markup=False)
        for name, count in _counts(loaded).items():
            console.print(f"{name:<18} {count}")
        console.print(f"warnings {len(loaded.warnings)}")
        if any(bios_problems.values()):
            console.print(f"bios hash disagreements {bios_problems['within_pack']} within the "
                          f"pack, {bios_problems['with_imported_dats']} with imported BIOS DATs "
                          "(`romrunner pack validate DIR --bios-dat DAT` names them)")

    app.finish(data, render)
    return 0


@pack.command()
@click.argument("directory", type=path_param())
@click.option("--bios-dat", "bios_dats", multiple=True, type=path_param(),
              help="Also compare the pack's BIOS hashes with this DAT (libretro's System.dat; "
                   "repeatable). Nothing is imported.")
def validate(directory: Path, bios_dats: tuple[Path, ...]) -> int:
    """Load DIRECTORY as a pack and list every entry skipped or repaired, and every BIOS dump
    it gives inconsistent hashes for (exit 1 if any).

    A dump is inconsistent when two of the pack's records give one of its MD5 or SHA1 but
    disagree on another hash or its size, or (with --bios-dat) when the DAT does. A file is
    still verified by a hash that proves it (see `bios scan`), so this is for the pack's
    maintainers: one of the two values is wrong.
    """
    app = app_context()
    loaded = load_pack(directory)
    warnings = [str(w) for w in loaded.warnings]
    bios = [f"bios-hashes.json: {line}" for line in pack_disagreements(loaded.bios)]
    for dat in bios_dats:
        bios += [f"bios-hashes.json: {c.entry_id!r} vs {dat.name} {c.name}: {c.reason}"
                 for c in dat_disagreements(dat, loaded)]
    data = {"path": str(directory), "content_hash": loaded.content_hash,
            "counts": _counts(loaded), "problems": warnings + bios,
            "bios_hash_disagreements": bios}

    def render(console: Console) -> None:
        for line in warnings + bios:
            console.print(line, markup=False)
        counts = ", ".join(f"{count} {name}" for name, count in _counts(loaded).items())
        console.print(f"{directory}: loaded {counts}; {counted(len(warnings), 'problem')}"
                      + (f", {counted(len(bios), 'BIOS hash disagreement')}" if bios else ""))

    problems = bool(warnings or bios)
    reasons = [f"{directory}: {len(warnings)} pack entries skipped or repaired"] if warnings \
        else []
    reasons += [f"{directory}: {len(bios)} BIOS hash disagreements"] if bios else []
    app.finish(data, render, ok=not problems,
               errors=[f"{'; '.join(reasons)} (data.problems lists them)"] if problems else None)
    return 1 if problems else 0


def _counts(loaded: DefinitionPack) -> dict[str, int]:
    return {"platforms": len(loaded.platforms), "emulators": len(loaded.emulators),
            "bios": len(loaded.bios), "devices": len(loaded.devices),
            "operating_systems": len(loaded.operating_systems),
            "layout_profiles": len(loaded.layout_profiles)}
