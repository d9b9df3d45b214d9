"""Knowledge reaches games no DAT matched (issue 14): one linking, used by `cache explain`,
auto-lists and the query language's `compat:` field."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT, PERFORMANCE
from romrunner.knowledge.linking import knowledge_keys, serial_sql
from romrunner.library.serials import leading_serial, normalise_serial
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path
from tests.test_serials import build_iso

GAMEINDEX = ("knowledge", "pcsx2", "GameIndex.excerpt.yaml")


def real(cli: Any, *args: Any) -> Any:
    return cli("--pack", str(shared_path("definition-pack")), *args)


def _ps2_iso(path: Path, serial_on_disc: str) -> Path:
    """A real ISO 9660 PS2 image whose SYSTEM.CNF boots ``serial_on_disc``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return build_iso(path, {"SYSTEM.CNF": f"BOOT2 = cdrom0:\\{serial_on_disc};1\r\n"
                                          "VER = 1.00\r\n".encode()})


@pytest.fixture
def library(cli: Any, db_path: Path, tmp_path: Path) -> dict[str, int]:
    """Three PS2 images, no DAT: Midnight Club (GameIndex compat 3 = menu_intro), SSX
    (compat 5 = playable) and one the GameIndex does not know; then a profile on knulli
    (pcsx2 for ps2) in permissive mode, so the compatibility step decides."""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Midnight Club (Europe).iso", "SLES_500.71")
    _ps2_iso(root / "ps2" / "Nobody Knows (USA).iso", "SLUS_999.99")
    matched = root / "ps2" / "Dropship (Europe).iso"
    matched.write_bytes(b"a dump with no readable SYSTEM.CNF that the DAT lists" * 50)
    data = matched.read_bytes()
    dat = tmp_path / "ps2.dat"  # Redump writes the serial in its own spelling
    dat.write_text(
        'clrmamepro (\n\tname "Sony - PlayStation 2"\n\tdescription "Sony - PlayStation 2"\n)\n'
        '\ngame (\n\tname "Dropship (Europe)"\n\tserial "SCES 50459"\n'
        f'\trom ( name "Dropship (Europe).iso" size {len(data)} crc {zlib.crc32(data):08x} '
        f'md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    assert real(cli, "dat", "import", dat).code == 0
    assert real(cli, "library", "add", root).code == 0
    scan = real(cli, "--json", "scan", "--workers", "1")
    assert scan.code == 0, scan.err
    assert scan.json()["data"]["disc_ids"] == 2
    assert real(cli, "device", "add", "rg-35xx-plus").code == 0
    assert real(cli, "profile", "create", "--device", "1", "--os", "knulli").code == 0
    assert real(cli, "profile", "set", "1", "--mode", "permissive").code == 0
    with sqlite3.connect(db_path) as conn:
        return {name: game_id for game_id, name in conn.execute("SELECT id, filename FROM games")}


def _rated_knulli_profile(cli: Any, root: Path, *settings: str) -> None:
    """``root`` scanned, the GameIndex imported, profile 1 an RG35XX Plus on KNULLI in
    permissive mode with ``settings``."""
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path(*GAMEINDEX)),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("profile", "set", "1", "--mode", "permissive", *settings)):
        assert real(cli, *args).code in (0, 1), args


def _verdicts(cli: Any) -> dict[str, dict[str, Any]]:
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {game["filename"]: game for game in result.json()["data"]["games"]}


def test_serial_keyed_compatibility_reaches_the_autolist(cli: Any, db_path: Path,
                                                         library: dict[str, int]) -> None:
    before = _verdicts(cli)
    assert {name: verdict["compat"] for name, verdict in before.items()} == dict.fromkeys(
        before, "COMPAT_MISSING_ASSUME_OK")
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    after = _verdicts(cli)
    midnight = after["Midnight Club (Europe).iso"]
    # (menu_intro: it never gets in-game, left out in every mode, QA174 F3)
    assert midnight["emulator_id"] == "pcsx2" and not midnight["included"]
    assert midnight["compat"] == "COMPAT_STATUS_EXCLUDED"
    assert "Compatibility: menu_intro (pcsx2-gameindex, pcsx2)" in midnight["warnings"]
    # the DAT's serial (written "SCES 50459") links the matched game the same way
    dropship = after["Dropship (Europe).iso"]
    assert dropship["compat"] == "COMPAT_STATUS_EXCLUDED"
    assert "Compatibility: menu_intro (pcsx2-gameindex, pcsx2)" in dropship["warnings"]
    assert after["Nobody Knows (USA).iso"]["compat"] == "COMPAT_MISSING_ASSUME_OK"
    # performance keyed by the serial reaches it too; then strict mode drops the warned
    # statuses: the serial's own status decides, not a missing-data default
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": None,
         "definition_game_id": "SLES-50071", "performance_tier": "good"}])
    db.close()
    assert real(cli, "profile", "set", "1", "--mode", "strict").code == 0
    strict = _verdicts(cli)
    assert strict["Nobody Knows (USA).iso"]["reason"] == "PERF_MISSING_STRICT"
    midnight = strict["Midnight Club (Europe).iso"]
    assert (midnight["perf"], midnight["reason"]) == ("PERF_OK", "COMPAT_STATUS_EXCLUDED")
    assert "Compatibility: menu_intro (pcsx2-gameindex, pcsx2)" in midnight["warnings"]


@pytest.mark.parametrize("first", ["gameindex", "emuready"])
def test_two_emulator_ids_of_one_family_the_priority_winner_decides(
        cli: Any, db_path: Path, library: dict[str, int], first: str) -> None:
    """QA54 F2: answers for one game under `pcsx2` and `pcsx2-standalone` (one family) were
    two best answers, and the auto-list took whichever emulator id was made first, not the
    source `cache why` names (pcsx2-gameindex ranks before emuready-listings)."""
    def emuready() -> None:
        db = open_database(db_path, OpenMode.WRITE).db
        ingest_observations(db, COMPAT, "emuready-listings", [
            {"platform_id": "ps2", "emulator_id": "pcsx2-standalone",
             "definition_game_id": "SLES-50071", "status": "perfect"}])
        ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
            {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": None,
             "definition_game_id": "SLES-50071", "performance_tier": "good"}])
        db.close()

    def gameindex() -> None:
        assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)

    for step in ((emuready, gameindex) if first == "emuready" else (gameindex, emuready)):
        step()
    why = real(cli, "--json", "cache", "why", "ps2", "pcsx2", "SLES-50071").json()["data"]
    assert (why[0]["source"], why[0]["status"]) == ("pcsx2-gameindex", "menu_intro")
    # either spelling lists both answers, the one the auto-list takes first (QA58 F4)
    other = real(cli, "--json", "cache", "why", "ps2", "pcsx2-standalone",
                 "SLES-50071").json()["data"]
    assert [(row["source"], row["is_best"]) for row in other] == [
        ("pcsx2-gameindex", True), ("emuready-listings", False)]
    (item,) = real(cli, "--json", "cache", "explain",
                   str(library["Midnight Club (Europe).iso"])).json()["data"]
    applies = {group["emulator_id"]: group["applies"] for group in item["kinds"]["compat"]
               if group["game_key"] == "SLES-50071"}
    assert applies == {"pcsx2": True, "pcsx2-standalone": False}, applies
    assert real(cli, "profile", "set", "1", "--mode", "strict").code == 0
    midnight = _verdicts(cli)["Midnight Club (Europe).iso"]
    assert midnight["reason"] == "COMPAT_STATUS_EXCLUDED", midnight
    assert "Compatibility: menu_intro (pcsx2-gameindex, pcsx2)" in midnight["warnings"]


def test_answers_of_other_emulators_are_said_where_the_games_emulator_has_none(
        cli: Any, db_path: Path, library: dict[str, int]) -> None:
    """QA144 F2: a game run with an emulator no source answered for (RetroArch with its core
    unnamed, the pack's fallback) was "Compatibility assumed", though other emulators'
    answers for it said broken: they are named, with how to choose the emulator."""
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, COMPAT, "community-verified", [
        {"platform_id": "ps2", "emulator_id": "play", "definition_game_id": "SLES-50071",
         "status": "broken"},
        {"platform_id": "ps2", "emulator_id": "dobiestation", "definition_game_id":
         "SLES-50071", "status": "playable"}])
    db.close()
    midnight = _verdicts(cli)["Midnight Club (Europe).iso"]
    assert midnight["emulator_id"] == "pcsx2" and midnight["included"]
    assert midnight["compat"] == "COMPAT_MISSING_ASSUME_OK"
    (said,) = [w for w in midnight["warnings"] if w.startswith("Compatibility")]
    assert said.startswith("Compatibility unknown with pcsx2; other emulators say: "), said
    assert "dobiestation playable" in said and "play broken" in said
    assert "override set --platform ps2 --emulator" in said
    nobody = _verdicts(cli)["Nobody Knows (USA).iso"]
    assert "Compatibility assumed with pcsx2" in nobody["warnings"]


def test_a_verdict_names_its_sources_date(cli: Any, library: dict[str, int],
                                          tmp_path: Path) -> None:
    """QA144 F1: a 2019 report dropped a game and nothing said how old it was (its date was
    shown by `cache sources --json` only)."""
    envelope = tmp_path / "old.json"
    envelope.write_text(json.dumps({
        "schemaVersion": "compat-source-v1", "source": "emuready-listings",
        "generatedAt": "2019-03-01T00:00:00Z",
        "items": [{"platformId": "ps2", "emulatorId": "pcsx2", "externalGameId": "SLES-50071",
                   "status": "broken"}]}))
    assert real(cli, "cache", "import", envelope).code == 0
    midnight = _verdicts(cli)["Midnight Club (Europe).iso"]
    assert midnight["reason"] == "COMPAT_STATUS_EXCLUDED"
    assert "Compatibility: broken (emuready-listings, as of 2019-03-01, pcsx2)" \
        in midnight["warnings"], midnight
    game = str(library["Midnight Club (Europe).iso"])
    (item,) = real(cli, "--json", "cache", "explain", game).json()["data"]
    (answer,) = [o for group in item["kinds"]["compat"] for o in group["observations"]
                 if o["source"] == "emuready-listings"]
    assert answer["data_as_of"] == "2019-03-01T00:00:00Z"
    text = " ".join(real(cli, "cache", "explain", game).out.split())
    assert "as of 2019-03-01, imported now" in text, text


def test_a_sources_exclusion_flag_is_said_as_such(cli: Any, db_path: Path,
                                                  library: dict[str, int]) -> None:
    """QA54 F5: a game a source flags "exclude from auto-lists" was left out as
    "Performance tier excellent"."""
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": None,
         "definition_game_id": "SLES-50071", "performance_tier": "excellent",
         "exclude_from_auto": True},
        {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": None,
         "definition_game_id": "SCES-50459", "performance_tier": "poor"}])
    db.close()
    verdicts = _verdicts(cli)
    midnight, dropship = (verdicts[f"{name}.iso"] for name in ("Midnight Club (Europe)",
                                                               "Dropship (Europe)"))
    assert midnight["reason"] == dropship["reason"] == "PERF_TIER_EXCLUDED"
    assert midnight["warnings"] == [
        "Excluded from auto-lists by its performance source (retrocatalog-api; tier "
        "excellent)"]
    assert dropship["warnings"] == ["Performance tier poor (retrocatalog-api)"]
    text = real(cli, "autolist", "1").out  # (QA58 F8: said in the text line too)
    assert "PERF_TIER_EXCLUDED (Excluded from auto-lists by its performance source " \
        "(retrocatalog-api; tier excellent))" in " ".join(text.split())


def test_a_set_with_a_disc_known_broken_is_left_out_whole(cli: Any, db_path: Path,
                                                          tmp_path: Path,
                                                          library: dict[str, int]) -> None:
    """QA54 F6: the auto-list kept discs 1 and 3 and left disc 2 out (broken), and
    `deploy --auto` then put disc 2 on the card to complete the set."""
    for disc, serial in ((1, "SLUS_211.11"), (2, "SLUS_211.12"), (3, "SLUS_211.13")):
        _ps2_iso(tmp_path / "roms" / "ps2" / f"Saga (USA) (Disc {disc}).iso", serial)
    assert real(cli, "scan", "--workers", "1").code == 0
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, COMPAT, "emuready-listings", [
        {"platform_id": "ps2", "emulator_id": "pcsx2", "definition_game_id": "SLUS-21112",
         "status": "broken"}])
    db.close()
    verdicts = _verdicts(cli)
    saga = {name: verdicts[name] for name in verdicts if name.startswith("Saga")}
    assert len(saga) == 3 and not any(v["included"] for v in saga.values()), saga
    assert all(v["reason"] == "COMPAT_STATUS_EXCLUDED" for v in saga.values())
    assert any("Disc 2 of its set is left out" in w
               for w in saga["Saga (USA) (Disc 1).iso"]["warnings"])
    text = [line for line in real(cli, "autolist", "1").out.splitlines()
            if "Saga (USA) (Disc 1).iso" in line]
    assert len(text) == 1 and "(Disc 2 of its set is left out" in text[0], text  # (QA58 F2)
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "--json", "deploy", "1", "--to", card, "--auto")
    assert done.code in (0, 1) and done.json()["data"]["copied"] > 0, done.err
    assert not [path for path in card.rglob("*") if "Saga" in path.name]


def test_explain_says_a_platform_wide_answer_yields_to_the_games_own(
        cli: Any, db_path: Path, library: dict[str, int]) -> None:
    """QA54 F4: `cache explain` said a platform-wide answer for any emulator "applies (no
    answer of the game's own)" right under the game's own answer for pcsx2, which the
    auto-list uses."""
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": "pcsx2",
         "definition_game_id": "SLES-50071", "performance_tier": "poor"},
        {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": None,
         "definition_game_id": "*", "performance_tier": "excellent"}])
    db.close()
    shown = real(cli, "--json", "cache", "explain", str(library["Midnight Club (Europe).iso"]))
    (item,) = shown.json()["data"]
    groups = {group["game_key"]: group for group in item["kinds"]["performance"]}
    assert groups["SLES-50071"]["applies"] is True
    assert groups["*"]["applies"] is False
    assert groups["*"]["why"].startswith("not applied to pcsx2 (pcsx2's is SLES-50071's)")
    assert _verdicts(cli)["Midnight Club (Europe).iso"]["perf"] == "PERF_TIER_EXCLUDED"


def test_explain_and_autolist_use_the_same_keys(cli: Any, db_path: Path,
                                                library: dict[str, int]) -> None:
    db = open_database(db_path, OpenMode.READ).db
    keys = knowledge_keys(db, [*library.values(), 10_000])
    assert 10_000 not in keys
    assert keys[library["Midnight Club (Europe).iso"]] == ["SLES-50071"]
    dropship = keys[library["Dropship (Europe).iso"]]
    assert dropship[0] == "SCES-50459" and dropship[1].startswith("ps2:")
    explained = cli("--json", "cache", "explain", str(library["Dropship (Europe).iso"]))
    assert explained.json()["data"][0]["keys"] == dropship
    with db.count_statements() as statements:
        knowledge_keys(db, library.values())
    assert len(statements) == 1


def _listed(cli: Any, *query: str) -> set[str]:
    result = real(cli, "--json", "games", "ls", *query)
    assert result.code == 0, result.err
    return {game["filename"] for game in result.json()["data"]["games"]}


def test_compat_field_of_the_query_language(cli: Any, library: dict[str, int]) -> None:
    everything = set(library)
    assert _listed(cli, "compat:unknown") == everything  # nothing imported yet
    assert _listed(cli, "compat:menu_intro") == set()
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    menu = {"Midnight Club (Europe).iso", "Dropship (Europe).iso"}
    assert _listed(cli, "compat:menu_intro") == menu
    assert _listed(cli, "compat:perfect,menu_intro") == menu
    assert _listed(cli, "compat:MENU_INTRO", "platform:ps2") == menu
    assert _listed(cli, "-compat:menu_intro") == everything - menu
    assert _listed(cli, "compat:unknown") == {"Nobody Knows (USA).iso"}
    assert _listed(cli, "-compat:unknown") == menu
    assert _listed(cli, "compat:playable,broken") == set()
    counted = cli("--json", "games", "ls", "compat:menu_intro", "--count")
    assert counted.json()["data"]["total"] == 2


def test_a_bad_compat_value_is_one_line_and_changes_nothing(cli: Any,
                                                            library: dict[str, int]) -> None:
    result = cli("games", "ls", "compat:great")
    assert result.code == 2 and result.out == ""
    assert result.err.strip().count("\n") == 0
    assert "compat:great" in result.err and "playable" in result.err
    saved = cli("collection", "create", "Menus", "--query", "compat:menus")
    assert saved.code == 2 and "compat:menus" in saved.err
    assert "Menus" not in cli("collection", "ls").out


def test_a_smart_collection_on_compat_is_evaluated_live(cli: Any,
                                                        library: dict[str, int]) -> None:
    assert cli("collection", "create", "Works", "--query", "compat:playable,menu_intro").code == 0
    assert _listed(cli, "collection:Works") == set()
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    assert _listed(cli, "collection:Works") == {"Midnight Club (Europe).iso",
                                                "Dropship (Europe).iso"}


@pytest.mark.parametrize("spelling", [
    "SLUS-20312", "SLUS 20312", "SLUS_203.12", "slus20312", " SLUS-203.12 ", "ULUS-10041",
    "SLUS\t20312", "SLES-02375-P", "SLUS-00594, SLUS-00594GH", "GALE01", "DL-DOL-GALE-USA",
    "SLU-20312", "SLUS-2031", "", "12345-ABCD", "SLUS-01272GH", "SLES-03134-T",
    "SLES-01324/P", "SLUS-00874-0", "SLUS-012725", "SLUS-0127 2"])
def test_the_sql_spelling_rule_agrees_with_leading_serial(spelling: str) -> None:
    """QA54 F8: a Redump serial with a release's suffix (about one PlayStation entry in
    five) gave the game no key: its leading serial is the key."""
    conn = sqlite3.connect(":memory:")
    (spelled,) = conn.execute(f"SELECT {serial_sql('s.v')} FROM (SELECT ? AS v) s",
                              (spelling,)).fetchone()
    conn.close()
    assert spelled == leading_serial(spelling)
    if normalise_serial(spelling) is not None:
        assert spelled == normalise_serial(spelling)


def test_every_serial_of_the_real_redump_ps1_dat_gives_its_leading_key() -> None:
    dat = shared_path("dats", "redump", "Sony - PlayStation.dat")
    serials = set(re.findall(r'serial "([^"]*)"', dat.read_text(encoding="utf-8",
                                                                 errors="replace")))
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE s (v TEXT)")
    conn.executemany("INSERT INTO s VALUES (?)", [(serial,) for serial in serials])
    spelled = dict(conn.execute(f"SELECT v, {serial_sql('s.v')} FROM s"))
    conn.close()
    assert spelled == {serial: leading_serial(serial) for serial in serials}
    assert [spelled[s] for s in ("SLUS-01272GH", "SLES-03134-T", "SLES-01324/P",
                                 "SLES-02996-2")] == [
        "SLUS-01272", "SLES-03134", "SLES-01324", "SLES-02996"]  # (QA58 F7: the last)
    suffixed = [s for s, key in spelled.items() if key and normalise_serial(s) is None
                and not re.fullmatch(r"[A-Z]{4}\d{5}", re.sub(r"[\s_.-]", "", s.upper()))]
    assert len(suffixed) > 400  # (no key at all before: QA54 F8)


def test_cache_why_takes_a_game_as_cache_explain_does(cli: Any, db_path: Path,
                                                      library: dict[str, int]) -> None:
    # QA12 F4: `cache why PLATFORM EMULATOR GAME` took only the raw cache key; a library id
    # or title `cache explain` answers gave "no cached answer", exit 0, and so did a typo in
    # the platform or emulator id.
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    by_key = real(cli, "--json", "cache", "why", "ps2", "pcsx2", "SLES-50071")
    assert by_key.code == 0 and [r["status"] for r in by_key.json()["data"]] == ["menu_intro"]
    midnight = library["Midnight Club (Europe).iso"]
    for game in (str(midnight), "Midnight Club"):
        found = real(cli, "--json", "cache", "why", "ps2", "pcsx2", game)
        assert found.code == 0, found.err
        assert [(r["status"], r["game_key"], r["game_id"]) for r in found.json()["data"]] == [
            ("menu_intro", "SLES-50071", midnight)]
    text = real(cli, "cache", "why", "ps2", "pcsx2", str(midnight))
    assert text.code == 0 and f"game {midnight} · SLES-50071:" in text.out
    assert "menu_intro" in text.out
    nothing = real(cli, "--json", "cache", "why", "ps2", "pcsx2",
                   str(library["Nobody Knows (USA).iso"]))
    assert nothing.code == 0 and nothing.json()["data"] == []
    empty = real(cli, "cache", "why", "ps2", "pcsx2", " ")  # (QA14: "no cached answer")
    assert empty.code == 2 and "GAME is empty" in empty.err
    for args in (("nosuchplat", "pcsx2"), ("ps2", "nosuchemu")):
        wrong = real(cli, "cache", "why", *args, str(midnight))
        assert wrong.code == 2 and "neither the definition pack nor the cache knows" in wrong.err
        assert len(wrong.err.strip().splitlines()) == 1 and "Traceback" not in wrong.err


def test_a_name_guess_the_discs_own_serial_contradicts_lends_it_no_knowledge(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA153 F8: a disc booting one serial, named like a catalog game of another serial,
    took that game's rating (and required settings) through the name guess; a name guess
    the disc's serial agrees with still links."""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Dropship (Europe).iso", "SLUS_999.99")  # another game's disc
    _ps2_iso(tmp_path / "more" / "ps2" / "Dropship (Europe).iso", "SCES_504.59")  # its own
    dat = tmp_path / "ps2.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Sony - PlayStation 2"\n\tdescription "Sony - PlayStation 2"\n)\n'
        '\ngame (\n\tname "Dropship (Europe)"\n\tserial "SCES 50459"\n'
        '\trom ( name "Dropship (Europe).iso" size 7 crc 01234567 )\n)\n')
    for args in (("dat", "import", dat), ("library", "add", root),
                 ("library", "add", tmp_path / "more"), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path(*GAMEINDEX))):
        assert real(cli, *args).code in (0, 1), args
    with sqlite3.connect(db_path) as conn:
        rows = {root_id: (game_id, method) for game_id, root_id, method in conn.execute(
            "SELECT id, root_id, match_method FROM games")}
    other, own = rows[1], rows[2]
    assert other[1] == own[1] == "name"
    db = open_database(db_path, OpenMode.READ).db
    keys = knowledge_keys(db, [other[0], own[0]])
    db.close()
    assert keys[other[0]] == ["SLUS-99999"]
    assert "SCES-50459" in keys[own[0]]
    explained = real(cli, "--json", "cache", "explain", str(other[0]))
    assert explained.code == 0, explained.err
    assert "pcsx2-gameindex" not in json.dumps(explained.json()["data"])
    assert "pcsx2-gameindex" in json.dumps(real(cli, "--json", "cache", "explain",
                                                str(own[0])).json()["data"])


def test_of_a_games_versions_one_its_emulator_rates_running_is_kept(
        cli: Any, tmp_path: Path) -> None:
    """QA153 F2: one game one ROM kept the version PCSX2 rates "Intro" (it never gets in
    game) for the profile's language, and left out the one it rates playable."""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "F1 Racing Championship (Europe) (Fr,De).iso", "SLES_500.46")
    _ps2_iso(root / "ps2" / "F1 Racing Championship (Europe) (En,It,Es).iso", "SLES_500.47")
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("profile", "set", "1", "--mode", "permissive", "--languages", "De")):
        assert real(cli, *args).code == 0, args
    before = {name for name, v in _verdicts(cli).items() if v["included"]}
    assert before == {"F1 Racing Championship (Europe) (Fr,De).iso"}  # (no rating: German)
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    after = _verdicts(cli)
    assert {name for name, v in after.items() if v["included"]} == {
        "F1 Racing Championship (Europe) (En,It,Es).iso"}
    dropped = after["F1 Racing Championship (Europe) (Fr,De).iso"]
    # (never in-game: left out by its rating itself, permissive mode too: QA174 F3)
    assert dropped["reason"] == "COMPAT_STATUS_EXCLUDED"
    assert any("menu_intro" in warning for warning in dropped["warnings"])


def test_an_unrated_version_does_not_beat_the_profiles_region_rated_poorly(
        cli: Any, tmp_path: Path) -> None:
    """Review 156 F6: a version rated menu_intro lost to an unrated one of a region the
    profile did not ask for; it loses only to a version rated as running. (A version rated
    ingame since QA174 F3: menu_intro never gets in-game, and is left out.)"""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Karaoke Revolution (Japan).iso", "SLPM_623.82")  # ingame
    _ps2_iso(root / "ps2" / "Karaoke Revolution (USA).iso", "SLUS_999.99")  # not rated
    _rated_knulli_profile(cli, root, "--regions", "Japan")
    assert {name for name, v in _verdicts(cli).items() if v["included"]} == {
        "Karaoke Revolution (Japan).iso"}


def test_the_platform_limit_keeps_a_game_the_knowledge_says_runs_first(
        cli: Any, tmp_path: Path) -> None:
    """Review 156 F3: `--max-per-platform` ranked by knowledge fields that are never empty:
    the first N by title were kept whatever the emulator's rating."""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Aardvark Racing (Europe).iso", "SLES_999.98")  # not rated
    _ps2_iso(root / "ps2" / "F1 Racing Championship (Europe) (En,It,Es).iso", "SLES_500.47")
    _rated_knulli_profile(cli, root, "--max-per-platform", "1")
    verdicts = _verdicts(cli)
    assert {name for name, v in verdicts.items() if v["included"]} == {
        "F1 Racing Championship (Europe) (En,It,Es).iso"}
    assert verdicts["Aardvark Racing (Europe).iso"]["reason"] == "platform_limit"


def test_a_name_guess_whose_catalog_game_has_no_serial_still_links(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 156 F7: the guard against a contradicting disc serial dropped the catalog keys
    of any name-guessed disc whose catalog game has no serial (GameCube, Wii)."""
    from tests.test_serials import _nintendo_header

    root = tmp_path / "roms" / "gamecube"
    root.mkdir(parents=True)
    (root / "Melee (USA).iso").write_bytes(_nintendo_header(b"GALE01", wii=False)
                                          + b"\x00" * 4096)
    dat = tmp_path / "gc.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - GameCube"\n)\n\ngame (\n\tname '
                   '"Melee (USA)"\n\trom ( name "Melee (USA).iso" size 7 crc 01234567 )\n)\n')
    for args in (("dat", "import", dat, "--platform", "gamecube"),
                 ("library", "add", root.parent),
                 ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    with sqlite3.connect(db_path) as conn:
        (game_id, method, matched), = conn.execute(
            "SELECT id, match_method, matched_game_id FROM games")
    assert method == "name"
    db = open_database(db_path, OpenMode.READ).db
    keys = knowledge_keys(db, [game_id])[game_id]
    db.close()
    assert keys[0] == "GALE01" and matched in keys


def test_the_platform_limit_keeps_a_game_rated_playable_before_one_rated_intro_only(
        cli: Any, tmp_path: Path) -> None:
    """QA158 N2: a game rated menu_intro (it passed the gate, warned) counted as one "the
    knowledge says runs": kept by `--max-per-platform` over one rated playable. (Rated
    ingame since QA174 F3, which leaves menu_intro out.)"""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Aardvark Club (Japan).iso", "SLPM_623.82")  # ingame
    _ps2_iso(root / "ps2" / "F1 Racing Championship (Europe) (En,It,Es).iso", "SLES_500.47")
    _rated_knulli_profile(cli, root, "--max-per-platform", "1")
    verdicts = _verdicts(cli)
    assert {name for name, v in verdicts.items() if v["included"]} == {
        "F1 Racing Championship (Europe) (En,It,Es).iso"}


def test_a_version_rated_unknown_loses_to_one_rated_playable(cli: Any, tmp_path: Path) -> None:
    """qa193 F3: PCSX2's `compat: 0` ("unknown") for the Japanese Ape Escape 3 kept it, for
    the profile's region, over the USA one rated playable; the README says a version rated
    as running beats one rated ingame or unknown."""
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Ape Escape 3 (Japan).iso", "SCAJ_201.38")
    _ps2_iso(root / "ps2" / "Ape Escape 3 (USA).iso", "SCUS_975.01")  # playable
    _rated_knulli_profile(cli, root, "--regions", "Japan", "--languages", "Ja")
    rated = tmp_path / "GameIndex.yaml"
    rated.write_text('SCAJ-20138:\n  name: "Ape Escape 3"\n  region: "NTSC-Unk"\n'
                     "  compat: 0\n")
    assert real(cli, "cache", "import", rated, "--force").code in (0, 1)
    verdicts = _verdicts(cli)
    assert {name for name, v in verdicts.items() if v["included"]} == {
        "Ape Escape 3 (USA).iso"}, verdicts
    assert verdicts["Ape Escape 3 (Japan).iso"]["dropped"] == "other_version"
