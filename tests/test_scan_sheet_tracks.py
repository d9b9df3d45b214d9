"""Disc sheets whose tracks were not read (QA3 F-U): a .cue naming a track that is missing
or outside the root is not re-hashed by every rescan while that stays so, and is when the
track appears; an .m3u naming a disc that is not there is warned about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_scan import scan_json

SHEET = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def test_sheets_with_unread_tracks_are_left_alone_until_they_change(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for folder in ("psx/Lonely (USA)", "psx/Evil (USA)", "psx/Parasite Eve (USA)",
                   "psx/Abs (USA)"):
        (root / folder).mkdir(parents=True)
    (root / "psx/Lonely (USA)/Lonely (USA).cue").write_text(SHEET.format("Nope.bin"))
    (root / "psx/Evil (USA)/Evil (USA).cue").write_text(SHEET.format("../../../outside.bin"))
    (tmp_path / "outside.bin").write_bytes(b"not the library's" * 100)
    (root / "psx/Abs (USA)/Abs (USA).cue").write_text(SHEET.format(tmp_path / "outside.bin"))
    disc = root / "psx/Parasite Eve (USA)"
    (disc / "Parasite Eve (USA) (Disc 1).bin").write_bytes(b"disc one" * 1000)
    (disc / "Parasite Eve (USA) (Disc 1).cue").write_text(
        SHEET.format("Parasite Eve (USA) (Disc 1).bin"))
    (disc / "Parasite Eve (USA).m3u").write_text(
        "Parasite Eve (USA) (Disc 1).cue\nParasite Eve (USA) (Disc 2).cue\n")
    assert cli("library", "add", root).code == 0

    first = scan_json(cli)
    assert first["added"] == 5
    errors = {e["path"]: e["error"] for e in first["errors"]}
    assert errors["psx/Parasite Eve (USA)/Parasite Eve (USA).m3u"] == (
        "track 'Parasite Eve (USA) (Disc 2).cue' is missing or unreadable")
    assert errors["psx/Lonely (USA)/Lonely (USA).cue"] == (
        "track 'Nope.bin' is missing or unreadable")
    assert "outside the library root" in errors["psx/Evil (USA)/Evil (USA).cue"]

    again = scan_json(cli)
    assert (again["updated"], again["unchanged"], again["bytes_hashed"]) == (0, 5, 0)
    assert again["errors"] == []

    (root / "psx/Lonely (USA)/Nope.bin").write_bytes(b"track" * 100)  # the track appears
    found = scan_json(cli)
    assert (found["updated"], found["unchanged"]) == (1, 4)
    assert scan_json(cli)["updated"] == 0
