"""A name too long for the card is shortened in its title, keeping its tags and extension:
"(USA) (Rev 1)" is what tells two versions of a game apart on the card."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from romrunner.deploy.legal import MAX_COMPONENT, FileSystem, legal_component


def test_tags_survive_when_the_title_is_cut() -> None:
    name = "Very Long Title " * 20 + "(USA) (Rev 1) [!].gb"
    fat = legal_component(name, FileSystem.FAT32)
    assert MAX_COMPONENT - 2 <= len(fat) <= MAX_COMPONENT
    assert fat.endswith(" (USA) (Rev 1) [!].gb")
    assert fat.startswith("Very Long Title Very Long Title")
    posix = legal_component("é" * 200 + " (Japan).sfc", FileSystem.POSIX)
    assert posix.endswith(" (Japan).sfc") and len(posix.encode()) <= MAX_COMPONENT


def test_two_versions_stay_apart() -> None:
    title = "Title " * 50
    one = legal_component(f"{title}(USA).sfc", FileSystem.FAT32)
    two = legal_component(f"{title}(USA) (Rev 1).sfc", FileSystem.FAT32)
    assert one != two and one.endswith("(USA).sfc") and two.endswith("(USA) (Rev 1).sfc")


@given(st.text(min_size=1, max_size=300), st.sampled_from(["", " (USA)", " (Europe) (Rev 2)"]))
def test_long_names_always_fit(title: str, tags: str) -> None:
    for fs in FileSystem:
        try:
            legal = legal_component(f"{title}{tags}.gba", fs)
        except Exception as exc:  # only "", "." and ".." are refused, never these
            raise AssertionError(f"{title!r}: {exc}") from exc
        size = len(legal.encode("utf-8")) if fs is FileSystem.POSIX else \
            len(legal.encode("utf-16-le")) // 2
        assert size <= MAX_COMPONENT and legal.endswith(".gba")
