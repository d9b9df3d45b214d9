"""One file against the pack's known BIOS: one verdict per pack entry it relates to.

A file is a known dump when a strong hash proves it and no hash contradicts the proof:

* its SHA1 equals the dump's: proven (a different MD5 in the pack is then the pack's error);
* its MD5 equals the dump's: proven when the dump gives no SHA1, or when its SHA1 differs but
  the size agrees (or the pack gives none). No bad dump shares an MD5 with a real one by
  accident, and a forged one would need a second preimage of MD5; so a SHA1 that disagrees is
  the pack's error (the real pack has several PS1 SHA1s that match libretro's for 16 hex
  digits and then differ). The verdict says so in its ``note``;
* its CRC32 equals the dump's: proven only when the dump gives neither MD5 nor SHA1, and the
  size agrees. A CRC is 32 bits and easy to forge; a strong hash that disagrees always wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from romrunner.library.hashing import Hashes
from romrunner.packs.index import PackIndex
from romrunner.packs.model import BiosEntry, KnownHash

GOOD_STATUSES = frozenset({"exact_match", "alternate_hash", "presence_only"})
_STRENGTH = {"sha1": 0, "md5": 1, "crc32": 2}


@dataclass(frozen=True)
class Verdict:
    """How one file relates to one pack entry (``entry`` None: unknown file)."""

    entry: BiosEntry | None
    status: str
    matched_hash: str | None = None       # 'sha1', 'md5' or 'crc32'
    expected_filename: str | None = None  # set when the file is not under a name it accepts
    note: str | None = None               # the pack's own hashes disagree with the proof

    @property
    def entry_id(self) -> str:
        """The pack entry id ('' for an unknown file)."""
        return self.entry.id if self.entry else ""


def entry_names(entry: BiosEntry) -> set[str]:
    """Every name the entry accepts, case-folded."""
    return {name.rsplit("/", 1)[-1].lower()
            for name in (entry.filename, *entry.alternate_filenames)}


def _same(known: KnownHash, hashes: Hashes, kind: str) -> bool | None:
    """True/False when both sides give the hash, None when either lacks it."""
    ours, theirs = getattr(known, kind), getattr(hashes, kind)
    return None if not ours or not theirs else ours == theirs


def record_match(known: KnownHash, hashes: Hashes, entry: BiosEntry
                 ) -> tuple[str, str | None] | None:
    """(the hash that proves the file is this dump, a note on the pack's disagreeing
    hashes) or None (see the module docstring)."""
    sha1, md5, crc = (_same(known, hashes, kind) for kind in ("sha1", "md5", "crc32"))
    size_ok = not entry.file_size or entry.file_size == hashes.size
    if sha1:
        proof = "sha1"
    elif md5 and (sha1 is None or size_ok):
        proof = "md5"
    elif crc and sha1 is None and md5 is None and size_ok:
        proof = "crc32"
    else:
        return None
    wrong = [kind for kind, same in (("sha1", sha1), ("md5", md5), ("crc32", crc))
             if same is False]
    if not wrong:
        return proof, None
    listed = " and ".join(f"{kind} {getattr(known, kind)} (the file's: {getattr(hashes, kind)})"
                          for kind in wrong)
    agree = proof + (" and size" if proof == "md5" else "")
    return proof, (f"the pack gives {listed} for this dump, though the {agree} agree: the "
                   f"pack's {' and '.join(wrong)} look{'s' if len(wrong) == 1 else ''} wrong")


def _hash_verdict(entry: BiosEntry, hashes: Hashes, filename: str) -> Verdict | None:
    found = [(match, known) for known in entry.known_hashes
             if (match := record_match(known, hashes, entry))]
    if not found:
        return None
    (proof, note), known = min(found, key=lambda pair: (_STRENGTH[pair[0][0]],
                                                        not pair[1].preferred))
    exact = known.preferred or not entry.has_preferred_hash
    rename = None if filename.lower() in entry_names(entry) else entry.filename
    return Verdict(entry, "exact_match" if exact else "alternate_hash", proof, rename, note)


def verify(index: PackIndex, hashes: Hashes, filename: str) -> list[Verdict]:
    """Verdicts for a file: by hash first (every entry sharing it), else by name, else unknown."""
    candidates: dict[str, BiosEntry] = {}
    for table, value in ((index.bios_by_sha1, hashes.sha1), (index.bios_by_md5, hashes.md5),
                         (index.bios_by_crc32, hashes.crc32)):
        for entry in table.get(value, ()):
            candidates.setdefault(entry.id, entry)
    verdicts = [v for e in candidates.values() if (v := _hash_verdict(e, hashes, filename))]
    matched = {v.entry_id for v in verdicts}
    # By name: the entries it is named as, and (QA23 F4) those it is named as while its data
    # is another entry's: a file named as the SNES BIOS holding the GBA dump is that name's
    # wrong dump, not a missing file (and its name is taken from the SNES BIOS)
    by_name = [e for e in index.bios_by_filename.get(filename.lower(), ())
               if e.id not in matched and not (verdicts and e.presence_only)]
    if verdicts and not by_name:
        return verdicts
    for entry in by_name:
        if entry.presence_only:
            verdicts.append(Verdict(entry, "presence_only"))
        elif entry.file_size and hashes.size != entry.file_size:
            verdicts.append(Verdict(entry, "wrong_size"))
        else:
            verdicts.append(Verdict(entry, "wrong_hash"))
    return verdicts or [Verdict(None, "unknown")]
