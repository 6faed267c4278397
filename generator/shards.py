"""How the search index is split: which shard indexes each article page.

Pagefind's time and memory grow with the pages of one index (about 200 KB of memory a
page), so a big site is indexed as several bundles, each small enough to build beside
another, and queried in the browser as one (Pagefind's `mergeIndex`). A page's shard
follows from its output path alone, so an edit, a new article or a deletion changes one
shard and leaves the others as they were; the number of shards doubles as the site
grows, so it changes rarely (and then every shard is built again, once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from generator.urls import output_file, route

if TYPE_CHECKING:
    from generator.content import Article

SHARD_PAGES = 500
"""At most this many pages to a shard, on average."""
BUNDLE = "pagefind"
"""Folder of the search index inside the output."""


def indexed_files(articles: Iterable[Article]) -> list[str]:
    """The output files search indexes: the pages of the articles that are not drafts
    (a preview shows drafts, never to search)."""
    return sorted(output_file(route("article", slug=article.slug))
                  for article in articles if not article.draft)


def count_for(pages: int) -> int:
    """How many shards index `pages` pages: the least power of two that keeps them at
    SHARD_PAGES or fewer each."""
    count = 1
    while count * SHARD_PAGES < pages:
        count *= 2
    return count


def number_of(file: str, count: int) -> int:
    """The shard of the page published as `file`, among `count`."""
    digest = hashlib.blake2b(file.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def layout(files: Iterable[str]) -> dict[int, tuple[str, ...]]:
    """Shard number -> the pages it indexes (sorted), for the shards that index any,
    in order of number."""
    chosen = sorted(set(files))
    count = count_for(len(chosen))
    shards: dict[int, list[str]] = {}
    for file in chosen:
        shards.setdefault(number_of(file, count), []).append(file)
    return {number: tuple(shards[number]) for number in sorted(shards)}


def folders(numbers: Iterable[int]) -> list[str]:
    """The output folder of each shard, the first one (which also holds Pagefind's
    script and WebAssembly, and so is the one the browser loads first) at /pagefind/."""
    return [BUNDLE + "/" if i == 0 else f"{BUNDLE}/{number}/"
            for i, number in enumerate(numbers)]
