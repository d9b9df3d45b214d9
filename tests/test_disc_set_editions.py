"""Two releases of one multi-disc title and region — the retail set and its Beta, or a limited
edition — are two sets: each its own discs, in order, in its own playlist (QA16 F1: one set,
the Beta's disc 1 second in a playlist named after the Beta). A library an earlier release
keyed is keyed again at its next scan."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from tests.test_deploy_multidisc_layout import playable

CUE = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
RETAIL = [f"Chase the Express (Europe) (Disc {n})" for n in (1, 2)]
BETA = [f"Chase the Express (Europe) (Disc {n}) (Beta)" for n in (1, 2)]


def _library(cli: Any, tmp_path: Path) -> Path:
    psx = tmp_path / "roms" / "psx"
    psx.mkdir(parents=True)
    for name in RETAIL + BETA:
        (psx / f"{name}.bin").write_bytes(hashlib.sha256(name.encode()).digest() * 150)
        (psx / f"{name}.cue").write_text(CUE.format(name))
    (psx / "Chase the Express (Europe).m3u").write_text("".join(f"{n}.cue\n" for n in RETAIL))
    (psx / "Chase the Express (Europe) (Beta).m3u").write_text(
        "".join(f"{n}.cue\n" for n in BETA))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return psx


def _keys(db_path: Path) -> dict[str, str | None]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): key for name, key in conn.execute(
            "SELECT filename, set_key FROM games WHERE format = 'cue'")}


def test_a_beta_and_the_retail_release_are_two_sets_on_the_card(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    psx = _library(cli, tmp_path)
    keys = _keys(db_path)
    assert keys[f"{RETAIL[0]}.cue"] == keys[f"{RETAIL[1]}.cue"]
    assert keys[f"{BETA[0]}.cue"] == keys[f"{BETA[1]}.cue"]
    assert keys[f"{RETAIL[0]}.cue"] != keys[f"{BETA[0]}.cue"]
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    for title, names in (("Chase the Express (Europe)", RETAIL),
                         ("Chase the Express (Europe) (Beta)", BETA)):
        assert playable(card, f"ROMS/psx/{title}.m3u") == [
            (psx / f"{name}.bin").read_bytes() for name in names]


def test_the_auto_list_keeps_the_retail_set_and_leaves_the_beta_out(
        cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    games = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert [games[f"{name}.cue"]["included"] for name in RETAIL] == [True, True]
    assert [games[f"{name}.cue"]["reason"] for name in BETA] == ["prerelease"] * 2
    # the library's playlist of the retail set gives way to the retail discs it lists
    kept = games["Chase the Express (Europe).m3u"]["kept_instead"]
    assert kept in {games[f"{name}.cue"]["game_id"] for name in RETAIL}
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "--auto").code == 0
    on_card = sorted(p.name for p in card.rglob("*.cue"))
    assert on_card == sorted(f"{name}.cue" for name in RETAIL)  # (QA16: the Beta added back)


def test_a_library_keyed_by_an_earlier_release_is_keyed_again_at_its_next_scan(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    merged = "psx:chase the express:Europe"  # as tag rules before 4 keyed all four
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE games SET set_key = ? WHERE format = 'cue'", (merged,))
        conn.execute("UPDATE user_settings SET value = '3' WHERE key = 'tag_rules_version'")
    assert cli("scan", "--workers", "1").code == 0
    keys = _keys(db_path)
    assert len(set(keys.values())) == 2 and merged in keys.values()
