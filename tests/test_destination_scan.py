"""Destination scan: the real layout markers name each OS; ties, mismatches, content, ids."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from romrunner.devices.destination import destination_id
from romrunner.devices.paths import card_relative
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path
from tests.test_card_paths import make_profile

SEVEN = ["muos", "knulli", "rocknix", "arkos", "onionos", "batocera", "emudeck"]
REAL_ROMS = {"muos": "roms", "knulli": "roms", "rocknix": "roms", "arkos": "roms",
             "onionos": "Roms", "batocera": "roms", "emudeck": "Emulation/roms"}


def layout_profile(os_id: str) -> dict[str, Any]:
    data = json.loads(shared_path("definition-pack", "layoutDetectionProfiles.json").read_text())
    return next(p for p in data["profiles"] if p["osId"] == os_id)


def build_card(root: Path, os_id: str, *, upper: bool = False) -> Path:
    """A card holding every markersAll and markersAny path of the OS's real layout profile."""
    detection = layout_profile(os_id)["detection"]
    for marker in detection["markersAll"] + detection["markersAny"]:
        relative = str(card_relative(os_id, marker)[0])
        path = root / (relative.upper() if upper else relative)
        if "." in path.name[1:]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
        else:
            path.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(autouse=True)
def existing_db(db_path: Path) -> None:
    """`destination scan` only reads: it needs a database and never creates one."""
    open_database(db_path, OpenMode.WRITE).db.close()


def scan(cli: Any, card: Path, *extra: str) -> Any:
    return cli("--pack", str(shared_path("definition-pack")), "--json", "destination", "scan",
               str(card), *extra)


@pytest.mark.parametrize("os_id", SEVEN)
def test_a_card_with_an_os_markers_is_named_and_gets_its_real_folders(
        cli: Any, db_path: Path, tmp_path: Path, os_id: str) -> None:
    card = build_card(tmp_path / "card", os_id)
    result = scan(cli, card)
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert (data["detected_os"], data["confidence"]) == (os_id, "high")
    assert not [f for f in data["findings"] if f["type"] in ("ambiguous", "different_os")]
    db = open_database(db_path, OpenMode.READ).db
    # the scan is stored in the history (the database exists and can be written)
    recorded = db.query("SELECT os_id FROM destination_scan_history")
    assert [row[0] for row in recorded] == [os_id]
    profile = make_profile(cli, os_id)
    paths = cli("--pack", str(shared_path("definition-pack")), "--json", "destination", "paths",
                str(profile), "--to", str(card)).json()["data"]["folders"]
    assert paths[0]["path"] == REAL_ROMS[os_id]


def test_markers_match_whatever_the_case(cli: Any, tmp_path: Path) -> None:
    card = build_card(tmp_path / "card", "knulli", upper=True)
    assert (card / "ROMS").is_dir()
    assert scan(cli, card).json()["data"]["detected_os"] == "knulli"


def test_identical_markers_tie_and_the_expected_os_breaks_it(cli: Any, tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "Android" / "data").mkdir(parents=True)  # four stock Android layouts say exactly this
    tied = scan(cli, card).json()["data"]
    assert len([c for c in tied["candidates"] if c["confidence"] == "high"]) == 4
    assert [f["type"] for f in tied["findings"] if f["type"] == "ambiguous"] == ["ambiguous"]
    chosen = scan(cli, card, "--expect-os", "retroid-stock-android-modern").json()["data"]
    assert chosen["detected_os"] == "retroid-stock-android-modern"
    assert not [f for f in chosen["findings"] if f["type"] in ("ambiguous", "different_os")]


def test_a_bare_roms_folder_is_no_os_high_and_the_bios_folder_has_no_platform(
        cli: Any, tmp_path: Path) -> None:
    """QA138 F11: the real pack lists `/roms` in a stock OS's markersAll and `/ROMS` in its
    markersAny; on a card looked up case-insensitively they are one folder, which made four
    stock OSes "high" on a bare `roms/`. One folder is one marker: medium at most."""
    card = tmp_path / "card"
    (card / "roms" / "gb").mkdir(parents=True)
    data = scan(cli, card).json()["data"]
    assert data["candidates"] and data["confidence"] == "medium"
    assert not [c for c in data["candidates"] if c["confidence"] == "high"]
    card = build_card(tmp_path / "muos", "muos")
    (card / "MUOS" / "bios").mkdir(parents=True, exist_ok=True)
    (card / "MUOS" / "bios" / "x.bin").write_bytes(b"1")
    result = cli("--pack", str(shared_path("definition-pack")), "destination", "scan", str(card))
    data = scan(cli, card).json()["data"]
    assert data["confidence"] == "high" and "MUOS" in data["reason"]  # as the card spells it
    bios = next(line for line in result.out.splitlines() if line.strip().startswith("bios "))
    assert "?" not in bios and "1 file" in bios


def test_a_card_of_another_os_than_expected_is_a_finding_and_exit_1(cli: Any,
                                                                     tmp_path: Path) -> None:
    card = build_card(tmp_path / "card", "knulli")
    result = scan(cli, card, "--expect-os", "onionos")
    assert result.code == 1
    data = result.json()
    assert data["ok"] is False and data["data"]["detected_os"] == "knulli"
    finding = next(f for f in data["data"]["findings"] if f["type"] == "different_os")
    assert finding["severity"] == "error" and "knulli" in finding["message"]
    assert finding["suggestion"]


def test_a_generic_folder_alone_never_makes_the_expected_os_an_error(
        cli: Any, tmp_path: Path) -> None:
    """QA85 F2: a muOS card with `MUOS/` but not yet its `retroarch.cfg` was "powkiddy-stock
    (high)" by its `ROMS/` alone, and `--expect-os muos` failed (exit 1) advising the
    PowKiddy profile. A `roms/` many OSes have is no evidence against the expected OS, and a
    marker of that OS's own found says so; the other OS's own markers still are."""
    card = tmp_path / "card"
    for folder in ("MUOS/bios", "MUOS/info", "ROMS"):
        (card / folder).mkdir(parents=True)
    result = scan(cli, card, "--expect-os", "muos")
    assert result.code == 0, result.out
    finding = next(f for f in result.json()["data"]["findings"] if f["type"] == "different_os")
    assert finding["severity"] == "warning" and "muos's own marker MUOS" in finding["message"]
    (card / "MUOS").rename(tmp_path / "away")
    generic = next(f for f in scan(cli, card, "--expect-os", "muos").json()["data"]["findings"]
                   if f["type"] == "different_os")
    assert generic["severity"] == "warning" and "which many OSes have" in generic["message"]


def test_existing_folders_are_counted_per_platform(cli: Any, tmp_path: Path) -> None:
    card = build_card(tmp_path / "card", "knulli")
    for name in ("roms/gb/a.gb", "roms/gb/sub/b.gb", "roms/megadrive/x.md", "bios/scph1001.bin",
                 "saves/gb/a.srm"):
        (card / name).parent.mkdir(parents=True, exist_ok=True)
        (card / name).write_bytes(b"1234")
    folders = scan(cli, card).json()["data"]["folders"]
    by_path = {f["path"]: (f["type"], f["platform_id"], f["file_count"]) for f in folders}
    assert by_path["roms/gb"] == ("roms", "gb", 2)
    assert by_path["roms/megadrive"] == ("roms", "genesis", 1)
    assert by_path["bios"] == ("bios", None, 1)
    assert by_path["saves"] == ("saves", None, 1)


def test_an_empty_card_has_no_layout_and_nothing_is_written_to_it(cli: Any,
                                                                  tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    result = scan(cli, card)
    assert result.code == 0
    assert [f["type"] for f in result.json()["data"]["findings"]] == ["no_layout"]
    assert list(card.iterdir()) == []


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "does not exist"), (lambda p: p.write_text("x"), "is a file")])
def test_a_missing_or_file_destination_is_refused(cli: Any, tmp_path: Path, make: Any,
                                                  message: str) -> None:
    make(tmp_path / "card")
    result = scan(cli, tmp_path / "card")
    assert result.code == 2 and message in result.err


def test_an_unknown_expected_os_is_named(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "card").mkdir()
    result = scan(cli, tmp_path / "card", "--expect-os", "beos")
    assert result.code == 2 and "'beos'" in result.err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_a_read_only_card_is_an_error_finding(cli: Any, tmp_path: Path) -> None:
    card = build_card(tmp_path / "card", "knulli")
    card.chmod(0o555)
    try:
        result = scan(cli, card)
    finally:
        card.chmod(0o755)
    assert result.code == 1
    assert [f["type"] for f in result.json()["data"]["findings"]] == ["read_only"]


def test_destination_id_is_written_only_when_asked_and_then_stable(tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    assert destination_id(card, create=False) is None
    assert not (card / ".romrunner").exists()
    first = destination_id(card, create=True)
    assert first is not None and first.startswith("file:")
    assert destination_id(card, create=False) == first == destination_id(card, create=True)


def test_a_folder_the_cards_os_shares_is_named_after_neither_platform(
        cli: Any, tmp_path: Path) -> None:
    """QA61 F8: Onion gives `NGP` to Neo Geo Pocket and Pocket Color and `WS` to both
    WonderSwans; the scan named them after one (another OS's name for it), though the card
    held the other's games. A folder the card's OS gives one platform is named after it."""
    card = build_card(tmp_path / "card", "onionos")
    for folder in ("NGP", "WS", "GB"):
        (card / "Roms" / folder).mkdir(parents=True, exist_ok=True)
        (card / "Roms" / folder / "Game (World).bin").write_bytes(b"x" * 64)
    data = scan(cli, card).json()["data"]
    assert data["detected_os"] == "onionos"
    named = {f["path"]: f["platform_id"] for f in data["folders"] if f["type"] == "roms"}
    assert (named["Roms/NGP"], named["Roms/WS"], named["Roms/GB"]) == (None, None, "gb"), named


def test_a_card_whose_rom_folders_are_its_root_lists_the_folders_its_os_shares(
        cli: Any, tmp_path: Path) -> None:
    """Review 33 R4: FunKey OS keeps its ROM folders at the card's root and gives "NES" to
    the NES and the Famicom Disk System: the scan left such folders out entirely."""
    card = tmp_path / "card"
    for folder in ("NES", "Game Boy"):
        (card / folder).mkdir(parents=True)
        (card / folder / "Game (World).bin").write_bytes(b"x" * 64)
    (card / "themes").mkdir()
    data = scan(cli, card, "--expect-os", "funkey-os").json()["data"]
    named = {f["path"]: f["platform_id"] for f in data["folders"] if f["type"] == "roms"}
    assert named == {"NES": None, "Game Boy": "gb"}, named


@pytest.mark.parametrize("damage", [b"\xff\xfe\x00garbage\n", b"\0" * 41])
def test_a_damaged_card_id_file_is_said_in_one_line_and_never_taken_as_an_id(
        cli: Any, db_path: Path, tmp_path: Path, damage: bytes) -> None:
    """QA69 F8: non-UTF-8 bytes in `.romrunner/destination-id` ended `destination scan`,
    `destination paths` and `deploy` in "internal error: UnicodeDecodeError"; a zero-filled
    one (a card pulled while it was written) was taken as an id every such card shared."""
    card = tmp_path / "card"
    (card / ".romrunner").mkdir(parents=True)
    (card / ".romrunner" / "destination-id").write_bytes(damage)
    profile = make_profile(cli, "muos")
    for args in (("destination", "scan", str(card)),
                 ("destination", "paths", str(profile), "--to", str(card)),
                 ("deploy", str(profile), "--to", str(card), "--auto", "--dry-run"),
                 ("deploy", str(profile), "--to", str(card), "--auto")):
        result = cli("--pack", str(shared_path("definition-pack")), *args)
        assert result.code == 2, (args, result.out)
        assert "destination-id: damaged" in result.err and "internal error" not in result.err
        assert "never pruned" not in result.err  # (QA72 F3: the manifest keeps them ours)
        assert len(result.err.strip().splitlines()) == 1, result.err
    assert (card / ".romrunner" / "destination-id").read_bytes() == damage
