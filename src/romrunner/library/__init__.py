"""The library: roots, the scan pipeline, hashing, archives, headers, filename tags, games."""
