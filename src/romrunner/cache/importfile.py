"""Reading observation files: a JSON list (or an object with ``items``) or JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from romrunner.errors import InputError


def read_observation_file(path: Path) -> Iterator[Mapping[str, Any]]:
    """The observation rows of ``path``; ``.jsonl`` is streamed line by line."""
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            yield from _json_lines(path)
            return
        with path.open("rb") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a list of observations or an object with 'items'")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{path}: item {number} is not an object")
        yield item


def _json_lines(path: Path) -> Iterator[Mapping[str, Any]]:
    with path.open("r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(item, dict):
                raise InputError(f"{path}:{number}: not a JSON object")
            yield item
