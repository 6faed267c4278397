"""Reuse between rebuilds of one process: parsed articles and rendered Markdown.

`berita serve` rebuilds on every save; re-reading and re-rendering a thousand
unchanged articles each time would make the operator wait. `build.run` takes
any object with the two get-or-compute methods of `BuildCache`; `NoCache`
computes everything (a plain `berita build`), `MemoryCache` keeps results in
memory for the life of the process. A persistent cache can implement the same
two methods.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from generator.config import SiteConfig
from generator.content import Article
from generator.markup import Rendered
from generator.problems import Problem
from generator.urls import Links

Parsed = tuple[Article | None, list[Problem]]


class BuildCache(Protocol):
    def parsed(self, file: Path, config: SiteConfig, parse: Callable[[], Parsed]) -> Parsed:
        """The article in `file` as `parse()` would return it."""
        ...

    def rendered(self, article: Article, links: Links,
                 render: Callable[[], Rendered]) -> Rendered:
        """The Markdown of `article` as `render()` would return it."""
        ...


class NoCache:
    """Computes everything, every time."""

    def parsed(self, file: Path, config: SiteConfig, parse: Callable[[], Parsed]) -> Parsed:
        return parse()

    def rendered(self, article: Article, links: Links,
                 render: Callable[[], Rendered]) -> Rendered:
        return render()


@dataclass
class MemoryCache:
    """Keeps parsed articles by (file, mtime, size) and rendered Markdown by content digest.

    Only entries used by the latest build are kept, so memory follows the size of
    the site, not the number of saves.
    """

    hits: int = 0
    """Lookups answered from memory in the latest build."""
    misses: int = 0
    """Lookups computed in the latest build."""
    _config: SiteConfig | None = field(default=None, repr=False)
    _articles: dict[tuple[str, int, int], Parsed] = field(default_factory=dict, repr=False)
    _html: dict[tuple[str, str, str], Rendered] = field(default_factory=dict, repr=False)
    _used_articles: set[tuple[str, int, int]] = field(default_factory=set, repr=False)
    _used_html: set[tuple[str, str, str]] = field(default_factory=set, repr=False)

    def start(self) -> None:
        """Call before each build: counts restart and entries unused since are dropped."""
        self._articles = {k: v for k, v in self._articles.items() if k in self._used_articles}
        self._html = {k: v for k, v in self._html.items() if k in self._used_html}
        self._used_articles, self._used_html = set(), set()
        self.hits = self.misses = 0

    def parsed(self, file: Path, config: SiteConfig, parse: Callable[[], Parsed]) -> Parsed:
        if config != self._config:
            # Office names, zones and the like decide how front matter reads.
            self._articles.clear()
            self._config = config
        try:
            stat = os.stat(file)
        except OSError:
            return parse()
        key = (str(file), stat.st_mtime_ns, stat.st_size)
        self._used_articles.add(key)
        if key in self._articles:
            self.hits += 1
            return self._articles[key]
        self.misses += 1
        result = parse()
        self._articles[key] = result
        return result

    def rendered(self, article: Article, links: Links,
                 render: Callable[[], Rendered]) -> Rendered:
        if not article.digest:
            return render()
        # The folder matters too: images resolve beside the article.
        key = (article.digest, article.path, links.base_url)
        self._used_html.add(key)
        if key in self._html:
            self.hits += 1
            return self._html[key]
        self.misses += 1
        result = render()
        self._html[key] = result
        return result
