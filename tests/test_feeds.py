"""Feeds as a feed reader sees them: parsed with feedparser."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup

from tests.conftest import BASIC_TOML, article, run_build

BASE = "https://uji.kpu.example/berita/"


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry_titles(parsed: feedparser.FeedParserDict) -> list[str]:
    return [entry.title for entry in parsed.entries]



def test_site_feeds_list_every_article_newest_first(basic_public: Path) -> None:
    expected = ["Bimtek PPK: Ayo Sukseskan Pilkada!",
                "KPU Blora Gelar Raker Sosialisasi Pilkada 2024",
                "Jadwal Sosialisasi di Malili", "KPU Luwu Timur Gelar Rapat Koordinasi"]
    rss = parse(basic_public / "feed.xml")
    atom = parse(basic_public / "atom.xml")
    assert rss.version == "rss20"
    assert atom.version == "atom10"
    assert entry_titles(rss) == expected
    assert entry_titles(atom) == expected
    assert rss.feed.link == BASE
    assert {link.href for link in atom.feed.links} == {BASE, BASE + "atom.xml"}


def test_feed_dates_carry_the_office_zone(basic_public: Path) -> None:
    rss = parse(basic_public / "feed.xml")
    atom = parse(basic_public / "atom.xml")
    by_title = {e.title: e for e in rss.entries}
    assert by_title["KPU Blora Gelar Raker Sosialisasi Pilkada 2024"].published == \
        "Fri, 06 Sep 2024 10:00:00 +0700"
    assert by_title["Jadwal Sosialisasi di Malili"].published == \
        "Mon, 15 Jan 2024 08:00:00 +0800"
    for entry in rss.entries:
        assert re.search(r" [+-]\d{4}$", entry.published), entry.published
        assert entry.published_parsed is not None
    atom_by_title = {e.title: e for e in atom.entries}
    assert atom_by_title["Jadwal Sosialisasi di Malili"].published == \
        "2024-01-15T08:00:00+08:00"
    assert atom_by_title["Jadwal Sosialisasi di Malili"].updated == "2024-01-15T08:00:00+08:00"
    assert atom.feed.updated == "2024-09-10T08:30:00+07:00"
    assert rss.feed.updated == "Tue, 10 Sep 2024 08:30:00 +0700"


def test_entries_have_ids_categories_summary_and_full_content(basic_public: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        parsed = parse(basic_public / name)
        raker = next(e for e in parsed.entries if e.title.startswith("KPU Blora Gelar Raker"))
        url = BASE + "berita/kpu-blora-gelar-raker-sosialisasi-pilkada-2024/"
        assert raker.id == url
        assert raker.link == url
        assert [t.label or t.term for t in raker.tags] == ["Pilkada 2024", "Sosialisasi", "PPK"]
        assert raker.summary.startswith("Blora - Komisi Pemilihan Umum")
        html = raker.content[0].value
        body = BeautifulSoup(html, "html.parser")
        assert "Ahmad Mustakim" in body.get_text()
        # Images inside the content point at the published file, absolutely.
        assert [img["src"] for img in body.find_all("img")] == [
            BASE + "media/blora/foto-raker-640.jpg"]
        assert raker.author == "Operator website"


def test_tag_and_office_feeds(basic_public: Path) -> None:
    tag = parse(basic_public / "tag/sosialisasi/feed.xml")
    assert entry_titles(tag) == ["KPU Blora Gelar Raker Sosialisasi Pilkada 2024",
                                 "Jadwal Sosialisasi di Malili",
                                 "KPU Luwu Timur Gelar Rapat Koordinasi"]
    assert tag.feed.link == BASE + "tag/sosialisasi/"
    pilkada = parse(basic_public / "tag/pilkada-2024/feed.xml")
    assert len(pilkada.entries) == 2
    office = parse(basic_public / "kantor/kpu-kabupaten-luwu-timur/feed.xml")
    assert entry_titles(office) == ["Jadwal Sosialisasi di Malili",
                                    "KPU Luwu Timur Gelar Rapat Koordinasi"]
    assert office.entries[0].author == "KPU Kabupaten Luwu Timur"
    empty = parse(basic_public / "kantor/kpu-provinsi-sulawesi-selatan/feed.xml")
    assert empty.entries == []


def test_every_feed_file_parses(basic_public: Path) -> None:
    feeds = [*sorted(basic_public.rglob("feed.xml")), basic_public / "atom.xml"]
    # site + 4 tags + 4 offices, and atom
    assert len(feeds) == 1 + 4 + 4 + 1
    for path in feeds:
        parse(path)


def test_pages_announce_their_feeds(basic_public: Path) -> None:
    def alternates(path: str) -> set[str]:
        page = BeautifulSoup((basic_public / path).read_text(), "html.parser")
        return {link["href"] for link in page.find_all("link", rel="alternate")}

    site_feeds = {BASE + "feed.xml", BASE + "atom.xml"}
    assert alternates("index.html") == site_feeds
    assert alternates("tag/sosialisasi/index.html") == site_feeds | {
        BASE + "tag/sosialisasi/feed.xml"}
    assert alternates("kantor/kpu-kabupaten-blora/index.html") == site_feeds | {
        BASE + "kantor/kpu-kabupaten-blora/feed.xml"}
    for href in alternates("tag/sosialisasi/index.html"):
        local = basic_public / href.removeprefix(BASE)
        assert local.is_file(), href


def test_feed_length_from_site_toml(make_site) -> None:
    files = {f"content/a{n}.md": article(f"Berita {n}", f"2024-03-{n:02d} 09:00", tags="[Umum]")
             for n in range(1, 8)}
    root = make_site(files, toml=BASIC_TOML.replace("per_page = 10", "per_page = 10\n"
                                                    "feed_length = 3"))
    run_build(root)
    public = root / "public"
    for name in ("feed.xml", "atom.xml", "tag/umum/feed.xml",
                 "kantor/kpu-kabupaten-blora/feed.xml"):
        assert entry_titles(parse(public / name)) == ["Berita 7", "Berita 6", "Berita 5"], name


def test_feed_length_defaults_to_20(make_site) -> None:
    files = {f"content/a{n}.md": article(f"Berita {n}", f"2024-03-{n:02d} 09:00")
             for n in range(1, 26)}
    root = make_site(files)
    run_build(root)
    assert len(parse(root / "public/feed.xml").entries) == 20
    assert len(parse(root / "public/atom.xml").entries) == 20


def test_odd_characters_cannot_break_a_feed(make_site) -> None:
    # A YAML escape (a quote); a control character XML 1.0 cannot hold, in the body (in
    # the front matter it is an error: test_bad_input).
    title = r'"\"Kutip\" & <b>tebal</b> ]]> </script>"'
    body = "Teks & <em>miring</em> ]]> dengan \x0b karakter aneh. [tautan](../lain/)"
    root = make_site({"content/a.md": article(title, body=body, tags='["A & B", "<C>"]')})
    run_build(root)
    for name in ("feed.xml", "atom.xml", "tag/a-b/feed.xml"):
        parsed = parse(root / "public" / name)
        entry = parsed.entries[0]
        assert entry.title == "\"Kutip\" & <b>tebal</b> ]]> </script>"
        assert {t.label or t.term for t in entry.tags} == {"A & B", "<C>"}
        link = BeautifulSoup(entry.content[0].value, "html.parser").find("a")
        # Relative to the article page /berita/<slug>/, made absolute.
        assert link["href"] == "https://uji.kpu.example/berita/lain/"
        ET.fromstring((root / "public" / name).read_bytes())


def test_syndicated_story_is_listed_once_in_site_feeds(make_site) -> None:
    url = "https://www.kpu.go.id/berita/rilis-1"
    root = make_site({
        "content/blora.md": article("Rilis KPU RI", "2024-05-02 09:00",
                                    source="KPU RI", source_url=url, tags="[Rilis]"),
        "content/luwu.md": article("Rilis KPU RI (Luwu)", "2024-05-01 09:00",
                                   office="kpu-kabupaten-luwu-timur", source="KPU RI",
                                   source_url=url + "/", tags="[Rilis]"),
    })
    run_build(root)
    public = root / "public"
    assert entry_titles(parse(public / "feed.xml")) == ["Rilis KPU RI (Luwu)"]
    assert entry_titles(parse(public / "tag/rilis/feed.xml")) == ["Rilis KPU RI (Luwu)"]
    # Each office still carries its own copy.
    assert entry_titles(parse(public / "kantor/kpu-kabupaten-blora/feed.xml")) == [
        "Rilis KPU RI"]
    atom = parse(public / "atom.xml")
    assert [link.href for link in atom.entries[0].links if link.rel == "via"] == [url + "/"]


def test_sample_site_feeds(tmp_path: Path) -> None:
    from tests.conftest import REPO

    run_build(REPO, tmp_path / "out")
    rss = parse(tmp_path / "out/feed.xml")
    assert len(rss.entries) == 5
    for path in (tmp_path / "out").rglob("*.xml"):
        if "sitemap" not in path.name:
            parse(path)
