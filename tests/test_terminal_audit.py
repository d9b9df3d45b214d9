"""Terminal injection audit (issue 17 items 3 and 10): every command's text output, run on a
library whose file names, root name, DAT game names, cache source, device nickname, profile and
collection names all hold ESC/OSC/BEL/C1 sequences, bidi overrides and rich markup, carries no
raw control character to stdout or stderr, and shows the markup literally.

``ROMRUNNER_AUDIT_FIGURES=path.json`` makes the audit write its figures (commands run, outputs
checked, raw control characters found) for ``docs/RELIABILITY.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.packs.loader import builtin_pack_path

# A window-title OSC ended by BEL, a clear-screen CSI, a C1 CSI, rich markup (an OSC 8
# hyperlink if interpreted), an emoji code and a right-to-left override.
HOSTILE = "\x1b]0;pwn\x07\x1b[2J\x9b1m[link=evil]x[i][b]:smile:\u202e"
MARKUP = "[link=evil]x[i]"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SNES_DATA = b"\x5a" * 4096


def _dat_game(title: str, name: str, data: bytes) -> str:
    return (f'game (\n\tname "{title}"\n\trom ( name "{name}" size {len(data)} '
            f"crc {zlib.crc32(data):08x} md5 {hashlib.md5(data).hexdigest()} "
            f"sha1 {hashlib.sha1(data).hexdigest()} )\n)\n")


def hostile_world(base: Path) -> dict[str, Path]:
    """A library root, a DAT, a cache file, a BIOS folder, a card and a pack, all named
    with the hostile string."""
    root = base / f"roms {HOSTILE}"
    snes = root / "snes"
    snes.mkdir(parents=True)
    (snes / f"Game {HOSTILE} (USA).sfc").write_bytes(SNES_DATA)
    (snes / f"Other {HOSTILE} (Japan).sfc").write_bytes(b"\x01" * 2048)
    with zipfile.ZipFile(snes / f"Zip {HOSTILE}.zip", "w") as archive:
        archive.writestr(f"Inner {HOSTILE}.sfc", b"\x02" * 2048)
    (snes / os.fsdecode(b"Bytes \xe9\xff \x1b[31m.sfc")).write_bytes(b"\x03" * 2048)
    psx = root / "psx"
    psx.mkdir()
    (psx / f"Disc {HOSTILE}.cue").write_text(
        f'FILE "Track {HOSTILE}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    dat = base / f"dat {HOSTILE}.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Super Nintendo Entertainment System"\n'
                   f'\tdescription "{HOSTILE}"\n\tversion "1 {HOSTILE}"\n)\n'
                   + _dat_game(f"Game {HOSTILE} (USA)", f"Game {HOSTILE} (USA).sfc", SNES_DATA),
                   encoding="utf-8")
    cache = base / f"cache {HOSTILE}.jsonl"
    cache.write_text(json.dumps({"platform_id": "snes", "emulator_id": "snes9x",
                                 "definition_game_id": f"id{HOSTILE}", "status": "playable",
                                 "notes": HOSTILE, "source_url": f"http://x/{HOSTILE}"}) + "\n"
                     + json.dumps({"platform_id": HOSTILE, "status": HOSTILE}) + "\n")
    bios = base / f"bios {HOSTILE}"
    bios.mkdir()
    (bios / f"scph{HOSTILE}.bin").write_bytes(b"\x04" * 1024)
    (bios / os.fsdecode(b"bad \xff\x9b.bin")).write_bytes(b"\x05" * 1024)
    card = base / f"card {HOSTILE}"
    (card / "Roms" / f"SNES {HOSTILE}").mkdir(parents=True)
    (card / "MUOS").mkdir()
    pack = base / f"pack {HOSTILE}"
    shutil.copytree(builtin_pack_path(), pack)
    platforms = json.loads((pack / "platforms.json").read_text(encoding="utf-8"))
    platforms["version"] = HOSTILE
    platforms["platforms"] += [{**platforms["platforms"][0], "id": f"p{HOSTILE}",
                                "name": HOSTILE}, {"id": HOSTILE, "name": 3}]
    (pack / "platforms.json").write_text(json.dumps(platforms), encoding="utf-8")
    return {"root": root, "dat": dat, "cache": cache, "bios": bios, "card": card,
            "pack": pack, "file": snes / f"Game {HOSTILE} (USA).sfc"}


def audited_commands(world: dict[str, Path], db_path: Path) -> list[list[str]]:
    """Every command group's commands, in an order that builds the state the next need;
    names and arguments hostile wherever the user or the data supplies them."""
    root, source = str(world["root"]), f"src{HOSTILE}"
    return [
        ["library", "add", root], ["library", "add", str(world["root"] / "snes")],
        ["library", "add", str(world["root"].parent / f"absent {HOSTILE}")],
        ["scan", "--workers", "1"], ["library", "ls"],
        ["dat", "import", str(world["dat"])], ["dat", "ls"], ["dat", "rm", HOSTILE],
        ["games", "ls"], ["games", "ls", "--unidentified"], ["games", "ls", "--platform", HOSTILE],
        *(["games", "show", str(number)] for number in range(1, 7)),
        ["games", "show", HOSTILE], ["games", "find", str(world["file"])],
        ["games", "find", "--sha1", hashlib.sha1(SNES_DATA).hexdigest()],
        ["games", "find", "--md5", HOSTILE], ["games", "set-platform", HOSTILE, "1"],
        ["search", "game"], ["search", HOSTILE], ["search", "game", "--platform", HOSTILE],
        ["cache", "import", str(world["cache"]), "--source", source],
        ["cache", "import", str(world["cache"]), "--source", source, "--new-source"],
        ["cache", "sources"], ["cache", "why", "snes", "snes9x", f"id{HOSTILE}"],
        ["cache", "why", HOSTILE, HOSTILE, HOSTILE],
        ["cache", "clear", "--source", source, "--dry-run"],
        ["cache", "clear", "--source", HOSTILE], ["cache", "prune"],
        ["bios", "scan", str(world["bios"])], ["bios", "check"],
        ["bios", "check", "--emulator", HOSTILE], ["bios", "import-dat", str(world["dat"])],
        ["device", "catalog", HOSTILE], ["device", "add", HOSTILE],
        ["device", "add", "rg35xx-plus", "--name", f"nick{HOSTILE}"],  # (refused: QA98 F6)
        ["device", "add", "rg35xx-plus", "--name", f"nick{MARKUP}"], ["device", "ls"],
        ["profile", "create", "--device", "1", "--os", "muos", "--name", f"prof{HOSTILE}"],
        ["profile", "create", "--device", "1", "--os", "muos", "--name", f"prof{MARKUP}"],
        ["profile", "create", "--device", "1", "--os", HOSTILE], ["profile", "ls"],
        ["profile", "show", "1"], ["profile", "os", HOSTILE],
        ["profile", "set", "1", "--include-platforms", HOSTILE],
        ["autolist", "1", "--save", f"col{HOSTILE}"], ["autolist", "1", "--limit", "0"],
        ["profile", "set", "1", "--include-collections", HOSTILE],
        ["destination", "scan", str(world["card"])],
        ["destination", "scan", str(world["card"]), "--expect-os", HOSTILE],
        ["destination", "paths", "1", "--to", str(world["card"])],
        ["destination", "paths", "1", "--to", str(world["card"]), "--set", f"snes={HOSTILE}"],
        ["pack", "status"], ["pack", "validate", str(world["pack"])],
        ["--pack", str(world["pack"]), "pack", "status"],
        ["--pack", str(world["pack"]), "games", "ls", "--platform", f"p{HOSTILE}"],
        ["db", "status"], ["db", "check"], ["db", "stats"],
        ["db", "backup", str(world["root"].parent / f"backup {HOSTILE}.db")],
        ["library", "move", root, str(world["root"].parent / f"moved {HOSTILE}")],
        ["library", "rm", f"nothing {HOSTILE}"],
        ["--db", str(db_path.parent / f"none {HOSTILE}.db"), "games", "ls"],
        ["library", "rm", root],
    ]


# Outputs that show a stored hostile name: the markup must be there, literally.
SHOWS_NAMES = {("library", "ls"), ("games", "ls"), ("games", "show"), ("search", "game"),
               ("dat", "ls"), ("cache", "sources"), ("device", "ls"), ("profile", "ls"),
               ("games", "find"), ("pack", "validate")}


def _raw(text: str) -> list[str]:
    return sorted({repr(char) for char in RAW.findall(text)})


def test_no_command_prints_a_raw_control_character(cli: Any, tmp_path: Path, db_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    world = hostile_world(tmp_path / "w")
    commands = audited_commands(world, db_path)
    leaks, internal, literal = [], [], set()
    outputs = 0
    for args in commands:
        result = cli(*args)
        outputs += 2
        for stream, text in (("stdout", result.out), ("stderr", result.err)):
            if _raw(text):
                leaks.append((" ".join(args[:2]), stream, _raw(text)))
        if "internal error" in result.err or "Traceback" in result.err:
            internal.append((" ".join(args[:2]), result.err.strip()[-200:]))
        if MARKUP in result.out:
            literal.add(tuple(args[:2]))
    groups = {tuple(args[:1]) for args in commands if not args[0].startswith("--")}
    figures = {"commands": len(commands), "groups": len(groups), "outputs": outputs,
               "leaks": len(leaks), "internal_errors": len(internal)}
    if os.environ.get("ROMRUNNER_AUDIT_FIGURES"):
        Path(os.environ["ROMRUNNER_AUDIT_FIGURES"]).write_text(json.dumps(figures))
    assert leaks == []
    assert internal == []
    assert SHOWS_NAMES - literal == set()


def test_json_keeps_the_hostile_names_exact(cli: Any, tmp_path: Path) -> None:
    world = hostile_world(tmp_path / "w")
    assert cli("library", "add", str(world["root"])).code == 0
    assert cli("scan", "--workers", "1").code in (0, 1)
    names = {row["filename"] for row in cli("--json", "games", "ls").json()["data"]["games"]}
    assert f"Game {HOSTILE} (USA).sfc" in names


def test_bios_scan_of_undecodable_names_is_stored_escaped(cli: Any, tmp_path: Path,
                                                          db_path: Path) -> None:
    """Issue 17 item 11: a BIOS folder (and file) whose names are not UTF-8 is scanned, not
    an internal error; rescans find the same rows."""
    folder = tmp_path / os.fsdecode(b"bios \xe9")
    folder.mkdir()
    (folder / os.fsdecode(b"scph\xff.bin")).write_bytes(b"\x05" * 1024)
    for _ in range(2):
        result = cli("--json", "bios", "scan", str(folder))
        assert result.code == 0, result.err
        assert result.json()["data"]["scanned"] == 1
    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT filepath, filename FROM bios_files").fetchall()
    conn.close()
    assert stored == [(f"{folder}".replace("\udce9", "\\xe9") + "/scph\\xff.bin",
                       "scph\\xff.bin")]


# -- "internal error" audit (issue 17 item 11): every hostile input is one line naming it -----

HUGE = str(10 ** 30)  # beyond SQLite's 64-bit integers


def hostile_inputs(base: Path) -> list[list[str]]:
    """Commands given inputs the issue found crashing: symbolic-link loops, sizes and ids
    beyond any integer SQLite stores, NaN, FIFOs, undecodable names, deep nesting."""
    base.mkdir(parents=True, exist_ok=True)
    loop = base / "loop"
    loop.symlink_to(loop)
    (base / "cycle" / "a").mkdir(parents=True)
    (base / "cycle" / "a" / "back").symlink_to(base / "cycle")
    fifo = base / "fifo.dat"
    os.mkfifo(fifo)
    huge_dat = base / "huge.dat"
    huge_dat.write_text('clrmamepro (\n\tname "Nintendo - Game Boy"\n)\ngame (\n\tname "A"\n'
                        f'\trom ( name "a.gb" size {HUGE}0 crc 00000000 )\n)\n')
    rows = base / "rows.jsonl"
    rows.write_text("\n".join([
        '{"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": "a", '
        '"status": NaN}',
        '{"platform_id": ["psx"], "emulator_id": {}, "definition_game_id": 1e400, '
        '"status": true}',
        f'{{"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": {HUGE}, '
        '"status": "playable", "confidence": ""}',
        '{"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": "", '
        '"status": "playable"}',
        '{"platform_id": "\\ud800", "emulator_id": "duckstation", "definition_game_id": "b", '
        '"status": "playable"}',
        "[" * 100_000 + "]" * 100_000]) + "\n")
    deep = base / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    return [
        ["library", "add", str(loop)], ["library", "add", str(base / "cycle")],
        ["scan", "--workers", "1"],
        ["dat", "import", str(huge_dat)], ["dat", "import", str(fifo)],
        ["games", "find", str(fifo)], ["bios", "import-dat", str(fifo)],
        ["cache", "import", str(rows), "--source", "community-verified"],
        ["cache", "import", str(deep), "--source", "community-verified"],
        ["cache", "import", str(fifo), "--source", "community-verified"],
        ["games", "show", HUGE], ["games", "set-platform", "snes", HUGE],
        ["games", "find", "--crc32", "00000000", "--size", HUGE],
        ["cache", "why", "psx", "duckstation", "x", "--kind", "performance", "--profile", HUGE],
        ["bios", "check", "--profile", HUGE], ["device", "rm", HUGE],
        ["profile", "create", "--device", HUGE, "--os", "muos"], ["profile", "show", HUGE],
        ["profile", "set", HUGE, "--mode", "strict"], ["profile", "rm", HUGE],
        ["autolist", HUGE], ["destination", "paths", HUGE, "--to", str(base)],
        ["cache", "prune", "--grace-factor", "nan"],
        ["device", "add", "rg35xx-plus"],
        ["profile", "create", "--device", "1", "--os", "muos"],
        ["profile", "set", "1", "--max-per-platform", HUGE],
        ["--db", str(fifo), "games", "ls"], ["--pack", str(fifo), "pack", "status"],
    ]


def test_hostile_inputs_are_one_line_errors_never_internal(cli: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    assert cli("db", "init").code == 0
    found = []
    for args in hostile_inputs(tmp_path / "inputs"):
        result = cli(*args)
        lines = [line for line in result.err.strip().splitlines()
                 if not line.startswith(("warning", "  "))]
        if "internal error" in result.err or "Traceback" in result.err or len(lines) > 1:
            found.append((" ".join(args[:2]), result.err.strip()[-160:]))
        elif result.code == 2 and not lines:
            found.append((" ".join(args[:2]), "exit 2 without an error line"))
    assert found == [], "\n".join(map(str, found))


def test_a_huge_id_is_named_not_rounded(cli: Any) -> None:
    assert cli("db", "init").code == 0
    result = cli("games", "set-platform", "snes", HUGE)
    assert result.code == 2
    assert HUGE in result.err and "19884624838656" not in result.err
