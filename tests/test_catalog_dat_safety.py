"""DAT import never loses or half-replaces a catalog: a DAT that does not parse to its end is
refused and changes nothing; reads are bounded; replacing and removing a catalog say what
they did; FIFOs are refused at once; `bios import-dat` takes only BIOS DATs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import romrunner.packs
from romrunner.catalog.datfile import read_dat
from romrunner.errors import InputError
from romrunner.store import Database
from tests.conftest import CliResult, shared_path

HEADER = 'clrmamepro (\n\tname "{system}"\n\tversion "{version}"\n)\n'


def rom_line(name: str, data: bytes) -> str:
    return (f'\trom ( name "{name}" size {len(data)} crc {zlib.crc32(data):08X} '
            f'md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )\n')


def dat_text(system: str, games: dict[str, bytes], version: str = "1") -> str:
    parts = [HEADER.format(system=system, version=version)]
    for name, data in games.items():
        parts.append(f'game (\n\tname "{name}"\n{rom_line(name + ".sfc", data)})\n')
    return "".join(parts)


def catalog_rows(db_path: Path) -> list[tuple[Any, ...]]:
    if not db_path.exists():  # a refused first import leaves no database behind
        return []
    db = Database(db_path)
    try:
        return [tuple(row) for row in db.query(
            "SELECT s.name, s.version, count(g.id) FROM catalog_sources s "
            "LEFT JOIN catalog_games g ON g.source_id = s.id GROUP BY s.id ORDER BY s.name")]
    finally:
        db.close()


def one_line_error(result: CliResult) -> str:
    assert result.code == 2, (result.out, result.err)
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    assert "internal error" not in result.err
    return result.err


def run_bounded(args: list[str], env: dict[str, str], *, memory: int = 1 << 30,
                timeout: float = 120) -> CliResult:
    """``romrunner ARGS`` in a child with an address-space limit and a timeout (a hang or a
    memory blow-up fails the test instead of the machine)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        proc = subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args],
                              capture_output=True, text=True, env={**os.environ, **env},
                              timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"romrunner {' '.join(args)} did not finish: {exc}") from None
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# -- a DAT that does not parse to its end is refused and changes nothing -----------------
def test_truncated_real_dat_is_refused_and_the_catalog_kept(cli: Any, db_path: Path,
                                                            tmp_path: Path) -> None:
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    assert cli("dat", "import", real).code == 0
    before = catalog_rows(db_path)
    assert before == [("Nintendo - Game Boy", "2026.08.01", 2238)]
    truncated = tmp_path / "Nintendo - Game Boy.dat"
    data = real.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 10])  # cut inside a game block
    error = one_line_error(cli("dat", "import", truncated))
    assert str(truncated) in error and "truncated" in error
    assert catalog_rows(db_path) == before


@pytest.mark.parametrize(("text", "expected"), [
    ('game (\n\tname "A"\n\trom ( name "a.sfc" size 4 crc 00000001 )\n)\n)\n', "closes no block"),
    ('game (\n\tname "A\n\trom ( name "a.sfc" size 4 crc 00000001 )\n)\n', "unbalanced quote"),
    ('game (\n\tname "A"\n\trom ( name "a.sfc" size 4 crc 00000001 )\n', "ends inside"),
    ('game (\n\tname "A"\n\trom ( name "a.sfc" size 4 crc 00000001 )\n)\ngame\n',
     "ends after 'game' on line 9 with no block"),  # cut right after a keyword (4-line header)
])
def test_unbalanced_dat_is_refused(cli: Any, db_path: Path, tmp_path: Path, text: str,
                                   expected: str) -> None:
    dat = tmp_path / "broken.dat"
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="1") + text)
    error = one_line_error(cli("dat", "import", dat))
    assert expected in error and "broken.dat" in error
    assert catalog_rows(db_path) == []


def test_broken_logiqx_xml_is_refused(cli: Any, db_path: Path, tmp_path: Path) -> None:
    real = shared_path("dats", "logiqx", "MAME 2000 XML.dat")
    truncated = tmp_path / "mame.dat"
    truncated.write_bytes(real.read_bytes()[:400_000])
    error = one_line_error(cli("dat", "import", truncated))
    assert "mame.dat" in error and "XML" in error
    garbled = tmp_path / "garbled.dat"
    garbled.write_text('<?xml version="1.0"?>\n<datafile><game name="a"><rom name="x" '
                       'size="1" crc="00000000"/></game><game name="b"></datafile>\n')
    one_line_error(cli("dat", "import", garbled))
    assert catalog_rows(db_path) == []


def test_a_dat_in_a_zip_gzip_or_utf16_is_said_as_such(cli: Any, db_path: Path,
                                                       tmp_path: Path) -> None:
    """QA146 F9: No-Intro's own download (a zip of the DAT), a gzipped or a UTF-16 DAT was
    "not a clrmamepro or Logiqx XML DAT", which sent the user looking for a format problem."""
    import gzip

    text = ('clrmamepro (\n\tname "Nintendo - Game Boy"\n)\n\ngame (\n\tname "A"\n'
            '\trom ( name "a.gb" size 1 crc 00000000 )\n)\n')
    zipped = tmp_path / "gb.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("Nintendo - Game Boy.dat", text)
    gzipped = tmp_path / "gb.dat.gz"
    gzipped.write_bytes(gzip.compress(text.encode()))
    utf16 = tmp_path / "gb16.dat"
    utf16.write_bytes(text.encode("utf-16"))
    for path, said in ((zipped, "a zip archive: extract the .dat inside it"),
                       (gzipped, "gzip-compressed file: decompress it"),
                       (utf16, "UTF-16 text: save it as UTF-8")):
        error = one_line_error(cli("dat", "import", path))
        assert f"{path}: not a clrmamepro or Logiqx XML DAT but " in error and said in error
    assert catalog_rows(db_path) == []


def test_several_files_are_one_unit(cli: Any, db_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "gb.dat"
    good.write_text(dat_text("Nintendo - Game Boy", {"Alpha (USA)": b"a" * 64}))
    bad = tmp_path / "gba.dat"
    bad.write_text(dat_text("Nintendo - Game Boy Advance", {"Beta (USA)": b"b" * 64})[:-3])
    one_line_error(cli("dat", "import", good, bad))
    assert catalog_rows(db_path) == []
    assert cli("dat", "import", good).code == 0
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", "1", 1)]


def catalog_roms(db_path: Path) -> list[tuple[Any, ...]]:
    db = Database(db_path)
    try:
        return [tuple(row) for row in db.query(
            "SELECT g.name, r.name, r.size, r.crc32, r.md5, r.sha1 FROM catalog_roms r "
            "JOIN catalog_games g ON g.id = r.catalog_game_id ORDER BY g.name, r.name")]
    finally:
        db.close()


def test_a_rom_value_no_file_can_have_is_dropped_with_a_warning_naming_it(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA10 F7: `size abc`, `crc ZZZZ`, `size -5` and a size beyond any file get one rule, in
    both formats: the value is dropped from its entry with a warning naming the file, the
    game, the ROM and the value, counted in the summary; the rest of the DAT is imported."""
    dat = tmp_path / "odd.dat"
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="1")
                   + 'game (\n\tname "Bad (USA)"\n\trom ( name "x.gb" size abc crc ZZZZ '
                   'sha1 0123456789abcdef0123456789abcdef01234567 )\n)\n'
                   + 'game (\n\tname "Neg (USA)"\n\trom ( name "n.gb" size -5 crc 0000000A )\n)\n'
                   + 'game (\n\tname "Big (USA)"\n\trom ( name "big.gb" size '
                   + "1" + "0" * 29 + " crc 00000001 )\n)\n"
                   + 'game (\n\tname "Good (USA)"\n\trom ( name "g.gb" size 4 crc 0000000B )\n)\n')
    done = cli("dat", "import", dat)
    assert done.code == 0, done.err
    warned = [line for line in done.err.splitlines() if "imported without it" in line]
    assert warned == [f"warning: {dat}: {line}; imported without it" for line in (
        "game 'Bad (USA)', rom 'x.gb': size 'abc' is not a number",
        "game 'Bad (USA)', rom 'x.gb': crc 'ZZZZ' is not a CRC32",
        "game 'Neg (USA)', rom 'n.gb': size -5 is not a possible file size",
        "game 'Big (USA)', rom 'big.gb': size 1" + "0" * 29 + " is not a possible file size")]
    assert "4 games, 4 roms, 4 ROM values dropped" in " ".join(done.out.split())
    assert catalog_roms(db_path) == [
        ("Bad (USA)", "x.gb", None, None, None, "0123456789abcdef0123456789abcdef01234567"),
        ("Big (USA)", "big.gb", None, "00000001", None, None),
        ("Good (USA)", "g.gb", 4, "0000000b", None, None),
        ("Neg (USA)", "n.gb", None, "0000000a", None, None)]
    xml = tmp_path / "odd.xml"
    xml.write_text('<?xml version="1.0"?>\n<datafile><header><name>Arcade</name></header>'
                   '<game name="g"><rom name="r" size="' + "9" * 30 + '" crc="12" md5="zz" '
                   'sha1="0123456789abcdef0123456789abcdef01234567"/></game></datafile>\n')
    as_json = cli("--json", "dat", "import", "--platform", "arcade", xml).json()
    imported = as_json["data"]["imports"][0]
    assert imported["dropped_values"] == 3 and imported["games"] == 1
    assert imported["problems"] == [
        "game 'g', rom 'r': size " + "9" * 30 + " is not a possible file size; imported without it",
        "game 'g', rom 'r': crc '12' is not a CRC32; imported without it",
        "game 'g', rom 'r': md5 'zz' is not an MD5; imported without it"]
    assert len(as_json["warnings"]) == 3


# -- bounded reads -----------------------------------------------------------------------
def test_a_16_mb_quoted_string_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    dat = tmp_path / "long.dat"
    with dat.open("w") as handle:
        handle.write(HEADER.format(system="Nintendo - Game Boy", version="1"))
        handle.write('game (\n\tname "' + "x" * (16 << 20) + '"\n)\n')
    result = run_bounded(["--db", str(tmp_path / "db.sqlite"), "dat", "import", str(dat)], {})
    error = one_line_error(result)
    assert "long.dat: line 6 is longer than" in error


def test_a_long_line_of_tokens_is_refused(cli: Any, tmp_path: Path) -> None:
    dat = tmp_path / "tokens.dat"
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="1")
                   + "game ( name x " + "a b " * (1 << 19) + ")\n")
    assert "line 5 is longer than" in one_line_error(cli("dat", "import", dat))


def test_a_huge_logiqx_attribute_is_refused(tmp_path: Path) -> None:
    dat = tmp_path / "attr.xml"
    with dat.open("w") as handle:
        handle.write('<?xml version="1.0"?>\n<datafile><header><name>MAME</name></header>'
                     '<game name="a" description="' + "y" * (8 << 20) + '"></game></datafile>\n')
    result = run_bounded(["--db", str(tmp_path / "db.sqlite"), "dat", "import", str(dat)], {})
    assert "attr.xml: a tag or text near byte" in one_line_error(result)


def test_a_huge_game_block_is_refused(cli: Any, tmp_path: Path) -> None:
    dat = tmp_path / "block.dat"
    with dat.open("w") as handle:
        handle.write(HEADER.format(system="Nintendo - Game Boy", version="1") + "game (\n")
        line = "\trom ( name r size 1 crc 00000000 )\n"
        handle.write(line * 30_000)
        handle.write(")\n")
    assert "larger than any real DAT entry" in one_line_error(cli("dat", "import", dat))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from('()"\\ \n\tgamerom namesizecrc0123x<>/=?'), max_size=300))
def test_the_readers_raise_only_input_errors(tmp_path: Path, text: str) -> None:
    for prefix in ("clrmamepro ( name \"Nintendo - Game Boy\" )\n", '<?xml version="1.0"?>'):
        dat = tmp_path / "fuzz.dat"
        dat.write_text(prefix + text)
        try:
            result = read_dat(dat)
            for game in result.games:
                assert game.name
        except InputError as exc:
            assert "\n" not in str(exc)


# -- FIFOs are refused at once -----------------------------------------------------------
def test_dat_import_and_games_find_refuse_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.dat"
    os.mkfifo(fifo)
    db = str(tmp_path / "db.sqlite")
    assert run_bounded(["--db", db, "db", "init"], {}, timeout=60).code == 0
    error = one_line_error(run_bounded(["--db", db, "dat", "import", str(fifo)], {}, timeout=60))
    assert "pipe.dat: not a regular file (a FIFO)" in error
    error = one_line_error(run_bounded(["--db", db, "games", "find", str(fifo)], {}, timeout=60))
    assert "pipe.dat: not a regular file (a FIFO)" in error
    assert "a device" in one_line_error(run_bounded(["--db", db, "games", "find", "/dev/zero"],
                                                    {}, timeout=60))


# -- replacing and removing a catalog ----------------------------------------------------
def test_replacing_a_catalog_says_what_changed(cli: Any, tmp_path: Path) -> None:
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha (USA)": b"a" * 64,
                                                    "Beta (USA)": b"b" * 64}, "2025.01.01"))
    first = cli("dat", "import", dat)
    assert first.code == 0 and "version 2025.01.01, 2 games" in first.out
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha (USA)": b"a" * 64,
                                                    "Gamma (USA)": b"c" * 64,
                                                    "Delta (USA)": b"d" * 64}, "2026.08.01"))
    second = cli("dat", "import", dat)
    assert second.code == 0, second.err
    assert "version 2026.08.01, 3 games" in second.out
    assert ("replaced version 2025.01.01 by 2026.08.01: 2 games added, 1 removed, 0 renamed, "
            "0 with other ROMs" in " ".join(second.out.split()))
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha (USA)": b"a" * 64}, "2027.01.01"))
    refused = one_line_error(cli("dat", "import", dat))  # 2 of 3 games removed
    assert "(3 games) by version 2027.01.01 (1 game, 2 removed)" in refused
    data = cli("--json", "dat", "import", "--force", dat).json()["data"]["imports"][0]
    assert data["replaced"] and data["previous_version"] == "2026.08.01"
    assert data["version"] == "2027.01.01"
    assert (data["games_added"], data["games_removed"], data["games"]) == (0, 2, 1)
    again = cli("dat", "import", dat)
    assert "unchanged (1 game)" in again.out


def test_a_new_version_says_renames_and_redumps_and_a_rename_sweep_is_no_removal(
        cli: Any, tmp_path: Path) -> None:
    """QA53 F5: a redump (same name, other ROMs) was "0 added, 0 removed", and a version that
    renamed every game `(USA)` -> `(USA, Europe)` was refused as removing them all."""
    dat = tmp_path / "gb.dat"
    games = {f"{name} (USA)": name.encode() * 64 for name in ("Alpha", "Beta", "Gamma")}
    dat.write_text(dat_text("Nintendo - Game Boy", games, "2025.01.01"))
    assert cli("dat", "import", dat).code == 0
    renamed = {name.replace("(USA)", "(USA, Europe)"): data for name, data in games.items()}
    dat.write_text(dat_text("Nintendo - Game Boy", renamed, "2025.02.01"))
    sweep = cli("--json", "dat", "import", dat)
    assert sweep.code == 0, sweep.err
    data = sweep.json()["data"]["imports"][0]
    assert (data["games_added"], data["games_removed"], data["games_renamed"],
            data["games_changed"]) == (0, 0, 3, 0)
    redump = dict(renamed, **{"Beta (USA, Europe)": b"redumped" * 64,
                              "Delta (USA)": b"delta" * 64})
    del redump["Gamma (USA, Europe)"]
    dat.write_text(dat_text("Nintendo - Game Boy", redump, "2025.03.01"))
    text = cli("dat", "import", dat)
    assert text.code == 0, text.err
    assert ("replaced version 2025.02.01 by 2025.03.01: 1 game added, 1 removed, 0 renamed, "
            "1 with other ROMs") in " ".join(text.out.split())


def test_dat_rm_unidentifies_its_games_in_one_command(cli: Any, db_path: Path,
                                                      tmp_path: Path) -> None:
    root = tmp_path / "roms" / "snes"
    root.mkdir(parents=True)
    (root / "Alpha (USA).sfc").write_bytes(b"a" * 1024)
    dat = tmp_path / "snes.dat"
    dat.write_text(dat_text("Nintendo - Super Nintendo Entertainment System",
                            {"Alpha (USA)": b"a" * 1024}))
    assert cli("library", "add", root.parent).code == 0
    assert cli("dat", "import", dat).code == 0
    assert cli("scan", "--workers", "1").code == 0
    game = cli("--json", "games", "ls").json()["data"]["games"][0]
    assert game["match_method"] == "crc32"  # one catalog game has its CRC32 + size
    unknown = one_line_error(cli("dat", "rm", "Nintendo - Nope"))
    assert "no imported DAT is named 'Nintendo - Nope'" in unknown
    removed = cli("dat", "rm", "Nintendo - Super Nintendo Entertainment System")
    assert removed.code == 0, removed.err
    assert "1 game is now unidentified" in removed.out
    game = cli("--json", "games", "ls").json()["data"]["games"][0]
    assert game["matched_game_id"] is None and game["catalog_title"] is None
    assert catalog_rows(db_path) == []
    assert cli("--json", "dat", "ls").json()["data"] == []


# -- bios import-dat takes BIOS DATs only ------------------------------------------------
def test_bios_import_dat_refuses_a_game_dat(cli: Any, db_path: Path) -> None:
    game_dat = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    error = one_line_error(cli("bios", "import-dat", game_dat))
    assert "'Nintendo - Game Boy' is a game DAT" in error and "dat import" in error
    system = shared_path("dats", "system", "System.dat")
    result = cli("--json", "bios", "import-dat", system)
    assert result.code == 0, result.err
    assert result.json()["data"]["rows"] == 516
    db = Database(db_path)
    try:
        assert db.scalar("SELECT count(DISTINCT source) FROM bios_extra_hashes") == 1
        assert db.scalar("SELECT min(source) FROM bios_extra_hashes") == "System"
    finally:
        db.close()


@pytest.mark.parametrize(("older", "newer"), [("20240101-000000", "20250315-101010"),
                                              ("2024-01-01 00-00-00", "2025-03-15 10-10-10"),
                                              ("2024-01-01", "2024-01-02"),
                                              # (qa192 F9: plain numbers went through)
                                              ("1.9", "2"), ("0.261", "0.262")])
def test_an_older_dat_does_not_replace_a_newer_one_without_force(
        cli: Any, db_path: Path, tmp_path: Path, older: str, newer: str) -> None:
    games = {"Alpha (USA)": b"a" * 64, "Beta (USA)": b"b" * 64}
    new_dat, old_dat = tmp_path / "new.dat", tmp_path / "old.dat"
    new_dat.write_text(dat_text("Nintendo - Game Boy", {**games, "Gamma (USA)": b"c" * 64},
                                newer))
    old_dat.write_text(dat_text("Nintendo - Game Boy", games, older))
    assert cli("dat", "import", new_dat).code == 0
    refused = one_line_error(cli("dat", "import", old_dat))
    assert f"version {newer}" in refused and "an older version" in refused
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", newer, 3)]
    assert cli("dat", "import", "--force", old_dat).code == 0
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", older, 2)]


@pytest.mark.parametrize(("first", "again"), [("2", "2.0"), ("v1.9", "1.9"), ("3", "3")])
def test_the_same_release_spelled_otherwise_with_games_removed_is_refused(
        cli: Any, db_path: Path, tmp_path: Path, first: str, again: str) -> None:
    """review42 F3: "2" replaced by "2.0" with a game removed went through (compared as
    text), while "2" by "2" was refused; "2.0" is release 2 for the older-version rule."""
    games = {"Alpha (USA)": b"a" * 64, "Beta (USA)": b"b" * 64, "Gamma (USA)": b"c" * 64}
    full, cut = tmp_path / "full.dat", tmp_path / "cut.dat"
    full.write_text(dat_text("Nintendo - Game Boy", games, first))
    cut.write_text(dat_text("Nintendo - Game Boy", dict(list(games.items())[:2]), again))
    assert cli("dat", "import", full).code == 0
    refused = one_line_error(cli("dat", "import", cut))
    assert "the same version with games removed" in refused, refused
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", first, 3)]


def test_versions_of_two_kinds_are_not_ordered() -> None:
    from romrunner.catalog.importer import is_older_version
    assert is_older_version("1.0", "2.0") and is_older_version("v1.9", "2")
    assert not is_older_version("2.0", "1.0") and not is_older_version("0.262", "0.261")
    assert not is_older_version("v2", "20250101") and not is_older_version("20250101", "3")
    assert not is_older_version("beta 2", "3") and not is_older_version("1.0", None)
    assert not is_older_version("2", "2.0") and not is_older_version("2.0", "2")  # one release
    assert is_older_version("1.9", "2.0.0") and not is_older_version("2.0.1", "2")
    assert is_older_version("20240101", "2025-01-01 00-00-00")
    assert not is_older_version("2025-01-01 00-00-01", "20250101-000000")


def test_a_nameless_game_is_warned_once_with_where_it_is(cli: Any, tmp_path: Path) -> None:
    dat = tmp_path / "gb.dat"
    text = dat_text("Nintendo - Game Boy", {"Alpha (USA)": b"a" * 64, "Beta (USA)": b"b" * 64})
    dat.write_text(text.replace('game (\n\tname "Beta (USA)"\n', 'game (\n'))
    result = cli("dat", "import", dat)
    assert result.code == 0, result.err
    warning = [line for line in result.err.splitlines() if "without a name" in line]
    assert warning == [f"warning: {dat}: a game block without a name (after 'Alpha (USA)'); "
                       "skipped"]


def test_a_bios_dat_given_to_dat_import_points_to_bios_import_dat(
        cli: Any, db_path: Path) -> None:
    """libretro's System.dat is a BIOS DAT: `dat import` says which command reads it (it said
    "maps to no platform; give one with --platform", QA11 N6), and changes nothing."""
    system = shared_path("dats") / "system" / "System.dat"
    result = cli("dat", "import", str(system))
    assert result.code == 2
    assert f"{system}: a BIOS/system DAT ('System'), not a game catalog: `romrunner bios " \
        "import-dat` reads it" in " ".join(result.err.split())
    assert not db_path.exists()  # a command that fails changes nothing: not even made


@pytest.mark.parametrize("platform", [(), ("--platform", "gb")])
def test_a_bios_dat_among_game_dats_is_left_out_and_the_others_imported(
        cli: Any, db_path: Path, tmp_path: Path, platform: tuple[str, ...]) -> None:
    """qa194 F3: `dat import dats/*.dat` over libretro's `dat/` folder (System.dat in it)
    refused every DAT; the BIOS DAT is left out now, said with the command that reads it."""
    system = shared_path("dats") / "system" / "System.dat"
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha (USA)": b"a" * 64}))
    result = cli("--json", "dat", "import", *platform, dat, str(system))
    assert result.code == 0, result.err
    data = result.json()
    assert data["data"]["skipped_bios_dats"] == [str(system)]
    assert [item["path"] for item in data["data"]["imports"]] == [str(dat)]
    assert any(str(system) in warning and "bios import-dat" in warning
               for warning in data["warnings"]), data["warnings"]
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", "1", 1)]
    alone = cli("dat", "import", *platform, str(system), str(system))  # (no game DAT given)
    assert alone.code == 2 and "not a game catalog" in alone.err, alone.err
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", "1", 1)]


def test_a_dat_imported_by_a_relative_path_is_recorded_by_its_full_path(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dat ls` names the file imported, from any folder (QA26 F7: `dats/gb.dat` as typed)."""
    from tests.test_scan import dat_text, rom_bytes

    dats = tmp_path / "dats"
    dats.mkdir()
    (dats / "gb.dat").write_text(dat_text("Nintendo - Game Boy", {
        "Hero (World)": ("Hero (World).gb", rom_bytes(3, 4096))}))
    monkeypatch.chdir(tmp_path)
    assert cli("dat", "import", "dats/gb.dat").code == 0
    monkeypatch.chdir("/")
    (listed,) = cli("--json", "dat", "ls").json()["data"]
    assert listed["path"] == str(dats / "gb.dat")


def test_dat_rm_names_the_smart_collections_its_removal_breaks(
        cli: Any, tmp_path: Path) -> None:
    """A smart collection `dat:"NAME"` stops working when that DAT goes: `dat rm` says so
    (QA26: silent, then a profile's auto-list failed on it)."""
    from tests.test_scan import dat_text, rom_bytes

    (tmp_path / "gb.dat").write_text(dat_text("Nintendo - Game Boy", {
        "Hero (World)": ("Hero (World).gb", rom_bytes(3, 4096))}))
    assert cli("dat", "import", tmp_path / "gb.dat").code == 0
    for name, query in (("gbdat", 'dat:"Nintendo - Game Boy" -flag:beta'),
                        ("lower", 'dat:"nintendo - game boy"'),  # (any case: review 118 F7)
                        ("other", "platform:gb")):
        assert cli("collection", "create", name, "--query", query).code == 0
    removed = cli("--json", "dat", "rm", "Nintendo - Game Boy")
    assert removed.code == 0, removed.err
    assert removed.json()["data"]["broken_collections"] == ["gbdat", "lower"]
    (said,) = [w for w in removed.json()["warnings"] if "smart collection" in w]
    assert "'gbdat'" in said and "'other'" not in said and "no longer working" in said


@pytest.mark.parametrize("system", ["FBNeo - Arcade Games", "FinalBurn Neo - Arcade Games"])
def test_an_fbneo_dat_is_the_fbneo_platform_where_the_pack_has_one(
        cli: Any, tmp_path: Path, system: str) -> None:
    """QA56 F10: libretro's FBNeo DAT filed FBNeo's sets under `arcade` (on Knulli the folder
    of MAME 2003-Plus, whose 0.78 romsets are not FBNeo's), and FBNeo's own DAT name mapped
    to no platform. The built-in pack has an `fbneo` platform too (a library folder of that
    name mapped to none); with no `fbneo` platform in the pack, `arcade` stands for it."""
    from tests.conftest import shared_path
    dat = tmp_path / "fbneo.dat"
    dat.write_text(dat_text(system, {"pgame": b"p" * 64}))
    real = cli("--pack", shared_path("definition-pack"), "--json", "dat", "import", dat)
    assert real.code == 0, real.err
    assert real.json()["data"]["imports"][0]["platform_id"] == "fbneo"
    folder = tmp_path / "roms" / system
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "pgame.zip", "w") as archive:
        archive.writestr("pgame.sfc", b"p" * 64)
    builtin = tmp_path / "builtin.db"
    for args in (("dat", "import", dat), ("library", "add", tmp_path / "roms"), ("scan",)):
        assert cli("--db", builtin, *args).code in (0, 1), args
    [game] = cli("--json", "--db", builtin, "games", "ls").json()["data"]["games"]
    assert (game["platform_id"], game["matched_game_id"]) == ("fbneo", "fbneo:pgame"), game
    pack = tmp_path / "pack"
    shutil.copytree(Path(romrunner.packs.__file__).parent / "builtin", pack)
    platforms = json.loads((pack / "platforms.json").read_text())
    platforms["platforms"] = [p for p in platforms["platforms"] if p["id"] != "fbneo"]
    (pack / "platforms.json").write_text(json.dumps(platforms))
    without = cli("--pack", pack, "--json", "--db", tmp_path / "other.db", "dat", "import", dat)
    assert without.code == 0, without.err
    assert without.json()["data"]["imports"][0]["platform_id"] == "arcade"


def test_a_logiqx_disk_is_part_of_its_set_as_in_a_clrmamepro_dat(tmp_path: Path) -> None:
    """QA56 F1: the Logiqx reader kept only <rom>: a set's CHD (<disk>) was no part of it,
    so a set without its CHD was "have" — the same DAT in clrmamepro kept it."""
    from romrunner.catalog.datfile import read_dat
    sha1 = "ab" * 20
    logiqx = tmp_path / "m.xml"
    logiqx.write_text('<?xml version="1.0"?><datafile><header><name>MAME</name></header>'
                      '<game name="chdgame"><rom name="c.bin" size="4" crc="01020304"/>'
                      f'<disk name="chdgame" sha1="{sha1}"/></game></datafile>')
    clrmamepro = tmp_path / "m.dat"
    clrmamepro.write_text('clrmamepro (\n\tname "MAME"\n)\ngame (\n\tname "chdgame"\n'
                          '\trom ( name c.bin size 4 crc 01020304 )\n'
                          f'\tdisk ( name chdgame sha1 {sha1} )\n)\n')
    read = {path.suffix: [(rom.name, rom.sha1) for game in read_dat(path).games
                          for rom in game.roms] for path in (logiqx, clrmamepro)}
    assert read[".xml"] == read[".dat"] == [("c.bin", None), ("chdgame", sha1)]
    # a disk is a disk whatever its dump status (review 31 R1: a `baddump` disk was no
    # disk: its set judged complete without its CHD), but one not dumped
    for status, stored in (("baddump", "disk"), ("good", "disk"), ("nodump", "nodump")):
        logiqx.write_text(logiqx.read_text().replace(
            f'sha1="{sha1}"', f'sha1="{sha1}" status="{status}"', 1)
            if 'status=' not in logiqx.read_text() else
            re.sub(r'status="\w+"', f'status="{status}"', logiqx.read_text()))
        [game] = read_dat(logiqx).games
        assert game.roms[-1].status == stored, status


def test_a_new_version_that_only_adds_sha1s_changes_no_rom(cli: Any, tmp_path: Path) -> None:
    """Review 30 R2: ROMs compared by SHA1 where a DAT gives one: a version adding SHA1s
    said "3 with other ROMs"; a rename with SHA1s dropped was refused as removing them."""
    import hashlib
    import zlib
    games = {f"{name} (USA)": name.encode() * 64 for name in ("Alpha", "Beta", "Gamma")}

    def text(version: str, with_sha1: bool, region: str = "USA") -> str:
        out = [f'clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "{version}"\n)\n']
        for name, data in games.items():
            sha1 = f" sha1 {hashlib.sha1(data).hexdigest()}" if with_sha1 else ""
            out.append(f'game (\n\tname "{name.replace("USA", region)}"\n\trom ( name "x.gb" '
                       f'size {len(data)} crc {zlib.crc32(data):08x}{sha1} )\n)\n')
        return "".join(out)

    dat = tmp_path / "gb.dat"
    dat.write_text(text("2025.01.01", False))
    assert cli("dat", "import", dat).code == 0
    dat.write_text(text("2025.02.01", True))
    added = cli("--json", "dat", "import", dat).json()["data"]["imports"][0]
    assert (added["games_changed"], added["games_removed"], added["games_added"]) == (0, 0, 0)
    dat.write_text(text("2025.03.01", False, region="USA, Europe"))
    renamed = cli("--json", "dat", "import", dat)
    assert renamed.code == 0, renamed.err
    assert renamed.json()["data"]["imports"][0]["games_renamed"] == 3


def test_a_stop_after_the_one_transaction_commits_says_the_command_done(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA62 F3: `dat rm` stopped just after its COMMIT said "interrupted: work committed so
    far is kept" though it was all done (its retry then failed): it says what is done. A
    real SIGINT, sent as the removal returns."""
    import signal

    from romrunner.cli import dat_cmd

    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha": b"a" * 64}))
    assert cli("dat", "import", dat).code == 0
    remove = dat_cmd.remove_catalog

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        report = remove(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return report

    monkeypatch.setattr(dat_cmd, "remove_catalog", interrupted)
    result = cli("--json", "dat", "rm", "Nintendo - Game Boy")
    assert result.code == 130, result.err
    assert result.json()["errors"] == [
        "interrupted after its work was committed whole: the DAT 'Nintendo - Game Boy' was "
        "removed"]
    assert cli("--json", "dat", "ls").json()["data"] == []


def test_a_stop_once_the_one_transaction_returned_leaves_the_summary_whole(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA62 F3 (review 32 R5): once the command's one transaction returned, a Ctrl-C has
    nothing left to stop: the import's summary is said, exit 0. A real SIGINT, sent as the
    command marks its work done."""
    import signal

    from romrunner.cli.context import AppContext

    done = AppContext.work_done

    def then_interrupted(self: AppContext) -> None:
        done(self)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(AppContext, "work_done", then_interrupted)
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha": b"a" * 64}))
    result = cli("--json", "dat", "import", dat)
    assert result.code == 0, result.err
    assert result.json()["data"]["imports"][0]["games"] == 1


def test_a_game_removed_and_another_added_of_one_crc32_is_no_rename(
        cli: Any, tmp_path: Path) -> None:
    """QA154 F7: a new version's changes paired games by CRC32 and size alone: a game removed
    and another dump added under one CRC32 (other SHA1s) was "renamed", "0 removed"."""
    def game(name: str, sha1: str) -> str:
        return (f'game (\n\tname "{name}"\n\trom ( name "{name}.gb" size 65536 crc 12345678 '
                f'sha1 {sha1 * 40} )\n)\n')

    dat = tmp_path / "gb.dat"
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="2026.01.01")
                   + game("Twin A (USA)", "a") + game("Twin B (Japan)", "b"))
    assert cli("dat", "import", dat).code == 0
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="2026.03.01")
                   + game("Twin A (USA) (Rev 1)", "a") + game("Twin C (Europe)", "c")
                   + game("Other (USA)", "d"))
    result = cli("--json", "dat", "import", dat)
    assert result.code == 0, result.err
    data = result.json()["data"]["imports"][0]
    assert (data["games_added"], data["games_removed"], data["games_renamed"],
            data["games_changed"]) == (2, 1, 1, 0)


def test_a_new_version_names_the_games_it_no_longer_identifies(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA154 F8: a new version dropping a game four files were said only "1 removed", and the
    library's totals went down: which games lost their match, no word (`dat rm` says)."""
    games = {"Alpha (USA)": b"alpha" * 64, "Beta (USA)": b"beta" * 64}
    roms = tmp_path / "roms" / "snes"
    roms.mkdir(parents=True)
    for name, data in games.items():
        (roms / f"{name}.sfc").write_bytes(data)
    (roms / "beta copy.sfc").write_bytes(games["Beta (USA)"])
    dat = tmp_path / "snes.dat"
    system = "Nintendo - Super Nintendo Entertainment System"
    dat.write_text(dat_text(system, games, "2026.01.01"))
    for args in (("dat", "import", dat), ("library", "add", tmp_path / "roms"),
                 ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    dat.write_text(dat_text(system, {"Alpha (USA)": games["Alpha (USA)"],
                                     "Gamma (USA)": b"gamma" * 64}, "2026.02.01"))
    result = cli("--json", "dat", "import", dat)
    assert result.code == 0, result.err
    lost = result.json()["data"]["no_longer_identified"]
    assert sorted((m["filename"], m["was"]) for m in lost) == [
        ("Beta (USA).sfc", "snes:Beta (USA)"), ("beta copy.sfc", "snes:Beta (USA)")]
    dat.write_text(dat_text(system, games, "2026.03.01"))
    assert cli("dat", "import", dat).code == 0
    dat.write_text(dat_text(system, {"Alpha (USA)": games["Alpha (USA)"]}, "2026.04.01"))
    text = cli("dat", "import", dat)
    assert "2 games identified by their data before are not now" in " ".join(text.err.split())
    assert "beta copy.sfc" in text.err


def test_a_rom_dumped_since_the_last_version_is_a_change(cli: Any, tmp_path: Path) -> None:
    """Review 156 F2: a game one of whose ROMs was a nodump, dumped in the new version, was
    no longer counted "with other ROMs" (NULL compared)."""
    def game(second: str) -> str:
        return ('game (\n\tname "Arcade (World)"\n'
                '\trom ( name "a.bin" size 1024 crc 11111111 sha1 ' + "a" * 40 + ' )\n'
                f'\trom ( name "b.bin" size 1024 {second} )\n)\n')

    dat = tmp_path / "gb.dat"
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="2026.01.01")
                   + game("flags nodump"))
    assert cli("dat", "import", dat).code == 0
    dat.write_text(HEADER.format(system="Nintendo - Game Boy", version="2026.02.01")
                   + game("crc 22222222 sha1 " + "b" * 40))
    result = cli("--json", "dat", "import", dat)
    assert result.code == 0, result.err
    data = result.json()["data"]["imports"][0]
    assert (data["games_added"], data["games_removed"], data["games_changed"]) == (0, 0, 1)


def test_a_platform_given_by_a_folder_name_is_refused_with_the_id_it_means(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa192 F8: `dat import --platform pcengine` (tg16's folder name in EmulationStation)
    was refused with no "did you mean tg16" that `games set-platform pcengine` gives."""
    dat = tmp_path / "mine.dat"
    dat.write_text(dat_text("My PC Engine dumps", {"Blaster (Japan)": b"\x01" * 512}))
    refused = one_line_error(cli("dat", "import", dat, "--platform", "pcengine"))
    assert "platform 'pcengine' is not in the definition pack (did you mean tg16:" in refused
    nothing = one_line_error(cli("dat", "import", dat, "--platform", "qqqq"))
    assert "`romrunner platforms --all` lists" in nothing, nothing
    assert catalog_rows(db_path) == []
