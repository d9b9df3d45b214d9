"""``dat import``: a DAT file into the catalog tables, replacing that DAT's earlier rows."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.catalog.datfile import DatGame, read_dat
from romrunner.catalog.systems import platform_for_system
from romrunner.errors import InputError
from romrunner.store.database import Database
from romrunner.textnorm import fold

_BATCH = 2000


@dataclass
class ImportResult:
    """What one DAT import did."""

    path: str
    name: str
    platform_id: str
    format: str
    headered: bool
    games: int = 0
    roms: int = 0
    replaced_games: int = 0
    unchanged: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def catalog_game_id(platform_id: str, name: str) -> str:
    """The catalog id of a game: stable across DAT versions while its name is unchanged."""
    return f"{platform_id}:{name}"


def file_sha1(path: Path) -> str:
    """SHA1 of a whole file (to tell whether a DAT changed since its last import)."""
    digest = hashlib.sha1(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_dat(db: Database, path: Path, *, platform_id: str | None = None,
               known_platforms: set[str] | None = None) -> ImportResult:
    """Import one DAT; re-importing replaces that DAT's rows in one transaction."""
    started = time.perf_counter()
    dat = read_dat(path)
    platform = platform_id or platform_for_system(dat.header.name)
    if platform is None:
        raise InputError(f"{path}: DAT system {dat.header.name!r} maps to no platform; "
                         "give one with --platform")
    if known_platforms is not None and platform not in known_platforms:
        raise InputError(f"{path}: platform {platform!r} is not in the definition pack")
    result = ImportResult(str(path), dat.header.name, platform, dat.format, dat.header.headered)
    digest = file_sha1(path)
    existing = db.query_one(
        "SELECT id, file_sha1, game_count FROM catalog_sources WHERE name = ? AND headered = ?",
        (dat.header.name, int(dat.header.headered)))
    if existing is not None and existing["file_sha1"] == digest:
        result.unchanged = True
        result.games = existing["game_count"]
        result.seconds = time.perf_counter() - started
        return result
    with db.atomic():
        if existing is not None:
            result.replaced_games = existing["game_count"]
            db.execute("DELETE FROM catalog_sources WHERE id = ?", (existing["id"],))
        source_id = db.execute(
            "INSERT INTO catalog_sources (name, platform_id, format, headered, description, "
            "version, path, file_sha1) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (dat.header.name, platform, dat.format, int(dat.header.headered),
             dat.header.description, dat.header.version, str(path), digest)).lastrowid
        assert source_id is not None
        _insert_games(db, source_id, platform, dat.games, result)
        db.execute("UPDATE catalog_sources SET game_count = ?, rom_count = ? WHERE id = ?",
                   (result.games, result.roms, source_id))
    result.problems = [*dat.problems, *result.problems]
    result.seconds = time.perf_counter() - started
    return result


def _insert_games(db: Database, source_id: int, platform: str, games: object,
                  result: ImportResult) -> None:
    next_id = int(db.scalar("SELECT coalesce(max(id), 0) FROM catalog_games")) + 1
    seen: dict[str, int] = {}
    game_rows: list[tuple[object, ...]] = []
    rom_rows: list[tuple[object, ...]] = []
    for game in games:  # type: ignore[attr-defined]
        assert isinstance(game, DatGame)
        if game.name in seen:
            # Some DATs list one game twice (e.g. one entry per dump); its ROMs are merged.
            rom_rows.extend((seen[game.name], rom.name, rom.size, rom.crc32, rom.md5,
                             rom.sha1, rom.status) for rom in game.roms)
            result.roms += len(game.roms)
            continue
        seen[game.name] = next_id
        game_rows.append((next_id, source_id, catalog_game_id(platform, game.name), platform,
                          game.name, fold(game.name), game.description, game.region, game.serial,
                          game.year, game.manufacturer, game.clone_of))
        for rom in game.roms:
            rom_rows.append((next_id, rom.name, rom.size, rom.crc32, rom.md5, rom.sha1,
                             rom.status))
        next_id += 1
        result.games += 1
        result.roms += len(game.roms)
        if len(game_rows) >= _BATCH:
            _flush(db, game_rows, rom_rows)
    _flush(db, game_rows, rom_rows)


def _flush(db: Database, game_rows: list[tuple[object, ...]],
           rom_rows: list[tuple[object, ...]]) -> None:
    db.executemany(
        "INSERT INTO catalog_games (id, source_id, game_id, platform_id, name, title_norm, "
        "description, region, serial, year, manufacturer, clone_of) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", game_rows)
    db.executemany(
        "INSERT INTO catalog_roms (catalog_game_id, name, size, crc32, md5, sha1, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", rom_rows)
    game_rows.clear()
    rom_rows.clear()


def list_catalogs(db: Database) -> list[dict[str, object]]:
    """The imported DATs."""
    rows = db.query("SELECT name, platform_id, format, headered, version, path, game_count, "
                    "rom_count, imported_at FROM catalog_sources ORDER BY name, headered")
    return [dict(row) for row in rows]
