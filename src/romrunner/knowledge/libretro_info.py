"""libretro's core ``*.info`` files: extensions, system and database names, and firmware."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from romrunner.errors import InputError
from romrunner.knowledge.model import CoreInfo, ReadReport
from romrunner.knowledge.textfile import read_text

FORMAT = "libretro-info"
MAX_FIRMWARE = 64


def looks_like(head: str) -> bool:
    """True when the text's start is a libretro core info file."""
    return "display_name" in head and ("supported_extensions" in head or "corename" in head)


def _values(text: str, path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        if equals:
            value = value.strip()
            if value.startswith('"') and (len(value) == 1 or not value.endswith('"')):
                # (QA39 F2: `firmware2_path = "sl`, a download stopped: `sl` replaced the
                # core's sl90025.bin)
                raise InputError(f"{path} line {number}: the value of {key.strip()} has no "
                                 "closing quote "
                                 f"({value!r}): cut short? nothing was imported")
            values[key.strip()] = value.strip('"')
    return values


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


# A file with none of these set is not a core's info: libretro's repository ships a template
# (00_example_libretro.info, every line a comment) and its license notices as .info files.
_CORE_KEYS = ("display_name", "supported_extensions", "corename")


def read_file(path: Path, report: ReadReport) -> CoreInfo | None:
    """One core's info, or None when the file is not one (noted as ignored)."""
    values = _values(read_text(path), path)
    core_id = path.name.removesuffix(".info").removesuffix("_libretro")
    if not any(key in values for key in _CORE_KEYS):
        report.ignored.append(path.name)
        return None
    firmware: list[tuple[str, bool]] = []
    try:
        declared = int(values.get("firmware_count", "0") or 0)
    except ValueError:
        report.skip(path.name, f"firmware_count {values['firmware_count']!r} is not a number")
        declared = 0
    if declared < 0:  # (qa183: read as "no firmware", said nowhere)
        report.skip(path.name, f"firmware_count {values['firmware_count']!r} is not a number "
                    "of files")
        declared = 0
    complete = True
    for index in range(min(max(declared, 0), MAX_FIRMWARE)):
        firmware_path = values.get(f"firmware{index}_path")
        if not firmware_path:  # the core is still read, with the firmware it does list
            report.note(path.name, f"firmware_count is {declared} but firmware{index}_path "
                        f"is missing; the first {index} kept, and any firmware stored for "
                        "this core before kept too")
            complete = False
            break
        description = values.get(f"firmware{index}_desc", "")
        if _a_folder(firmware_path, description):
            report.note(path.name, f"firmware{index}_path {firmware_path!r} "
                        + _folder_words(firmware_path, description)
                        + ": not checked as a BIOS file")
            continue
        optional = values.get(f"firmware{index}_opt", "false").lower() == "true"
        firmware.append((firmware_path, optional))
    report.entries += 1
    return CoreInfo(core_id, values.get("display_name"),
                    tuple(ext.lower() for ext in _split(values.get("supported_extensions"))),
                    values.get("systemid") or None, _split(values.get("database")),
                    tuple(firmware), complete)


def _folder_words(firmware_path: str, description: str) -> str:
    """Why ``firmware_path`` is taken for a folder: it is one (no extension), or — a file's
    path — its description says it stands for one (QA153 F10: `Machines/Shared Roms/MSX.rom`
    was called "a folder")."""
    if "." not in firmware_path.rsplit("/", 1)[-1]:
        return "is a folder, not a file"
    return f"stands for a folder (its description: {description.strip()!r})"


def _a_folder(firmware_path: str, description: str) -> bool:
    """True for a firmware entry that names a folder (``pcsx2/bios``, described as "'pcsx2/bios'
    folder"), which no BIOS file can satisfy (QA84 F2: a PS2 core "will not run" without it)."""
    return "." not in firmware_path.rsplit("/", 1)[-1] or \
        description.rstrip().lower().endswith("folder")


def read(path: Path, report: ReadReport) -> Iterator[CoreInfo]:
    """The cores of one ``.info`` file or of every ``*.info`` in a folder."""
    files = sorted(path.glob("*.info")) if path.is_dir() else [path]
    for file in files:
        core = read_file(file, report)
        if core is not None:
            yield core
