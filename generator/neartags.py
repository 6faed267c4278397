"""Tags that are almost another tag of the site: "Sosialisai" beside "Sosialisasi", or
"pemilu2024" beside "Pemilu 2024", would each make a tag page of their own in silence.

A pure function of the articles' tags (make.article_problems runs it on every build):
no I/O, nothing kept between builds.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from generator.content import Article
from generator.fields import edit_distance
from generator.messages import msg, msg_n
from generator.problems import Problem

SHORT = 4
"""A word of at most this many letters (PPK, PPS, KPU, DPT) is only ever near itself:
one letter more or less makes another word, not a typo."""
LONG = 8
"""Words of this many characters or more may differ by two edits; shorter ones by one."""

_DIGITS = re.compile(r"\D")


@dataclass(frozen=True, slots=True)
class _Usage:
    """One tag (by slug) as the site uses it."""

    slug: str
    name: str
    """The spelling most articles use (ties: alphabetical), as model.py shows it."""
    articles: tuple[tuple[Article, str], ...]
    """Each article with the tag, and the tag's spelling there."""
    first: tuple[datetime, str]
    """Date and path of its oldest article."""

    @property
    def rank(self) -> tuple[int, datetime, str, str]:
        """Smaller is "the existing one": used by more articles, then used first (then,
        for two tags first used in one article, the slug)."""
        return (-len(self.articles), *self.first, self.slug)


def near_tag_problems(articles: Sequence[Article]) -> list[Problem]:
    """A warning at each article using a tag that is near a tag more used (or, as often,
    used first): equal but for case, spaces and punctuation, or one word of it one edit
    off (two for words of LONG characters or more), never in a number or a SHORT word."""
    pairs = _near_pairs(sorted({tag.slug for article in articles for tag in article.tags}))
    if not pairs:
        return []
    near: dict[str, list[str]] = defaultdict(list)
    for one, other in pairs:
        near[one].append(other)
        near[other].append(one)
    usages = _usages(articles, set(near))
    problems = []
    for slug in sorted(near):
        rare = usages[slug]
        existing = min((usages[other] for other in near[slug]), key=lambda u: u.rank)
        if existing.rank >= rare.rank:
            continue  # this is the existing one of all its near tags
        used = msg_n("{count} article", "{count} articles", len(existing.articles))
        for article, name in rare.articles:
            problems.append(Problem(
                article.path, article.tags_line or None, "tags",
                msg("tag `{tag}` is almost the existing tag `{existing}` (used by {used}, "
                    "first in {first}), and makes a tag page of its own; did you "
                    "mean `{existing}`?", tag=name, existing=existing.name, used=used,
                    first=existing.first[1]),
                msg("the existing tag `{existing}`, or one spelling in every article",
                    existing=existing.name),
                "warning"))
    return problems


def _usages(articles: Sequence[Article], slugs: set[str]) -> dict[str, _Usage]:
    """How the site uses each of `slugs`."""
    found: dict[str, list[tuple[Article, str]]] = defaultdict(list)
    for article in articles:
        for tag in article.tags:
            if tag.slug in slugs:
                found[tag.slug].append((article, tag.name))
    usages = {}
    for slug, uses in found.items():
        spellings = Counter(name for _, name in uses)
        usages[slug] = _Usage(slug, min(spellings, key=lambda n: (-spellings[n], n)),
                              tuple(uses), min((a.date, a.path) for a, _ in uses))
    return usages


def _near_pairs(slugs: list[str]) -> set[tuple[str, str]]:
    """The pairs of near slugs. Never all pairs against each other: each slug is filed
    under keys that two near slugs share (its letters and digits alone; each word with
    up to two characters deleted), so a site of thousands of tags costs a few hundred
    keys a tag, and only slugs sharing one are compared."""
    pairs: set[tuple[str, str]] = set()
    compact: dict[str, list[str]] = defaultdict(list)
    # (the words before, the words after, the word with some characters deleted)
    variants: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for slug in slugs:
        compact[slug.replace("-", "")].append(slug)
        words = slug.split("-")
        for index, word in enumerate(words):
            if _letters(word) > SHORT:
                before, after = "-".join(words[:index]), "-".join(words[index + 1 :])
                for variant in _deletions(word, 2 if len(word) >= LONG else 1):
                    variants[(before, after, variant)].append(slug)
    for group in compact.values():
        pairs.update(itertools.combinations(sorted(group), 2))
    for group in variants.values():
        if len(group) < 2:
            continue
        for one, other in itertools.combinations(sorted(set(group)), 2):
            if (one, other) not in pairs and _one_word_off(one, other):
                pairs.add((one, other))
    return pairs


def _one_word_off(one: str, other: str) -> bool:
    """Same words but one, and that one a typo: not a number, not a SHORT word."""
    differing = [(a, b) for a, b in zip(one.split("-"), other.split("-"), strict=True)
                 if a != b]
    if len(differing) != 1:
        return False
    a, b = differing[0]
    if _DIGITS.sub("", a) != _DIGITS.sub("", b) or min(_letters(a), _letters(b)) <= SHORT:
        return False  # Pemilu 2019 and Pemilu 2024, PPK and PPS: other things
    limit = 2 if min(len(a), len(b)) >= LONG else 1
    return edit_distance(a, b, limit) <= limit


def _letters(word: str) -> int:
    return sum(not char.isdigit() for char in word)


def _deletions(word: str, depth: int) -> Iterator[str]:
    """`word` with up to `depth` characters deleted: two words within `depth` edits
    (a swap of two neighbours counting one) have one of these in common."""
    seen = {word}
    level = {word}
    yield word
    for _ in range(depth):
        level = {w[:i] + w[i + 1 :] for w in level for i in range(len(w))} - seen
        seen |= level
        yield from level
