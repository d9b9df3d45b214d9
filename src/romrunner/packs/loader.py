"""Lenient loading of a definition-pack directory.

A malformed entry is skipped (or a malformed field dropped) with a warning that names the
file, the entry and the reason; a missing or unreadable required file is a
:class:`~romrunner.errors.PackError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from romrunner.errors import PackError
from romrunner.packs.model import (
    BIOS_FOLDER_FIELDS,
    MULTI_DISC_LAYOUTS,
    BiosEntry,
    Device,
    Emulator,
    FolderNames,
    KnownHash,
    OperatingSystem,
    PackWarning,
    Platform,
    RawJson,
    asks_the_user,
    filesystem_key,
)
from romrunner.textnorm import normalised_hex

if TYPE_CHECKING:
    from romrunner.packs.index import PackIndex

REQUIRED_FILES = ("platforms.json", "emulators.json", "bios-hashes.json")
OPTIONAL_FILES = (
    "devices.json",
    "operating-systems.json",
    "osEmulatorProfiles.json",
    "layoutDetectionProfiles.json",
    "platformPolicies.json",
    "compatibility/compatibilitySources.json",
)
FOLDER_NAMES_FILE = "folder-names.json"

T = TypeVar("T")


class _Reader:
    """Reads one pack file and collects warnings about it."""

    def __init__(self, root: Path, name: str, warnings: list[PackWarning]) -> None:
        self.name = name
        self.path = root / name
        self.warnings = warnings

    def warn(self, entry: str, reason: str) -> None:
        self.warnings.append(PackWarning(self.name, entry, reason))

    def load(self, *, required: bool) -> RawJson | None:
        """The file's JSON object. A required file missing or broken is a PackError; an
        optional one is a warning, and None (QA29 F8: a half-written devices.json stopped
        `games ls`)."""
        if not self.path.is_file():
            what = ("is not a file (a folder, or a link to nothing?)"
                    if os.path.lexists(self.path) else "is missing")
            if required:
                raise PackError(f"{self.path}: required pack file {what}")
            self.warn("", f"the file {what}; the features that need it are unavailable")
            return None
        try:
            return self._parse()
        except PackError as exc:
            if required:
                raise
            self.warnings.append(PackWarning(
                self.name, "", f"{str(exc).removeprefix(f'{self.path}: ')}; the features that "
                "need it are unavailable", broken_file=True))
            return None

    def _parse(self) -> RawJson:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
            data = json.loads(text)
        except OSError as exc:
            raise PackError(f"{self.path}: cannot be read ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise PackError(f"{self.path}: not UTF-8 text ({exc.reason})") from exc
        except json.JSONDecodeError as exc:
            raise PackError(
                f"{self.path}: malformed JSON at line {exc.lineno} column {exc.colno} "
                f"({exc.msg})") from exc
        except RecursionError:
            raise PackError(f"{self.path}: malformed JSON (nested too deeply)") from None
        except ValueError as exc:  # a number longer than Python converts
            raise PackError(f"{self.path}: malformed JSON ({exc})") from None
        if not isinstance(data, dict):
            raise PackError(f"{self.path}: top level must be a JSON object")
        repaired: list[tuple[str, str]] = []
        if "\\u" not in text and not _MAYBE_TWICE.search(text):
            return data  # (no text there to read again: most files, read on every command)
        try:
            undoubled: RawJson = {key: _undoubled(value, repaired)
                                  for key, value in data.items()}
        except RecursionError:
            raise PackError(f"{self.path}: malformed JSON (nested too deeply)") from None
        if repaired:  # (QA102 F8: "Android â€“ RK3566 family" shown as it was)
            before, after = min(repaired, key=lambda pair: len(pair[0]))
            self.warn("", f"{len(repaired):,} text value(s) were UTF-8 encoded twice, read "
                      f"as meant ({before!r} as {after!r})")
        return undoubled

    def entries(self, data: RawJson, key: str, id_key: str,
                build: Callable[[RawJson, str], T]) -> list[T]:
        raw = data.get(key)
        if not isinstance(raw, list):
            self.warn("", f"'{key}' is missing or not a list; no entries loaded")
            return []
        built: list[T] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            label = f"entry #{index}"
            if not isinstance(entry, dict):
                self.warn(label, "is not an object; skipped")
                continue
            entry_id = entry.get(id_key)
            if not isinstance(entry_id, str) or not entry_id.strip():
                self.warn(label, f"has no string '{id_key}'; skipped")
                continue
            label = f"{entry_id!r}"
            if entry_id in seen:
                self.warn(label, "duplicate id; later entry skipped")
                continue
            try:
                built.append(build(entry, label))
            except _Skip as skip:
                self.warn(label, f"{skip}; skipped")
                continue
            seen.add(entry_id)
        return built

    # field helpers ------------------------------------------------------------
    def text(self, entry: RawJson, key: str, label: str, *, default: str | None = None,
             required: bool = False) -> str | None:
        value = entry.get(key, default)
        if value is None:
            if required:
                raise _Skip(f"'{key}' is missing")
            return default
        if not isinstance(value, str):
            if required:
                raise _Skip(f"'{key}' is not text")
            self.warn(label, f"'{key}' is not text; ignored")
            return default
        return value

    def strings(self, entry: RawJson, key: str, label: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.warn(label, f"'{key}' is not a list; ignored")
            return ()
        good = tuple(item for item in value if isinstance(item, str))
        if len(good) != len(value):
            self.warn(label, f"'{key}' has {len(value) - len(good)} non-text items; dropped")
        return good

    def flag(self, entry: RawJson, key: str, label: str, default: bool = False) -> bool:
        value = entry.get(key, default)
        if isinstance(value, bool):
            return value
        if value is not None:
            self.warn(label, f"'{key}' is not true/false; using {str(default).lower()}")
        return default

    def integer(self, entry: RawJson, key: str, label: str) -> int | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.warn(label, f"'{key}' is not a whole number; ignored")
            return None
        return value


class _Skip(Exception):
    """Raised by a builder to skip one malformed entry."""


@dataclass
class DefinitionPack:
    """A loaded pack: typed catalogs, raw sections, versions, content hash and warnings."""

    path: Path
    builtin: bool
    content_hash: str
    versions: dict[str, str | None]
    platforms: dict[str, Platform]
    emulators: dict[str, Emulator]
    bios: list[BiosEntry]
    devices: dict[str, Device] = field(default_factory=dict)
    operating_systems: dict[str, OperatingSystem] = field(default_factory=dict)
    os_profiles: RawJson = field(default_factory=dict)
    layout_profiles: list[RawJson] = field(default_factory=list)
    platform_policies: RawJson = field(default_factory=dict)
    compat_sources: RawJson = field(default_factory=dict)
    folder_names: FolderNames = field(default_factory=FolderNames)
    warnings: list[PackWarning] = field(default_factory=list)
    _index: Any = None

    @property
    def index(self) -> PackIndex:
        """Fast in-memory lookups over this pack (built once, on first use)."""
        if self._index is None:
            from romrunner.packs.index import PackIndex
            self._index = PackIndex.build(self)
        index: PackIndex = self._index
        return index


def builtin_pack_path() -> Path:
    """The directory of the pack that ships with the package."""
    return Path(str(resources.files("romrunner.packs").joinpath("builtin")))


def load_pack(path: Path | None = None) -> DefinitionPack:
    """Load the pack at ``path`` (default: the built-in pack)."""
    builtin = path is None
    root = builtin_pack_path() if path is None else Path(path).expanduser()
    if not root.is_dir():
        raise PackError(f"{root}: not a folder: give the pack's folder" if root.exists()
                        else f"{root}: pack directory does not exist")  # (QA95 F9)
    warnings: list[PackWarning] = []
    readers = {name: _Reader(root, name, warnings) for name in REQUIRED_FILES + OPTIONAL_FILES}
    raw = {name: readers[name].load(required=name in REQUIRED_FILES) for name in readers}
    versions = {name: _version(data) for name, data in raw.items() if data is not None}

    platforms = {p.id: p for p in readers["platforms.json"].entries(
        raw["platforms.json"] or {}, "platforms", "id",
        lambda e, label: _platform(readers["platforms.json"], e, label))}
    emulators = {e.id: e for e in readers["emulators.json"].entries(
        raw["emulators.json"] or {}, "emulators", "id",
        lambda e, label: _emulator(readers["emulators.json"], e, label))}
    bios = readers["bios-hashes.json"].entries(
        raw["bios-hashes.json"] or {}, "biosFiles", "id",
        lambda e, label: _bios(readers["bios-hashes.json"], e, label))
    pack = DefinitionPack(
        path=root, builtin=builtin, content_hash=pack_content_hash(root), versions=versions,
        platforms=platforms, emulators=emulators, bios=bios, warnings=warnings)
    if raw["devices.json"] is not None:
        reader = readers["devices.json"]
        pack.devices = {d.id: d for d in reader.entries(
            raw["devices.json"], "devices", "deviceId", lambda e, label: _device(reader, e, label))}
    if raw["operating-systems.json"] is not None:
        reader = readers["operating-systems.json"]
        pack.operating_systems = {o.id: o for o in reader.entries(
            raw["operating-systems.json"], "operatingSystems", "id",
            lambda e, label: _operating_system(reader, e, label))}
    pack.os_profiles = raw["osEmulatorProfiles.json"] or {}
    layouts = (raw["layoutDetectionProfiles.json"] or {}).get("profiles")
    pack.layout_profiles = [p for p in layouts if isinstance(p, dict)] \
        if isinstance(layouts, list) else []  # "profiles": null or a non-list: none
    pack.platform_policies = raw["platformPolicies.json"] or {}
    pack.compat_sources = raw["compatibility/compatibilitySources.json"] or {}
    pack.folder_names = load_folder_names(root, warnings)
    _check_references(pack, readers["bios-hashes.json"], readers["emulators.json"])
    if raw["osEmulatorProfiles.json"] is not None:
        _check_os_profiles(pack, readers["osEmulatorProfiles.json"])
    return pack


def load_folder_names(root: Path, warnings: list[PackWarning]) -> FolderNames:
    """The pack's ``folder-names.json``, or the built-in pack's when the pack has none."""
    source = root if (root / FOLDER_NAMES_FILE).is_file() else builtin_pack_path()
    reader = _Reader(source, FOLDER_NAMES_FILE, warnings)
    data = reader.load(required=False) or {}
    names: dict[str, dict[str, str | None]] = {}
    systems: dict[str, tuple[str, ...]] = {}
    frontend_names: dict[str, dict[str, tuple[str, ...]]] = {}
    raw = data.get("platforms")
    for platform_id, entry in (raw.items() if isinstance(raw, dict) else ()):
        if not isinstance(entry, dict) or not isinstance(entry.get("default"), str):
            reader.warn(repr(platform_id), "has no text 'default' folder name; skipped")
            continue
        named = {key: value for key, value in entry.items()
                 if key not in ("systemNames", "retroarch", "frontendNames")
                 and (value is None or (isinstance(value, str) and value.strip()))}
        for key, value in list(named.items()):
            if value is not None and (_climbs_out(value) or value.startswith(("/", "\\"))):
                reader.warn(f"platforms.{platform_id}.{key}", f"{value!r} is not a folder on "
                            "the card; skipped")  # (QA82 F7)
                del named[key]
        if "default" not in named:
            continue
        names[platform_id] = named
        systems[platform_id] = reader.strings(entry, "systemNames", repr(platform_id))
        if others := _frontend_names(reader, platform_id, entry.get("frontendNames")):
            frontend_names[platform_id] = others
    return FolderNames(
        families=_text_map(data.get("families")),
        os_families=_text_map(data.get("osFamilies")),
        names=names, system_names=systems, source=str(source / FOLDER_NAMES_FILE),
        frontend_names=frontend_names,
        family_bases=_text_map(data.get("familyBases")),
        bios_folders=_bios_folders(reader, data.get("biosFolders")),
        multi_disc_layouts=_multi_disc_layouts(reader, data.get("multiDiscLayouts")),
        rom_subfolders={family: sub for family, sub in _text_map(
            data.get("romSubfolders")).items() if family != "description" and sub.strip()},
        closed_families=frozenset(reader.strings(data, "closedFamilies", "closedFamilies")),
        borrowing_families=frozenset(reader.strings(data, "borrowingFamilies",
                                                    "borrowingFamilies")),
        any_folder_families=frozenset(reader.strings(data, "anyFolderFamilies",
                                                     "anyFolderFamilies")),
        any_folder_frontends=frozenset(reader.strings(data, "anyFolderFrontends",
                                                      "anyFolderFrontends")),
        bios_subdirectories=_bios_subdirectories(reader, data.get("biosSubdirectories")))


def _frontend_names(reader: _Reader, platform_id: str,
                    value: Any) -> dict[str, tuple[str, ...]]:
    """A platform's ``frontendNames``: frontend -> the folder names it gives the platform (a
    name, or a list of names) that a scan reads and a deploy never writes."""
    if value is None:
        return {}
    label = f"platforms.{platform_id}.frontendNames"
    if not isinstance(value, dict):
        reader.warn(label, "is not an object; ignored")
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for frontend, given in value.items():
        listed = [given] if isinstance(given, str) else given
        if not isinstance(listed, list):
            reader.warn(f"{label}.{frontend}", "is not a name or a list of names; ignored")
            continue
        good = tuple(name.strip() for name in listed if isinstance(name, str) and name.strip()
                     and "/" not in name and "\\" not in name and not _climbs_out(name))
        if len(good) != len(listed):
            reader.warn(f"{label}.{frontend}", f"{len(listed) - len(good)} items are not "
                        "folder names; dropped")
        if good:
            found[str(frontend)] = good
    return found


def _bios_subdirectories(reader: _Reader, value: Any) -> dict[str, dict[str, str]]:
    """``biosSubdirectories``: OS -> platform -> a folder under the BIOS folder (``""`` for
    the folder itself); anything else, or a folder that climbs out, is skipped with a
    warning."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.warn("biosSubdirectories", "is not an object; ignored")
        return {}
    rules: dict[str, dict[str, str]] = {}
    for os_id, platforms in value.items():
        if os_id == "description":
            continue
        if not isinstance(platforms, dict):
            reader.warn(f"biosSubdirectories.{os_id}", "is not an object; skipped")
            continue
        for platform_id, folder in platforms.items():
            if not isinstance(folder, str) or _climbs_out(folder) or folder.startswith("/"):
                reader.warn(f"biosSubdirectories.{os_id}.{platform_id}",
                            "is not a folder under the BIOS folder; skipped")
                continue
            rules.setdefault(os_id, {})[platform_id] = folder.strip("/")
    return rules


def _climbs_out(path: str) -> bool:
    """True for a path with a ``..`` part (either slash)."""
    return ".." in path.replace("\\", "/").split("/")


def _bios_folders(reader: _Reader, value: Any) -> dict[str, str]:
    """``biosFolders``: family -> a subfolder template of BIOS_FOLDER_FIELDS; an entry that
    is not text, is empty or names another field is skipped with a warning."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.warn("biosFolders", "is not an object; ignored")
        return {}
    rules: dict[str, str] = {}
    for family, template in value.items():
        if not isinstance(template, str) or not template.strip():
            reader.warn(f"biosFolders.{family}", "is not a folder template; skipped")
            continue
        rest = template
        for name in BIOS_FOLDER_FIELDS:
            rest = rest.replace(name, "")
        if "{" in rest or "}" in rest:
            reader.warn(f"biosFolders.{family}", f"{template!r} names a field other than "
                        f"{', '.join(BIOS_FOLDER_FIELDS)}; skipped")
            continue
        rules[str(family)] = template.strip()
    return rules


def _multi_disc_layouts(reader: _Reader, value: Any) -> dict[str, str]:
    """Family -> layout from ``multiDiscLayouts`` ({layout: [family, ...]}); unknown layouts
    and a family listed twice are warned of and skipped."""
    layouts: dict[str, str] = {}
    if value is None:
        return layouts
    if not isinstance(value, dict):
        reader.warn("multiDiscLayouts", "is not an object; ignored")
        return layouts
    for layout in value:
        if layout == "description":
            continue
        if layout not in MULTI_DISC_LAYOUTS:
            reader.warn("multiDiscLayouts", f"unknown layout {layout!r}; skipped")
            continue
        for family in reader.strings(value, layout, "multiDiscLayouts"):
            if family in layouts:
                reader.warn("multiDiscLayouts", f"family {family!r} listed twice; the first "
                            "kept")
                continue
            layouts[family] = layout
    return layouts


def _text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def pack_content_hash(root: Path) -> str:
    """SHA-256 over every JSON file of the pack (relative path and bytes), in path order."""
    digest = hashlib.sha256()
    for file in sorted(root.rglob("*.json")):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        try:  # (a folder, a dangling link, an unreadable file: QA29 F7, "internal error")
            digest.update(file.read_bytes() if file.is_file() else b"\1not a file")
        except OSError as exc:
            digest.update(f"\1unreadable: {exc.strerror}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _version(data: RawJson) -> str | None:
    version = data.get("version")
    return version if isinstance(version, str) else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _unsafe_name(name: str) -> str | None:
    """Why ``name`` (a platform id, a folder on cards) cannot be one folder's name: a path
    separator, ``.`` or ``..``, a control character; None when it can."""
    if "/" in name or "\\" in name or name.strip() in (".", ".."):
        return "is a path, not a name"
    if _CONTROL.search(name):
        return "holds a control character"
    return None


def _unsafe_path(path: str) -> str | None:
    """Why ``path`` (a BIOS file under the BIOS folder: ``np2/bios.rom``) cannot be one: it
    is absolute, climbs out (``..``), has an empty part or a control character; None when
    it can (QA146 F4: `../../tmp/x.bin` and `/tmp/x.bin` passed `pack validate`)."""
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return "is an absolute path"
    if _climbs_out(path):
        return "climbs out of the BIOS folder ('..')"
    if any(not part.strip() for part in path.replace("\\", "/").split("/")):
        return "has an empty part"
    if _CONTROL.search(path):
        return "holds a control character"
    return None


def _platform(reader: _Reader, entry: RawJson, label: str) -> Platform:
    if (why := _unsafe_name(entry["id"])) is not None:  # (its id names its card folders)
        raise _Skip(f"its id {why}")
    extensions = tuple(
        ext.lower() if ext.startswith(".") else f".{ext.lower()}"
        for ext in reader.strings(entry, "fileExtensions", label) if ext.strip())
    return Platform(
        id=entry["id"],
        name=reader.text(entry, "name", label, default=entry["id"]) or entry["id"],
        extensions=extensions,
        folder_names=reader.strings(entry, "commonFolderNames", label),
        generation=reader.integer(entry, "generation", label),
        requires_bios=reader.flag(entry, "requiresBios", label),
        supports_multi_disc=reader.flag(entry, "supportsMultiDisc", label),
        bios_subdirectory=reader.text(entry, "biosSubdirectory", label),
        preferred_format=reader.text(entry, "preferredFormat", label),
        kind=reader.text(entry, "type", label),
    )


def _emulator(reader: _Reader, entry: RawJson, label: str) -> Emulator:
    return Emulator(
        id=entry["id"],
        name=reader.text(entry, "name", label, default=entry["id"]) or entry["id"],
        platforms=reader.strings(entry, "supportedPlatforms", label),
        supported_bios=reader.strings(entry, "supportedBios", label),
        available_on_os=reader.strings(entry, "availableOnOS", label),
        type=reader.text(entry, "type", label),
        formats=tuple(dict.fromkeys(
            fmt.strip().lower().lstrip(".")
            for fmt in reader.strings(entry, "supportedFormats", label) if fmt.strip())),
        core_name=reader.text(entry, "coreName", label),
        demand=_demand(entry),
        status=_lowered(reader.text(entry, "status", label)),
    )


def _demand(entry: RawJson) -> str | None:
    """An emulator's ``performance.demandTier`` (lowercase), None where it gives none."""
    performance = entry.get("performance")
    tier = performance.get("demandTier") if isinstance(performance, dict) else None
    return tier.strip().lower() if isinstance(tier, str) and tier.strip() else None


def _known_hashes(reader: _Reader, entry: RawJson, label: str) -> tuple[KnownHash, ...]:
    raw = entry.get("knownHashes") or []
    if not isinstance(raw, list):
        reader.warn(label, "'knownHashes' is not a list; treated as presence-only")
        return ()
    hashes: list[KnownHash] = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            reader.warn(label, f"knownHashes[{position}] is not an object; dropped")
            continue
        values: dict[str, str | None] = {}
        for kind in ("md5", "sha1", "crc32"):
            value = item.get(kind)
            values[kind] = normalised_hex(kind, value)
            if values[kind] is None and value not in (None, ""):
                reader.warn(label, f"knownHashes[{position}].{kind} {value!r} is not "
                                   f"a {kind} hex value; dropped")
        if not any(values.values()):
            reader.warn(label, f"knownHashes[{position}] has no usable hash; dropped")
            continue
        hashes.append(KnownHash(values["md5"], values["sha1"], values["crc32"],
                                item.get("isPreferred") is True))
    return tuple(hashes)


def _bios(reader: _Reader, entry: RawJson, label: str) -> BiosEntry:
    filename = reader.text(entry, "filename", label, required=True)
    platform_id = reader.text(entry, "platformId", label, required=True)
    assert filename is not None and platform_id is not None
    if (why := _unsafe_path(filename)) is not None:
        raise _Skip(f"'filename' {filename!r} {why}")
    subdirectory = reader.text(entry, "biosSubdirectory", label)
    if subdirectory and (why := _unsafe_path(subdirectory)) is not None:
        reader.warn(label, f"'biosSubdirectory' {subdirectory!r} {why}; ignored")
        subdirectory = None
    names = reader.strings(entry, "alternateFilenames", label)
    if unsafe := [name for name in names if _unsafe_path(name) is not None]:
        reader.warn(label, f"'alternateFilenames' {', '.join(map(repr, unsafe))} cannot be "
                    "file names under the BIOS folder; dropped")
        names = tuple(name for name in names if name not in unsafe)
    size = reader.integer(entry, "fileSize", label)
    return BiosEntry(
        id=entry["id"],
        name=reader.text(entry, "name", label, default=filename) or filename,
        filename=filename,
        platform_id=platform_id,
        required=reader.flag(entry, "required", label),
        hle_fallback=reader.flag(entry, "hleFallback", label),
        known_hashes=_known_hashes(reader, entry, label),
        alternate_filenames=names,
        bios_subdirectory=subdirectory,
        alternate_subdirectories=reader.strings(entry, "alternateSubdirectories", label),
        required_for_emulators=reader.strings(entry, "requiredForEmulators", label),
        optional_for_emulators=reader.strings(entry, "optionalForEmulators", label),
        file_size=size if size and size > 0 else None,
    )


def _device(reader: _Reader, entry: RawJson, label: str) -> Device:
    return Device(
        id=entry["deviceId"],
        name=reader.text(entry, "displayName", label, default=entry["deviceId"])
        or entry["deviceId"],
        # (one line each: the real pack's RK2020 maker holds a newline, shown as ``\n``)
        manufacturer=_one_line(reader.text(entry, "manufacturer", label)),
        chip=_one_line(reader.text(entry, "chip", label)),
        inherits_scores_from=reader.text(entry, "inheritsScoresFrom", label),
    )


def _operating_system(reader: _Reader, entry: RawJson, label: str) -> OperatingSystem:
    raw_paths = entry.get("paths")
    paths: dict[str, str | None] = {}
    if isinstance(raw_paths, dict):
        for key, value in raw_paths.items():
            if value is None or asks_the_user(value):
                paths[key] = None
            elif isinstance(value, str) and _climbs_out(value):
                reader.warn(label, f"paths.{key} {value!r} climbs out of its folder ('..'); "
                            "ignored")  # (QA82 F7: every platform refused, the pack unnamed)
            elif isinstance(value, str):
                paths[key] = value
            else:
                reader.warn(label, f"paths.{key} is not text; ignored")
    elif raw_paths is not None:
        reader.warn(label, "'paths' is not an object; ignored")
    supported, recommended = _filesystems(reader, entry.get("filesystem"), label)
    return OperatingSystem(
        id=entry["id"],
        name=reader.text(entry, "name", label, default=entry["id"]) or entry["id"],
        paths=paths,
        filesystems=supported,
        recommended_filesystem=recommended,
        portmaster=entry["supportsPortMaster"] if isinstance(
            entry.get("supportsPortMaster"), bool) else None,
        frontend=reader.text(entry, "defaultFrontend", label),
        # (one entry of the real pack spells them baseOs and osType)
        base_os=_lowered(reader.text(entry, "baseOS", label)
                         or reader.text(entry, "baseOs", label)),
        kind=_lowered(reader.text(entry, "type", label) or reader.text(entry, "osType", label)),
        aliases=reader.strings(entry, "aliases", label),
    )


def _filesystems(reader: _Reader, block: Any,
                 label: str) -> tuple[tuple[str, ...], str | None]:
    """An OS's ``filesystem`` block: the file systems it reads (``supported``: a list, or one
    name as text), spelled as :func:`filesystem_key` spells them, and the one ``recommended``
    (None where not said). Another shape is a warning and says nothing."""
    if block is None:
        return (), None
    if not isinstance(block, dict):
        reader.warn(label, "'filesystem' is not an object; ignored")
        return (), None
    raw = block.get("supported")
    names = (raw,) if isinstance(raw, str) else \
        reader.strings({"filesystem.supported": raw}, "filesystem.supported", label)
    supported = tuple(dict.fromkeys(filesystem_key(name) for name in names if name.strip()))
    recommended = block.get("recommended")
    if recommended is not None and not isinstance(recommended, str):
        reader.warn(label, "'filesystem.recommended' is not text; ignored")
    chosen = filesystem_key(recommended) if isinstance(recommended, str) \
        and recommended.strip() else None
    if chosen and supported and chosen not in supported:
        supported = (*supported, chosen)  # (recommended, so read)
    return supported, chosen


def _one_line(text: str | None) -> str | None:
    """``text`` with each run of white space (a newline too) one space, None when empty."""
    return " ".join(text.split()) or None if text is not None else None


def _lowered(text: str | None) -> str | None:
    return text.strip().lower() if text else None


def _check_references(pack: DefinitionPack, bios_reader: _Reader,
                      emulator_reader: _Reader) -> None:
    """Warn about ids that point at nothing in this pack (kept: other packs may add them)."""
    for entry in pack.bios:
        if entry.platform_id not in pack.platforms:
            bios_reader.warn(repr(entry.id), f"platformId {entry.platform_id!r} is not a "
                                             "platform of this pack")
    for emulator in pack.emulators.values():
        unknown = [p for p in emulator.platforms if p != "*" and p not in pack.platforms]
        if unknown:
            emulator_reader.warn(repr(emulator.id), "supportedPlatforms names unknown "
                                                    f"platforms {', '.join(unknown)}")


# osEmulatorProfiles.json's sections, each of the type the resolver reads (another is read as
# empty: qa183 F3, `"profilesByOsId": "oops"` took every OS's base profile away unsaid)
_OS_PROFILE_SECTIONS: dict[str, type] = {"profilesByOsId": dict, "deviceOsProfiles": dict,
                                         "fallbackDefaults": dict, "selectionHierarchy": list}


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def _check_os_profiles(pack: DefinitionPack, reader: _Reader) -> None:
    """Warn about what the OS profile resolver reads as nothing: a section, an OS's profile
    or a device's entry of another type than it reads, and the platforms and emulators an
    entry's defaults name that the pack does not have (qa183 F3: said at `profile show` time
    only, or not at all)."""
    raw = pack.os_profiles
    for key, kind in _OS_PROFILE_SECTIONS.items():
        if key in raw and not isinstance(raw[key], kind):
            reader.warn(key, f"is {_json_type(raw[key])}, not {_json_type(kind())}: read as "
                        "empty (what it holds for every OS is missing)")
    by_os = raw.get("profilesByOsId")
    for os_id, profile in (by_os.items() if isinstance(by_os, dict) else ()):
        if not isinstance(profile, dict):
            reader.warn(f"profilesByOsId.{os_id}", f"is {_json_type(profile)}, not an object: "
                        "the OS has no base profile")
            continue
        _check_os_defaults(pack, reader, f"profilesByOsId.{os_id}", profile, str(os_id))
    devices = raw.get("deviceOsProfiles")
    by_device = devices.get("byDeviceId") if isinstance(devices, dict) else None
    if isinstance(devices, dict) and "byDeviceId" in devices and not isinstance(by_device, dict):
        reader.warn("deviceOsProfiles.byDeviceId", f"is {_json_type(by_device)}, not an "
                    "object: read as empty (no device has an entry of its own)")
    for device_id, entries in (by_device.items() if isinstance(by_device, dict) else ()):
        label = f"deviceOsProfiles.byDeviceId.{device_id}"
        if not isinstance(entries, dict):
            reader.warn(label, f"is {_json_type(entries)}, not an object: read as empty")
            continue
        for os_id, entry in entries.items():
            if not isinstance(entry, dict):
                if os_id != "notes":
                    reader.warn(f"{label}.{os_id}", f"is {_json_type(entry)}, not an object: "
                                "read as empty")
                continue
            _check_os_defaults(pack, reader, f"{label}.{os_id}", entry, str(os_id))


def _check_os_defaults(pack: DefinitionPack, reader: _Reader, label: str,
                       profile: dict[str, Any], os_id: str) -> None:
    # (they read packs: imported late)
    from romrunner.devices.osprofile import PLATFORM_SPELLINGS, emulator_key

    defaults = profile.get("defaults")
    mapping = defaults.get("platformToEmulator") if isinstance(defaults, dict) else None
    if defaults is not None and not isinstance(defaults, dict):
        reader.warn(f"{label}.defaults", f"is {_json_type(defaults)}, not an object: read as "
                    "empty")
        return
    if mapping is not None and not isinstance(mapping, dict):
        reader.warn(f"{label}.defaults.platformToEmulator", f"is {_json_type(mapping)}, not an "
                    "object: read as empty")
        return
    if not mapping:
        return
    if pack.platforms:
        spelled = {str(p): PLATFORM_SPELLINGS[p] for p in mapping if p not in pack.platforms
                   and PLATFORM_SPELLINGS.get(p) in pack.platforms
                   and PLATFORM_SPELLINGS[p] not in mapping}
        if spelled:
            reader.warn(f"{label}.defaults.platformToEmulator", "writes " + ", ".join(
                f"{key} for {proper}" for key, proper in sorted(spelled.items()))
                + ": read as the pack's ids")
        unknown = sorted(str(p) for p in mapping if p not in pack.platforms
                         and p not in spelled)
        if unknown:
            reader.warn(f"{label}.defaults.platformToEmulator", "names platforms this pack "
                        f"does not have: {', '.join(unknown[:8])}"
                        + (f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""))
    if pack.emulators:
        known = {emulator_key(emulator) for emulator in pack.emulators}
        odd = sorted({value for value in mapping.values() if isinstance(value, str) and value
                      and value != os_id and emulator_key(value) not in known})
        if odd:
            reader.warn(f"{label}.defaults.platformToEmulator", "names emulators this pack "
                        f"does not have: {', '.join(odd[:8])}"
                        + (f" and {len(odd) - 8} more" if len(odd) > 8 else ""))


# The characters UTF-8's bytes of one character read as in Windows-1252 or Latin-1, when a
# file saved as UTF-8 was read so and saved again: "â€“" for "–", "Ã©" for "é", "Å\x8d" for
# "ō". A lead character (bytes C2 to F4), then the continuation characters its byte says.
_WINDOWS = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014" \
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_NEXT = f"[\u0080-\u00bf{_WINDOWS}]"
_SEQUENCE = re.compile(f"[\u00c2-\u00df]{_NEXT}|[\u00e0-\u00ef]{_NEXT}{{2}}"
                       f"|[\u00f0-\u00f4]{_NEXT}{{3}}")
# What only such a sequence holds: a lead "Â" or "Ã" (text has no "Ã©"), or a character that
# is no text (a C1 control) or Windows-1252's own (‘ € …) as a continuation. "É\u00a0" (a
# French "CAFÉ :") is text: its bytes would read as "ɠ".
_TELLTALE = re.compile(f"^[\u00c2\u00c3]|[\u0080-\u009f{_WINDOWS}]")
# What a file holding such text holds somewhere (see _TELLTALE).
_MAYBE_TWICE = re.compile(f"[\u00c2\u00c3][\u0080-\u00bf{_WINDOWS}]|[\u0080-\u009f{_WINDOWS}]")
# What a repair never gives: IPA, modifier letters, combining marks, Hebrew to N'Ko ("Spaß…"
# would read as "Spa߅", "ÚŽ" as "ڎ", "ÍŠ" as a combining mark).
_UNLIKELY = re.compile("[\u0250-\u036f\u0590-\u07ff]")


def _undoubled(value: Any, repaired: list[tuple[str, str]]) -> Any:
    """``value`` (parsed JSON) with each text encoded as UTF-8 twice (or three times) read as
    meant, noted in ``repaired`` (see :func:`_read_as_meant`)."""
    if isinstance(value, str):
        if value.isascii():  # (most of a pack: read once per command)
            return value
        meant = value
        for _ in range(3):  # ("Ã¢â€\xa0â€™" for "→": three times over)
            again = _read_as_meant(meant)
            if again is None:
                break
            meant = again
        if meant != value:
            repaired.append((value, meant))
        return meant
    if isinstance(value, list):
        return [_undoubled(item, repaired) for item in value]
    if isinstance(value, dict):
        return {key: _undoubled(item, repaired) for key, item in value.items()}
    return value


def _read_as_meant(text: str) -> str | None:
    """``text`` read as the UTF-8 its characters' bytes are (Windows-1252, else Latin-1),
    when it is such text: each of its characters past ASCII in a sequence that reads as one
    character, one sequence at least holding what text does not, nothing read that a repair
    never gives (review 108 F3: "„Spaß…“" is text); else None."""
    sequences = list(_SEQUENCE.finditer(text))
    if not any(_TELLTALE.search(match.group(0)) for match in sequences):
        return None
    inside = sum(len(match.group(0)) for match in sequences)
    if inside != sum(1 for c in text if ord(c) >= 0x80):
        return None  # (a character past ASCII outside them: text of its own)
    try:
        meant = bytes(ord(c) if ord(c) < 0x100 else c.encode("cp1252")[0]
                      for c in text).decode("utf-8")
    except UnicodeError:
        return None
    return None if _UNLIKELY.search(meant) else meant
