"""The words a suggested command names (paths, names) paste into a shell as they are: a
word holding a character a terminal cannot show is written in the shell's ``$'…'`` form."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from romrunner.words import shell_word

WORDS = ["plain", "two words", "it's a \\ backslash", "new\nline", "tab\there",
         "right-to-left \u202egb.nib", "bell\x07", "delete\x7f", "next line\x85",
         "latin-1 caf" + os.fsdecode(b"\xe9"), "'\n'"]


@pytest.mark.parametrize("word", WORDS)
def test_a_word_pasted_into_bash_is_the_word(word: str) -> None:
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    written = shell_word(word)
    assert written.isprintable(), written  # (what a terminal shows is what is pasted)
    for locale in ("C.UTF-8", "C"):  # (review48e F2: `\\U…` pasted wrong under C)
        said = subprocess.run(["bash", "-c", f"printf %s {written}"], capture_output=True,
                              check=True, env={**os.environ, "LC_ALL": locale}).stdout
        assert said == os.fsencode(word), locale


@pytest.mark.parametrize("word", ["ideographic\u3000space", "no-break\u00a0space",
                                  "family \U0001f468\u200d\U0001f469\u200d\U0001f467",
                                  "zwnj \u200c joined"])
def test_a_word_a_terminal_shows_stays_single_quoted(word: str) -> None:
    """review48e F2: every character `isprintable()` refuses switched a hint to the `$'…'`
    form, which dash does not read: only those a terminal cannot show do now."""
    assert shell_word(word) == shlex.quote(word)


def test_the_hint_of_a_root_named_with_a_newline_pastes(cli: Any, tmp_path: Path) -> None:
    """qa202 F3: `library add` of a folder whose name holds a newline suggested `romrunner
    scan '…\\n…'`: the newline shown as two characters inside single quotes, which named
    another path ("does not exist" when pasted)."""
    (tmp_path / "first" / "gb").mkdir(parents=True)  # (with two roots, the hint names one)
    assert cli("library", "add", str(tmp_path / "first")).code == 0
    root = tmp_path / "odd\nroot"
    (root / "gb").mkdir(parents=True)
    added = cli("library", "add", str(root))
    assert added.code == 0, added.err
    said = " ".join((added.out + added.err).split())
    hint = said.split("`romrunner scan ", 1)[1].split("`", 1)[0]
    assert hint.startswith("$'"), hint
    pasted = subprocess.run(["bash", "-c", f"printf %s {hint}"], capture_output=True,
                            check=True).stdout
    assert pasted == os.fsencode(root)
    assert shlex.quote(str(root)) not in said
