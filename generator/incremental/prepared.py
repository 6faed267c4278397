"""The content and markup stages with a memory: an article file whose bytes are unchanged
is neither parsed nor rendered again (the cache's `parsed` table), and the work of a
cold build is shared among the CPU cores. Each function gives what the plain stages
(content.parse, markup.render) would."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from generator import content, markup, parallel
from generator.config import SiteConfig
from generator.content import Article
from generator.incremental.cache import BuildCache, digest
from generator.incremental.fingerprints import structure_token
from generator.problems import Problem
from generator.progress import Progress, no_progress
from generator.urls import Links

PARALLEL_MARKDOWN = 200
"""Below this many files to prepare, a process pool costs more than it saves."""


def config_key(config: SiteConfig) -> str:
    """What parsing an article depends on besides its bytes: site.toml, as validated."""
    return digest(repr(config.site), repr(config.offices))


def parsed_key(config: SiteConfig, links: Links) -> str:
    """The key of the cache's parsed articles: what parsing and rendering one depends on
    besides its bytes."""
    return digest(config_key(config), links.base_url)


Prepared = tuple["Article | None", list[Problem], "markup.Rendered | None"]
"""One article file, parsed and rendered: the Article (its HTML and summary filled in),
the problems found, and what markup found besides the HTML (which is left out)."""

def prepare_articles(config: SiteConfig, links: Links, cache: BuildCache,
                     jobs: int | None = None, progress: Progress = no_progress,
                     digests: dict[str, str] | None = None,
                     helpers: Sequence[Executor] = ()
                     ) -> tuple[list[Article], list[Problem], dict[str, markup.Rendered]]:
    """content.parse and markup.render of every article file, drafts included. A file
    whose bytes are unchanged since it was last prepared comes from the cache; the
    others are read, parsed and rendered in one pass, in `jobs` processes when there are
    many (a cold build). `digests`: the files' hashes by path as a string, when just
    read (see unchanged.inputs_key), so that unchanged files are not read again.
    `helpers`: processes that are there already (lean.Workers), each of which takes the
    place of a worker of its own.
    Returns the articles, every problem, and each article's markup.Rendered by path."""
    digests = digests or {}
    key = parsed_key(config, links)
    files, problems = content.find_source_names(config.root)
    prefix = str(config.root) + os.sep
    paths = [_relative(file, prefix) for file in files]
    known = cache.parsed(key)
    prepared: list[Prepared | None] = []
    for file, path in zip(files, paths, strict=True):
        hit = known.get(path)
        result = None
        if hit is not None and hit[0] == (digests.get(file) or _file_digest(file)):
            result = unpack_prepared(hit[1])
        prepared.append(result)
    missing = [i for i, result in enumerate(prepared) if result is None]
    todo = [(files[i], paths[i]) for i in missing]
    jobs = parallel.workers() if jobs is None else jobs
    if jobs > 1 and len(todo) >= PARALLEL_MARKDOWN:
        # Each worker stores what it made in the cache itself: the parent only reads.
        setup = (config, links, key, cache.file)
        own = max(0, jobs - len(helpers))
        with ProcessPoolExecutor(own or 1, mp_context=get_context("fork")) as pool:
            executors = [*helpers, *[pool] * own]
            sent = deque(executors[number % len(executors)].submit(_prepare_chunk, setup, chunk)
                         for number, chunk in enumerate(parallel.chunks(todo, parallel.CHUNK)))
            results = ((file_digest, pickle.loads(blob))
                       for chunk in parallel.in_turn(sent) for file_digest, blob in chunk)
            done = list(progress("Membaca berita", parallel.Sized(results, len(todo))))
    else:
        tools = (config, links, markup.new_renderer())
        done = [prepare_one(tools, *item) for item in progress("Membaca berita", todo)]
        cache.store_parsed(key, ((paths[index], file_digest, pack_prepared(result))
                                 for index, (file_digest, result)
                                 in zip(missing, done, strict=True)
                                 if file_digest is not None))
    for index, (_, result) in zip(missing, done, strict=True):
        prepared[index] = result
    if len(known) != len(files) or done:
        cache.forget_parsed(key, set(paths))
    articles, scans = [], {}
    for result in prepared:
        assert result is not None
        article, found, scan = result
        problems += found
        if article is not None and scan is not None:
            articles.append(article)
            scans[article.path] = scan
    return articles, problems, scans


def _file_digest(file: str) -> str | None:
    try:
        with open(file, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None


def prepare_one(tools: tuple[SiteConfig, Links, Any], name: str, path: str
                ) -> tuple[str | None, Prepared]:
    """Reads, parses and renders one article file (`tools`: config, links and a
    markup.new_renderer()): (hash of the file's bytes, or None when unreadable; the
    prepared article)."""
    config, links, md = tools
    file = Path(name)
    try:
        data = file.read_bytes()
    except OSError:
        article, found = content.load_file(file, config)  # reports the error
        return None, (article, found, None)
    article, found = content.parse(data, path, config)
    if article is None:
        return hashlib.blake2b(data, digest_size=16).hexdigest(), (None, found, None)
    rendered = markup.render(md, article, links)
    # The HTML lives in the Article; kept once, in the cache too.
    return article.digest, (markup.apply(article, rendered), found,
                            dataclasses.replace(rendered, html="", summary="",
                                                structure=structure_token(article)))


def pack_prepared(value: Prepared) -> bytes:
    """A Prepared as the cache keeps it."""
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


# What each worker process of prepare_articles works with, made by its first chunk.
_worker_tools: tuple[SiteConfig, Links, Any] | None = None
_worker_cache: tuple[str, BuildCache] | None = None


def _prepare_chunk(setup: tuple[SiteConfig, Links, str, Path | None],
                   chunk: list[tuple[str, str]]) -> list[tuple[str | None, bytes]]:
    """Prepares and caches a chunk of files; returns (digest, pickled Prepared) of each:
    pickled once, for the cache and the way back to the parent."""
    global _worker_tools, _worker_cache
    config, links, key, cache_file = setup
    if _worker_cache is None or _worker_cache[0] != key or _worker_tools is None:
        _worker_tools = (config, links, markup.new_renderer())
        _worker_cache = (key, BuildCache.reopen(cache_file))
    done = [(file_digest, pack_prepared(prepared)) for file_digest, prepared in
            (prepare_one(_worker_tools, name, path) for name, path in chunk)]
    _, cache = _worker_cache
    cache.store_parsed(key, ((path, file_digest, blob)
                             for (_, path), (file_digest, blob) in zip(chunk, done, strict=True)
                             if file_digest is not None))
    return done


def _relative(name: str, prefix: str) -> str:
    """content._rel without pathlib's cost (files come from walking under the root)."""
    return name[len(prefix):].replace(os.sep, "/") if name.startswith(prefix) \
        else Path(name).as_posix()


def unpack_prepared(value: bytes) -> Any:
    """pack_prepared's Prepared, or None for an unreadable entry."""
    try:
        return pickle.loads(value)
    except Exception:  # an unreadable entry is a miss, never an error
        return None

