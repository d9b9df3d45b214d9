"""Searching the library: safe FTS5 queries, ranked typeahead with bounded cost."""
