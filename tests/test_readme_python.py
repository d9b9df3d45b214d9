"""The README's Python example runs as written: scan, query, plan and deploy from Python."""

from __future__ import annotations

import re
from pathlib import Path


def test_the_readme_python_example_syncs_a_card(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    library, card = tmp_path / "lib", tmp_path / "card"
    (library / "gb").mkdir(parents=True)
    (library / "gb" / "Hero (USA).gb").write_bytes(b"\x01" * 4096)
    (library / "gb" / "Other (USA).gb").write_bytes(b"\x02" * 4096)
    card.mkdir()
    sync = namespace["sync_a_card"]
    assert callable(sync)
    assert sync(tmp_path / "rr.db", library, card) == 2
    on_card = sorted(path.name for path in card.rglob("*.gb"))
    assert on_card == ["Hero (USA).gb", "Other (USA).gb"]
    assert [path.read_bytes() for path in sorted(card.rglob("*.gb"))] == [
        b"\x01" * 4096, b"\x02" * 4096]
