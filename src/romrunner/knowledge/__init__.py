"""Readers of the emulators' own knowledge files (PCSX2, DuckStation, PPSSPP, Dolphin, libretro).

Each format is one small module with a ``read(path)`` that yields :class:`~.model.Entry` values
and collects skipped entries in a :class:`~.model.ReadReport`; :mod:`.formats` picks the module
by name or from the file's content. The readers only read: storing what they found is the cache's.
"""
