"""Deploy never removes or writes what it should not (QA3 F-G, F-Y, F-C, F-L, F-D, F-E, F-O):
real library folders, a real database, the real CLI and real card folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.execute import deploy, record_deployment, resume
from romrunner.errors import NotFoundError
from tests.conftest import muos_profile
from tests.test_deploy_faults import fill_after_first_file, tmpfs
from tests.test_deploy_support import Layout, card_files, make_library


def rom(path: Path, seed: str, size: int = 4096) -> bytes:
    """Write a ROM of ``size`` bytes made from ``seed``."""
    data = hashlib.sha256(seed.encode()).digest() * (size // 32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


GAMES = ("snes/Sky Pilot (USA).sfc", "snes/Star Fox (Europe).sfc",
         "gba/Pocket Quest (Europe).gba", "gba/Tiny Tanks (USA).gba")


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> Path:
    """A scanned root of four games and a muOS profile (id 1); returns the root."""
    root = tmp_path / "lib"
    for n, name in enumerate(GAMES):
        rom(root / name, str(n))
    muos_profile(cli, root)
    return root


def card_roms(card: Path) -> set[str]:
    """The card's files outside ``.romrunner/``, relative to the card."""
    return {p.relative_to(card).as_posix() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def deployed(cli: Any, card: Path, *args: str) -> set[str]:
    """Deploy the auto-list (or ``args``) to ``card``; the card's files after it."""
    card.mkdir(exist_ok=True)
    result = cli("deploy", "1", "--to", str(card), *(args or ("--auto",)))
    assert result.code == 0, result.err
    return card_roms(card)


# -- F-G: a rescan that marks games missing must not let --prune empty the card ------------
def test_prune_keeps_copies_of_games_missing_after_a_rescan_of_an_empty_root(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card)
    assert len(before) == 4
    library.rename(tmp_path / "lib-away")  # the share is unmounted…
    library.mkdir()                        # …and leaves its empty mount folder
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    dry = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["prune"] == []
    result = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert result.code == 0, result.err
    assert result.json()["data"]["pruned"] == 0
    assert card_roms(card) == before
    warnings = " ".join(result.json()["warnings"])
    # (an empty root is one not there: QA67 F7)
    assert "library root is not reachable" in warnings and "the card's copies of" in warnings


def test_prune_keeps_a_missing_game_but_removes_one_no_longer_chosen_or_forgotten(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card)
    (library / "gba/Tiny Tanks (USA).gba").unlink()  # one game's file gone: a real rescan
    assert cli("scan", "--workers", "1").code == 0
    after = deployed(cli, card, "platform:gba", "--prune")
    # Star Fox and Sky Pilot are present and no longer chosen: pruned; Tiny Tanks is missing:
    # held. Pocket Quest is chosen.
    assert after == {"ROMS/gba/Pocket Quest (Europe).gba", "ROMS/gba/Tiny Tanks (USA).gba"}
    assert after < before
    removed = cli("--json", "library", "rm", str(library))  # the games leave the library
    assert removed.code == 0 and removed.json()["data"]["missing"] == 1
    (warning,) = removed.json()["warnings"]  # (review 115 F1: Tiny Tanks' copy was held)
    assert warning.startswith(f"1 game of {library} was missing since the scan: its copy")
    # (no game chosen: held back, QA #4; Tiny Tanks' content is in no library file now, kept
    # as maybe the only copy left, qa197 F2, and the brake says --force removes it too —
    # Pocket Quest's library file is there: an ordinary prune, review44c F3)
    braked = cli("deploy", "1", "--to", str(card), "--auto", "--prune")
    assert braked.code == 2 and "removes too the 1 file kept as maybe the only copy left" \
        in " ".join(braked.err.split()), braked.err
    assert card_roms(card) == after
    emptied = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    assert emptied.code == 0, emptied.err
    assert emptied.json()["data"]["pruned"] == 2 and card_roms(card) == set()


def test_prune_keeps_the_copies_of_an_unreachable_root(cli: Any, library: Path,
                                                       tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card)
    library.rename(tmp_path / "lib-away")  # unmounted, no mount folder left, no rescan
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--prune")
    assert result.json()["data"]["pruned"] == 0
    assert card_roms(card) == before
    assert any("not reachable" in w for w in result.json()["warnings"])
    # forgotten while away: said, as its copies are no longer held (review 113 F3)
    removed = cli("--json", "library", "rm", str(library))
    assert removed.code == 0 and removed.json()["data"]["reachable"] is False
    (warning,) = removed.json()["warnings"]
    assert "not reachable now" in warning and "a deploy with --prune removes those" in warning
    assert "keeps the others as maybe the only copy left (`--force` removes them)" in warning


def test_prune_keeps_the_copy_of_a_game_zipped_since_on_an_unreachable_root(
        cli: Any, library: Path, tmp_path: Path) -> None:
    # The card's copy is the loose ROM; the library has zipped it since (the scan follows
    # it: same game, another name on the card now). With the root away, that copy is the
    # game's only one: held wherever an earlier deploy put it, chosen or not (qa191 F1).
    card = tmp_path / "card"
    before = deployed(cli, card)
    loose = library / "gba/Tiny Tanks (USA).gba"
    with zipfile.ZipFile(loose.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(loose, loose.name)
    loose.unlink()
    assert cli("scan", "--workers", "1").code == 0
    library.rename(tmp_path / "lib-away")
    for chosen in (("--auto",), ("platform:snes",)):
        result = cli("--json", "deploy", "1", "--to", str(card), *chosen, "--prune")
        assert result.json()["data"]["pruned"] == 0, chosen
        assert card_roms(card) == before
        (said,) = [w for w in result.json()["warnings"] if "library root is not" in w]
        assert "the card's copies of 4 games of it kept" in said, (chosen, said)


def _pack(library: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A zip of two Game Boy Advance ROMs in ``library``, scanned with --verify (its members'
    SHA1s known): the zip, and the members' bytes by name."""
    members = {"Alpha.gba": rom(tmp_path / "src/Alpha.gba", "alpha"),
               "Beta.gba": rom(tmp_path / "src/Beta.gba", "beta")}
    pack = library / "gba/GBA Pack.zip"
    with zipfile.ZipFile(pack, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return pack, members


def test_a_held_zips_members_hold_no_present_games_own_card_copy(
        cli: Any, library: Path, tmp_path: Path) -> None:
    # The user extracted a pack zip and deleted it: the zip is missing, its members' content
    # is now two loose games of their own, deployed. Deselected, their card copies are theirs
    # to prune, not held as the missing zip's (review41c F3: kept, and named the zip's).
    pack, members = _pack(library, tmp_path)
    assert cli("scan", "--workers", "1", "--verify").code == 0
    for name, data in members.items():
        (library / "gba" / name.replace(".gba", " (USA).gba")).write_bytes(data)
    pack.unlink()
    assert cli("scan", "--workers", "1").code == 0
    before = deployed(cli, tmp_path / "card", "platform:gba")
    assert {"ROMS/gba/Alpha (USA).gba", "ROMS/gba/Beta (USA).gba"} <= before
    result = cli("--json", "deploy", "1", "--to", str(tmp_path / "card"), "title:pocket",
                 "--prune")
    assert result.code == 0, result.err
    assert card_roms(tmp_path / "card") == {"ROMS/gba/Pocket Quest (Europe).gba"}
    assert not [w for w in result.json()["warnings"] if "GBA Pack.zip" in w]


def test_a_zip_on_a_root_away_holds_no_present_games_own_card_copy(
        cli: Any, library: Path, tmp_path: Path) -> None:
    # The pack on a root away, one of its members a loose game on another root, deployed:
    # deselected, its card copy is pruned, not counted as the away root's game's copy.
    _, members = _pack(library, tmp_path)
    other = tmp_path / "other"
    (other / "gba").mkdir(parents=True)
    (other / "gba/Beta (USA).gba").write_bytes(members["Beta.gba"])
    rom(other / "snes/Other (USA).sfc", "other")
    assert cli("library", "add", str(other)).code == 0
    assert cli("scan", "--workers", "1", "--verify").code == 0
    assert deployed(cli, tmp_path / "card", "title:beta") == {"ROMS/gba/Beta (USA).gba"}
    library.rename(tmp_path / "lib-away")
    result = cli("--json", "deploy", "1", "--to", str(tmp_path / "card"), "title:other",
                 "--prune")
    assert result.code == 0, result.err
    assert card_roms(tmp_path / "card") == {"ROMS/snes/Other (USA).sfc"}
    (said,) = [w for w in result.json()["warnings"] if "library root is not" in w]
    assert "the card's copies of 0 games of it kept" in said, said


# -- F-Y: a second path to a library folder is still the library ---------------------------
def test_a_card_inside_a_root_reached_by_another_path_is_refused(
        cli: Any, library: Path, tmp_path: Path) -> None:
    # The library moved and its old path (the root's stored path) is now a link to it: the
    # card's resolved path shares no text with the root's, but it is the same folder.
    moved = tmp_path / "disk" / "lib"
    moved.parent.mkdir()
    library.rename(moved)
    library.symlink_to(moved, target_is_directory=True)
    for card, says in ((moved / "card", "is inside the library root"),
                       (moved, "is inside the library root"),
                       (tmp_path / "disk", "holds the library root")):
        card.mkdir(exist_ok=True)
        before = sorted(p.name for p in card.rglob("*"))
        for extra in ((), ("--dry-run",)):
            result = cli("deploy", "1", "--to", str(card), "--auto", *extra)
            assert result.code == 2, (card, result.out)
            assert says in result.err and len(result.err.strip().splitlines()) == 1
        assert sorted(p.name for p in card.rglob("*")) == before


def test_a_symlinked_card_into_a_root_is_refused(cli: Any, library: Path,
                                                 tmp_path: Path) -> None:
    link = tmp_path / "card-link"
    link.symlink_to(library / "snes", target_is_directory=True)
    result = cli("deploy", "1", "--to", str(link), "--auto")
    assert result.code == 2 and "is inside the library root" in result.err
    assert not (library / "snes" / ".romrunner").exists()


def _can_bind_mount(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    done = subprocess.run(["unshare", "-m", "sh", "-c",
                           f"mount --bind '{probe}' '{probe}'"], capture_output=True)
    return done.returncode == 0


def test_a_bind_mount_of_a_root_is_refused(cli: Any, library: Path, tmp_path: Path,
                                           db_path: Path) -> None:
    if not _can_bind_mount(tmp_path):
        pytest.skip("bind mounts need root and unshare/mount: not available here")
    bind = tmp_path / "bind"
    bind.mkdir()
    for source, says, what in ((library, "is inside the library root", "--auto"),
                               (tmp_path, "holds the library root", "--auto"),
                               (library / "gba", "is inside the library root", "--auto"),
                               # nothing copied from there: the mount table tells
                               (library / "gba", "is inside the library root", "platform:snes")):
        # The mount lives only in the child's own mount namespace: nothing is left mounted.
        script = (f"mount --bind '{source}' '{bind}' && exec '{sys.executable}' -m "
                  f"romrunner.cli.main deploy 1 --to '{bind}' {what}")
        child = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                               text=True, env={**os.environ, "ROMRUNNER_DB": str(db_path)},
                               timeout=300)
        assert child.returncode == 2, child.stdout + child.stderr
        assert says in child.stderr and len(child.stderr.strip().splitlines()) == 1
    assert not (library / ".romrunner").exists() and not (library / "ROMS").exists()
    assert not (library / "gba" / ".romrunner").exists()
    assert not (tmp_path / ".romrunner").exists() and list(bind.iterdir()) == []


# -- F-C / F-L: history and show count and name things once; resume is consistent ----------
def _with_a_conflict(cli: Any, card: Path) -> Path:
    """Deploy the auto-list, edit one of our files on the card, deploy platform:snes with
    --prune: one conflict (our edited file), one skip, two gba copies pruned. Returns the
    edited file."""
    deployed(cli, card)
    edited = card / "ROMS/snes/Sky Pilot (USA).sfc"
    with edited.open("ab") as handle:
        handle.write(b"a save patched in by hand")
    result = cli("deploy", "1", "--to", str(card), "platform:snes", "--prune")
    assert result.code == 1, result.err
    return edited


def test_history_counts_conflicts_apart_from_failures(cli: Any, library: Path,
                                                      tmp_path: Path) -> None:
    _with_a_conflict(cli, tmp_path / "card")
    rows = cli("--json", "deploy", "history").json()["data"]
    assert rows[0]["files"] == {"copied": 0, "skipped": 1, "pruned": 2, "failed": 0,
                                "conflicts": 1}
    assert rows[1]["files"]["copied"] == 4
    text = cli("deploy", "history").out
    lines = [line.split() for line in text.splitlines() if line.strip()]
    header = next(line for line in lines if line[0] == "id")
    assert header[3:8] == ["copied", "skip", "prune", "fail", "conf"]
    cells = [line for line in lines if line[0].isdigit()]
    # id, status, date, time, then copied, skipped, pruned, failed, conflicts
    assert [row[4:9] for row in cells if row and row[0] == "2"] == [["0", "1", "2", "0", "1"]]


def test_show_names_each_problem_once_and_counts_the_pruned(cli: Any, library: Path,
                                                            tmp_path: Path) -> None:
    _with_a_conflict(cli, tmp_path / "card")
    shown = cli("deploy", "show", "2")
    assert shown.code == 0
    path = "ROMS/snes/Sky Pilot (USA).sfc"
    (problem,) = [line for line in shown.out.splitlines() if "conflict:" in line]
    assert problem.count(path) == 1 and "changed on the card since" in problem
    lines = shown.out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("platform "))
    columns = lines[start].split()
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in (
        line.split() for line in lines[start + 1:] if line and not line.startswith(" "))}
    # QA178 F9: the two gba files pruned counted in gba's row (a platform this deploy put
    # nothing of), not in a row "(prune)" of their own while gba's said 0 pruned
    assert "(prune)" not in rows
    assert (rows["gba"]["files"], rows["gba"]["pruned"]) == ("0", "2")
    assert rows["snes"]["pruned"] == "0"
    data = cli("--json", "deploy", "show", "2").json()["data"]
    assert data["totals"]["gba"] == {"bytes": 0, "conflict": 0, "copied": 0, "failed": 0,
                                     "files": 0, "pending": 0, "pruned": 2, "skipped": 0}
    assert cli("--json", "deploy", "history").json()["data"][0]["files"]["pruned"] == 2


def test_resume_of_a_completed_run_with_conflicts_says_nothing_to_resume(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    edited = _with_a_conflict(cli, card)
    mine = edited.read_bytes()
    for deployment in ("1", "2"):
        result = cli("deploy", "resume", deployment)
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1
        assert f"deployment {deployment} is completed: nothing to resume" in result.err
    assert "--overwrite" in result.err and edited.read_bytes() == mine
    replaced = cli("--json", "deploy", "resume", "2", "--overwrite")
    assert replaced.code == 0, replaced.err
    assert replaced.json()["data"]["copied"] == 1
    assert edited.read_bytes() == (library / "snes/Sky Pilot (USA).sfc").read_bytes()
    assert cli("deploy", "resume", "2").code == 2


# -- F-E: the dry run words a conflict as the real run does -----------------------------------
def test_dry_run_and_real_run_word_a_conflict_alike(cli: Any, library: Path,
                                                    tmp_path: Path) -> None:
    card = tmp_path / "card"
    deployed(cli, card)
    with (card / "ROMS/snes/Sky Pilot (USA).sfc").open("ab") as handle:
        handle.write(b"edited")
    rom(library / "gba/Brand New (USA).gba", "new")  # a new game, and a file of the user's
    assert cli("scan", "--workers", "1").code == 0  # already where it would go
    (card / "ROMS/gba/Brand New (USA).gba").write_bytes(b"a file of the user's")
    dry = cli("deploy", "1", "--to", str(card), "--auto", "--dry-run")
    real = cli("deploy", "1", "--to", str(card), "--auto")
    assert dry.code == real.code == 1
    said = sorted(line.strip() for line in dry.out.splitlines() if "conflict:" in line)
    done = sorted(line.strip() for line in real.err.splitlines() if "conflict:" in line)
    assert said == done and len(said) == 2
    assert any("changed on the card since ROM Runner wrote it" in line for line in said)
    assert any("a file we did not write" in line for line in said)
    assert not any("your file" in line for line in said)


# -- F-D: the dry run refuses a read-only card as the real run does -------------------------
def test_dry_run_on_a_read_only_card_exits_as_the_real_run(cli: Any, library: Path,
                                                           tmp_path: Path) -> None:
    for deployed_before in (False, True):  # a new card, and one with our .romrunner/
        with tmpfs(tmp_path / f"card-{deployed_before}") as card:
            if deployed_before:
                deployed(cli, card, "platform:snes")
            before = sorted(p.name for p in card.rglob("*"))
            subprocess.run(["mount", "-o", "remount,ro", str(card)], check=True)
            dry = cli("deploy", "1", "--to", str(card), "--auto", "--dry-run")
            real = cli("deploy", "1", "--to", str(card), "--auto")
            assert dry.code == real.code == 2, (dry.out, real.out)
            assert dry.err == real.err and "destination is read-only" in dry.err
            assert len(dry.err.strip().splitlines()) == 1 and "would do" not in dry.out
            subprocess.run(["mount", "-o", "remount,rw", str(card)], check=True)
            assert sorted(p.name for p in card.rglob("*")) == before


# -- F-O: a disc's sheet lands after the tracks it names ------------------------------------
CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def test_a_sheet_is_planned_after_its_tracks_and_a_playlist_after_its_discs(
        tmp_path: Path) -> None:
    files: dict[str, int | bytes] = {}
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        files[f"psx/{name}.cue"] = CUE.format(f"{name}.bin").encode()
        files[f"psx/{name}.bin"] = 20_000
    library = make_library(tmp_path, files)
    order = [item.dest.rpartition("/")[2] for item in library.plan(Layout(tmp_path / "card")).items]
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        assert order.index(f"{name}.bin") < order.index(f"{name}.cue"), order
        assert order.index(f"{name}.cue") < order.index("Saga (USA).m3u"), order


def test_a_card_full_stop_never_leaves_a_sheet_without_its_track(tmp_path: Path) -> None:
    name = "Tekken 3 (USA)"
    library = make_library(tmp_path, {f"psx/{name}.cue": CUE.format(f"{name}.bin").encode(),
                                      f"psx/{name}.bin": 600_000})
    with tmpfs(tmp_path / "card") as card:
        filler = card / "my photos.bin"
        summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                         progress=fill_after_first_file(filler))
        assert summary.stopped is not None and "card full" in summary.stopped
        on_card = set(card_files(card))
        assert f"Roms/psx/{name}.cue" not in on_card or f"Roms/psx/{name}.bin" in on_card
        filler.unlink()
        assert resume(library.db, summary.deployment_id).status == "completed"
        assert {f"Roms/psx/{name}.cue", f"Roms/psx/{name}.bin"} <= set(card_files(card))


def test_a_held_disc_set_keeps_its_playlist_on_the_card(cli: Any, library: Path,
                                                        tmp_path: Path) -> None:
    """The share is unmounted and the scan holds back (nothing marked missing): the chosen
    discs are held because their sources are gone, and so is the .m3u ROM Runner wrote for
    them — `--prune` removed it, and the frontend lost the game's entry (found by QA)."""
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        rom(library / f"psx/{name}.bin", f"saga{disc}", 600_000)
        (library / f"psx/{name}.cue").write_text(CUE.format(f"{name}.bin"))
    assert cli("scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    before = deployed(cli, card)
    playlists = {path for path in before if path.endswith(".m3u")}
    assert len(playlists) == 1, before
    library.rename(tmp_path / "lib-away")
    library.mkdir()
    assert cli("scan", "--workers", "1").code == 2  # held back: none of its files found
    result = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert result.code == 1, result.err  # the chosen games could not be deployed: not 0
    assert result.json()["data"]["pruned"] == 0
    assert result.json()["data"]["left_out"] > 0
    assert card_roms(card) == before


def test_a_game_deleted_on_purpose_is_forgotten_and_then_pruned(cli: Any, library: Path,
                                                                tmp_path: Path) -> None:
    """A missing game is held on the card (it may be an unmounted share); once the user says
    it was deleted on purpose (`games forget`), --prune --force takes its copy off (found by
    QA); a --prune alone keeps it as maybe the only copy left, no library file holding its
    content (qa197 F2)."""
    mistyped = tmp_path / "no-such-folder" / "rr.db"
    refused = cli("--db", str(mistyped), "games", "forget", "--missing")
    assert refused.code == 2 and "no database at" in refused.err
    assert not mistyped.parent.exists()  # a mistyped --db creates nothing
    none = cli("games", "forget", "--missing")
    assert none.code == 0 and "no game is missing since the last scan" in none.out
    card = tmp_path / "card"
    before = deployed(cli, card)
    gone = library / "gba/Tiny Tanks (USA).gba"
    gone.unlink()
    assert cli("scan", "--workers", "1").code == 0
    assert deployed(cli, card, "--auto", "--prune") == before  # held
    [missing] = cli("--json", "games", "ls", "missing:true").json()["data"]["games"]
    missing_id = missing["id"]
    present_id = next(g for g in cli("--json", "games", "ls").json()["data"]["games"]
                      if g["id"] != missing_id)["id"]
    refused = cli("games", "forget", str(present_id))
    assert refused.code == 2 and "its file is present" in refused.err
    assert cli("games", "forget", "99999").code != 0
    assert cli("collection", "create", "Keep").code == 0
    assert cli("collection", "add", "Keep", str(missing_id)).code == 0
    curated = cli("games", "forget", "--missing")
    assert curated.code == 2 and "in collections ('Keep')" in curated.err
    # which game holds it, by its file (QA141 F6: none was named)
    assert f"curated: game {missing_id} (gba/Tiny Tanks (USA).gba)" in curated.err, curated.err
    assert deployed(cli, card, "--auto", "--prune") == before  # nothing forgotten
    forgot = cli("--json", "games", "forget", "--missing", "--force")
    assert forgot.code == 0 and forgot.json()["data"]["games_forgotten"] == 1
    assert deployed(cli, card, "--auto", "--prune") == before  # maybe the only copy left
    assert deployed(cli, card, "--auto", "--prune", "--force") == before - {
        "ROMS/gba/Tiny Tanks (USA).gba"}
    assert (tmp_path / "lib").is_dir() and not gone.exists()


def test_resume_without_an_id_skips_a_deployment_a_later_deploy_to_its_card_completed(
        tmp_path: Path) -> None:
    """Killed, then the user simply deployed again: a plain `deploy resume` re-ran the old
    deployment and recorded it as completed (found by QA)."""
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    old = record_deployment(library.db, library.plan(Layout(card)),
                            profile_id=library.profile_id)  # as if killed before any copy
    done = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert done.status == "completed"
    with pytest.raises(NotFoundError, match="no unfinished deployment to resume"):
        resume(library.db)
    status = library.db.scalar("SELECT status FROM deployment_history WHERE id = ?", (old,))
    assert status == "started"  # shown as interrupted, never as completed
    other = tmp_path / "other-card"
    other.mkdir()
    pending = record_deployment(library.db, library.plan(Layout(other)),
                                profile_id=library.profile_id)
    assert resume(library.db).deployment_id == pending  # another card's still resumes


def test_a_card_out_of_file_entries_is_not_said_to_need_zero_bytes(tmp_path: Path) -> None:
    """A file system out of inodes (tmpfs nr_inodes) said "0.0 MiB more needed" (found by
    QA): it says the card can hold no more files."""
    library = make_library(tmp_path, {f"gba/Game {n} (USA).gba": 4096 + n for n in range(30)})
    with tmpfs(tmp_path / "card", "8m", "nr_inodes=12") as card:
        summary = deploy(library.db, library.plan(Layout(card)),
                         profile_id=library.profile_id)
        assert summary.status == "failed" and summary.stopped is not None
        assert "can hold no more files" in summary.stopped
        assert "0.0 MiB more needed" not in summary.stopped
        # what to free, said once, before the resume it makes room for (QA19 N1: twice, after)
        assert summary.stopped.count("files this deployment did not write") == 1
        assert summary.stopped.index("did not write") < summary.stopped.index("deploy resume")


def test_a_query_choosing_a_set_and_its_playlist_reports_no_collision(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """`deploy … platform:psx` chooses the discs and the library's own .m3u: each disc was
    reported as colliding with itself, and the playlist left out (found by QA). The set is
    written once, with the .m3u the planner writes for the OS."""
    names = [f"Saga (USA) (Disc {disc})" for disc in (1, 2)]
    for disc, name in enumerate(names, 1):
        rom(library / f"psx/{name}.bin", f"saga{disc}", 300_000)
        (library / f"psx/{name}.cue").write_text(CUE.format(f"{name}.bin"))
    (library / "psx/Saga (USA).m3u").write_text("".join(f"{n}.cue\n" for n in names))
    assert cli("scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    assert not [w for w in result.json()["warnings"] if "already taken" in w]
    on_card = {p for p in card_roms(card) if "/psx/" in p}
    assert {p.rpartition("/")[2] for p in on_card} == {
        *(f"{n}.cue" for n in names), *(f"{n}.bin" for n in names), "Saga (USA).m3u"}
    playlist = next(card.rglob("Saga (USA).m3u")).read_text()  # muOS: the discs hidden
    assert playlist == "".join(f".Saga (USA)/{n}.cue\n" for n in names)


def test_a_disc_game_of_an_unreachable_root_is_said_unreachable_as_a_cartridge_is(
        cli: Any, tmp_path: Path) -> None:
    """QA25: with the library's root unmounted, a cartridge was "not reachable (its library
    root … is not mounted?)" and a disc "missing since the scan": one cause, one wording."""
    root = tmp_path / "lib"
    rom(root / "snes" / "Sky Pilot (USA).sfc", "sky")
    rom(root / "psx" / "Disc Game (USA).bin", "disc", 2352 * 4)
    (root / "psx" / "Disc Game (USA).cue").write_text(
        'FILE "Disc Game (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    muos_profile(cli, root)
    root.rename(tmp_path / "lib-away")
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:snes,psx", "--dry-run")
    said = [e["message"] for e in result.json()["data"]["plan"]["errors"]]
    unreachable = [m for m in said if "not reachable (its library root" in m]
    assert any("Sky Pilot" in m for m in unreachable) and any("Disc Game" in m
                                                              for m in unreachable), said
    assert not [m for m in said if "missing since the scan" in m], said
    # the root's warning counts the games whose card copies it keeps (QA138 F8: a --prune
    # said "1 kept" while hundreds were)
    (warning,) = [w["message"] for w in result.json()["data"]["plan"]["warnings"]
                  if w["code"] == "root-unreachable"]
    assert warning.endswith("the card's copies of 2 games of it kept (never pruned while it "
                            "is away)"), warning
    # the text says the root once, not each of its files first (qa194 F6)
    text = cli("deploy", "1", "--to", str(card), "platform:snes,psx", "--dry-run")
    lines = text.err.splitlines()
    assert not [line for line in lines if "not reachable (its library root" in line], lines
    (line,) = [line for line in lines if "library root is not reachable" in line]
    assert line.endswith("(never pruned while it is away); 2 chosen games of it left out "
                         "(`--dry-run --json` lists each)"), line


def test_a_resume_after_the_pack_changed_says_it_finishes_as_planned(tmp_path: Path) -> None:
    """QA29 F6: killed, then the pack moved the platforms' folders, then `deploy resume`:
    it finished into the old pack's folders and said only "completed"."""
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    assert plan.pack_hash is not None
    first = record_deployment(library.db, plan, profile_id=library.profile_id)
    changed = resume(library.db, first, pack_hash="0" * 64)
    assert changed.status == "completed"
    assert any("the definition pack changed since this deployment was planned" in note
               for note in changed.notes)
    other = tmp_path / "other"
    other.mkdir()
    second = record_deployment(library.db, library.plan(Layout(other)),
                               profile_id=library.profile_id)
    same = resume(library.db, second, pack_hash=plan.pack_hash)
    assert not any("definition pack changed" in note for note in same.notes)


def test_a_cards_catalog_dump_is_not_replaced_by_a_library_file_cut_short(
        cli: Any, tmp_path: Path) -> None:
    """QA67 F4: a ROM cut short on the share (a stalled write) was "updated" at the scan and
    the next deploy replaced the card's copy, its catalog's dump, with the broken file: kept,
    said, replaced only with --overwrite."""
    root = tmp_path / "lib"
    data = rom(root / "snes" / "Blaster (USA).sfc", "blaster", 65536)
    dat = tmp_path / "snes.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Super Nintendo Entertainment System"\n'
                   '\tversion "1"\n)\ngame (\n\tname "Blaster (USA)"\n\trom ( name '
                   f'"Blaster (USA).sfc" size {len(data)} crc {zlib.crc32(data):08x} '
                   f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    assert cli("dat", "import", str(dat)).code == 0
    muos_profile(cli, root)
    card = tmp_path / "card"
    deployed(cli, card)
    (copy,) = [p for p in card.rglob("*.sfc")]
    assert copy.read_bytes() == data
    with (root / "snes" / "Blaster (USA).sfc").open("r+b") as cut:
        cut.truncate(10000)
    assert cli("scan", "--workers", "1").code == 0
    kept = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert kept.code == 1 and copy.read_bytes() == data, kept.out
    (said,) = kept.json()["data"]["errors"]
    assert said["status"] == "conflict" and "holds Blaster (USA)" in said["error"] \
        and "--overwrite" in said["error"], said
    forced = cli("deploy", "1", "--to", str(card), "--auto", "--overwrite")
    assert forced.code == 0, forced.err
    assert copy.read_bytes() == data[:10000]
    # review 34 R1: a ROM the user patched in place (as large: a translation) is theirs to
    # put on the card, the catalog's dump there or not
    (root / "snes" / "Blaster (USA).sfc").write_bytes(data)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("deploy", "1", "--to", str(card), "--auto").code == 0  # (the dump again)
    patched = bytes([data[0] ^ 0xFF]) + data[1:]
    (root / "snes" / "Blaster (USA).sfc").write_bytes(patched)
    assert cli("scan", "--workers", "1").code == 0
    updated = cli("deploy", "1", "--to", str(card), "--auto")
    assert updated.code == 0, updated.out
    assert copy.read_bytes() == patched


def test_an_empty_mount_folder_is_a_root_not_there(cli: Any, library: Path,
                                                   tmp_path: Path) -> None:
    """QA67 F7: the share unmounted with its mount folder left (empty), the deploy called
    every file "missing since the scan" and recorded a failed deployment to resume; it is
    the root that is not there, as for a folder gone, and the card's copies are kept."""
    card = tmp_path / "card"
    before = deployed(cli, card)
    library.rename(tmp_path / "lib-away")
    library.mkdir()  # the mount point stays, empty
    result = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    data = result.json()
    assert data["data"]["pruned"] == 0 and data["data"]["failed"] == 0, result.out
    assert any("not reachable" in w for w in data["warnings"]), data["warnings"]
    assert card_roms(card) == before


def test_a_damaged_card_manifest_is_said_as_what_the_run_then_goes_by(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA69 F1: with the card's manifest cut short, the note said "files on the card are
    treated as not ours" while the same run pruned them as ours by the database's records."""
    card = tmp_path / "card"
    deployed(cli, card)
    manifest = card / ".romrunner" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[: len(manifest.read_bytes()) // 2])
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--prune",
              "--dry-run").json()["data"]
    assert dry["prune"], dry  # (the gba copies: ours by the database's records)
    (note,) = [n for n in dry["notes"] if "manifest.json" in n]
    assert "not ours" not in note and "database's records" in note and "--prune" in note, note


def test_a_forgotten_games_copy_kept_without_the_card_record_is_said_for_its_reason(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA69 F6: `.romrunner/` gone, a forgotten game's card copy (maybe its only copy) was
    rightly kept by the prune, "with another time than they were written with" — false: its
    size and time are the recorded ones; the library no longer has its content."""
    card = tmp_path / "card"
    deployed(cli, card)
    shutil.rmtree(card / ".romrunner")
    (library / "gba" / "Tiny Tanks (USA).gba").rename(tmp_path / "Tiny Tanks (USA).gba")
    assert cli("scan", "--workers", "1").code == 0
    assert cli("games", "forget", "--missing").code == 0
    done = cli("--json", "deploy", "1", "--to", str(card), "platform:snes,gba", "--prune")
    assert done.code == 0, done.err
    kept = [n for n in done.json()["data"]["notes"] if "Tiny Tanks" in n]
    assert len(kept) == 1 and "no longer has" in kept[0] and "another time" not in kept[0], \
        done.json()["data"]["notes"]
    assert any(p.name == "Tiny Tanks (USA).gba" for p in card.rglob("*.gba"))


def test_a_temporary_record_file_a_killed_run_left_is_removed_by_the_next(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA73 F1: `.romrunner/.rr-tmp-os.json-<pid>` (a run killed while writing the card's
    record) stayed on the card for good; a user's file named otherwise is left."""
    card = tmp_path / "card"
    deployed(cli, card)
    stale = card / ".romrunner" / ".rr-tmp-os.json-99999"
    stale.write_text("{")
    mine = card / ".romrunner" / ".rr-tmp-notes"
    mine.write_text("mine")
    assert cli("deploy", "1", "--to", str(card), "--auto").code == 0
    assert not stale.exists() and mine.read_text() == "mine"


def test_a_disc_added_to_complete_a_set_and_gone_is_no_chosen_game_left_out(
        cli: Any, tmp_path: Path) -> None:
    """QA117 F4: one disc chosen, its set's third disc gone (not rescanned): "1 chosen game
    was left out", exit 1, though the chosen disc was on the card; after a rescan, exit 0
    for the same card."""
    psx = tmp_path / "discs" / "psx"
    psx.mkdir(parents=True)
    for disc in (1, 2, 3):
        name = f"Saga (USA) (Disc {disc})"
        (psx / f"{name}.bin").write_bytes(bytes([disc]) * 50_000)
        (psx / f"{name}.cue").write_text(
            f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    for args in (("library", "add", str(tmp_path / "discs")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    games = cli("--json", "games", "ls", "saga").json()["data"]["games"]
    first = next(g["id"] for g in games if "(Disc 1)" in g["filename"])
    for suffix in (".cue", ".bin"):
        (psx / f"Saga (USA) (Disc 3){suffix}").unlink()
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), f"id:{first}")
    assert result.code == 0, result.out
    assert result.json()["data"]["left_out"] == 0
    assert any("2 of 3 discs could be placed" in w for w in result.json()["warnings"])
    assert next(card.rglob("Saga (USA) (Disc 1).cue")).is_file()


def test_library_rm_speaks_of_card_copies_only_of_games_a_deploy_wrote(
        cli: Any, tmp_path: Path) -> None:
    """QA124 F4: `library rm` said a missing game's "copy on a card is no longer held" in a
    database that never deployed anything."""
    root = tmp_path / "never-deployed"
    (root / "gb").mkdir(parents=True)
    for name in ("Alpha (USA).gb", "Beta (USA).gb"):
        (root / "gb" / name).write_bytes(name.encode() * 512)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / "gb" / "Alpha (USA).gb").unlink()
    assert cli("scan", "--workers", "1").code == 0
    removed = cli("--json", "library", "rm", str(root))
    assert removed.code == 0 and removed.json()["data"]["missing"] == 0, removed.out
    assert removed.json()["warnings"] == []


def test_a_folder_of_a_card_rom_runner_deploys_to_is_refused(cli: Any, library: Path,
                                                             tmp_path: Path) -> None:
    """QA152 F6: `--to card/roms` (a folder of a card deployed to) only warned, planned its
    copies under `card/roms/roms/…` and would have written a second `.romrunner/` there."""
    card = tmp_path / "card"
    deployed(cli, card)
    inner = next(path for path in card.iterdir() if path.is_dir() and path.name != ".romrunner")
    before = sorted(str(p) for p in card.rglob("*"))
    for extra in ((), ("--dry-run",)):
        result = cli("deploy", "1", "--to", str(inner), "--auto", *extra)
        assert result.code == 2, result.out
        assert f"is a folder of the card {card}" in result.err
        assert f"--to {card}" in result.err
    assert sorted(str(p) for p in card.rglob("*")) == before


def test_a_folder_holding_cards_is_no_card(cli: Any, library: Path, tmp_path: Path) -> None:
    """QA158 N7: `--to` the folder holding five cards was taken for a card, exit 0."""
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("one", "two"):
        deployed(cli, cards / name)
    before = sorted(str(p) for p in cards.rglob("*"))
    result = cli("deploy", "1", "--to", str(cards), "--auto", "--dry-run")
    assert result.code == 2, result.out
    assert "holds cards ROM Runner deploys to" in result.err and str(cards / "one") in result.err
    assert sorted(str(p) for p in cards.rglob("*")) == before


def test_a_mistaken_record_on_a_folder_of_cards_never_refuses_a_card(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """Review 160 F3: a `.romrunner/` left on the parent of two cards (an earlier release's
    deploy there) made every deploy to each card refused, "--to" the parent advised."""
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("one", "two"):
        deployed(cli, cards / name)
    (cards / ".romrunner").mkdir()
    shutil.copy(cards / "one" / ".romrunner" / "manifest.json", cards / ".romrunner")
    again = cli("deploy", "1", "--to", str(cards / "one"), "--auto")
    assert again.code == 0, again.err
