"""DAT import on the real DATs, filename tags (property-tested), and the demo end to end."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from romrunner.catalog.importer import import_dat
from romrunner.catalog.systems import platform_for_system
from romrunner.library.tags import extension_of, parse_filename, strip_extension
from romrunner.store import OpenMode, open_database
from tests.conftest import run_subprocess, shared_path


def test_real_dats_import_and_reimport_is_idempotent(tmp_path: Path) -> None:
    dats = shared_path("dats")
    db = open_database(tmp_path / "db.sqlite", OpenMode.WRITE).db
    gb = import_dat(db, dats / "no-intro" / "Nintendo - Game Boy.dat")
    # 2,254 game blocks; 16 of them repeat a name already seen and are merged into it.
    assert gb.platform_id == "gb" and gb.games == 2238 and gb.roms == 2254
    assert not gb.problems
    again = import_dat(db, dats / "no-intro" / "Nintendo - Game Boy.dat")
    assert again.unchanged and db.scalar("SELECT count(*) FROM catalog_games") == 2238
    assert (again.games, again.roms) == (gb.games, gb.roms)  # said as the first time (QA11)
    assert db.scalar("SELECT count(*) FROM catalog_roms") == 2254
    mame = import_dat(db, dats / "logiqx" / "MAME 2000 XML.dat")
    assert mame.format == "logiqx" and mame.games == 2241 and mame.roms == 34222
    headered = import_dat(db, dats / "headered" / "Atari - Lynx.dat")
    plain = import_dat(db, dats / "no-intro" / "Atari - Lynx.dat")
    assert headered.headered and not plain.headered
    assert db.scalar("SELECT count(*) FROM catalog_sources WHERE name = 'Atari - Lynx'") == 2
    row = db.query_one("SELECT r.sha1, g.game_id FROM catalog_roms r JOIN catalog_games g "
                       "ON g.id = r.catalog_game_id WHERE g.name = '10-Pin Bowling (USA) (Proto)'")
    assert row is not None and row["sha1"] == "952d154dd2c6189ef4b786ae37bd7887c8ca9037"
    assert row["game_id"] == "gb:10-Pin Bowling (USA) (Proto)"


def test_changed_dat_replaces_its_rows_and_keeps_ids_stable(tmp_path: Path) -> None:
    db = open_database(tmp_path / "db.sqlite", OpenMode.WRITE).db
    dat = tmp_path / "gb.dat"
    game = 'game (\n\tname "{n}"\n\trom ( name "{n}.gb" size 4 crc 0000000{i} )\n)\n'
    header = 'clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "{v}"\n)\n'
    dat.write_text(header.format(v="1") + game.format(n="Alpha (USA)", i=1)
                   + game.format(n="Beta (USA)", i=2))
    import_dat(db, dat)
    dat.write_text(header.format(v="2") + game.format(n="Alpha (USA)", i=1)
                   + game.format(n="Gamma (USA)", i=3) + game.format(n="Delta (USA)", i=4))
    result = import_dat(db, dat)
    assert result.replaced and result.replaced_games == 2
    assert (result.previous_version, result.version) == ("1", "2")
    assert (result.games_added, result.games_removed) == (2, 1)
    ids = {row[0] for row in db.query("SELECT game_id FROM catalog_games")}
    assert "gb:Alpha (USA)" in ids and "gb:Beta (USA)" not in ids


def test_unknown_system_needs_a_platform(tmp_path: Path, cli: Any) -> None:
    dat = tmp_path / "odd.dat"
    dat.write_text('clrmamepro (\n\tname "Some Odd System"\n)\ngame ( name "x" )\n')
    result = cli("dat", "import", str(dat))
    assert result.code == 2 and "maps to no platform; give one with --platform" in result.err
    ok = cli("--json", "dat", "import", "--platform", "gb", str(dat))
    assert ok.code == 0 and ok.json()["data"]["imports"][0]["platform_id"] == "gb"


REGION = st.sampled_from(["USA", "Europe", "Japan", "World", "France"])
TITLE = st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                       whitelist_characters=" -'!,."),
                min_size=1, max_size=40).map(str.strip).filter(
    lambda t: t and t[0] not in "-" and t[-1] not in "-")


@given(TITLE, st.lists(REGION, min_size=1, max_size=3, unique=True),
       st.one_of(st.none(), st.integers(1, 9)), st.booleans(), st.booleans())
def test_tags_round_trip(title: str, regions: list[str], revision: int | None,
                         verified: bool, beta: bool) -> None:
    name = f"{title} ({', '.join(regions)})"
    if revision is not None:
        name += f" (Rev {revision})"
    if beta:
        name += " (Beta)"
    if verified:
        name += " [!]"
    parsed = parse_filename(name + ".sfc")
    assert parsed.title == title.strip(" _-")
    assert list(parsed.regions) == regions
    assert parsed.revision == (str(revision) if revision is not None else None)
    assert ("verified" in parsed.flags) == verified
    assert ("beta" in parsed.flags) == beta


@given(st.text(max_size=80))
def test_tag_parser_never_fails(name: str) -> None:
    parsed = parse_filename(name)
    assert isinstance(parsed.title, str)


@given(st.text(alphabet=st.sampled_from("ab. /é"), max_size=12))
def test_extension_helpers_agree_with_pathlib(name: str) -> None:
    # The scan's string-based fast paths must split names exactly as PurePath does.
    path = PurePath(name)
    assert strip_extension(name) == (path.stem if path.suffix and len(path.suffix) <= 6
                                     else path.name)
    if "/" not in name:
        assert extension_of(name) == path.suffix.lower()


def test_readme_demo_runs_as_a_real_process(tmp_path: Path) -> None:
    result = run_subprocess("--json", "demo", "--dir", str(tmp_path / "demo"))
    assert result.code == 0, result.err
    import json
    data = json.loads(result.out)["data"]
    assert data["identified"] == 4 and data["unidentified"] == 1
    methods = {game["filename"]: game["match_method"] for game in data["games"]}
    assert methods["Castle Run (USA).nes"] == "sha1"  # matched through its header-less hash
    assert methods["homebrew-untitled.gba"] is None
    groups = {(g["platform_id"], g["one_of"][0]["id"]): g for g in data["bios"]["groups"]}
    assert groups[("nes", "example-nes-boot")]["status"] == "satisfied"
    gba = groups[("gba", "example-gba-boot")]
    assert gba["status"] == "satisfied"  # a good dump under another name: the card gets it
    assert gba["present"][0]["expected_filename"] == "example-gba-boot.bin"
    snes = groups[("snes", "example-snes-dsp")]
    assert snes["status"] == "missing-blocking"
    assert snes["problems"][0]["status"] == "wrong_hash"
    assert data["bios"]["ok"] is False
    card = Path(data["deploy"]["card"])
    identified = {game["filename"] for game in data["games"] if game["match_method"]}
    on_card = {Path(entry).name for entry in data["deploy"]["tree"]
               if entry.startswith("ROMS/")}
    assert on_card == identified  # every identified game, and nothing else, on the card
    bios_on_card = {e for e in data["deploy"]["tree"] if e.startswith("MUOS/bios/")}
    # the verified ones (GBA's is required whatever the emulator: it went too), not SNES's
    assert bios_on_card == {"MUOS/bios/example-nes-boot.bin", "MUOS/bios/example-gba-boot.bin"}
    assert [w for w in data["deploy"]["warnings"] if w.startswith("snes:")
            and "example-snes-dsp.bin (wrong hash)" in w]
    # ... and in the envelope's warnings (QA34 F3: only in data)
    assert [w for w in json.loads(result.out)["warnings"] if w.startswith("snes:")]
    library = Path(data["workdir"])
    for entry in data["deploy"]["tree"]:
        assert (card / entry).stat().st_size > 0
    nes = next(p for p in library.rglob("Castle Run (USA).nes") if card not in p.parents)
    assert (card / "ROMS/nes/Castle Run (USA).nes").read_bytes() == nes.read_bytes()
    assert not [p for p in card.rglob(".rr-tmp-*")]


def test_read_command_refuses_an_old_database(cli: Any, db_path: Path) -> None:
    from romrunner.store import Database
    from romrunner.store.migrate import migrate
    old = Database(db_path)
    migrate(old, target=2)
    old.close()
    result = cli("games", "ls")
    assert result.code == 2 and "run `romrunner db migrate`" in result.err


def test_the_demos_suggested_commands_are_whole_lines_when_piped(tmp_path: Path) -> None:
    # QA12 F7: piped to a file or a pager, the "try:" commands were cut at 80 columns in the
    # middle of a command (`deploy 1⏎--to …`): a pasted line ran a broken command.
    workdir = tmp_path / "a-rather-long-folder-name-for-the-demo" / "so-lines-pass-80-columns"
    result = run_subprocess("demo", "--dir", str(workdir))
    assert result.code == 0, result.err
    assert "warning:" not in result.out and "warning: snes:" in result.err  # (QA34 F3)
    # the demo names its own new database; the note for a mistyped --db is not for it
    assert "note: created a new database" not in result.err
    lines = result.out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("try: "))
    commands = [line.removeprefix("try: ").strip() for line in lines[start:start + 3]]
    assert [c.split()[0] for c in commands] == ["romrunner"] * 3
    assert commands[2].endswith("--dry-run match:hash") and " deploy 1 --to " in commands[2]
    assert max(len(line) for line in lines[start:start + 3]) > 80  # (long enough to be cut)


def test_a_dat_whose_system_name_carries_a_dump_qualifier_finds_its_platform(
        cli: Any, tmp_path: Path) -> None:
    """QA80 F2: No-Intro's own name for its N64 DAT, "Nintendo - Nintendo 64 (BigEndian)",
    mapped to no platform: its import failed without --platform."""
    dat = tmp_path / "n64.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Nintendo 64 (BigEndian)"\n)\n'
                   'game (\n\tname "Star Quest (USA)"\n\trom ( name "Star Quest (USA).z64" '
                   'size 4 crc 8587D865 md5 E2FC714C4727EE9395F324CD2E7F331F '
                   'sha1 81FE8BFE87576C3ECB22426F8E57847382917ACF )\n)\n')
    imported = cli("--json", "dat", "import", str(dat))
    assert imported.code == 0, imported.out
    assert [c["platform_id"] for c in cli("--json", "dat", "ls").json()["data"]] == ["n64"]
    unknown = tmp_path / "unknown.dat"
    unknown.write_text(dat.read_text().replace("Nintendo - Nintendo 64 (BigEndian)",
                                               "Nobody - Nothing (BigEndian)"))
    assert cli("dat", "import", str(unknown)).code == 2  # still no platform for a stranger
    # a qualifier of another kind of content is no game catalog of the platform (review 79)
    for other in ("Sony - PlayStation Portable (UMD Video)",
                  "Nintendo - Game Boy Advance (e-Reader)"):
        assert platform_for_system(other) is None, other
    assert platform_for_system("Nintendo - Nintendo 64 (ByteSwapped)") == "n64"


def test_real_dats_mark_the_games_listed_once_per_dump(tmp_path: Path) -> None:
    """Review 122 F1: libretro's NES, Lynx and PlayStation DATs list a game once per dump
    (`Micro Machines (USA)`'s two dumps); either dump is the game. Counted here from the
    files' text: every name given in several entries, each of one ROM."""
    import re
    from collections import Counter

    dats = shared_path("dats")
    db = open_database(tmp_path / "db.sqlite", OpenMode.WRITE).db
    for dat in (dats / "no-intro" / "Nintendo - Nintendo Entertainment System.dat",
                dats / "no-intro" / "Atari - Lynx.dat", dats / "redump" / "Sony - PlayStation.dat"):
        entries = re.findall(r'^game \(\s*name "(.*?)"(.*?)^\)', dat.read_text(), re.M | re.S)
        listed = Counter(name for name, _ in entries)
        several_roms = {name for name, body in entries if body.count("rom (") != 1}
        expected = {name for name, count in listed.items() if count > 1} - several_roms
        result = import_dat(db, dat)
        marked = {str(row[0]) for row in db.query(
            "SELECT g.name FROM catalog_games g JOIN catalog_sources s ON s.id = g.source_id "
            "WHERE s.path = ? AND g.alternatives = 1", (str(dat.absolute()),))}
        assert marked == expected, (result.platform_id, sorted(marked ^ expected)[:5])
        if result.platform_id == "nes":
            assert {"Micro Machines (USA)", "Uninvited (USA) (Beta)"} <= marked
        if result.platform_id == "psx":  # (libretro's lists a disc by its first track)
            assert "Biohazard 2 (Japan) (Beta)" in marked  # (two betas' dumps)
