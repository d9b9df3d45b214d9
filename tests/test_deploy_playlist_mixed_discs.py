"""A playlist naming a disc of the library beside it and a disc in a hidden folder the scan
skips (muOS's `.Game/`, copied back from a card) goes to the card whole: the library's disc is
at the path the playlist names, once, not "a collision" with itself (review47b F3: the
playlist was left out, "would land on … already taken by" the very same file)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.test_deploy_multidisc_layout import playable

CUE = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _mixed_set(lib: Path) -> list[bytes]:
    """``psx/Mix (Disc 1).cue``/``.bin`` (a game of the library), ``psx/.Mix/Mix (Disc
    2).cue``/``.bin`` (hidden) and ``psx/Mix.m3u`` naming both sheets: their tracks' bytes."""
    psx = lib / "psx"
    (psx / ".Mix").mkdir(parents=True)
    tracks = []
    for disc, folder in ((1, psx), (2, psx / ".Mix")):
        stem = f"Mix (Disc {disc})"
        tracks.append(os.urandom(2352 * 8))
        (folder / f"{stem}.bin").write_bytes(tracks[-1])
        (folder / f"{stem}.cue").write_text(CUE.format(stem))
    (psx / "Mix.m3u").write_text("Mix (Disc 1).cue\n.Mix/Mix (Disc 2).cue\n")
    return tracks


def _card_for(cli: Any, lib: Path, os_id: str = "muos", first: Path | None = None) -> Path:
    """``first`` (a library root added before ``lib``: its copy of a disc is the one that
    goes) and ``lib`` added and scanned, an RG35XX Plus on ``os_id`` as profile 1: the card,
    empty, beside ``lib``."""
    roots = [] if first is None else [first]
    for args in (*(("library", "add", str(root)) for root in [*roots, lib]),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    card = lib.parent / "card"
    card.mkdir()
    return card


def _mix(cli: Any, tmp_path: Path, os_id: str = "muos", *, subfolder: bool = False,
         first: Literal["same", "other"] | None = None) -> tuple[Path, Path, list[bytes]]:
    """The library ``tmp_path/lib`` of :func:`_mixed_set` (``subfolder``: disc 1 in
    ``psx/discs/``, where the playlist names it), ``first``: disc 1 also in a root added before
    it, ``tmp_path/other`` — as it is ("same") or its track of other bytes ("other", another
    dump under the same names) — scanned, profile 1 on ``os_id`` (see _card_for): the library,
    the card, the tracks' bytes."""
    lib = tmp_path / "lib"
    tracks = _mixed_set(lib)
    psx = lib / "psx"
    if subfolder:
        (psx / "discs").mkdir()
        for suffix in (".cue", ".bin"):
            (psx / f"Mix (Disc 1){suffix}").rename(psx / "discs" / f"Mix (Disc 1){suffix}")
        (psx / "Mix.m3u").write_text("discs/Mix (Disc 1).cue\n.Mix/Mix (Disc 2).cue\n")
    other = None if first is None else tmp_path / "other"
    if other is not None:
        (other / "psx").mkdir(parents=True)
        for suffix in (".cue", ".bin"):
            shutil.copy2(psx / f"Mix (Disc 1){suffix}", other / "psx")
        if first == "other":
            (other / "psx" / "Mix (Disc 1).bin").write_bytes(os.urandom(2352 * 8))
    return lib, _card_for(cli, lib, os_id, other), tracks


def _card_files(card: Path) -> list[str]:
    """The files on ``card`` (but the app's own), by their paths on it."""
    return sorted(str(path.relative_to(card)) for path in card.rglob("*")
                  if path.is_file() and ".romrunner" not in path.parts)


def test_a_playlist_of_a_library_disc_beside_it_and_a_hidden_one_goes_whole(
        cli: Any, tmp_path: Path) -> None:
    lib, card, tracks = _mix(cli, tmp_path)
    deployed = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert deployed.code == 0, deployed.err
    assert "already taken" not in deployed.err
    (playlist,) = [path for path in card.rglob("*.m3u")]
    assert playlist.read_text() == (lib / "psx" / "Mix.m3u").read_text()
    assert playable(card, str(playlist.relative_to(card))) == tracks
    # the library's disc once: the frontend does not list it twice
    assert len([path for path in card.rglob("Mix (Disc 1).cue")]) == 1, sorted(card.rglob("*"))
    again = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.err


def test_a_playlist_naming_a_library_disc_in_a_subfolder_reaches_its_track(
        cli: Any, tmp_path: Path) -> None:
    # review47b F2: `psx/discs/Mix (Disc 1).cue` (a game of the library) named by the
    # playlist beside a hidden disc 2: the playlist's copy of that sheet went without its
    # track, so the playlist's disc 1 could not load
    lib, card, tracks = _mix(cli, tmp_path, subfolder=True)
    psx = lib / "psx"
    deployed = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert deployed.code == 0, deployed.err
    (playlist,) = [path for path in card.rglob("*.m3u")]
    assert playlist.read_text() == (psx / "Mix.m3u").read_text()
    assert playable(card, str(playlist.relative_to(card))) == tracks
    again = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.err


def _solo(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """``psx/Solo (USA).cue``/``.bin`` and ``psx/Solo (USA).m3u`` naming the sheet, scanned
    (ids 1 and 2), profile 1 on muOS: the library folder and an empty card."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    (psx / "Solo (USA).bin").write_bytes(os.urandom(2352 * 8))
    (psx / "Solo (USA).cue").write_text(CUE.format("Solo (USA)"))
    (psx / "Solo (USA).m3u").write_text("Solo (USA).cue\n")
    return psx, _card_for(cli, psx.parent)


def _left_out_with_its_disc(cli: Any, card: Path) -> None:
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert run.code == 1, run.err
    assert not _card_files(card), sorted(card.rglob("*"))
    data = run.json()
    said = " ".join(str(e) for e in [*data["errors"], *data["warnings"]])
    assert "Solo (USA).m3u: it names" in said and "the playlist is not deployed" in said, said


def test_a_playlist_whose_library_disc_changed_since_the_scan_is_left_out_with_it(
        cli: Any, tmp_path: Path) -> None:
    # review49b F1: the disc, changed since the scan and left out, went on the card anyway as
    # the playlist's file, its changed bytes unchecked
    psx, card = _solo(cli, tmp_path)
    with open(psx / "Solo (USA).bin", "r+b") as track:
        track.seek(100)
        track.write(b"ROT!")
    os.utime(psx / "Solo (USA).bin", ns=(10**18, 10**18))
    _left_out_with_its_disc(cli, card)


def test_a_playlist_whose_library_disc_an_override_excludes_is_left_out_with_it(
        cli: Any, tmp_path: Path) -> None:
    _, card = _solo(cli, tmp_path)
    assert cli("override", "set", "--game", "1", "--exclude", "--profile", "1").code == 0
    _left_out_with_its_disc(cli, card)


def test_a_playlist_chosen_alone_brings_the_library_disc_it_names(cli: Any,
                                                                  tmp_path: Path) -> None:
    # review49f F1: a playlist chosen without its library disc (`id:2`, a collection holding
    # the .m3u alone) was refused as if the plan had left the disc out
    psx, card = _solo(cli, tmp_path)
    run = cli("--json", "deploy", "1", "--to", str(card), "id:2")
    assert run.code == 0, run.err
    (playlist,) = [path for path in card.rglob("*.m3u")]
    assert playable(card, str(playlist.relative_to(card))) == [
        (psx / "Solo (USA).bin").read_bytes()]


def test_a_playlist_left_out_with_its_disc_keeps_its_copies_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    # review49f F2: left out (its library disc changed since the scan), the playlist's own
    # files on the card were pruned — its hidden disc 2 — leaving its .m3u naming it
    lib, card, _ = _mix(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "mix").code == 0
    before = _card_files(card)
    track = lib / "psx" / "Mix (Disc 1).bin"
    with open(track, "r+b") as changed:
        changed.write(b"ROT!")
    os.utime(track, ns=(10**18, 10**18))
    run = cli("--json", "deploy", "1", "--to", str(card), "mix", "--prune")
    assert run.code == 1, run.err
    assert run.json()["data"]["pruned"] == 0, run.out
    assert _card_files(card) == before


def test_a_library_disc_a_playlist_chosen_alone_brings_is_checked_as_the_disc_is(
        cli: Any, tmp_path: Path) -> None:
    # review49g F1: brought by its playlist alone (`id:2`), the disc shortened since the scan
    # went on the card, 3 copied, exit 0, unsaid
    psx, card = _solo(cli, tmp_path)
    track = psx / "Solo (USA).bin"
    track.write_bytes(track.read_bytes()[:1000])
    run = cli("--json", "deploy", "1", "--to", str(card), "id:2")
    assert run.code == 1, run.err
    assert not list(card.rglob("Solo (USA).bin")), sorted(card.rglob("*"))
    said = " ".join(str(e) for e in [*run.json()["errors"], *run.json()["warnings"]])
    assert "changed since the scan" in said, said


def test_a_prune_removes_a_playlist_and_the_disc_an_override_now_excludes(
        cli: Any, tmp_path: Path) -> None:
    # review49g F2: held for good once an override excluded its disc, the playlist and the
    # disc stayed on the card through every --prune, unsaid
    _, card = _solo(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    assert len(list(card.rglob("Solo (USA).*"))) == 3
    assert cli("override", "set", "--game", "1", "--exclude", "--profile", "1").code == 0
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--prune")
    assert run.json()["data"]["pruned"] == 3, run.out
    assert not list(card.rglob("Solo (USA).*")), sorted(card.rglob("*"))


def test_a_library_disc_whose_sheet_names_other_tracks_since_the_scan_is_refused(
        cli: Any, tmp_path: Path) -> None:
    # review49h F1: the sheet edited since the scan to name a second track (and the first
    # shortened): brought by its playlist alone, all of it went on the card, exit 0, unsaid
    psx, card = _solo(cli, tmp_path)
    (psx / "Solo (USA) 2.bin").write_bytes(os.urandom(2352))
    (psx / "Solo (USA).cue").write_text(CUE.format("Solo (USA)") + CUE.format("Solo (USA) 2"))
    (psx / "Solo (USA).bin").write_bytes(os.urandom(1000))
    run = cli("--json", "deploy", "1", "--to", str(card), "id:2")
    assert run.code == 1, run.err
    assert not _card_files(card), sorted(card.rglob("*"))


def test_a_playlist_chosen_alone_left_out_for_an_excluded_disc_names_the_override(
        cli: Any, tmp_path: Path) -> None:
    # review49g F5 (a): the disc no selection took has no warning of its own, so "the warnings
    # say why" pointed at nothing
    _, card = _solo(cli, tmp_path)
    assert cli("override", "set", "--game", "1", "--exclude").code == 0
    run = cli("--json", "deploy", "1", "--to", str(card), "id:2")
    assert run.code == 1, run.err
    (said,) = [line for line in run.json()["warnings"] if "Solo (USA).m3u:" in line]
    assert "an override excludes that game, id 1: `romrunner override ls`" in said, said
    assert "the warnings say why" not in said, said
    assert not list(card.rglob("Solo (USA).*")), sorted(card.rglob("*"))


def test_a_playlist_chosen_alone_whose_disc_changed_is_named_and_its_kept_copies_said(
        cli: Any, tmp_path: Path) -> None:
    # review49h F2: the only warning named a .bin the user never chose, and the summary said
    # "0 pruned" without a word of the three files it kept on the card
    psx, card = _solo(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "id:2").code == 0
    before = sorted(str(path.relative_to(card)) for path in card.rglob("Solo (USA).*"))
    assert len(before) == 3
    os.utime(psx / "Solo (USA).bin", ns=(10**18, 10**18))
    for chosen in ("id:2", "id:1,2"):
        run = cli("--json", "deploy", "1", "--to", str(card), chosen, "--prune")
        assert run.code == 1, run.err
        assert run.json()["data"]["pruned"] == 0, run.out
        said = run.json()["warnings"]
        playlist = str(psx / "Solo (USA).m3u")
        assert f"{playlist}: not deployed, its 3 files on the card kept, not pruned " \
            f"({', '.join(before)})" in said, said
        if chosen == "id:2":
            assert f"{playlist}: it names a disc whose file {psx / 'Solo (USA).bin'} changed " \
                "since the scan; the playlist is not deployed" in said, said
        assert sorted(str(path.relative_to(card)) for path in card.rglob("Solo (USA).*")) \
            == before
    # without --prune nothing is removed anyway: no such note
    plain = cli("--json", "deploy", "1", "--to", str(card), "id:2")
    assert not [w for w in plain.json()["warnings"] if "kept, not pruned" in w], plain.out
    # its root away: the root's one warning says its games' copies are kept, not a line per
    # playlist besides (review50c F1: one per playlist, 2,000 for a root of 2,000)
    psx.parent.rename(psx.parent.with_name("away"))
    away = cli("--json", "deploy", "1", "--to", str(card), "id:2", "--prune")
    assert away.json()["data"]["pruned"] == 0, away.out
    assert not [w for w in away.json()["warnings"] if "kept, not pruned" in w], away.out


def test_a_set_completed_with_a_revised_disc_is_named_once(cli: Any, tmp_path: Path) -> None:
    # review49h F3: "2 discs not chosen added to complete their sets (Duo (USA), Duo (USA)
    # (Rev 1))": one set, whose disc 2 is a Rev 1
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    for stem in ("Duo (USA) (Disc 1)", "Duo (USA) (Disc 2)", "Duo (USA) (Disc 2) (Rev 1)"):
        (psx / f"{stem}.bin").write_bytes(os.urandom(2352 * 8))
        (psx / f"{stem}.cue").write_text(CUE.format(stem))
    (psx / "Hack.m3u").write_text("Duo (USA) (Disc 2).cue\n")
    card = _card_for(cli, psx.parent)
    run = cli("--json", "deploy", "1", "--to", str(card), "hack", "--dry-run")
    assert run.code == 0, run.err
    (said,) = [w for w in run.json()["warnings"] if "to complete" in w]
    assert "2 discs not chosen added to complete its set (Duo (USA)):" in said, said


def test_a_prune_keeps_the_whole_disc_of_a_playlist_whose_sheet_is_gone_from_the_library(
        cli: Any, tmp_path: Path) -> None:
    # review50c F3: the playlist chosen alone, its disc's sheet deleted from the library: the
    # prune removed the card's track and kept the sheet and the .m3u naming it, a broken set
    psx, card = _solo(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "id:2").code == 0
    before = sorted(path.name for path in card.rglob("Solo (USA).*"))
    assert len(before) == 3
    (psx / "Solo (USA).cue").unlink()
    run = cli("--json", "deploy", "1", "--to", str(card), "id:2", "--prune")
    assert run.code == 1, run.err
    assert run.json()["data"]["pruned"] == 0, run.out
    assert sorted(path.name for path in card.rglob("Solo (USA).*")) == before


def test_a_playlist_whose_library_disc_has_an_identical_copy_in_another_root_goes_whole(
        cli: Any, tmp_path: Path) -> None:
    # review49b F4: disc 1 copied as it is to a second library root (added first, so its
    # copy is the one that goes): the playlist was left out, its disc "a file of a game this
    # deploy leaves out" — the identical copy is that disc, at the place the playlist names
    lib, card, tracks = _mix(cli, tmp_path, first="same")
    deployed = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert deployed.code == 0, deployed.err
    (playlist,) = [path for path in card.rglob("*.m3u")]
    assert playlist.read_text() == (lib / "psx" / "Mix.m3u").read_text()
    assert playable(card, str(playlist.relative_to(card))) == tracks
    assert len([path for path in card.rglob("Mix (Disc 1).*")]) == 2, sorted(card.rglob("*"))
    assert any("copy of another disc" in str(said) for said in deployed.json()["warnings"])
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.err


def _said(run: Any, code: str) -> list[str]:
    return [said["message"] for said in _issued(run, code)]


def _issued(run: Any, code: str) -> list[dict[str, Any]]:
    return [said for said in run.json()["data"]["plan_warnings"] if said["code"] == code]


def test_on_muos_a_playlist_beside_its_library_disc_is_said_to_list_the_game_twice(
        cli: Any, tmp_path: Path) -> None:
    # review49b F3: muOS lists every sheet in its platform folder (a set's discs go in a
    # hidden one): the playlist and its disc beside it, both listed, were unsaid
    _, card = _solo(cli, tmp_path)
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert run.code == 0, run.err
    (said,) = _said(run, "playlist-disc-listed")
    assert "Solo (USA).m3u: Solo (USA).cue" in said and "twice" in said, said
    # its platform and its playlist (id 2) in --json (review51e F7: neither)
    (issue,) = _issued(run, "playlist-disc-listed")
    assert (issue["platform_id"], issue["game_id"]) == ("psx", 2), issue


def test_on_knulli_a_playlist_beside_its_library_disc_is_not_said_to_list_it_twice(
        cli: Any, tmp_path: Path) -> None:
    _, card, _ = _mix(cli, tmp_path, "knulli")
    run = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert run.code == 0, run.err
    assert not _said(run, "playlist-disc-listed") + _said(run, "playlist-disc-copied-twice")


def test_a_library_disc_a_playlist_names_in_a_subfolder_is_said_to_go_twice(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    # review49b F3: the disc goes flat as a game of its own and again in `discs/`, where the
    # playlist names it: its data twice on the card, unsaid
    lib, card, _ = _mix(cli, tmp_path, subfolder=True)
    psx = lib / "psx"
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert run.code == 0, run.err
    (said,) = _said(run, "playlist-disc-copied-twice")
    size = sum((psx / "discs" / f"Mix (Disc 1){suffix}").stat().st_size
               for suffix in (".cue", ".bin"))
    assert "Mix.m3u: discs/Mix (Disc 1).cue" in said and f"{size:,} bytes more" in said, said
    (issue,) = _issued(run, "playlist-disc-copied-twice")  # (review51e F7)
    with sqlite3.connect(db_path) as conn:
        (playlist,) = conn.execute("SELECT id FROM games WHERE filename = 'Mix.m3u'").fetchone()
    assert (issue["platform_id"], issue["game_id"]) == ("psx", playlist), issue
    assert len(list(card.rglob("Mix (Disc 1).cue"))) == 2


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_auto_puts_a_playlist_whose_disc_it_keeps_from_another_root_as_a_query_does(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """review51f F1 (high): an identical copy of the playlist's library disc in a root added
    first: the auto-list keeps that copy and leaves the playlist's own disc out as another
    version; the plan then took the copy's file at the playlist's place for a collision and
    left the playlist out (exit 1), and `--auto --prune` removed it and its hidden disc 2
    from a card a query had filled."""
    _, card, tracks = _mix(cli, tmp_path, os_id, first="same")
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    (playlist,) = card.rglob("*.m3u")
    before = _card_files(card)
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    assert auto.code == 0, auto.out
    after = _card_files(card)
    assert after == before and auto.json()["data"]["pruned"] == 0, (before, after)
    assert playable(card, str(playlist.relative_to(card))) == tracks
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    first = cli("--json", "deploy", "1", "--to", str(fresh), "--auto")
    assert first.code == 0, first.out
    (placed,) = fresh.rglob("*.m3u")
    assert playable(fresh, str(placed.relative_to(fresh))) == tracks
    assert len(list(fresh.rglob("Mix (Disc 1).bin"))) == 1
