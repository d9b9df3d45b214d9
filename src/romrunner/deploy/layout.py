"""What the deploy engine needs to know of a card's layout (``romrunner.devices.paths``).

The devices package decides where each platform's ROMs, BIOS and playlists go on a card; the
deploy engine only asks. These protocols are the questions it asks, so the engine and its
tests work with any object that answers them.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path, PurePosixPath
from typing import Protocol

from romrunner.deploy.legal import FileSystem, legal_component
from romrunner.errors import InputError
from romrunner.library.tags import without_disc_tags

DETECTED = "detected"  # a FolderChoiceLike's source: a folder the card already had

# A multi-disc set's own folder in its platform's, by the OS's layout (see multi_disc_layout)
_SET_FOLDER_NAMES = {"hidden": ".{}", "folder": "{}", "m3u-folder": "{}.m3u"}


def set_title(filename: str, catalog_name: str | None, set_key: str) -> str:
    """A disc set's title, from the file name of its first disc: that name without its
    extension and disc tag; its catalog game's where the file's name has no disc tag
    (``ff7_1.chd``, identified as "Final Fantasy VII (USA) (Disc 1)"); else ``set_key``."""
    stem = PurePosixPath(filename).stem
    title = without_disc_tags(stem)
    if title == stem.strip() and catalog_name:
        title = without_disc_tags(catalog_name)
    return title or set_key


def set_folder_of(kind: str, folder: str, title: str, set_key: str, fs: FileSystem) -> str:
    """Where a set titled ``title`` keeps its discs in its platform's ``folder`` for the
    layout ``kind`` (see :meth:`CardLayoutLike.multi_disc_layout`): ``folder`` itself when
    flat, else the set's own folder in it, named by its ``set_key`` where the title has no
    legal name on the card."""
    pattern = _SET_FOLDER_NAMES.get(kind)
    if pattern is None:
        return folder
    try:
        return f"{folder}/{legal_component(pattern.format(title), fs)}"
    except InputError:
        return f"{folder}/{legal_component(pattern.format(set_key), fs)}"


def playlist_replaced(source: str, names: Sequence[str], discs: Collection[str],
                      wants_m3u: bool) -> bool:
    """True for the library's own .m3u at ``source`` (its path in the library) whose lines
    ``names`` (relative to its folder, without their ``./``) each name a disc of a set the
    deploy places — ``discs``: the sources of the sets' discs it places, and of those
    missing from the library — where the OS wants a playlist (``wants_m3u``): the planner
    writes the set's .m3u itself, so the library's is not placed. The deploy planner and
    the auto-list both ask this, so that the list leaves out exactly the playlists a deploy
    replaces (review49g F3: the list left out one naming a hidden disc too, which the
    deploy places, and `deploy --auto --prune` removed that disc from the card)."""
    if not names or not wants_m3u:
        return False
    parent = source.rpartition("/")[0]
    return all(os.path.join(parent, name) in discs for name in names)


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
