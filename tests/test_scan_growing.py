"""A file still being written while the scan reads it (QA10 F7): its hashes would be of
other data than its stored size says, so it is not recorded; the scan says so, and the next
scan examines it again."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from romrunner.library import examine as examine_module
from romrunner.library.hashing import CHUNK, RomHasher
from tests.test_scan import rom_bytes


def _append_during_hashing(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[int]:
    """Once the scan has hashed the first chunk of ``path``, a separate process appends
    a MiB to it (the scan then reads on into the new data). Returns the appends made."""
    appended: list[int] = []

    class Appending(RomHasher):
        def update(self, data: bytes | bytearray | memoryview) -> None:
            super().update(data)
            if not appended and self.full.size >= CHUNK:
                subprocess.run([sys.executable, "-c",
                                "import sys; open(sys.argv[1], 'ab').write(b'x' * (1 << 20))",
                                str(path)], check=True)
                appended.append(1 << 20)

    monkeypatch.setattr(examine_module, "RomHasher", Appending)
    return appended


def _row(db_path: Path, name: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT file_size, hex(sha1_bin) FROM games WHERE filename = ?",
                            (name,)).fetchall()


@pytest.mark.parametrize("known", [False, True], ids=["new file", "known file rewritten"])
def test_a_file_growing_while_hashed_is_not_recorded_and_is_examined_next_time(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
        known: bool) -> None:
    folder = tmp_path / "roms" / "GBA"
    folder.mkdir(parents=True)
    big = folder / "Big (USA).gba"
    big.write_bytes(rom_bytes(1, 3 << 20))
    assert cli("library", "add", folder.parent).code == 0
    if known:
        assert cli("scan", "--workers", "1").code == 0
        before = _row(db_path, big.name)
        big.write_bytes(rom_bytes(2, 3 << 20) + b"new")  # another size: examined again
    else:
        before = []
    appended = _append_during_hashing(monkeypatch, big)
    result = cli("--json", "scan", "--workers", "1")
    assert appended == [1 << 20]
    data = result.json()["data"]
    assert result.code == 0  # a per-file problem, like a damaged zip: a warning
    assert [error["path"] for error in data["errors"]] == [str(big)]
    assert "changed during the scan" in data["errors"][0]["error"]
    assert data["added"] == 0 and data["updated"] == 0
    assert _row(db_path, big.name) == before  # not recorded, or left as it was

    monkeypatch.setattr(examine_module, "RomHasher", RomHasher)  # no more appending
    again = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (again["added"], again["updated"]) == ((0, 1) if known else (1, 0))
    whole = big.read_bytes()
    assert _row(db_path, big.name) == [(len(whole),
                                        hashlib.sha1(whole).hexdigest().upper())]
