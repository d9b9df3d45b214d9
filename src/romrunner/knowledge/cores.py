"""libretro core ``.info`` files into ``core_firmware``: which firmware each core reads.

The rows are kept as the cores declare them and merged with the pack's BIOS entries when
used (:func:`romrunner.bios.known.merge_core_firmware`), so a pack update needs no re-import.
Re-importing a core replaces its rows, unless its file lists fewer firmware files than it
declares (cut short, or upstream's slip): then its rows are added to (QA39 F2).
"""

from __future__ import annotations

from pathlib import Path

from romrunner.catalog.systems import platform_for_system
from romrunner.knowledge import libretro_info
from romrunner.knowledge.model import CoreInfo, ReadReport
from romrunner.store.database import Database


def core_platform(core: CoreInfo) -> str | None:
    """The pack platform of a core's first ``database`` name that maps to one."""
    return next((found for found in map(platform_for_system, core.databases) if found), None)


def store_cores(db: Database, path: Path, report: ReadReport) -> tuple[int, int, int]:
    """Store the firmware of every core in ``path`` (a file or folder); (cores, firmware,
    firmware rows of these cores removed: stored before, listed no longer)."""
    cores = list(libretro_info.read(path, report))
    rows = [(core.core_id, firmware_path, int(optional), core_platform(core),
             core.display_name, str(path))
            for core in cores for firmware_path, optional in core.firmware]
    replaced = [core for core in cores if core.complete]
    removed = sum(1 for core in replaced
                  for row in db.query("SELECT path FROM core_firmware WHERE core_id = ?",
                                      (core.core_id,))
                  if (str(row[0]), False) not in core.firmware
                  and (str(row[0]), True) not in core.firmware)
    db.executemany("DELETE FROM core_firmware WHERE core_id = ?",
                   [(core.core_id,) for core in replaced])
    db.executemany("INSERT OR REPLACE INTO core_firmware (core_id, path, optional, platform_id, "
                   "display_name, source_path) VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(cores), len(rows), removed
