"""Review 77: what proves a card file ours before a deploy replaces or removes it.

R1: an update of a game replaced our copy that the user had edited in place at its size and
time (a card file system that keeps a file's time when it is rewritten, or `touch -r`) without
reading it, without --overwrite, and without a word.
R3: a file put at a path the run had found empty was renamed over when its copy came.
R5 (QA76 F2): a game the library knows by its CRC32 only lost its old copy before its new copy
(in a new folder) was written: a copy that failed left the card without the game.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path
from typing import Any

from romrunner.deploy.execute import DeployOptions, Progress, deploy
from romrunner.deploy.plan import build_plan
from romrunner.deploy.select import choose_games
from romrunner.devices.paths import card_layout
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
from tests.test_deploy_support import card_files

NAMES = ("Alpha (USA)", "Bravo (USA)", "Charlie (USA)")


def _rom(n: int, size: int = 4096) -> bytes:
    return bytes((n * 37 + j * 11) % 251 for j in range(size + n * 512))


def _library(cli: Any, tmp_path: Path) -> Path:
    """Three Game Boy games, identified by a DAT (so known by CRC32 + size only, as a first
    scan with a catalog leaves them), profile 1 on muOS."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    lines = ['clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n']
    for n, name in enumerate(NAMES):
        data = _rom(n)
        (gb / f"{name}.gb").write_bytes(data)
        lines.append(f'game (\n\tname "{name}"\n\trom ( name "{name}.gb" size {len(data)} '
                     f'crc {zlib.crc32(data):08X} md5 {hashlib.md5(data).hexdigest()} '
                     f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    dat = tmp_path / "gb.dat"
    dat.write_text("".join(lines))
    for args in (("library", "add", str(tmp_path / "lib")), ("dat", "import", str(dat)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return gb


def _card_path(card: Path, name: str) -> Path:
    return next(p for p in card.rglob(f"{name}.gb") if ".romrunner" not in p.parts)


def test_an_update_never_replaces_our_copy_edited_in_place_at_its_time(
        cli: Any, tmp_path: Path) -> None:
    gb = _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    ours = _card_path(card, "Alpha (USA)")
    before = ours.stat()
    edited = b"PLAYER'S PATCH!!" + ours.read_bytes()[16:]  # same size, other bytes
    ours.write_bytes(edited)
    os.utime(ours, ns=(before.st_atime_ns, before.st_mtime_ns))  # its time kept
    source = gb / "Alpha (USA).gb"
    source.write_bytes(bytes(255 - b for b in source.read_bytes()))  # a new version
    assert cli("scan", "--workers", "1").code == 0

    preview = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    notes = preview.json()["data"]["conflict_notes"]
    assert "edited in place" in notes[str(ours.relative_to(card))], preview.out
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert run.json()["data"]["copied"] == 0, run.out
    assert run.json()["data"]["conflicts"] == 1, run.out
    assert ours.read_bytes() == edited  # the player's bytes, kept

    forced = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--overwrite")
    assert forced.json()["data"]["copied"] == 1, forced.out
    assert ours.read_bytes() == source.read_bytes()
    assert [r["path"] for r in forced.json()["data"]["replaced"]] == [
        str(ours.relative_to(card))]  # and said so


def test_an_update_of_our_unchanged_copy_still_replaces_it(cli: Any, tmp_path: Path) -> None:
    """The check of R1 reads the card's copy: one unchanged is replaced as before."""
    gb = _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    source = gb / "Bravo (USA).gb"
    source.write_bytes(bytes(255 - b for b in source.read_bytes()))
    assert cli("scan", "--workers", "1").code == 0
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert (run.json()["data"]["copied"], run.json()["data"]["conflicts"]) == (1, 0), run.out
    assert _card_path(card, "Bravo (USA)").read_bytes() == source.read_bytes()
    assert run.json()["data"]["replaced"] == []  # ours: no file of the player's replaced


def _run(db_path: Path, card: Path, words: list[str], on_tick: Any,
         prune: bool = False) -> Any:
    pack = load_pack(None)
    db = open_database(db_path, OpenMode.WRITE).db
    try:
        layout = card_layout(db, pack, 1, card)
        chosen = choose_games(db, pack, 1, layout, words=words)
        plan = build_plan(db, layout, chosen.game_ids, pack=pack, profile_id=1, pruning=prune)
        return deploy(db, plan, profile_id=1, options=DeployOptions(prune=prune),
                      progress=lambda p: on_tick(plan, p))
    finally:
        db.close()


def test_a_file_put_at_our_path_during_the_run_is_never_renamed_over(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    theirs = b"THE PLAYER'S OWN FILE"
    put: list[Path] = []

    def the_player_copies_a_file(plan: Any, progress: Progress) -> None:
        if not put:  # at the first file: the last file's path, empty when the run decided
            target = card / plan.items[-1].dest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(theirs)
            put.append(target)

    summary = _run(db_path, card, ["platform:gb"], the_player_copies_a_file)
    assert put and put[0].read_bytes() == theirs
    assert summary.copied == 2 and summary.failed == 1, summary
    assert any("during the deploy" in e["error"] for e in summary.errors), summary.errors
    assert not [p for p in card.rglob(".rr-tmp-*")]


def test_a_moved_game_known_by_crc32_only_keeps_its_old_copy_until_the_new_is_written(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    gb = _library(cli, tmp_path)
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert {g["match_method"] for g in games} == {"crc32"}  # known by CRC32 + size only
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    old = _card_path(card, "Bravo (USA)")
    old_bytes = old.read_bytes()
    assert cli("destination", "paths", "1", "--to", str(card), "--set", "gb=roms/GB2").code == 0

    def the_share_changes_bravo(plan: Any, progress: Progress) -> None:
        if "GB2/Bravo" in progress.current and old.exists():
            with (gb / "Bravo (USA).gb").open("ab") as handle:  # its new copy then fails
                handle.write(b"\0")

    summary = _run(db_path, card, ["platform:gb"], the_share_changes_bravo, prune=True)
    assert summary.failed == 1 and summary.pruned == 2, summary
    assert old.read_bytes() == old_bytes  # the game keeps its old copy on the card
    assert {name for name in card_files(card) if name.startswith("roms/GB2/")} == {
        "roms/GB2/Alpha (USA).gb", "roms/GB2/Charlie (USA).gb"}
