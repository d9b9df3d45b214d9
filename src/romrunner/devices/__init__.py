"""Devices, device profiles and the per-platform/per-game overrides that apply to them."""
