"""A disc sheet that names its track with a Windows path (QA5 finding 8: ``FILE
"tr\\Zeta (USA).bin"``), in a folder of its own (``sub/Beta (USA).bin``: PCSX ReARMed looks
only beside the sheet) or with characters FAT32 cannot hold (QA7 F8: ``Dark: Tower?``): the
scan finds the track where Windows would, and the card gets the track beside its sheet under a
legal name, with the sheet's FILE line naming it — the library's files unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from romrunner.deploy.execute import DeployOptions, deploy
from romrunner.deploy.legal import FileSystem, legal_component
from tests.test_deploy_support import Layout, make_library

SHEET = 'FILE "{}" BINARY\r\n  TRACK 01 MODE2/2352\r\n    INDEX 01 00:00:00\r\n'


def _disc(folder: Path, title: str, track: str, seed: int) -> None:
    (folder / track.replace("\\", "/")).parent.mkdir(parents=True, exist_ok=True)
    (folder / track.replace("\\", "/")).write_bytes(bytes([seed]) * 2352 * 2)
    (folder / f"{title}.cue").write_bytes(SHEET.format(track).encode())


def _setup(cli: Any, tmp_path: Path, discs: list[tuple[str, str, int]]) -> Path:
    psx = tmp_path / "lib" / "psx"
    for title, track, seed in discs:
        _disc(psx, title, track, seed)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    scan = cli("--json", "scan", "--workers", "1")
    assert scan.code == 0 and scan.json()["data"]["errors"] == []
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    return psx


def _on_card(card: Path) -> dict[str, bytes]:
    return {p.relative_to(card).as_posix(): p.read_bytes() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def test_tracks_in_a_folder_or_named_with_a_backslash_go_beside_their_sheet(
        cli: Any, tmp_path: Path) -> None:
    psx = _setup(cli, tmp_path, [("Zeta (USA)", "tr\\Zeta (USA).bin", 1),
                                 ("Beta (USA)", "sub/Beta (USA).bin", 2),
                                 ("Alpha (USA)", "Alpha (USA).bin", 3)])
    library = {p: p.read_bytes() for p in psx.rglob("*") if p.is_file()}
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    zeta = cli("--json", "games", "show", str(games["Zeta (USA).cue"]["id"])).json()["data"]
    # The scan reads the Windows path as its folder: the track is found and sized.
    assert [(f["name"], f["file_size"]) for f in zeta["files"]] == [("tr/Zeta (USA).bin",
                                                                      4704)]
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    assert any(w.startswith("2 disc sheets name tracks in a folder") and "Zeta (USA).cue" in w
               for w in result.json()["warnings"])
    assert _on_card(card) == {
        "ROMS/psx/Alpha (USA).cue": SHEET.format("Alpha (USA).bin").encode(),
        "ROMS/psx/Alpha (USA).bin": bytes([3]) * 4704,
        "ROMS/psx/Beta (USA).cue": SHEET.format("Beta (USA).bin").encode(),
        "ROMS/psx/Beta (USA).bin": bytes([2]) * 4704,
        "ROMS/psx/Zeta (USA).cue": SHEET.format("Zeta (USA).bin").encode(),
        "ROMS/psx/Zeta (USA).bin": bytes([1]) * 4704}
    assert {p: p.read_bytes() for p in psx.rglob("*") if p.is_file()} == library
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--verify")
    assert again.code == 0, again.err
    assert (again.json()["data"]["copied"], again.json()["data"]["failed"]) == (0, 0)


def test_a_track_fat32_cannot_name_gets_a_legal_name_beside_its_sheet(tmp_path: Path) -> None:
    """QA7 F8: ``FILE "Dark: Tower? (USA).bin"`` left the disc out on a FAT32 card."""
    track = bytes([4]) * 4704
    library = make_library(tmp_path, {
        "psx/Dark Tower (USA).cue": SHEET.format("Dark: Tower? (USA).bin").encode(),
        "psx/Dark: Tower? (USA).bin": track})
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card, fs=FileSystem.FAT32))
    assert plan.errors == []
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    legal = legal_component("Dark: Tower? (USA).bin", FileSystem.FAT32)
    assert legal != "Dark: Tower? (USA).bin" and summary.copied == 2
    assert _on_card(card) == {"Roms/psx/Dark Tower (USA).cue": SHEET.format(legal).encode(),
                              f"Roms/psx/{legal}": track}


def test_a_disc_deployed_with_its_track_in_a_folder_moves_beside_its_sheet_with_prune(
        tmp_path: Path) -> None:
    """A card filled before the tracks went beside their sheet (written here as that release
    did: the sheet as it is, its track in its folder, both ours): the next deploy writes the
    sheet's new text and its track beside it; --prune removes the old copy in the folder."""
    track = bytes([2]) * 4704
    library = make_library(tmp_path, {
        "psx/Beta (USA).cue": SHEET.format("sub/Beta (USA).bin").encode(),
        "psx/sub/Beta (USA).bin": track})
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    for item in plan.items:  # as the earlier release planned it
        if item.dest.endswith(".cue"):
            item.content = None
            item.source = str(library.root / "psx/Beta (USA).cue")
            item.size = (library.root / "psx/Beta (USA).cue").stat().st_size
            item.source_mtime_ns = (library.root / "psx/Beta (USA).cue").stat().st_mtime_ns
        else:
            item.dest = "Roms/psx/sub/Beta (USA).bin"
    deploy(library.db, plan, profile_id=library.profile_id)
    assert set(_on_card(card)) == {"Roms/psx/Beta (USA).cue", "Roms/psx/sub/Beta (USA).bin"}
    moved = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   options=DeployOptions(prune=True, force_prune=True))
    assert moved.pruned == 1 and moved.failed == 0
    assert _on_card(card) == {"Roms/psx/Beta (USA).cue": SHEET.format("Beta (USA).bin").encode(),
                              "Roms/psx/Beta (USA).bin": track}


def test_a_rewritten_sheet_loses_its_byte_order_mark(tmp_path: Path) -> None:
    """QA8 N7: PCSX ReARMed compares each line's first word with FILE; a BOM before it hides
    the sheet's first FILE line. The sheets the deploy writes have none."""
    track = bytes([5]) * 4704
    library = make_library(tmp_path, {
        "psx/Bom (USA).cue": b"\xef\xbb\xbf" + SHEET.format("data/t1.bin").encode(),
        "psx/data/t1.bin": track})
    card = tmp_path / "card"
    card.mkdir()
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert _on_card(card) == {"Roms/psx/Bom (USA).cue": SHEET.format("t1.bin").encode(),
                              "Roms/psx/t1.bin": track}


def test_a_sheet_naming_its_track_in_another_case_or_in_cp1252_names_it_on_the_card(
        tmp_path: Path) -> None:
    """QA8 N7: the scan finds `track 01.bin` for `FILE "Track 01.BIN"` and `Poké (Europe).bin`
    for a Windows-1252 FILE line; the card's sheet must name the file as it is there (a card
    that tells case apart, a frontend reading UTF-8)."""
    track, poke = bytes([6]) * 4704, bytes([7]) * 4704
    library = make_library(tmp_path, {
        "psx/Case (USA).cue": SHEET.format("Track 01.BIN").encode(),
        "psx/track 01.bin": track,
        "psx/Poke (Europe).cue": SHEET.format("Poké (Europe).bin").encode("cp1252"),
        "psx/Poké (Europe).bin": poke})
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card, fs=FileSystem.POSIX))
    assert plan.errors == []
    deploy(library.db, plan, profile_id=library.profile_id)
    assert _on_card(card) == {
        "Roms/psx/Case (USA).cue": SHEET.format("track 01.bin").encode(),
        "Roms/psx/track 01.bin": track,
        "Roms/psx/Poke (Europe).cue": SHEET.format("Poké (Europe).bin").encode(),
        "Roms/psx/Poké (Europe).bin": poke}


def test_a_track_an_earlier_scan_kept_as_a_game_goes_only_as_the_discs_track(
        tmp_path: Path) -> None:
    """QA9 F1: a library scanned by a release that could not read a sheet's FILE name (in
    Windows-1252, or another case) has the track as a game of its own too; chosen with the
    disc, it went on the card twice and the set's .m3u listed it as a disc."""
    track = bytes([8]) * 4704
    library = make_library(tmp_path, {"psx/Saga (USA).cue": SHEET.format("Saga (USA).bin").encode(),
                                      "psx/Saga (USA).bin": track})
    bin_path = library.root / "psx/Saga (USA).bin"
    info = bin_path.stat()
    root_id = library.db.scalar("SELECT root_id FROM games LIMIT 1")
    with library.db.atomic():  # the row such a scan left
        library.db.execute(
            "INSERT INTO games (root_id, filepath, file_size, file_mtime_ns, platform_id) "
            "VALUES (?, 'psx/Saga (USA).bin', ?, ?, 'psx')",
            (root_id, info.st_size, info.st_mtime_ns))
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    assert [w.code for w in plan.warnings if w.code == "track-as-game"] == ["track-as-game"]
    deploy(library.db, plan, profile_id=library.profile_id)
    assert _on_card(card) == {"Roms/psx/Saga (USA).cue": SHEET.format("Saga (USA).bin").encode(),
                              "Roms/psx/Saga (USA).bin": track}


def test_a_sheet_is_not_written_when_its_track_was_not(tmp_path: Path) -> None:
    """QA9 F4: a track that failed (here changed after the plan; on a card, a write error)
    left its sheet on the card naming nothing: a game the frontend lists that cannot start."""
    library = make_library(tmp_path, {"psx/Saga (USA).cue": SHEET.format("Saga (USA).bin").encode(),
                                      "psx/Saga (USA).bin": bytes([9]) * 4704,
                                      "psx/Solo (USA).cue": SHEET.format("Solo (USA).bin").encode(),
                                      "psx/Solo (USA).bin": bytes([3]) * 4704})
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    with (library.root / "psx/Saga (USA).bin").open("ab") as track:
        track.write(b"changed after the plan")
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.failed == 2
    assert set(_on_card(card)) == {"Roms/psx/Solo (USA).cue", "Roms/psx/Solo (USA).bin"}
    assert any("another file of its game was not" in e["error"] for e in summary.errors)


def test_a_prune_removes_a_discs_sheet_before_its_tracks(tmp_path: Path) -> None:
    """QA9 F3: a run killed during a prune left sheets whose tracks were gone (the frontend
    lists a game that cannot start); sheets and playlists go first now."""
    library = make_library(tmp_path, {
        "psx/Saga (USA).cue": (SHEET.format("Saga (USA) (Track 1).bin")
                               + SHEET.format("Saga (USA) (Track 2).bin")).encode(),
        "psx/Saga (USA) (Track 1).bin": bytes([1]) * 4704,
        "psx/Saga (USA) (Track 2).bin": bytes([2]) * 4704,
        "gb/Tiny (USA).gb": bytes([4]) * 4096})
    card = tmp_path / "card"
    card.mkdir()
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    order: list[str] = []
    tiny = [i for i in library.game_ids()
            if "Tiny" in str(library.db.scalar("SELECT filepath FROM games WHERE id = ?", (i,)))]
    summary = deploy(library.db, library.plan(Layout(card), tiny), profile_id=library.profile_id,
                     options=DeployOptions(prune=True, force_prune=True),
                     progress=lambda p: order.append(p.current))
    assert summary.pruned == 3
    removed = [path for path in order if "Saga" in path]
    assert removed[0].endswith(".cue") and len(set(removed)) == 3
