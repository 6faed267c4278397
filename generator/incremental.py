"""Incremental and parallel versions of the slow stages, driven by the build cache.

- `load_articles`: content.load, but a file whose bytes are unchanged is not re-parsed.
- `render_markdown`: markup for each article, cached by the Markdown's hash; the misses
  of a cold build are shared among the CPU cores.
- `fingerprint`: a hash of everything a page's bytes are made from, so an unchanged page
  is neither rendered nor written (its file is hard-linked from the previous output).
- `render_pages`: renders the pages that need it, in worker processes when many do.

The cache only ever saves work: each function gives what the plain stage would.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from multiprocessing import get_context
from pathlib import Path, PurePath
from typing import Any

import jinja2

from generator import content, markup, model
from generator.cache import BuildCache, digest
from generator.config import SiteConfig
from generator.content import Article
from generator.pages import Page
from generator.problems import Problem
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

Progress = Callable[[str, Sequence], Iterable]
"""progress(label, items) -> the same items, reporting as they are consumed."""


def no_progress(label: str, items: Sequence) -> Iterable:
    return items


def load_articles(config: SiteConfig, cache: BuildCache, progress: Progress = no_progress,
                  digests: dict[str, str] | None = None
                  ) -> tuple[list[Article], list[Problem]]:
    """content.load, reusing the parse of every file whose bytes did not change
    (`digests`: the files' hashes by path as a string, when just read; see
    unchanged.inputs_key)."""
    digests = digests or {}
    key = config_key(config)
    files, problems = content.find_sources(config.root)
    prefix = str(config.root) + os.sep
    known = cache.parsed(key)
    articles: list[Article] = []
    fresh: list[tuple[str, str, Any]] = []
    for file in progress("Membaca berita", files):
        path = _relative(file, prefix)
        hit = known.get(path)
        result = None
        if hit is not None and hit[0] == digests.get(str(file)):
            result = _unpickle(hit[1])  # unchanged since inputs_key read it: not read again
        if result is None:
            try:
                data = file.read_bytes()
            except OSError:
                result = content.load_file(file, config)  # reports the error
            else:
                file_digest = hashlib.blake2b(data, digest_size=16).hexdigest()
                if hit is not None and hit[0] == file_digest:
                    result = _unpickle(hit[1])
                if result is None:
                    result = content.parse(data, path, config)
                    fresh.append((path, file_digest, result))
        article, found = result
        problems += found
        if article is not None:
            articles.append(article)
    if fresh:
        cache.store_parsed(key, fresh)
    if len(known) != len(files) or fresh:
        cache.forget_parsed(key, {_relative(file, prefix) for file in files})
    return articles, problems


def _relative(file: Path, prefix: str) -> str:
    """content._rel without pathlib's cost (files come from walking under the root)."""
    name = str(file)
    return name[len(prefix):].replace(os.sep, "/") if name.startswith(prefix) else file.as_posix()


def _unpickle(value: bytes) -> Any:
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


# Stage: markup -------------------------------------------------------------------------

def markup_key(article: Article, links: Links) -> str:
    """What an article's HTML depends on: its file's bytes, its folder (images) and the
    base URL (image addresses)."""
    return digest(article.digest, article.directory, links.base_url)


def render_markdown(articles: list[Article], links: Links, cache: BuildCache,
                    jobs: int | None = None, progress: Progress = no_progress
                    ) -> list[markup.Rendered]:
    """markup.render for each article (same order), from the cache where possible and in
    `jobs` processes when many are missing."""
    keys = [markup_key(article, links) for article in articles]
    known = cache.markup(keys)
    missing = [i for i, key in enumerate(keys) if key not in known]
    jobs = workers() if jobs is None else jobs
    todo = [articles[i] for i in missing]
    if jobs > 1 and len(todo) >= PARALLEL_MARKDOWN:
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork"),
                                 initializer=_start_markdown_worker,
                                 initargs=(links,)) as pool:
            results = (r for chunk in pool.map(_markdown_chunk, _chunks(todo, CHUNK))
                       for r in chunk)
            done = list(progress("Mengubah Markdown", Sized(results, len(todo))))
    else:
        md = markup.new_renderer()
        done = [markup.render(md, article, links)
                for article in progress("Mengubah Markdown", todo)]
    fresh = {keys[i]: result for i, result in zip(missing, done, strict=True)}
    if fresh:
        cache.store_markup(fresh.items())
    known.update(fresh)
    if fresh or len(known) != len(set(keys)):
        cache.forget_markup(set(keys))
    return [known[key] for key in keys]


# One Markdown instance per worker process: set by the pool's initializer, used only there.
_worker_markdown: tuple[Any, Links] | None = None


def _start_markdown_worker(links: Links) -> None:
    global _worker_markdown
    _worker_markdown = (markup.new_renderer(), links)


def _markdown_chunk(chunk: list[Article]) -> list[markup.Rendered]:
    assert _worker_markdown is not None
    md, links = _worker_markdown
    return [markup.render(md, article, links) for article in chunk]


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# Stage: pages -> fingerprints ------------------------------------------------------------

class Unhashable(TypeError):
    """A context value the fingerprint does not know how to describe."""


class Fingerprints:
    """Hashes page contexts; objects shared among pages (an office's article list, the
    popular list) are described once, so the cost stays linear in the site's size."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.memo: dict[int, tuple[Any, str]] = {}

    def page(self, page: Page) -> str | None:
        """The page's fingerprint; None when its context holds something unknown (then the
        page is always rendered)."""
        try:
            parts: list[str] = [self.base, repr(page.route), repr(page.template)]
            self._describe(page.context, parts)
        except Unhashable:
            return None
        return _join_digest(parts)

    def _describe(self, value: Any, out: list[str]) -> None:
        kind = type(value)
        if kind is Article:
            out.append(self._shared(value))
        elif value is None or kind in (str, int, float, bool):
            out.append(f"{kind.__name__}:{value!r}")
        elif isinstance(value, datetime | date):
            out.append(f"D:{value.isoformat()}:{getattr(value, 'tzinfo', None)!s}")
        elif isinstance(value, PurePath):
            out.append(f"P:{value.as_posix()}")
        elif kind is dict:
            self._container(value, out)
        elif isinstance(value, list | tuple) or dataclasses.is_dataclass(value):
            out.append(self._shared(value))
        else:
            raise Unhashable(kind.__name__)

    def _shared(self, value: Any) -> str:
        """The description of an object many pages hold (an article, a list), made once."""
        hit = self.memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if type(value) is Article:
            # The file's bytes, its path and the config (in `base`) determine every field.
            text = f"A{value.path!r}{value.digest}"
        elif type(value) in (list, tuple) and all(type(item) is Article for item in value):
            text = "L" + _join_digest([self._shared(item) for item in value])
        else:
            inner: list[str] = []
            self._container(value, inner)
            text = "M" + _join_digest(inner)
        self.memo[id(value)] = (value, text)  # holding `value` keeps its id from being reused
        return text

    def _container(self, value: Any, out: list[str]) -> None:
        if isinstance(value, dict):
            out.append(f"{{{len(value)}")
            describe = self._describe
            for key, item in value.items():
                if type(key) is str and type(item) is str:  # most of a page's context
                    out.append(f"str:{key!r}=str:{item!r}")
                    continue
                describe(key, out)
                describe(item, out)
        elif isinstance(value, list | tuple):
            out.append(f"[{len(value)}")
            for item in value:
                self._describe(item, out)
        else:
            out.append(f"{type(value).__qualname__}(")
            for name in _field_names(type(value)):
                out.append(name)
                self._describe(getattr(value, name), out)
        out.append(")")


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
                 jobs: int | None = None) -> Iterator[Any]:
    """handle(index, bytes or Problem) for each page, in order, run where the page was
    rendered: in forked worker processes when there are many pages, so that the bytes
    are written there and only `handle`'s small result travels back."""
    global _worker_pages
    jobs = workers() if jobs is None else jobs
    if jobs <= 1 or len(pages) < PARALLEL_PAGES or "fork" not in _start_methods():
        for index, page in enumerate(pages):
            yield handle(index, render_one(page))
        return
    _worker_pages = (pages, render_one, handle)
    try:
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
            for chunk in pool.map(_render_chunk, range(0, len(pages), CHUNK)):
                yield from chunk
    finally:
        _worker_pages = None


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
