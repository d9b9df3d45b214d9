"""An envelope item whose rows of several kinds are skipped is one entry skipped, named once
(qa183: "2 skipped: item 1: platform_id is missing; item 1: platform_id is missing")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import shared_path


def test_one_bad_item_of_an_envelope_is_one_skipped_entry(tmp_path: Path, cli: Any) -> None:
    document = json.loads(shared_path("samples", "settings_pcsx2-gameindex_sample.json")
                          .read_text(encoding="utf-8"))
    assert document["schemaVersion"] == "emulator-settings-v1" and len(document["items"]) > 1
    first = document["items"][0]
    assert first.get("settings") and first.get("compatRating")  # (rows of two kinds)
    first["platformId"] = None
    path = tmp_path / "envelope.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli("--json", "cache", "import", path)
    assert result.code == 1, result.err
    data = result.json()["data"]
    assert data["skipped"] == 1, data
    assert data["problems"] == [{"where": "item 1", "reason": "platform_id is missing"}], data
    assert result.json()["errors"] == ["1 entry skipped, not imported (named in the "
                                       "warnings)"]
