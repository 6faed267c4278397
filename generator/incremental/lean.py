"""Render worker processes that hold only what the pages they render show.

A forked process holds a copy of all that its parent held when it was forked. Forked
once the articles were loaded, a render worker of a 10,000-article site started at over
90 MiB of a site it never needed whole. These workers are forked when a build starts,
before it reads an article. They get each page as its recipe (quick.Packer: the Page
with its articles by reference), fetch the articles a recipe names from the build
cache, where this build's article stage has just put them, and keep only the most
recently used ones. A chunk a worker cannot render (an article not in the cache as
expected) comes back as None, and the build renders it itself.

Used for builds that stage a whole spare (spare.SpareStaging) with a cache; other
builds render in forked copies of themselves (parallel.render_pages).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator import parallel, render
from generator.config import SiteConfig
from generator.content import Article
from generator.incremental import publish, quick
from generator.incremental.cache import BuildCache
from generator.page import Page
from generator.problems import Problem
from generator.staging.spare import SpareStaging, listing
from generator.templatedirs import template_dirs
from generator.urls import Links, output_file

SETUP_MEMO = "lean-setup"
RECENT = 1024
"""Articles a worker keeps: neighbours, related and popular articles repeat from page
to page, so most lookups hit."""

Environment = Callable[[dict[str, Any], str], jinja2.Environment]
"""environment(image sets, query-redirect script): the Jinja environment of the build."""


@dataclass(frozen=True)
class Setup:
    """What the workers need for the pages of one build, besides the config."""

    sets: dict[str, Any]
    """images.process's image sets, by source."""
    query_redirects: str
    target: Path
    parsed_key: str
    """prepared.parsed_key: where the build's articles are in the cache."""
    digests: dict[str, str]
    """Path -> digest of each article the build holds: a cached one must match."""


@dataclass(frozen=True)
class Tools:
    """What the lean workers inherit when they are forked, before any article is read."""

    config: SiteConfig
    environment: Environment
    cache_file: Path | None


class Workers:
    """`count` lean render processes, forked now."""

    def __init__(self, count: int, config: SiteConfig, environment: Environment,
                 cache: BuildCache) -> None:
        self.count = count
        self.cache = cache
        self.config = config
        self.packer = quick.Packer(config)
        self.token = ""
        # Forked now, while this process holds nothing of the site.
        self.forked = parallel.Forked(count, Tools(config, environment, cache.file),
                                      start=_start)

    def prepare(self, setup: Setup) -> bool:
        """Hands the workers what this build's pages need; False when they cannot have
        it (no cache to pass it through)."""
        token = f"{os.getpid()}:{id(setup)}:{len(setup.digests)}"
        if not self.cache.memorize(SETUP_MEMO, token, setup):
            return False
        self.token = token
        return True

    def submit(self, start: int, pages: Sequence[Page]
               ) -> Future[list[publish.StagedPage] | None] | None:
        """The pages rendered and staged by a worker, or None (nothing sent) when one of
        them has no recipe."""
        recipes = []
        for page in pages:
            recipe = self.packer(page)
            if recipe is None:
                return None
            recipes.append(recipe)
        return self.forked.submit(RenderRecipes(self.token, tuple(recipes)))

    def close(self) -> None:
        self.forked.close()


def _start(tools: Tools) -> None:
    # Forked while the build had the collector off; rendering makes reference cycles
    # (Jinja's contexts and macros), which would pile up.
    gc.freeze()
    gc.enable()


@dataclass(frozen=True)
class RenderRecipes:
    """Pages to render, as recipes, for the build that handed the workers `token`."""

    token: str
    recipes: tuple[bytes, ...]

    def run(self, tools: Tools, memo: dict[str, Any]) -> list[publish.StagedPage] | None:
        config = tools.config
        try:
            cache = memo.get("cache")
            if cache is None:
                cache = memo["cache"] = BuildCache.reopen(tools.cache_file)
            build = memo.get("build")
            if build is None or build.token != self.token:
                build = memo["build"] = _begin(self.token, config, tools.environment, cache)
            results: list[publish.StagedPage] = []
            for recipe in self.recipes:
                page = quick.unpack(recipe, config, build.article)
                results.append(_stage(build.staging, page, build.render_one(page), recipe))
            return results
        except (KeyError, pickle.UnpicklingError, zlib.error, EOFError, AttributeError,
                TypeError, ValueError, ImportError, OSError):
            return None  # the build renders these pages itself (and reports what fails)


@dataclass(frozen=True)
class _Build:
    """What a worker keeps of the build it is rendering for."""

    token: str
    staging: SpareStaging
    render_one: parallel.RenderOne
    article: Callable[[str], Article]


def _begin(token: str, config: SiteConfig, environment: Environment, cache: BuildCache
           ) -> _Build:
    setup = cache.recall(SETUP_MEMO, token)
    if not isinstance(setup, Setup):
        raise KeyError(token)
    links = Links(config.site.base_url)
    env = environment(setup.sets, setup.query_redirects)
    render_one = render.jinja_renderer(env, template_dirs(config.root))
    staging = SpareStaging(setup.target, listing(setup.target)[0])
    return _Build(token, staging, render_one, _resolver(cache, links, setup))


def _resolver(cache: BuildCache, links: Links, setup: Setup) -> Callable[[str], Article]:
    """path -> the article as the build holds it (its images applied), from the cache."""
    recent: OrderedDict[str, Article] = OrderedDict()

    def article(path: str) -> Article:
        found = recent.get(path)
        if found is not None:
            recent.move_to_end(path)
            return found
        found = recent[path] = quick.published_article(
            cache, setup.parsed_key, path, setup.digests.get(path), setup.sets, links)
        if len(recent) > RECENT:
            recent.popitem(last=False)
        return found

    return article


def _stage(staging: SpareStaging, page: Page, result: bytes | Problem, recipe: bytes
           ) -> publish.StagedPage:
    return publish.stage_page(staging, output_file(page.route), result, lambda: recipe)


@contextlib.contextmanager
def started(jobs: int | None, wanted: bool, config: SiteConfig, environment: Environment,
            cache: BuildCache) -> Iterator[Workers | None]:
    """Lean workers for a build on `jobs` cores (one fewer: the build renders too), or
    None when there is no cache to pass articles through, one core, or no fork."""
    count = (parallel.workers() if jobs is None else jobs) - 1
    if not wanted or cache.file is None or count < 1 or not parallel.can_fork():
        yield None
        return
    workers = Workers(count, config, environment, cache)
    try:
        yield workers
    finally:
        workers.close()
