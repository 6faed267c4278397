"""No script injection: hostile front matter and site.toml values come out as text.

tests/sites/hostile puts <script>, quotes and </script> into every field an operator
or administrator types: title, summary, tags, author, image, caption, source, office
names and address, site title and description."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import run_build

from generator.rawhtml import find_script

TITLE = "</script><script>alert('title')</script> \"Kutip\" & 'apos' <b onmouseover=alert(1)>"


@pytest.fixture
def published(copy_site) -> Path:
    root = copy_site("hostile")
    run_build(root)
    return root / "public"


def pages(public: Path) -> list[Path]:
    return sorted(public.rglob("*.html"))


def test_no_script_element_or_handler_is_injected_anywhere(published: Path) -> None:
    assert len(pages(published)) > 5
    for page in pages(published):
        html = page.read_text(encoding="utf-8")
        doc = BeautifulSoup(html, "html.parser")
        for script in doc.find_all("script"):
            # Only the theme's own scripts (by src) and JSON-LD data blocks.
            assert script.get("src") or script.get("type") == "application/ld+json", page
            if script.get("type") == "application/ld+json":
                json.loads(script.string)
        for tag in doc.find_all(True):
            assert not [a for a in tag.attrs if a.startswith("on")], (page, tag)
        # The same, seen by the parser the raw-HTML policy uses.
        assert all(what.startswith("a <script>") for what, _ in find_script(html))


def test_hostile_text_is_shown_as_text(published: Path) -> None:
    doc = BeautifulSoup((published / "berita/serangan/index.html").read_text("utf-8"),
                        "html.parser")
    assert doc.h1.get_text() == TITLE
    assert doc.title.get_text().startswith(TITLE)
    assert doc.find("meta", attrs={"name": "description"})["content"] == \
        "\"><script>alert('summary')</script>"
    tags = [a.get_text() for a in doc.select("ul.tags a")]
    assert "<script>alert('tag')</script>" in tags
    assert "KPU Kabupaten Y' onmouseover='alert(1)" in doc.select_one(".kicker").get_text()
    assert "<img src=x onerror=alert('author')>" in doc.select_one(".meta").get_text()
    caption = doc.select_one("figure.hero figcaption")
    assert caption.get_text() == "</figcaption><script>alert('caption')</script>"
    img = doc.select_one("figure.hero img")
    assert set(img.attrs) <= {"src", "alt", "loading", "decoding", "width", "height",
                              "fetchpriority"}
    assert "<script>alert('source')</script>" in doc.select_one(".source").get_text()
    assert "<script>alert('office')</script>" in doc.select_one("footer #kontak").get_text()


def test_share_links_are_percent_encoded(published: Path) -> None:
    doc = BeautifulSoup((published / "berita/serangan/index.html").read_text("utf-8"),
                        "html.parser")
    links = doc.select(".share a[href^='https://']:not(.share-copy)")
    assert len(links) >= 4
    for link in links:
        query = link["href"].split("?", 1)[1]
        assert not set(query) & set("<>\"' "), link["href"]


def test_xml_outputs_are_well_formed(published: Path) -> None:
    for file in sorted(published.rglob("*.xml")):
        ET.parse(file)  # a title with ]]> or </title> must not break the document
