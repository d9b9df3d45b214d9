"""`games find` of the data of a child CHD: a child (its header names a parent CHD) holds only
what differs from its parent, the rest of its data is the parent's — without its parent in the
library it is no copy of its image."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from romrunner.library import games
from romrunner.store.database import Database
from tests.chdbuild import (
    chd,
    image_downloads,
    ps2_folder,
    v3_child,
    v5_child,
    v5_uncompressed,
)
from tests.test_games_find_archive_reading import _payload, _scanned, _zip


def _children(tmp_path: Path, version: int, orphan: bytes, image: bytes, parent: bytes) -> Path:
    """The folder of a library of three CHDs of ``version``: ``Orphan (USA).chd``, a child of
    ``orphan`` whose parent is not in the library; ``Child (USA).chd``, a child of ``image``
    whose parent is ``Parent (USA).chd``, of ``parent``."""
    build, sha1_at = (v3_child, 80) if version == 3 else (v5_child, 84)
    whole = chd(version, parent)
    return ps2_folder(tmp_path, {
        "Orphan (USA).chd": build(orphan, hashlib.sha1(b"not in the library").digest()),
        "Child (USA).chd": build(image, whole[sha1_at:sha1_at + 20]),
        "Parent (USA).chd": whole})


def test_a_child_chd_without_its_parent_holds_no_image(cli: Any, tmp_path: Path) -> None:
    # review52g F5 (medium): a v3 child CHD of 200 bytes, its hunks in a parent CHD the
    # library does not have, "held" its 64 KiB image: exit 0, the download (the only copy
    # of the data) deleted by a script
    orphan, image = _payload("orphan", 65536), _payload("child", 65536)
    root = _children(tmp_path, 3, orphan, image, _payload("parent", 65536))
    _scanned(cli, root)
    for name, data, held in (("Orphan", orphan, False), ("Child", image, True)):
        for download in image_downloads(tmp_path, f"{name} (USA)", data):
            result = cli("games", "find", download)
            assert result.code == (0 if held else 1), (download, result.out, result.err)
            if not held:
                assert "Orphan (USA).chd (parent SHA1 " in result.out \
                    and "keep this file" in result.out, result.out
    # its parent gone from the library: the child holds its image no longer
    (root / "Parent (USA).chd").unlink()
    assert cli("scan", "--workers", "1").code == 0
    assert cli("games", "find", tmp_path / "Child (USA).iso").code == 1


def test_a_child_chd_without_its_parent_is_said_so_not_found_damaged(
        cli: Any, tmp_path: Path) -> None:
    # p52g "not done" 1: `games find` said such a child "held it and was found damaged",
    # which it is not (nothing is wrong with the file; its parent is not in the library)
    orphan, loose = _payload("said orphan", 65536), _payload("said loose")
    parent = hashlib.sha1(b"a parent not in the library")
    root = ps2_folder(tmp_path, {"Orphan (USA).chd": v3_child(orphan, parent.digest())})
    (root.parent / "gb").mkdir()
    (root.parent / "gb" / "Loose (USA).gb").write_bytes(loose)
    _scanned(cli, root)
    said = (f"Orphan (USA).chd (parent SHA1 {parent.hexdigest()}) is a child CHD whose "
            "parent CHD is not in the library: it holds only what differs from its parent")
    image, _ = image_downloads(tmp_path, "Orphan (USA)", orphan)
    for args in (("games", "find", image),
                 ("games", "find", "--sha1", hashlib.sha1(orphan).hexdigest())):
        result = cli(*args)
        assert result.code == 1 and said in result.out and "damaged" not in result.out \
            and "add the parent CHD to the library and rescan" in result.out, result.out
        failed = cli("--json", *args)
        assert failed.code == 1 and failed.json()["ok"] is False \
            and said in failed.json()["errors"][0], failed.out
    # an archive of its image and of data the library holds: that member said so too
    both = _zip(tmp_path / "Both.zip", {"Orphan (USA).iso": orphan, "Loose (USA).gb": loose})
    result = cli("games", "find", both)
    assert result.code == 1 and f"Orphan (USA).iso: {said}" in result.out \
        and "damaged" not in result.out, result.out


def test_the_parents_of_child_chds_are_looked_up_in_one_query(cli: Any, tmp_path: Path,
                                                              db_path: Path) -> None:
    # p53c brief 2: _children_without_parent ran one query for each parent SHA1 (a find of
    # data many children hold: as many queries)
    parents = [chd(3, _payload(f"parent {n}", 65536)) for n in range(3)]
    root = ps2_folder(tmp_path, {f"Parent {n} (USA).chd": parent
                                 for n, parent in enumerate(parents)})
    children = {n: parent[80:100].hex() for n, parent in enumerate(parents)}
    children[3] = hashlib.sha1(b"not in the library").hexdigest()
    children[4] = bytes(20).hex()  # (flagged a child, its parent's SHA1 not recorded)
    _scanned(cli, root)
    db = Database(db_path)
    try:
        db.execute("ANALYZE")
        with db.count_statements() as statements:
            orphans = games._children_without_parent(db, children)
        assert len(statements) == 1, statements
        assert sorted(orphans) == [3, 4]
        # (each parent an index lookup, not a pass over the CHDs; the statement is traced
        # with its parameters in it)
        plan = " ".join(str(row[3]) for row in db.query(f"EXPLAIN QUERY PLAN {statements[0]}"))
        assert "SCAN f" not in plan and "SCAN g" not in plan, plan
    finally:
        db.close()


def test_a_v5_child_chd_without_its_parent_holds_no_disk(cli: Any, tmp_path: Path) -> None:
    # review52g F5: `games find --sha1` of a MAME DAT's <disk> SHA1, held by a v5 child CHD
    # whose parent the library does not have: exit 0
    orphan, image = _payload("v5 orphan", 1 << 20), _payload("v5 child", 1 << 20)
    root = _children(tmp_path, 5, orphan, image, _payload("v5 parent", 65536))
    _scanned(cli, root)
    for data, held in ((orphan, False), (image, True)):
        result = cli("games", "find", "--sha1", hashlib.sha1(b"meta" + data).hexdigest())
        assert result.code == (0 if held else 1), (result.out, result.err)
    assert cli("games", "find", "--sha1", hashlib.sha1(b"meta" + _payload("v5 parent", 65536))
               .hexdigest()).code == 0


def test_an_uncompressed_v5_chd_cut_after_its_map_holds_no_disk(cli: Any,
                                                               tmp_path: Path) -> None:
    # review52g F5: an uncompressed v5 CHD keeps its map at 124, before its data: one cut
    # 100 bytes after its map (1 MiB of hunks stated, none there) "held" its disk, exit 0
    whole, cut = _payload("v5 whole", 1 << 20), _payload("v5 cut", 1 << 20)
    root = ps2_folder(tmp_path, {
        "Whole (USA).chd": v5_uncompressed(whole),
        "Cut (USA).chd": v5_uncompressed(cut)[:124 + 256 * 4 + 100]})
    _scanned(cli, root)
    scan = cli("scan", "--workers", "1", "--full")
    said = scan.out + scan.err
    assert "Cut (USA).chd" in said and "the CHD is truncated or damaged" in said, said
    assert "Whole (USA).chd" not in said, said
    for data, held in ((whole, True), (cut, False)):
        result = cli("games", "find", "--sha1", hashlib.sha1(b"meta" + data).hexdigest())
        assert result.code == (0 if held else 1), (result.out, result.err)


def test_many_child_chds_without_their_parent_are_named_a_few_and_counted(
        cli: Any, tmp_path: Path) -> None:
    # review53g F1 (low): every such child was named in full — 1,500 made one error of 428 KB
    image = _payload("many orphans", 65536)
    root = ps2_folder(tmp_path, {
        f"Orphan {n} (USA).chd": v3_child(image, hashlib.sha1(f"parent {n}".encode()).digest())
        for n in range(6)})
    _scanned(cli, root)
    loose, _ = image_downloads(tmp_path, "Orphans (USA)", image)
    result = cli("games", "find", loose)
    assert result.code == 1, (result.out, result.err)
    assert result.out.count("is a child CHD whose parent CHD") == 3, result.out
    assert "and 3 more child CHDs alike" in result.out, result.out
