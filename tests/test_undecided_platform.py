"""Games whose platform the scan could not decide (QA10 F1): a `.gb` outside a folder naming
its platform is `unknown (could be gb, gbc)` with both packs. The scan counts them and names
the fix, the auto-list lists them as left out (`no_platform`), and a deploy never writes a
folder named `unknown`: it leaves them out with a warning naming them, and exits 1."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


def _rom(path: Path, seed: str, size: int = 32768) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * (size // 32))


@pytest.fixture(params=["builtin", "shared"])
def run(request: pytest.FixtureRequest, cli: Any, tmp_path: Path) -> Any:
    """The CLI with the built-in pack, or with ../shared/definition-pack; a library of one
    `.gb` in a folder that names no platform and one `.nes` in `NES/`, scanned, and profile
    1 an RG35XX Plus on muOS."""
    pack = () if request.param == "builtin" else (
        "--pack", str(shared_path("definition-pack")))

    def call(*args: str) -> Any:
        return cli(*pack, *args)

    root = tmp_path / "lib"
    _rom(root / "Misc" / "A.P.B. (USA, Europe).gb", "apb")
    _rom(root / "NES" / "Real (USA).nes", "real", 16384)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        result = call(*args)
        assert result.code == 0, (args, result.err)
    return call


def test_an_archive_of_notes_is_not_sent_to_set_platform(run: Any, tmp_path: Path) -> None:
    """A zip of a readme alone, outside a platform folder, is said to hold no game file, not
    advised `games set-platform` as the undecided `.gb` beside it is (QA132 F3)."""
    with zipfile.ZipFile(tmp_path / "lib" / "Misc" / "readme only.zip", "w") as archive:
        archive.writestr("readme.txt", "see the website")
    text = run("scan", "--workers", "1")
    assert text.code == 0, text.err
    assert "1 archive of undecided platform holds notes, pictures or sounds only" in text.out
    assert "readme only.zip" in text.out
    assert "1 game is of undecided platform" in text.out  # the .gb alone
    data = run("--json", "scan", "--workers", "1").json()["data"]
    assert data["undecided_platform"] == 2
    assert [Path(path).name for path in data["archives_of_notes"]] == ["readme only.zip"]
    # the auto-list says it holds no ROM, not to set its platform (QA136 F4)
    listed = {g["filename"]: g for g in run("--json", "autolist", "1").json()["data"]["games"]}
    assert listed["readme only.zip"]["dropped"] == "no_rom"
    assert listed["A.P.B. (USA, Europe).gb"]["reason"] == "no_platform"
    assert "1 game of undecided platform left out" in run("autolist", "1").out


def _id_of(run: Any, name: str) -> int:
    games = run("--json", "games", "ls", "--limit", "100").json()["data"]["games"]
    return next(int(row["id"]) for row in games if row["filename"] == name)


def test_the_scan_counts_games_of_undecided_platform_and_names_the_fix(run: Any) -> None:
    text = run("scan", "--workers", "1")
    assert text.code == 0, text.err
    assert "1 game is of undecided platform" in text.out
    assert "romrunner games set-platform PLATFORM ID" in text.out
    assert run("--json", "scan", "--workers", "1").json()["data"]["undecided_platform"] == 1
    game = _id_of(run, "A.P.B. (USA, Europe).gb")
    assert run("games", "set-platform", "gb", str(game)).code == 0
    settled = run("--json", "scan", "--workers", "1")
    assert settled.json()["data"]["undecided_platform"] == 0
    assert "undecided" not in run("scan", "--workers", "1").out


def test_the_autolist_lists_them_as_left_out_with_a_reason(run: Any) -> None:
    data = run("--json", "autolist", "1").json()["data"]
    game = _id_of(run, "A.P.B. (USA, Europe).gb")
    entry = next(e for e in data["games"] if e["game_id"] == game)
    assert (entry["included"], entry["reason"], entry["target_folder"]) == (
        False, "no_platform", None)
    assert data["considered"] == 2 and data["included"] == 1
    assert data["summary"]["no_platform"] == 1
    text = run("autolist", "1")
    assert "1 of 2 games included" in text.out
    assert "1 game of undecided platform left out (no_platform)" in text.out


def test_a_deploy_leaves_them_out_named_and_exits_1(run: Any, tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    game = _id_of(run, "A.P.B. (USA, Europe).gb")
    dry = run("--json", "deploy", "1", "--to", str(card), "a.p.b", "--dry-run")
    assert dry.code == 1
    data = dry.json()["data"]
    assert data["chosen"]["left_out"] == 1
    assert data["plan"]["files"] == 0 and "unknown" not in data["plan"]["platforms"]
    warning = next(w for w in data["plan"]["warnings"] if w["code"] == "no-platform")
    assert f"{game} A.P.B. (USA, Europe).gb" in warning["message"]
    assert "games set-platform" in warning["message"]
    assert run("collection", "create", "both").code == 0
    assert run("collection", "add", "both", str(game), str(_id_of(run, "Real (USA).nes"))
               ).code == 0
    real = run("deploy", "1", "--to", str(card), "--collection", "both")
    assert real.code == 1, real.err
    assert "1 chosen game was left out" in real.out
    assert "of undecided platform: left out" in real.err
    assert not any(p.name.lower() == "unknown" for p in card.rglob("*"))
    assert [p.name for p in card.rglob("*.gb")] == []
    assert [p.name for p in card.rglob("*.nes")] == ["Real (USA).nes"]
    # settled by hand, it goes where the platform's games go
    assert run("games", "set-platform", "gb", str(game)).code == 0
    again = run("deploy", "1", "--to", str(card), "a.p.b")
    assert again.code == 0, again.err
    assert [p.parent.name for p in card.rglob("*.gb")] == ["gb"]


def test_many_games_left_out_alike_are_said_in_a_few_lines(cli: Any, tmp_path: Path) -> None:
    """15,000 games of undecided platform were 15,000 warning lines (QA11 N6): the first ten
    are said one by one, the rest counted; the JSON plan lists each."""
    root = tmp_path / "lib"
    count = 14
    for n in range(count):
        _rom(root / "Misc" / f"Game {n:02d} (USA).gb", f"g{n}", 4096)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    said = cli("deploy", "1", "--to", str(card), "platform:unknown", "--dry-run")
    assert said.code == 1
    lines = [line for line in said.err.splitlines() if "its platform is undecided" in line]
    assert len(lines) == 10
    assert f"… and {count - 10} more chosen games left out as those above (no-platform;" \
        in said.err
    data = cli("--json", "deploy", "1", "--to", str(card), "platform:unknown",
               "--dry-run").json()["data"]
    assert len([e for e in data["plan"]["errors"] if e["code"] == "no-platform"]) == count
