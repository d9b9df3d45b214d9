"""Row counts and bytes per table and index, from SQLite's ``dbstat`` table."""

from __future__ import annotations

from dataclasses import dataclass

from romrunner.store.database import Database


@dataclass(frozen=True)
class ObjectSize:
    """One table or index: its kind, the table it belongs to, rows and bytes on disk."""

    name: str
    kind: str
    table: str
    rows: int | None
    bytes: int


def database_stats(db: Database) -> list[ObjectSize]:
    """Size of every table and index, largest first (rows counted for tables only)."""
    sizes = {row["name"]: int(row["bytes"]) for row in db.query(
        "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name")}
    objects = db.query(
        "SELECT name, type, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
    result: list[ObjectSize] = []
    for obj in objects:
        name = obj["name"]
        rows = None
        if obj["type"] == "table":
            rows = int(db.scalar(f'SELECT count(*) FROM "{name}"') or 0)
        result.append(ObjectSize(name, obj["type"], obj["tbl_name"], rows, sizes.get(name, 0)))
    result.sort(key=lambda item: (-item.bytes, item.name))
    return result
