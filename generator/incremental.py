"""Incremental and parallel versions of the slow stages, driven by the build cache.

- `prepare_articles`: content.parse and markup.render of each article file; a file whose
  bytes are unchanged is neither parsed nor rendered again, and the work of a cold
  build is shared among the CPU cores.
- `cached_related`: model.related_articles, reused while tags and order hold.
- `Fingerprints`: a hash of everything a page's bytes are made from, so an unchanged page
  is neither rendered nor written; `structure_key` and `PageIndex` let a body-only edit
  describe only the pages that hold the edited article.
- `render_pages`: renders the pages that need it, in this process and forked workers
  when many do.

The cache only ever saves work: each function gives what the plain stage would.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import date, datetime
from multiprocessing import get_context
from pathlib import Path, PurePath
from typing import Any, Protocol

import jinja2

from generator import content, markup, model
from generator.cache import BuildCache, digest
from generator.config import SiteConfig
from generator.content import Article
from generator.page import Page
from generator.problems import Problem
from generator.progress import Progress, no_progress
from generator.urls import Links

# Below these counts a process pool costs more than it saves.
PARALLEL_MARKDOWN = 200
PARALLEL_PAGES = 400
CHUNK = 64


def workers() -> int:
    """Worker processes to use: one per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def config_key(config: SiteConfig) -> str:
    """What parsing an article depends on besides its bytes: site.toml, as validated."""
    return digest(repr(config.site), repr(config.offices))


# Stage: content ------------------------------------------------------------------------

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
    jobs = workers() if jobs is None else jobs
    if jobs > 1 and len(todo) >= PARALLEL_MARKDOWN:
        # Each worker stores what it made in the cache itself: the parent only reads.
        setup = (config, links, key, cache.file)
        own = max(0, jobs - len(helpers))
        with ProcessPoolExecutor(own or 1, mp_context=get_context("fork")) as pool:
            executors = [*helpers, *[pool] * own]
            sent = deque(executors[number % len(executors)].submit(_prepare_chunk, setup, chunk)
                         for number, chunk in enumerate(_chunks(todo, CHUNK)))
            results = ((file_digest, pickle.loads(blob))
                       for chunk in _in_turn(sent) for file_digest, blob in chunk)
            done = list(progress("Membaca berita", Sized(results, len(todo))))
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


def _in_turn(sent: deque[Future[Any]]) -> Iterator[Any]:
    """The futures' results in order, each let go once read."""
    while sent:
        yield sent.popleft().result()


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


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


# Stage: model -------------------------------------------------------------------------

def cached_related(cache: BuildCache) -> model.Relate:
    """model.related_articles, reused while no article's order, path, story or tags
    changed (a typo fix or a new view count does not re-rank 10,000 articles)."""

    def relate(ordered: Sequence[Article]) -> dict[str, tuple[Article, ...]]:
        key = model.related_key(ordered)
        paths = cache.recall("related", key)
        by_path = {article.path: article for article in ordered}
        if isinstance(paths, dict) and paths.keys() == by_path.keys():
            try:
                return {path: tuple(by_path[other] for other in others)
                        for path, others in paths.items()}
            except KeyError:  # a stale entry: recompute
                pass
        related = model.related_articles(ordered)
        cache.memorize("related", key, {path: tuple(a.path for a in others)
                                        for path, others in related.items()})
        return related

    return relate


# Stage: pages -> fingerprints ------------------------------------------------------------

# Article fields that only the Markdown body decides: every other field may shape pages
# that do not hold the article itself (its date orders lists, its tags make tag pages).
_BODY_FIELDS = frozenset({"body", "body_line", "compressed_html", "summary", "digest",
                          "image_line"})


def structure_token(article: Article) -> str:
    """A hash of the article's fields that do not come from its Markdown body."""
    return digest(repr([getattr(article, name) for name in _structure_fields()]))


@functools.cache
def _structure_fields() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Article) if f.name not in _BODY_FIELDS)


def structure_key(articles: Sequence[Article], scans: dict[str, markup.Rendered]) -> str:
    """A hash of everything about the articles that decides which pages exist and what
    they hold, leaving out what comes from the Markdown body: while it is unchanged, a
    changed body changes only the pages that hold that article (see PageIndex).
    `scans` holds each article's structure_token, made by prepare_articles."""
    return digest(*[scans[a.path].structure for a in articles])


@dataclasses.dataclass(frozen=True)
class PageIndex:
    """Which output files hold which articles, as of the last build into an output folder,
    and the article digests they were made from. Remembered under a key of the page
    structure (structure_key and everything else pages are made of): when the next
    build has the same key, only the files holding an article whose digest changed
    need a new fingerprint; every other file's is the one in the manifest."""

    digests: dict[str, str]
    sources: dict[str, tuple[str, ...]]
    """Article path -> the output files whose context holds it."""

    def affected(self, digests: dict[str, str]) -> set[str] | None:
        """The files that hold a changed article; None when the articles are not the same
        ones (the index does not apply)."""
        if digests.keys() != self.digests.keys():
            return None
        files: set[str] = set()
        for path, file_digest in digests.items():
            if self.digests[path] != file_digest:
                files.update(self.sources.get(path, ()))
        return files


INLINE_ARTICLES = 32


class Unhashable(TypeError):
    """A context value the fingerprint does not know how to describe."""


class Fingerprints:
    """Hashes page contexts; objects shared among pages (an office's article list, the
    popular list) are described once, so the cost stays linear in the site's size."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.memo: dict[int, tuple[Any, str, frozenset[str]]] = {}
        self.paths: set[str] = set()
        """Paths of the articles the page being described holds (see `sources`)."""

    def page(self, page: Page) -> str | None:
        """The page's fingerprint; None when its context holds something unknown (then the
        page is always rendered)."""
        self.paths = set()
        try:
            parts: list[str] = [self.base, repr(page.route), repr(page.template)]
            self._describe(page.context, parts)
        except Unhashable:
            return None
        return _join_digest(parts)

    def sources(self) -> set[str]:
        """The articles the page last fingerprinted holds, anywhere in its context: the
        only ones whose Markdown can change its bytes (see PageIndex)."""
        return self.paths

    def _describe(self, value: Any, out: list[str]) -> None:
        kind = type(value)
        if kind is str:
            out.append("s" + repr(value))
        elif kind is Article:
            out.append(_article_token(value))
            self.paths.add(value.path)
        elif value is None or kind in (int, float, bool):
            out.append(f"{kind.__name__}:{value!r}")
        elif isinstance(value, datetime | date):
            out.append(f"D:{value.isoformat()}:{getattr(value, 'tzinfo', None)!s}")
        elif isinstance(value, PurePath):
            out.append(f"P:{value.as_posix()}")
        elif kind is dict:
            self._container(value, out)
        elif kind in (list, tuple) and len(value) <= INLINE_ARTICLES and \
                all(type(item) is Article for item in value):
            # A page's own slice of a list, an article's related ones: described in
            # place (cheaper than remembering them); long lists are remembered.
            out.append("L" + "".join([_article_token(item) for item in value]))
            self.paths.update(item.path for item in value)
        elif isinstance(value, list | tuple) or dataclasses.is_dataclass(value):
            out.append(self._shared(value))
        else:
            raise Unhashable(kind.__name__)

    def _shared(self, value: Any) -> str:
        """The description of an object many pages hold (a tag's articles, the popular
        list, an office), made once."""
        hit = self.memo.get(id(value))
        if hit is None or hit[0] is not value:
            outer, self.paths = self.paths, set()
            inner: list[str] = []
            try:
                self._container(value, inner)
            finally:
                found, self.paths = frozenset(self.paths), outer
            # Holding `value` keeps its id from being reused.
            hit = self.memo[id(value)] = (value, "M" + _join_digest(inner), found)
        self.paths.update(hit[2])
        return hit[1]

    def _container(self, value: Any, out: list[str]) -> None:
        describe = self._describe
        if isinstance(value, dict):
            out.append(f"{{{len(value)}")
            for key, item in value.items():
                # Inline for what most page contexts hold; `describe` for the rest.
                kind = type(item)
                if type(key) is not str:
                    describe(key, out)
                    describe(item, out)
                elif kind is str:
                    out.append(f"{key!r}=s{item!r}")
                elif kind is Article:
                    out.append(f"{key!r}={_article_token(item)}")
                    self.paths.add(item.path)
                else:
                    out.append(repr(key))
                    describe(item, out)
        elif isinstance(value, list | tuple):
            out.append(f"[{len(value)}")
            for item in value:
                describe(item, out)
        else:
            out.append(f"{type(value).__qualname__}(")
            for name in _field_names(type(value)):
                out.append(name)
                describe(getattr(value, name), out)
        out.append(")")


def _article_token(article: Article) -> str:
    # The file's bytes, its path and the config (in `base`) determine every field.
    return f"A{article.path!r}{article.digest}\x1e"


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(kind))


def globals_key(env: jinja2.Environment) -> str:
    """What every page can read besides its context: the environment's data globals (the
    functions are code, covered by code_key). Unknown values make a key of their own
    every build, so pages are then always rendered: slower, never stale."""
    parts: list[str] = []
    prints = Fingerprints("")
    for name in sorted(env.globals):
        value = env.globals[name]
        if callable(value) and not dataclasses.is_dataclass(value):
            continue
        parts.append(name)
        try:
            prints._describe(value, parts)
        except Unhashable:
            parts.append(os.urandom(16).hex())
    return _join_digest(parts)


def _join_digest(parts: list[str]) -> str:
    # Parts are reprs and hex digests: none holds the separator unescaped.
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


# Stage: render -------------------------------------------------------------------------

RenderOne = Callable[[Page], "bytes | Problem"]
Handle = Callable[[int, "bytes | Problem"], Any]
# What each render worker inherits from the parent (fork): the pages and what to do.
_worker_pages: tuple[Sequence[Page], RenderOne, Handle] | None = None


def render_pages(pages: Sequence[Page], render_one: RenderOne, handle: Handle,
                 jobs: int | None = None,
                 meanwhile: Callable[[], None] | None = None,
                 remote: Remote | None = None) -> Iterator[Any]:
    """handle(index, bytes or Problem) for each page, run where the page was rendered:
    when there are many pages, in `jobs` processes (this one and forked workers), so
    that the bytes are written there and only `handle`'s small result travels back.
    This process works too (one process fewer holds a copy of the site): the workers
    take chunks from the start, this process from the end, until they meet, reading the
    workers' results as they come. Results come in no particular order. `meanwhile` is
    called in this process once the workers have started, before any result comes.
    With `remote` (lean.Workers), its processes take the chunks from the start instead
    of forked copies of this one; what they return is what `handle` would."""
    global _worker_pages
    jobs = workers() if jobs is None else jobs
    if remote is not None and len(pages) >= PARALLEL_PAGES:
        yield from _render_remote(pages, render_one, handle, remote, meanwhile)
        return
    if jobs <= 1 or len(pages) < PARALLEL_PAGES or "fork" not in _start_methods():
        if meanwhile is not None:
            meanwhile()
        for index, page in enumerate(pages):
            yield handle(index, render_one(page))
        return
    _worker_pages = (pages, render_one, handle)
    try:
        with ProcessPoolExecutor(jobs - 1, mp_context=get_context("fork")) as pool:
            queued = deque((start, pool.submit(_render_chunk, start))
                           for start in range(0, len(pages), CHUNK))
            if meanwhile is not None:
                meanwhile()
            while queued:
                # What the workers finished is read (and let go) between this process's
                # own chunks: results waiting to be read are the biggest thing it holds.
                while queued and queued[0][1].done():
                    yield from queued.popleft()[1].result()
                if not queued:
                    break
                start, future = queued[-1]
                if future.cancel():
                    queued.pop()
                    yield from _render_chunk(start)
                else:  # a worker has it: the rest are theirs
                    yield from queued.popleft()[1].result()
    finally:
        _worker_pages = None


class Remote(Protocol):
    """Render processes of their own (lean.Workers)."""

    count: int

    def submit(self, pages: Sequence[Page]) -> Future[list[Any] | None] | None: ...

    def close(self) -> None: ...


AHEAD = 2
"""Chunks each remote worker has in hand, to start the next one at once."""
MEANWHILE = 24
"""Chunks each remote worker is sent before this process does `meanwhile` (at most
half of them): enough to keep it busy while this process describes the pages."""


def _render_remote(pages: Sequence[Page], render_one: RenderOne, handle: Handle,
                   remote: Remote, meanwhile: Callable[[], None] | None) -> Iterator[Any]:
    def local(start: int) -> list[Any]:
        return [handle(start + offset, render_one(page))
                for offset, page in enumerate(pages[start : start + CHUNK])]

    front, back = 0, (len(pages) + CHUNK - 1) // CHUNK
    sent: deque[tuple[int, Future[list[Any] | None]]] = deque()

    def send(ahead: int) -> Iterator[Any]:
        nonlocal front
        while len(sent) < ahead and front < back:
            start, front = front * CHUNK, front + 1
            future = remote.submit(pages[start : start + CHUNK])
            if future is None:  # a page without a recipe: rendered here
                yield from local(start)
            else:
                sent.append((start, future))

    def collect() -> list[Any]:
        start, future = sent.popleft()
        results = future.result()
        return local(start) if results is None else results

    if meanwhile is not None:
        yield from send(min(MEANWHILE * remote.count, back // 2))
        meanwhile()
    while sent or front < back:
        while sent and sent[0][1].done():
            yield from collect()
        yield from send(AHEAD * remote.count)
        if front < back:
            back -= 1
            yield from local(back * CHUNK)
        elif sent:
            yield from collect()
    remote.close()  # the last page is made: what the workers hold goes now, not at the end


def _start_methods() -> list[str]:
    from multiprocessing import get_all_start_methods
    return get_all_start_methods()


def _render_chunk(start: int) -> list[Any]:
    assert _worker_pages is not None
    pages, render_one, handle = _worker_pages
    return [handle(start + offset, render_one(page))
            for offset, page in enumerate(pages[start : start + CHUNK])]


def jinja_renderer(env: jinja2.Environment, dirs: list[Path]) -> RenderOne:
    """render.render_all's per-page behaviour as a function of one page."""
    from generator import render

    def render_one(page: Page) -> bytes | Problem:
        for _, result in render.render_all(env, [page], dirs):
            return result
        raise AssertionError("render_all yields one result per page")

    return render_one


def stat_key(files: Iterable[tuple[str, Path]]) -> str:
    """A fingerprint of copied files (static, media) by name, size and mtime."""
    parts: list[str] = []
    for name, source in files:
        try:
            info = source.stat()
        except OSError:
            parts.append(f"{name}:missing")
            continue
        parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return digest(*parts)


class Sized:
    """An iterator with a known length, for a progress bar."""

    def __init__(self, items: Iterable, length: int) -> None:
        self.items, self.length = items, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator:
        return iter(self.items)
