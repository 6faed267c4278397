"""Responsive images: WebP + fallback at a few widths, never upscaled, cached, with
width/height, lazy loading below the fold and alt text."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from generator import images
from tests.conftest import article, run_build, soup


def photo(width: int, height: int, mode: str = "RGB", fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    colour = (200, 30, 30, 128) if mode == "RGBA" else (30, 90, 200)
    Image.new(mode, (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()


BODY = "Paragraf.\n\n![Logo kantor](logo.png)\n\n![](kecil.jpg \"Peserta rapat\")\n"


def site(make_site) -> Path:
    return make_site({
        "content/blora/a.md": article("Rapat", image="besar.jpg",
                                      image_caption="Suasana rapat", body=BODY),
        "content/blora/besar.jpg": photo(1600, 900),
        "content/blora/logo.png": photo(640, 640, "RGBA", "PNG"),
        "content/blora/kecil.jpg": photo(300, 200),
    })


def widths(srcset: str) -> list[int]:
    return [int(part.split()[1].rstrip("w")) for part in srcset.split(",")]


def test_hero_is_a_picture_with_webp_and_jpeg_at_three_widths(make_site) -> None:
    root = site(make_site)
    run_build(root)
    out = root / "public"
    page = soup(out / "berita" / "rapat" / "index.html")
    hero = page.select_one("figure.hero picture")
    webp, jpeg = hero.select("source")
    assert (webp["type"], jpeg["type"]) == ("image/webp", "image/jpeg")
    assert widths(webp["srcset"]) == widths(jpeg["srcset"]) == [480, 800, 1200]
    img = hero.img
    assert (img["width"], img["height"]) == ("1200", "675")
    assert img["alt"] == "Suasana rapat"
    assert img["fetchpriority"] == "high" and not img.has_attr("loading")
    for candidate in webp["srcset"].split(", "):
        href, width = candidate.split()
        with Image.open(out / href.removeprefix("/")) as made:
            assert made.format == "WEBP"
            assert made.width == int(width.rstrip("w"))


def test_body_images_are_lazy_keep_alpha_and_are_never_upscaled(make_site) -> None:
    root = site(make_site)
    run_build(root)
    out = root / "public"
    body = soup(out / "berita" / "rapat" / "index.html").select_one(".body")
    logo, small = body.select("picture")
    assert logo.select("source")[1]["type"] == "image/png"  # transparency survives
    assert widths(logo.source["srcset"]) == [480, 640]
    assert logo.img["alt"] == "Logo kantor"
    assert logo.img["loading"] == "lazy"
    assert widths(small.source["srcset"]) == [300]
    assert (small.img["width"], small.img["height"]) == ("300", "200")
    assert small.img["alt"] == "Peserta rapat"  # no Markdown alt: the caption
    assert small.find_parent("figure").figcaption.text == "Peserta rapat"
    with Image.open(out / "media" / "blora" / "logo-640.png") as made:
        assert made.mode == "RGBA"


def test_processed_images_are_cached_between_builds(make_site) -> None:
    root = site(make_site)
    content = root / "content"
    first = images.process(content, ["blora/besar.jpg", "blora/logo.png"], root)
    assert first.made == 10
    cache = root / images.CACHE_DIR
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    again = images.process(content, ["blora/besar.jpg", "blora/logo.png"], root)
    assert again.made == 0
    assert again.sets == first.sets
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps
    (content / "blora" / "besar.jpg").write_bytes(photo(1000, 500))
    changed = images.process(content, ["blora/besar.jpg"], root)
    assert changed.made == 6
    assert changed.sets["blora/besar.jpg"].width == 1000


def test_rebuilds_are_byte_identical(make_site) -> None:
    root = site(make_site)
    run_build(root)
    page = root / "public" / "berita" / "rapat" / "index.html"
    first = page.read_bytes()
    os.utime(page, (0, 0))
    result = run_build(root)
    assert page.read_bytes() == first
    assert result.files_changed == 0


def test_a_missing_image_is_a_warning_with_file_and_line(make_site) -> None:
    root = make_site({"content/a.md": article(body="Teks.\n\n![Foto](hilang.jpg)")})
    result = run_build(root)
    assert [(w.path, w.line, w.field) for w in result.warnings] == [
        ("content/a.md", 8, "image")]  # line 8 of the file
    assert "hilang.jpg" in result.warnings[0].message
