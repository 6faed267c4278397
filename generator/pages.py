"""Site -> [Page]: what pages exist, at which route, with which template and data.

`plan` adds the feeds (feeds.py) and the sitemap and robots.txt (crawlers.py), which
make Pages too: Page itself is in page.py, which all three import (and is importable
from here)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator import crawlers, feeds, shards
from generator.config import Office, SiteConfig
from generator.content import Article
from generator.fields import Tag
from generator.i18n import month_name, t
from generator.model import Site
from generator.page import Page
from generator.urls import route


@dataclass(frozen=True)
class Pagination:
    """Where one page of a list sits among its siblings."""

    number: int
    """This page's number, from 1."""
    count: int
    """How many pages the list has (at least 1)."""
    routes: tuple[str, ...] = field(repr=False)
    """Route of every page of the list, in order."""

    @property
    def has_previous(self) -> bool:
        """There is a page of newer articles before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """There is a page of older articles after this one."""
        return self.number < self.count

    @property
    def previous_route(self) -> str:
        """Route of the page before (only when has_previous)."""
        return self.routes[self.number - 2]

    @property
    def next_route(self) -> str:
        """Route of the page after (only when has_next)."""
        return self.routes[self.number]


@dataclass(frozen=True)
class OfficeRegion:
    """`group` of an office's list pages: the office, its kabupaten/kota offices and
    their newest articles. Not all of the office's own articles (model.OfficeGroup):
    a page then depends only on the articles it shows, and an edit re-renders it only
    when it shows the edited article."""

    office: Office
    children: tuple[Office, ...]
    region_latest: tuple[Article, ...]


@dataclass(frozen=True)
class TagCount:
    """A tag on the page of all tags: its articles counted, not held (a page holding
    every article would be re-rendered on every edit)."""

    tag: Tag
    count: int


@dataclass(frozen=True)
class OfficeCount:
    """An office on the page of all offices, as TagCount."""

    office: Office
    count: int


def paginate(items: Sequence[Article], per_page: int, kind: str, **params: Any
             ) -> Iterator[tuple[Sequence[Article], Pagination]]:
    """Splits a list into pages; an empty list still has one (empty) page."""
    count = max(1, math.ceil(len(items) / per_page))
    routes = tuple(route(kind, page=n, **params) for n in range(1, count + 1))
    for number in range(1, count + 1):
        chunk = items[(number - 1) * per_page : number * per_page]
        yield chunk, Pagination(number, count, routes)


def _list_pages(items: Sequence[Article], config: SiteConfig, kind: str, title: str,
                template: str = "list.html", extra: dict[str, Any] | None = None,
                **params: Any) -> Iterator[Page]:
    for chunk, pagination in paginate(items, config.site.per_page, kind, **params):
        heading = title
        if pagination.number > 1:
            heading = f"{title} ({t('page_of', page=pagination.number, pages=pagination.count)})"
        context = {"kind": kind, "title": heading, "heading": title, "articles": chunk,
                   "pagination": pagination, "total": len(items), **(extra or {})}
        yield Page(pagination.routes[pagination.number - 1], template, context)


def plan(site: Site, config: SiteConfig) -> Iterator[Page]:
    """Every page of the site, in a stable order; then feeds, sitemap and robots.txt."""
    entries = []
    newest = crawlers.newest_change(site)
    for page in html_pages(site, config):
        if (found := crawlers.entry(page, site, newest)) is not None:
            entries.append(found)
        yield page
    yield from feeds.feed_pages(site, config)
    yield from crawlers.crawler_pages(entries, config)


def html_pages(site: Site, config: SiteConfig) -> Iterator[Page]:
    """Every HTML page of the site, in a stable order."""
    yield from _list_pages(site.listed, config, "home", t("latest"), template="index.html")
    for article in site.articles:
        yield article_page(article, site, config)
    yield Page(route("tags"), "tags.html", {"kind": "tags", "title": t("all_tags"),
                                            "groups": [TagCount(g.tag, len(g.articles))
                                                       for g in site.tags.values()]})
    for slug, group in site.tags.items():
        yield from _list_pages(group.articles, config, "tag", group.tag.name,
                               extra={"tag": group.tag}, slug=slug)
    yield Page(route("offices"), "offices.html",
               {"kind": "offices", "title": t("all_offices"), "provinces": site.provinces,
                "groups": {slug: OfficeCount(g.office, len(g.articles))
                           for slug, g in site.offices.items()}})
    for slug, group in site.offices.items():
        region = OfficeRegion(group.office, group.children, group.region_latest)
        yield from _list_pages(group.articles, config, "office", group.office.name,
                               template="office.html",
                               extra={"office": group.office, "group": region}, slug=slug)
    yield from archive_pages(site, config)
    if config.site.search:
        used = {slug: group.office for slug, group in site.offices.items()}
        bundles = shards.folders(shards.layout(shards.indexed_files(site.articles)))
        yield Page(route("search"), "search.html", {"kind": "search", "title": t("search"),
                                                    "offices_used": used,
                                                    "bundles": bundles})
    yield Page(route("not_found"), "404.html", {"kind": "not_found",
                                                "title": t("not_found_title")})


def article_page(article: Article, site: Site, config: SiteConfig) -> Page:
    return Page(route("article", slug=article.slug), "article.html", {
        "kind": "article",
        "title": article.title,
        "article": article,
        "office": config.office_by_slug[article.office],
        "previous": site.previous.get(article.path),
        "next": site.following.get(article.path),
        "related": site.related.get(article.path, ()),
        "popular": site.popular,
    })


def archive_pages(site: Site, config: SiteConfig) -> Iterator[Page]:
    months: dict[int, list[tuple[int, int]]] = {}
    for (year, month), articles in site.by_month.items():
        months.setdefault(year, []).append((month, len(articles)))
    yield Page(route("archives"), "archives.html",
               {"kind": "archives", "title": t("archives"), "months": months})
    for year, articles in site.years.items():
        yield from _list_pages(articles, config, "archive_year", f"{t('archives')} {year}",
                               template="archive.html",
                               extra={"year": year, "months": months[year]}, year=year)
    for (year, month), articles in site.by_month.items():
        yield from _list_pages(articles, config, "archive_month",
                               f"{t('archives')} {month_name(month)} {year}",
                               template="archive.html",
                               extra={"year": year, "month": month}, year=year, month=month)
