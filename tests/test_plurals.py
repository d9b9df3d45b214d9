"""Counts are said in the number's form outside deploy too (QA10 F7: "1 files of unknown
type", "1 games" in library ls, dat ls, set-platform)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from romrunner.words import counted, examples, joined


def test_counted_says_the_noun_in_the_numbers_form() -> None:
    assert counted(1, "game") == "1 game"
    assert [counted(n, "file") for n in (0, 2, 1024)] == ["0 files", "2 files", "1,024 files"]
    assert (counted(1, "entry", "entries"), counted(3, "entry", "entries")) == (
        "1 entry", "3 entries")


def test_examples_names_a_few_and_counts_the_rest() -> None:
    names = [f"g{i}.sfc" for i in range(1207)]
    assert examples(names) == "g0.sfc, g1.sfc, g2.sfc and 1,204 more"
    assert examples(names[:3]) == "g0.sfc, g1.sfc, g2.sfc"
    assert examples(names[:4], 5) == "g0.sfc, g1.sfc, g2.sfc, g3.sfc"
    assert examples(names[:7], 5) == "g0.sfc, g1.sfc, g2.sfc, g3.sfc, g4.sfc and 2 more"
    assert examples([]) == ""


def test_joined_lists_as_a_sentence_does() -> None:
    # review48a F7: three profiles' `profile rm` commands were chained "… and … and …"
    assert [joined(["a", "b", "c"][:n]) for n in range(4)] == ["", "a", "a and b",
                                                                "a, b and c"]
    # (p50d: the card's file systems were joined with "or" by hand beside it)
    assert [joined(["a", "b", "c"][:n], last="or") for n in range(4)] == ["", "a", "a or b",
                                                                          "a, b or c"]


def test_examples_with_another_separator_keeps_it_before_the_count() -> None:
    pairs = ["a = b", "c = d", "e = f", "g = h"]
    assert examples(pairs, sep="; ") == "a = b; c = d; e = f; and 1 more"
    assert examples(pairs[:2], sep="; ") == "a = b; c = d"


def test_one_of_each_is_said_in_the_singular(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    (root / "gb" / "Alpha (USA).gb").write_bytes(b"alpha" * 100)
    (root / "gb" / "notes.xyz").write_bytes(b"a note")
    dat = tmp_path / "gb.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n'
                   'game (\n\tname "Beta (USA)"\n\trom ( name "b.gb" size 4 crc 0000000A )\n)\n')
    assert cli("library", "add", root).code == 0
    scanned = cli("scan", "--workers", "1")
    assert scanned.code == 0 and "skipped 1 file of unknown type: .xyz 1" in scanned.out
    listed = cli("library", "ls").out
    assert "  1 game  " in listed and "1 games" not in listed
    imported = cli("dat", "import", dat).out
    assert "version 1, 1 game, 1 rom in" in " ".join(imported.split())
    assert cli("dat", "ls").out.rstrip().endswith("1: 1 game")
    moved = cli("games", "set-platform", "gbc", "1")
    assert moved.code == 0 and moved.out.startswith("1 game set to gbc: ")
    assert "library         1 game in 1 root" in cli("db", "status").out
    fixdat = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", tmp_path / "fix.dat").out
    assert ": 1 missing game (1 ROM) of Nintendo - Game Boy" in " ".join(fixdat.split())
