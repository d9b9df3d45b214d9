"""Archived games are copied as they are; the plan says when their emulator cannot read them
(or when we cannot tell), per platform and emulator, in the dry run and the JSON."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.archives import ARCHIVES, archive_extension
from romrunner.library.examine import ARCHIVES as SCANNED_ARCHIVES
from romrunner.packs.loader import builtin_pack_path
from tests.conftest import muos_profile


def _zip(path: Path, member: str, seed: str) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, hashlib.sha256(seed.encode()).digest() * 128)
    return path.read_bytes()


def _pack(tmp_path: Path, formats: dict[str, list[str]]) -> Path:
    """The built-in pack with ``supportedFormats`` set for some emulators."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    path = pack / "emulators.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["emulators"]:
        if entry["id"] in formats:
            entry["supportedFormats"] = formats[entry["id"]]
    path.write_text(json.dumps(data), encoding="utf-8")
    return pack


@pytest.fixture
def archived(cli: Any, tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "roms"
    files = {"snes/Sky Pilot (USA).zip": _zip(root / "snes/Sky Pilot (USA).zip",
                                              "Sky Pilot (USA).sfc", "a"),
             "gba/Pocket Quest (Europe).zip": _zip(root / "gba/Pocket Quest (Europe).zip",
                                                   "Pocket Quest (Europe).gba", "b"),
             "gba/Lantern (Japan).zip": _zip(root / "gba/Lantern (Japan).zip",
                                             "Lantern (Japan).gba", "c")}
    plain = root / "gba/Plain (USA).gba"
    plain.write_bytes(hashlib.sha256(b"d").digest() * 128)
    files["gba/Plain (USA).gba"] = plain.read_bytes()
    muos_profile(cli, root)
    return files


def _by_platform(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["platform_id"]: entry for entry in data["plan"]["archives"]}


def test_an_emulator_that_cannot_read_zip_is_named_with_the_count(
        cli: Any, archived: dict[str, bytes], tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"retroarch-snes9x": ["sfc", "smc", "zip", "7z"],
                            "retroarch-mgba": ["gba", "gb", "gbc"]})
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "--pack", str(pack), "deploy", "1", "--to", str(card), "--dry-run",
              "platform:snes,gba")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    archives = _by_platform(data)
    assert archives["snes"] == {
        "platform_id": "snes", "emulator": "retroarch-snes9x", "extension": ".zip",
        "games": 1, "readable": "yes",
        "why": "the definition pack lists .zip for retroarch-snes9x", "discs": False}
    assert archives["gba"]["emulator"] == "retroarch-mgba"
    assert archives["gba"]["games"] == 2 and archives["gba"]["readable"] == "no"
    warnings = [w for w in data["plan"]["warnings"] if w["code"].startswith("archive-")]
    assert [(w["code"], w["platform_id"]) for w in warnings] == [("archive-unreadable", "gba")]
    assert "retroarch-mgba cannot read .zip" in warnings[0]["message"]
    assert "2 archived games (.zip)" in warnings[0]["message"]
    assert list(card.iterdir()) == []
    text = cli("--pack", str(pack), "deploy", "1", "--to", str(card), "--dry-run",
               "platform:snes,gba")
    assert text.code == 0
    assert "gba: 2 archived games (.zip) go on the card as they are, but retroarch-mgba cannot " \
           "read .zip" in text.err
    assert "snes:" not in text.err


def test_archives_are_copied_as_they_are_and_the_run_carries_the_warning(
        cli: Any, archived: dict[str, bytes], tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"retroarch-mgba": ["gba"]})
    card = tmp_path / "card"
    card.mkdir()
    done = cli("--json", "--pack", str(pack), "deploy", "1", "--to", str(card),
               "platform:gba")
    assert done.code == 0, done.err
    envelope = done.json()
    assert envelope["data"]["copied"] == 3
    assert any("retroarch-mgba cannot read .zip" in w for w in envelope["warnings"])
    on_card = {p.name: p.read_bytes() for p in card.rglob("*")
               if p.is_file() and ".romrunner" not in p.parts}
    assert on_card == {Path(k).name: v for k, v in archived.items() if k.startswith("gba/")}


def test_unknown_when_the_pack_lists_no_formats_or_an_override_picks_another_emulator(
        cli: Any, archived: dict[str, bytes], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    builtin = cli("--json", "deploy", "1", "--to", str(card), "--dry-run", "platform:snes")
    assert builtin.code == 0, builtin.err
    assert _by_platform(builtin.json()["data"])["snes"]["readable"] == "yes"  # Snes9x reads zip
    silent = _pack(tmp_path / "silent", {"retroarch-snes9x": []})
    unknown = cli("--json", "--pack", str(silent), "deploy", "1", "--to", str(card),
                  "--dry-run", "platform:snes")
    assert unknown.code == 0, unknown.err
    snes = _by_platform(unknown.json()["data"])["snes"]
    assert snes["readable"] == "unknown"
    assert snes["why"] == "the definition pack lists no formats for retroarch-snes9x"
    codes = [w["code"] for w in unknown.json()["data"]["plan"]["warnings"]]
    assert "archive-unknown" in codes
    pack = _pack(tmp_path, {"retroarch-snes9x": ["sfc", "zip"], "retroarch-mgba": ["gba"]})
    assert cli("--pack", str(pack), "override", "set", "--platform", "snes", "--emulator",
               "retroarch-mgba", "--profile", "1", "--force").code == 0
    moved = cli("--json", "--pack", str(pack), "deploy", "1", "--to", str(card), "--dry-run",
                "platform:snes")
    snes = _by_platform(moved.json()["data"])["snes"]
    assert (snes["emulator"], snes["readable"]) == ("retroarch-mgba", "no")


def test_an_emulator_the_pack_says_reads_every_format_reads_archives(
        cli: Any, archived: dict[str, bytes], tmp_path: Path) -> None:
    """The real pack lists `*` for RetroArch: "cannot read .zip (formats: *)" contradicted
    itself (QA7)."""
    pack = _pack(tmp_path, {"retroarch-mgba": ["*"]})
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "--pack", str(pack), "deploy", "1", "--to", str(card), "--dry-run",
              "platform:gba")
    assert dry.code == 0, dry.err
    gba = _by_platform(dry.json()["data"])["gba"]
    assert (gba["readable"], gba["why"]) == (
        "yes", "the definition pack lists every format (*) for retroarch-mgba")
    assert not [w for w in dry.json()["warnings"] if "archived" in w]


def test_the_archives_named_are_those_the_scan_reads() -> None:
    assert ARCHIVES == SCANNED_ARCHIVES
    assert [archive_extension(name) for name in (
        "Roms/gba/A.ZIP", "Roms/gba/B.7z", "Roms/gba/C.gba", "Roms/zip.d/D", "E.tar.gz")] == [
        ".zip", ".7z", None, None, None]


def test_an_archive_of_several_roms_or_of_an_archive_is_warned_of(
        cli: Any, tmp_path: Path) -> None:
    """A pack of two Game Boy ROMs, a zip inside a zip: copied, and each named in a warning;
    a zip of one ROM, an arcade set (chip dumps, not ROMs of a platform's own kind) and a
    zipped disc (a sheet and its tracks: one game) not."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    with zipfile.ZipFile(root / "gb/Two Games (USA).zip", "w") as archive:
        archive.writestr("First (USA).gb", b"1" * 4096)
        archive.writestr("Second (USA).gb", b"2" * 4096)
    inner = tmp_path / "inner.zip"
    _zip(inner, "Inner (USA).gb", "i")
    with zipfile.ZipFile(root / "gb/Nested (USA).zip", "w") as archive:
        archive.write(inner, "Inner (USA).zip")
    _zip(root / "gb/Single (USA).zip", "Single (USA).gb", "s")
    (root / "psx").mkdir()
    with zipfile.ZipFile(root / "psx/Disc (USA).zip", "w") as archive:  # one game: a sheet
        archive.writestr("Disc (USA).cue", 'FILE "Disc (USA) (Track 1).bin" BINARY\n'
                         'FILE "Disc (USA) (Track 2).bin" BINARY\n')
        archive.writestr("Disc (USA) (Track 1).bin", b"1" * 2352)
        archive.writestr("Disc (USA) (Track 2).bin", b"2" * 2352)
    (root / "arcade").mkdir()
    with zipfile.ZipFile(root / "arcade/sf2.zip", "w") as archive:
        for chip in ("sf2.u1", "sf2.u2", "sf2.u3"):
            archive.writestr(chip, chip.encode() * 1000)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "--dry-run",
              "platform:gb,arcade,psx")
    assert dry.code == 0, dry.err
    warnings = {w["code"]: w for w in dry.json()["data"]["plan"]["warnings"]
                if w["code"] in ("archive-several-roms", "archive-nested")}
    assert set(warnings) == {"archive-several-roms", "archive-nested"}
    assert "Two Games (USA).zip" in warnings["archive-several-roms"]["message"]
    assert "Nested (USA).zip" in warnings["archive-nested"]["message"]
    assert all(w["platform_id"] == "gb" for w in warnings.values())
    assert not any(word in w["message"] for w in warnings.values()
                   for word in ("Single", "sf2", "Disc (USA)"))
    done = cli("--json", "deploy", "1", "--to", str(card), "platform:gb,arcade,psx")
    assert done.code == 0, done.err
    assert done.json()["data"]["copied"] == 5  # warned of, still copied as they are


def test_a_macs_metadata_member_an_earlier_release_stored_is_no_rom_of_the_zip(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA89 F2: a Mac-made zip an earlier release scanned kept its `__MACOSX/._NAME` member
    row, and every deploy warned the zip "holds several of its ROMs… extract them"."""
    import sqlite3
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    _zip(root / "gb/Single (USA).zip", "Single (USA).gb", "s")
    muos_profile(cli, root)
    with sqlite3.connect(db_path) as conn:  # (as the earlier release stored it)
        conn.execute("INSERT INTO game_files (game_id, kind, name, file_size) SELECT id, "
                     "'member', '__MACOSX/._Single (USA).gb', 4096 FROM games")
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "--dry-run", "platform:gb")
    assert not [w for w in dry.json()["data"]["plan"]["warnings"]
                if w["code"] == "archive-several-roms"], dry.out


_CUE = """FILE "Crash Course (USA) (Track 1).bin" BINARY
  TRACK 01 MODE2/2352
    INDEX 01 00:00:00
FILE "Crash Course (USA) (Track 2).bin" BINARY
  TRACK 02 AUDIO
    INDEX 01 00:00:00
"""


def _disc_zipped_whole(root: Path) -> None:
    """A cue/bin disc of two tracks zipped whole at ``root/psx/Crash Course (USA).zip``."""
    disc = root / "psx/Crash Course (USA).zip"
    disc.parent.mkdir(parents=True)
    with zipfile.ZipFile(disc, "w") as archive:
        archive.writestr("Crash Course (USA).cue", _CUE)
        archive.writestr("Crash Course (USA) (Track 1).bin", b"\x01" * 2352 * 8)
        archive.writestr("Crash Course (USA) (Track 2).bin", b"\x02" * 2352 * 4)


def test_a_disc_zipped_whole_is_not_read_by_an_emulator_said_to_read_every_format(
        cli: Any, tmp_path: Path) -> None:
    """qa200 F2: the pack's "every format" (*) of RetroArch said nothing of a cue/bin zipped
    whole — a frontend unpacks only the file it loads, not the tracks the sheet names — and
    such a disc went to the card as read, said by neither the auto-list nor the deploy."""
    root = tmp_path / "roms"
    _disc_zipped_whole(root)
    _zip(root / "snes/Sky Pilot (USA).zip", "Sky Pilot (USA).sfc", "a")
    muos_profile(cli, root)
    pack = _pack(tmp_path, {"retroarch-pcsx-rearmed": ["*"], "retroarch-snes9x": ["*"]})
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "--pack", str(pack), "deploy", "1", "--to", str(card), "--dry-run",
              "platform:psx,snes")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    archives = _by_platform(data)
    assert (archives["psx"]["readable"], archives["psx"]["discs"]) == ("unknown", True)
    assert (archives["snes"]["readable"], archives["snes"]["discs"]) == ("yes", False)
    warnings = [w for w in data["plan"]["warnings"] if w["code"].startswith("archive-")]
    assert [(w["code"], w["platform_id"]) for w in warnings] == [("archive-unknown", "psx")]
    assert "a disc zipped whole" in warnings[0]["message"]
    listed = cli("--json", "--pack", str(pack), "autolist", "1")
    assert listed.code == 0, listed.err
    entries = {entry["filename"]: entry for entry in listed.json()["data"]["games"]}
    crash = entries["Crash Course (USA).zip"]
    assert crash["included"], crash
    assert any("A disc zipped whole: whether retroarch-pcsx-rearmed reads it is unknown" in w
               for w in crash["warnings"]), crash
    assert not any("zipped" in w for w in entries["Sky Pilot (USA).zip"]["warnings"])
    text = cli("--pack", str(pack), "autolist", "1", "--limit", "0").out  # (said in text too)
    assert any("Crash Course (USA).zip" in line and "A disc zipped whole" in line
               for line in text.splitlines()), text


def test_the_archives_entries_are_keyed_as_the_readme_says(cli: Any, tmp_path: Path) -> None:
    """F2: a disc zipped whole and a one-image zip of one platform and emulator are two
    entries of ``plan.archives``, told apart by ``discs`` alone (their answers differ): the
    README now says so and names each field, which it did not (a consumer keying the list
    by platform, emulator and format lost one)."""
    root = tmp_path / "roms"
    _disc_zipped_whole(root)
    _zip(root / "psx/Dust Road (USA).zip", "Dust Road (USA).iso", "e")
    muos_profile(cli, root)
    pack = _pack(tmp_path, {"retroarch-pcsx-rearmed": ["*"]})
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "--pack", str(pack), "deploy", "1", "--to", str(card), "--dry-run",
              "platform:psx")
    assert dry.code == 0, dry.err
    entries = dry.json()["data"]["plan"]["archives"]
    keys = [(e["platform_id"], e["emulator"], e["extension"], e["discs"]) for e in entries]
    assert sorted(keys) == [("psx", "retroarch-pcsx-rearmed", ".zip", False),
                            ("psx", "retroarch-pcsx-rearmed", ".zip", True)], entries
    assert {(e["discs"], e["games"], e["readable"]) for e in entries} == {
        (False, 1, "yes"), (True, 1, "unknown")}
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    said = readme[readme.index("The JSON's `plan.archives`"):]
    said = said[:said.index("Chosen games missing")]
    for field in entries[0]:
        assert f"`{field}`" in said, field
    assert "one entry per platform, emulator, format and kind" in said
    assert "told apart by `discs`" in said
