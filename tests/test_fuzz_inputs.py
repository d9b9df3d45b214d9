"""Fuzzing every reader of user-supplied files (issue 17 item 2): DAT readers (clrmamepro and
Logiqx, game and System.dat), the definition-pack loader and its sync into a database, the
cache importers (JSON Lines and JSON lists, every kind), and the emulators' knowledge readers.

Properties, for every generated input:

- only the project's error (:class:`RomRunnerError`, one line) escapes;
- time is bounded: a reader still busy after ``HANG_SECONDS`` is a hang (a generous guard,
  not a speed test);
- memory is bounded: the Python heap peak (tracemalloc) stays under a floor plus a small
  multiple of the input's size (amplification bombs are among the explicit examples);
- nothing is written outside the target: every file under the test folder other than the
  target database is byte-for-byte unchanged, the input included.

``ROMRUNNER_FUZZ_EXAMPLES`` raises the example count (the release run uses thousands).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from romrunner.bios.known import import_bios_dat
from romrunner.cache.importfile import read_observation_file
from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import KINDS
from romrunner.catalog.datfile import read_dat, read_sectioned_roms
from romrunner.errors import RomRunnerError
from romrunner.knowledge import dolphin, libretro_info
from romrunner.knowledge.formats import GAME_FORMATS, detect_format
from romrunner.knowledge.model import ReadReport
from romrunner.packs import load_pack
from romrunner.packs.loader import builtin_pack_path
from romrunner.packs.sync import sync_pack
from romrunner.store import Database
from romrunner.store.open import OpenMode, open_database

EXAMPLES = int(os.environ.get("ROMRUNNER_FUZZ_EXAMPLES", "60"))
HANG_SECONDS = 60
MEMORY_FLOOR = 48 << 20      # bytes of heap any reader may use whatever its input
MEMORY_PER_INPUT_BYTE = 40   # and this much more per byte of input (the issue saw 140x)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(Exception):
    """A reader was still busy after HANG_SECONDS."""


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its content."""
    return {str(path.relative_to(folder)): hashlib.sha1(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"still busy after {seconds} s")
    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def bounded(call: Callable[[], object], sandbox: Path, input_bytes: int,
            may_write: tuple[str, ...] = ()) -> object:
    """Run ``call`` and check the four properties; returns its result (None on an error)."""
    before = tree(sandbox)
    tracemalloc.start()
    result: object = None
    try:
        with _alarm(HANG_SECONDS):
            result = call()
    except RomRunnerError as exc:
        assert "\n" not in str(exc), f"a multi-line error: {exc!r}"
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak <= MEMORY_FLOOR + MEMORY_PER_INPUT_BYTE * input_bytes, \
        f"heap peak {peak:,} bytes for {input_bytes:,} bytes of input"
    after = tree(sandbox)
    changed = {name for name in before.keys() | after.keys()
               if before.get(name) != after.get(name) and not name.startswith(may_write)}
    assert changed == set(), f"written outside the target: {sorted(changed)}"
    return result


@contextlib.contextmanager
def fresh_sandbox() -> Iterator[Path]:
    """A new empty folder for one example (hypothesis runs many per test)."""
    folder = Path(tempfile.mkdtemp(prefix="rr-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sandbox() -> Iterator[Path]:
    with fresh_sandbox() as folder:
        yield folder


# -- DAT readers -------------------------------------------------------------------------

_WORDS = ["clrmamepro", "game", "machine", "resource", "rom", "disk", "name", "size", "crc",
          "md5", "sha1", "description", "version", "header", "serial", "status", "merge",
          "(", "(", ")", ")", "\n", "\t"]
_NUMBERS = st.one_of(st.integers(-10, 10 ** 6), st.integers(-(10 ** 40), 10 ** 40)).map(str)
_HEX = st.text("0123456789abcdefABCDEFxg", max_size=44)
_FREE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_QUOTED = _FREE_TEXT.map(lambda t: '"' + t.replace('"', "'") + '"')
_TOKEN = st.one_of(st.sampled_from(_WORDS), _NUMBERS, _HEX, _QUOTED,
                   st.text("()\"\\ \n\t", max_size=4))
_HEADER = 'clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n'
GOOD_GAME = ('game (\n\tname "A (USA)"\n\trom ( name "a.gb" size 3 crc 352441c2 '
             "md5 900150983cd24fb0d6963f7d28e17f72 sha1 a9993e364706816aba3e25717850c26c9cd0d89d"
             " )\n)\n")


@st.composite
def clrmamepro_text(draw: st.DrawFn) -> str:
    body = " ".join(draw(st.lists(_TOKEN, max_size=80)))
    prefix = draw(st.sampled_from([_HEADER, _HEADER + GOOD_GAME, "clrmamepro (", "game ("]))
    return prefix + body + draw(st.sampled_from(["", "\n)", GOOD_GAME]))


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"))


@st.composite
def logiqx_text(draw: st.DrawFn) -> str:
    doctype = draw(st.sampled_from([
        "", '<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM Management Datafile//EN" '
            '"http://www.logiqx.com/Dats/datafile.dtd">',
        '<!DOCTYPE datafile [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>']))
    games = []
    for _ in range(draw(st.integers(0, 6))):
        roms = "".join(
            f'<rom name="{_attr(draw(_FREE_TEXT))}" size="{draw(_NUMBERS)}" '
            f'crc="{_attr(draw(_HEX))}" sha1="{_attr(draw(_HEX))}"'
            + draw(st.sampled_from(["/>", ">", "></rom>", ' status="baddump"/>']))
            for _ in range(draw(st.integers(0, 3))))
        tag = draw(st.sampled_from(["game", "machine", "software"]))
        games.append(f'<{tag} name="{_attr(draw(_FREE_TEXT))}">'
                     f"<description>{_attr(draw(_FREE_TEXT))}</description>{roms}</{tag}>")
    header = draw(st.sampled_from(["<header><name>Nintendo - Game Boy</name></header>",
                                   "<header><name>&d;</name></header>", "<header/>", ""]))
    tail = draw(st.sampled_from(["</datafile>", "", "</datafile><x/>", "&e;</datafile>"]))
    return f'<?xml version="1.0"?>{doctype}<datafile>{header}{"".join(games)}{tail}'


def _read_every_way(path: Path, db: Path) -> None:
    with contextlib.suppress(RomRunnerError):
        result = read_dat(path)
        for game in result.games:
            assert isinstance(game.name, str)
    with contextlib.suppress(RomRunnerError):
        read_sectioned_roms(path)
    database = open_database(db, OpenMode.WRITE).db
    try:
        import_bios_dat(database, path, load_pack(None))
    finally:
        database.close()


@FUZZ
@given(text=st.one_of(clrmamepro_text(), logiqx_text()))
@example(text=_HEADER + 'game ( name "x" rom ( name "x" size 1' + "0" * 40 + " crc 0 ) )")
@example(text=_HEADER + 'game ( name "' + "x" * 200_000 + '" )')
@example(text='<?xml version="1.0"?><datafile><game name="' + "y" * 200_000 + '"/></datafile>')
def test_dat_readers_raise_only_our_error_in_bounds(text: str) -> None:
    with fresh_sandbox() as sandbox:
        dat = sandbox / "fuzz.dat"
        dat.write_text(text, encoding="utf-8", errors="surrogatepass")
        bounded(lambda: _read_every_way(dat, sandbox / "t.db"), sandbox, len(text.encode()),
                may_write=("t.db",))


# -- the definition pack -----------------------------------------------------------------

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 30), 10 ** 30),
              st.floats(allow_nan=True), _FREE_TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(_FREE_TEXT, children, max_size=4)),
    max_leaves=20)
_PACK_FILES = sorted(str(p.relative_to(builtin_pack_path()))
                     for p in builtin_pack_path().rglob("*.json"))


def _replace_somewhere(document: Any, path: list[int], value: Any) -> Any:
    """``document`` with the node that ``path`` walks to replaced by ``value``."""
    if not path or not isinstance(document, (dict, list)) or not document:
        return value
    if isinstance(document, dict):
        key = sorted(document)[path[0] % len(document)]
        return {**document, key: _replace_somewhere(document[key], path[1:], value)}
    index = path[0] % len(document)
    return [*document[:index], _replace_somewhere(document[index], path[1:], value),
            *document[index + 1:]]


@st.composite
def pack_damage(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(_PACK_FILES))
    original = json.loads((builtin_pack_path() / name).read_text(encoding="utf-8"))
    how = draw(st.sampled_from(["replace", "replace", "replace", "truncate", "bytes", "drop"]))
    if how == "replace":
        damaged = _replace_somewhere(original, draw(st.lists(st.integers(0, 1000), max_size=5)),
                                     draw(_JSON))
        return name, json.dumps(damaged, allow_nan=True).encode()
    raw = (builtin_pack_path() / name).read_bytes()
    if how == "truncate":
        return name, raw[:draw(st.integers(0, len(raw)))]
    if how == "bytes":
        return name, draw(st.binary(max_size=64))
    return name, b""  # an empty file


@FUZZ
@given(damage=st.lists(pack_damage(), min_size=1, max_size=3))
@example(damage=[("layoutDetectionProfiles.json", b"[]")])
@example(damage=[("layoutDetectionProfiles.json", b'{"version": "1", "profiles": null}')])
@example(damage=[("osEmulatorProfiles.json", b'"text"')])
@example(damage=[("platformPolicies.json", b"[1, 2]")])
@example(damage=[("platforms.json", b"[" * 50_000 + b"]" * 50_000)])
@example(damage=[("emulators.json", b'{"version": ' + b"9" * 5000 + b"}")])
def test_pack_loader_and_sync_raise_only_our_error_in_bounds(
        damage: list[tuple[str, bytes]]) -> None:
    with fresh_sandbox() as sandbox:
        pack = sandbox / "pack"
        shutil.copytree(builtin_pack_path(), pack)
        for name, content in damage:
            (pack / name).write_bytes(content)

        def load_and_sync() -> None:
            loaded = load_pack(pack)
            database = open_database(sandbox / "t.db", OpenMode.WRITE).db
            try:
                sync_pack(database, loaded)
            finally:
                database.close()
        bounded(load_and_sync, sandbox, sum(p.stat().st_size for p in pack.rglob("*.json")),
                may_write=("t.db",))


# -- the cache importers -----------------------------------------------------------------

_VALID = {"compat": {"platform_id": "psx", "emulator_id": "duckstation",
                     "definition_game_id": "SLUS-00001", "status": "playable"},
          "performance": {"device_profile_id": 1, "platform_id": "psx",
                          "definition_game_id": "SLUS-00001", "raw_score": 50},
          "settings": {"platform_id": "psx", "emulator_id": "duckstation",
                       "definition_game_id": "SLUS-00001", "settings": {"a": "b"}}}


_FIELDS = [*sorted({key for valid in _VALID.values() for key in valid}), "confidence", "notes",
           "fetched_at"]


@st.composite
def observation_file(draw: st.DrawFn) -> tuple[str, str, bytes]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    entries = draw(st.lists(st.one_of(
        _JSON, st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=6).map(
            lambda patch: {**_VALID[kind], **patch})),
        max_size=8))
    if draw(st.booleans()):
        lines = [json.dumps(entry, allow_nan=True) for entry in entries]
        if draw(st.booleans()):
            lines.append(draw(st.text(max_size=40)).replace("\n", " "))
        return kind, "fuzz.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass")
    document: Any = {"items": entries} if draw(st.booleans()) else entries
    return kind, "fuzz.json", json.dumps(document, allow_nan=True).encode()


@FUZZ
@given(case=observation_file())
@example(case=("compat", "deep.json", b"[" * 100_000 + b"]" * 100_000))
@example(case=("compat", "deep.jsonl", b'{"a":' * 50_000 + b"1" + b"}" * 50_000))
@example(case=("settings", "big.jsonl", json.dumps(
    {**_VALID["settings"], "settings": {str(i): "x" * 100 for i in range(5000)}}).encode()))
def test_cache_importers_raise_only_our_error_in_bounds(case: tuple[str, str, bytes]) -> None:
    with fresh_sandbox() as sandbox:
        kind, name, content = case
        path = sandbox / name
        path.write_bytes(content)
        database = open_database(sandbox / "t.db", OpenMode.WRITE).db
        sync_pack(database, load_pack(None))
        try:
            bounded(lambda: ingest_observations(database, KINDS[kind], "fuzz-source",
                                                read_observation_file(path), new_source=True),
                    sandbox, len(content), may_write=("t.db",))
            assert not database.conn.in_transaction
        finally:
            database.close()


# -- the knowledge readers ---------------------------------------------------------------

_KEYS = ["SLUS-20312", "SLES-00001", "GALE01", "ULUS10041", "compat", "name", "region",
         "compatibility", "rating", "gameFixes", "roundModes", "display_name",
         "supported_extensions", "firmware_count", "firmware0_path", "firmware0_opt",
         "[Core]", "[Video_Settings]", "[CompatibilityFlags]", "EmulationStateId"]


@st.composite
def knowledge_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        key = draw(st.sampled_from(_KEYS))
        value = draw(st.one_of(_NUMBERS, _QUOTED, _FREE_TEXT, st.sampled_from(
            ["&a [1,2]", "*a", "{", "[", "- x", "true", "~", "!!python/object:os.system"])))
        indent = draw(st.sampled_from(["", "  ", "    ", "\t"]))
        sep = draw(st.sampled_from([": ", " = ", "=", ":", " "]))
        lines.append(f"{indent}{key}{sep}{value}")
    return "\n".join(lines)


def _read_knowledge(path: Path, folder: Path) -> None:
    for fmt in GAME_FORMATS.values():
        with contextlib.suppress(RomRunnerError):
            list(fmt.read(path, ReadReport(str(path))))
    with contextlib.suppress(RomRunnerError):
        detect_format(path)
    with contextlib.suppress(RomRunnerError):
        list(dolphin.read(folder, ReadReport(str(folder))))
    with contextlib.suppress(RomRunnerError):
        list(libretro_info.read(folder, ReadReport(str(folder))))


@FUZZ
@given(text=knowledge_text())
@example(text="SLUS-20312:\n  a: &a [" + ",".join(["x"] * 50) + "]\n" + "".join(
    f"  {chr(98 + n)}: &{chr(98 + n)} [" + ",".join([f"*{chr(97 + n)}"] * 50) + "]\n"
    for n in range(8)))
@example(text="SLUS-20312:\n" + "  " * 5000 + "- x")
def test_knowledge_readers_raise_only_our_error_in_bounds(text: str) -> None:
    with fresh_sandbox() as sandbox:
        folder = sandbox / "k"
        folder.mkdir()
        path = folder / "GALE01.ini"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        shutil.copyfile(path, folder / "x_libretro.info")
        shutil.copyfile(path, folder / "GameIndex.yaml")
        bounded(lambda: _read_knowledge(folder / "GameIndex.yaml", folder), sandbox,
                3 * len(text.encode("utf-8", "surrogatepass")))


def test_the_harness_catches_a_write_outside_the_target(sandbox: Path) -> None:
    (sandbox / "user.rom").write_bytes(b"mine")
    with pytest.raises(AssertionError, match="written outside the target"):
        bounded(lambda: (sandbox / "user.rom").write_bytes(b"changed"), sandbox, 4)
    with pytest.raises(AssertionError, match="heap peak"):
        bounded(lambda: bytearray(MEMORY_FLOOR + (1 << 20)), sandbox, 0)
    with pytest.raises(ValueError):
        bounded(lambda: int("x"), sandbox, 0)  # not the project's error: it escapes


def test_a_database_written_by_the_target_is_allowed(sandbox: Path) -> None:
    assert bounded(lambda: Database(sandbox / "t.db").close(), sandbox, 0,
                   may_write=("t.db",)) is None
