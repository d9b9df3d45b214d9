"""A disc sheet or playlist naming a file the scan would not read never makes the deploy read
it (QA15 F7): a file outside the library root (absolute, or through `..`) is not copied onto
the card, a track that is a link (to `/dev/zero`) or a pipe neither fills the card nor hangs
the deploy. The game is left out, said in one line naming the sheet and the track."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from romrunner.deploy.execute import _FileFailed, _Item, _open_source
from tests.conftest import run_subprocess

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
SECRET = b"my private key\n"


def _library(tmp_path: Path) -> tuple[Path, Path]:
    """A library root with a good disc and the hostile sheets; a secret file beside the root."""
    secret = tmp_path / "secret" / "id_rsa"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    (psx / "Good (USA).bin").write_bytes(b"good" * 4000)
    (psx / "Good (USA).cue").write_text(CUE.format("Good (USA).bin"))
    (psx / "Grab (USA).cue").write_text(CUE.format(secret))
    (psx / "Climb (USA).cue").write_text(CUE.format("../../secret/id_rsa"))
    (psx / "Zero (USA).bin").symlink_to("/dev/zero")
    (psx / "Zero Game (USA).cue").write_text(CUE.format("Zero (USA).bin"))
    os.mkfifo(psx / "Pipe (USA).bin")
    (psx / "Pipe Game (USA).cue").write_text(CUE.format("Pipe (USA).bin"))
    (psx / "Away (USA).m3u").write_text(f"../../secret/id_rsa\n{secret}\n")
    return tmp_path / "lib", secret


def _rr(db: Path, *args: str) -> tuple[int, str, str]:
    done = run_subprocess("--db", str(db), *args)
    return done.code, done.out, done.err


def test_a_sheet_naming_a_file_the_scan_refused_is_not_deployed(tmp_path: Path) -> None:
    root, secret = _library(tmp_path)
    db, card = tmp_path / "rr.db", tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        code, _, err = _rr(db, *args)
        assert code in (0, 1), (args, err)  # (the scan names the refused tracks: exit 0)
    code, out, err = _rr(db, "deploy", "1", "--to", str(card), "platform:psx")
    assert "5 chosen games were left out" in out
    # (a hang on the pipe or a card filled from /dev/zero would time this out or fail it)
    assert code == 1, err
    on_card = [p for p in card.rglob("*") if p.is_file() and ".romrunner" not in p.parts]
    assert not [p for p in on_card if p.read_bytes() == SECRET]
    assert {p.name for p in on_card} == {"Good (USA).cue", "Good (USA).bin"}
    for sheet, track in (("Grab (USA).cue", str(secret)),
                         ("Climb (USA).cue", "../../secret/id_rsa")):
        assert f"{sheet}: track {track!r} is outside the library root; the game is not " \
               "deployed" in err
    for sheet, track, why in (("Zero Game (USA).cue", "Zero (USA).bin", "a symbolic link"),
                              ("Pipe Game (USA).cue", "Pipe (USA).bin", "not a regular file")):
        # (QA50 F8: said here, not left to `games show`, which did not say it)
        assert f"{sheet}: track {track!r} was not read by the scan: it is {why}" in err
    assert "Away (USA).m3u: track '../../secret/id_rsa' is outside the library root" in err
    assert not list(card.rglob(".rr-tmp-*"))
    assert all(line.startswith(f"warning: {root}/psx/") for line in err.splitlines()
               if "the game is not deployed" in line)  # named once, by its sheet


def test_a_source_that_became_a_pipe_or_a_link_is_refused_without_waiting(
        tmp_path: Path) -> None:
    pipe, link = tmp_path / "pipe.bin", tmp_path / "link.bin"
    os.mkfifo(pipe)
    link.symlink_to("/dev/zero")

    def item(source: Path) -> _Item:
        return _Item(1, "rom", "copy", "psx", str(source), None, None, "psx/x.bin", 0, None,
                     None, "pending")

    with pytest.raises(_FileFailed, match="is not a regular file"):
        _open_source(item(pipe))  # (opened blocking, this would wait for a writer for ever)
    with pytest.raises(_FileFailed, match="is a symbolic link now; not followed"):
        _open_source(item(link))


def test_a_track_missing_since_the_scan_is_said_missing(tmp_path: Path) -> None:
    from romrunner.deploy.plan import _why_unread
    assert _why_unread(str(tmp_path / "gone.bin")).startswith("it is missing")
    (tmp_path / "back.bin").write_bytes(b"x")
    assert _why_unread(str(tmp_path / "back.bin")) == "it is there now (rescan)"
