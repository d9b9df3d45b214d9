"""`profile rm` keeps a profile that has deployed unless --force (QA #19: its deploy history
went with it), and `profile set --regions` refuses a region file names never use (QA #30)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def deployed(cli: Any, tmp_path: Path) -> Path:
    """A library, a profile, one deployment of it to a card."""
    root = tmp_path / "roms"
    (root / "snes").mkdir(parents=True)
    (root / "snes/Sky Pilot (USA).sfc").write_bytes(hashlib.sha256(b"a").digest() * 128)
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", str(card), "platform:snes")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    return card


def test_profile_rm_keeps_a_profile_with_deploy_history_unless_forced(
        cli: Any, deployed: Path, db_path: Path) -> None:
    refused = cli("profile", "rm", "1")
    assert refused.code == 2
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1 and "profile 1" in lines[0] and "1 deployment" in lines[0]
    assert "has the history of 1 deployment, which would be removed" in lines[0]  # (QA98)
    assert "--force" in lines[0]
    assert cli("deploy", "show", "1").code == 0  # the history is still there
    assert cli("profile", "show", "1").code == 0
    forced = cli("--json", "profile", "rm", "1", "--force")
    assert forced.code == 0, forced.err
    assert forced.json()["data"]["deployments_removed"] == 1
    assert cli("deploy", "show", "1").code != 0  # gone with it, as it said
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM device_profiles").fetchone()[0] == 0


def test_profile_rm_without_history_needs_no_force(cli: Any, deployed: Path) -> None:
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    removed = cli("profile", "rm", "2")
    assert removed.code == 0, removed.err
    assert "removed profile 2" in removed.out and "history" not in removed.out


def test_profile_set_refuses_an_unknown_region_and_spells_known_ones(
        cli: Any, deployed: Path) -> None:
    before = cli("--json", "profile", "show", "1").json()["data"]["region_preference"]
    bad = cli("profile", "set", "1", "--regions", "USA,Narnia,Japan")
    assert bad.code == 2
    lines = bad.err.strip().splitlines()
    assert len(lines) == 1 and "'Narnia'" in lines[0] and "USA" in lines[0]
    assert "Europe" in lines[0]
    assert cli("--json", "profile", "show", "1").json()["data"]["region_preference"] == before
    good = cli("--json", "profile", "set", "1", "--regions", "us, Europe,japan,USA")
    assert good.code == 0, good.err
    assert good.json()["data"]["region_preference"] == ["USA", "Europe", "Japan"]


def test_device_rm_says_the_deploy_history_of_its_profiles_goes_too(
        cli: Any, deployed: Path) -> None:
    refused = cli("device", "rm", "1")
    assert refused.code == 2
    # (counted words, no "(s)": qa203 F8)
    assert "has 1 profile, which" in refused.err and "(s)" not in refused.err
    assert "the history of their 1 deployment;" in refused.err
    assert cli("deploy", "show", "1").code == 0
    forced = cli("--json", "device", "rm", "1", "--force")
    assert forced.code == 0
    assert forced.json()["data"]["deployments_removed"] == 1
    assert cli("deploy", "show", "1").code != 0


def test_profile_set_refuses_a_language_name_and_spells_codes(cli: Any, deployed: Path) -> None:
    """`--languages English` matched no game, silently: languages are the codes file names
    use ("(En,Fr,De)")."""
    bad = cli("profile", "set", "1", "--languages", "En,English")
    assert bad.code == 2 and "'English'" in bad.err and "En, Fr" in bad.err
    assert bad.err.count("\n") == 1
    good = cli("--json", "profile", "set", "1", "--languages", "en, FR,zh-hans,En")
    assert good.code == 0, good.err
    assert good.json()["data"]["language_preference"] == ["En", "Fr", "Zh-Hans"]
    assert "no game of the library" not in good.err  # (region languages: known codes)
    # a code no game is in, nor any region's language: kept, said (QA138 F9: a typo kept
    # without a word preferred nothing); a code no language has is refused, as an unknown
    # region is (QA180 F2)
    unheard = cli("profile", "set", "1", "--languages", "En,Kw")
    assert unheard.code == 0 and "no game of the library is in Kw," in unheard.err, unheard.err
    typo = cli("profile", "set", "1", "--languages", "En,Xx")
    assert typo.code == 2 and "language 'Xx' is not a code file names use" in typo.err
    assert typo.err.count("\n") == 1


def test_profile_and_device_rm_say_the_overrides_that_go_with_them(
        cli: Any, deployed: Path, db_path: Path) -> None:
    """A profile's overrides are curation: `profile rm` needs --force for them and says how
    many went, as `device rm --force` does (QA26 F3: both removed them without a word)."""
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    for args in (("override", "set", "--profile", "2", "--game", "1", "--exclude"),
                 ("override", "set", "--profile", "2", "--platform", "gb", "--emulator",
                  "retroarch-gambatte")):
        done = cli(*args)
        assert done.code == 0, (args, done.err)
    refused = cli("profile", "rm", "2")
    assert refused.code == 2 and "2 overrides" in refused.err and "--force" in refused.err
    assert len(cli("--json", "override", "ls").json()["data"]) == 2  # nothing removed
    removed = cli("--json", "profile", "rm", "2", "--force")
    assert removed.code == 0 and removed.json()["data"]["overrides_removed"] == 2
    assert cli("--json", "override", "ls").json()["data"] == []
    assert cli("override", "set", "--profile", "1", "--game", "1", "--exclude").code == 0
    refused = cli("device", "rm", "1")
    assert refused.code == 2 and "their 1 override" in refused.err
    gone = cli("--json", "device", "rm", "1", "--force")
    assert gone.code == 0 and gone.json()["data"]["overrides_removed"] == 1


def test_profile_and_device_names_and_filters_are_checked(cli: Any) -> None:
    """QA98 F6: an empty name and names with control characters were taken (collection
    names refuse them), three identical profiles were made without a word, and a platform
    both included and excluded was accepted (the auto-list then held nothing)."""
    for name in ("\x1b[31mred", "RTL \u202eMini", "\u200bZero"):
        refused = cli("device", "add", "rg-35xx-plus", "--name", name)
        assert refused.code == 2 and "empty or has control or invisible characters" \
            in refused.err
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    again = cli("profile", "create", "--device", "1", "--os", "muos")
    assert again.code == 0 and "profile 1 has this device, OS and name too" in again.err
    for args in (("profile", "set", "1", "--name", ""),
                 ("profile", "create", "--device", "1", "--os", "muos", "--name", "a\nb"),
                 ("profile", "set", "1", "--include-platforms", "gba",
                  "--exclude-platforms", "gba")):
        bad = cli(*args)
        assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1, (args, bad.err)
    assert cli("profile", "set", "1", "--include-platforms", "gba").code == 0
    both = cli("profile", "set", "1", "--exclude-platforms", "gba")
    assert both.code == 2 and "both included and excluded" in both.err
    listed = cli("--json", "profile", "ls").json()["data"]
    assert [p["id"] for p in listed] == [1, 2]


def test_a_profile_stored_with_a_platform_in_both_lists_is_still_changed(
        cli: Any, db_path: Path) -> None:
    """Review 103 F6: a profile an earlier release let list a platform both included and
    excluded refused every change, a rename too; the lists' own options still fix it."""
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    assert cli("profile", "set", "1", "--include-platforms", "gba,nes").code == 0
    with sqlite3.connect(db_path) as conn:  # as such a release stored it
        conn.execute("UPDATE device_profiles SET exclude_platforms = '[\"gba\"]'")
    renamed = cli("profile", "set", "1", "--name", "Renamed")
    assert renamed.code == 0, renamed.err
    still = cli("profile", "set", "1", "--include-platforms", "gba")
    assert still.code == 2 and "platform gba would be both included" in still.err
    assert cli("profile", "set", "1", "--include-platforms", "nes").code == 0
    (profile,) = [p for p in cli("--json", "profile", "ls").json()["data"] if p["id"] == 1]
    assert profile["name"] == "Renamed"


def test_a_platform_a_profile_does_not_know_is_refused_with_the_id_it_may_mean(
        cli: Any) -> None:
    """QA109 F5: `--include-platforms megadrive` said only "unknown platform(s)", where the
    query language says "did you mean genesis"."""
    from tests.conftest import shared_path
    pack = str(shared_path("definition-pack"))
    assert cli("--pack", pack, "device", "add", "rg-35xx-plus").code == 0
    assert cli("--pack", pack, "profile", "create", "--device", "1", "--os", "muos").code == 0
    refused = cli("--pack", pack, "profile", "set", "1", "--include-platforms", "megadrive")
    assert refused.code == 2 and "unknown platform(s): megadrive (did you mean genesis" \
        in refused.err, refused.err


def test_a_profile_moved_to_another_os_takes_its_name_unless_named_by_the_user(
        cli: Any) -> None:
    """QA109 F7: `profile set 2 --os minui` kept the name "RG-35XX Plus - OnionOS"."""
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos", "--name", "Mine").code == 0
    names = {p["id"]: p["name"] for p in cli("--json", "profile", "ls").json()["data"]}
    assert names[1].endswith(" - muOS")
    for profile in ("1", "2"):
        assert cli("profile", "set", profile, "--os", "knulli").code == 0
    after = {p["id"]: p["name"] for p in cli("--json", "profile", "ls").json()["data"]}
    assert after == {1: names[1].replace(" - muOS", " - KNULLI"), 2: "Mine"}
    # (review 110 F1: not to the name another profile of that device and OS has)
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    assert cli("profile", "set", "1", "--os", "muos").code == 0  # back: 3 has that name
    final = {p["id"]: p["name"] for p in cli("--json", "profile", "ls").json()["data"]}
    assert final[1] == after[1] and final[3] == names[1]


def test_a_name_with_a_zero_width_joiner_inside_a_word_is_a_name(cli: Any) -> None:
    """Review 115 F8: refusing invisible characters refused Persian words (ZWNJ) and emoji
    sequences (ZWJ), ordinary names accepted before."""
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    family = "\U0001f468\u200d\U0001f469"
    for name in (persian, f"{family} games"):
        created = cli("collection", "create", name)
        assert created.code == 0 and name in created.out, (name, created.out)  # (shown as is)
        assert cli("device", "add", "rg-35xx-plus", "--name", name).code == 0, name
    for name in ("\u200d", "Mario\u200c"):  # (joining nothing: review 118 F9)
        assert cli("collection", "create", name).code == 2, name


def test_a_profile_given_by_its_name_is_answered_with_where_its_id_is(
        cli: Any, deployed: Path) -> None:
    """QA138 F10: `deploy muos-35xx …` said Click's "is not a valid integer"."""
    for args in (("autolist", "muos-35xx"), ("deploy", "muos-35xx", "--to", str(deployed)),
                 ("profile", "show", "muos-35xx"), ("override", "ls", "--profile", "x1")):
        refused = cli(*args)
        assert refused.code == 2 and "no profile id" in refused.err, (args, refused.err)
        assert "romrunner profile ls" in refused.err
