"""The one place that knows the URL scheme.

Templates and every stage ask `route()` for a site-relative route
("berita/slug/") and a `Links` for what to put in a page: a root-relative
href that honours a sub-path base URL, or an absolute URL for feeds and
share links.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

from slugify import slugify as _slugify

CLEAN_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Each kind of page and where it lives; "{page}" appears only on pages >= 2.
_ROUTES: dict[str, str] = {
    "home": "",
    "article": "berita/{slug}/",
    "tags": "tag/",
    "tag": "tag/{slug}/",
    "tag_feed": "tag/{slug}/feed.xml",
    "offices": "kantor/",
    "office": "kantor/{slug}/",
    "office_feed": "kantor/{slug}/feed.xml",
    "archives": "arsip/",
    "archive_year": "arsip/{year:04d}/",
    "archive_month": "arsip/{year:04d}/{month:02d}/",
    "feed": "feed.xml",
    "atom": "atom.xml",
    "sitemap": "sitemap.xml",
    "robots": "robots.txt",
    "not_found": "404.html",
    "search": "cari/",
    "static": "static/{slug}",
    "media": "media/{slug}",
    "editor": "admin/",
}
_PAGINATED = {"home", "tag", "office", "archive_year", "archive_month"}


def slugify(text: str) -> str:
    """A clean URL slug of `text`: lowercase ASCII letters, digits and single hyphens.

    Non-ASCII letters are transliterated ("Über" -> "uber"); returns "" for
    text with no letters or digits at all, which callers must treat as an error.
    """
    return _slugify(text or "", max_length=120, word_boundary=True)


def is_clean_slug(text: str) -> bool:
    return bool(CLEAN_SLUG.match(text))


def route(kind: str, *, slug: str = "", page: int = 1, year: int = 0, month: int = 0) -> str:
    """Site-relative route of a page, e.g. route("tag", slug="pemilu", page=2)."""
    try:
        pattern = _ROUTES[kind]
    except KeyError:
        raise ValueError(f"unknown kind of page: {kind!r}") from None
    path = pattern.format(slug=slug, year=year, month=month)
    if page > 1:
        if kind not in _PAGINATED:
            raise ValueError(f"{kind!r} pages are not paginated")
        path += f"halaman/{page}/"
    return path


def output_file(path: str) -> str:
    """The file a route is written to: directories get an index.html."""
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def route_of_file(file: str) -> str:
    """Inverse of `output_file`: the route a written file answers."""
    if file == "index.html":
        return ""
    if file.endswith("/index.html"):
        return file[: -len("index.html")]
    return file


@dataclass(frozen=True)
class Links:
    """Turns routes into hrefs under the site's base URL."""

    base_url: str
    """Absolute base URL ending in "/", e.g. "https://x.github.io/berita/"."""

    @property
    def base_path(self) -> str:
        """The path part of the base URL, "/" or "/berita/"."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @lru_cache(maxsize=65536)  # noqa: B019 (Links is a small frozen value, kept for the build)
    def href(self, path: str) -> str:
        """Root-relative href for a route: works on any host under the base path."""
        return self.base_path + quote(path, safe="/%:@&=+$,;~!*'()")

    def absolute(self, path: str) -> str:
        """Absolute URL for a route, for feeds, canonical and share links."""
        return self.base_url + quote(path, safe="/%:@&=+$,;~!*'()")

    # Pages ask for the same few hundred links over and over (navigation, offices, cards).
    @lru_cache(maxsize=65536)  # noqa: B019 (as for href)
    def url(self, kind: str, **params: object) -> str:
        # Not through `href`'s cache: a card's link would be kept twice.
        return self.base_path + quote(route(kind, **params),  # type: ignore[arg-type]
                                      safe="/%:@&=+$,;~!*'()")

    @lru_cache(maxsize=65536)  # noqa: B019 (as for href)
    def abs_url(self, kind: str, **params: object) -> str:
        return self.absolute(route(kind, **params))  # type: ignore[arg-type]


def normalize_base_url(url: str) -> str:
    """"https://x.org/sub" -> "https://x.org/sub/"."""
    return url if url.endswith("/") else url + "/"


def media_route(content_relative: str) -> str:
    """Route of a file that sits beside the articles in content/."""
    return route("media", slug=posixpath.normpath(content_relative))
