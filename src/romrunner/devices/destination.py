"""A destination (an SD card or folder): its stable id and the user's path overrides for it.

The id is the volume UUID when the destination is a mount point whose device has one, else the
content of ``.romrunner/destination-id`` on the card, written (atomically) only when asked to.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path
from typing import Any

from romrunner.deploy.card import read_id_file, unreadable_card, write_hint, write_id_once
from romrunner.devices.mounts import volume_uuid
from romrunner.errors import InputError
from romrunner.store.database import Database

ID_FOLDER = ".romrunner"
ID_FILE = "destination-id"


def refuse_a_bios_folder(db: Database, card_root: Path) -> None:
    """Refuse a card that is, or lies inside, a folder `bios scan` read (one holding a BIOS
    file it stored): the next `bios scan` of it would take every game written there for an
    unknown BIOS file (qa207 F5), as a backup written there was (see
    :func:`romrunner.library.roots.refuse_writing_into_library`)."""
    from romrunner.bios.scan import holds_stored_bios  # (bios imports the library's modules)

    if db.scalar("SELECT 1 FROM sqlite_schema WHERE type = 'table' "
                 "AND name = 'bios_files'") is None:
        return
    where = Path(os.path.realpath(card_root))
    for folder in (where, *where.parents):
        if folder != Path(folder.anchor) and holds_stored_bios(db, str(folder)):
            place = "is" if folder == where else f"is inside {folder},"
            raise InputError(f"{card_root}: {place} a BIOS folder of yours (`bios scan` read "
                             "it), where the next `bios scan` would take the games for unknown "
                             "BIOS files; deploy to a card's folder outside it")


def check_destination(card_root: Path) -> Path:
    """``card_root`` as an existing folder; a one-line InputError otherwise (a dead mount too:
    ``cannot read CARD (Transport endpoint is not connected): reconnect the card``)."""
    try:
        info = card_root.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{card_root}: destination does not exist") from None
    except OSError as exc:
        raise InputError(unreadable_card(card_root, exc)) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{card_root}: destination is a file, not a folder")
    return card_root


def destination_id(card_root: Path, create: bool) -> str | None:
    """The destination's stable id: volume UUID, else its id file (written when ``create``)."""
    check_destination(card_root)
    found = volume_uuid(card_root)
    if found:
        return f"uuid:{found}"
    id_file = card_root / ID_FOLDER / ID_FILE
    text = read_id_file(id_file)
    if text:
        return text
    if not create:
        return None
    try:
        return write_id_once(card_root, f"file:{uuid.uuid4()}")
    except OSError as exc:
        raise InputError(f"{card_root}: cannot write its id file ({exc.strerror})"
                         f"{write_hint(exc)}") from exc


def load_path_overrides(db: Database, dest_id: str | None) -> dict[str, Any]:
    """The user's path overrides for a destination: ``{"roms": …, "bios": …, "platforms":
    {platform: folder}}`` (card-relative), {} when none."""
    if dest_id is None:
        return {}
    text = db.scalar("SELECT overrides_json FROM destination_path_overrides "
                     "WHERE destination_id = ?", (dest_id,))
    try:
        value = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def stored_platform_folders(db: Database, os_id: str) -> list[tuple[str, str]]:
    """(platform, card-relative folder) of every platform folder the user stored for a card
    of ``os_id`` (`destination paths --set`), unchecked."""
    found = []
    for (text,) in db.query("SELECT overrides_json FROM destination_path_overrides "
                            "WHERE os_id = ?", (os_id,)):
        try:
            value = json.loads(text) if text else {}
        except json.JSONDecodeError:
            continue
        platforms = value.get("platforms") if isinstance(value, dict) else None
        if isinstance(platforms, dict):
            found += [(str(platform), folder) for platform, folder in platforms.items()
                      if isinstance(folder, str)]
    return found


def save_path_overrides(db: Database, dest_id: str, os_id: str | None,
                        overrides: dict[str, Any]) -> None:
    """Store a destination's path overrides (one row per destination)."""
    db.execute("INSERT INTO destination_path_overrides (destination_id, os_id, overrides_json, "
               "updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP) ON CONFLICT(destination_id) DO "
               "UPDATE SET os_id = excluded.os_id, overrides_json = excluded.overrides_json, "
               "updated_at = CURRENT_TIMESTAMP",
               (dest_id, os_id, json.dumps(overrides, sort_keys=True)))
