"""A deploy plan kept between runs (romrunner.deploy.plancache) is read back only when nothing
it read changed: each input, changed, makes the next plan a fresh one that reflects it."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import romrunner
from romrunner.bios.example import build_example_bios
from romrunner.bios.scan import scan_bios
from romrunner.collections.store import create_collection
from romrunner.deploy.card import record_card_os
from romrunner.deploy.execute import deploy
from romrunner.deploy.layout import DETECTED
from romrunner.deploy.legal import FileSystem
from romrunner.deploy.plan import DeployPlan, build_plan
from romrunner.deploy.plancache import (
    KEPT_PLANS,
    PLAN_READERS,
    digest_of,
    engine_digest,
    engine_files,
)
from romrunner.devices.overrides import set_game_override
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs.loader import builtin_pack_path, load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import writer_killed_before_rename
from tests.test_deploy import disc_files
from tests.test_deploy_support import (
    Folder,
    Layout,
    Library,
    builtin_pack,
    make_library,
    payload,
)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path)


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    return folder


class Inputs:
    """What a plan is made from, each changeable by a test."""

    def __init__(self, library: Library, card: Path) -> None:
        self.library, self.card = library, card
        self.layout = Layout(card)
        self.ids = library.game_ids()
        self.pack = builtin_pack()
        self.profile_id: int | None = library.profile_id
        self.include_bios, self.pruning = True, False

    def plan(self, *, keep: bool = True) -> DeployPlan:
        return build_plan(self.library.db, self.layout, self.ids, pack=self.pack,
                          profile_id=self.profile_id, include_bios=self.include_bios,
                          pruning=self.pruning, keep=keep)


def same(one: DeployPlan, other: DeployPlan) -> bool:
    """Two plans that put the same files in the same places and say the same things."""
    return one.items == other.items and one.summary() == other.summary() and \
        (one.held, one.held_games, one.held_sets, one.held_sha1s, one.copies, one.reached,
         one.layout_folders, one.detected_folders, one.game_ids) == \
        (other.held, other.held_games, other.held_sets, other.held_sha1s, other.copies,
         other.reached, other.layout_folders, other.detected_folders, other.game_ids)


def test_an_unchanged_plan_is_read_back_as_it_was_made(library: Library, card: Path) -> None:
    inputs = Inputs(library, card)
    first = inputs.plan()
    again = inputs.plan()
    assert not first.kept and again.kept
    assert same(again, first) and same(again, inputs.plan(keep=False))
    assert again.items and again.items is not first.items


def _rescanned(inputs: Inputs) -> None:  # a game's file changed, and scanned again
    (inputs.library.root / "snes/Sky Pilot (USA).sfc").write_bytes(payload("new", 70_123))
    scan_library(inputs.library.db, builtin_pack(), workers=1)


def _excluded(inputs: Inputs) -> None:  # an override on a chosen game
    set_game_override(inputs.library.db, builtin_pack(), inputs.ids[0],
                      profile_id=inputs.library.profile_id, emulator="snes9x",
                      force=True)  # (the game need not be a SNES one)


def _root_added(inputs: Inputs) -> None:
    other = inputs.library.root.parent / "more"
    other.mkdir()
    add_root(inputs.library.db, other)


def _collection(inputs: Inputs) -> None:
    create_collection(inputs.library.db, "favourites")


def _bios_scanned(inputs: Inputs) -> None:
    bios_dir, _, _ = build_example_bios(inputs.library.root.parent / "bios-example",
                                        builtin_pack_path())
    scan_bios(inputs.library.db, builtin_pack(), [bios_dir])


def _other_selection(inputs: Inputs) -> None:
    inputs.ids = inputs.ids[1:]


def _selection_order(inputs: Inputs) -> None:
    inputs.ids = list(reversed(inputs.ids))


def _no_bios(inputs: Inputs) -> None:
    inputs.include_bios = False


def _pruning(inputs: Inputs) -> None:
    inputs.pruning = True


def _no_profile(inputs: Inputs) -> None:
    inputs.profile_id = None


def _other_fs(inputs: Inputs) -> None:
    inputs.layout = Layout(inputs.card, fs=FileSystem.POSIX)


def _other_os(inputs: Inputs) -> None:
    inputs.layout = Layout(inputs.card, os_id="onion")


def _other_folders(inputs: Inputs) -> None:
    inputs.layout = Layout(inputs.card, no_folder={"nes"})


def _other_card(inputs: Inputs) -> None:
    other = inputs.card.parent / "card2"
    other.mkdir()
    inputs.layout = Layout(other)


def _card_os_recorded(inputs: Inputs) -> None:
    record_card_os(inputs.card, "onion")


def _pack_changed(inputs: Inputs) -> None:
    copy = inputs.library.root.parent / "pack"
    shutil.copytree(builtin_pack_path(), copy)
    first = sorted(p for p in copy.rglob("*.json"))[0]
    first.write_text(first.read_text() + "\n")
    inputs.pack = load_pack(copy)
    assert inputs.pack.content_hash != builtin_pack().content_hash


def _root_unmounted(inputs: Inputs) -> None:
    inputs.library.root.rename(inputs.library.root.with_name("lib.away"))


CHANGES: dict[str, Callable[[Inputs], None]] = {
    "games rescanned": _rescanned, "game override": _excluded, "library root added": _root_added,
    "collection": _collection, "bios scanned": _bios_scanned,
    "other selection": _other_selection, "selection order": _selection_order,
    "bios not planned": _no_bios, "pruning": _pruning, "no profile": _no_profile,
    "card file system": _other_fs, "card os": _other_os, "layout folders": _other_folders,
    "other card": _other_card, "card os recorded": _card_os_recorded, "pack": _pack_changed,
    "root unreachable": _root_unmounted}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_input_makes_the_plan_again(library: Library, card: Path,
                                              change: str) -> None:
    inputs = Inputs(library, card)
    inputs.plan()
    assert inputs.plan().kept  # (unchanged: read back)
    CHANGES[change](inputs)
    after = inputs.plan()
    assert not after.kept
    assert same(after, inputs.plan(keep=False))
    assert inputs.plan().kept  # the new plan is kept in its turn


@pytest.mark.parametrize("change", ["games rescanned", "card file system",
                                    "card os recorded", "root unreachable",
                                    "layout folders"])
def test_the_plan_made_again_reflects_the_change(library: Library, card: Path,
                                                 change: str) -> None:
    inputs = Inputs(library, card)
    before = inputs.plan()
    assert inputs.plan().kept
    CHANGES[change](inputs)
    after = inputs.plan()
    assert not after.kept and not same(after, before)


def test_a_bios_scan_is_in_the_plan_made_again(library: Library, card: Path,
                                                tmp_path: Path) -> None:
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    inputs = Inputs(library, card)
    inputs.pack = pack
    before = inputs.plan()
    assert inputs.plan().kept and not [i for i in before.items if i.kind == "bios"]
    scan_bios(library.db, pack, [bios_dir])
    after = inputs.plan()
    assert not after.kept and "BIOS/example-nes-boot.bin" in {i.dest for i in after.items}
    assert same(after, inputs.plan(keep=False))


def test_a_new_engine_makes_the_plan_again(library: Library, card: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = Inputs(library, card)
    inputs.plan()
    assert inputs.plan().kept
    monkeypatch.setattr(romrunner, "__version__", romrunner.__version__ + "+next")
    engine_digest.cache_clear()
    try:
        assert not inputs.plan().kept
    finally:
        engine_digest.cache_clear()


def test_every_module_a_deploy_imports_is_in_the_engine_digest() -> None:
    """A kept plan is stale after a change of any code that made it: the sheet extensions of
    the disc check (library.games) were left out of a hand-kept list once. Asked of a fresh
    interpreter, so that only what a deploy imports is counted."""
    listing = subprocess.run(
        [sys.executable, "-c",
         "import sys, romrunner.deploy.execute, romrunner.deploy.plan\n"
         "for m in sys.modules.values():\n"
         "    f = getattr(m, '__file__', None)\n"
         "    if f and m.__name__.startswith('romrunner'): print(f)"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    imported = {Path(line).resolve() for line in listing.stdout.splitlines()}
    games_module = importlib.import_module("romrunner.library.games").__file__ or ""
    assert Path(games_module).resolve() in imported
    digested = {path.resolve() for _, path in engine_files()}
    assert imported and not imported - digested, sorted(map(str, imported - digested))


def test_a_change_of_any_module_changes_the_engine_digest(tmp_path: Path) -> None:
    """What is hashed, not only listed (review47a F6): one byte of library.games, a module
    the old hand-kept list missed, changes the digest; no module found keeps no plan."""
    files = engine_files()
    changed = tmp_path / "games.py"
    original = next(path for name, path in files if name == "library/games.py")
    changed.write_bytes(original.read_bytes() + b"\n")
    edited = [(name, changed if path == original else path) for name, path in files]
    assert digest_of("1", files) == digest_of("1", list(files)) is not None
    assert digest_of("1", edited) != digest_of("1", files)
    assert digest_of("1", []) is None


def test_a_database_restored_from_a_copy_never_reads_a_later_plan(
        library: Library, card: Path, tmp_path: Path) -> None:
    inputs = Inputs(library, card)
    db_path = library.db.path
    inputs.plan()
    library.db.close()
    shutil.copy(db_path, tmp_path / "backup.db")  # (closed: its WAL is in the file)
    library.db = open_database(db_path, OpenMode.WRITE).db
    _rescanned(inputs)
    changed = inputs.plan()  # kept: the plan of the changed library
    library.db.close()
    shutil.copy(tmp_path / "backup.db", db_path)
    library.db = open_database(db_path, OpenMode.WRITE).db
    restored = inputs.plan()
    assert not restored.kept and not same(restored, changed)
    assert same(restored, inputs.plan(keep=False))


def test_a_torn_or_foreign_kept_file_is_a_plan_made_again(library: Library,
                                                         card: Path) -> None:
    inputs = Inputs(library, card)
    made = inputs.plan()
    (kept,) = (library.db.path.parent / f"{library.db.path.name}.plans").iterdir()
    data = kept.read_bytes()
    for torn in (data[: len(data) // 2], data[:4] + b"x" * (len(data) - 4), b""):
        kept.write_bytes(torn)
        again = inputs.plan()
        assert not again.kept and same(again, made)


def test_a_plan_that_read_the_sources_or_the_card_is_not_kept(tmp_path: Path,
                                                              card: Path) -> None:
    library = make_library(tmp_path, disc_files())  # discs: their sheets and tracks are read
    inputs = Inputs(library, card)
    inputs.plan()
    assert not inputs.plan().kept
    assert not list((library.db.path.parent / f"{library.db.path.name}.plans").glob("*.plan"))


def test_a_redeploy_with_the_kept_plan_writes_nothing_and_reads_no_source(
        library: Library, card: Path) -> None:
    """The card holds what the library records: the sources are not looked at (each changed
    since the scan here: a look would fail it), nothing is written, and the kept plan is the
    one read back."""
    inputs = Inputs(library, card)
    first = deploy(library.db, inputs.plan(), profile_id=library.profile_id)
    assert first.copied == len(inputs.ids) and first.failed == 0
    plan = inputs.plan()  # (the card's OS is recorded now: made again, and kept)
    for game in [p for p in library.root.rglob("*") if p.is_file()]:
        game.write_bytes(game.read_bytes() + b"changed")
    again = inputs.plan()
    summary = deploy(library.db, again, profile_id=library.profile_id)
    assert again.kept and same(again, plan)
    assert (summary.copied, summary.failed, summary.bytes_copied) == (0, 0, 0)
    assert summary.skipped == len(inputs.ids) and not again.errors


def _redeployed(library: Library, inputs: Inputs) -> Any:
    return deploy(library.db, inputs.plan(), profile_id=library.profile_id)


@pytest.mark.parametrize("change", ["touched", "rewritten", "deleted", "record removed",
                                    "file in the way"])
def test_the_kept_bulk_check_holds_only_for_the_same_card(library: Library, card: Path,
                                                          change: str) -> None:
    """A re-deploy of a kept plan settles the card's files by the bulk check kept for them
    and for the card manifest's bytes; a file changed on the card, or a manifest changed, is
    decided as ever."""
    inputs = Inputs(library, card)
    assert _redeployed(library, inputs).copied == len(inputs.ids)
    # (the check of the card as that deploy left it: kept by it)
    (check,) = (library.db.path.parent / f"{library.db.path.name}.plans").glob("*.check")
    assert _redeployed(library, inputs).skipped == len(inputs.ids)
    again = _redeployed(library, inputs)  # by the check
    assert (again.skipped, again.copied, again.failed) == (len(inputs.ids), 0, 0)
    target = card / "Roms/snes/Sky Pilot (USA).sfc"
    original = target.read_bytes()
    info = target.stat()
    manifest = card / ".romrunner/manifest.json"
    if change == "touched":  # the same bytes, another time: proven by its bytes, kept
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 3_000_000_000))
    elif change == "rewritten":  # other bytes of the same size: not ours now, kept
        target.write_bytes(bytes(reversed(original)))
    elif change == "deleted":
        target.unlink()
    elif change == "record removed":  # the manifest no longer says it is ours
        data = json.loads(manifest.read_text())
        del data["files"]["Roms/snes/Sky Pilot (USA).sfc"]
        manifest.write_text(json.dumps(data))
    else:  # a folder where the file was
        target.unlink()
        target.mkdir()
    summary = _redeployed(library, inputs)
    expected = {"touched": (0, len(inputs.ids), 0, 0),
                "rewritten": (0, len(inputs.ids) - 1, 1, 0),
                "deleted": (1, len(inputs.ids) - 1, 0, 0),
                "record removed": (0, len(inputs.ids), 0, 0),
                "file in the way": (0, len(inputs.ids) - 1, 0, 1)}[change]
    assert (summary.copied, summary.skipped, summary.conflicts, summary.failed) == expected
    if change in ("touched", "deleted", "record removed"):
        assert target.read_bytes() == original
    elif change == "rewritten":
        assert target.read_bytes() == bytes(reversed(original))
    assert check.exists() or change != "touched"


def test_the_plans_of_the_last_card_folders_planned_are_kept(library: Library,
                                                             tmp_path: Path) -> None:
    kept = library.db.path.parent / f"{library.db.path.name}.plans"
    cards = []
    for n in range(KEPT_PLANS + 2):
        card = tmp_path / f"card{n}"
        card.mkdir()
        cards.append(card)
        inputs = Inputs(library, card)
        inputs.plan()
    assert len(list(kept.glob("*.plan"))) == KEPT_PLANS
    assert Inputs(library, cards[-1]).plan().kept
    assert not Inputs(library, cards[0]).plan().kept  # the first one planned: dropped


# Read by modules of the engine digest, but not inputs of a plan: removing a profile counts
# its deployments (devices.profiles; deploy records are never read by the planner), the
# token itself, and SQLite's json_each.
# The DATs' rows are read by library.games' `games show`, not by what a plan calls of it: a plan
# reads what identification wrote on the games (their match, their titles), which redraws it.
NOT_PLAN_INPUTS = {"deployment_history", "deployment_items", "plan_generation", "json_each",
                   "catalog_games", "catalog_roms", "catalog_sources"}


def test_every_table_the_planner_reads_redraws_the_generation_token(tmp_path: Path) -> None:
    """A table the plan's modules read without a trigger redrawing the token would let a
    plan kept before a change to it be read back after: each one has all three."""
    read: set[str] = set()
    for name in PLAN_READERS:
        source = Path(importlib.import_module(name).__file__ or "").read_text()
        read |= set(re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)\b", source))
    db = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    tables = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    triggers = {row[0] for row in db.query(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'plan_generation_%'")}
    planned = (read & tables) - NOT_PLAN_INPUTS
    assert {"games", "game_files", "library_roots", "bios_files", "game_overrides"} <= planned
    missing = sorted(f"{table} ({event})" for table in planned
                     for event in ("insert", "update", "delete")
                     if f"plan_generation_{table}_{event}" not in triggers)
    assert not missing, ", ".join(missing)


@dataclass
class DetectingLayout(Layout):
    """A layout that takes the card's own folder for the platforms in ``detected``."""

    detected: set[str] = field(default_factory=set)

    def rom_folder(self, platform_id: str) -> Folder | None:
        found = super().rom_folder(platform_id)
        if found is None or platform_id not in self.detected:
            return found
        return Folder(found.path, DETECTED, "the card has it")


def test_a_folder_the_card_now_has_is_said_by_the_plan_read_back(library: Library,
                                                                 card: Path) -> None:
    """The same folder, now found on the card (an earlier deploy made it): the plan is read
    back — every file goes where it went — and says the card had the folder, as one made
    afresh would (what the card's record notes for the next deploys)."""
    inputs = Inputs(library, card)
    inputs.layout = DetectingLayout(card)
    first = inputs.plan()
    assert not first.kept and first.detected_folders == {}
    inputs.layout = DetectingLayout(card, detected={"snes"})
    again = inputs.plan()
    assert again.kept and again.detected_folders == {"snes": "Roms/snes"}
    assert same(again, inputs.plan(keep=False))


def test_every_field_of_a_plan_is_kept_or_said_not_to_be() -> None:
    """A field added to DeployPlan and not kept would be lost when a kept plan is read back
    (it was: `excluded_with_set`, and a selection left out whole with its set then wrote an
    empty deployment). Each field is either in kept_form or named in NOT_KEPT_AS_IS."""
    import dataclasses

    from romrunner.deploy.plan import NOT_KEPT_AS_IS, kept_form, plan_from_kept

    plan = DeployPlan(Path("/card"), "muos", FileSystem.FAT32)
    for index, f in enumerate(dataclasses.fields(DeployPlan)):
        if f.name in NOT_KEPT_AS_IS or f.name in ("root", "os_id", "fs", "errors", "warnings",
                                                   "archives"):
            continue  # (the issues and archives: objects, read back in other tests)
        value = getattr(plan, f.name)
        marked: Any = ({index: f"field {index}"} if isinstance(value, dict) else
                       {index} if isinstance(value, set) else
                       [(index, index)] if f.name == "copies" else [index])
        setattr(plan, f.name, marked)
    import marshal

    from romrunner.deploy.plancache import item_columns
    back = plan_from_kept(kept_form(plan), marshal.dumps(item_columns([])))
    for f in dataclasses.fields(DeployPlan):
        if f.name in NOT_KEPT_AS_IS or f.name in ("errors", "warnings", "archives"):
            continue
        assert getattr(back, f.name) == getattr(plan, f.name), f.name


def test_a_plan_file_a_killed_deploy_was_writing_is_removed_by_the_next_plan_kept(
        library: Library, tmp_path: Path) -> None:
    """qa198 F3: a deploy killed while it kept its plan left ``.<key>.plan.<pid>`` in the
    plans folder for good. The next plan (or check) kept removes it, once no running deploy
    writes it; no other file of that folder is touched."""
    kept = library.db.path.parent / f"{library.db.path.name}.plans"
    planned = kept / f"{'a' * 24}.plan"
    code = ("from pathlib import Path\nfrom romrunner.deploy.plancache import _write\n"
            "_write(Path(TARGET), b'head' * 1000, b'tail' * 1000)\n")
    cards = [tmp_path / f"card{n}" for n in range(2)]
    for card in cards:
        card.mkdir()
    with writer_killed_before_rename(planned, code):
        (temporary,) = kept.glob(".*.plan.*")
        others = {name: kept / name for name in ("notes.txt", f".{'a' * 24}.plan.tmp",
                                                  f".{'b' * 23}.check.12", "a.plan.12")}
        for path in others.values():
            path.write_bytes(b"not ours")
        Inputs(library, cards[0]).plan()
        assert temporary.stat().st_size > 8000  # (a deploy writing it now: kept)
    assert temporary.exists()  # (as the killed deploy left it)
    check = kept / f".{'c' * 24}.check.{os.getpid() + 1}"  # (one left while keeping a check)
    check.write_bytes(b"half a check")
    Inputs(library, cards[1]).plan()  # (another card: a plan kept)
    assert not temporary.exists() and not planned.exists() and not check.exists()
    assert all(path.read_bytes() == b"not ours" for path in others.values())
    assert len(list(kept.glob("*.plan"))) == 2


def _engine_files_of(package_parent: Path) -> tuple[list[str], str | None]:
    """The names engine_files gives, and the engine digest, of the romrunner package copied
    under ``package_parent``, asked of a fresh interpreter that writes no caches itself."""
    listing = subprocess.run(
        [sys.executable, "-c",
         "import json, romrunner\n"
         "from romrunner.deploy.plancache import engine_digest, engine_files\n"
         "print(json.dumps([romrunner.__file__, [n for n, _ in engine_files()], "
         "engine_digest()]))"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
             "PYTHONPATH": os.pathsep.join([str(package_parent), *sys.path])})
    where, names, digest = json.loads(listing.stdout)
    assert Path(where).parent == package_parent / "romrunner"  # (the copy, not this tree)
    return names, digest


def test_the_engine_digest_ignores_caches_and_lock_links_and_hashes_a_sourceless_module(
        tmp_path: Path) -> None:
    """review47c F5: of the package's files, the digest takes every regular module file: a
    module's compiled file where an install keeps no source, never the caches Python writes
    beside the sources (a plan would go stale when Python first writes them), nor an
    editor's lock link (a dangling `.#plan.py`: the digest could not be read, no plan kept).
    A real copy of the package, asked of a fresh interpreter."""
    package = tmp_path / "site" / "romrunner"
    shutil.copytree(Path(romrunner.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    names, digest = _engine_files_of(package.parent)
    assert digest is not None and "deploy/plancache.py" in names
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    assert any(package.rglob("__pycache__/*.pyc"))
    assert _engine_files_of(package.parent) == (names, digest)  # (the caches: no module)
    (package / "deploy" / ".#plan.py").symlink_to("user@host.4242:1700000000")
    assert _engine_files_of(package.parent) == (names, digest)  # (a lock link: no module)
    # A module whose source the install left out: its compiled file is the module
    import py_compile
    py_compile.compile(str(package / "words.py"), cfile=str(package / "words.pyc"),
                       doraise=True)
    (package / "words.py").unlink()
    sourceless, changed = _engine_files_of(package.parent)
    assert sourceless == sorted([*(name for name in names if name != "words.py"), "words.pyc"])
    assert changed is not None and changed != digest
