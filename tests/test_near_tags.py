"""A tag that is almost another tag of the site (neartags.py) is a warning at each
article using the rarer one, naming the existing tag."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator import check
from generator.cli import main
from generator.content import Article, Tag
from generator.neartags import near_tag_problems
from generator.urls import slugify
from tests.conftest import article

START = datetime(2024, 1, 1, tzinfo=ZoneInfo("Asia/Jakarta"))


def make(n: int, tags: list[str], day: int | None = None) -> Article:
    return Article(path=f"content/{n}.md", title=f"A{n}", has_time=True,
                   date=START + timedelta(days=n if day is None else day),
                   office="kpu-kabupaten-blora", slug=f"a{n}",
                   tags=tuple(Tag(" ".join(t.split()), slugify(t)) for t in tags), tags_line=5)


def warned(articles: list[Article]) -> list[tuple[str, str, str]]:
    """(path, the rare tag, the existing one) of each warning."""
    found = []
    for problem in near_tag_problems(articles):
        assert (problem.field, problem.line, problem.severity) == ("tags", 5, "warning")
        rare, existing = problem.message.split("`")[1], problem.message.split("`")[3]
        assert problem.message.endswith(f"did you mean `{existing}`?")
        found.append((problem.path, rare, existing))
    return sorted(found)


@pytest.mark.parametrize(("common", "rare"), [
    ("Pemilu 2024", "Pemiluu 2024"),   # one insertion
    ("Sosialisasi", "Sosialisai"),     # one deletion
    ("Sosialisasi", "Sosilaisasi"),    # a swap of neighbours
    ("Rekapitulasi", "Rekapitulsai"),  # a swap, in a long word
    ("Rekapitulasi", "Rekapitlasy"),   # two edits in a word of 8 letters or more
    ("Pemilu 2024", "pemilu2024"),     # the same but for spaces
    ("Pemilu 2024", "Pemilu-2024!"),   # the same slug: one tag, no warning (see below)
    ("Rapat Pleno", "Rapat-Pleno"),
    ("PPK", "P.P.K"),                  # a short tag: equal but for punctuation
    ("Bimbingan Teknis PPK", "Bimbingan Teknis PPK."),
    ("Bimbingan Teknis PPK", "Bimbingan Tekns PPK"),
])
def test_a_near_tag_is_named_at_each_article_using_it(common, rare):
    articles = [make(1, [common]), make(2, [common, "Lain"]), make(3, [rare]),
                make(4, ["Lain", rare])]
    if slugify(common) == slugify(rare):
        assert warned(articles) == []  # one tag already: model.py makes one page
        return
    assert warned(articles) == [("content/3.md", rare, common), ("content/4.md", rare, common)]


@pytest.mark.parametrize(("one", "other"), [
    ("PPK", "PPS"), ("KPU", "KPK"), ("DPT", "DPS"), ("TPS", "TPS 1"),
    ("Rekrutmen PPK", "Rekrutmen PPS"),  # a short word differs: another word, not a typo
    ("Pemilu 2019", "Pemilu 2024"), ("Dapil 1", "Dapil 2"), ("Pilkada 2020", "Pilkada 2024"),
    ("Pilkada", "Pilkades"),             # two edits in a word under 8 letters: too far
    ("Pileg", "Pilpres"), ("Sosialisasi", "Sosialisasi Pemilu"), ("Debat", "Rapat"),
])
def test_different_words_are_not_near(one, other):
    assert warned([make(1, [one]), make(2, [one]), make(3, [other])]) == []


def test_the_existing_tag_is_the_one_more_used_then_the_one_used_first():
    more = [make(1, ["Sosialisai"], day=1), make(2, ["Sosialisasi"], day=5),
            make(3, ["Sosialisasi"], day=6)]
    assert warned(more) == [("content/1.md", "Sosialisai", "Sosialisasi")]
    tie = [make(1, ["Sosialisasi"], day=9), make(2, ["Sosialisai"], day=2)]
    assert warned(tie) == [("content/1.md", "Sosialisasi", "Sosialisai")]
    # Both in one article: still two tag pages; the first by slug is the existing one.
    assert warned([make(1, ["Sosialisasi", "Sosialisai"])]) == \
        [("content/1.md", "Sosialisasi", "Sosialisai")]


def test_the_existing_tag_is_named_as_most_articles_spell_it():
    articles = [make(1, ["pemilu 2024"]), make(2, ["Pemilu 2024"]), make(3, ["Pemilu 2024"]),
                make(4, ["Pemiluu 2024"])]
    problems = near_tag_problems(articles)
    assert len(problems) == 1
    assert problems[0].message == (
        "tag `Pemiluu 2024` is almost the existing tag `Pemilu 2024` (used by 3 articles, "
        "first in content/1.md), and makes a tag page of its own; did you mean "
        "`Pemilu 2024`?")


def test_a_rare_tag_near_two_is_pointed_at_the_most_used():
    articles = [make(n, ["Sosialisasi"]) for n in range(1, 5)] + \
        [make(5, ["Sosialisas"]), make(6, ["Sosialisas"]), make(7, ["Sosialisa"])]
    assert warned(articles) == [
        ("content/5.md", "Sosialisas", "Sosialisasi"),
        ("content/6.md", "Sosialisas", "Sosialisasi"),
        ("content/7.md", "Sosialisa", "Sosialisasi"),
    ]


def test_thousands_of_tags_are_checked_quickly():
    words = ["pemilu", "pilkada", "sosialisasi", "rekapitulasi", "bimtek", "rapat", "pleno",
             "kabupaten", "kecamatan", "desa"]
    tags = [f"{words[n % 10]} {words[n // 10 % 10]} {n}" for n in range(5000)]
    articles = [make(n, [tag]) for n, tag in enumerate(tags)]
    articles.append(make(5000, ["Sosialisasi Pemilu 7"]))
    articles.append(make(5001, ["Sosialisasi Pemilu 7"]))
    articles.append(make(5002, ["Sosialisasy Pemilu 7"]))
    started = time.perf_counter()
    found = warned(articles)
    assert time.perf_counter() - started < 5
    assert ("content/5002.md", "Sosialisasy Pemilu 7", "Sosialisasi Pemilu 7") in found


def test_check_strict_fails_on_a_misspelt_tag(make_site):
    root = make_site({
        "content/a.md": article(title="Satu", tags="[Pemilu 2024, Sosialisasi]"),
        "content/b.md": article(title="Dua", tags="[Pemilu 2024, Sosialisasi]"),
        "content/c.md": article(title="Tiga", tags="[Pemiluu 2024, Sosialisai]"),
    })
    runner = CliRunner()
    relaxed = runner.invoke(main, ["check", "-s", str(root)])
    assert relaxed.exit_code == check.EXIT_CLEAN, relaxed.output
    strict = runner.invoke(main, ["check", "-s", str(root), "--strict"])
    assert strict.exit_code == check.EXIT_STRICT_WARNINGS, strict.output
    assert strict.output.count("content/c.md:5: tags: ") == 2
    assert "`Pemilu 2024`" in strict.output and "`Sosialisasi`" in strict.output
