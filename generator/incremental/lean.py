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
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
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


class Workers:
    """`count` lean render processes, forked now."""

    def __init__(self, count: int, config: SiteConfig, environment: Environment,
                 cache: BuildCache) -> None:
        self.count = count
        self.cache = cache
        self.config = config
        self.packer = quick.Packer(config)
        self.token = ""
        self.pool = ProcessPoolExecutor(count, mp_context=get_context("fork"),
                                        initializer=_start,
                                        initargs=(config, environment, cache.file))
        # The pool forks its processes on the first submit: now, while this process holds
        # nothing of the site.
        self.pool.submit(os.getpid)

    def prepare(self, setup: Setup) -> bool:
        """Hands the workers what this build's pages need; False when they cannot have
        it (no cache to pass it through)."""
        token = f"{os.getpid()}:{id(setup)}:{len(setup.digests)}"
        if not self.cache.memorize(SETUP_MEMO, token, setup):
            return False
        self.token = token
        return True

    def submit(self, pages: Sequence[Page]) -> Future[list[publish.Staged] | None] | None:
        """The pages rendered and staged by a worker, or None (nothing sent) when one of
        them has no recipe."""
        recipes = []
        for page in pages:
            recipe = self.packer(page)
            if recipe is None:
                return None
            recipes.append(recipe)
        return self.pool.submit(_render, self.token, recipes)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


# What each worker process holds: set by _start (config, environment, cache) and by the
# first chunk of each build (`_Build`).
_tools: tuple[SiteConfig, Environment, BuildCache] | None = None
_build: _Build | None = None


@dataclass
class _Build:
    token: str
    staging: SpareStaging
    render_one: parallel.RenderOne
    article: Callable[[str], Article]


def _start(config: SiteConfig, environment: Environment, cache_file: Path | None) -> None:
    global _tools
    _tools = (config, environment, BuildCache.reopen(cache_file))
    # Forked while the build had the collector off; rendering makes reference cycles
    # (Jinja's contexts and macros), which would pile up.
    gc.freeze()
    gc.enable()


def _render(token: str, recipes: list[bytes]) -> list[publish.Staged] | None:
    global _build
    assert _tools is not None
    config, environment, cache = _tools
    try:
        if _build is None or _build.token != token:
            _build = _begin(token, config, environment, cache)
        results: list[publish.Staged] = []
        for recipe in recipes:
            page = quick.unpack(recipe, config, _build.article)
            results.append(_stage(_build.staging, page, _build.render_one(page), recipe))
        return results
    except (KeyError, pickle.UnpicklingError, zlib.error, EOFError, AttributeError,
            TypeError, ValueError, ImportError, OSError):
        return None  # the build renders these pages itself (and reports what fails)


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
           ) -> publish.Staged:
    return publish.stage_page(staging, output_file(page.route), result, lambda: recipe)


@contextlib.contextmanager
def started(jobs: int | None, wanted: bool, config: SiteConfig, environment: Environment,
            cache: BuildCache) -> Iterator[Workers | None]:
    """Lean workers for a build on `jobs` cores (one fewer: the build renders too), or
    None when there is no cache to pass articles through, one core, or no fork."""
    count = (parallel.workers() if jobs is None else jobs) - 1
    if not wanted or cache.file is None or count < 1 or \
            "fork" not in get_all_start_methods():
        yield None
        return
    workers = Workers(count, config, environment, cache)
    try:
        yield workers
    finally:
        workers.close()
