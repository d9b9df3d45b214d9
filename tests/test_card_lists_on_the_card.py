"""The files a card's playlist or sheet names, as a deploy reads them (which files a prune
keeps for another profile's playlist, which a collided library playlist holds): only files on
the card — a name leading off it (``../``, an absolute path) names nothing (review53a F1: such
paths were recorded among the files held, as if on the card)."""

from __future__ import annotations

from pathlib import Path

from romrunner.deploy.execute import Claims, _named_by_kept_lists_note
from romrunner.deploy.legal import filesystem_named
from romrunner.deploy.saves import listed_by_sheets
from romrunner.store.open import OpenMode, open_database


def test_a_card_list_names_only_files_on_the_card(tmp_path: Path) -> None:
    card = tmp_path / "card"
    folder = card / "roms" / "psx"
    folder.mkdir(parents=True)
    (tmp_path / "outside.bin").write_bytes(b"not the card's")
    (folder / "Mix (Disc 1).cue").write_text(
        'FILE "Mix (Disc 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
        'FILE "../../../outside.bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')
    (folder / "Mix.m3u").write_text(
        "Mix (Disc 1).cue\n./.Mix/Mix (Disc 2).cue\n../../../outside.bin\n"
        f"{tmp_path / 'outside.bin'}\nsub/../../../../x.bin\n")
    assert listed_by_sheets(card, ["roms/psx/Mix.m3u"]) == {
        "roms/psx/Mix (Disc 1).cue", "roms/psx/Mix (Disc 1).bin",
        "roms/psx/.Mix/Mix (Disc 2).cue"}


def test_the_note_of_files_kept_for_many_lists_names_a_few(tmp_path: Path) -> None:
    # review53a F2 (low): every kept list was named — 5,000 sets made one line of 355 KB,
    # and its count had no thousands separator
    card = tmp_path / "card"
    card.mkdir()
    db = open_database(tmp_path / "db.sqlite", OpenMode.WRITE).db
    try:
        claims = Claims(db, card, "", filesystem_named("ext4"))
        for n in range(1200):
            playlist = f"roms/psx/Set {n:04}.m3u"
            claims.prune_other_computer[playlist] = "computer 'den'"
            claims.prune_named[f"roms/psx/.Set {n:04}/Set {n:04} (Disc 1).cue"] = playlist
        note = _named_by_kept_lists_note(claims, "keeps")
    finally:
        db.close()
    assert "1,200 files" in note and len(note) < 1000, note
    assert note.count("kept for computer 'den'") == 3 and "and 1,197 more" in note, note
