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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import content, markup, parallel
from generator.config import SiteConfig
from generator.content import Article
from generator.incremental.cache import BuildCache, digest
from generator.incremental.fingerprints import structure_token
from generator.messages import msg
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


@dataclass(frozen=True)
class Prepared:
    """One article file, parsed and rendered, as the cache keeps it."""

    article: Article | None
    """Its HTML and summary filled in; None when the file has errors."""
    problems: tuple[Problem, ...]
    scan: markup.Rendered | None
    """What markup found besides the HTML (which is left out)."""


@dataclass(frozen=True)
class Made:
    """One file prepared, by the process that read it."""

    digest: str | None
    """The hash of the file's bytes; None when it could not be read."""
    prepared: Prepared


@dataclass(frozen=True)
class Packed:
    """A Made as it comes back from a worker: pickled once, for the cache and the way
    back."""

    digest: str | None
    blob: bytes


@dataclass(frozen=True)
class Tools:
    """What preparing an article needs besides its file."""

    config: SiteConfig
    links: Links
    markdown: Any
    """A markup.new_renderer()."""


def prepare_articles(config: SiteConfig, links: Links, cache: BuildCache,
                     jobs: int | None = None, progress: Progress = no_progress,
                     digests: dict[str, str] | None = None,
                     helpers: Sequence[parallel.Forked] = ()
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
    todo = [Source(files[i], paths[i]) for i in missing]
    jobs = parallel.workers() if jobs is None else jobs
    done: list[Made]
    if jobs > 1 and len(todo) >= PARALLEL_MARKDOWN and parallel.can_fork():
        # Each worker stores what it made in the cache itself: the parent only reads.
        own = max(0, jobs - sum(helper.count for helper in helpers))
        pool = parallel.Forked(own or 1, None) if own or not helpers else None
        try:
            pools = [*helpers, *([pool] if pool is not None else [])]
            sent = deque(pools[number % len(pools)].submit(
                PrepareChunk(config, links, key, cache.file, tuple(chunk)))
                for number, chunk in enumerate(parallel.chunks(todo, parallel.CHUNK)))
            results = (Made(packed.digest, pickle.loads(packed.blob))
                       for chunk in parallel.in_turn(sent) for packed in chunk)
            done = list(progress(msg("Reading articles"), parallel.Sized(results, len(todo))))
        finally:
            if pool is not None:
                pool.close()
    else:
        tools = Tools(config, links, markup.new_renderer())
        done = [prepare_one(tools, source.name, source.path)
                for source in progress(msg("Reading articles"), todo)]
        cache.store_parsed(key, ((paths[index], made.digest, pack_prepared(made.prepared))
                                 for index, made in zip(missing, done, strict=True)
                                 if made.digest is not None))
    for index, made in zip(missing, done, strict=True):
        prepared[index] = made.prepared
    if len(known) != len(files) or done:
        cache.forget_parsed(key, set(paths))
    articles, scans = [], {}
    for result in prepared:
        assert result is not None
        problems += result.problems
        if result.article is not None and result.scan is not None:
            articles.append(result.article)
            scans[result.article.path] = result.scan
    return articles, problems, scans


def _file_digest(file: str) -> str | None:
    try:
        with open(file, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return None


def prepare_one(tools: Tools, name: str, path: str) -> Made:
    """Reads, parses and renders one article file."""
    config = tools.config
    file = Path(name)
    try:
        data = file.read_bytes()
    except OSError:
        article, found = content.load_file(file, config)  # reports the error
        return Made(None, Prepared(article, tuple(found), None))
    article, found = content.parse(data, path, config)
    if article is None:
        return Made(hashlib.blake2b(data, digest_size=16).hexdigest(),
                    Prepared(None, tuple(found), None))
    rendered = markup.render(tools.markdown, article, tools.links)
    # The HTML lives in the Article; kept once, in the cache too.
    return Made(article.digest, Prepared(
        markup.apply(article, rendered), tuple(found),
        dataclasses.replace(rendered, html="", summary="", structure=structure_token(article))))


def pack_prepared(value: Prepared) -> bytes:
    """A Prepared as the cache keeps it."""
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True)
class Source:
    name: str
    """The file's name, as found."""
    path: str
    """Its path from the site's root, as Article.path has it."""


@dataclass(frozen=True)
class PrepareChunk:
    """Files to prepare and keep in the cache, in a worker (parallel.Forked)."""

    config: SiteConfig
    links: Links
    key: str
    """parsed_key of the config and links."""
    cache_file: Path | None
    sources: tuple[Source, ...]

    def run(self, state: object, memo: dict[str, Any]) -> list[Packed]:
        """Prepares and caches the files; returns each one Packed. The worker's memo keeps
        its Markdown renderer and cache for the next chunk."""
        if memo.get("prepare-key") != self.key:
            memo["prepare-key"] = self.key
            memo["prepare-tools"] = Tools(self.config, self.links, markup.new_renderer())
            memo["prepare-cache"] = BuildCache.reopen(self.cache_file)
        tools, cache = memo["prepare-tools"], memo["prepare-cache"]
        done = [Packed(made.digest, pack_prepared(made.prepared)) for made in
                (prepare_one(tools, source.name, source.path) for source in self.sources)]
        cache.store_parsed(self.key, ((source.path, packed.digest, packed.blob)
                                      for source, packed in zip(self.sources, done, strict=True)
                                      if packed.digest is not None))
        return done


def _relative(name: str, prefix: str) -> str:
    """content._rel without pathlib's cost (files come from walking under the root)."""
    return name[len(prefix):].replace(os.sep, "/") if name.startswith(prefix) \
        else Path(name).as_posix()


def unpack_prepared(value: bytes) -> Prepared | None:
    """pack_prepared's Prepared, or None for an unreadable entry."""
    try:
        found = pickle.loads(value)
    except Exception:  # an unreadable entry is a miss, never an error
        return None
    return found if isinstance(found, Prepared) else None
