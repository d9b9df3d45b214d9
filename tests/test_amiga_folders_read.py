"""The Amiga folders of the Batocera family, as its members read them.

review49e F4: ``destination paths`` on KNULLI called the card's ``roms/amiga1200`` "not read
by knulli", though amiga1200 is one of the names Batocera's frontend gives Amiga (its AGA
system); so were ``megacd`` and ``videopacplus``, its other further names. A folder of the
family's own further names is said to be read; one of another OS's names is still not.

review49e F5: Recalbox, of Batocera's names, got ``roms/amiga500``, a folder it does not list:
its Amiga systems are ``amiga600`` and ``amiga1200`` (its romfs packages
recalbox-romfs-amiga600 and recalbox-romfs-amiga1200; no amiga500, no amiga), and a card's
``roms/amiga600`` was not recognised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from romrunner.packs import load_pack
from tests.conftest import real_pack_profile


def _reasons(cli: Any, pack: str, card: Path) -> dict[str, tuple[str, str]]:
    shown = cli("--pack", pack, "--json", "destination", "paths", "1", "--to", str(card))
    assert shown.code == 0, shown.err
    return {folder["platform_id"]: (folder["path"], folder["reason"])
            for folder in shown.json()["data"]["folders"] if folder.get("platform_id")}


def test_knullis_further_folder_names_are_not_called_unread(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "amiga/Speedball 2 (Europe).adf", b"\x0a",
                             "rg-35xx-plus", "knulli")
    card = tmp_path / "card"
    for folder in ("amiga1200", "megacd", "videopacplus", "snes"):
        (card / "roms" / folder).mkdir(parents=True)
    (card / "roms" / "amiga1200" / "Mine (AGA).adf").write_bytes(b"\x01" * 1000)
    reasons = _reasons(cli, pack, card)
    for platform, folder in (("amiga", "amiga1200"), ("sega-cd", "megacd"),
                             ("odyssey2", "videopacplus")):
        _path, reason = reasons[platform]
        assert "not read by knulli" not in reason, (platform, reason)
        assert f"the card's 'roms/{folder}' is another of knulli's folders for {platform}" \
            in reason, (platform, reason)
    assert reasons["amiga"][0] == "roms/amiga500"  # (the deploy still writes amiga500)
    # a folder of another OS's name for the platform (EmulationStation's `amiga`) is unread
    (card / "roms" / "amiga").mkdir()
    _path, reason = _reasons(cli, pack, card)["amiga"]
    assert "the card's 'roms/amiga1200' is another of knulli's folders" in reason, reason
    assert "the card's 'roms/amiga' is not read by knulli" in reason, reason


def test_recalbox_names_amiga600_and_reads_amiga1200() -> None:
    names = load_pack().folder_names  # the built-in pack's folder names
    family = names.family_of("recalbox")
    assert names.target_name("amiga", family) == "amiga600"
    assert names.platforms_named(family, "amiga600") == ("amiga",)
    assert names.further_name_of("amiga", family, "amiga1200")
    # the rest of its names are still Batocera's, borrowed, not its own (review37 F2)
    assert names.target_name("snes", family) == names.target_name("snes", "batocera")
    assert not names.names_its_own("recalbox")
    # Batocera and KNULLI keep amiga500
    for os_id in ("batocera", "knulli", "retrobat"):
        assert names.target_name("amiga", names.family_of(os_id)) == "amiga500", os_id


def test_recalbox_deploys_amiga_to_amiga600(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "amiga/Speedball 2 (Europe).adf", b"\x0a",
                             "rg-353v", "recalbox")
    listed = cli("--pack", pack, "--json", "autolist", "1")
    assert listed.code == 0, listed.err
    (game,) = listed.json()["data"]["games"]
    assert game["target_folder"] == "amiga600", game
    card = tmp_path / "card"
    card.mkdir()
    assert _reasons(cli, pack, card)["amiga"][0] == "roms/amiga600"
    deployed = cli("--pack", pack, "deploy", "1", "--to", str(card), "platform:amiga")
    assert deployed.code == 0, deployed.err
    assert (card / "roms" / "amiga600" / "Speedball 2 (Europe).adf").is_file()
    assert not (card / "roms" / "amiga500").exists()


def test_a_recalbox_cards_amiga600_and_amiga1200_are_amiga(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "amiga/Speedball 2 (Europe).adf", b"\x0a",
                             "rg-353v", "recalbox")
    card = tmp_path / "card"
    for folder in ("amiga600", "amiga1200", "snes"):
        (card / "roms" / folder).mkdir(parents=True)
    (card / "roms" / "amiga600" / "Mine (Europe).adf").write_bytes(b"\x01" * 1000)
    scanned = cli("--pack", pack, "--json", "destination", "scan", str(card),
                  "--expect-os", "recalbox")
    assert scanned.code == 0, scanned.err
    text = cli("--pack", pack, "destination", "scan", str(card), "--expect-os", "recalbox")
    said = " ".join(text.out.split())
    assert "roms/amiga600: amiga 1 file" in said, text.out
    assert "roms/amiga1200: amiga" in said, text.out
    assert "roms/amiga600: ?" not in said


# review50b F5: Recalbox inherited Batocera's further names, and a card's `megacd` and
# `videopacplus` were said to be listed by it (its systems are segacd and o2em); only its
# own amiga1200 is. F7: a name it borrows from Batocera is said to be Batocera's.
def test_recalbox_reads_only_its_own_further_names(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "amiga/Speedball 2 (Europe).adf", b"\x0a",
                             "rg-353v", "recalbox")
    card = tmp_path / "card"
    for folder in ("amiga1200", "megacd", "videopacplus", "snes"):
        (card / "roms" / folder).mkdir(parents=True)
    (card / "roms" / "megacd" / "Mine (Europe).chd").write_bytes(b"\x01" * 1000)
    reasons = _reasons(cli, pack, card)
    for platform, folder in (("sega-cd", "megacd"), ("odyssey2", "videopacplus")):
        _path, reason = reasons[platform]
        assert f"the card's 'roms/{folder}' is not read by recalbox" in reason, reason
        assert "is another of recalbox's folders" not in reason, reason
        assert f"--set {platform}=roms/{folder}" in reason, reason
    path, reason = reasons["amiga"]
    assert path == "roms/amiga600"
    assert "the card's 'roms/amiga1200' is another of recalbox's folders" in reason, reason
    path, reason = reasons["odyssey2"]
    assert path == "roms/o2em"
    assert reason.startswith("batocera folder name, which recalbox borrows"), reason
    assert "recalbox folder name" not in reason
    # Batocera keeps its further names
    names = load_pack().folder_names
    assert names.further_name_of("sega-cd", "batocera", "megacd")
    assert not names.further_name_of("sega-cd", names.family_of("recalbox"), "megacd")
