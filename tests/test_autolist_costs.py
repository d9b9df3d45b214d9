"""Work the auto-list did once per game of the library for nothing (bench47: the stock
auto-list of 100,000 games took ~20% more CPU than at session 38): a keeper's file name read
for every game where no known dump was set aside, an archive's format asked of games left
out already, a build's date parsed of every name without one. What it decides is held by
the other auto-list tests; these hold that the work is not done where it decides nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from romrunner.devices import autolist
from romrunner.devices.autolist import DROP_OTHER_VERSION, AutoListEntry, _Game, _Preference


def _game(game_id: int, filename: str, identified: int = 0) -> _Game:
    return _Game(id=game_id, platform_id="gb", title=filename.rpartition(".")[0],
                 filename=filename, title_key="gb|title:castle", game_keys=(),
                 region_text="USA", languages_json=None, revision=None, flags_json=None,
                 is_hack=0, variant=f"game:{game_id}", identified=identified)


def _entry(game: _Game, included: bool = True) -> AutoListEntry:
    return AutoListEntry(game.id, game.title, game.filename, game.platform_id, included,
                         "PERF_OK", None, None, "gambatte", "default", "gb")


def _counted(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """Calls of ``autolist.<name>`` (it still answers), one item each."""
    calls: list[Any] = []
    real = getattr(autolist, name)

    def counting(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(autolist, name, counting)
    return calls


def test_no_file_name_is_read_when_no_known_dump_was_set_aside(
        monkeypatch: pytest.MonkeyPatch) -> None:
    games = [_game(i, f"Castle {i} (USA).gb") for i in range(1, 51)]
    entries = {game.id: _entry(game) for game in games}
    read = _counted(monkeypatch, "tags_of_file")
    autolist._say_known_dumps_set_aside(games, entries)
    assert read == []  # (origin/main read all 50 names)
    assert all(entry.warnings == [] for entry in entries.values())


def test_a_known_dump_set_aside_is_said_reading_its_keeper_name_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    kept, known, translation, original = (
        _game(1, "Castle (Europe).gb"), _game(2, "Castle (USA).gb", identified=1),
        _game(3, "Quest (Japan) [T+Eng].gb"), _game(4, "Quest (Japan).gb", identified=1))
    others = [_game(i, f"Dawn {i} (USA).gb") for i in range(5, 40)]
    games = [kept, known, translation, original, *others]
    entries = {game.id: _entry(game) for game in games}
    for loser, keeper in ((known, kept), (original, translation)):
        entries[loser.id].dropped = DROP_OTHER_VERSION
        entries[loser.id].kept_instead = keeper.id
    read = _counted(monkeypatch, "tags_of_file")
    autolist._say_known_dumps_set_aside(games, entries)
    assert sorted(args[0] for args in read) == [kept.filename, translation.filename]
    assert [w.startswith(autolist.NOT_A_KNOWN_DUMP) for w in entries[kept.id].warnings] == [True]
    assert "game 2" in entries[kept.id].warnings[0]
    assert entries[translation.id].warnings == []  # (a fan translation: review45d F6)


def test_the_archive_format_is_not_asked_of_a_game_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    games = [_game(i, f"Disc {i} (USA).zip") for i in range(1, 21)]
    entries = {game.id: _entry(game, included=False) for game in games}
    asked = _counted(monkeypatch, "archive_extension")
    monkeypatch.setattr(autolist, "archives_of_discs", lambda db, ids: [])
    bios: dict[int, str] = {}
    autolist._leave_out_unreadable_archives(None, None, None, games, entries, bios)  # type: ignore[arg-type]
    assert asked == [] and bios == {}  # (origin/main asked all 20)


def test_a_name_without_a_date_is_ranked_without_parsing_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    profile = SimpleNamespace(region_preference=["USA"], language_preference=["En"])
    preference = _Preference(profile)  # type: ignore[arg-type]
    parsed = _counted(monkeypatch, "_date_number")
    undated = [preference.key(_game(i, f"Castle (USA) (Rev {i}).gb")) for i in range(1, 4)]
    assert parsed == []  # (origin/main parsed "0" of each)
    dated = preference.key(_game(9, "Castle (USA) (2022-06-15).gb"))
    assert len(parsed) == 1 and -20220615 in dated and -20220615 not in undated[0]
