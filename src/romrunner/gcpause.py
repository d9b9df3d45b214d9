"""Python's cyclic garbage collector paused while a step builds many objects and no cycles.

Each collection re-walks every live container; a step that allocates one object per file
(a scan's plan of a million stored files, a deploy's check of ten thousand card files, the
card manifest's parse) sets off collections that find nothing to free: 12% of a 1M-file
rescan, and a re-deploy's time doubled at random (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (reference counting still frees everything
    that is not in a cycle); the collector is as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
