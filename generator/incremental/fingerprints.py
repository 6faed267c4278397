"""Fingerprints: a hash of everything a page's bytes are made from, so an unchanged page
is neither rendered nor written; `structure_key` and `PageIndex` let a body-only edit
describe only the pages that hold the edited article."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

import jinja2

from generator import markup
from generator.content import Article
from generator.incremental.cache import digest
from generator.page import Page

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

