"""`games find` of the data of a child CHD whose parent is in the library: the parent counts
only as a copy there now — at its place as the last scan found it, not cut short, and, a
child itself, with its own parent there."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from tests.chdbuild import chd, image_downloads, ps2_folder, v3_child
from tests.test_games_find_archive_reading import _payload, _scanned


def _asked(cli: Any, tmp_path: Path, name: str, image: bytes) -> list[Any]:
    """``games find`` of ``image`` as a loose download, zipped, and by its SHA1."""
    loose, zipped = image_downloads(tmp_path, name, image)
    return [cli("games", "find", loose), cli("games", "find", zipped),
            cli("games", "find", "--sha1", hashlib.sha1(image).hexdigest())]


def test_a_child_chd_whose_parent_is_gone_or_cut_since_the_scan_holds_nothing(
        cli: Any, tmp_path: Path) -> None:
    # review53c F1 (medium-high): the parent deleted (or cut short) since the last scan, the
    # child still "held" its image, exit 0 (--sha1 too) — a script deleted the download,
    # the only copy; the parent's own image was rightly "not at its place now"
    image, parent = _payload("child image", 65536), _payload("parent image", 65536)
    whole = chd(3, parent)
    root = ps2_folder(tmp_path, {"Parent (USA).chd": whole,
                                 "Child (USA).chd": v3_child(image, whole[80:100])})
    _scanned(cli, root)
    assert [result.code for result in _asked(cli, tmp_path, "Child (USA)", image)] == [0] * 3
    kept = tmp_path / "parent.bak"
    (root / "Parent (USA).chd").rename(kept)
    for result in _asked(cli, tmp_path, "Child (USA)", image):
        assert result.code == 1 and "Child (USA).chd (parent SHA1 " in result.out \
            and "whose parent CHD Parent (USA).chd is not at its place now" in result.out \
            and "keep this file" in result.out, result.out
    # cut after its header (an interrupted copy back): not as the last scan found it; then
    # a scan finds it damaged
    data = kept.read_bytes()
    stat = kept.stat()
    (root / "Parent (USA).chd").write_bytes(data[:300])
    for result in _asked(cli, tmp_path, "Child (USA)", image):
        assert result.code == 1 and "whose parent CHD Parent (USA).chd is not at its place" \
            in result.out, result.out
    assert cli("scan", "--workers", "1").code == 0
    for result in _asked(cli, tmp_path, "Child (USA)", image):
        assert result.code == 1 and "whose parent CHD Parent (USA).chd was found damaged" \
            in result.out and "put the parent CHD back" in result.out, result.out
    # back as it was: held again
    (root / "Parent (USA).chd").write_bytes(data)
    os.utime(root / "Parent (USA).chd", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cli("scan", "--workers", "1").code == 0
    assert [result.code for result in _asked(cli, tmp_path, "Child (USA)", image)] == [0] * 3


def test_a_child_chd_whose_parent_is_a_child_without_its_parent_holds_nothing(
        cli: Any, tmp_path: Path) -> None:
    # review53c F4 (medium): Leaf, a child of Mid, a child of an image no CHD of the library
    # holds, "held" its image (exit 0); a chain whose parents are all there holds it, one
    # that comes back on itself does not
    grand, mid, leaf = (_payload(f"{name} image", 65536) for name in ("grand", "mid", "leaf"))
    top = chd(3, grand)
    one, other = _payload("cycle one", 65536), _payload("cycle other", 65536)
    root = ps2_folder(tmp_path, {
        "Mid (USA).chd": v3_child(mid, hashlib.sha1(b"not in the library").digest()),
        "Leaf (USA).chd": v3_child(leaf, hashlib.sha1(mid).digest()),
        "Grand (USA).chd": top,
        "Kept Mid (USA).chd": v3_child(_payload("kept mid", 65536), top[80:100]),
        "Kept Leaf (USA).chd": v3_child(_payload("kept leaf", 65536),
                                        hashlib.sha1(_payload("kept mid", 65536)).digest()),
        "One (USA).chd": v3_child(one, hashlib.sha1(other).digest()),
        "Other (USA).chd": v3_child(other, hashlib.sha1(one).digest())})
    _scanned(cli, root)
    for result in _asked(cli, tmp_path, "Leaf (USA)", leaf):
        assert result.code == 1 and "Leaf (USA).chd (parent SHA1 " in result.out \
            and "whose parent CHD Mid (USA).chd is a child CHD whose own parent CHD" \
            in result.out, result.out
    assert [result.code for result in _asked(cli, tmp_path, "Mid (USA)", mid)] == [1] * 3
    assert [result.code for result in _asked(
        cli, tmp_path, "Kept Leaf (USA)", _payload("kept leaf", 65536))] == [0] * 3
    for name, image in (("One (USA)", one), ("Other (USA)", other)):
        assert [result.code for result in _asked(cli, tmp_path, name, image)] == [1] * 3
    # the chain's top gone since the scan: the leaf two generations down holds nothing
    (root / "Grand (USA).chd").unlink()
    assert [result.code for result in _asked(
        cli, tmp_path, "Kept Leaf (USA)", _payload("kept leaf", 65536))] == [1] * 3


def test_a_child_chd_whose_parent_is_on_a_root_not_reachable_now_is_said_so(
        cli: Any, tmp_path: Path) -> None:
    # review53c F5 (low): the parent on a library root not reachable now, the child was held
    # with no word of it (the parent's own image had the "not reachable now" warning)
    image, parent = _payload("q child image", 65536), _payload("q parent image", 65536)
    whole = chd(3, parent)
    root = ps2_folder(tmp_path, {"ChildQ (USA).chd": v3_child(image, whole[80:100])})
    other = tmp_path / "roms2" / "ps2"
    other.mkdir(parents=True)
    (other / "Q (USA).chd").write_bytes(whole)
    assert cli("library", "add", other.parent).code == 0
    _scanned(cli, root)
    loose, _ = image_downloads(tmp_path, "ChildQ (USA)", image)
    result = cli("--json", "games", "find", loose)
    assert result.code == 0 and result.json()["warnings"] == [], result.out
    (tmp_path / "roms2").rename(tmp_path / "roms2.away")
    said = "the parent CHD of the library's copy is on a library root not reachable now ("
    for args in ((loose,), ("--sha1", hashlib.sha1(image).hexdigest())):
        result = cli("--json", "games", "find", *args)
        assert result.code == 0 and [row["filename"] for row in result.json()["data"]] == [
            "ChildQ (USA).chd"], result.out
        assert any(said in warning and "roms2" in warning
                   for warning in result.json()["warnings"]), result.out
    # the parent's own image: the warning of its own root, as before
    parent_asked, _ = image_downloads(tmp_path, "Q (USA)", parent)
    assert "not reachable now" in " ".join(
        cli("--json", "games", "find", parent_asked).json()["warnings"])
