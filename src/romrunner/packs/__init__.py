"""Definition packs: lenient loading, indexes, content hash, the built-in pack."""

from romrunner.packs.loader import DefinitionPack, builtin_pack_path, load_pack
from romrunner.packs.model import BiosEntry, Platform

__all__ = ["BiosEntry", "DefinitionPack", "Platform", "builtin_pack_path", "load_pack"]
