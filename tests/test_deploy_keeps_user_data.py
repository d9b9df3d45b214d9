"""Deploy never removes or replaces what it should keep: a chosen game whose source is missing
or changed since the scan keeps its card copy under --prune (an unmounted share must not empty
the card), and a card that is, lies inside or holds a library root is refused."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.plan import changed_since_the_scan
from tests.conftest import muos_profile, run_subprocess
from tests.test_deploy_cli import card_files, rom
from tests.test_deploy_faults import tmpfs


@pytest.fixture
def gb_library(cli: Any, tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    rom(root / "gb/Alpha (USA).gb", "alpha", 32768)
    rom(root / "gb/Beta (Europe).gb", "beta", 32768)
    muos_profile(cli, root)
    return root


def test_prune_with_the_library_unmounted_keeps_the_card(cli: Any, gb_library: Path,
                                                         tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    before = card_files(card)
    assert set(before) == {"Alpha (USA).gb", "Beta (Europe).gb"}
    gb_library.rename(tmp_path / "lib.unmounted")

    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune",
              "--dry-run")
    assert dry.json()["data"]["prune"] == []
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune")
    envelope = run.json()
    assert envelope["data"]["pruned"] == 0 and envelope["data"]["copied"] == 0
    assert card_files(card) == before
    assert any(w.startswith(f"{gb_library}: library root is not reachable")
               for w in envelope["warnings"])
    # its files are not reachable, not "missing since the scan" (QA22 P3)
    said = " ".join([*envelope["warnings"], *envelope["errors"],
                     *(e.get("error", "") for e in envelope["data"].get("errors", []))])
    assert "missing since the scan" not in said


def test_prune_keeps_a_chosen_game_whose_source_was_only_touched(
        cli: Any, gb_library: Path, tmp_path: Path) -> None:
    """The card's copy is the library's content as recorded: the source is not looked at
    (a re-deploy reads the card and the database, not the library), the copy stays and is
    never pruned; once the copy has to be written, the touched source is said and skipped."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    alpha = gb_library / "gb/Alpha (USA).gb"
    info = alpha.stat()
    os.utime(alpha, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    run = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune")
    data = run.json()["data"]
    assert run.code == 0 and (data["copied"], data["skipped"]) == (0, 1)
    assert "Alpha (USA).gb" in card_files(card)   # chosen, as recorded: kept
    assert "Beta (Europe).gb" not in card_files(card) and data["pruned"] == 1
    assert not [w for w in run.json()["warnings"] if "changed since the scan" in w]
    next(card.rglob("Alpha (USA).gb")).unlink()  # now it has to be written: the source is read
    alpha_text = str(alpha)
    dry = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--dry-run")
    assert dry.json()["data"]["failures"] == [changed_since_the_scan(str(alpha_text))]
    again = cli("--json", "deploy", "1", "--to", str(card), "title:alpha")
    assert again.code == 1 and again.json()["data"]["failed"] == 1
    assert [e["error"] for e in again.json()["data"]["errors"]] == [
        changed_since_the_scan(str(alpha_text))]
    assert "Alpha (USA).gb" not in card_files(card)


@pytest.mark.parametrize("where", ["root", "inside", "holds"])
def test_a_card_overlapping_the_library_is_refused(cli: Any, gb_library: Path,
                                                   tmp_path: Path, where: str) -> None:
    card = {"root": gb_library, "inside": gb_library / "card", "holds": tmp_path}[where]
    card.mkdir(exist_ok=True)
    originals = {p: p.read_bytes() for p in gb_library.rglob("*.gb")}
    for extra in ([], ["--overwrite"], ["--prune"], ["--dry-run"]):
        result = cli("deploy", "1", "--to", str(card), "platform:gb", *extra)
        assert result.code == 2
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and "library root" in lines[0] and str(card) in lines[0]
    assert {p: p.read_bytes() for p in gb_library.rglob("*.gb")} == originals
    assert not (card / ".romrunner").exists()


def test_an_edited_file_of_ours_is_named_as_such_and_kept(cli: Any, gb_library: Path,
                                                          tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    ours = next(card.rglob("Alpha (USA).gb"))
    ours.write_bytes(ours.read_bytes() + b"edited")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert run.code == 1
    (error,) = run.json()["data"]["errors"]
    assert error["error"].endswith("changed on the card since ROM Runner wrote it; kept "
                                   "(use --overwrite to replace it)")
    assert ours.read_bytes().endswith(b"edited")


def test_verify_names_a_file_of_ours_edited_in_place_and_keeps_it(
        cli: Any, gb_library: Path, tmp_path: Path) -> None:
    """QA18 L2: bytes of ours changed at the same size and time (a patch in place, a failing
    card): a plain deploy cannot see it; `--verify` does, and said nothing as it rewrote the
    file. It is named and kept, as any edited copy of ours; `--overwrite` replaces it."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    ours = next(card.rglob("Alpha (USA).gb"))
    before = ours.stat()
    patched = bytearray(ours.read_bytes())
    patched[336:343] = b"PATCHED"
    ours.write_bytes(bytes(patched))
    os.utime(ours, ns=(before.st_atime_ns, before.st_mtime_ns))
    plain = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert plain.code == 0 and plain.json()["data"]["copied"] == 0
    checked = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--verify")
    assert checked.code == 1, checked.out
    data = checked.json()["data"]
    assert (data["copied"], data["conflicts"]) == (0, 1)
    (error,) = data["errors"]
    assert "not the bytes ROM Runner wrote" in error["error"]
    assert "edited in place, or the card is failing" in error["error"]
    assert ours.read_bytes() == bytes(patched)
    # the options it says replace it (QA138 F1: "--overwrite" alone, which reads no file of
    # our size and time, kept it and said nothing)
    hint = re.search(r"\(use (.+) to replace it\)$", error["error"])
    assert hint is not None and hint.group(1).split() == ["--overwrite", "--verify"]
    replaced = cli("--json", "deploy", "1", "--to", str(card), "platform:gb",
                   *hint.group(1).split())
    assert replaced.code == 0 and replaced.json()["data"]["copied"] == 1, replaced.out
    assert ours.read_bytes() == (gb_library / "gb/Alpha (USA).gb").read_bytes()


def test_identical_files_already_on_a_card_are_not_written_again(
        cli: Any, gb_library: Path, tmp_path: Path) -> None:
    """A card filled by hand (here: a copy of a card we filled, without its .romrunner/, in a
    folder never deployed to; a card that lost its own is ours still: see
    test_deploy_lost_record): files with the same bytes at the paths we want are kept as they
    are, even with --overwrite, and stay the user's."""
    filled = tmp_path / "filled"
    filled.mkdir()
    assert cli("deploy", "1", "--to", str(filled), "platform:gb").code == 0
    shutil.rmtree(filled / ".romrunner")
    card = tmp_path / "card"
    shutil.copytree(filled, card)
    before = {p: p.stat().st_mtime_ns for p in card.rglob("*.gb")}
    # the dry run names them as the run does (QA138 F7: counted "2 skip", never named)
    dry = cli("deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert dry.code == 0 and "would do: 2 skip" in dry.out, dry.out
    for path in before:
        assert f"skipped: {path.relative_to(card).as_posix()}: an identical file of yours " \
            "is kept" in dry.err, dry.err
    for extra in ([], ["--overwrite"]):
        run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", *extra)
        data = run.json()["data"]
        assert run.code == 0 and (data["copied"], data["skipped"], data["conflicts"]) == (0, 2, 0)
        assert data["bytes_copied"] == 0
    assert {p: p.stat().st_mtime_ns for p in card.rglob("*.gb")} == before
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert pruned.json()["data"]["pruned"] == 0 and len(before) == len(list(card.rglob("*.gb")))


def test_a_second_deploy_of_the_same_selection_writes_nothing_at_all(
        cli: Any, gb_library: Path, tmp_path: Path) -> None:
    """QA33 F2: the second deploy rewrote `.romrunner/os.json` (taking the ROM folder the
    first one made for "detected" on the card); the README says it writes nothing."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    before = {p: (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"")
              for p in card.rglob("*") if p.name != "lock"}
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert again.code == 0 and again.json()["data"]["bytes_copied"] == 0
    assert {p: (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"")
            for p in card.rglob("*") if p.name != "lock"} == before


def test_a_dry_run_exits_as_the_real_run_would(cli: Any, gb_library: Path,
                                               tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "ROMS" / "gb").mkdir(parents=True)  # muOS's folder for gb
    (card / "ROMS" / "gb" / "Alpha (USA).gb").write_bytes(b"the user's own file")
    dry = cli("deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    real = cli("deploy", "1", "--to", str(card), "platform:gb")
    assert dry.code == real.code == 1

    small = tmp_path / "small"
    with tmpfs(small, "64k"):
        dry = cli("--json", "deploy", "1", "--to", str(small), "platform:gb", "--dry-run")
        assert dry.code == 2 and dry.json()["data"]["enough_space"] is False
        (error,) = dry.json()["errors"]
        assert error.startswith("not enough space on the card: ")
        text = cli("deploy", "1", "--to", str(small), "platform:gb", "--dry-run")
        assert text.code == 2 and f"error: {error}" in text.err.splitlines(), text.err
        real = cli("deploy", "1", "--to", str(small), "platform:gb")
        assert real.code == 2
        # the same words and numbers (QA13: bytes in the dry run, MiB by blocks in the run)
        said = error.removeprefix("not enough space on the card: ")
        assert f"not enough space: {said}" in " ".join(real.err.split()), (said, real.err)
        assert "KiB to write" in said  # (QA18 M7: "0.0 MiB to write, 0.0 MiB free")
        # a refused run does not record the card as laid out for its OS (QA13); on a blank
        # card it writes nothing at all (QA18: its .romrunner/ was left behind)
        assert not (small / ".romrunner" / "os.json").exists()
        assert list(small.iterdir()) == []


def test_history_shows_what_each_run_did(cli: Any, gb_library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    assert cli("deploy", "1", "--to", str(card), "title:alpha", "--prune").code == 0
    text = cli("deploy", "history")
    assert text.code == 0
    cells = [line.split() for line in text.out.splitlines()]
    by_id = {row[0]: row[4:9] for row in cells if row and row[0].isdigit()}
    assert by_id["1"] == ["2", "0", "0", "0", "0"]  # copied, skipped, pruned, failed, conflicts
    assert by_id["2"] == ["0", "1", "1", "0", "0"]  # Alpha unchanged, Beta pruned
    assert all(row[1] == "completed" for row in cells if row and row[0].isdigit())
    narrow = run_subprocess("deploy", "history", env={"COLUMNS": "80"})
    # (QA18: "stat…", "2026…" at 80 columns) whole status and time; the card's path whole
    # on its row, not folded mid-word under the table (QA22 P4)
    assert "completed" in narrow.out and "…" not in narrow.out, narrow.out
    rows = [line for line in narrow.out.splitlines() if line.lstrip()[:1].isdigit()]
    assert len(rows) == 2 and all(line.endswith(f"{card} (1)") for line in rows), narrow.out
    assert len(cli("--json", "deploy", "history", "--profile", "1").json()["data"]) == 2
    for args in (("deploy", "history", "--profile", "9"), ("override", "ls", "--profile", "9")):
        typo = cli(*args)  # (QA34 F1: an empty table, exit 0, for a profile that is not)
        assert typo.code == 2 and "device profile 9: no such profile" in typo.err, args


def test_show_says_the_profile_the_selection_and_the_options_of_a_run(
        cli: Any, gb_library: Path, tmp_path: Path) -> None:
    """qa194 F5: `deploy show` said neither the profile nor what was deployed with which
    options (only --json did): runs of two profiles to one card could not be told apart."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    assert cli("deploy", "1", "--to", str(card), "title:alpha", "--prune", "--verify").code == 0
    profile = cli("--json", "profile", "ls").json()["data"][0]
    first, second = (cli("deploy", "show", number).out.splitlines()[1] for number in "12")
    shown = cli("--json", "deploy", "show", "2").json()["data"]
    assert first.startswith(f"profile 1 ({profile['name']}); ")
    assert "no options" in first and "--prune" not in first
    assert f"; {shown['deployment_name']}; " in second and "title:alpha" in second
    assert "; --prune --verify; " in second
    assert second.endswith(f"ended {shown['completed_at']}")
    assert shown["profile"] == {"id": 1, "name": profile["name"], "os_id": profile["os_id"]}


def test_a_file_in_the_way_of_a_folder_is_named_per_file(cli: Any, gb_library: Path,
                                                         tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "ROMS").mkdir(parents=True)
    (card / "ROMS" / "gb").write_text("a file where muOS's gb folder goes")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert run.code == 1
    errors = sorted(e["error"] for e in run.json()["data"]["errors"])
    assert errors == [f"ROMS/gb/{name}: not written: ROMS/gb is a file, not a folder"
                      for name in ("Alpha (USA).gb", "Beta (Europe).gb")]
    assert (card / "ROMS" / "gb").read_text() == "a file where muOS's gb folder goes"


def test_a_mistyped_db_path_never_becomes_a_new_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "library.db"
    card = tmp_path / "card"
    card.mkdir()
    for args in (["deploy", "1", "--to", str(card), "platform:gb"], ["deploy", "resume"]):
        result = run_subprocess("--db", str(missing), *args)
        assert result.code == 2 and result.err.startswith(f"error: no database at {missing}")
        assert not missing.exists() and not missing.parent.exists()
    assert list(card.iterdir()) == []


def _gb_deployed(cli: Any, tmp_path: Path, names: list[str]) -> tuple[Path, Path]:
    """A library folder of GB games ``names`` (each its own bytes), scanned and deployed
    to a card folder by a muOS profile (id 1); returns (the library folder, the card)."""
    lib = tmp_path / "lib" / "GB"
    lib.mkdir(parents=True)
    for name in names:
        (lib / name).write_bytes(name.encode() * 600)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    return lib, card


def test_the_card_copy_of_a_game_whose_file_was_overwritten_is_not_replaced(
        cli: Any, tmp_path: Path) -> None:
    """QA30 N1 (LOSS): `mv D E` in the library left E's content only on the card, as our
    copy; the next deploy wrote D's bytes over it ("ours, an older version"). Now a
    conflict that says why, replaced only with --overwrite."""
    lib, card = _gb_deployed(cli, tmp_path, ["D (USA).gb", "E (USA).gb"])
    e_bytes = (lib / "E (USA).gb").read_bytes()
    (lib / "D (USA).gb").replace(lib / "E (USA).gb")
    assert cli("scan", "--workers", "1").code == 0
    card_e = next(card.rglob("E (USA).gb"))
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb")
    assert run.code == 1
    (conflict,) = [e["error"] for e in run.json()["data"]["errors"]]
    assert "a game missing from the library now" in conflict and "--overwrite" in conflict
    assert card_e.read_bytes() == e_bytes
    forced = cli("deploy", "1", "--to", card, "platform:gb", "--overwrite")
    assert forced.code == 0, forced.err
    assert card_e.read_bytes() == (lib / "E (USA).gb").read_bytes() != e_bytes
    assert "1 of 2 matching games is missing" in forced.err  # (QA31 F6: "of 2 chosen")
    # QA31 F6: the card's E now holds D's game (at E in the library): not the missing
    # game's copy, said of it and held for ever, but a copy a prune of D's game removes.
    (lib / "F (USA).gb").write_bytes(b"F" * 4000)
    assert cli("scan", "--workers", "1").code == 0
    pruned = cli("--json", "deploy", "1", "--to", card, "title:f", "--prune", "--force")
    assert pruned.code == 0, pruned.err
    assert not card_e.exists() and not [w for w in pruned.json()["warnings"]
                                        if "E (USA).gb" in w], pruned.json()["warnings"]


def test_a_card_copy_whose_library_file_was_copied_over_is_not_replaced(
        cli: Any, tmp_path: Path) -> None:
    """QA31 F1 (LOSS): `cp D E` in the library is "1 updated" (as an upgrade in place is);
    the next deploy wrote D's bytes over the card's E, the last copy of E's content. An
    upgrade in place (new content no other game has) is still deployed."""
    lib, card = _gb_deployed(cli, tmp_path, ["D (USA).gb", "E (USA).gb", "F (USA).gb"])
    e_bytes = (lib / "E (USA).gb").read_bytes()
    shutil.copyfile(lib / "D (USA).gb", lib / "E (USA).gb")
    (lib / "F (USA).gb").write_bytes(b"F, revision 1" * 300)  # an upgrade in place
    assert cli("scan", "--workers", "1").code == 0
    # (D not chosen: E is, with D's content now — when both are, E is left out as D's copy)
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "-title:d")
    assert run.code == 1, run.err
    (conflict,) = [e["error"] for e in run.json()["data"]["errors"]]
    assert "E (USA).gb" in conflict and "maybe the last copy" in conflict
    assert next(card.rglob("E (USA).gb")).read_bytes() == e_bytes
    assert next(card.rglob("F (USA).gb")).read_bytes() == (lib / "F (USA).gb").read_bytes()


def test_a_players_file_at_our_path_in_another_unicode_form_is_one_at_our_path(
        cli: Any, tmp_path: Path) -> None:
    """QA57 F4: a card filled on a Mac holds decomposed names; the deploy wrote a second,
    composed copy of each accented game beside the player's (the same bytes or not)."""
    import unicodedata
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    same, other = "Pokémon Rouge (France).gb", "Crème Brûlée (Europe).gb"
    for name in (same, other):
        (root / name).write_bytes(name.encode() * 200)
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    folder = card / "ROMS" / "gb"
    folder.mkdir(parents=True)
    (folder / unicodedata.normalize("NFD", same)).write_bytes(same.encode() * 200)
    (folder / unicodedata.normalize("NFD", other)).write_bytes(b"the player's own" * 100)
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert result.code == 1, result.out  # (the other bytes: a conflict, as at our path)
    assert result.json()["data"]["copied"] == 0
    assert sorted(unicodedata.normalize("NFC", p.name) for p in folder.iterdir()) == sorted(
        [same, other])
    assert (folder / unicodedata.normalize("NFD", other)).read_bytes() == \
        b"the player's own" * 100


def test_a_copy_of_ours_a_mac_renamed_to_another_unicode_form_is_still_pruned(
        cli: Any, tmp_path: Path) -> None:
    """QA88 F4: a card copied back by a Mac holds our accented file under its decomposed
    name; a re-deploy took it as ours (skipped), but a --prune of a selection without it
    looked at the composed path only, took the file as gone, and left it on the card
    unsaid."""
    import unicodedata
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    accented = "Pokémon Rouge (France).gb"
    (root / accented).write_bytes(b"pokemon" * 600)
    (root / "Tetris (World).gb").write_bytes(b"tetris" * 700)
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    ours = next(card.rglob(accented))
    decomposed = ours.with_name(unicodedata.normalize("NFD", accented))
    os.rename(ours, decomposed)  # (its time kept, as a copy that keeps times does)
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert again.json()["data"]["copied"] == 0, again.out
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:tetris", "--prune")
    assert pruned.json()["data"]["pruned"] == 1, pruned.out
    assert not decomposed.exists() and next(card.rglob("Tetris (World).gb")).exists()


def test_a_pruned_file_takes_the_metadata_macos_wrote_beside_it(
        cli: Any, tmp_path: Path) -> None:
    """QA88 F9: a prune left the `._NAME` macOS writes beside each file on a FAT card, which
    EmulationStation lists as a game that does not start. Only AppleDouble (by its magic)
    beside a file of ours that the prune removed goes; any other `._` file stays."""
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    for name in ("Alpha (USA).gb", "Bravo (USA).gb"):
        (root / name).write_bytes(name.encode() * 400)
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    alpha = next(card.rglob("Alpha (USA).gb"))
    fork = alpha.with_name("._Alpha (USA).gb")
    fork.write_bytes(b"\x00\x05\x16\x07" + bytes(4092))
    theirs = alpha.with_name("._notes.txt")
    theirs.write_bytes(b"\x00\x05\x16\x07" + bytes(60))  # (beside no file of ours)
    not_apple = alpha.with_name("._Bravo (USA).gb")
    not_apple.write_bytes(b"the user's own")
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:bravo", "--prune")
    assert pruned.json()["data"]["pruned"] == 1, pruned.out
    assert not alpha.exists() and not fork.exists()
    assert theirs.exists() and not_apple.read_bytes() == b"the user's own"
