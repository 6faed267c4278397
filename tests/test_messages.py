"""Messages: every one berita can say has its Indonesian translation, with the same
values in it; English and Indonesian are chosen as an operator would expect."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from generator import messages
from generator.messages import msg, msg_n, say
from generator.problems import BuildFailed, Problem
from tests.conftest import REPO

KEYWORDS = {"msg": None, "msg_n": (1, 2)}
CATALOG = messages.LOCALE_DIR / "id" / "LC_MESSAGES" / "berita.po"


def spoken() -> dict[str, tuple[str, str]]:
    """Every message in berita's code: msgid -> (file:line, the plural or "")."""
    found = {}
    for file, line, text, _, _ in extract_from_dir(
            str(REPO / "generator"), method_map=[("**.py", "python")],
            keywords=KEYWORDS, comment_tags=()):
        singular, plural = (text, "") if isinstance(text, str) else text
        found[singular] = (f"generator/{file}:{line}", plural)
    return found


def names(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}


def test_berita_says_things() -> None:
    assert len(spoken()) > 50


def test_every_message_has_its_indonesian_translation() -> None:
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="id")
    missing, different = [], []
    for msgid, (where, plural) in sorted(spoken().items(), key=lambda item: item[1]):
        entry = catalog.get(msgid)
        strings = ([] if entry is None else
                   [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{where}: {msgid!r}")
            continue
        wanted = names(msgid) | names(plural)
        if any(names(text) != wanted for text in strings):
            different.append(f"{where}: {msgid!r} -> {strings!r}")
    assert not missing, "no Indonesian in generator/locale/id (pybabel update, then " \
                        "translate):\n" + "\n".join(missing)
    assert not different, "the translation names other values:\n" + "\n".join(different)


def test_a_message_reads_as_english_and_is_said_in_indonesian() -> None:
    text = msg("{count} warning", count=2)
    assert text == "2 warning" and isinstance(text, str)
    counted = msg_n("{count} error found", "{count} errors found", 3)
    assert counted == "3 errors found"
    assert msg_n("{count} error found", "{count} errors found", 1) == "1 error found"
    assert say("plain text", "id") == "plain text"
    assert pickle.loads(pickle.dumps(counted)).msgid == counted.msgid  # across processes


def test_a_problem_is_said_in_the_operators_language() -> None:
    problem = Problem("content/a.md", 3, "date", msg("cannot read {value} as a date",
                                                     value="kemarin"),
                      msg("a date like 2024-09-06"), "warning")
    indonesian = problem.describe("id")
    assert indonesian.startswith("peringatan: content/a.md:3: date: ")
    assert "kemarin" in indonesian and "yang diharapkan" in indonesian
    english = problem.describe("en")
    assert english == ("warning: content/a.md:3: date: cannot read kemarin as a date "
                       "(expected a date like 2024-09-06)")
    assert str(problem) == indonesian  # Indonesian unless asked otherwise
    failed = BuildFailed([problem, problem, Problem("content/b.md", None, None, "x")])
    assert "1 kesalahan" in failed.format_message()
    assert "1 error found" in failed.speak("en").format_message()


@pytest.mark.parametrize(("toml", "chosen", "language"), [
    ("", None, "id"), ('[site]\nlanguage = "en"\n', None, "en"),
    ('[site]\nlanguage = "en-GB"\n', None, "en"), ('[site]\nlanguage = "jv"\n', None, "id"),
    ('[site]\nlanguage = "id"\n', "en", "en"), ("not toml [", None, "id")])
def test_the_language_is_the_flags_then_the_sites(tmp_path: Path, toml: str,
                                                   chosen: str | None, language: str) -> None:
    (tmp_path / "site.toml").write_text(toml, encoding="utf-8")
    assert messages.site_language(tmp_path, chosen) == language


def test_the_catalog_is_kept_with_babels_tools() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"pybabel extract -F babel.cfg", readme)
    assert re.search(r"pybabel update", readme)
