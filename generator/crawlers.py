"""For search engines: /sitemap.xml (an index of parts past the protocol's limit) and
/robots.txt naming it.

pages.plan passes every HTML page it made through `entry`, then asks
`crawler_pages` for the files; render turns their contexts into bytes here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from generator.config import SiteConfig
from generator.feeds import last_modified
from generator.model import Site
from generator.page import Page
from generator.urls import Links, route

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000
"""URLs one sitemap file may hold (sitemaps.org protocol)."""
SITEMAP_TEMPLATE = "@sitemap"
SITEMAP_INDEX_TEMPLATE = "@sitemap_index"
ROBOTS_TEMPLATE = "@robots"
UNLISTED_KINDS = frozenset({"not_found"})
"""Pages that are not content and stay out of the sitemap."""


@dataclass(frozen=True)
class Entry:
    """One <url> of a sitemap."""

    route: str
    lastmod: datetime | None


def entry(page: Page, site: Site, site_modified: datetime | None = None) -> Entry | None:
    """The sitemap entry of an HTML page (None for pages that stay out): lastmod is the
    newest `updated`/`date` of what the page shows, or of the whole site for indexes
    (`site_modified`, when known)."""
    if page.template.startswith("@") or page.context.get("kind") in UNLISTED_KINDS:
        return None
    if "article" in page.context:
        return Entry(page.route, last_modified(page.context["article"]))
    shown = page.context.get("articles")
    if shown is None:
        if site_modified is None:
            site_modified = newest_change(site)
        return Entry(page.route, site_modified)
    return Entry(page.route, max((a.updated or a.date for a in shown), default=None))


def newest_change(site: Site) -> datetime | None:
    """The newest `updated`/`date` of the whole site."""
    return max((last_modified(a) for a in site.articles), default=None)


def sitemap_route(part: int) -> str:
    return f"sitemap-{part}.xml"


def crawler_pages(entries: Sequence[Entry], config: SiteConfig,
                  limit: int | None = None) -> Iterator[Page]:
    """/sitemap.xml, split into an index and sitemap-N.xml parts past `limit` URLs
    (default MAX_URLS), and /robots.txt."""
    limit = limit or MAX_URLS
    if len(entries) <= limit:
        yield Page(route("sitemap"), SITEMAP_TEMPLATE,
                   {"kind": "sitemap", "entries": tuple(entries), "config": config})
    else:
        parts = [tuple(entries[i : i + limit]) for i in range(0, len(entries), limit)]
        routes = [sitemap_route(n) for n in range(1, len(parts) + 1)]
        yield Page(route("sitemap"), SITEMAP_INDEX_TEMPLATE, {
            "kind": "sitemap", "config": config,
            "parts": tuple(zip(routes, (_newest(part) for part in parts), strict=True)),
        })
        for part_route, part in zip(routes, parts, strict=True):
            yield Page(part_route, SITEMAP_TEMPLATE,
                       {"kind": "sitemap", "entries": part, "config": config})
    yield Page(route("robots"), ROBOTS_TEMPLATE, {"kind": "robots", "config": config})


def _newest(entries: Iterable[Entry]) -> datetime | None:
    return max((e.lastmod for e in entries if e.lastmod), default=None)


def _lastmod(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def render_sitemap(context: dict[str, object]) -> bytes:
    config: SiteConfig = context["config"]  # type: ignore[assignment]
    entries: Sequence[Entry] = context["entries"]  # type: ignore[assignment]
    links = Links(config.site.base_url)
    if not entries:
        return _xml(etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS}))
    # Written as text, as lxml would print it: a tree of 50,000 URLs would cost tens of
    # MiB in the process that renders it, which keeps them.
    out = bytearray(f"<?xml version='1.0' encoding='utf-8'?>\n"
                    f'<urlset xmlns="{SITEMAP_NS}">\n'.encode())
    for item in entries:
        loc = _xml_text(links.absolute(item.route))
        lastmod = f"    <lastmod>{_lastmod(item.lastmod)}</lastmod>\n" if item.lastmod else ""
        out += f"  <url>\n    <loc>{loc}</loc>\n{lastmod}  </url>\n".encode()
    out += b"</urlset>\n"
    return bytes(out)


def _xml_text(text: str) -> str:
    """Text escaped as lxml escapes element text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace("\r", "&#13;")


def render_sitemap_index(context: dict[str, object]) -> bytes:
    config: SiteConfig = context["config"]  # type: ignore[assignment]
    parts: Sequence[tuple[str, datetime | None]] = context["parts"]  # type: ignore[assignment]
    links = Links(config.site.base_url)
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for part_route, newest in parts:
        sitemap = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = links.absolute(part_route)
        if newest:
            etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = _lastmod(newest)
    return _xml(index)


def render_robots(context: dict[str, object]) -> bytes:
    config: SiteConfig = context["config"]  # type: ignore[assignment]
    sitemap = Links(config.site.base_url).abs_url("sitemap")
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n".encode()


RENDERERS = {
    SITEMAP_TEMPLATE: render_sitemap,
    SITEMAP_INDEX_TEMPLATE: render_sitemap_index,
    ROBOTS_TEMPLATE: render_robots,
}
"""Page.template -> the function that turns the page's context into bytes."""
