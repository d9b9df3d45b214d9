"""One file against the pack's known BIOS: one verdict per pack entry it relates to."""

from __future__ import annotations

from dataclasses import dataclass

from romrunner.library.hashing import Hashes
from romrunner.packs.index import PackIndex
from romrunner.packs.model import BiosEntry

GOOD_STATUSES = frozenset({"exact_match", "alternate_hash", "presence_only"})


@dataclass(frozen=True)
class Verdict:
    """How one file relates to one pack entry (``entry`` None: unknown file)."""

    entry: BiosEntry | None
    status: str
    matched_hash: str | None = None       # 'sha1', 'md5' or 'crc32'
    expected_filename: str | None = None  # set when the file must be renamed

    @property
    def entry_id(self) -> str:
        """The pack entry id ('' for an unknown file)."""
        return self.entry.id if self.entry else ""


def entry_names(entry: BiosEntry) -> set[str]:
    """Every name the entry accepts, case-folded."""
    return {name.rsplit("/", 1)[-1].lower()
            for name in (entry.filename, *entry.alternate_filenames)}


def _hash_verdict(entry: BiosEntry, hashes: Hashes, filename: str) -> Verdict | None:
    for kind in ("sha1", "md5", "crc32"):
        actual = getattr(hashes, kind)
        for known in entry.known_hashes:
            if actual and getattr(known, kind) == actual:
                if kind == "crc32" and entry.file_size and entry.file_size != hashes.size:
                    continue  # a CRC alone is too weak: the size must agree
                exact = known.preferred or not entry.has_preferred_hash
                rename = None if filename.lower() in entry_names(entry) else entry.filename
                return Verdict(entry, "exact_match" if exact else "alternate_hash", kind, rename)
    return None


def verify(index: PackIndex, hashes: Hashes, filename: str) -> list[Verdict]:
    """Verdicts for a file: by hash first (every entry sharing it), else by name, else unknown."""
    candidates: dict[str, BiosEntry] = {}
    for table, value in ((index.bios_by_sha1, hashes.sha1), (index.bios_by_md5, hashes.md5),
                         (index.bios_by_crc32, hashes.crc32)):
        for entry in table.get(value, ()):
            candidates.setdefault(entry.id, entry)
    verdicts = [v for e in candidates.values() if (v := _hash_verdict(e, hashes, filename))]
    if verdicts:
        return verdicts
    by_name = index.bios_by_filename.get(filename.lower(), ())
    for entry in by_name:
        if entry.presence_only:
            verdicts.append(Verdict(entry, "presence_only"))
        elif entry.file_size and hashes.size != entry.file_size:
            verdicts.append(Verdict(entry, "wrong_size"))
        else:
            verdicts.append(Verdict(entry, "wrong_hash"))
    return verdicts or [Verdict(None, "unknown")]
