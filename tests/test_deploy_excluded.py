"""A game an override excludes ("Never deploy this game.") is left out of every deploy of the
profiles it applies to, whatever chose it — a query, a collection, the auto-list — and the
deploy says which (QA15 F4: only `--auto` honoured it; a query or a collection put an excluded
game on the card without a word)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_autolist import rom

GAMES = ["Alpha (USA).gb", "Bravo (USA).gb", "Charlie (USA).gb"]


def _setup(cli: Any, tmp_path: Path) -> dict[str, int]:
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    for name in GAMES:
        (folder / name).write_bytes(rom(name))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    games = cli("--json", "games", "ls").json()["data"]["games"]
    return {g["filename"]: g["id"] for g in games}


def _on_card(card: Path) -> set[str]:
    return {p.name for p in card.rglob("*.gb")}


def test_a_query_or_a_collection_leaves_out_what_an_override_excludes(
        cli: Any, tmp_path: Path) -> None:
    ids = _setup(cli, tmp_path)
    alpha, bravo, charlie = (str(ids[name]) for name in GAMES)
    for args in (("--game", alpha, "--exclude"),  # every profile
                 ("--game", bravo, "--profile", "2", "--exclude"),  # another profile only
                 ("--game", charlie, "--exclude"),  # every profile, but this one
                 ("--game", charlie, "--profile", "1", "--include")):
        assert cli("override", "set", *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    preview = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert preview.code == 0, preview.err
    assert preview.json()["data"]["chosen"]["excluded"] == ["Alpha (USA).gb"]
    result = cli("deploy", "1", "--to", str(card), "platform:gb")
    assert result.code == 0, result.err
    assert _on_card(card) == {"Bravo (USA).gb", "Charlie (USA).gb"}
    assert "1 chosen game is excluded by an override" in result.err
    assert "(Alpha (USA).gb)" in result.err

    assert cli("collection", "create", "only-alpha").code == 0
    assert cli("collection", "add", "only-alpha", alpha).code == 0
    other = tmp_path / "other"
    other.mkdir()
    refused = cli("deploy", "1", "--to", str(other), "--collection", "only-alpha")
    assert refused.code == 1
    assert "every game collection:only-alpha chooses is excluded by an override" in refused.err
    assert list(other.iterdir()) == []  # nothing written, not even .romrunner/

    # profile 2: Alpha and Charlie excluded everywhere (Charlie's include is profile 1's),
    # Bravo on profile 2
    second = tmp_path / "second"
    second.mkdir()
    none = cli("deploy", "2", "--to", str(second), "platform:gb")
    assert none.code == 1 and "every game platform:gb chooses is excluded" in none.err
    assert "3 chosen games are excluded by an override" in none.err
    assert list(second.iterdir()) == []


def test_a_set_one_of_whose_discs_is_excluded_is_left_out_whole(cli: Any,
                                                                tmp_path: Path) -> None:
    # review: the deploy said the excluded disc was not deployed, then completed its set with
    # it; a set is one game: it goes whole or not at all, with the library's playlist of it
    _saga_with_disc_2_excluded(cli, tmp_path, playlist=True)
    for how in (("platform:psx",), ("--auto",)):
        card = tmp_path / f"card{len(how[0])}"
        card.mkdir()
        result = cli("deploy", "1", "--to", str(card), *how)
        assert result.code == 0, result.err
        assert {p.name for p in card.rglob("*") if p.is_file() and ".romrunner" not in p.parts
                } == {"Solo (USA).cue", "Solo (USA).bin"}, how
        if how == ("--auto",):  # (the auto-list leaves the set out whole itself: QA54 F6)
            listed = {g["filename"]: g for g in
                      cli("--json", "autolist", "1").json()["data"]["games"]}
            assert not listed["Saga (USA) (Disc 1).cue"]["included"]
            assert "Disc 2 of its set is left out" in \
                listed["Saga (USA) (Disc 1).cue"]["warnings"][-1]
        else:
            assert "1 multi-disc game left out whole: an override excludes one of its " \
                   "discs (Saga (USA))" in result.err, how
        assert "added to complete" not in result.err, how  # (QA17: said, then undone)


def test_a_selection_left_out_whole_with_its_set_is_no_game_chosen(cli: Any,
                                                                   tmp_path: Path) -> None:
    """QA17: a query choosing only a set one of whose discs is excluded said "2 games chosen",
    wrote `.romrunner/` and recorded an empty deployment, exit 0 — where a query whose games
    are all excluded themselves writes nothing and exits 1. Both are "no game chosen" now, and
    a set left out is not counted as chosen."""
    _saga_with_disc_2_excluded(cli, tmp_path, playlist=False)
    card = tmp_path / "card"
    card.mkdir()
    for dry in (("--dry-run",), ()):
        result = cli("--json", "deploy", "1", "--to", str(card), "title:saga", *dry)
        assert result.code == 1, (dry, result.out)
        chosen = result.json()["data"]["chosen"]
        assert (chosen["games"], chosen["excluded"], chosen["excluded_with_set"]) == \
            (0, ["Saga (USA) (Disc 2).cue"], ["Saga (USA) (Disc 1).cue"]), dry
        assert list(card.iterdir()) == [], dry  # nothing written, not even .romrunner/
    said = cli("deploy", "1", "--to", str(card), "title:saga")
    assert "no game chosen: every game title:saga chooses is missing, excluded by an " \
           "override, or in a multi-disc set" in said.err
    assert cli("--json", "deploy", "history").json()["data"] == []

    preview = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
    assert preview.code == 0, preview.err
    chosen = preview.json()["data"]["chosen"]
    assert chosen["games"] == 1 and chosen["excluded_with_set"] == ["Saga (USA) (Disc 1).cue"]
    assert cli("deploy", "1", "--to", str(card), "platform:psx", "--dry-run"
               ).out.startswith("1 game chosen (platform:psx)")


def _saga_with_disc_2_excluded(cli: Any, tmp_path: Path, *, playlist: bool) -> None:
    """A library of a two-disc set (with the library's own .m3u of it, or none) and a
    single disc, scanned, with a muOS profile on which disc 2 is excluded."""
    psx = tmp_path / "roms" / "psx"
    psx.mkdir(parents=True)
    cue = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    for stem in ("Saga (USA) (Disc 1)", "Saga (USA) (Disc 2)", "Solo (USA)"):
        (psx / f"{stem}.bin").write_bytes(rom(stem) * 8)
        (psx / f"{stem}.cue").write_text(cue.format(stem))
    if playlist:
        (psx / "Saga (USA).m3u").write_text("Saga (USA) (Disc 1).cue\nSaga (USA) (Disc 2).cue\n")
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    ids = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert cli("override", "set", "--game", str(ids["Saga (USA) (Disc 2).cue"]),
               "--profile", "1", "--exclude").code == 0


def test_a_copy_of_an_excluded_game_that_is_deployed_is_said(
        cli: Any, tmp_path: Path) -> None:
    """QA28 F7: the override excludes a file; its zip, the same catalog game, was deployed
    after "excluded by an override: not deployed" named the game. Said now."""
    import hashlib
    import zipfile
    import zlib
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    data = rom("tetris")
    (folder / "Tetris (Japan).gb").write_bytes(data)
    with zipfile.ZipFile(folder / "Tetris (Japan).zip", "w") as archive:
        archive.writestr("Tetris (Japan).gb", data)
    dat = tmp_path / "gb.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n'
                   f'game (\n\tname "Tetris (Japan)"\n\trom ( name "Tetris (Japan).gb" size '
                   f'{len(data)} crc {zlib.crc32(data):08X} sha1 '
                   f'{hashlib.sha1(data).hexdigest()} )\n)\n')
    for args in (("dat", "import", dat), ("library", "add", tmp_path / "roms"),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    ids = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert cli("override", "set", "--game", str(ids["Tetris (Japan).gb"]), "--exclude").code == 0
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", card, "title:tetris", "--dry-run")
    assert dry.json()["data"]["chosen"]["excluded_copies"] == ["Tetris (Japan).zip"]
    run = cli("deploy", "1", "--to", card, "title:tetris")
    assert run.code == 0, run.err
    assert "its copy in the library, the same catalog game, is chosen too and deployed " \
        "(Tetris (Japan).zip" in run.err
    assert {p.name for p in card.rglob("Tetris*")} == {"Tetris (Japan).zip"}


def test_a_collection_of_a_platform_the_profile_excludes_is_deployed_and_said(
        cli: Any, tmp_path: Path) -> None:
    """QA85 F12: `profile set --exclude-platforms` (the auto-list's settings) and a
    collection's games of that platform went on the card without a word."""
    ids = _setup(cli, tmp_path)
    nes = tmp_path / "roms" / "nes" / "Delta (USA).nes"
    nes.parent.mkdir()
    nes.write_bytes(rom("Delta (USA).nes"))
    assert cli("scan", "--workers", "1").code == 0
    delta = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"][
        "games"]}["Delta (USA).nes"]
    assert cli("profile", "set", "1", "--exclude-platforms", "nes,gba").code == 0
    assert cli("collection", "create", "picks").code == 0
    assert cli("collection", "add", "picks", str(ids[GAMES[0]]), str(delta)).code == 0
    card = tmp_path / "card"
    card.mkdir()
    said = ("profile 1's auto-list settings leave out nes, but collection:picks chooses 1 "
            "game of it: deployed all the same")
    dry = cli("--json", "deploy", "1", "--to", str(card), "--collection", "picks",
              "--dry-run")
    assert dry.code == 0 and any(w.startswith(said) for w in dry.json()["warnings"]), \
        dry.json()["warnings"]
    run = cli("deploy", "1", "--to", str(card), "--collection", "picks")
    assert run.code == 0 and said in run.err
    assert {p.name for p in card.rglob("*.nes")} == {"Delta (USA).nes"}
    (tmp_path / "card2").mkdir()
    other = cli("--json", "deploy", "2", "--to", str(tmp_path / "card2"), "--collection",
                "picks", "--dry-run")  # (profile 2 excludes nothing)
    assert other.code == 0 and not any("leave out" in w for w in other.json()["warnings"])
    only_gb = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert only_gb.code == 0 and not any("leave out" in w for w in only_gb.json()["warnings"])
    # (review 96 F8: the platforms a profile includes leave out the others as well)
    assert cli("profile", "set", "2", "--include-platforms", "nes").code == 0
    included = cli("--json", "deploy", "2", "--to", str(tmp_path / "card2"), "--collection",
                   "picks", "--dry-run")
    assert included.code == 0 and any(w.startswith(
        "profile 2's auto-list settings leave out gb, but collection:picks chooses 1 game of it")
        for w in included.json()["warnings"]), included.json()["warnings"]
