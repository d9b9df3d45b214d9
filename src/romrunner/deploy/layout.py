"""What the deploy engine needs to know of a card's layout (``romrunner.devices.paths``).

The devices package decides where each platform's ROMs, BIOS and playlists go on a card; the
deploy engine only asks. These protocols are the questions it asks, so the engine and its
tests work with any object that answers them.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Protocol

from romrunner.deploy.legal import FileSystem

DETECTED = "detected"  # a FolderChoiceLike's source: a folder the card already had


class FolderChoiceLike(Protocol):
    """A folder on the card (relative to its root, already legal) and why it was chosen."""

    @property
    def path(self) -> PurePosixPath:
        """The folder, relative to the card root."""

    @property
    def source(self) -> str:
        """Where the choice came from (profile, detected, user, fallback)."""

    @property
    def reason(self) -> str:
        """Why, in words."""


class CardLayoutLike(Protocol):
    """Where things go on one card for one OS."""

    @property
    def root(self) -> Path:
        """The card's mount point (or the folder playing the card)."""

    @property
    def os_id(self) -> str:
        """The OS the card is laid out for."""

    @property
    def fs(self) -> FileSystem:
        """The card's file-system naming rules."""

    def rom_folder(self, platform_id: str) -> FolderChoiceLike | None:
        """The folder for a platform's games; None when the OS has no folder for it."""

    def left_folders(self, platform_id: str) -> list[tuple[PurePosixPath, int]]:
        """Other folders of the platform where an earlier deploy put files (how many): the
        deploy no longer writes there; ``--prune`` removes those copies."""

    def renamed_folder(self, platform_id: str) -> tuple[str, int] | None:
        """Where the files an earlier deploy put in the platform's folder are now, when that
        folder is gone from the card and a folder beside it holds them (renamed on the
        card), with how many; None otherwise."""

    def bios_folder(self, platform_id: str) -> FolderChoiceLike:
        """The folder for a platform's BIOS files (entries' own subfolders go beneath)."""

    def playlist_folder(self) -> FolderChoiceLike | None:
        """The folder for playlists other than multi-disc .m3u files, if the OS has one."""

    def wants_m3u(self, platform_id: str) -> bool:
        """True when the OS launches a multi-disc set through an .m3u playlist."""

    def multi_disc_layout(self, platform_id: str) -> str:
        """Where a multi-disc set's discs go beside its .m3u: ``flat`` (the platform folder),
        ``hidden`` (``.<title>/``), ``folder`` (``<title>/``, the .m3u inside) or
        ``m3u-folder`` (``<title>.m3u/``, the .m3u inside)."""
