"""A `deploy --prune` keeps a file of ours no longer chosen whose content no library file holds
now — its library's drive lost and its root removed (`library rm`), or its files deleted and
the game forgotten (`games forget --missing`) — and names it as maybe the only copy left, in
the dry run too; `--force` removes it. A file the run writes in its place (the game switched
to another format) lets it go without `--force`, and a game no longer chosen whose library
file is there is pruned as ever. Real deploys in a process of their own, to a card folder."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, run_subprocess
from tests.test_deploy_formats import card_names

_SAID = "maybe the only copy left: no library file holds its content now; `--force` removes it"


def _deploy(card: Path, *args: str) -> Any:
    """`romrunner --json deploy 1 --to CARD ARGS` in a process of its own: its data."""
    result = run_subprocess("--json", "deploy", "1", "--to", str(card), *args)
    assert result.code == 0, result.out + result.err
    return result.json()["data"]


def _said_kept(data: Any, path: str) -> None:
    """``data`` (a deploy's, or its dry run's) names ``path`` kept as maybe the only copy."""
    assert path in data["prune_only_copy"], data
    assert any(_SAID in note and path in note for note in data["notes"]), data["notes"]


def _two_roots(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two library roots of Game Boy games (Tetris in ``a``, Kirby and Zelda in ``b``) and an
    empty card folder: (a, b, card); :func:`_both_deployed` deploys them."""
    a, b, card = tmp_path / "a", tmp_path / "b", tmp_path / "card"
    (a / "gb").mkdir(parents=True)
    (b / "gb").mkdir(parents=True)
    card.mkdir()
    (a / "gb" / "Tetris (World).gb").write_bytes(b"t" * 40_000)
    (b / "gb" / "Kirby (USA).gb").write_bytes(b"k" * 40_000)
    (b / "gb" / "Zelda (USA).gb").write_bytes(b"z" * 40_000)
    return a, b, card


def _both_deployed(cli: Any, a: Path, b: Path, card: Path) -> None:
    """Both roots scanned, profile 1 (muOS) made, their Game Boy games deployed to ``card``."""
    muos_profile(cli, a)
    assert cli("library", "add", b).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0


def test_library_rm_of_a_lost_drive_then_prune_keeps_its_games_copies(
        cli: Any, tmp_path: Path) -> None:
    """qa197 F2: the drive of a root lost, the root removed (`library rm`, warned once),
    a later `deploy --prune` listed the card's copy as an ordinary "would remove" and
    removed it: maybe the last copy anywhere. Now it is kept and named, in the dry run and
    the run (text and --json); --force removes it. Zelda, no longer chosen, its library file
    there, is pruned as ever."""
    a, b, card = _two_roots(tmp_path)
    _both_deployed(cli, a, b, card)
    tetris, zelda = (next(n for n in card_names(card) if name in n)
                     for name in ("Tetris", "Zelda"))
    shutil.move(a, tmp_path / "a.away")  # (the drive lost)
    removed = cli("library", "rm", a)
    assert removed.code == 0, removed.err

    dry = _deploy(card, "kirby", "--prune", "--dry-run")
    _said_kept(dry, tetris)
    assert dry["prune"] == [zelda], dry
    text = run_subprocess("deploy", "1", "--to", str(card), "kirby", "--prune")
    assert text.code == 0, text.err
    assert f"removed {zelda}" in text.out and tetris not in text.out.split("note:")[0]
    assert _SAID in " ".join(text.out.split()) + " ".join(text.err.split()), text.out + text.err
    assert (card / tetris).is_file() and not (card / zelda).exists()

    again = _deploy(card, "kirby", "--prune")
    _said_kept(again, tetris)
    assert (card / tetris).is_file()
    forced = _deploy(card, "kirby", "--prune", "--force")
    assert forced["pruned_paths"] == [tetris] and forced["prune_only_copy"] == [], forced
    assert not (card / tetris).exists()
    assert "keeps the others as maybe the only copy left (`--force` removes them)" in \
        " ".join(removed.err.split()), removed.err  # (its warning says so)


def test_games_forget_missing_then_prune_keeps_the_copy(cli: Any, tmp_path: Path) -> None:
    """qa197 F2: the game's files deleted from the library, `scan --accept-missing`,
    `games forget --missing`: the next `deploy --prune` removed the card's copy, no word.
    Now kept and named (its run too); --force removes it."""
    a, b, card = _two_roots(tmp_path)
    _both_deployed(cli, a, b, card)
    tetris = next(n for n in card_names(card) if "Tetris" in n)
    (a / "gb" / "Tetris (World).gb").unlink()
    assert cli("scan", "--workers", "1", "--accept-missing", a).code == 0
    forgot = cli("games", "forget", "--missing")
    assert forgot.code == 0, forgot.out

    kept = _deploy(card, "platform:gb", "--prune")
    _said_kept(kept, tetris)
    assert kept["pruned"] == 0 and (card / tetris).is_file(), kept
    forced = _deploy(card, "platform:gb", "--prune", "--force")
    assert forced["pruned_paths"] == [tetris], forced
    assert not (card / tetris).exists()
    assert "keeps the others as maybe the only copy left (`--force` removes them)" in \
        " ".join(forgot.out.split()), forgot.out  # (it says so)
    assert "a deploy with --prune now removes its copies from a card" in \
        " ".join(forgot.out.split()), forgot.out  # (review44c F6: "their", of one game)


def test_a_format_switch_prunes_the_old_copy_once_the_new_one_is_written(
        cli: Any, tmp_path: Path) -> None:
    """The .iso deleted from the library and forgotten, the .cso chosen and copied in the same
    run: its .iso goes without --force (the game's copy on the card is the .cso now), while
    Lemmings, forgotten too and replaced by nothing, is kept as maybe the only copy left."""
    old, new, card = tmp_path / "a", tmp_path / "b", tmp_path / "card"
    (old / "psp").mkdir(parents=True)
    (new / "psp").mkdir(parents=True)
    card.mkdir()
    (old / "psp" / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    (old / "psp" / "Lemmings (USA).iso").write_bytes(b"l" * 50_000)
    muos_profile(cli, old)
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    iso, lemmings = (next(n for n in card_names(card) if name in n)
                     for name in ("Patapon", "Lemmings"))
    (new / "psp" / "Patapon (USA).cso").write_bytes(b"CISO" + bytes(20) + b"q" * 2_000)
    assert cli("library", "add", new).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for path in sorted(p for p in old.rglob("*") if p.is_file()):
        path.unlink()
    assert cli("scan", "--workers", "1", "--accept-missing", old).code == 0
    assert cli("games", "forget", "--missing").code == 0

    dry = _deploy(card, "platform:psp", "--prune", "--dry-run")
    assert dry["prune"] == [iso] and dry["prune_only_copy"] == [lemmings], dry
    data = _deploy(card, "platform:psp", "--prune")
    assert data["copied"] == 1 and data["pruned_paths"] == [iso], data
    _said_kept(data, lemmings)
    cso = str(Path(iso).with_suffix(".cso"))
    assert sorted(card_names(card)) == sorted([cso, lemmings])


def test_the_brake_says_force_would_remove_the_only_copies_too(
        cli: Any, tmp_path: Path) -> None:
    """review44c F2: a prune refused (no game chosen) advised `--force`, which also removes
    the files kept as maybe the only copy left, without a word of them."""
    a, b, card = _two_roots(tmp_path)
    _both_deployed(cli, a, b, card)
    shutil.move(a, tmp_path / "a.away")
    assert cli("library", "rm", a).code == 0
    refused = run_subprocess("deploy", "1", "--to", str(card), "nosuchgame", "--prune")
    assert refused.code != 0
    said = " ".join(refused.err.split())
    assert "add --force to prune anyway, which removes too the 1 file kept as maybe the " \
        "only copy left (with --keep-only-copies too, it keeps them)" in said, refused.err
    assert len(card_names(card)) == 3
    # past the brake, the only copy kept (qa200 F4: --force removed it too, no other way)
    only = [name for name in card_names(card) if "Tetris" in name]
    assert cli("deploy", "1", "--to", card, "nosuchgame", "--prune",
               "--keep-only-copies").code == 2  # (without --force: kept anyway, said)
    kept = run_subprocess("--json", "deploy", "1", "--to", str(card), "nosuchgame", "--prune",
                          "--force", "--keep-only-copies")
    assert kept.code == 0, kept.err
    assert card_names(card) == only
    said = " ".join(" ".join(json.loads(kept.out)["data"]["notes"]).split())
    assert "kept as --keep-only-copies asks" in said and "`--force` removes" not in said, said
    shown = run_subprocess("deploy", "show", str(json.loads(kept.out)["data"]["deployment_id"]))
    assert "--prune --force --keep-only-copies" in shown.out, shown.out



def test_library_rm_of_a_root_still_there_prunes_its_games_copies(
        cli: Any, tmp_path: Path) -> None:
    """review44c F3: a root removed by `library rm` while its files are there had every card
    copy of its games kept as "maybe the only copy left": their library files are where the
    copies were made from, so the prune removes them, as before, without --force."""
    a, b, card = _two_roots(tmp_path)
    _both_deployed(cli, a, b, card)
    tetris = next(n for n in card_names(card) if "Tetris" in n)
    assert cli("library", "rm", a).code == 0
    data = _deploy(card, "platform:gb", "--prune")
    assert tetris in data["pruned_paths"] and tetris not in data["prune_only_copy"], data
    assert not (card / tetris).exists() and (a / "gb" / "Tetris (World).gb").is_file()


def test_a_present_game_whose_library_file_changed_is_pruned_as_ever(
        cli: Any, tmp_path: Path) -> None:
    """review44c F1: a game no longer chosen but present in the library, its zip re-zipped
    (same ROM, another container) or its file rewritten, rescanned and `scan --verify`ed:
    no library file held the card copy's bytes, so the copy was kept as "maybe the only copy
    left" with a false reason (a game forgotten, a library folder removed). The game is in
    the library: its copy is pruned as before, without --force."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gb").mkdir(parents=True)
    card.mkdir()
    rom = bytes(range(256)) * 160
    with zipfile.ZipFile(lib / "gb" / "Zelda (USA).zip", "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("Zelda (USA).gb", rom)
    (lib / "gb" / "Tetris (World).gb").write_bytes(b"t" * 40_000)
    (lib / "gb" / "Kirby (USA).gb").write_bytes(b"k" * 40_000)
    muos_profile(cli, lib)
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    zelda, tetris = (next(n for n in card_names(card) if name in n)
                     for name in ("Zelda", "Tetris"))
    with zipfile.ZipFile(lib / "gb" / "Zelda (USA).zip", "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("Zelda (USA).gb", rom)  # (re-zipped: the same ROM, another zip)
    (lib / "gb" / "Tetris (World).gb").write_bytes(b"T" * 40_960)  # (rewritten)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("scan", "--workers", "1", "--verify").code == 0

    dry = _deploy(card, "kirby", "--prune", "--dry-run")
    assert sorted(dry["prune"]) == sorted([zelda, tetris]), dry
    assert dry["prune_only_copy"] == [], dry
    assert not any("only copy" in note for note in dry["notes"]), dry["notes"]
    data = _deploy(card, "kirby", "--prune")
    assert sorted(data["pruned_paths"]) == sorted([zelda, tetris]), data
    assert not (card / zelda).exists() and not (card / tetris).exists()


_CUE = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def test_a_forgotten_sets_dry_run_counts_every_file_it_keeps(cli: Any, tmp_path: Path) -> None:
    """review44c F6: a two-disc set forgotten (`games forget --missing`), its discs and their
    `.m3u` kept as maybe the only copy left: the dry run said "would do: 4 keep" beside the
    5 files `prune_only_copy` listed (the playlist kept with its discs not counted). And
    --json's `prune_only_copy_force` lists those `--force` removes — here every one, the
    playlist going with its discs — which `prune_only_copy` did not tell from another
    computer's only copies (kept whatever --force)."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "psx").mkdir(parents=True)
    (lib / "gb").mkdir(parents=True)
    card.mkdir()
    names = [f"Saga (USA) (Disc {disc})" for disc in (1, 2)]
    for disc, name in enumerate(names, 1):
        (lib / "psx" / f"{name}.bin").write_bytes(bytes([disc]) * (3000 + disc))
        (lib / "psx" / f"{name}.cue").write_text(_CUE.format(name))
    (lib / "gb" / "Kirby (USA).gb").write_bytes(b"k" * 40_000)
    muos_profile(cli, lib)
    assert cli("deploy", "1", "--to", card, "--auto").code == 0
    for path in (lib / "psx").iterdir():
        path.unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0

    dry = _deploy(card, "--auto", "--prune", "--dry-run")
    kept = dry["prune_only_copy"]
    assert len(kept) == 5 and sum(path.endswith(".m3u") for path in kept) == 1, dry
    assert dry["actions"].get("keep") == len(kept), dry
    assert dry["prune_only_copy_force"] == kept, dry
    text = run_subprocess("deploy", "1", "--to", str(card), "--auto", "--prune", "--dry-run")
    assert "5 keep" in text.out, text.out
    # (the brake's advice counts them as --force removes them, the playlist with its discs:
    # review45b F1, it said 4)
    refused = run_subprocess("deploy", "1", "--to", str(card), "nosuchgame", "--prune")
    assert refused.code != 0
    assert "which removes too the 5 files kept as maybe the only copy left" in " ".join(
        refused.err.split()), refused.err
    forced = _deploy(card, "--auto", "--prune", "--force")
    assert sorted(forced["pruned_paths"]) == kept, forced


def test_a_forgotten_zips_copy_whose_rom_the_library_holds_loose_is_pruned(
        cli: Any, tmp_path: Path) -> None:
    """A zip of ours copied whole, its game forgotten, whose ROM the library holds now as a
    loose file (the user unzipped it into another root): not the only copy left, pruned
    without --force."""
    a, b, card = _two_roots(tmp_path)
    (a / "gb" / "Tetris (World).gb").unlink()
    rom = b"T" * 40_000
    with zipfile.ZipFile(a / "gb" / "Tetris (World).zip", "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("Tetris (World).gb", rom)
    _both_deployed(cli, a, b, card)
    tetris = next(n for n in card_names(card) if "Tetris" in n)
    assert tetris.endswith(".zip")
    (b / "gb" / "Tetris (World).gb").write_bytes(rom)  # (unzipped into the other root)
    (a / "gb" / "Tetris (World).zip").unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0

    data = _deploy(card, "kirby", "--prune")
    assert tetris in data["pruned_paths"] and data["prune_only_copy"] == [], data
    assert not (card / tetris).exists()
