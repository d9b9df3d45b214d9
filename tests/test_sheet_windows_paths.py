"""A disc sheet that names its track with a Windows path (QA5 finding 8: ``FILE
"tr\\Zeta (USA).bin"``): the scan finds the track where Windows would, but a deploy refuses
the disc, per game, rather than write a card no emulator loads (the sheet is copied as it is,
and on the card's OS a backslash is no folder: PCSX ReARMed opens ``Zeta (USA).bin`` beside
the sheet, Beetle/Mednafen a file named ``tr\\Zeta (USA).bin``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SHEET = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _disc(folder: Path, title: str, track: str, seed: int) -> None:
    (folder / track.replace("\\", "/")).parent.mkdir(parents=True, exist_ok=True)
    (folder / track.replace("\\", "/")).write_bytes(bytes([seed]) * 2352 * 2)
    (folder / f"{title}.cue").write_text(SHEET.format(track))


def test_a_track_named_with_a_backslash_is_scanned_but_its_disc_not_deployed(
        cli: Any, tmp_path: Path) -> None:
    psx = tmp_path / "lib" / "psx"
    _disc(psx, "Zeta (USA)", "tr\\Zeta (USA).bin", 1)
    _disc(psx, "Beta (USA)", "sub/Beta (USA).bin", 2)  # a real subfolder: deployed as it is
    _disc(psx, "Alpha (USA)", "Alpha (USA).bin", 3)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    scan = cli("--json", "scan", "--workers", "1")
    assert scan.code == 0 and scan.json()["data"]["errors"] == []
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert sorted(games) == ["Alpha (USA).cue", "Beta (USA).cue", "Zeta (USA).cue"]
    zeta = cli("--json", "games", "show", str(games["Zeta (USA).cue"]["id"])).json()["data"]
    # The scan reads the Windows path as its folder: the track is found and sized.
    assert [(f["name"], f["file_size"]) for f in zeta["files"]] == [("tr/Zeta (USA).bin",
                                                                      4704)]
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    card = tmp_path / "card"
    card.mkdir()
    expected = (f'{psx / "Zeta (USA).cue"}: track "tr\\Zeta (USA).bin" is named with a '
                "Windows backslash, which emulators on the card do not read as a folder; not "
                "deployed (edit the sheet: the track beside it, named without a folder)")
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
    assert dry.code == 0 and expected in dry.json()["warnings"]
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    assert expected in result.json()["warnings"]
    on_card = sorted(p.relative_to(card).as_posix() for p in card.rglob("*")
                     if p.is_file() and ".romrunner" not in p.parts)
    assert on_card == ["ROMS/psx/Alpha (USA).bin", "ROMS/psx/Alpha (USA).cue",
                       "ROMS/psx/Beta (USA).cue", "ROMS/psx/sub/Beta (USA).bin"]
    assert not (card / "ROMS" / "psx" / "tr").exists()
    text = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert text.code == 0 and 'track "tr\\Zeta (USA).bin" is named with a Windows' in text.err


def test_a_disc_refused_for_a_backslash_keeps_its_copy_on_the_card_through_prune(
        cli: Any, tmp_path: Path) -> None:
    # Review #8: the refusal left the disc out without holding its card copy, so `--prune`
    # removed the sheet and track a deploy had put there for this still-chosen game (here
    # deployed while its sheet named the track with a slash, then edited to a backslash).
    psx = tmp_path / "lib" / "psx"
    _disc(psx, "Zeta (USA)", "tr/Zeta (USA).bin", 1)
    _disc(psx, "Alpha (USA)", "Alpha (USA).bin", 3)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    zeta = {"ROMS/psx/Zeta (USA).cue": SHEET.format("tr/Zeta (USA).bin").encode(),
            "ROMS/psx/tr/Zeta (USA).bin": bytes([1]) * 2352 * 2}
    assert {path: (card / path).read_bytes() for path in zeta} == zeta
    (psx / "Zeta (USA).cue").write_text(SHEET.format("tr\\Zeta (USA).bin"))
    assert cli("scan", "--workers", "1").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--prune")
    assert pruned.code == 0, pruned.err
    data = pruned.json()
    assert any('track "tr\\Zeta (USA).bin" is named with a Windows backslash' in warning
               for warning in data["warnings"])
    assert (data["data"]["pruned"], data["data"]["skipped"]) == (0, 2)  # Alpha's two files
    assert {path: (card / path).read_bytes() for path in zeta} == zeta  # kept, not pruned
