"""Renamed discs a DAT identifies are one multi-disc set: `ff7_1.cue` and `ff7_2.cue`, known
by their tracks as "Final Fantasy VII (USA) (Disc 1)" and "(Disc 2)", share the set their
catalog names give, so the card gets the set's playlist and its discs laid out as a set's —
as it does for discs named as their catalog games. Unidentified again, they are two games."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.test_autolist import dat, rom
from tests.test_deploy_multidisc_layout import playable

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
TITLE = "Final Fantasy VII (USA)"


def _renamed_set(cli: Any, tmp_path: Path) -> Path:
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    entries = []
    for disc in (1, 2):
        (root / f"ff7_{disc}.bin").write_bytes(rom(f"ff7 disc {disc}"))
        (root / f"ff7_{disc}.cue").write_text(CUE.format(f"ff7_{disc}.bin"))
        entries.append((f"{TITLE} (Disc {disc})", f"{TITLE} (Disc {disc}).bin",
                        f"ff7 disc {disc}", None))
    catalog = tmp_path / "psx.dat"
    catalog.write_text(dat("Sony - PlayStation", entries))
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(catalog)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return root


def _discs(db_path: Path) -> dict[str, tuple[int | None, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): (disc, key) for name, disc, key in conn.execute(
            "SELECT filename, disc_number, set_key FROM games WHERE format = 'cue'")}


def test_renamed_discs_a_dat_identifies_share_one_set(cli: Any, db_path: Path,
                                                      tmp_path: Path) -> None:
    _renamed_set(cli, tmp_path)
    discs = _discs(db_path)
    assert [discs[f"ff7_{disc}.cue"][0] for disc in (1, 2)] == [1, 2]
    keys = {key for _, key in discs.values()}
    assert len(keys) == 1 and None not in keys


def test_the_card_gets_the_sets_playlist_named_as_its_catalog_game(
        cli: Any, tmp_path: Path) -> None:
    root = _renamed_set(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    playlist = f"ROMS/psx/{TITLE}.m3u"
    assert (card / playlist).is_file(), sorted(p.name for p in card.rglob("*"))
    assert playable(card, playlist) == [(root / f"ff7_{disc}.bin").read_bytes()
                                        for disc in (1, 2)]
    # the discs go where muOS does not list them, beside their playlist
    assert {p.name for p in (card / f"ROMS/psx/.{TITLE}").iterdir()} == {
        "ff7_1.cue", "ff7_1.bin", "ff7_2.cue", "ff7_2.bin"}


def test_discs_the_catalog_no_longer_identifies_are_two_games_again(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    _renamed_set(cli, tmp_path)
    assert cli("dat", "rm", "Sony - PlayStation").code == 0
    assert set(_discs(db_path).values()) == {(None, None)}


def test_a_library_an_earlier_release_identified_gets_its_sets_at_the_next_scan(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    _renamed_set(cli, tmp_path)
    with sqlite3.connect(db_path) as conn:  # as the tag rules before 3 stored them
        conn.execute("UPDATE games SET disc_number = NULL, set_key = NULL")
        conn.execute("UPDATE user_settings SET value = '2' WHERE key = 'tag_rules_version'")
    assert set(_discs(db_path).values()) == {(None, None)}
    assert cli("scan", "--workers", "1").code == 0
    discs = _discs(db_path)
    assert sorted(disc for disc, _ in discs.values()) == [1, 2]
    assert len({key for _, key in discs.values()} - {None}) == 1


def test_discs_named_with_their_disc_keep_their_names_set_when_some_are_identified(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    # review: "Final Fantasy 7 (USA) (Disc 1..3)", the DAT ("Final Fantasy VII") listing
    # discs 1 and 3 only: the identified discs took the catalog's key and the set split in
    # two, disc 2 flat beside a playlist of discs 1 and 3
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    entries = []
    for disc in (1, 2, 3):
        stem = f"Final Fantasy 7 (USA) (Disc {disc})"
        (root / f"{stem}.bin").write_bytes(rom(f"ff7 disc {disc}"))
        (root / f"{stem}.cue").write_text(CUE.format(f"{stem}.bin"))
        if disc != 2:
            entries.append((f"{TITLE} (Disc {disc})", f"{TITLE} (Disc {disc}).bin",
                            f"ff7 disc {disc}", None))
    (tmp_path / "psx.dat").write_text(dat("Sony - PlayStation", entries))
    for args in (("library", "add", str(tmp_path / "roms")),
                 ("dat", "import", str(tmp_path / "psx.dat")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    discs = _discs(db_path)
    assert sorted(disc for disc, _ in discs.values()) == [1, 2, 3]
    assert len({key for _, key in discs.values()}) == 1
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    assert playable(card, "ROMS/psx/Final Fantasy 7 (USA).m3u") == [
        (root / f"Final Fantasy 7 (USA) (Disc {disc}).bin").read_bytes() for disc in (1, 2, 3)]


def _set_with_playlist(root: Path, title: str, data: list[bytes] | None = None) -> None:
    """A set of two discs and its playlist (``data``: the tracks' bytes; None: the tracks
    are there)."""
    names = []
    for disc in (1, 2):
        name = f"{title} (Disc {disc})"
        if data is not None:
            (root / f"{name}.bin").write_bytes(data[disc - 1])
        (root / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
        names.append(f"{name}.cue")
    (root / f"{title}.m3u").write_text("".join(f"{name}\n" for name in names))


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_a_set_renamed_with_its_playlist_leaves_no_broken_playlist_on_the_card(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """QA94 F4: a renamer rewrote a set with its own .m3u (discs, sheets, playlist); the scan
    followed the discs, the old playlist went missing. `deploy --prune` kept the old
    playlist's copy as a missing game's (and, on KNULLI, the old sheets) while it pruned
    the discs it names: the handheld listed the game twice, once broken."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    old, new = "Alone in the Dark (Europe)", "Alone in the Dark - New Nightmare (Europe)"
    _set_with_playlist(root, old, [rom("aitd disc 1") * 150, rom("aitd disc 2") * 150])
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id),
                 ("deploy", "1", "--to", str(card), "platform:psx")):
        assert cli(*args).code == 0, args
    for disc in (1, 2):
        (root / f"{old} (Disc {disc}).bin").rename(root / f"{new} (Disc {disc}).bin")
        (root / f"{old} (Disc {disc}).cue").unlink()
    (root / f"{old}.m3u").unlink()
    _set_with_playlist(root, new)
    assert cli("scan", "--workers", "1").code == 0
    result = cli("deploy", "1", "--to", str(card), "platform:psx", "--prune")
    assert "--prune` removes it" in result.err and f"{old}.m3u" in result.err, result.err
    assert sorted(path.name for path in card.rglob(f"{old}*")) == []
    (playlist,) = card.rglob("*.m3u")
    assert playable(card, playlist.relative_to(card).as_posix()) == [
        rom("aitd disc 1") * 150, rom("aitd disc 2") * 150]
    blank = tmp_path / "blank"  # (qa201 F2: said of every deploy, to any card, blank too)
    blank.mkdir()
    for where in (card, blank):
        again = cli("deploy", "1", "--to", str(where), "platform:psx")
        assert again.code == 0 and "renamed since" not in again.err, (where, again.err)
    # (nor of a user's own file at that place, which a prune never removes: review47b F4)
    own = blank / playlist.relative_to(card).parent / f"{old}.m3u"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text("my own playlist\n")
    mine = cli("deploy", "1", "--to", str(blank), "platform:psx", "--prune")
    assert mine.code == 0 and "renamed since" not in mine.err, mine.err
    assert own.read_text() == "my own playlist\n"


def test_a_missing_playlist_naming_its_discs_by_absolute_paths_is_held(
        cli: Any, tmp_path: Path) -> None:
    """Review 100 F7: a library .m3u whose entries are absolute paths (a PC tool's), its set
    gone with a share partly there: "renamed away, --prune removes it", as no row is named
    by such a path; it is held with its missing discs, as a missing game's copy."""
    root = tmp_path / "roms" / "psx" / "Game (USA)"
    root.mkdir(parents=True)
    for disc in (1, 2):
        name = f"Game (USA) (Disc {disc})"
        (root / f"{name}.bin").write_bytes(rom(f"game disc {disc}") * 20)
        (root / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
    (root / "Game (USA).m3u").write_text("".join(
        f"{root}/Game (USA) (Disc {disc}).cue\n" for disc in (1, 2)))
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", str(card), "platform:psx")):
        assert cli(*args).code == 0, args
    before = sorted(path.relative_to(card).as_posix() for path in card.rglob("*.m3u"))
    assert before
    root.rename(tmp_path / "away")
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    pruned = cli("deploy", "1", "--to", str(card), "platform:psx", "--prune", "--force")
    assert "renamed since" not in pruned.err, pruned.err
    assert sorted(path.relative_to(card).as_posix() for path in card.rglob("*.m3u")) == before
