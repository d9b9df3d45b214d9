"""A pack whose OS reads games from another folder (muOS's ROM root `/mnt/mmc/ROMS` become
`/mnt/mmc/GAMES`): the next deploy writes every game again to the new folder, and the copies
an earlier deploy left in the old one are said, deploy after deploy, until `--prune` removes
them (QA20 P4: 199 files copied twice over without a word)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from romrunner.packs import builtin_pack_path
from tests.test_deploy_cli import rom


def _pack(tmp_path: Path, roms: str) -> Path:
    pack = tmp_path / f"pack-{roms.strip('/').replace('/', '-')}"
    shutil.copytree(builtin_pack_path(), pack)
    path = pack / "operating-systems.json"
    systems = json.loads(path.read_text(encoding="utf-8"))
    for system in systems["operatingSystems"]:
        if system["id"] == "muos":
            system["paths"]["roms"] = roms
    path.write_text(json.dumps(systems), encoding="utf-8")
    return pack


def test_games_left_under_an_old_rom_root_are_said_until_pruned(
        cli: Any, tmp_path: Path) -> None:
    old_pack, new_pack = _pack(tmp_path, "/mnt/mmc/ROMS"), _pack(tmp_path, "/mnt/mmc/GAMES")
    root = tmp_path / "roms"
    rom(root / "gb/Alpha (USA).gb", "a")
    rom(root / "gb/Beta (USA).gb", "b")
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli("--pack", str(old_pack), *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()

    def deploy(pack: Path, *more: str) -> Any:
        result = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                     "platform:gb", *more)
        assert result.code == 0, result.err
        return result.json()

    first = deploy(old_pack)
    assert first["data"]["copied"] == 2
    assert sorted(p.name for p in (card / "ROMS" / "gb").iterdir()) == [
        "Alpha (USA).gb", "Beta (USA).gb"]
    for _ in range(2):  # said at each deploy while the old copies are there
        moved = deploy(new_pack)
        said = [w for w in moved["warnings"] if w.startswith("ROMS/gb: 2 files")]
        assert len(said) == 1, moved["warnings"]
        assert "now go to GAMES/gb" in said[0] and "--prune" in said[0]
    assert (card / "GAMES" / "gb" / "Alpha (USA).gb").is_file()
    assert (card / "ROMS" / "gb" / "Alpha (USA).gb").is_file()  # never removed unasked
    pruned = deploy(new_pack, "--prune")
    assert pruned["data"]["pruned"] == 2
    assert not list((card / "ROMS").rglob("*.gb"))
    after = deploy(new_pack)
    assert not any("left behind" in w for w in after["warnings"]), after["warnings"]
    assert after["data"]["copied"] == 0
