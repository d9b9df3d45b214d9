"""What every command gets: options, the database, the pack, and the output channel."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from romrunner.cli.terminal import SafeConsole
from romrunner.packs.loader import DefinitionPack, load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import Database, OpenMode, open_database

JSON_ENVELOPE_VERSION = 1


@dataclass
class AppContext:
    """Global options and the resources a command opened (closed when it ends)."""

    db_path: Path
    pack_dir: Path | None
    json_output: bool
    quiet: bool
    verbose: bool
    warnings: list[str] = field(default_factory=list)
    _db: Database | None = None
    _pack: DefinitionPack | None = None
    console: Console = field(default_factory=SafeConsole)
    err_console: Console = field(default_factory=lambda: SafeConsole(stderr=True))

    @property
    def interactive(self) -> bool:
        """True when progress bars may be drawn."""
        return not self.quiet and not self.json_output and self.err_console.is_terminal

    def open_db(self, mode: OpenMode = OpenMode.WRITE) -> Database:
        """Open the database once for this command (a write command migrates, and says so)."""
        if self._db is None:
            result = open_database(self.db_path, mode)
            self._db = result.db
            for notice in result.notices:
                self.warn(notice)
            if mode is OpenMode.WRITE:
                sync_pack(self._db, self.pack())
        return self._db

    def pack(self) -> DefinitionPack:
        """The definition pack, loaded once (built-in unless --pack is given)."""
        if self._pack is None:
            self._pack = load_pack(self.pack_dir)
            if self._pack.warnings:
                count = len(self._pack.warnings)
                self.warn(f"{self._pack.path}: {count} pack entries skipped or repaired "
                          "(`romrunner pack validate` lists them)")
        return self._pack

    def use_pack(self, pack_dir: Path) -> None:
        """Load the pack from ``pack_dir`` from now on (before the database is opened)."""
        self.pack_dir, self._pack = pack_dir, None

    def warn(self, message: str) -> None:
        """A warning: on stderr as text, or in the JSON envelope."""
        self.warnings.append(message)
        if not self.json_output and not self.quiet:
            self.err_console.print(f"warning: {message}", markup=False)

    def finish(self, data: Any, render: Callable[[Console], None] | None = None,
               *, ok: bool = True, errors: list[str] | None = None) -> None:
        """Print the command's result: text through ``render``, or the JSON envelope."""
        if self.json_output:
            envelope = {"version": JSON_ENVELOPE_VERSION, "ok": ok, "data": data,
                        "warnings": self.warnings, "errors": errors or []}
            sys.stdout.write(json_document(envelope) + "\n")
        elif render is not None and (not self.quiet or not ok):
            render(self.console)

    def close(self) -> None:
        """Close what the command opened."""
        if self._db is not None:
            self._db.close()
            self._db = None


def json_document(value: Any) -> str:
    """``value`` as JSON text; names with undecodable bytes (lone surrogates) are written as
    ``\\udcXX`` escapes, since raw surrogates cannot be encoded."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=str, ensure_ascii=True)
    return text


def app_context() -> AppContext:
    """The AppContext of the running command."""
    ctx = click.get_current_context()
    obj = ctx.find_object(AppContext)
    if obj is None:
        raise RuntimeError("no AppContext")
    return obj
