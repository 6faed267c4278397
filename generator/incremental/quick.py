"""The quick rebuild: when only the bodies of some articles changed, only the pages that
show those articles are rendered, without reading the other articles or planning the
site again.

A full build into an output folder leaves what a quick one starts from:
- per page, its recipe: the Page as planned, pickled with its articles, offices and the
  site config by reference (`Packer`), kept in the cache by file and fingerprint;
- a `State`: the keys and site-wide choices every page was made with, the hash of each
  article file, and what the build reported.

A quick rebuild happens only when all of this holds; otherwise the full build runs,
and it gives the same bytes (tests/test_quick.py compares both with a clean build):
- every input but the bytes of article files is as it was (`frame`, see
  unchanged.inputs_keys), under the same options, and no scheduled article fell due;
- each changed file was a published article and, read again, has the same fields
  besides its body, the same problems, and the same images, links (with their lines)
  and scripts: so no list, link check or warning changes;
- the output folder is exactly as the last build left it;
- the pages that hold those articles are few and each has its recipe.
"""

from __future__ import annotations

import io
import os
import pickle
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from generator import images, markup, render, shards, sitefiles
from generator.config import Office, SiteConfig
from generator.content import CONTENT_DIR, Article
from generator.incremental import fingerprints, prepared
from generator.incremental.cache import BuildCache, Written
from generator.incremental.publish import digests_memo, index_key, recall_index
from generator.incremental.unchanged import FileDigests, Summary, matches
from generator.page import Page
from generator.problems import Problem
from generator.sitefiles import SiteFiles
from generator.staging.patch import PatchStaging, finish_interrupted
from generator.staging.spare import listing
from generator.templatedirs import template_dirs
from generator.urls import Links, output_file

STATE_MEMO = "quick:"
SHARE = 0.1
"""A quick rebuild renders at most this share of the site's pages (else: full build)."""


@dataclass(frozen=True)
class State:
    """What the last full build into an output folder made every page with."""

    base_key: str
    """publish's base key: code, config, templates, globals, images, scheduled articles."""
    structure: str
    """fingerprints.structure_key of the published articles."""
    sets: dict[str, Any]
    """images.process's image sets, by source."""
    query_redirects: str
    """The home page's script for old ?p= links (sitefiles.query_redirect_script)."""
    future: tuple[str, ...]
    """Paths of the published articles dated after the build's `now` (--future)."""
    files: dict[str, str]
    """article_files of the build."""
    published: dict[str, str]
    """Path -> digest of each published article (as in fingerprints.PageIndex)."""
    summary: Summary
    site_files: SiteFiles
    """What the build's site-wide files were made of (sitefiles.plan)."""


Environment = Callable[[dict[str, Any], str], jinja2.Environment]
"""environment(image sets, query-redirect script) -> the Jinja environment of a build."""


@dataclass(frozen=True)
class Rebuilt:
    rendered: int
    changed: int
    summary: Summary


def article_reference(path: str) -> Article:
    """What a recipe holds in place of an article: unpack resolves it (see _Unpickler)."""
    raise pickle.UnpicklingError(f"article {path} outside a recipe")


def config_reference() -> SiteConfig:
    """What a recipe holds in place of the site config."""
    raise pickle.UnpicklingError("site config outside a recipe")


def office_reference(slug: str) -> Office:
    """What a recipe holds in place of one of the config's offices."""
    raise pickle.UnpicklingError(f"office {slug} outside a recipe")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, config: SiteConfig) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.config = config
        self.offices = config.office_by_slug

    # Not persistent_id, which pickle calls for every object (every route of a long
    # list's pagination): this is called for instances of classes only.
    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is Article:
            return article_reference, (obj.path,)
        if kind is Office and self.offices.get(obj.slug) is obj:
            return office_reference, (obj.slug,)
        if obj is self.config:
            return config_reference, ()
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, config: SiteConfig,
                 article: Callable[[str], Article]) -> None:
        super().__init__(file)
        self.config, self.article = config, article

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__:
            if name == article_reference.__name__:
                return self.article
            if name == office_reference.__name__:
                return self.config.office_by_slug.__getitem__
            if name == config_reference.__name__:
                return lambda: self.config
        return super().find_class(module, name)


SMALL = 2048
"""Recipes up to this size are kept as they are; longer ones (the pagination of a long
list repeats all its routes on each page) compressed."""


class Packer:
    """packer(page) -> the page's recipe, or None when its context cannot be pickled."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config

    def __call__(self, page: Page) -> bytes | None:
        # A new pickler each time: clearing one's memo costs as much as its biggest page
        # (the sitemap's) ever made it.
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, self.config).dump(page)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        data = buffer.getvalue()
        return b"z" + zlib.compress(data, 1) if len(data) > SMALL else b"p" + data


def unpack(recipe: bytes, config: SiteConfig, article: Callable[[str], Article]) -> Page:
    data = zlib.decompress(recipe[1:]) if recipe[:1] == b"z" else recipe[1:]
    page = _Unpickler(io.BytesIO(data), config, article).load()
    if not isinstance(page, Page):
        raise pickle.UnpicklingError("not a page")
    return page


def article_files(root: Path, digests: dict[str, str]) -> dict[str, str]:
    """Path (as Article.path has it) -> hash of each Markdown file under content/, of the
    hashes of unchanged.FileDigests (drafts, editor litter and all)."""
    cut = len(str(root)) + 1
    folder = os.path.join(str(root), CONTENT_DIR) + os.sep
    return {name[cut:].replace(os.sep, "/"): file_digest
            for name, file_digest in digests.items()
            if name.startswith(folder) and name.endswith(".md")}


def remember(cache: BuildCache, target: Path, frame: str, state: State | None) -> None:
    """Keeps the state of the last build into `target`; None: it cannot be rebuilt
    quickly (a build without a cache, which keeps no recipes)."""
    cache.memorize(STATE_MEMO + str(target), frame, state)


def rebuild(config: SiteConfig, target: Path, cache: BuildCache, files: FileDigests,
            frame: str, now: datetime, environment: Environment,
            base_key: Callable[[jinja2.Environment, dict[str, Any], Iterable[str]], str]
            ) -> Rebuilt | None:
    """Renders and publishes the pages holding the articles whose files changed; None
    (having touched nothing) when a full build is needed. `base_key(env, image sets,
    future articles)`: publish's base key, to check that every page is made as
    before."""
    state = cache.recall(STATE_MEMO + str(target), frame)
    if not isinstance(state, State):
        return None
    finish_interrupted(target)
    valid_until = state.summary.valid_until
    if valid_until is not None and now >= valid_until:
        return None
    current = article_files(config.root, files.digests)
    if current.keys() != state.files.keys():
        return None
    changed = {path: file_digest for path, file_digest in current.items()
               if state.files[path] != file_digest}
    if not changed or not changed.keys() <= state.published.keys():
        return None
    links = Links(config.site.base_url)
    fresh = _prepare_changed(config, links, cache, changed, state.published)
    if fresh is None:
        return None
    published = {**state.published, **{path: a.digest for path, a in fresh.items()}}
    index = recall_index(cache, target, index_key(state.base_key, state.structure))
    if index is None or index.digests != state.published:
        return None
    affected = index.affected(published)
    manifest = cache.manifest(target)
    present, _ = listing(target)
    if affected is None or not manifest or len(affected) > SHARE * len(manifest) or \
            not matches(present, manifest) or not affected <= manifest.keys():
        return None
    recipes = cache.recipes(target, ((file, manifest[file].fingerprint) for file in affected))
    if recipes.keys() != affected:
        return None
    env = environment(state.sets, state.query_redirects)
    if base_key(env, state.sets, state.future) != state.base_key:
        return None
    article = _articles(config, links, cache, fresh, state.sets, published)
    try:
        pages = [unpack(recipes[file], config, article) for file in sorted(affected)]
    except (pickle.UnpicklingError, zlib.error, KeyError, EOFError, AttributeError,
            TypeError, ValueError, ImportError):
        return None
    return _publish(target, pages, env, config, cache, manifest, present, state, fresh,
                    published, frame)


def _prepare_changed(config: SiteConfig, links: Links, cache: BuildCache,
                     changed: dict[str, str | None], published: dict[str, str]
                     ) -> dict[str, Article] | None:
    """The changed articles, read again, when each one differs from the version the last
    build published (`published`: digests by path) in its body only; None otherwise.
    Stores them in the cache."""
    key = prepared.parsed_key(config, links)
    before = cache.parsed_entries(key, changed)
    tools = prepared.Tools(config, links, markup.new_renderer())
    fresh: dict[str, Article] = {}
    rows = []
    for path, file_digest in changed.items():
        hit = before.get(path)
        old = prepared.unpack_prepared(hit[1]) if hit is not None else None
        made = prepared.prepare_one(tools, str(config.root / path), path)
        article = made.prepared.article
        if old is None or made.digest != file_digest or article is None:
            return None
        # The cache holds the last version read, which a failed build may have read.
        if old.article is None or old.article.digest != published[path] or \
                made.prepared.problems != old.problems or made.prepared.scan != old.scan:
            return None
        fresh[path] = article
        rows.append((path, made.digest, prepared.pack_prepared(made.prepared)))
    cache.store_parsed(key, rows)
    return fresh


def _articles(config: SiteConfig, links: Links, cache: BuildCache, fresh: dict[str, Article],
              sets: dict[str, Any], published: dict[str, str]) -> Callable[[str], Article]:
    """path -> the article as the full build would hold it (its images applied)."""
    key = prepared.parsed_key(config, links)
    loaded: dict[str, Article] = {}

    def article(path: str) -> Article:
        found = loaded.get(path)
        if found is None:
            found = loaded[path] = published_article(cache, key, path, published.get(path),
                                                     sets, links, fresh.get(path))
        return found

    return article


def published_article(cache: BuildCache, parsed_key: str, path: str, expected: str | None,
                      sets: dict[str, Any], links: Links, made: Article | None = None
                      ) -> Article:
    """The article at `path` as a full build holds it (its images applied): `made`, or
    the cache's; KeyError unless its digest is `expected`."""
    if made is None:
        hit = cache.parsed_entries(parsed_key, [path]).get(path)
        cached = prepared.unpack_prepared(hit[1]) if hit is not None else None
        made = cached.article if cached is not None else None
    if made is None or made.digest != expected:
        raise KeyError(path)
    return images.apply([made], sets, links)[0]


def _publish(target: Path, pages: list[Page], env: jinja2.Environment, config: SiteConfig,
             cache: BuildCache, manifest: dict[str, Written],
             present: dict[str, tuple[int, int, int]], state: State,
             fresh: dict[str, Article], published: dict[str, str], frame: str
             ) -> Rebuilt | None:
    render_one = render.jinja_renderer(env, template_dirs(config.root))
    prints = fingerprints.Fingerprints(state.base_key)
    made: dict[str, tuple[Page, bytes, str | None]] = {}
    for page in pages:
        result = render_one(page)
        if isinstance(result, Problem):
            return None  # the full build reports it
        made[output_file(page.route)] = (page, result, prints.page(page))
    staging = PatchStaging(target, present)
    bundle = shards.BUNDLE + "/"
    searched = bool(state.site_files.searched)
    try:
        for file in manifest.keys() - made.keys():
            # The search index is staged whole again below: what it no longer has goes.
            if not (searched and file.startswith(bundle)):
                staging.keep(file)
        for file, (_, data, _) in made.items():
            staging.write(file, data)
        # The output was checked above to be exactly what the last build wrote.
        sitefiles.write(staging, state.site_files, live_is_last_build=True)
        staging.commit()
    except BaseException:
        staging.rollback()
        raise
    written = {file: manifest[file] if file in manifest and file not in staging.staged
               else Written("", *staging.stats[file]) for file in staging.written}
    for file, (_, _, fingerprint) in made.items():
        written[file] = Written(fingerprint or "", *staging.stats[file])
    cache.store_manifest(target, written, manifest)
    cache.store_recipes(target, [(file, fingerprint, recipe)
                                 for file, (page, _, fingerprint) in made.items()
                                 if fingerprint is not None
                                 and (recipe := Packer(config)(page))])
    cache.prune_recipes(target)
    cache.memorize(*digests_memo(target, index_key(state.base_key, state.structure),
                                 published))
    files = {**state.files, **{path: article.digest for path, article in fresh.items()}}
    remember(cache, target, frame, replace(state, files=files, published=published))
    return Rebuilt(len(made), staging.changed, state.summary)

