"""The auto-list leaves out a library .m3u only where a deploy replaces it with the playlist
it writes itself (every line a disc of a set the deploy places), by the planner's own test:
`deploy --auto` then puts on the card what a query choosing the same games does.

review49g F3: a playlist naming a library disc and a disc in a hidden folder the scan skips
was left out as "disc_set_playlist" — the deploy writes none for a set of one disc — so
`deploy --auto --prune` removed the hidden disc 2 and the .m3u from a card a query had
filled; and `Solo (USA).m3u` naming `Solo (USA).cue` was left out as another version of its
own disc. F4: the playlist of a disc the profile's filters leave out is left out with it (it
went on the card, bringing that disc as its file). F8: a playlist of its own naming some
discs of a set, which a deploy replaces with the set's .m3u, is said to be replaced."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.test_deploy_multidisc_layout import playable

CUE = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _disc(folder: Path, stem: str) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    track = os.urandom(2352 * 8)
    (folder / f"{stem}.bin").write_bytes(track)
    (folder / f"{stem}.cue").write_text(CUE.format(stem))
    return track


def _profile(cli: Any, lib: Path, os_id: str) -> None:
    for args in (("library", "add", str(lib)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def _card_files(card: Path) -> list[str]:
    return sorted(str(path.relative_to(card)) for path in card.rglob("*")
                  if path.is_file() and ".romrunner" not in path.parts)


def _verdicts(cli: Any) -> dict[str, tuple[bool, str | None]]:
    listed = cli("--json", "autolist", "1")
    assert listed.code == 0, listed.err
    return {game["filename"]: (game["included"], game["dropped"])
            for game in listed.json()["data"]["games"]}


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_auto_keeps_a_playlist_naming_a_hidden_disc_as_a_query_deploys_it(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    tracks = [_disc(psx, "Mix (USA) (Disc 1)"), _disc(psx / ".Mix", "Mix (USA) (Disc 2)")]
    (psx / "Mix (USA).m3u").write_text("Mix (USA) (Disc 1).cue\n.Mix/Mix (USA) (Disc 2).cue\n")
    card.mkdir()
    _profile(cli, lib, os_id)
    assert _verdicts(cli) == {"Mix (USA) (Disc 1).cue": (True, None),
                              "Mix (USA).m3u": (True, None)}
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    by_query = _card_files(card)
    assert len(by_query) == 5, by_query  # (the .m3u, disc 1's sheet and track, disc 2's)
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert auto.code == 0, auto.err
    assert auto.json()["data"]["pruned"] == 0, auto.out
    assert _card_files(card) == by_query
    (playlist,) = card.rglob("*.m3u")
    assert playable(card, str(playlist.relative_to(card))) == tracks


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_auto_still_leaves_out_a_playlist_the_deploy_writes_itself(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    tracks = [_disc(psx, f"Duo (USA) (Disc {disc})") for disc in (1, 2)]
    (psx / "Duo (USA).m3u").write_text("Duo (USA) (Disc 1).cue\nDuo (USA) (Disc 2).cue\n")
    card.mkdir()
    _profile(cli, lib, os_id)
    got = _verdicts(cli)
    assert got["Duo (USA).m3u"] == (False, "disc_set_playlist"), got
    by_query_run = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert by_query_run.code == 0, by_query_run.err
    assert "only some discs" not in by_query_run.err  # (it names every disc: not said)
    by_query = _card_files(card)
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert auto.code == 0 and auto.json()["data"]["pruned"] == 0, auto.out
    assert _card_files(card) == by_query
    (playlist,) = card.rglob("*.m3u")
    assert playable(card, str(playlist.relative_to(card))) == tracks


def _solo(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    lib, card = tmp_path / "lib", tmp_path / "card"
    _disc(lib / "psx", "Solo (USA)")
    (lib / "psx" / "Solo (USA).m3u").write_text("Solo (USA).cue\n")
    card.mkdir()
    _profile(cli, lib, "muos")
    return lib, card


def test_a_single_disc_playlist_is_no_other_version_of_its_own_disc(
        cli: Any, tmp_path: Path) -> None:
    _, card = _solo(cli, tmp_path)
    assert _verdicts(cli) == {"Solo (USA).cue": (True, None), "Solo (USA).m3u": (True, None)}
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    by_query = _card_files(card)
    assert any(path.endswith("Solo (USA).m3u") for path in by_query), by_query
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert auto.code == 0 and auto.json()["data"]["pruned"] == 0, auto.out
    assert _card_files(card) == by_query


def test_a_single_disc_playlist_goes_with_its_disc_against_another_version(
        cli: Any, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for region in ("USA", "Europe"):
        _disc(lib / "psx", f"Solo ({region})")
        (lib / "psx" / f"Solo ({region}).m3u").write_text(f"Solo ({region}).cue\n")
    _profile(cli, lib, "muos")
    for region, other in (("USA", "Europe"), ("Europe", "USA")):
        assert cli("profile", "set", "1", "--regions", region).code == 0
        got = _verdicts(cli)
        assert got == {f"Solo ({region}).cue": (True, None),
                       f"Solo ({region}).m3u": (True, None),
                       f"Solo ({other}).cue": (False, "other_version"),
                       f"Solo ({other}).m3u": (False, "other_version")}, (region, got)


def test_the_playlist_of_a_disc_the_profile_filters_leave_out_is_left_out_too(
        cli: Any, tmp_path: Path) -> None:
    # review49g F4: the profile's collection filter left the disc out, and `deploy --auto`
    # copied it anyway as the file of its playlist
    _, card = _solo(cli, tmp_path)
    for args in (("collection", "create", "nodisc"), ("collection", "add", "nodisc", "1"),
                 ("profile", "set", "1", "--exclude-collections", "nodisc")):
        assert cli(*args).code == 0, args
    assert _verdicts(cli) == {}
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 1 and "nothing deployed" in auto.out + auto.err, auto.out + auto.err
    assert _card_files(card) == []


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_a_playlist_naming_some_discs_of_a_set_is_said_to_be_replaced(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    # review49g F8: `Hack.m3u` naming disc 1 of a two-disc set was left out without a word
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    tracks = [_disc(psx, f"Trio (USA) (Disc {disc})") for disc in (1, 2)]
    (psx / "Hack.m3u").write_text("Trio (USA) (Disc 1).cue\n")
    card.mkdir()
    _profile(cli, lib, os_id)
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert run.code == 0, run.err
    said = [str(line) for line in run.json()["warnings"] if "Hack.m3u" in str(line)]
    assert len(said) == 1 and "only some discs of its set is not copied" in said[0], said
    (playlist,) = card.rglob("*.m3u")
    assert playlist.name == "Trio (USA).m3u"
    assert playable(card, str(playlist.relative_to(card))) == tracks
    assert _verdicts(cli)["Hack.m3u"] == (False, "disc_set_playlist")


def test_a_single_disc_playlist_is_left_out_with_its_disc_an_override_excludes(
        cli: Any, tmp_path: Path) -> None:
    # the .m3u stayed listed beside its excluded disc, and every `deploy --auto` refused it
    # ("the playlist is not deployed"): the list now leaves it out with its disc, as a deploy
    _, card = _solo(cli, tmp_path)
    assert cli("override", "set", "--game", "1", "--exclude", "--profile", "1").code == 0
    listed = cli("--json", "autolist", "1").json()["data"]["games"]
    assert {game["filename"]: (game["included"], game["reason"]) for game in listed} == {
        "Solo (USA).cue": (False, "USER_OVERRIDE_EXCLUDE"),
        "Solo (USA).m3u": (False, "USER_OVERRIDE_EXCLUDE")}
    (playlist,) = [game for game in listed if game["filename"] == "Solo (USA).m3u"]
    assert any("It names Solo (USA).cue, which is left out" in line
               for line in playlist["warnings"]), playlist["warnings"]
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert "the playlist is not deployed" not in auto.err, auto.err
    assert _card_files(card) == []


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_a_playlist_of_a_set_kept_through_its_revised_disc_is_still_replaced(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    # review50e F1: the .m3u names Disc 2; the auto-list keeps Disc 2 (Rev 1) instead, so
    # the .m3u was kept and `--auto` put the set's Rev 0 disc on the card beside the Rev 1
    # (and the library's .m3u naming the disc not chosen)
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    for stem in ("Duo (USA) (Disc 1)", "Duo (USA) (Disc 2)", "Duo (USA) (Disc 2) (Rev 1)"):
        _disc(psx, stem)
    (psx / "Duo (USA).m3u").write_text("Duo (USA) (Disc 1).cue\nDuo (USA) (Disc 2).cue\n")
    _profile(cli, lib, os_id)
    card.mkdir()
    assert _verdicts(cli)["Duo (USA).m3u"] == (False, "disc_set_playlist")
    run = cli("--json", "deploy", "1", "--to", str(card), "--auto")
    assert run.code == 0, run.err
    files = _card_files(card)
    assert not [name for name in files if name.endswith("Duo (USA) (Disc 2).cue")], files
    assert len([name for name in files if name.endswith(".cue")]) == 2, files
    (playlist,) = [name for name in files if name.endswith(".m3u")]
    assert "Rev 1" in (card / playlist).read_text(), (card / playlist).read_text()


def _combo(cli: Any, tmp_path: Path, lines: tuple[str, ...]) -> Path:
    """``Combo.m3u`` naming ``lines`` of Alpha (USA) (game 1), Beta (Japan) (2) and Beta
    (USA) (3), single discs of no set, on KNULLI; the card folder."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    for stem in ("Alpha (USA)", "Beta (Japan)", "Beta (USA)"):
        _disc(lib / "psx", stem)
    (lib / "psx" / "Combo.m3u").write_text("".join(f"{line}\n" for line in lines))
    card.mkdir()
    _profile(cli, lib, "knulli")
    return card


@pytest.mark.parametrize("excluded", [1, 2])
def test_a_playlist_goes_with_any_game_it_names_an_override_excludes(
        cli: Any, tmp_path: Path, excluded: int) -> None:
    # review50e F2: Combo.m3u naming Beta (Japan) then Alpha (USA) was left out with Beta
    # (Japan), its first line, excluded, but stayed listed with Alpha, its second, excluded
    # — and every `deploy --auto` chose it and refused it ("1 chosen game was left out")
    card = _combo(cli, tmp_path, ("Beta (Japan).cue", "Alpha (USA).cue"))
    assert cli("override", "set", "--game", str(excluded), "--exclude").code == 0
    listed = {game["filename"]: game for game in
              cli("--json", "autolist", "1").json()["data"]["games"]}
    playlist = listed["Combo.m3u"]
    assert (playlist["included"], playlist["reason"]) == (False, "USER_OVERRIDE_EXCLUDE")
    named = "Alpha (USA).cue" if excluded == 1 else "Beta (Japan).cue"
    assert any(line.startswith(f"It names {named}, which is left out")
               for line in playlist["warnings"]), playlist["warnings"]
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 0, auto.out + auto.err
    assert "the playlist is not deployed" not in auto.err, auto.err
    assert not [name for name in _card_files(card) if name.endswith(".m3u")]


def test_the_text_list_and_resolve_say_a_playlist_is_left_out_for_its_disc(
        cli: Any, tmp_path: Path) -> None:
    # review50e F3: `autolist` and `resolve 2 --profile 1` gave the .m3u its disc's reason
    # alone ("USER_OVERRIDE_EXCLUDE", no override on it), the why in --json only
    _solo(cli, tmp_path)
    assert cli("override", "set", "--game", "1", "--exclude", "--profile", "1").code == 0
    said = "It names Solo (USA).cue, which is left out (USER_OVERRIDE_EXCLUDE)"
    listed = cli("autolist", "1")
    assert listed.code == 0, listed.err
    (line,) = [line for line in listed.out.splitlines() if "Solo (USA).m3u" in line]
    assert "USER_OVERRIDE_EXCLUDE" in line and said in line, line
    resolved = cli("resolve", "2", "--profile", "1")
    assert resolved.code == 0, resolved.err
    (line,) = [line for line in resolved.out.splitlines() if "auto-list" in line]
    assert said in line, resolved.out


def test_a_playlist_naming_a_version_the_list_leaves_out_is_left_out_with_it(
        cli: Any, tmp_path: Path) -> None:
    # review50e F4: Combo.m3u naming Alpha (USA) then Beta (Japan), Beta (USA) kept over
    # it: the playlist stayed listed, and `deploy --auto` put Beta (Japan) on the card as
    # its file, the frontend listing both Betas the list said one of. The playlist follows
    # the fate of what it names, as a set's .m3u does; an include of it keeps it.
    card = _combo(cli, tmp_path, ("Alpha (USA).cue", "Beta (Japan).cue"))
    listed = {game["filename"]: game for game in
              cli("--json", "autolist", "1").json()["data"]["games"]}
    assert listed["Beta (Japan).cue"]["dropped"] == "other_version"
    playlist = listed["Combo.m3u"]
    assert (playlist["included"], playlist["dropped"]) == (False, "set_left_out"), playlist
    assert any(line.startswith("It names Beta (Japan).cue, which is left out (other_version)")
               for line in playlist["warnings"]), playlist["warnings"]
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 0, auto.out + auto.err
    assert _card_files(card) == [f"roms/psx/{stem}.{ext}" for stem in ("Alpha (USA)",
                                 "Beta (USA)") for ext in ("bin", "cue")]
    assert cli("override", "set", "--game", "4", "--include", "--profile", "1").code == 0
    assert _verdicts(cli)["Combo.m3u"] == (True, None)


def test_a_playlist_goes_with_any_game_it_names_a_collection_filter_leaves_out(
        cli: Any, tmp_path: Path) -> None:
    # review50e F2, its filter side: a profile's excluded collection holding the game of
    # Combo.m3u's second line left the playlist listed, and `deploy --auto` put that game on
    # the card as its file (the first line's game took it: review49g F4)
    card = _combo(cli, tmp_path, ("Alpha (USA).cue", "Beta (Japan).cue"))
    for args in (("collection", "create", "nobeta"), ("collection", "add", "nobeta", "2"),
                 ("profile", "set", "1", "--exclude-collections", "nobeta")):
        assert cli(*args).code == 0, args
    assert _verdicts(cli) == {"Alpha (USA).cue": (True, None), "Beta (USA).cue": (True, None)}
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 0, auto.out + auto.err
    assert _card_files(card) == [f"roms/psx/{stem}.{ext}" for stem in ("Alpha (USA)",
                                 "Beta (USA)") for ext in ("bin", "cue")]


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_a_playlist_of_a_disk_the_scan_takes_for_a_version_stays_with_both_disks(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """review51d F1 (high): sides the scan does not group as one set ("(Side A)", "(Side
    B)": TOSEC's disk sets) are two versions of one game to the auto-list, Side B left out
    for Side A; their own .m3u was then left out with Side B, and `deploy --auto --prune`
    removed Side B and the .m3u from a card that held the set. A game left out for another
    the same playlist names does not take the playlist.
    (The scan groups sides as one set since review51d F1's root cause was fixed — see
    test_scan_disk_sides.py —, so this takes a disk it still does not group, a bonus disc:
    review51d's t/s8 "Bonus Disc (USA).m3u".)"""
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    sides = [_disc(psx, stem) for stem in ("Saga (USA)", "Saga (USA) (Bonus Disc)")]
    (psx / "Saga (USA).m3u").write_text("Saga (USA).cue\nSaga (USA) (Bonus Disc).cue\n")
    _profile(cli, lib, os_id)
    verdicts = _verdicts(cli)
    assert verdicts["Saga (USA).m3u"] == (True, None), verdicts
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "title:saga").code == 0  # (a query: the set)
    before = _card_files(card)
    pruned = cli("deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    assert pruned.code == 0, pruned.err
    assert _card_files(card) == before, pruned.out
    on_card = {path.name: path for path in card.rglob("*.bin")}
    assert [on_card[f"{stem}.bin"].read_bytes() for stem in ("Saga (USA)",
                                                             "Saga (USA) (Bonus Disc)")] == sides
