"""The player's saves: a prune keeps a file the saves or states on the card are named after
(QA50 F1: a better version replaced the deployed one and the save was orphaned without a
word; F2: a disc deployed alone moved behind its set's playlist), and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, shared_path
from tests.test_card_paths import make_profile
from tests.test_deploy_multidisc_layout import CUE


def _setup(cli: Any, lib: Path, os_id: str) -> None:
    for args in (("library", "add", lib), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def _disc_one_deployed_alone(cli: Any, tmp_path: Path, os_id: str
                             ) -> tuple[Path, Path, list[str]]:
    """Disc 1 of a two-disc set, alone in the library, deployed for ``os_id``: the library's
    psx folder, the card, the discs' names."""
    lib, card = tmp_path / "lib" / "psx", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    names = [f"Saga (USA) (Disc {disc})" for disc in (1, 2)]
    (lib / f"{names[0]}.bin").write_bytes(b"\x01" * 8000)
    (lib / f"{names[0]}.cue").write_text(CUE.format(f"{names[0]}.bin"))
    _setup(cli, lib.parent, os_id)
    assert cli("deploy", "1", "--to", card, "platform:psx").code == 0
    return lib, card, names


def _one_game_deployed(cli: Any, tmp_path: Path, game: str, os_id: str, query: str
                       ) -> tuple[Path, Path]:
    """A library of one game (``folder/name``) deployed by ``query`` for ``os_id``: the
    game's folder in the library, and the card."""
    lib, card = (tmp_path / "lib" / game).parent, tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    (tmp_path / "lib" / game).write_bytes(b"\x05" * 4096)
    _setup(cli, lib.parent, os_id)
    assert cli("deploy", "1", "--to", card, query).code == 0
    return lib, card


def _notes(result: Any) -> str:
    return "\n".join(result.json()["data"]["notes"])


def test_a_prune_keeps_a_game_whose_save_is_on_the_card(cli: Any, tmp_path: Path) -> None:
    """A better version replaces a deployed game the player saved: its copy stays with the
    note; a replaced game with no save, and a game the player dropped (no version of it
    chosen: QA51 F1), go — the dropped game's save stays on the card."""
    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    for i, name in enumerate(("Saved (USA).gb", "Unsaved (USA).gb", "Dropped (USA).gb")):
        (lib / name).write_bytes(bytes([i + 1]) * 4096)
    _setup(cli, lib.parent, "knulli")
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    roms = card / "roms" / "gb"
    (card / "saves" / "gb").mkdir(parents=True)
    for name in ("Saved (USA).srm", "Dropped (USA).srm"):
        (card / "saves" / "gb" / name).write_bytes(b"progress")
    (card / "states" / "gb").mkdir(parents=True)
    (card / "states" / "gb" / "Unsavedish (USA).state1").write_bytes(b"other game")
    for i, name in enumerate(("Saved (USA)", "Unsaved (USA)", "Dropped (USA)")):
        (lib / f"{name}.gb").unlink()
        if name != "Dropped (USA)":
            (lib / f"{name} (Rev 1).gb").write_bytes(bytes([i + 10]) * 4096)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("games", "forget", "--missing").code == 0
    # (--force: the dropped game's content is in no library file now, maybe the only copy
    # left, kept by a --prune alone)
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert sorted(p.rpartition("/")[2] for p in dry.json()["data"]["prune"]) == [
        "Dropped (USA).gb", "Unsaved (USA).gb"]
    assert "saves/gb/Saved (USA).srm" in _notes(dry)
    assert [k["path"] for k in dry.json()["data"]["prune_saves"]] == ["roms/gb/Saved (USA).gb"]
    assert dry.json()["data"]["actions"]["keep"] == 1  # (QA51 F2: counted, not only noted)
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force")
    assert run.code == 0 and run.json()["data"]["pruned"] == 2, run.out
    # What it removed is named by the run and by its record (QA145 F2: a count only).
    removed = ["roms/gb/Dropped (USA).gb", "roms/gb/Unsaved (USA).gb"]
    assert sorted(run.json()["data"]["pruned_paths"]) == removed
    shown = cli("--json", "deploy", "show", str(run.json()["data"]["deployment_id"]))
    assert sorted(shown.json()["data"]["pruned"]) == removed
    text = cli("deploy", "show", str(run.json()["data"]["deployment_id"])).out
    assert all(f"removed {path}" in text for path in removed), text
    assert sorted(p.name for p in roms.iterdir()) == [
        "Saved (USA) (Rev 1).gb", "Saved (USA).gb", "Unsaved (USA) (Rev 1).gb"]
    assert "saves/gb/Saved (USA).srm" in _notes(run) and "roms/gb/Saved (USA).gb" in _notes(run)
    assert run.json()["data"]["prune_saves"] == [
        {"path": "roms/gb/Saved (USA).gb", "saves": ["saves/gb/Saved (USA).srm"]}]
    assert (card / "saves" / "gb" / "Saved (USA).srm").read_bytes() == b"progress"
    assert (card / "saves" / "gb" / "Dropped (USA).srm").read_bytes() == b"progress"
    # The player renames the save after the version chosen: the old copy goes at the next prune.
    (card / "saves" / "gb" / "Saved (USA).srm").rename(
        card / "saves" / "gb" / "Saved (USA) (Rev 1).srm")
    again = cli("deploy", "1", "--to", card, "platform:gb", "--prune", "--force")
    assert again.code == 0 and "removed roms/gb/Saved (USA).gb" in again.out, again.out
    assert sorted(p.name for p in roms.iterdir()) == ["Saved (USA) (Rev 1).gb",
                                                      "Unsaved (USA) (Rev 1).gb"]


def test_a_disc_moved_behind_its_sets_playlist_keeps_its_saved_flat_copy(
        cli: Any, tmp_path: Path) -> None:
    """muOS: a disc deployed alone goes flat in the platform folder; once its set is complete
    the discs go to a dot-folder behind the .m3u. A state of the flat disc (muOS keeps them
    in MUOS/save/state/<core>/) keeps the flat copy, its sheet and its track."""
    lib, card, names = _disc_one_deployed_alone(cli, tmp_path, "muos")
    flat = [p.relative_to(card).as_posix() for p in card.rglob("Saga*")]
    assert len(flat) == 2, flat
    state = card / "MUOS" / "save" / "state" / "PCSX-ReARMed" / f"{names[0]}.state.auto"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"state")
    (lib / f"{names[1]}.bin").write_bytes(b"\x02" * 8000)
    (lib / f"{names[1]}.cue").write_text(CUE.format(f"{names[1]}.bin"))
    assert cli("scan", "--workers", "1").code == 0
    run = cli("--json", "deploy", "1", "--to", card, "platform:psx", "--prune")
    assert run.code == 0, run.err
    assert run.json()["data"]["pruned"] == 0, run.out
    for path in flat:
        assert (card / path).is_file(), path
    assert "MUOS/save/state/PCSX-ReARMed/Saga (USA) (Disc 1).state.auto" in _notes(run)
    assert any(p.name == "Saga (USA).m3u" for p in card.rglob("*.m3u"))


def test_a_save_of_a_disc_a_new_playlist_lists_is_said(cli: Any, tmp_path: Path) -> None:
    """Knulli: the discs stay where they are and the new .m3u lists them (its frontend then
    hides them): the save of disc 1, played alone before, is said, once."""
    lib, card, names = _disc_one_deployed_alone(cli, tmp_path, "knulli")
    (card / "saves" / "psx").mkdir(parents=True)
    (card / "saves" / "psx" / f"{names[0]}.srm").write_bytes(b"progress")
    (lib / f"{names[1]}.bin").write_bytes(b"\x02" * 8000)
    (lib / f"{names[1]}.cue").write_text(CUE.format(f"{names[1]}.bin"))
    assert cli("scan", "--workers", "1").code == 0
    dry = cli("--json", "deploy", "1", "--to", card, "platform:psx", "--dry-run")
    run = cli("--json", "deploy", "1", "--to", card, "platform:psx")
    for result in (dry, run):
        assert result.code == 0, result.err
        assert "saves/psx/Saga (USA) (Disc 1).srm" in _notes(result)
        assert "Saga (USA).m3u" in _notes(result)
    assert (card / "saves" / "psx" / f"{names[0]}.srm").read_bytes() == b"progress"
    again = cli("--json", "deploy", "1", "--to", card, "platform:psx")
    assert again.code == 0 and "Saga (USA) (Disc 1).srm" not in _notes(again)


def test_a_game_moved_to_another_folder_under_its_own_name_is_pruned(
        cli: Any, tmp_path: Path) -> None:
    """The card switched from muOS to Knulli: Genesis's copy in muOS's `md` goes once the one
    in Knulli's `megadrive` is there — its save, named after the same file name, still finds
    it (the keep is for saves a prune would orphan, not for every save of a name)."""
    _, card = _one_game_deployed(cli, tmp_path, "megadrive/Saved (USA).md", "muos",
                                 "platform:genesis")
    (old,) = list(card.rglob("Saved (USA).md"))
    save = card / "saves" / "megadrive" / "Saved (USA).srm"  # (where Knulli keeps it)
    save.parent.mkdir(parents=True)
    save.write_bytes(b"progress")
    assert cli("profile", "set", "1", "--os", "knulli").code == 0
    run = cli("--json", "deploy", "1", "--to", card, "platform:genesis", "--prune")
    assert run.code == 0, run.err
    assert run.json()["data"]["pruned"] == 1 and not old.exists(), run.out
    assert [p.parent.name for p in card.rglob("Saved (USA).md")] == ["megadrive"]
    assert "saves or states" not in _notes(run)


def test_saves_named_after_the_whole_file_name_are_found() -> None:
    """Review 25 R5: MinUI and NextUI name saves `Game.gba.sav`, states `Game.gba.st0`."""
    from romrunner.deploy.saves import _stems_of
    assert "Game (USA)" in _stems_of("Game (USA).gba.sav")
    assert "Game (USA)" in _stems_of("Game (USA).gba.st3")
    assert "Game (USA)" in _stems_of("Game (USA).state1.png")
    assert "Dr. Mario (USA)" in _stems_of("Dr. Mario (USA).srm")
    assert _stems_of("Game (USA).gba") == []


def test_a_save_of_another_platforms_game_of_the_name_keeps_nothing(
        cli: Any, tmp_path: Path) -> None:
    """QA51 F9: Knulli's `saves/gb/Game (USA).srm` (a Game Boy game's) held back the prune
    of the GBA `Game (USA).gba` replaced by its Rev 1."""
    lib, card = _one_game_deployed(cli, tmp_path, "gba/Game (USA).gba", "knulli",
                                   "platform:gba")
    (card / "saves" / "gb").mkdir(parents=True)
    (card / "saves" / "gb" / "Game (USA).srm").write_bytes(b"another game's progress")
    (lib / "Game (USA).gba").unlink()
    (lib / "Game (USA) (Rev 1).gba").write_bytes(b"\x02" * 4096)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("games", "forget", "--missing").code == 0
    # (--force: the old revision, forgotten, is in no library file now — maybe the only
    # copy left, kept by a --prune alone)
    run = cli("--json", "deploy", "1", "--to", card, "platform:gba", "--prune", "--force")
    assert run.code == 0 and run.json()["data"]["pruned"] == 1, run.out
    assert run.json()["data"]["prune_saves"] == []
    assert (card / "saves" / "gb" / "Game (USA).srm").is_file()


def _card_files(card: Path, *paths: str) -> None:
    for path in paths:
        (card / path).parent.mkdir(parents=True, exist_ok=True)
        (card / path).write_bytes(b"x")


_PLATFORMS = {"gba": {"gba"}, "game boy advance (gba)": {"gba"}, "snes": {"snes"},
              "nes": {"nes"}, "gb": {"gb"}, "gbc": {"gbc"}}


def _platforms_of(folder: str) -> set[str]:
    return set(_PLATFORMS.get(folder.rpartition("/")[2].casefold(), ()))


def test_which_file_a_save_holds_by_platform(tmp_path: Path) -> None:
    """Review 27 R1, R2, R6 and QA53 F3, on a real card tree: a save in a folder named as a
    platform's is that platform's game's; a file of another platform with the same name, or
    the same title, neither excuses nor replaces; a game moved to another platform (its
    content written there) is replaced, its save in its old platform's folder."""
    from romrunner.deploy.saves import saves_named_after
    card = tmp_path / "card"
    _card_files(card, "Saves/GBA/Game (USA).gba.sav", "saves/snes/Ms. Pac-Man (USA).srm",
                "saves/gb/Ms. Pac-Man (USA).srm", "saves/gb/Moved (USA).srm")
    folders = ["Saves", "saves"]
    minui = saves_named_after(card, folders, ["Roms/Game Boy Advance (GBA)/Game (USA).gba"],
                              {("gba", "game (usa) (rev 1)")}, _platforms_of)
    assert minui == {"Roms/Game Boy Advance (GBA)/Game (USA).gba":
                     ["Saves/GBA/Game (USA).gba.sav"]}
    snes = saves_named_after(card, folders, ["roms/snes/Ms. Pac-Man (USA).sfc"],
                             {("snes", "ms. pac-man (usa) (rev 1)"),
                              ("nes", "ms. pac-man (usa)")}, _platforms_of)
    assert snes == {"roms/snes/Ms. Pac-Man (USA).sfc": ["saves/snes/Ms. Pac-Man (USA).srm"]}
    dropped = saves_named_after(card, folders, ["roms/gb/Ms. Pac-Man (USA).gb"],
                                {("nes", "ms. pac-man (usa)")}, _platforms_of)
    assert dropped == {}
    moved = saves_named_after(card, folders, ["roms/gb/Moved (USA).gb"],
                              {("gbc", "moved (usa)")}, _platforms_of,
                              moved={"roms/gb/Moved (USA).gb"})
    assert moved == {"roms/gb/Moved (USA).gb": ["saves/gb/Moved (USA).srm"]}


def _dat(path: Path, games: dict[str, tuple[bytes, str | None]]) -> Path:
    """A Logiqx DAT of ``games``: name -> (its ROM's bytes, the game it is a clone of)."""
    import hashlib
    import zlib
    entries = "".join(
        f'<game name="{name}"' + (f' cloneof="{parent}"' if parent else "") + ">"
        f'<description>{name}</description><rom name="{name}.gb" size="{len(data)}" '
        f'crc="{zlib.crc32(data):08x}" md5="{hashlib.md5(data).hexdigest()}" '
        f'sha1="{hashlib.sha1(data).hexdigest()}"/></game>'
        for name, (data, parent) in games.items())
    path.write_text('<?xml version="1.0"?><datafile><header><name>Nintendo - Game Boy</name>'
                    f'<description>t</description><version>1</version></header>{entries}'
                    '</datafile>')
    return path


def test_a_saved_version_replaced_by_another_title_of_its_family_is_kept(
        cli: Any, tmp_path: Path) -> None:
    """QA53 F1: a DAT's clone of another title (`Asmik-kun World (Japan)`, clone of
    `Boomer's Adventure in ASMIK World (USA)`) deployed and saved, then the DAT gains the
    relation and the auto-list keeps the parent: the prune removed the saved clone without a
    word (its title is not the parent's). And a title with its article moved."""
    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    usa, japan = "Boomer's Adventure in ASMIK World (USA)", "Asmik-kun World (Japan)"
    data = {usa: b"\x01" * 4096, japan: b"\x02" * 4096}
    (lib / f"{japan}.gb").write_bytes(data[japan])
    (lib / "Addams Family, The (USA).gb").write_bytes(b"\x03" * 4096)
    assert cli("dat", "import", _dat(tmp_path / "v1.dat", {
        usa: (data[usa], None), japan: (data[japan], None)})).code == 0
    _setup(cli, lib.parent, "knulli")
    assert cli("deploy", "1", "--to", card, "--auto").code == 0
    (card / "saves" / "gb").mkdir(parents=True)
    for name in (japan, "Addams Family, The (USA)"):
        (card / "saves" / "gb" / f"{name}.srm").write_bytes(b"progress")
    (lib / f"{usa}.gb").write_bytes(data[usa])
    (lib / "The Addams Family (USA) (Rev 1).gb").write_bytes(b"\x04" * 4096)
    assert cli("dat", "import", _dat(tmp_path / "v2.dat", {
        usa: (data[usa], None), japan: (data[japan], usa)})).code == 0
    assert cli("scan", "--workers", "1").code == 0
    listed = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert listed[f"{japan}.gb"]["reason"] == listed["Addams Family, The (USA).gb"]["reason"] \
        == "other_version"  # (what the test is about: the auto-list chose another version)
    run = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert run.code == 0, run.err
    kept = {entry["path"].rpartition("/")[2] for entry in run.json()["data"]["prune_saves"]}
    assert kept == {f"{japan}.gb", "Addams Family, The (USA).gb"}
    assert (card / "roms" / "gb" / f"{japan}.gb").is_file()
    assert (card / "roms" / "gb" / "Addams Family, The (USA).gb").is_file()



def test_an_emudeck_save_keeps_the_file_it_is_named_after(cli: Any, tmp_path: Path) -> None:
    """QA145 F1: EmuDeck keeps RetroArch's saves in Emulation/saves/retroarch/saves/ (the
    real pack names no saves folder for it): a prune removed the replaced game they are
    named after, without a word."""
    pack = str(shared_path("definition-pack"))
    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    (lib / "Saved (World).gb").write_bytes(b"\x05" * 4096)
    assert cli("library", "add", lib.parent).code == 0
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    profile = str(make_profile(cli, "emudeck"))
    assert cli("--pack", pack, "deploy", profile, "--to", card, "platform:gb").code == 0
    # (EmuDeck links it to RetroArch's own saves folder: review 149 F3, never followed)
    outside = tmp_path / "retroarch-config" / "saves"
    outside.mkdir(parents=True)
    (outside / "Saved (World).srm").write_bytes(b"progress")
    saves = card / "Emulation" / "saves" / "retroarch" / "saves"
    saves.parent.mkdir(parents=True)
    saves.symlink_to(outside, target_is_directory=True)
    (lib / "Saved (World).gb").unlink()
    (lib / "Saved (World) (Rev 1).gb").write_bytes(b"\x06" * 4096)
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    assert cli("games", "forget", "--missing").code == 0
    # (--force: the old revision, forgotten, is in no library file now: kept by a --prune
    # alone as maybe the only copy left, whatever its saves)
    run = cli("--pack", pack, "--json", "deploy", profile, "--to", card, "platform:gb",
              "--prune", "--force")
    assert run.code == 0, run.err
    roms = card / "Emulation" / "roms" / "gb"
    assert sorted(p.name for p in roms.iterdir()) == ["Saved (World) (Rev 1).gb",
                                                      "Saved (World).gb"]
    assert run.json()["data"]["prune_saves"] == [
        {"path": "Emulation/roms/gb/Saved (World).gb",
         "saves": ["Emulation/saves/retroarch/saves/Saved (World).srm"]}]
    # The card read on another computer, where the link leads nowhere (QA151 F7: the prune
    # removed the copy without a word): kept, the link named.
    outside.rename(outside.with_name("away"))
    (saves.parent / "states").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    (lib / "Saved (World) (Rev 1).gb").unlink()
    (lib / "Saved (World) (Rev 2).gb").write_bytes(b"\x08" * 4096)
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    assert cli("games", "forget", "--missing").code == 0
    again = cli("--pack", pack, "--json", "deploy", profile, "--to", card, "platform:gb",
                "--prune", "--force")
    assert again.code == 0, again.err
    kept = {entry["path"]: entry["saves"] for entry in again.json()["data"]["prune_saves"]}
    assert "Emulation/roms/gb/Saved (World) (Rev 1).gb" in kept, again.json()["data"]
    assert any("a link that leads nowhere on this computer" in save
               for save in kept["Emulation/roms/gb/Saved (World) (Rev 1).gb"])


def test_deploy_show_says_how_many_more_a_prune_removed_than_it_names(tmp_path: Path) -> None:
    """Review 149 F5: `deploy show` named 200 removed files and stopped without a word."""
    import io

    from rich.console import Console

    from romrunner.cli.deploy_cmd import SHOW_REMOVED, _render_show

    removed = [f"roms/gb/Game {n} (USA).gb" for n in range(SHOW_REMOVED + 7)]
    out = io.StringIO()
    _render_show(Console(file=out, width=200), {
        "id": 9, "status": "completed", "destination_path": "/card", "started_at": "now",
        "error_message": None, "totals": {}, "replaced": [], "problems": [],
        "pruned": removed})
    text = out.getvalue()
    assert f"removed {removed[SHOW_REMOVED - 1]}" in text
    assert f"removed {removed[SHOW_REMOVED]}" not in text
    assert "… and 7 more removed (`romrunner --json deploy show 9` lists every one)" in text


def test_a_platform_moved_to_another_folder_keeps_a_copy_whose_saves_are_beside_it(
        cli: Any, tmp_path: Path) -> None:
    """QA151 N-a: RetroArch (ArkOS, "saves in the content folder") keeps a game's save beside
    it; a platform moved to another folder (the OS's own, after an earlier deploy took one of
    another name; an override removed) and pruned lost the copy the save is named after,
    without a word, though the game is still launched under its name (from the new folder)."""
    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    (lib / "Saved (USA).gb").write_bytes(b"\x07" * 4096)
    muos_profile(cli, lib.parent)
    assert cli("destination", "paths", "1", "--to", card, "--set", "gb=ROMS/Mine").code == 0
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    old = card / "ROMS" / "Mine"
    (old / "Saved (USA).srm").write_bytes(b"progress")
    assert cli("destination", "paths", "1", "--to", card, "--unset", "gb").code == 0
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force")
    assert run.code == 0, run.err
    assert (old / "Saved (USA).gb").exists() and (old / "Saved (USA).srm").exists()
    assert run.json()["data"]["prune_saves"] == [
        {"path": "ROMS/Mine/Saved (USA).gb", "saves": ["ROMS/Mine/Saved (USA).srm"]}], \
        (run.json()["data"]["notes"], run.json()["data"]["pruned_paths"], run.json()["warnings"])
    new = [p for p in card.rglob("Saved (USA).gb") if p.parent != old]
    assert len(new) == 1, new  # (the game goes to its folder all the same)


def test_a_game_filed_under_another_platform_under_its_name_goes_where_its_save_follows(
        cli: Any, tmp_path: Path) -> None:
    """qa191 F4: a Game Boy game moved to the Game Boy Color folder under the same file name,
    a save named after it on the card. muOS keeps saves by core (`MUOS/save/file/<core>/`),
    found by the content's name: the new copy finds it, and the old one was kept for good —
    the note's way out, "rename the saves after the file chosen now", impossible, the names
    the same. It goes. Knulli keeps them per platform (`saves/gb/`), where the new copy does
    not look: the old one stays, the note saying how to move on."""
    for os_id, saves in (("muos", "MUOS/save/file/Gambatte"), ("knulli", "saves/gb")):
        base = tmp_path / os_id
        lib, card = base / "lib", base / "card"
        (lib / "gb").mkdir(parents=True)
        (lib / "gbc").mkdir()
        card.mkdir()
        name = "Tetris (World) (Rev 1)"
        (lib / "gb" / f"{name}.gb").write_bytes(b"\x07" * 4096)
        (lib / "gbc" / "Color (USA).gbc").write_bytes(b"\x08" * 4096)

        def run(*args: object, db: Path = base / "db.sqlite") -> Any:
            return cli("--db", db, *args)

        _setup(run, lib, os_id)
        assert run("deploy", "1", "--to", card, "platform:gb,gbc").code == 0
        (old,) = card.rglob(f"{name}.gb")
        save = card / saves / f"{name}.srm"
        save.parent.mkdir(parents=True)
        save.write_bytes(b"progress")
        (lib / "gb" / f"{name}.gb").rename(lib / "gbc" / f"{name}.gb")
        assert run("scan", "--workers", "1").code == 0
        pruned = run("--json", "deploy", "1", "--to", card, "platform:gb,gbc", "--prune")
        assert pruned.code == 0, pruned.err
        data = pruned.json()["data"]
        assert save.read_bytes() == b"progress"
        assert sorted(p.parent.name for p in card.rglob(f"{name}.gb")) == (
            ["gbc"] if os_id == "muos" else ["gb", "gbc"]), (os_id, data["notes"])
        if os_id == "muos":
            assert data["pruned_paths"] == [str(old.relative_to(card))] and not old.exists()
            assert data["prune_saves"] == [] and "saves or states" not in _notes(pruned)
        else:
            assert data["prune_saves"] == [{"path": str(old.relative_to(card)),
                                            "saves": [f"{saves}/{name}.srm"]}]
            note = _notes(pruned)
            assert "move them where it finds them" in note and "removed," not in note, note
