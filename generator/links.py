"""The internal-link check: every link in an article body that points into this site
must lead to a file the build publishes.

Links are read with a real HTML parser from the rendered body and resolved as a
browser would from the article's own address (`/berita/<slug>/`). A link to a
Markdown file (`../2023/rakor.md`) is resolved against content/ instead, the way
operators see their folders: it is reported with the address to write instead
(the published site has no .md files), or as broken when no published article
is that file.
A broken link is a warning with the file and line (an error under --strict).
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Mapping, Sequence
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from generator.content import Article
from generator.messages import msg
from generator.problems import Problem
from generator.urls import Links, output_file, route

EXPECTED = msg("the address of a page of this site, e.g. /berita/<slug>/")


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


def hrefs(html: str) -> list[str]:
    """Every <a href> of an HTML fragment, in order."""
    if "href" not in html.lower():
        return []
    parser = _Hrefs()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def _published(route_path: str, written: Collection[str]) -> bool:
    """A site-relative route answers if its file (or its folder's index.html) is written."""
    if route_path == "" or route_path.endswith("/"):
        return output_file(route_path) in written
    return route_path in written or route_path + "/index.html" in written


def resolve(href: str, article: Article, links: Links) -> tuple[str, str] | None:
    """What an internal href leads to: ("source", content path) for a link to a .md file,
    ("route", site-relative route) otherwise; None when the href is not internal
    (another site, mailto:, a fragment of the same page...)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        base = links.base_path
        if not (path + "/").startswith(base):
            return None  # another site on the same host: not ours to check
        return "route", path[len(base):]
    if path.endswith(".md"):
        return "source", posixpath.normpath(posixpath.join(posixpath.dirname(article.path),
                                                           path))
    own = route("article", slug=article.slug)
    # Like a browser, "/.." stays at the root.
    joined = posixpath.normpath(posixpath.join("/" + own, path)).lstrip("/")
    return "route", joined + "/" if path.endswith("/") and joined else joined


def anchor_lines(article: Article, found: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Each href with the line of the Markdown source that holds it (the body's first
    line when none does)."""
    if not found:
        return ()
    lines = article.body.split("\n")
    return tuple((href, next((article.body_line + n for n, text in enumerate(lines)
                              if href in text), article.body_line)) for href in found)


def broken_links(articles: Iterable[Article], written: Collection[str],
                 links: Links, anchors: Mapping[str, Sequence[tuple[str, int]]] | None = None
                 ) -> list[Problem]:
    """Warnings for body links into this site that lead to nothing published
    (`anchors`: each article's anchor_lines by path, when already known)."""
    articles = list(articles)
    sources = {a.path: a for a in articles}
    problems = []
    for article in articles:
        found = anchors.get(article.path) if anchors is not None else None
        if found is None:
            found = anchor_lines(article, hrefs(article.html))
        for href, line in found:
            target = resolve(href, article, links)
            if target is None:
                continue
            kind, where = target
            expected = EXPECTED
            if kind == "source":
                if where in sources:
                    # The published site has no .md files: the reader would get a 404.
                    message = msg("link to the Markdown file {href}, not to the article's "
                                  "page", href=href)
                    expected = links.url("article", slug=sources[where].slug)
                else:
                    message = msg("link to an article that does not exist or is not "
                                  "published: {href}", href=href)
            elif _published(where, written):
                continue
            else:
                message = msg("link to a page that does not exist: {href}", href=href)
            problems.append(Problem(article.path, line, "link", message, expected, "warning"))
    return problems
