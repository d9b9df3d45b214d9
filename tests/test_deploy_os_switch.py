"""A card switched from one OS to another (QA43 F1, F2): the games go to the new OS's folders
whatever the old OS's folders hold, the copies left in the old ones are said and pruned, and
the old layout's folders, once emptied, are no sign of a wrong --to."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import shared_path


def _files(card: Path) -> list[str]:
    return sorted(str(path.relative_to(card)) for path in card.rglob("*")
                  if path.is_file() and ".romrunner" not in path.parts)


def _warnings(result: Any, code: str) -> list[dict[str, Any]]:
    return [w for w in result.json()["data"]["plan"]["warnings"] if w["code"] == code]


def _library(cli: Any, tmp_path: Path, *games: str, pack: Path | None = None) -> None:
    for i, game in enumerate(games):
        path = tmp_path / "lib" / game
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes([i + 1]) * 4096)
    packed = ("--pack", pack) if pack is not None else ()
    assert cli(*packed, "library", "add", tmp_path / "lib").code == 0
    assert cli(*packed, "scan", "--workers", "1").code == 0


def test_muos_to_knulli_moves_genesis_out_of_muos_md_that_holds_a_rom_of_the_users(
        cli: Any, tmp_path: Path) -> None:
    """F2: muOS's `md` holding a ROM the user copied there is muOS's layout, not the user's:
    Knulli's deploy puts Genesis in its own folder, says the copy left in `md` and prunes
    it; the user's ROM stays, and so does the choice at later deploys."""
    _library(cli, tmp_path, "megadrive/Hotel (USA).md", "gb/A (USA).gb")
    card = tmp_path / "card"
    card.mkdir()
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    (old_copy,) = [f for f in _files(card) if f.endswith("Hotel (USA).md")]
    md = (card / old_copy).parent
    (md / "My Own Hack.md").write_bytes(b"hack" * 1024)
    assert cli("profile", "set", "1", "--os", "knulli").code == 0
    dry = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    # (on a card that tells case apart, muOS's `ROMS/gb` is left too: KNULLI reads `roms`)
    (moved,) = [w for w in _warnings(dry, "folder-moved") if w["platform_id"] == "genesis"]
    assert moved["path"] == str(md.relative_to(card))
    (yours,) = _warnings(dry, "files-left-for-another-os")  # (review 21 R11)
    assert yours["path"] == str(md.relative_to(card)) and "1 file of yours" in yours["message"]
    assert cli("deploy", "1", "--to", card, "--auto", "--prune").code == 0
    files = _files(card)
    assert os.path.join(str(md.relative_to(card)), "My Own Hack.md") in files
    assert old_copy not in files
    (new_copy,) = [f for f in files if f.endswith("Hotel (USA).md")]
    assert Path(new_copy).parent.name == "megadrive"
    again = cli("--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert again.json()["data"]["actions"] == {"skip": 2}  # (both where they are now)
    assert _warnings(again, "folder-moved") == []


def test_arkos_to_rocknix_says_the_copies_left_and_then_no_card_root_warning(
        cli: Any, tmp_path: Path) -> None:
    """F1: ArkOS fills `gb/`… at the games partition's root; ROCKNIX reads `roms/gb`…: its
    first deploy says the old copies are left behind, the prune removes them, and the empty
    folders ArkOS's layout left are no sign that the card's root is its ROM folder."""
    pack = shared_path("definition-pack")
    _library(cli, tmp_path, "gb/A (USA).gb", "gba/B (USA).gba", "snes/C (USA).sfc")
    card = tmp_path / "card"
    card.mkdir()
    for args in (("--pack", pack, "device", "add", "rg-353v"),
                 ("--pack", pack, "profile", "create", "--device", "1", "--os", "arkos"),
                 ("--pack", pack, "deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    assert _files(card) == ["gb/A (USA).gb", "gba/B (USA).gba", "snes/C (USA).sfc"]
    assert cli("--pack", pack, "profile", "set", "1", "--os", "rocknix").code == 0
    first = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert first.code == 0, first.err
    assert sorted(w["path"] for w in _warnings(first, "folder-moved")) == ["gb", "gba", "snes"]
    assert _warnings(first, "card-root") == []
    assert cli("--pack", pack, "deploy", "1", "--to", card, "--auto").code == 0
    assert cli("--pack", pack, "deploy", "1", "--to", card, "--auto", "--prune").code == 0
    assert _files(card) == ["roms/gb/A (USA).gb", "roms/gba/B (USA).gba",
                            "roms/snes/C (USA).sfc"]
    later = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert _warnings(later, "card-root") == [] and _warnings(later, "folder-moved") == []
    record = json.loads((card / ".romrunner" / "os.json").read_text())
    assert record["other_layouts"]["arkos"] == {"gb": "gb", "gba": "gba", "snes": "snes"}


def test_deploy_show_counts_the_files_found_unchanged(cli: Any, tmp_path: Path) -> None:
    """QA43 F5: `deploy show --json`'s counts left out the files a re-sync found unchanged
    (counted in bulk, without a row each): `[]` beside totals saying 2 skipped."""
    _library(cli, tmp_path, "gb/A (USA).gb", "gb/B (USA).gb")
    card = tmp_path / "card"
    card.mkdir()
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", card, "--auto"), ("deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    shown = cli("--json", "deploy", "show", "2").json()["data"]
    assert shown["totals"]["gb"]["skipped"] == 2
    assert shown["counts"] == [{"action": "copy", "status": "skipped", "files": 2,
                                "bytes": 2 * 4096}]
    first = cli("--json", "deploy", "show", "1").json()["data"]
    assert first["counts"] == [{"action": "copy", "status": "copied", "files": 2,
                                "bytes": 2 * 4096}]


def test_a_prune_removes_an_older_releases_emptied_unknown_folder(cli: Any,
                                                                   tmp_path: Path) -> None:
    """QA46 F6: an older release put the games of no platform in `roms/unknown/` (before
    manifests listed the folders made); the prune of its last file left the folder."""
    import hashlib

    _library(cli, tmp_path, "gb/A (USA).gb")
    card = tmp_path / "card"
    card.mkdir()
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    (copy,) = card.rglob("A (USA).gb")
    unknown = copy.parent.parent / "unknown"
    unknown.mkdir()
    old = unknown / "scph5501.bin"
    old.write_bytes(bytes([1]) * 4096)  # (content the library has: no only copy, review 90)
    manifest_path = card / ".romrunner" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    info = old.stat()
    writer = manifest["files"][str(copy.relative_to(card))][3]  # (this database's)
    manifest["files"][str(old.relative_to(card))] = [
        info.st_size, info.st_mtime_ns, hashlib.sha1(old.read_bytes()).hexdigest(), writer]
    manifest_path.write_text(json.dumps(manifest))
    pruned = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert pruned.code == 0 and pruned.json()["data"]["pruned"] == 1, pruned.out
    assert not unknown.exists() and copy.exists()


def test_a_folder_two_platforms_shared_counts_only_the_moved_ones_copies(
        cli: Any, tmp_path: Path) -> None:
    """Review 23 R3: GarlicOS keeps the Neo Geo Pocket and Pocket Color in one folder, KNULLI
    the Pocket alone in it: the switch's warning counted both games as left behind."""
    pack = shared_path("definition-pack")
    _library(cli, tmp_path, "ngp/Pocket A (World).ngp", "ngpc/Pocket C (World).ngc",
             pack=pack)
    card = tmp_path / "card"
    card.mkdir()
    query = "platform:neogeo-pocket,neogeo-pocket-color"
    for args in (("--pack", pack, "device", "add", "rg-35xx-plus"),
                 ("--pack", pack, "profile", "create", "--device", "1", "--os", "garlicos"),
                 ("--pack", pack, "deploy", "1", "--to", card, query),
                 ("--pack", pack, "profile", "set", "1", "--os", "knulli")):
        assert cli(*args).code == 0, args
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, query, "--dry-run")
    # (on a card that tells case apart, GarlicOS's `Roms/NGP` is not KNULLI's `roms/ngp`)
    (moved,) = [w for w in _warnings(dry, "folder-moved")
                if w["platform_id"] == "neogeo-pocket-color"]
    assert "1 file an earlier deploy" in moved["message"] and "removes it" in moved["message"]


# Two devices of one card: profile 1 on muOS, profile 2 on KNULLI.
_TWO_PROFILES = (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "2", "--os", "knulli"))


def test_back_and_forth_between_two_oses_keeps_each_ones_layout_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    """QA69 F4: muOS -> KNULLI -> muOS (--prune) -> KNULLI (--prune): the card's record
    lost muOS's layout (its `roms/md` recorded as "taken because the card had it", then
    dropped; KNULLI's Genesis folder recorded as `roms/md` once), and KNULLI then counted the
    muOS copies in `roms/md` as its own Genesis games: nothing written, none shown."""
    _library(cli, tmp_path, "megadrive/Hotel (USA).md", "nes/Nes (USA).nes")
    card = tmp_path / "card"
    card.mkdir()
    for args in (*_TWO_PROFILES,
                 ("deploy", "1", "--to", card, "platform:genesis"),
                 ("deploy", "2", "--to", card, "platform:genesis"),
                 ("deploy", "1", "--to", card, "platform:genesis", "--prune"),
                 ("deploy", "2", "--to", card, "platform:nes", "--prune")):
        assert cli(*args).code == 0, (args, cli("--json", "deploy", "history").out)
    record = json.loads((card / ".romrunner" / "os.json").read_text())
    assert record["os_id"] == "knulli"
    md = record["other_layouts"]["muos"]["genesis"]
    assert md.lower() == "roms/md", record
    assert [f for f in _files(card) if f.endswith(".md")] == [f"{md}/Hotel (USA).md"]
    for folder in card.rglob("megadrive"):
        folder.rmdir()  # emptied by the prune: the user tidies it
    (card / md / "MyHomebrew.md").write_bytes(b"home" * 1024)
    done = cli("--json", "deploy", "2", "--to", card, "platform:genesis,nes")
    assert done.code == 0, done.err
    assert any(f.lower() == "roms/megadrive/hotel (usa).md" for f in _files(card)), \
        _files(card)


def test_a_run_that_places_no_game_does_not_lay_the_card_out_for_its_os(
        cli: Any, tmp_path: Path) -> None:
    """QA69 F7: another device's profile running a --prune that chose no game (writing
    nothing) relabelled the card: `destination scan` then named that OS for a card holding
    only the first OS's folders."""
    _library(cli, tmp_path, "gb/A (USA).gb")
    card = tmp_path / "card"
    card.mkdir()
    for args in (*_TWO_PROFILES, ("deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    before = (card / ".romrunner" / "os.json").read_bytes()
    empty = cli("--json", "deploy", "2", "--to", card, "--prune", "--force", "title:zzzz")
    assert not any("laid this card out" in w for w in empty.json()["warnings"]), empty.out
    assert (card / ".romrunner" / "os.json").read_bytes() == before
    assert json.loads(before)["os_id"] == "muos"


def test_an_os_switch_that_lays_sets_out_flat_says_so_not_a_renamed_set(
        cli: Any, tmp_path: Path) -> None:
    """QA123 F3: muOS puts a multi-disc set's discs in a hidden folder of the set's, KNULLI
    flat beside the .m3u: the switch said the discs were "in another multi-disc set's folder
    … (the set renamed, or two editions told apart since)"."""
    pack = shared_path("definition-pack")
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        (psx / f"{name}.bin").write_bytes(bytes([disc]) * 2352 * 4)
        (psx / f"{name}.cue").write_text(
            f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", card, "platform:psx"),
                 ("profile", "set", "1", "--os", "knulli")):
        assert cli("--pack", pack, *args).code == 0, args
    assert any("/." in f for f in _files(card)), _files(card)  # (muOS: a hidden set folder)
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:psx",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert not _warnings(dry, "set-folder-moved"), dry.json()["data"]["plan"]["warnings"]
    (flat,) = _warnings(dry, "set-layout-moved")
    assert "now go flat in the platform's folder" in flat["message"], flat
