"""``cache stats``: rows, bytes and stale share per source and kind."""

from __future__ import annotations

from dataclasses import dataclass

from romrunner.cache.kinds import KINDS
from romrunner.store.database import Database
from romrunner.timeutil import utc_now


@dataclass(frozen=True)
class SourceStats:
    """One source's observations of one kind.

    ``bytes`` is the observation table's on-disk size (with its prune index) shared out by
    row count: SQLite does not size rows by source, and a source's rows are alike.
    """

    kind: str
    source: str
    rows: int
    stale: int
    bytes: int
    best_answers: int

    @property
    def stale_share(self) -> float:
        """Stale rows (past expiry, still served) as a share of the rows."""
        return self.stale / self.rows if self.rows else 0.0


def _table_bytes(db: Database) -> dict[str, int]:
    try:
        return {str(row[0]): int(row[1]) for row in db.query(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}
    except Exception:
        return {}


def cache_stats(db: Database) -> list[SourceStats]:
    """Per kind and source: rows, stale rows, an estimate of bytes, best answers held.

    The counts read the prune index (source, expires_at), never the rows themselves.
    """
    now = int(utc_now().timestamp())
    sizes = _table_bytes(db)
    result: list[SourceStats] = []
    for kind in KINDS.values():
        prune_index = db.scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                "tbl_name = ? AND name LIKE 'idx_%_prune'", (kind.observations,))
        size = sizes.get(kind.observations, 0) + sizes.get(str(prune_index), 0)
        rows = db.query(
            f"SELECT s.source_id, c.rows, c.stale, (SELECT count(*) FROM {kind.best} b "
            f"WHERE b.source = c.source) AS best FROM (SELECT source, count(*) AS rows, "
            f"sum(expires_at < ?) AS stale FROM {kind.observations} GROUP BY source) c "
            f"JOIN cache_sources s ON s.id = c.source ORDER BY s.source_id", (now,))
        total = sum(int(row["rows"]) for row in rows) or 1
        for row in rows:
            count = int(row["rows"])
            result.append(SourceStats(kind.name, str(row["source_id"]), count,
                                      int(row["stale"] or 0), size * count // total,
                                      int(row["best"])))
    return result
