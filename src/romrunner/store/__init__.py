"""The store: one SQLite file, its connection policy, schema lineage and maintenance."""

from romrunner.store.database import Database
from romrunner.store.open import OpenMode, OpenResult, open_database

__all__ = ["Database", "OpenMode", "OpenResult", "open_database"]
