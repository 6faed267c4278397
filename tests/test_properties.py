"""Property tests (hypothesis): slugify, and the content loader on arbitrary input."""

from __future__ import annotations

import html
import string
import tomllib

import yaml
from conftest import BASIC_TOML, REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import config as config_stage
from generator.content import Article, parse
from generator.problems import Problem
from generator.urls import is_clean_slug, slugify

CONFIG, _ = config_stage.parse(tomllib.loads(BASIC_TOML), REPO, BASIC_TOML)
PATH = "content/x.md"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_slugify_is_clean_and_idempotent(text: str) -> None:
    slug = slugify(text)
    if slug:
        assert is_clean_slug(slug)
        assert slugify(slug) == slug
    else:
        # Only text with no letter or digit (after transliteration, and once HTML
        # entities such as "&amp;" are read as the characters they stand for) has no
        # slug; callers turn that into an error naming the field.
        assert not any(c.isascii() and c.isalnum() for c in html.unescape(text))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=30))
def test_slugify_never_empty_for_letters_and_digits(text: str) -> None:
    assert slugify(text)


def _check(result: tuple[Article | None, list[Problem]], lines: int) -> None:
    article, problems = result
    assert article is not None or problems
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path == PATH
        assert problem.line is not None and 1 <= problem.line <= lines + 1, problem
        assert str(problem).startswith((f"{PATH}:", f"peringatan: {PATH}:"))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_parse_arbitrary_bytes_returns_problems_never_raises(data: bytes) -> None:
    _check(parse(data, PATH, CONFIG), data.count(b"\n") + 1)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=200))
def test_parse_arbitrary_bytes_inside_front_matter(data: bytes) -> None:
    text = b"---\n" + data + b"\n---\nIsi.\n"
    _check(parse(text, PATH, CONFIG), text.count(b"\n") + 1)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                     st.text(max_size=20), st.dates(), st.datetimes())
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) |
                       st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_keys = st.sampled_from(["title", "date", "office", "views", "tags", "slug", "summary",
                         "image", "updated", "draft", "aliases", "source_url", "lain"])


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=8))
def test_parse_arbitrary_yaml_front_matter(meta: dict) -> None:
    front = yaml.safe_dump(meta, allow_unicode=True) if meta else ""
    text = ("---\n" + front + "---\nIsi berita.\n").encode("utf-8")
    _check(parse(text, PATH, CONFIG), text.count(b"\n") + 1)
