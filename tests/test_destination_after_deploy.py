"""A card we laid out is recognised by a destination scan as the OS we deployed for, though it
has none of the OS's own files yet (QA: `--expect-os muos` rejected our own muOS card)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from romrunner.bios.example import build_example_bios
from tests.conftest import shared_path
from tests.test_deploy_cli import rom


# (trimui-stock-trimuios-smart-pro: its own layout profile's medium candidate ranked below
# generic stock profiles' high ones, the record dropped as "its markers say it": QA61 F5)
@pytest.mark.parametrize("os_id", ["muos", "knulli", "onionos",
                                   "trimui-stock-trimuios-smart-pro"])
def test_a_card_we_deployed_is_recognised(cli: Any, tmp_path: Path, os_id: str) -> None:
    pack = str(shared_path("definition-pack"))

    def run(*args: str) -> Any:
        return cli("--pack", pack, *args)

    root = tmp_path / "roms"
    rom(root / "gba/Pocket Quest (Europe).gba", "c")
    assert run("library", "add", str(root)).code == 0
    assert run("scan", "--workers", "1").code == 0
    assert run("device", "add", "rg-35xx-plus").code == 0
    assert run("profile", "create", "--device", "1", "--os", os_id).code == 0
    card = tmp_path / "card"
    card.mkdir()
    before = run("--json", "destination", "scan", str(card)).json()["data"]
    assert before["detected_os"] is None  # an empty folder
    assert run("deploy", "1", "--to", str(card), "platform:gba").code == 0

    scanned = run("--json", "destination", "scan", str(card))
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["detected_os"] == os_id
    expected = run("--json", "destination", "scan", str(card), "--expect-os", os_id)
    assert expected.code == 0, expected.err
    codes = {f["type"] for f in expected.json()["data"]["findings"]}
    assert "different_os" not in codes and "ambiguous" not in codes


DEVICE = {"onionos": "miyoo-mini", "minui": "miyoo-mini", "batocera": "rg-35xx-plus",
          "emudeck": "steam-deck-oled", "muos": "rg-35xx-plus", "rocknix": "rg-353v"}


def deployed_card(cli: Any, tmp_path: Path, os_id: str) -> tuple[Any, Path]:
    """A card deployed for ``os_id`` with its ROM and BIOS folders (a GBA and a NES game, their
    BIOS); returns the CLI bound to the pack (JSON output) and the card."""
    bios, pack, _ = build_example_bios(tmp_path / "example", shared_path("definition-pack"))

    def run(*args: str) -> Any:
        return cli("--pack", str(pack), *args)

    root = tmp_path / "roms"
    rom(root / "gba/Pocket Quest (Europe).gba", "c")
    rom(root / "nes/Hopper (USA).nes", "n")
    assert run("library", "add", str(root)).code == 0
    assert run("scan", "--workers", "1").code == 0
    assert run("bios", "scan", str(bios)).code == 0
    assert run("device", "add", DEVICE[os_id]).code == 0
    assert run("profile", "create", "--device", "1", "--os", os_id).code == 0
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", "1", "--to", str(card), "platform:gba,nes")
    assert done.code == 0, done.err
    return run, card


@pytest.mark.parametrize("os_id", ["onionos", "minui", "batocera", "emudeck"])
def test_the_recorded_os_beats_guesses_on_the_generic_folders(cli: Any, tmp_path: Path,
                                                              os_id: str) -> None:
    """QA8 N6: Onion/MinUI/Batocera cards we filled were headlined garlicos (high), EmuDeck
    steamos: their ROM and BIOS folders are two markers of those, the record one."""
    run, card = deployed_card(cli, tmp_path, os_id)
    bios = {"onionos": "BIOS", "minui": "Bios", "batocera": "bios", "emudeck": "Emulation/bios"}
    assert any((card / bios[os_id]).iterdir())  # the folders other OSes' markers name
    scanned = run("--json", "destination", "scan", str(card))
    assert scanned.code == 0, scanned.err
    data = scanned.json()["data"]
    assert (data["detected_os"], data["confidence"]) == (os_id, "high")
    # (EmuDeck's `Emulation/` is its own marker: found, said before the record)
    assert data["reason"].endswith(f"laid out by ROM Runner for {os_id}"), data["reason"]
    others = [c for c in data["candidates"] if c["os_id"] != os_id]
    assert others and max(len(c["found"]) for c in others) >= 2  # outnumbered, yet first
    assert not {f["type"] for f in data["findings"]} & {"ambiguous", "different_os",
                                                         "recorded_os"}
    text = run("destination", "scan", str(card))
    assert f"{os_id} (high: " in " ".join(text.out.split())
    assert f"laid out by ROM Runner for {os_id})" in " ".join(text.out.split())
    # --expect-os as documented: the expected OS checked, exit 1 when it matches not at all
    expected = run("--json", "destination", "scan", str(card), "--expect-os", os_id)
    assert expected.code == 0 and expected.json()["data"]["detected_os"] == os_id
    wrong = run("--json", "destination", "scan", str(card), "--expect-os", "recalbox")
    assert wrong.code == 1 and wrong.json()["ok"] is False
    assert wrong.json()["data"]["detected_os"] == os_id
    assert [f["severity"] for f in wrong.json()["data"]["findings"]
            if f["type"] == "different_os"] == ["error"]


def test_another_os_installed_since_outranks_the_record(cli: Any, tmp_path: Path) -> None:
    """Markers the recorded OS's layout does not explain (Onion's Apps/ and RetroArch/ on a
    card we filled for muOS) are another OS's: the markers rank, and the scan says so."""
    run, card = deployed_card(cli, tmp_path, "muos")
    assert run("--json", "destination", "scan", str(card)).json()["data"]["detected_os"] \
        == "muos"
    for folder in ("Apps", "RetroArch", "BIOS"):
        (card / folder).mkdir()
    data = run("--json", "destination", "scan", str(card)).json()["data"]
    assert data["detected_os"] == "onionos"
    assert data["reason"].startswith("markers found: ")
    warning = [f["message"] for f in data["findings"] if f["type"] == "recorded_os"]
    # (matched casefolded, listed as the card spells them; not BIOS/, which many OSes have:
    # QA152 F1)
    assert warning == ["ROM Runner laid this card out for muos, but it holds onionos's Apps, "
                       "RetroArch"]
    expected = run("--json", "destination", "scan", str(card), "--expect-os", "muos")
    assert expected.json()["data"]["detected_os"] == "muos"  # equal confidence: expected first


def test_the_recorded_os_own_excluding_marker_demotes_it(cli: Any, tmp_path: Path) -> None:
    """A ``markersNone`` of the recorded OS's own profile on the card contradicts the record:
    it drops to low and the scan names the marker."""
    run, card = deployed_card(cli, tmp_path, "batocera")
    conf = card / "recalbox/share/system/recalbox.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("")
    data = run("--json", "destination", "scan", str(card)).json()["data"]
    assert data["detected_os"] != "batocera"
    assert {c["os_id"]: c["confidence"] for c in data["candidates"]
            if c["found"] == [".romrunner/os.json"]} == {"batocera": "low"}
    assert [f["message"] for f in data["findings"] if f["type"] == "recorded_os"] == [
        "ROM Runner laid this card out for batocera, but it holds "
        "/recalbox/share/system/recalbox.conf, which a batocera card does not"]


def test_a_card_with_the_os_markers_and_our_record_lists_its_os_once(
        cli: Any, tmp_path: Path) -> None:
    # QA12 F7: a muOS card we deployed to, on which muOS had since booted, listed `candidate
    # muos` twice: for its markers and for our record.
    run, card = deployed_card(cli, tmp_path, "muos")
    (card / "MUOS" / "info" / "config").mkdir(parents=True)
    (card / "MUOS" / "info" / "config" / "retroarch.cfg").write_text("video_driver = gl\n")
    data = run("--json", "destination", "scan", str(card)).json()["data"]
    assert [c["os_id"] for c in data["candidates"]].count("muos") == 1
    assert data["detected_os"] == "muos"
    assert data["reason"].endswith("laid out by ROM Runner for muos"), data["reason"]


def test_the_os_bios_folder_under_its_rom_folder_is_not_a_rom_folder(
        cli: Any, tmp_path: Path) -> None:
    # QA12 F7: on a ROCKNIX card, roms/bios was listed as a ROM folder of no platform too.
    run, card = deployed_card(cli, tmp_path, "rocknix")
    assert any((card / "roms" / "bios").iterdir())
    folders = run("--json", "destination", "scan", str(card)).json()["data"]["folders"]
    assert [f["type"] for f in folders if f["path"].casefold() == "roms/bios"] == ["bios"]
    assert {f["path"] for f in folders if f["type"] == "roms"} >= {"roms/gba", "roms/nes"}


def test_destination_scan_names_a_file_where_the_os_wants_a_folder(
        cli: Any, tmp_path: Path) -> None:
    """`destination scan --expect-os muos` of a card whose root holds an empty file MUOS (how
    fusefat shows a FAT card labelled MUOS) says the BIOS folder cannot be made and why,
    exit 1, as the deploy would fail there (QA19 N2); a file with data is said as a file."""
    pack = str(shared_path("definition-pack"))
    assert cli("db", "init").code == 0
    card = tmp_path / "card"
    card.mkdir()
    (card / "MUOS").write_bytes(b"")
    scanned = cli("--pack", pack, "--json", "destination", "scan", str(card),
                  "--expect-os", "muos")
    assert scanned.code == 1, scanned.err
    blocked = [f for f in scanned.json()["data"]["findings"] if f["type"] == "not_a_folder"]
    assert len(blocked) == 1 and blocked[0]["severity"] == "error", blocked
    assert "MUOS is a file, not a folder" in blocked[0]["message"]
    assert "volume label" in blocked[0]["message"]
    (card / "MUOS").write_bytes(b"notes")
    again = cli("--pack", pack, "--json", "destination", "scan", str(card), "--expect-os", "muos")
    message = [f["message"] for f in again.json()["data"]["findings"]
               if f["type"] == "not_a_folder"]
    assert len(message) == 1 and "volume label" not in message[0]
    assert (card / "MUOS").read_bytes() == b"notes"  # (a scan writes nothing)


def test_a_file_named_as_a_layout_s_folder_is_no_marker_of_it(cli: Any, tmp_path: Path) -> None:
    """Files named ROMS and BIOS (a user's notes, a volume label) made a card "high
    confidence" GarlicOS and a family of stock OSes: a marker named with no dot is a folder."""
    pack = str(shared_path("definition-pack"))
    assert cli("db", "init").code == 0
    files, folders = tmp_path / "files", tmp_path / "folders"
    for card in (files, folders):
        card.mkdir()
    for name in ("ROMS", "BIOS"):
        (files / name).write_bytes(b"notes")
        (folders / name).mkdir()

    def detected(card: Path) -> tuple[str | None, list[str]]:
        data = cli("--pack", pack, "--json", "destination", "scan", str(card)).json()["data"]
        return data["detected_os"], [c["os_id"] for c in data["candidates"]]

    os_id, candidates = detected(folders)
    assert os_id is not None and candidates  # the same names as folders are markers
    assert detected(files) == (None, [])
    assert (files / "ROMS").read_bytes() == b"notes"


def test_a_stopped_deploys_temporary_file_is_no_game_file(cli: Any, tmp_path: Path) -> None:
    """A deploy killed mid-file leaves `.rr-tmp-…` (the next one cleans it up): the scan of
    the card does not count it as a file of the platform's folder (QA25 F2)."""
    run, card = deployed_card(cli, tmp_path, "muos")

    def gba_files() -> int:
        folders = run("--json", "destination", "scan", str(card)).json()["data"]["folders"]
        return sum(int(f["file_count"]) for f in folders if f.get("platform_id") == "gba")

    assert gba_files() == 1
    game = next(card.rglob("Pocket Quest (Europe).gba"))
    (game.parent / ".rr-tmp-7-0").write_bytes(b"half a copy")
    assert gba_files() == 1
    # nor a Mac's `._` file beside each game, `.DS_Store`, Windows' Thumbs.db (QA33 F24)
    (game.parent / f"._{game.name}").write_bytes(b"\x00\x05\x16\x07" + bytes(60))
    (game.parent / ".DS_Store").write_bytes(b"Bud1")
    (game.parent / "Thumbs.db").write_bytes(b"\xd0\xcf")
    assert gba_files() == 1
    # nor the frontends' notes in each platform folder: ES-DE's and EmuDeck's
    # `systeminfo.txt`, Batocera's `_info.txt` (QA91 F11)
    (game.parent / "systeminfo.txt").write_text("Game Boy Advance\n")
    (game.parent / "_info.txt").write_text("## SYSTEM GBA ##\n")
    assert gba_files() == 1


def test_a_scan_looks_in_the_folders_the_user_chose_for_the_card(
        cli: Any, tmp_path: Path) -> None:
    """QA65 F3: a card laid out in folders chosen with `destination paths --set` listed none
    of its ROM folders, and the OS's own `roms` was "not on the card (deploy creates it)"."""
    pack = str(shared_path("definition-pack"))

    def run(*args: str) -> Any:
        return cli("--pack", pack, *args)

    root = tmp_path / "roms"
    rom(root / "gb/Pocket Quest (Europe).gb", "c")
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert run(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert run("destination", "paths", "1", "--to", str(card), "--set",
               "roms=MyGames").code == 0
    assert run("deploy", "1", "--to", str(card), "platform:gb").code == 0
    data = run("--json", "destination", "scan", str(card)).json()["data"]
    assert [(f["path"], f["platform_id"], f["file_count"]) for f in data["folders"]
            if f["type"] == "roms"] == [("MyGames/gb", "gb", 1)], data["folders"]
    assert not [f for f in data["findings"] if f["type"] == "missing_folder"
                and "roms" in f["message"]], data["findings"]
