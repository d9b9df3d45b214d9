"""--json is UTF-8 and RFC 8259 JSON whatever the locale and the data; text output under a
locale that cannot encode a name shows it escaped (QA49 F4, F5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from romrunner.cli.context import json_document


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def _romrunner(db: Path, *args: str, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "ROMRUNNER_DB": str(db), "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args],
                          capture_output=True, env=env, timeout=300)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_json_is_utf8_and_text_is_escaped_under_another_locale(
        tmp_path: Path, encoding: str) -> None:
    (tmp_path / "lib" / "gb").mkdir(parents=True)
    (tmp_path / "lib" / "gb" / "Café (France).gb").write_bytes(b"x" * 100)
    db = tmp_path / "rr.db"
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1")):
        assert _romrunner(db, *args, encoding="utf-8").returncode == 0
    listed = _romrunner(db, "--json", "games", "ls", encoding=encoding)
    assert listed.returncode == 0, listed.stderr
    document = _strict(listed.stdout.decode("utf-8"))
    assert isinstance(document, dict)
    assert [row["filename"] for row in document["data"]["games"]] == ["Café (France).gb"]
    text = _romrunner(db, "games", "ls", encoding=encoding)
    assert text.returncode == 0 and b"Traceback" not in text.stderr, text.stderr
    assert ("Café" if encoding == "latin-1" else "Caf\\xe9").encode(encoding) in text.stdout


def test_a_number_json_cannot_hold_is_written_as_text() -> None:
    document = _strict(json_document({"a": [float("inf"), float("nan")], "b": 1.5}))
    assert document == {"a": ["inf", "nan"], "b": 1.5}
