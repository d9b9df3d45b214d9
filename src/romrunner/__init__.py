"""ROM Runner engine: scan, identify and deploy a retro-game library from one SQLite file."""

__version__ = "0.1.0"
