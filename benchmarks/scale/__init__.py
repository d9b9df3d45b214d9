"""The scale benchmark: v1.0.1 as drafted vs the engine, side by side on the same data."""
