"""Benchmarks, run by hand (never part of the test suite); figures go in docs/PERFORMANCE.md."""
