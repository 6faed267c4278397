"""Site-wide lists: archives, most read, related, syndication, office regions.

Built on a scratch site and read back from the pages, plus direct checks of
model.related_articles against a brute-force ranking and its cost bound.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from generator import model
from generator.content import Article, Tag
from tests.conftest import article, run_build, soup

SOURCE = "https://www.kpu.go.id/berita/rilis-bersama"
FILES = {
    "content/satu.md": article("Satu", "2024-01-10 09:00", views="5", tags="[A, B, C]"),
    "content/dua.md": article("Dua", "2024-02-10 09:00", views="50", tags="[A, B]"),
    "content/tiga.md": article("Tiga", "2024-02-20 09:00 WITA", views="500", tags="[A]",
                               office="kpu-kabupaten-luwu-timur"),
    "content/empat.md": article("Empat", "2024-03-05 09:00", tags="[C]"),
    # 23.30 WITA on New Year's Eve: still December where the office is.
    "content/lima.md": article("Lima", "2023-12-31 23:30", office="kpu-kabupaten-luwu-timur"),
    "content/enam.md": article("Enam", "2024-02-15 09:00 WITA", views="20", tags="[D]",
                               office="kpu-kabupaten-luwu-timur"),
    # One story posted by two offices: listed once site-wide (the first posting).
    "content/rilis-blora.md": article("Rilis Blora", "2024-03-01 09:00", views="1000",
                                      tags="[A, B, C]", source="KPU RI", source_url=SOURCE),
    "content/rilis-luwu.md": article("Rilis Luwu", "2024-02-28 09:00 WITA", views="3",
                                     tags="[A, B, C]", source="KPU RI",
                                     source_url=SOURCE.replace("https://www.", "http://WWW.")
                                     + "/?utm_source=wa", office="kpu-kabupaten-luwu-timur"),
}


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    from tests.conftest import BASIC_TOML

    root = tmp_path_factory.mktemp("site")
    (root / "site.toml").write_text(BASIC_TOML, encoding="utf-8")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    run_build(root)
    return root / "public"


def card_titles(page: BeautifulSoup) -> list[str]:
    return [h.get_text(strip=True) for h in page.select(".cards .card-title")]


def section_titles(page: BeautifulSoup, css: str) -> list[str]:
    section = page.select_one(css)
    return [] if section is None else [a.get_text(strip=True) for a in section.select("li > a")]


def test_home_lists_a_syndicated_story_once(public: Path) -> None:
    assert card_titles(soup(public / "index.html")) == [
        "Empat", "Rilis Luwu", "Tiga", "Enam", "Dua", "Satu", "Lima"]


def test_archive_index(public: Path) -> None:
    page = soup(public / "arsip/index.html")
    links = [(a.get_text(strip=True), a["href"]) for a in page.select(".archive-year a")]
    assert links == [
        ("2024", "/arsip/2024/"), ("Maret 2024", "/arsip/2024/03/"),
        ("Februari 2024", "/arsip/2024/02/"), ("Januari 2024", "/arsip/2024/01/"),
        ("2023", "/arsip/2023/"), ("Desember 2023", "/arsip/2023/12/"),
    ]


def test_archive_pages_hold_exactly_their_articles(public: Path) -> None:
    assert card_titles(soup(public / "arsip/2024/index.html")) == [
        "Empat", "Rilis Luwu", "Tiga", "Enam", "Dua", "Satu"]
    assert card_titles(soup(public / "arsip/2024/02/index.html")) == [
        "Rilis Luwu", "Tiga", "Enam", "Dua"]
    assert card_titles(soup(public / "arsip/2024/03/index.html")) == ["Empat"]
    assert card_titles(soup(public / "arsip/2024/01/index.html")) == ["Satu"]
    assert card_titles(soup(public / "arsip/2023/12/index.html")) == ["Lima"]
    assert soup(public / "arsip/2024/02/index.html").h1.get_text() == "Arsip Februari 2024"
    year = soup(public / "arsip/2024/index.html")
    assert [a.get_text() for a in year.select(".archive-nav li a")] == [
        "Maret", "Februari", "Januari"]
    assert not (public / "arsip/2024/04").exists()


def test_article_date_links_to_its_month(public: Path) -> None:
    page = soup(public / "berita/lima/index.html")
    assert page.select_one(".meta time").parent["href"] == "/arsip/2023/12/"
    page = soup(public / "berita/tiga/index.html")
    assert page.select_one(".meta time").parent["href"] == "/arsip/2024/02/"


def test_most_read(public: Path) -> None:
    page = soup(public / "berita/lima/index.html")
    assert page.select_one(".popular h2").get_text() == "Terpopuler"
    # Rilis Blora (1000 views) is a repost of Rilis Luwu: the story is listed once.
    assert section_titles(page, ".popular") == ["Tiga", "Dua", "Enam", "Satu", "Rilis Luwu"]


def test_related_most_shared_tags_then_newest(public: Path) -> None:
    page = soup(public / "berita/satu/index.html")
    assert page.select_one(".related h2").get_text() == "Berita Terkait"
    assert section_titles(page, ".related") == ["Rilis Luwu", "Dua", "Empat", "Tiga"]
    assert section_titles(soup(public / "berita/empat/index.html"), ".related") == [
        "Rilis Luwu", "Satu"]
    assert section_titles(soup(public / "berita/enam/index.html"), ".related") == []
    assert soup(public / "berita/enam/index.html").select_one(".related") is None


def test_reposts_are_never_related_to_each_other(public: Path) -> None:
    assert section_titles(soup(public / "berita/rilis-blora/index.html"), ".related") == [
        "Satu", "Dua", "Empat", "Tiga"]
    assert section_titles(soup(public / "berita/rilis-luwu/index.html"), ".related") == [
        "Satu", "Dua", "Empat", "Tiga"]


def test_tag_and_office_lists(public: Path) -> None:
    assert card_titles(soup(public / "tag/a/index.html")) == ["Rilis Luwu", "Tiga", "Dua",
                                                              "Satu"]
    # An office lists all its own posts, reposts included.
    assert card_titles(soup(public / "kantor/kpu-kabupaten-blora/index.html")) == [
        "Empat", "Rilis Blora", "Dua", "Satu"]


def test_province_page_offers_its_region(public: Path) -> None:
    page = soup(public / "kantor/kpu-provinsi-jawa-tengah/index.html")
    region = page.select_one(".sub-offices")
    assert [a.get_text() for a in region.select("ul")[0].select("a")] == ["KPU Kabupaten Blora"]
    assert [a.get_text() for a in region.select("ul")[1].select("li > a")] == [
        "Empat", "Rilis Blora", "Dua", "Satu"]
    assert soup(public / "kantor/kpu-kabupaten-blora/index.html").select_one(
        ".sub-offices") is None


# --- related_articles directly ---------------------------------------------------------

ZONE = ZoneInfo("Asia/Jakarta")
START = datetime(2020, 1, 1, 9, 0, tzinfo=ZONE)


def make(n: int, tags: list[str], source_url: str = "") -> Article:
    return Article(path=f"content/{n:05d}.md", title=f"Berita {n}",
                   date=START + timedelta(hours=n), has_time=True, office="o",
                   slug=f"b{n}", tags=tuple(Tag(t, t) for t in tags), source_url=source_url)


def brute_force(articles: list[Article], count: int) -> dict[str, tuple[Article, ...]]:
    pool = model.unique_stories(articles)
    result = {}
    for a in articles:
        mine = {t.slug for t in a.tags}
        scored = [(len(mine & {t.slug for t in o.tags}), i, o) for i, o in enumerate(pool)
                  if o.path != a.path and not (a.source_url and
                                               model.story_key(o) == model.story_key(a))]
        scored = [s for s in scored if s[0] > 0]
        scored.sort(key=lambda s: (-s[0], s[1]))
        result[a.path] = tuple(o for _, _, o in scored[:count])
    return result


def test_related_matches_brute_force_on_small_tags() -> None:
    rng = random.Random(7)
    names = [f"t{i}" for i in range(30)]
    articles = [make(n, rng.sample(names, rng.randint(0, 4)),
                     f"https://x.example/{n % 7}" if n % 5 == 0 else "")
                for n in range(300)]
    ordered = model.newest_first(articles)
    # Every tag here has fewer members than the window: the ranking must be exact.
    assert max(sum(1 for a in articles if any(t.slug == n for t in a.tags))
               for n in names) <= 60
    assert model.related_articles(ordered, window=60) == brute_force(ordered, 5)


def test_related_stays_linear_on_a_tag_every_article_has(monkeypatch) -> None:
    # 10,000 articles all tagged "umum", in groups of 20 sharing a rarer tag.
    articles = model.newest_first(make(n, ["umum", f"g{n // 20}"]) for n in range(10_000))
    looked_at = 0
    real_nearby = model.nearby

    def counting(*args):
        nonlocal looked_at
        found = real_nearby(*args)
        looked_at += len(found)
        return found

    monkeypatch.setattr(model, "nearby", counting)
    related = model.related_articles(articles)
    # At most `window` candidates per tag per article: 10^4 x 2 x 40, never 10^8.
    assert looked_at <= len(articles) * 2 * model.RELATED_WINDOW
    # Exact where it matters: the group mates (two shared tags), newest first.
    newest = articles[0]
    group = newest.tags[1].slug
    mates = [a for a in articles if a.tags[1].slug == group and a is not newest]
    assert related[newest.path] == tuple(mates[:5])
    oldest = articles[-1]
    mates = [a for a in articles if a.tags[1].slug == oldest.tags[1].slug and a is not oldest]
    assert related[oldest.path] == tuple(mates[:5])


def test_single_shared_tag_candidates_are_the_newest() -> None:
    # A crowded tag: an old article's related are still the newest sharers.
    articles = model.newest_first(make(n, ["umum"]) for n in range(500))
    related = model.related_articles(articles)
    assert related[articles[-1].path] == tuple(articles[:5])
    assert related[articles[0].path] == tuple(articles[1:6])


def test_unique_stories_keeps_the_first_posting() -> None:
    first = make(1, [], "https://kpu.go.id/a")
    later = make(2, [], "HTTPS://KPU.GO.ID/a/#top")
    other = make(3, [], "https://kpu.go.id/a?id=2")
    plain = make(4, [])
    ordered = model.newest_first([first, later, other, plain])
    assert model.unique_stories(ordered) == [plain, other, first]
