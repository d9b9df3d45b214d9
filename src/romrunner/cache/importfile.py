"""Reading observation files: a JSON list (or an object with ``items``) or JSON Lines.

A problem with the file as a whole (unreadable, not JSON, not a list) raises
:class:`InputError`. A problem with one entry (a line that is not JSON, not UTF-8, nested too
deeply, not an object) is handed on as a :class:`FileRow` with its ``problem`` set, so the
importer can skip and count it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from romrunner.errors import InputError


@dataclass(frozen=True)
class FileRow:
    """One entry of an observation file: where it is, and its object or what is wrong."""

    where: str                          # "line 12" (JSON Lines) or "item 3" (a JSON list)
    value: Mapping[str, Any] | None
    problem: str | None = None


def read_observation_file(path: Path) -> Iterator[FileRow]:
    """The entries of ``path``; ``.jsonl``/``.ndjson`` is streamed line by line.

    Only a regular file is opened (a FIFO or a device would block or never end).
    """
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        _require_regular_file(path)
        yield from _json_lines(path)
        return
    yield from document_rows(path, load_json_document(path))


def load_json_document(path: Path) -> object:
    """The whole JSON document of ``path`` (a regular file), or :class:`InputError`."""
    _require_regular_file(path)
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except RecursionError:
        raise InputError(f"{path}: not usable JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an over-long number
        raise InputError(f"{path}: not valid JSON ({_one_line(exc)})") from None


def document_rows(path: Path, document: object) -> Iterator[FileRow]:
    """The entries of a loaded document: a list, or an object's ``items`` (or ``records``)."""
    items = document
    if isinstance(document, dict):
        items = document.get("items", document.get("records"))
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a list of observations or an object with 'items'")
    for number, item in enumerate(items, start=1):
        yield _row(f"item {number}", item)


def _require_regular_file(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:  # an embedded NUL in the name
        raise InputError(f"{path}: not a usable file name ({exc})") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file")


def _json_lines(path: Path) -> Iterator[FileRow]:
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                yield _parsed_line(f"line {number}", raw)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _parsed_line(where: str, raw: bytes) -> FileRow:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return FileRow(where, None, "not UTF-8 text")
    try:
        item = json.loads(text)
    except RecursionError:
        return FileRow(where, None, "nested too deeply")
    except json.JSONDecodeError as exc:
        return FileRow(where, None, f"not valid JSON ({exc.msg})")
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        return FileRow(where, None, f"not valid JSON ({_one_line(exc)})")
    return _row(where, item)


def _row(where: str, item: object) -> FileRow:
    if not isinstance(item, dict):
        return FileRow(where, None, "not a JSON object")
    return FileRow(where, item)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
