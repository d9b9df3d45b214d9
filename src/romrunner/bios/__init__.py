"""BIOS and firmware: verify files by hash, and say what is missing per platform and emulator."""
