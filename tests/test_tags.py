"""GoodTools bracket codes with qualifiers are read as their flag, not kept as unknown tags."""

from __future__ import annotations

import pytest

from romrunner.library.tags import language_code, parse_filename, parse_name


@pytest.mark.parametrize(("name", "flag"), [
    ("Super Mario Bros. (U) [h1C].nes", "hack"),       # hack 1, copier header
    ("Super Mario Bros. (U) [hI].nes", "hack"),        # intro hack
    ("Super Mario Bros. (U) [hM04].nes", "hack"),      # mapper hack
    ("Super Mario Bros. (U) [hFFE].nes", "hack"),      # FFE hack
    ("Super Mario Bros. (U) [hack].nes", "hack"),
    ("Zelda (U) [b1+C].nes", "bad_dump"),
    ("Zelda (U) [o2].nes", "overdump"),
    ("Zelda (U) [a1C].nes", "alternate"),
    ("Zelda (U) [f1_C].nes", "fixed"),
    ("Zelda (U) [t1+2].nes", "trainer"),
    ("Zelda (U) [p1].nes", "pirate"),
    ("Zelda (U) [cr2].nes", "cracked"),
])
def test_goodtools_codes_with_qualifiers(name: str, flag: str) -> None:
    parsed = parse_filename(name)
    assert parsed.flags == (flag,)
    assert parsed.other_tags == ()
    assert parsed.is_hack is (flag == "hack")


@pytest.mark.parametrize("tag", ["[Hello]", "[tr]", "[bonus]", "[h1c lower]"])
def test_words_that_only_start_with_a_code_letter_stay_unknown(tag: str) -> None:
    parsed = parse_filename(f"Zelda (USA) {tag}.sfc")
    assert parsed.flags == () and parsed.other_tags == (tag,)


def test_rev_with_a_hyphen_is_a_revision_and_a_word_is_not() -> None:
    """QA3 F-T: "(REV-A)" is a revision; "(Revenge)" is not one."""
    from romrunner.library.tags import parse_filename, parse_name
    assert parse_filename("Game (USA) (REV-A) (NES Conversion).md").revision == "A"
    assert parse_filename("Game (USA) (REV-A) (NES Conversion).md").other_tags == (
        "NES Conversion",)
    assert parse_filename("Game (USA) (Rev 1.1).md").revision == "1.1"
    assert parse_filename("Game (USA) (Rev1).md").revision == "1"
    assert parse_filename("Game (Revenge) (USA).md").revision is None
    assert parse_name("Dr. Mario (World)").title == "Dr. Mario"
    assert parse_name("Game Vol. 1").title == "Game Vol. 1"


@pytest.mark.parametrize(("name", "languages"), [
    # real No-Intro names (QA30 N3: the whole tag was lost, no language at all)
    ("Demons of Asteborg (World) (En,Fr,De,Es,It,Pt-BR)", ("En", "Fr", "De", "Es", "It",
                                                           "Pt-BR")),
    ("Power Quest (Europe) (En-US,En-GB,Fr,De,Es,It)", ("En-US", "En-GB", "Fr", "De", "Es",
                                                        "It")),
    ("Shaolin Carcara (World) (Pt-BR)", ("Pt-BR",)),
    ("Art School Pocket (World) (De)", ("De",)),  # (QA28 F2: Germany)
    ("Some Game (1993)(Publisher)(de)", ("De",)),  # TOSEC's lower case
])
def test_languages_of_one_country_and_tosec_codes_are_languages(
        name: str, languages: tuple[str, ...]) -> None:
    assert parse_name(name).languages == languages


def test_a_language_of_one_country_keeps_its_country_in_upper_case() -> None:
    assert [language_code(code) for code in ("pt-br", "EN-us", "zh-hans", "en")] == [
        "Pt-BR", "En-US", "Zh-Hans", "En"]


@pytest.mark.parametrize(("name", "title", "disc"), [
    ("Saga (USA) - Disc 2.chd", "Saga", 2),  # QA33 F33: sets ripped by hand
    ("Saga (USA) [Disc 2].chd", "Saga", 2),
    ("Saga (USA) - CD2.chd", "Saga", 2),
    ("Saga_Disc2.chd", "Saga", 2),
    ("Saga - Disc 2 of 3.chd", "Saga", 2),
    ("Saga (USA) Disc 2.chd", "Saga", 2),
    ("Official U.S. PlayStation Magazine Demo Disc 01.chd",  # a title (review 18 R1)
     "Official U.S. PlayStation Magazine Demo Disc 01", None),
    ("Music CD 1.chd", "Music CD 1", None),
    ("Saga (USA) (Disc 2).cue", "Saga", 2),  # Redump's, as before
    ("Disc 1.chd", "Disc 1", None),  # a name that is all disc
    ("Game CD32.iso", "Game CD32", None),  # no 32nd disc
    ("CD Man (USA).gb", "CD Man", None),
])
def test_a_disc_named_after_the_title_or_tags_is_a_disc(name: str, title: str,
                                                        disc: int | None) -> None:
    parsed = parse_filename(name)
    assert (parsed.title, parsed.disc_number) == (title, disc)


def test_demo_words_are_flags_except_as_a_discs_own_name() -> None:
    """QA37 F8: Redump's trial words are demos; review 19 R1: right after a disc tag they are
    that disc's name ("(Disc 2) (Sumaru TV Special Preview Disc)"), and the set stays one."""
    for name in ("Rayman (USA) (Playable Game Preview)", "Brave Sword (Japan) (Taikenban)",
                 "Biohazard 2 (Japan) (Trial Edition)", "Astronoka (Japan) (Demo Movie)"):
        assert "demo" in parse_name(name).flags, name
    for name, label in (
            ("Persona 2 - Batsu (Japan) (Disc 2) (Sumaru TV Special Preview Disc)",
             "Sumaru TV Special Preview Disc"),
            ("Play-Pre Plus (Japan) (Disc 2) (Legaia Densetsu Trial Version)",
             "Legaia Densetsu Trial Version")):
        parsed = parse_name(name)
        assert (parsed.flags, parsed.disc_number, parsed.disc_label) == ((), 2, label), name


def test_goodtools_regions_run_together() -> None:
    """QA37 F9: GoodTools' "(JU)", "(UE)", "(JUE)"; No-Intro's "(EU)" stays Europe."""
    assert parse_name("Mario (JU) [!]").regions == ("Japan", "USA")
    assert parse_name("Tetris (UE)").regions == ("USA", "Europe")
    assert parse_name("Gradius (JUE)").regions == ("Japan", "USA", "Europe")
    assert parse_name("Europa (EU)").regions == ("Europe",)
    assert parse_name("Odd (JJ)").regions == ()


def test_goodnes_prg_codes_are_revisions() -> None:
    """QA40 F9: "(PRG0)"/"(PRG1)" were no revision: the older PRG0 dump kept (a tie)."""
    assert parse_name("Legend of Zelda, The (U) (PRG1) [!]").revision == "1"
    assert parse_name("Super Mario Bros. 3 (U) (PRG0) [!]").revision == "0"
    assert parse_name("Progress (USA)").revision is None


_TAG_FIELDS = ("regions", "languages", "revision", "version", "flags", "translation",
               "other_tags", "year", "disc_label", "date", "prerelease_number")
_TRICKY_NAMES = [
    "Ab.c (U)", "Dr. Mario (Japan, USA).nes", "Game (abc (USA) (Rev 1).zip",
    "Game ( odd [USA] [!].sfc", "Game (USA) (Disc 2) (Claire-hen).cue",
    "Game v1.1 (Europe) (En,Fr).gba",
    "Game (USA) - Disc 2.bin", "Game (Japan) [T+Eng1.0_Someone].sfc", "Game [b1] (U).nes",
    "(Disc 1)", "Game - Disc 1", "Game.", "Game (1995)(Publisher)(US)[cr].adf",
    "Game (Beta) (Proto 2) (Unl) (Sample).md", "Game (USA) (Sonic Classic Collection).md",
    "a.b.c (Europe) (Rev A).7z", "Game [hM04][!].nes", "Game (World) (Virtual Console).gb",
]


def _tag_fields(parsed: object) -> tuple[object, ...]:
    return tuple(getattr(parsed, name) for name in _TAG_FIELDS)


def _dat_game_names() -> list[str]:
    """Every game name of the real DATs (clrmamepro and Logiqx), when ../shared is there."""
    import re

    from tests.conftest import shared_path
    names: list[str] = []
    for dat in sorted(shared_path("dats").rglob("*.dat")):
        text = dat.read_text(encoding="utf-8", errors="replace")
        names += re.findall(r'<game name="([^"]+)"', text)
        names += re.findall(r'^\s*name "([^"]+)"', text, re.MULTILINE)
    return names


@pytest.mark.parametrize("source", ["tricky", "dats"])
def test_tags_read_by_tag_part_are_the_names_own(source: str) -> None:
    """The auto-list ranks versions by tags read once per distinct tag part (``tags_of``):
    for every name — the real DATs' and odd ones — they are what parsing the whole name
    gives."""
    from romrunner.library.tags import strip_extension, tag_part, tags_of
    names = _TRICKY_NAMES if source == "tricky" else _dat_game_names()
    assert len(names) > 10
    for name in names:
        for whole, part in ((parse_filename(name), tag_part(strip_extension(name))),
                            (parse_name(name), tag_part(name))):
            assert _tag_fields(tags_of(part)) == _tag_fields(whole), name


@pytest.mark.parametrize("source", ["tricky", "dats"])
def test_tags_of_a_file_name_are_its_whole_parse(source: str) -> None:
    """``tags_of_file`` reads a file name's tags once per part from its first bracket on,
    extension included: for every name — with an extension, without, with a bracket or a
    dot in an extension-like ending — they are what parsing the whole file name gives."""
    from romrunner.library.tags import tags_of_file
    names = _TRICKY_NAMES if source == "tricky" else _dat_game_names()
    odd = ["Game.(a)", "Game (USA).z(1)", "Game (USA).[b]", "Game (USA) v1.1", "(USA).zip",
           "Game (USA).toolongext", "Game [!] (Europe).", "No Tags.sfc", "Game (USA)"]
    for name in [*names, *odd, *(f"{name}.zip" for name in names[:2000])]:
        assert _tag_fields(tags_of_file(name)) == _tag_fields(parse_filename(name)), name


def test_redumps_rarer_countries_are_regions_and_its_store_discs_demos() -> None:
    """QA71 F5: "(Ireland)", "(Austria)", "(Belgium, Netherlands)", "(Israel)", "(Peru)" were no
    region (and no language implied); F2: "(Test Drive Disc)", "(Tentou …)", "(… Sampler CD)"
    were no demo: deployed as the game."""
    from romrunner.library.tags import implied_languages
    assert parse_name("Resident Evil 3 - Nemesis (Ireland)").regions == ("Ireland",)
    assert parse_name("Cha Cha (Belgium, Netherlands) (En,Fr,Nl)").regions == (
        "Belgium", "Netherlands")
    assert implied_languages(parse_name("Millionen Show, Die (Austria)").regions) == ("De",)
    for name in ("Gran Turismo (Japan) (Test Drive Disc)",
                 "Beyond the Beyond (Japan) (Tentou-you Special CD-ROM)",
                 "Yuukyuu Gensoukyoku (Japan) (Tentou Jitsuenban)",
                 "Final Fantasy VII (USA) (Interactive Sampler CD)"):
        assert "demo" in parse_name(name).flags, name
    assert parse_name("Sampler Story (USA)").flags == ()  # (a title's word: no tag)


def test_a_sega_serial_is_no_translation_and_a_translation_stays_one() -> None:
    """Review 100 F5: a Saturn disc's serial, `[T-4507G]`, was a translation: each disc a
    set of its own (a translation is an edition), no playlist."""
    serial = parse_filename("Panzer Dragoon Saga (USA) (Disc 1) [T-4507G].cue")
    assert serial.translation is None and serial.disc_number == 1
    assert parse_filename("Game (Japan) [T-Eng].sfc").translation == "Eng"
    assert parse_filename("Game (Japan) [T+Fre1.0].sfc").translation == "Fre1.0"


@pytest.mark.parametrize(("name", "regions"), [
    # GoodTools' country codes (its GoodCodes.txt): QA round 37, "(F)", "(G)" were no region
    ("Goodie Fr (F).smc", ("France",)), ("Spiel (G) [!].smc", ("Germany",)),
    ("Juego (S).smc", ("Spain",)), ("Gioco (I).smc", ("Italy",)),
    ("Oz Game (A).smc", ("Australia",)), ("Game (C).nes", ("China",)),
    ("Game (K).sms", ("Korea",)), ("Spel (NL) [b1].nes", ("Netherlands",)),
    ("Spel (Sw).gb", ("Sweden",)), ("Peli (FN).gb", ("Finland",)),
    ("Game (GR).gb", ("Greece",)), ("Game (HK).nes", ("Hong Kong",)),
    ("Game (Unk).nes", ("Unknown",)),
    # a name that names its region otherwise: the code is any other tag
    ("Game (USA) (A).sfc", ("USA",)), ("Game (U) (F).sfc", ("USA",)),
    # not read: "(1)" (also a second download's name), "(B)" (non-USA: no one region)
    ("Game (1).sfc", ()), ("Game (B).md", ()),
    ("Game (f).sfc", ()),  # (GoodTools writes them in upper case)
])
def test_goodtools_country_codes_are_regions_of_a_name_naming_none(
        name: str, regions: tuple[str, ...]) -> None:
    assert parse_filename(name).regions == regions


def test_goodtools_codes_do_not_misread_no_intro_names() -> None:
    """No-Intro's "(Sw)" (a language, Swahili), a Redump disc's label "(Disc 1) (A)" and a
    region-named name's extra tag stay what they were."""
    assert parse_name("Game (World) (Sw)").languages == ("Sw",)
    assert parse_name("Game (World) (Sw)").regions == ("World",)
    assert parse_name("Game (Japan) (Disc 1) (A)").disc_label == "A"
    assert parse_name("Game (USA) (A)").other_tags == ("A",)
    assert parse_name("Dutch (Europe) (En,Nl)").languages == ("En", "Nl")


def test_goodtools_public_domain_is_homebrew() -> None:
    parsed = parse_filename("Goodie PD (PD).smc")
    assert (parsed.title, parsed.flags, parsed.regions) == ("Goodie PD", ("homebrew",), ())
    assert parse_filename("Demo (PD) (F).smc").regions == ("France",)
