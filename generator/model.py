"""[Article] -> Site: the lists every page is made of. Pure functions, no I/O."""

from __future__ import annotations

import bisect
import hashlib
import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from generator.config import Office, SiteConfig
from generator.content import Article, Tag
from generator.messages import msg
from generator.problems import Problem

T = TypeVar("T")
POPULAR_COUNT = 5
RELATED_COUNT = 5
# Candidates looked at per shared tag when finding related articles: keeps the
# work linear in the number of articles even for a tag on every article.
RELATED_WINDOW = 40


@dataclass(frozen=True)
class TagGroup:
    tag: Tag
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class OfficeGroup:
    office: Office
    articles: tuple[Article, ...]
    children: tuple[Office, ...]
    """Kabupaten/kota offices under this province office."""
    region_latest: tuple[Article, ...]
    """Newest articles of the children, for a province's page."""


@dataclass(frozen=True)
class Site:
    """Every list a page may show, computed once."""

    articles: tuple[Article, ...]
    """All articles, newest first: each has its own page."""
    listed: tuple[Article, ...]
    """Newest first, one article per syndicated story: for site-wide lists."""
    tags: dict[str, TagGroup]
    offices: dict[str, OfficeGroup]
    provinces: tuple[tuple[Office, tuple[Office, ...]], ...]
    """Each province office with its kabupaten/kota offices, for the offices page."""
    by_month: dict[tuple[int, int], tuple[Article, ...]]
    popular: tuple[Article, ...]
    related: dict[str, tuple[Article, ...]] = field(repr=False)
    """Keyed by article path."""
    previous: dict[str, Article] = field(repr=False)
    """The next older article, keyed by article path."""
    following: dict[str, Article] = field(repr=False)
    """The next newer article, keyed by article path."""

    @property
    def years(self) -> dict[int, tuple[Article, ...]]:
        grouped: dict[int, list[Article]] = defaultdict(list)
        for (year, _), articles in sorted(self.by_month.items(), reverse=True):
            grouped[year].extend(articles)
        return {year: tuple(items) for year, items in grouped.items()}


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Newest first; the source path breaks ties so builds are deterministic."""
    return sorted(articles, key=lambda a: (-a.date.timestamp(), a.path))


def collisions(articles: Sequence[Article]) -> list[Problem]:
    """Two articles may not share an address (compared case-folded)."""
    by_slug: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_slug[article.slug.casefold()].append(article)
    problems = []
    for slug, group in sorted(by_slug.items()):
        if len(group) > 1:
            paths = ", ".join(a.path for a in group)
            for article in group:
                problems.append(Problem(article.path, article.body_line - 1 or 1, "slug",
                                        # Two or more: the plural always.
                                        msg("address /berita/{slug}/ is used by {number} "
                                            "articles: {paths}", slug=slug,
                                            number=len(group), paths=paths),
                                        msg("a unique slug: field in all but one")))
    return problems


def story_key(article: Article) -> str:
    """Identity of a syndicated story: its source_url without the noise that differs between
    reposts (scheme, letter case of the host, trailing slash, fragment, utm_* tracking)."""
    if not article.source_url:
        return ""
    parts = urlsplit(article.source_url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("utm_"))
    path = parts.path.rstrip("/")
    return f"{parts.netloc.lower()}{path}" + (f"?{query}" if query else "")


def unique_stories(articles: Sequence[Article]) -> list[Article]:
    """Drops reposts of a story already listed (same source_url), keeping the first posting
    (the oldest); `articles` is newest first and keeps its order."""
    first: dict[str, Article] = {}
    for article in reversed(articles):
        if key := story_key(article):
            first.setdefault(key, article)
    return [a for a in articles if not a.source_url or first[story_key(a)] is a]


def _tag_names(articles: Sequence[Article]) -> dict[str, Tag]:
    """The spelling of each tag most articles use (ties: alphabetical)."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for tag in article.tags:
            spellings[tag.slug][tag.name] += 1
    return {
        slug: Tag(min(counts, key=lambda name: (-counts[name], name)), slug)
        for slug, counts in spellings.items()
    }


def _newest_key(article: Article) -> tuple[float, str]:
    return (-article.date.timestamp(), article.path)


def nearby(group: Sequence[T], keys: Sequence[tuple[float, str]], article: Article,
           window: int) -> Sequence[T]:
    """The members of one tag worth comparing with `article`: all of a small tag; of a tag
    bigger than `window`, its newest window/2 and the window/2 around the article's date."""
    if len(group) <= window:
        return group
    half = window // 2
    at = bisect.bisect_left(keys, _newest_key(article))
    start = max(half, at - half // 2)
    return [*group[:half], *group[start : start + half]]


def related_articles(articles: Sequence[Article], count: int = RELATED_COUNT,
                     window: int = RELATED_WINDOW) -> dict[str, tuple[Article, ...]]:
    """For each article, others sharing tags: most shared tags first, then newest.

    `articles` is newest first. Reposts of one story (see unique_stories) count once and
    never relate to each other. Candidates come from `nearby`, so the cost is
    O(articles x tags x window), never quadratic. The ranking is exact while every tag of
    an article has at most `window` members, and for single-shared-tag candidates always
    (the newest of each tag are looked at); only an article sharing two or more crowded
    tags, none of them near it in time or among the newest, can be missed.
    """
    # Articles by position (newest first) throughout: ints are cheap to hash and compare.
    # Tag sets as bit masks: counting shared tags is one AND and a popcount.
    bits: dict[str, int] = {}
    for article in articles:
        for tag in article.tags:
            bits.setdefault(tag.slug, 1 << len(bits))
    slugs = [sorted({t.slug for t in a.tags}) for a in articles]
    masks = [sum(bits[slug] for slug in mine) for mine in slugs]
    stories = [story_key(a) for a in articles]
    position = {a.path: i for i, a in enumerate(articles)}
    members: dict[str, list[int]] = defaultdict(list)
    for article in unique_stories(articles):
        for tag in article.tags:
            members[tag.slug].append(position[article.path])
    keys = {slug: [_newest_key(articles[i]) for i in group] for slug, group in members.items()}
    related: dict[str, tuple[Article, ...]] = {}
    shift = len(articles).bit_length()
    low = (1 << shift) - 1
    for me, article in enumerate(articles):
        mine, story = masks[me], stories[me]
        candidates: set[int] = set()
        for slug in slugs[me]:
            candidates.update(nearby(members[slug], keys[slug], article, window))
        candidates.discard(me)
        if story:
            candidates = {other for other in candidates if stories[other] != story}
        # Most shared tags first, then newest; positions are unique, so no ties. Each
        # candidate is one int, -shared << shift | position: sorting ints is cheaper than
        # heapq over tuples.
        ranked = sorted([-(mine & masks[other]).bit_count() << shift | other
                         for other in candidates])
        related[article.path] = tuple(articles[key & low] for key in ranked[:count])
    return related


Relate = Callable[[Sequence[Article]], dict[str, tuple[Article, ...]]]
"""related_articles, or a function giving the same answer (e.g. from a cache)."""


def related_key(articles: Sequence[Article], count: int = RELATED_COUNT,
                window: int = RELATED_WINDOW) -> str:
    """Everything related_articles reads: the order, paths, stories and tag slugs."""
    h = hashlib.blake2b(f"{count}:{window}".encode(), digest_size=16)
    for article in articles:
        tags = ",".join(sorted({t.slug for t in article.tags}))
        h.update(f"\x1e{article.path}\x1f{story_key(article)}\x1f{tags}".encode(
            "utf-8", "surrogatepass"))
    return h.hexdigest()


def build(articles: Iterable[Article], config: SiteConfig,
          relate: Relate = related_articles) -> Site:
    ordered = newest_first(articles)
    listed = unique_stories(ordered)
    names = _tag_names(ordered)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        for tag in article.tags:
            by_tag[tag.slug].append(article)
    # Deduplicated per tag: a repost that adds a tag still lists the story under it once.
    tags = {
        slug: TagGroup(names[slug], tuple(unique_stories(by_tag[slug])))
        for slug in sorted(by_tag)
    }
    by_office: dict[str, list[Article]] = defaultdict(list)
    for article in ordered:
        by_office[article.office].append(article)
    children: dict[str, list[Office]] = defaultdict(list)
    for office in config.offices:
        if office.parent:
            children[office.parent].append(office)
    offices = {}
    for office in config.offices:
        kids = tuple(sorted(children[office.slug], key=lambda o: o.name))
        region = unique_stories(newest_first(a for kid in kids for a in by_office[kid.slug]))
        offices[office.slug] = OfficeGroup(office, tuple(by_office[office.slug]), kids,
                                           tuple(region[: config.site.per_page]))
    provinces = tuple(
        (office, offices[office.slug].children)
        for office in sorted(config.offices, key=lambda o: (o.level != "provinsi", o.name))
        if not office.parent
    )
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in listed:
        by_month[(article.date.year, article.date.month)].append(article)
    # `listed` is newest first (then by path), and nsmallest keeps that order among
    # equal views: most read, then newest.
    popular = heapq.nsmallest(POPULAR_COUNT, listed, key=lambda a: -a.views)
    previous = {a.path: b for a, b in itertools.pairwise(ordered)}
    following = {b.path: a for a, b in itertools.pairwise(ordered)}
    return Site(
        articles=tuple(ordered), listed=tuple(listed), tags=tags, offices=offices,
        provinces=provinces,
        by_month={key: tuple(items) for key, items in sorted(by_month.items(), reverse=True)},
        popular=tuple(popular), related=relate(ordered),
        previous=previous, following=following,
    )
