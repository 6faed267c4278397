"""sitemap.xml and robots.txt, read with an XML parser as a crawler would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from generator import crawlers
from tests.conftest import article, run_build, soup

NS = {"s": crawlers.SITEMAP_NS}
BASE = "https://uji.kpu.example/berita/"


def urlset(path: Path) -> dict[str, str | None]:
    """loc -> lastmod of one sitemap file."""
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{{{crawlers.SITEMAP_NS}}}urlset"
    found = {}
    for url in root.findall("s:url", NS):
        lastmod = url.find("s:lastmod", NS)
        found[url.findtext("s:loc", namespaces=NS)] = lastmod.text if lastmod is not None \
            else None
    return found


def html_routes(public: Path) -> set[str]:
    """Every HTML page the build wrote but the 404 page, as an absolute URL."""
    routes = set()
    for file in public.rglob("*.html"):
        relative = file.relative_to(public).as_posix()
        if relative != "404.html":
            routes.add(BASE + relative.removesuffix("index.html"))
    return routes



def test_sitemap_lists_every_page_but_404(basic_public: Path) -> None:
    entries = urlset(basic_public / "sitemap.xml")
    assert set(entries) == html_routes(basic_public)
    for expected in ("", "berita/kpu-blora-gelar-raker-sosialisasi-pilkada-2024/", "arsip/",
                     "arsip/2024/", "arsip/2024/09/", "tag/", "tag/sosialisasi/",
                     "tag/sosialisasi/halaman/2/", "kantor/", "kantor/kpu-kabupaten-blora/"):
        assert BASE + expected in entries
    assert BASE + "404.html" not in entries


def test_sitemap_lastmod(basic_public: Path) -> None:
    entries = urlset(basic_public / "sitemap.xml")
    assert entries[BASE + "berita/kpu-blora-gelar-raker-sosialisasi-pilkada-2024/"] == \
        "2024-09-06T10:00:00+07:00"
    assert entries[BASE + "berita/jadwal-sosialisasi-di-malili/"] == \
        "2024-01-15T08:00:00+08:00"
    # A list page: its newest article; an index page: the site's newest.
    assert entries[BASE + "arsip/2024/01/"] == "2024-01-15T08:00:00+08:00"
    assert entries[BASE + "tag/"] == "2024-09-10T08:30:00+07:00"
    assert entries[BASE] == "2024-09-10T08:30:00+07:00"


def test_lastmod_follows_updated(make_site) -> None:
    root = make_site({"content/a.md": article("Ralat Jadwal", "2024-02-01 09:00",
                                              updated="2024-02-03 14:15")})
    run_build(root)
    entries = urlset(root / "public/sitemap.xml")
    assert entries["https://uji.kpu.example/berita/ralat-jadwal/"] == \
        "2024-02-03T14:15:00+07:00"
    assert entries["https://uji.kpu.example/"] == "2024-02-03T14:15:00+07:00"


def test_robots_names_the_sitemap(basic_public: Path) -> None:
    lines = (basic_public / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines


def test_404_page_exists_and_is_not_indexed(basic_public: Path) -> None:
    page = soup(basic_public / "404.html")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("h1").get_text() == "Halaman tidak ditemukan"


def test_sitemap_splits_into_an_index_past_the_limit(copy_site, monkeypatch) -> None:
    root = copy_site("basic")
    run_build(root)
    every = set(urlset(root / "public/sitemap.xml"))
    monkeypatch.setattr(crawlers, "MAX_URLS", 10)
    run_build(root, cache=False)  # the inputs are unchanged: only the code is patched
    public = root / "public"
    index = ET.fromstring((public / "sitemap.xml").read_bytes())
    assert index.tag == f"{{{crawlers.SITEMAP_NS}}}sitemapindex"
    parts = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
    expected_parts = -(-len(every) // 10)
    assert expected_parts >= 2
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in range(1, expected_parts + 1)]
    seen: list[str] = []
    for part in parts:
        entries = urlset(public / part.removeprefix(BASE))
        assert len(entries) <= 10
        seen += entries
    assert sorted(seen) == sorted(every)
    for sitemap in index.findall("s:sitemap", NS):
        assert sitemap.findtext("s:lastmod", namespaces=NS)
    # Back under the limit: one sitemap again, and the parts are gone.
    monkeypatch.setattr(crawlers, "MAX_URLS", 50_000)
    run_build(root)
    assert set(urlset(public / "sitemap.xml")) == every
    assert not (public / "sitemap-1.xml").exists()


def test_sitemap_follows_a_base_url_override(copy_site) -> None:
    root = copy_site("basic")
    run_build(root, base_url="https://preview.example/pr-7/")
    entries = urlset(root / "public/sitemap.xml")
    assert entries
    assert all(loc.startswith("https://preview.example/pr-7/") for loc in entries)
    robots = (root / "public/robots.txt").read_text()
    assert "Sitemap: https://preview.example/pr-7/sitemap.xml" in robots
