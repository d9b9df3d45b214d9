"""Two releases of one multi-disc title and region — the retail set and its Beta, or a limited
edition — are two sets: each its own discs, in order, in its own playlist (QA16 F1: one set,
the Beta's disc 1 second in a playlist named after the Beta). A library an earlier release
keyed is keyed again at its next scan."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from tests.test_deploy_multidisc_layout import playable

CUE = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
RETAIL = [f"Chase the Express (Europe) (Disc {n})" for n in (1, 2)]
BETA = [f"Chase the Express (Europe) (Disc {n}) (Beta)" for n in (1, 2)]


def _library(cli: Any, tmp_path: Path) -> Path:
    psx = tmp_path / "roms" / "psx"
    psx.mkdir(parents=True)
    for name in RETAIL + BETA:
        (psx / f"{name}.bin").write_bytes(hashlib.sha256(name.encode()).digest() * 150)
        (psx / f"{name}.cue").write_text(CUE.format(name))
    (psx / "Chase the Express (Europe).m3u").write_text("".join(f"{n}.cue\n" for n in RETAIL))
    (psx / "Chase the Express (Europe) (Beta).m3u").write_text(
        "".join(f"{n}.cue\n" for n in BETA))
    _scan_with_a_muos_profile(cli, tmp_path)
    return psx


def _scan_with_a_muos_profile(cli: Any, tmp_path: Path) -> None:
    """The library at ``tmp_path/roms`` added and scanned; a device and its muOS profile."""
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args


def _keys(db_path: Path) -> dict[str, str | None]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): key for name, key in conn.execute(
            "SELECT filename, set_key FROM games WHERE format = 'cue'")}


def test_a_beta_and_the_retail_release_are_two_sets_on_the_card(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    psx = _library(cli, tmp_path)
    keys = _keys(db_path)
    assert keys[f"{RETAIL[0]}.cue"] == keys[f"{RETAIL[1]}.cue"]
    assert keys[f"{BETA[0]}.cue"] == keys[f"{BETA[1]}.cue"]
    assert keys[f"{RETAIL[0]}.cue"] != keys[f"{BETA[0]}.cue"]
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    for title, names in (("Chase the Express (Europe)", RETAIL),
                         ("Chase the Express (Europe) (Beta)", BETA)):
        assert playable(card, f"ROMS/psx/{title}.m3u") == [
            (psx / f"{name}.bin").read_bytes() for name in names]


def test_the_auto_list_keeps_the_retail_set_and_leaves_the_beta_out(
        cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    games = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert [games[f"{name}.cue"]["included"] for name in RETAIL] == [True, True]
    assert [games[f"{name}.cue"]["reason"] for name in BETA] == ["prerelease"] * 2
    # the library's playlist of the retail set gives way to the retail discs it lists
    kept = games["Chase the Express (Europe).m3u"]["kept_instead"]
    assert kept in {games[f"{name}.cue"]["game_id"] for name in RETAIL}
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "--auto").code == 0
    on_card = sorted(p.name for p in card.rglob("*.cue"))
    assert on_card == sorted(f"{name}.cue" for name in RETAIL)  # (QA16: the Beta added back)


def test_a_library_keyed_by_an_earlier_release_is_keyed_again_at_its_next_scan(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    merged = "psx:chase the express:Europe"  # as tag rules before 4 keyed all four
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE games SET set_key = ? WHERE format = 'cue'", (merged,))
        conn.execute("UPDATE user_settings SET value = '3' WHERE key = 'tag_rules_version'")
    assert cli("scan", "--workers", "1").code == 0
    keys = _keys(db_path)
    assert len(set(keys.values())) == 2 and merged in keys.values()


def _discs(psx: Path, names: list[str]) -> None:
    psx.mkdir(parents=True, exist_ok=True)
    for name in names:
        (psx / f"{name}.bin").write_bytes(hashlib.sha256(name.encode()).digest() * 150)
        (psx / f"{name}.cue").write_text(CUE.format(name))


def test_two_sets_told_apart_by_a_bracket_tag_are_two_games_on_the_card(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA94 F3: a set and a user's second dump of it, `[fixed]`, shared one key (bracket
    tags are no edition: a disc's serial differs within a set): all four discs in one hidden
    folder, one playlist, the `[fixed]` set unreachable. A set whose discs' bracket tags
    differ (serials, a verified mark on one) stays one set."""
    psx = tmp_path / "roms" / "psx"
    psx.mkdir(parents=True)
    plain = [f"Resident Evil 2 (Europe) (Disc {n})" for n in (1, 2)]
    fixed = [f"Resident Evil 2 (Europe) [fixed] (Disc {n})" for n in (1, 2)]
    serials = ["Parasite Eve (USA) (Disc 1) [SLUS-00662]",
               "Parasite Eve (USA) (Disc 2) [SLUS-00668]"]
    marked = ["Xenogears (USA) (Disc 1) [!]", "Xenogears (USA) (Disc 2)"]
    _discs(psx, plain + fixed + serials + marked)
    _scan_with_a_muos_profile(cli, tmp_path)
    keys = _keys(db_path)
    assert keys[f"{plain[0]}.cue"] == keys[f"{plain[1]}.cue"]
    assert keys[f"{fixed[0]}.cue"] == keys[f"{fixed[1]}.cue"] != keys[f"{plain[0]}.cue"]
    assert keys[f"{serials[0]}.cue"] == keys[f"{serials[1]}.cue"]
    assert keys[f"{marked[0]}.cue"] == keys[f"{marked[1]}.cue"]
    assert cli("scan", "--workers", "1", "--full").code == 0
    assert _keys(db_path) == keys  # (a scan again keys them alike)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    playlists = sorted(path.name for path in card.rglob("*.m3u"))
    assert len(playlists) == 4 and sum(name.startswith("Parasite") for name in playlists) == 1
    assert sum(name.startswith("Xenogears") for name in playlists) == 1
    for title, names in (("Resident Evil 2 (Europe)", plain),
                         ("Resident Evil 2 (Europe) [fixed]", fixed)):
        assert playable(card, f"ROMS/psx/{title}.m3u") == [
            (psx / f"{name}.bin").read_bytes() for name in names]


def test_a_set_in_two_roots_stays_one_set_and_a_split_is_undone_when_it_no_longer_holds(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 99 F3: a set whose discs carry their serials, kept in two library roots (two
    discs of each number), was split into a "set" per disc: no playlist on the card. F5: two
    sets told apart by a dump mark (`[b]`) were one. F4: once the other set is gone, a split
    set re-keyed one disc at a time was two sets."""
    serials = ["Parasite Eve (USA) (Disc 1) [SLUS-00662]",
               "Parasite Eve (USA) (Disc 2) [SLUS-00668]"]
    good = [f"Chrono Cross (USA) (Disc {n})" for n in (1, 2)]
    bad = [f"Chrono Cross (USA) (Disc {n}) [b]" for n in (1, 2)]
    for root in ("local", "nas"):
        _discs(tmp_path / root / "psx", serials)
    _discs(tmp_path / "nas" / "psx", good + bad)
    for args in (("library", "add", str(tmp_path / "local")),
                 ("library", "add", str(tmp_path / "nas")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    keys = _keys(db_path)
    assert len({keys[f"{name}.cue"] for name in serials}) == 1
    assert keys[f"{good[0]}.cue"] == keys[f"{good[1]}.cue"]
    assert keys[f"{bad[0]}.cue"] == keys[f"{bad[1]}.cue"] != keys[f"{good[0]}.cue"]
    for name in good:  # the good set deleted, forgotten; a [b] disc re-ripped
        for suffix in ("cue", "bin"):
            (tmp_path / "nas" / "psx" / f"{name}.{suffix}").unlink()
    for args in (("scan", "--workers", "1"), ("games", "forget", "--missing")):
        assert cli(*args).code == 0, args
    (tmp_path / "nas" / "psx" / f"{bad[0]}.bin").write_bytes(b"\x09" * 4800)
    assert cli("scan", "--workers", "1").code == 0
    keys = _keys(db_path)
    assert keys[f"{bad[0]}.cue"] == keys[f"{bad[1]}.cue"]


def test_set_keys_without_a_region_and_verified_marks_on_some_discs(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 100: F1, the key of a set without a region (`psx:game::beta`) held the split
    mark and two editions were one set; F2, a set with `[!]` on some discs, in two roots,
    was split into incomplete sets; F3, `[!]` on one plain disc kept `[fixed]` merged."""
    beta = [f"Game (Disc {n}) (Beta)" for n in (1, 2)]
    demo = [f"Game (Disc {n}) (Demo)" for n in (1, 2)]
    ff7 = ["Final Fantasy VII (U) (Disc 1) [!]", "Final Fantasy VII (U) (Disc 2) [!]",
           "Final Fantasy VII (U) (Disc 3)"]
    plain = ["Resident Evil 2 (Europe) (Disc 1) [!]", "Resident Evil 2 (Europe) (Disc 2)"]
    fixed = [f"Resident Evil 2 (Europe) [fixed] (Disc {n})" for n in (1, 2)]
    _discs(tmp_path / "a" / "psx", beta + demo + ff7 + plain + fixed)
    _discs(tmp_path / "b" / "psx", ff7)
    for args in (("library", "add", str(tmp_path / "a")),
                 ("library", "add", str(tmp_path / "b")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    keys = _keys(db_path)
    assert keys[f"{beta[0]}.cue"] == keys[f"{beta[1]}.cue"] != keys[f"{demo[0]}.cue"]
    assert keys[f"{demo[0]}.cue"] == keys[f"{demo[1]}.cue"]
    assert len({keys[f"{name}.cue"] for name in ff7}) == 1
    assert keys[f"{plain[0]}.cue"] == keys[f"{plain[1]}.cue"] != keys[f"{fixed[0]}.cue"]
    assert keys[f"{fixed[0]}.cue"] == keys[f"{fixed[1]}.cue"]


def test_discs_moved_out_of_a_merged_sets_folder_are_said_and_pruned(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 99 F7: a card deployed while a set and a user's second dump of it (`[patched]`:
    a tag that says no better or worse dump) were one set holds the second set's discs in the
    merged set's folder; once told apart, they go to a folder of their own, and the old
    copies stayed without a word."""
    psx = tmp_path / "roms" / "psx"
    plain = [f"Resident Evil 2 (Europe) (Disc {n})" for n in (1, 2)]
    patched = [f"Resident Evil 2 (Europe) [patched] (Disc {n})" for n in (1, 2)]
    _discs(psx, plain + patched)
    _scan_with_a_muos_profile(cli, tmp_path)
    split = _keys(db_path)
    with sqlite3.connect(db_path) as conn:  # as a release before the split keyed them
        conn.execute("UPDATE games SET set_key = ? WHERE format = 'cue'",
                     (split[f"{plain[0]}.cue"],))
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    merged_folders = {p.parent for p in card.rglob("*.cue")}
    assert len(merged_folders) == 1  # all four discs in one set's folder
    (old_folder,) = merged_folders

    assert cli("scan", "--workers", "1", "--full").code == 0
    assert _keys(db_path) == split
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    said = [w for w in result.json()["warnings"] if "in another multi-disc set's folder" in w]
    assert len(said) == 1 and said[0].startswith("2 games an earlier deploy put on this card")
    assert f"{patched[0]}.cue: {old_folder.relative_to(card).as_posix()} → " in said[0]
    assert "stay until `romrunner deploy --prune`" in said[0]
    assert all((old_folder / f"{name}.cue").exists() for name in patched)  # (not removed)

    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--prune")
    assert pruned.code == 0, pruned.err
    assert any("this --prune removes the old copies" in w for w in pruned.json()["warnings"])
    assert not any((old_folder / f"{name}.{ext}").exists() for name in patched
                   for ext in ("cue", "bin"))
    for title, names in (("Resident Evil 2 (Europe)", plain),
                         ("Resident Evil 2 (Europe) [patched]", patched)):
        assert playable(card, f"ROMS/psx/{title}.m3u") == [
            (psx / f"{name}.bin").read_bytes() for name in names]
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert not [w for w in again.json()["warnings"] if "another multi-disc set" in w]


def test_sets_whose_discs_are_tagged_disc_n_of_m_in_brackets_are_told_apart(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 103 F4: `[Disc 1 of 2]` was taken for a tag telling one dump from another, so
    each disc was a group of its own and a set and its `[fixed]` dump stayed one set. A
    library keyed so by the previous rules is split at its next scan, one that writes
    nothing too."""
    psx = tmp_path / "roms" / "psx"
    plain = [f"Resident Evil 2 (Europe) [Disc {n} of 2]" for n in (1, 2)]
    fixed = [f"Resident Evil 2 (Europe) [fixed] [Disc {n} of 2]" for n in (1, 2)]
    _discs(psx, plain + fixed)
    _scan_with_a_muos_profile(cli, tmp_path)
    keys = _keys(db_path)
    assert keys[f"{plain[0]}.cue"] == keys[f"{plain[1]}.cue"]
    assert keys[f"{fixed[0]}.cue"] == keys[f"{fixed[1]}.cue"] != keys[f"{plain[0]}.cue"]
    with sqlite3.connect(db_path) as conn:  # as tag rules 18 left it: one set
        conn.execute("UPDATE games SET set_key = ? WHERE format = 'cue'",
                     (keys[f"{plain[0]}.cue"],))
        conn.execute("UPDATE user_settings SET value = '18' WHERE key = 'tag_rules_version'")
    rescan = cli("--json", "scan", "--workers", "1")
    assert rescan.code == 0 and rescan.json()["data"]["added"] == 0, rescan.out
    assert _keys(db_path) == keys
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    for title, names in (("Resident Evil 2 (Europe)", plain),
                         ("Resident Evil 2 (Europe) [fixed]", fixed)):
        assert playable(card, f"ROMS/psx/{title}.m3u") == [
            (psx / f"{name}.bin").read_bytes() for name in names]
