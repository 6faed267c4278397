"""Local images -> WebP plus a JPEG/PNG fallback at a few widths, cached between builds,
and the responsive <picture> markup that shows them.

A processed file's cache key is the source's content hash, the width, the format and
GENERATOR_VERSION, so an unchanged source costs one hash and no Pillow work; bump the
version whenever the encoding settings below change.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from PIL import Image, ImageOps, UnidentifiedImageError

from generator.content import Article, with_html
from generator.messages import msg
from generator.problems import Problem
from generator.urls import Links, media_route

WIDTHS = (480, 800, 1200)
"""Widths made of every image; never wider than the source."""
GENERATOR_VERSION = 1
CACHE_DIR = ".berita-cache/images"
WEBP_QUALITY = 72
JPEG_QUALITY = 78
BODY_SIZES = "(min-width: 72rem) 44rem, (min-width: 48rem) 62vw, calc(100vw - 2rem)"
"""How wide an image shows in the article column, for the browser to pick a width."""
RASTER_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


@dataclass(frozen=True)
class Variant:
    """One processed file of an image."""

    route: str
    """Where it is published, e.g. "media/blora/foto-800.webp"."""
    width: int
    height: int
    format: str
    """"webp", "jpeg" or "png"."""
    cached: str
    """File name inside the cache folder."""


@dataclass(frozen=True)
class ImageSet:
    """Every width and format made of one source image."""

    source: str
    """Content-relative path, e.g. "blora/foto.jpg"."""
    width: int
    """Width of the largest variant (what width= says in the markup)."""
    height: int
    variants: tuple[Variant, ...]

    @property
    def fallback_format(self) -> str:
        return next(v.format for v in self.variants if v.format != "webp")

    def of(self, fmt: str) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.format == fmt)


@dataclass(frozen=True)
class Processed:
    """What `process` returns: the image sets and the files to publish."""

    sets: dict[str, ImageSet]
    """Content-relative source path -> its set."""
    files: tuple[tuple[str, Path], ...]
    """(route, file in the cache) for every variant."""
    made: int
    """How many files Pillow had to write (0 when the cache had everything)."""
    problems: tuple[Problem, ...]


def is_processable(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in RASTER_SUFFIXES


def widths_for(source_width: int) -> tuple[int, ...]:
    """The widths to make: the standard ones narrower than the source, plus the source
    width itself when it is below the largest (never upscaled)."""
    chosen = [w for w in WIDTHS if w < source_width]
    if source_width <= WIDTHS[-1]:
        chosen.append(source_width)
    return tuple(chosen) or (source_width,)


def process(content_root: Path, sources: Iterable[str], cache_root: Path,
            scratch: Path | None = None) -> Processed:
    """Makes (or finds in the cache) every variant of every source image. With `scratch`
    the cache is only read, and what it lacks is made in `scratch` (berita check writes
    nothing into the site)."""
    cache = cache_root / CACHE_DIR
    if scratch is None:
        cache.mkdir(parents=True, exist_ok=True)
    sets: dict[str, ImageSet] = {}
    files: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    made = 0
    for source in sorted(set(sources)):
        if not is_processable(source):
            continue
        # A mapping names the real file (symlinks already checked to stay in content/).
        file = sources[source] if isinstance(sources, Mapping) else content_root / source
        try:
            image_set, count, folder = _process_one(source, file, cache, scratch)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
            problems.append(Problem("content/" + source, None, "image",
                                    msg("cannot read image: {error}", error=str(exc)),
                                    msg("a JPEG, PNG, WebP or GIF file"), "warning"))
            continue
        made += count
        sets[source] = image_set
        files += [(v.route, folder / v.cached) for v in image_set.variants]
    return Processed(sets, tuple(files), made, tuple(problems))


def _process_one(source: str, file: Path, cache: Path, scratch: Path | None
                 ) -> tuple[ImageSet, int, Path]:
    """The image's set, how many variants were made, and the folder that holds them."""
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:20]
    manifest = cache / f"{digest}-v{GENERATOR_VERSION}.json"
    if manifest.is_file():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        image_set = _image_set(source, digest, info["width"], info["height"], info["alpha"])
        if all((cache / v.cached).is_file() for v in image_set.variants):
            return image_set, 0, cache
    if scratch is not None:
        cache = scratch
        manifest = cache / manifest.name
    with Image.open(file) as opened:
        image = ImageOps.exif_transpose(opened)
        alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info)
        image = image.convert("RGBA" if alpha else "RGB")
    image_set = _image_set(source, digest, image.width, image.height, alpha)
    count = 0
    for variant in image_set.variants:
        target = cache / variant.cached
        if target.is_file():
            continue
        resized = image if variant.width == image.width else image.resize(
            (variant.width, variant.height), Image.Resampling.LANCZOS)
        temporary = target.with_suffix(target.suffix + ".tmp")
        if variant.format == "webp":
            resized.save(temporary, "WEBP", quality=WEBP_QUALITY, method=4)
        elif variant.format == "png":
            resized.save(temporary, "PNG", optimize=True)
        else:
            resized.save(temporary, "JPEG", quality=JPEG_QUALITY, optimize=True,
                         progressive=True)
        temporary.replace(target)
        count += 1
    manifest.write_text(json.dumps({"width": image.width, "height": image.height,
                                    "alpha": alpha}), encoding="utf-8")
    return image_set, count, cache


def _image_set(source: str, digest: str, width: int, height: int, alpha: bool) -> ImageSet:
    stem = posixpath.splitext(source)[0]
    fallback = "png" if alpha else "jpeg"
    variants = []
    for fmt in ("webp", fallback):
        suffix = {"webp": "webp", "png": "png", "jpeg": "jpg"}[fmt]
        for w in widths_for(width):
            h = max(1, round(height * w / width))
            variants.append(Variant(media_route(f"{stem}-{w}.{suffix}"), w, h, fmt,
                                    f"{digest}-{w}-v{GENERATOR_VERSION}.{suffix}"))
    largest = max(v.width for v in variants)
    return ImageSet(source, largest, max(1, round(height * largest / width)), tuple(variants))


def picture(image_set: ImageSet, alt: str, links: Links, *, eager: bool = False,
            sizes: str = BODY_SIZES, extra: str = "") -> str:
    """<picture> with a WebP and a fallback srcset; lazy unless `eager` (the hero)."""

    def srcset(fmt: str) -> str:
        return ", ".join(f"{links.href(v.route)} {v.width}w" for v in image_set.of(fmt))

    fallback = image_set.of(image_set.fallback_format)
    mime = {"jpeg": "image/jpeg", "png": "image/png"}[image_set.fallback_format]
    loading = 'fetchpriority="high" decoding="async"' if eager else \
        'loading="lazy" decoding="async"'
    return (f'<picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{sizes}">'
            f'<source type="{mime}" srcset="{srcset(image_set.fallback_format)}" '
            f'sizes="{sizes}">'
            f'<img src="{links.href(fallback[-1].route)}" alt="{html.escape(alt)}" '
            f'width="{image_set.width}" height="{image_set.height}" {loading}{extra}>'
            f"</picture>")


_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


def rewrite(body: str, sets: Mapping[str, ImageSet], links: Links,
            by_href: Mapping[str, ImageSet] | None = None) -> str:
    """Replaces each <img> of the article body whose src is a processed local image
    with its <picture>; other images are left as they are. (`by_href`: the sets by
    their address, when already made.)"""
    if by_href is None:
        by_href = _by_href(sets, links)

    def replace(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        image_set = by_href.get(html.unescape(attrs.get("src", "")))
        if image_set is None:
            return match.group(0)
        title = attrs.get("title")
        alt = html.unescape(attrs.get("alt", "") or title or "")
        extra = f' title="{title}"' if title else ""
        return picture(image_set, alt, links, extra=extra)

    return _IMG.sub(replace, body)


def picture_function(sets: Mapping[str, ImageSet], links: Links
                     ) -> Callable[..., Markup]:
    """The `picture(path, alt, hero=False)` template global: a <picture> for a processed
    local image, a plain <img> for anything else (an URL, an image that failed)."""

    def make(path: str, alt: str, hero: bool = False, sizes: str = BODY_SIZES) -> Markup:
        image_set = sets.get(path)
        if image_set is not None:
            return Markup(picture(image_set, alt, links, eager=hero, sizes=sizes))
        src = path if "://" in path else links.href(media_route(path))
        loading = 'fetchpriority="high"' if hero else 'loading="lazy"'
        return Markup(f'<img src="{html.escape(src)}" alt="{html.escape(alt)}" '
                      f'{loading} decoding="async">')

    return make


def apply(articles: Iterable[Article], sets: Mapping[str, ImageSet], links: Links
          ) -> list[Article]:
    """The articles with their body images turned into responsive <picture>s."""
    by_href = _by_href(sets, links)
    if not by_href:
        return list(articles)
    return [with_html(a, rewrite(body, sets, links, by_href)) if "<img" in body else a
            for a, body in ((a, a.html) for a in articles)]


def _by_href(sets: Mapping[str, ImageSet], links: Links) -> dict[str, ImageSet]:
    return {links.href(media_route(source)): s for source, s in sets.items()}
