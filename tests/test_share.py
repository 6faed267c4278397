"""Share previews in article heads: Open Graph, Twitter card, JSON-LD, canonical."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from generator.share import json_script
from tests.conftest import BASIC_TOML, article, run_build, soup

BASE = "https://uji.kpu.example/berita/"
RAKER = "berita/kpu-blora-gelar-raker-sosialisasi-pilkada-2024/"


def meta(page: BeautifulSoup, key: str) -> list[str]:
    """Values of <meta property=key> or <meta name=key>, in order."""
    found = page.find_all("meta", attrs={"property": key}) or \
        page.find_all("meta", attrs={"name": key})
    return [tag["content"] for tag in found]


def json_ld(page: BeautifulSoup) -> dict:
    scripts = page.head.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)



def test_article_has_a_complete_share_preview(basic_public: Path) -> None:
    page = soup(basic_public / RAKER / "index.html")
    url = BASE + RAKER
    # The largest JPEG variant the image pipeline published (the source is 640 px wide).
    image = BASE + "media/blora/foto-raker-640.jpg"
    assert page.find("link", rel="canonical")["href"] == url
    description = "Blora - Komisi Pemilihan Umum (KPU) Kabupaten Blora melaksanakan rapat kerja."
    assert meta(page, "description") == [description]
    assert meta(page, "og:title") == ["KPU Blora Gelar Raker Sosialisasi Pilkada 2024"]
    assert meta(page, "og:description") == [description]
    assert meta(page, "og:url") == [url]
    assert meta(page, "og:type") == ["article"]
    # No image: in front matter, so the body's first image is the preview.
    assert meta(page, "og:image") == [image]
    assert meta(page, "og:locale") == ["id_ID"]
    assert meta(page, "og:site_name") == ["Berita Uji"]
    assert meta(page, "article:published_time") == ["2024-09-06T10:00:00+07:00"]
    assert meta(page, "article:modified_time") == ["2024-09-06T10:00:00+07:00"]
    assert meta(page, "article:tag") == ["Pilkada 2024", "Sosialisasi", "PPK"]
    assert meta(page, "twitter:card") == ["summary_large_image"]
    assert meta(page, "twitter:image") == [image]

    data = json_ld(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "KPU Blora Gelar Raker Sosialisasi Pilkada 2024"
    assert data["datePublished"] == "2024-09-06T10:00:00+07:00"
    assert data["dateModified"] == "2024-09-06T10:00:00+07:00"
    assert data["author"] == [{"@type": "Person", "name": "Operator website"}]
    assert data["publisher"]["name"] == "KPU Kabupaten Blora"
    assert data["publisher"]["url"] == BASE + "kantor/kpu-kabupaten-blora/"
    assert data["image"] == [image]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


def test_every_article_of_the_sample_site_has_a_preview(tmp_path: Path) -> None:
    from tests.conftest import REPO

    run_build(REPO, tmp_path / "out")
    pages = sorted((tmp_path / "out/berita").glob("*/index.html"))
    assert len(pages) == 5
    for path in pages:
        page = soup(path)
        for key in ("og:title", "og:description", "og:url", "og:image", "og:type",
                    "og:locale", "og:site_name", "article:published_time",
                    "article:modified_time", "twitter:card"):
            assert meta(page, key) and all(meta(page, key)), (path, key)
        assert meta(page, "og:image")[0].startswith("https://berita.kpu.example/")
        data = json_ld(page)
        for key in ("headline", "datePublished", "dateModified", "author", "publisher",
                    "image", "mainEntityOfPage"):
            assert data[key], (path, key)


def test_default_image_and_updated(make_site) -> None:
    toml = BASIC_TOML.replace("per_page = 10", 'per_page = 10\ndefault_image = "berbagi.png"')
    root = make_site({
        "content/a.md": article("Tanpa Gambar", "2024-02-01 09:00", updated="2024-02-02 10:30"),
        "templates/static/berbagi.png": b"\x89PNG\r\n\x1a\n",
    }, toml=toml)
    run_build(root)
    page = soup(root / "public/berita/tanpa-gambar/index.html")
    default = "https://uji.kpu.example/static/berbagi.png"
    assert meta(page, "og:image") == [default]
    assert meta(page, "twitter:card") == ["summary_large_image"]
    assert meta(page, "article:modified_time") == ["2024-02-02T10:30:00+07:00"]
    data = json_ld(page)
    assert data["image"] == [default]
    assert data["dateModified"] == "2024-02-02T10:30:00+07:00"
    # No author: the office is the author.
    assert data["author"][0]["name"] == "KPU Kabupaten Blora"
    assert (root / "public/static/berbagi.png").is_file()


def test_no_image_at_all_gives_a_small_card(make_site) -> None:
    root = make_site({"content/a.md": article("Tanpa Gambar")})
    run_build(root)
    page = soup(root / "public/berita/tanpa-gambar/index.html")
    assert meta(page, "og:image") == []
    assert meta(page, "twitter:card") == ["summary"]
    assert "image" not in json_ld(page)


def test_title_with_script_end_and_quotes_cannot_break_the_head(make_site) -> None:
    title = """Pemilu "2024" </script><script>alert('x')</script> & <!-- 'kutip'"""
    yaml_title = "'" + title.replace("'", "''") + "'"
    root = make_site({"content/a.md": article(
        yaml_title, summary=yaml_title, author=yaml_title, tags='["</script>"]',
        image="https://cdn.example/a.jpg?x=1&y=\"2\"")})
    run_build(root)
    files = list((root / "public/berita").glob("*/index.html"))
    assert len(files) == 1
    html = files[0].read_text()
    page = BeautifulSoup(html, "html.parser")
    # Exactly the one JSON-LD script and the page's own share script: nothing injected.
    assert len(page.find_all("script")) == 2
    assert "alert(" not in "".join(s.get_text() for s in page.find_all("script")
                                   if s.get("type") != "application/ld+json")
    assert page.title.get_text() == f"{title} · Berita Uji"
    assert meta(page, "og:title") == [title]
    assert meta(page, "og:description") == [title]
    assert meta(page, "og:image") == ['https://cdn.example/a.jpg?x=1&y="2"']
    assert meta(page, "article:tag") == ["</script>"]
    data = json_ld(page)
    assert data["headline"] == title
    assert data["author"][0]["name"] == title
    assert data["keywords"] == ["</script>"]
    raw = page.find("script", type="application/ld+json").string
    assert "<" not in raw and ">" not in raw and "&" not in raw


def test_json_script_escapes_markup_characters() -> None:
    text = json_script({"a": "</script><!-- & \u2028"})
    assert str(text) == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}'
    assert json.loads(str(text)) == {"a": "</script><!-- & \u2028"}


def test_syndicated_article_points_canonical_at_the_original(make_site) -> None:
    source_url = "https://faktualjambi.com/2024/11/bimtek-tebo?utm=1&x=2"
    root = make_site({"content/a.md": article(
        "Bimtek Tebo", source="Faktualjambi.com", source_url=source_url)})
    run_build(root)
    page = soup(root / "public/berita/bimtek-tebo/index.html")
    own = "https://uji.kpu.example/berita/bimtek-tebo/"
    assert page.find("link", rel="canonical")["href"] == source_url
    assert meta(page, "og:url") == [own]
    assert json_ld(page)["isBasedOn"] == source_url
    assert json_ld(page)["mainEntityOfPage"]["@id"] == source_url
    source = page.find(class_="source")
    assert source.get_text(" ", strip=True) == "Sumber: Faktualjambi.com"
    assert source.find("a")["href"] == source_url
    # Share buttons share this site's page, not the original.
    assert page.find("a", class_="share-copy")["data-copy"] == own
    facebook = page.find("a", class_="share-facebook")["href"]
    assert facebook.endswith("u=https%3A%2F%2Fuji.kpu.example%2Fberita%2Fbimtek-tebo%2F")


def test_source_without_url_keeps_own_canonical(make_site) -> None:
    root = make_site({"content/a.md": article("Rilis", source="KPU RI")})
    run_build(root)
    page = soup(root / "public/berita/rilis/index.html")
    assert page.find("link", rel="canonical")["href"] == "https://uji.kpu.example/berita/rilis/"
    assert page.find(class_="source").get_text(" ", strip=True) == "Sumber: KPU RI"


def test_list_pages_have_canonical_and_website_preview(basic_public: Path) -> None:
    page = soup(basic_public / "tag/sosialisasi/halaman/2/index.html")
    assert page.find("link", rel="canonical")["href"] == BASE + "tag/sosialisasi/halaman/2/"
    assert meta(page, "og:type") == ["website"]
    assert meta(page, "og:url") == [BASE + "tag/sosialisasi/halaman/2/"]


def test_a_missing_default_share_image_is_a_warning(make_site) -> None:
    from tests.conftest import BASIC_TOML, article, run_build

    toml = BASIC_TOML.replace('per_page = 10', 'per_page = 10\ndefault_image = "tidak-ada.png"')
    root = make_site({"content/a.md": article()}, toml=toml)
    result = run_build(root)
    assert [(p.path, p.field) for p in result.warnings] == [("site.toml", "site.default_image")]
    (root / "templates/static").mkdir(parents=True)
    (root / "templates/static/tidak-ada.png").write_bytes(b"\x89PNG")
    assert run_build(root).warnings == []
