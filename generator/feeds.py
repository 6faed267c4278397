"""Feeds: RSS 2.0 and Atom for the whole site, each tag and each office.

pages.plan asks `feed_pages` which feeds exist; render hands each one's context
to `render_rss` / `render_atom`, which build the XML with lxml (never by string
templates, so no title can break the markup). Every URL is absolute, every date
carries its zone, and an entry's id is the article's absolute URL.
"""

from __future__ import annotations

import functools
import html
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import lxml.html
from lxml import etree

from generator import __version__
from generator.config import SiteConfig
from generator.content import Article, decompress_html
from generator.model import Site
from generator.page import Page
from generator.urls import Links, media_route, route

RSS_TEMPLATE = "@rss"
ATOM_TEMPLATE = "@atom"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
# XML 1.0 forbids most control characters; an operator's pasted text may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """One feed: its articles (newest first, at most feed_length) and where it lives."""

    title: str
    description: str
    route: str
    """Route of this feed file."""
    page_route: str
    """Route of the HTML page the feed follows."""
    articles: tuple[Article, ...]
    fallback_updated: datetime
    """Feed date when it has no entries (Atom requires one); the site's newest date."""


def feed_pages(site: Site, config: SiteConfig) -> Iterator[Page]:
    """The site's RSS and Atom feeds, then an RSS feed per tag and per office."""
    length = config.site.feed_length
    newest = max((last_modified(a) for a in site.articles), default=_EPOCH)
    title, description = config.site.title, config.site.description or config.site.title

    def page(kind: str, template: str, feed_title: str, page_route: str,
             articles: Sequence[Article], **params: str) -> Page:
        feed = Feed(feed_title, description, route(kind, **params), page_route,
                    tuple(articles[:length]), newest)
        return Page(feed.route, template, {"kind": kind, "feed": feed, "config": config})

    yield page("feed", RSS_TEMPLATE, title, route("home"), site.listed)
    yield page("atom", ATOM_TEMPLATE, title, route("home"), site.listed)
    for slug, group in site.tags.items():
        yield page("tag_feed", RSS_TEMPLATE, f"{group.tag.name} · {title}",
                   route("tag", slug=slug), group.articles, slug=slug)
    for slug, group in site.offices.items():
        yield page("office_feed", RSS_TEMPLATE, f"{group.office.name} · {title}",
                   route("office", slug=slug), group.articles, slug=slug)


def last_modified(article: Article) -> datetime:
    return article.updated or article.date


def xml_text(text: str) -> str:
    """Text safe to put in XML: characters XML 1.0 cannot hold are dropped."""
    return _NOT_XML.sub("", text)


def absolute_html(article: Article, page_url: str) -> str:
    """An article's HTML with every link and image source made absolute, for feed readers
    that show it away from the site."""
    return decompress_html(_absolute_html(article.compressed_html, page_url))


# An article is in several feeds (the site's, its office's, its tags'): its absolute HTML
# is made once, and kept compressed (4,096 entries, about 6 MiB at most; 10,000 articles
# in 212 feeds of 20 had 2,434 different ones).
@functools.lru_cache(maxsize=4096)
def _absolute_html(compressed: bytes, page_url: str) -> bytes:
    body = decompress_html(compressed)
    if not body.strip():
        return b""
    fragment = lxml.html.fragment_fromstring(body, create_parent="div")
    fragment.make_links_absolute(page_url, resolve_base_href=False)
    inner = html.escape(fragment.text or "", quote=False)
    return zlib.compress(xml_text(inner + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment)).encode(), 1)


def image_url(article: Article, links: Links) -> str:
    """Absolute URL of an article's own image, "" when it has none."""
    if not article.image:
        return ""
    if "://" in article.image:
        return article.image
    return links.absolute(media_route(article.image))


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _author(article: Article, config: SiteConfig) -> str:
    return article.author or config.office_by_slug[article.office].name


def _updated(feed: Feed) -> datetime:
    return max((last_modified(a) for a in feed.articles), default=feed.fallback_updated)


def _rfc3339(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def render_rss(context: dict[str, object]) -> bytes:
    """RSS 2.0 with content:encoded for the full text and dc:creator for the author."""
    feed: Feed = context["feed"]  # type: ignore[assignment]
    config: SiteConfig = context["config"]  # type: ignore[assignment]
    links = Links(config.site.base_url)
    rss = etree.Element("rss", {"version": "2.0"},
                        nsmap={"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS})
    channel = _sub(rss, "channel")
    _sub(channel, "title", feed.title)
    _sub(channel, "link", links.absolute(feed.page_route))
    _sub(channel, "description", feed.description)
    _sub(channel, "language", config.site.language)
    _sub(channel, "lastBuildDate", format_datetime(_updated(feed)))
    _sub(channel, "generator", f"berita {__version__}")
    _sub(channel, f"{{{ATOM_NS}}}link", href=links.absolute(feed.route), rel="self",
         type=RSS_TYPE)
    for article in feed.articles:
        url = links.abs_url("article", slug=article.slug)
        item = _sub(channel, "item")
        _sub(item, "title", article.title)
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(article.date))
        _sub(item, f"{{{DC_NS}}}creator", _author(article, config))
        for tag in article.tags:
            _sub(item, "category", tag.name)
        _sub(item, "description", article.summary)
        _sub(item, f"{{{CONTENT_NS}}}encoded", absolute_html(article, url))
    return etree.tostring(rss, xml_declaration=True, encoding="utf-8", pretty_print=True)


def render_atom(context: dict[str, object]) -> bytes:
    """Atom 1.0 (RFC 4287) with a text summary and the full HTML content."""
    feed: Feed = context["feed"]  # type: ignore[assignment]
    config: SiteConfig = context["config"]  # type: ignore[assignment]
    links = Links(config.site.base_url)
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    root.set(f"{{{XML_NS}}}lang", config.site.language)
    _sub(root, "id", links.absolute(feed.route))
    _sub(root, "title", feed.title)
    _sub(root, "subtitle", feed.description)
    _sub(root, "link", rel="alternate", type="text/html",
         href=links.absolute(feed.page_route))
    _sub(root, "link", rel="self", type=ATOM_TYPE, href=links.absolute(feed.route))
    _sub(root, "updated", _rfc3339(_updated(feed)))
    author = _sub(root, "author")
    _sub(author, "name", config.site.title)
    _sub(root, "generator", "berita", version=__version__)
    for article in feed.articles:
        url = links.abs_url("article", slug=article.slug)
        entry = _sub(root, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", article.title, type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", _rfc3339(article.date))
        _sub(entry, "updated", _rfc3339(last_modified(article)))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", _author(article, config))
        for tag in article.tags:
            _sub(entry, "category", term=tag.slug, label=tag.name)
        _sub(entry, "summary", article.summary, type="text")
        _sub(entry, "content", absolute_html(article, url), type="html")
        if article.source_url:
            _sub(entry, "link", rel="via", href=article.source_url)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


RENDERERS = {RSS_TEMPLATE: render_rss, ATOM_TEMPLATE: render_atom}
"""Page.template -> the function that turns the page's context into bytes."""
