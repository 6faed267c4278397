"""Page weight: what a reader downloads for a page before images (HTML + CSS + JS), and
the budget it must stay under; also finds requests to other hosts (there must be none).

Works on a built output folder, so `berita build --verbose` and `berita check` measure
exactly what is published.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.messages import DEFAULT_LANGUAGE, msg, msg_n, say
from generator.problems import Problem

BUDGET = 30 * 1024
"""Bytes of HTML + CSS + JS an article page may weigh, uncompressed."""
IGNORED = ("pagefind/", "admin/")
"""Folders that are not pages readers read: the search index, the web editor."""
_RESOURCE_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest",
                  "apple-touch-icon"}
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")


@dataclass(frozen=True)
class PageWeight:
    """Bytes one page costs before images."""

    page: str
    """Output file, relative to the output folder, e.g. "berita/x/index.html"."""
    html: int
    css: int
    js: int
    third_party: tuple[str, ...] = ()
    """Addresses on other hosts the page (or its CSS) would request."""

    @property
    def total(self) -> int:
        return self.html + self.css + self.js

    @property
    def is_article(self) -> bool:
        return self.page.startswith("berita/")


class _Resources(HTMLParser):
    """Collects what a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.css: list[str] = []
        self.js: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.js.append(a["src"])
        elif tag == "link" and _RESOURCE_RELS & set(a.get("rel", "").lower().split()):
            (self.css if "stylesheet" in a["rel"].lower() else self.other).append(
                a.get("href", ""))
        elif tag in ("img", "iframe", "video", "audio", "source", "embed"):
            self.other += [a[k] for k in ("src", "poster") if a.get(k)]
            for candidate in a.get("srcset", "").split(","):
                if candidate.strip():
                    self.other.append(candidate.split()[0])


def is_third_party(address: str) -> bool:
    parts = urlsplit(address)
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob")


def _candidates(href: str) -> Iterator[str]:
    """The site files a root-relative href may name, whatever the site's sub-path: its
    path with leading segments dropped one by one."""
    segments = [s for s in unquote(urlsplit(href).path).split("/") if s]
    for start in range(len(segments)):
        yield "/".join(segments[start:])


def _local_file(output: Path, href: str) -> Path | None:
    """The output file a root-relative href points at."""
    return next((output / name for name in _candidates(href) if (output / name).is_file()),
                None)


def measure(output: Path, page: Path) -> PageWeight:
    html = page.read_bytes()
    parser = _Resources()
    parser.feed(html.decode("utf-8", errors="replace"))
    foreign = [a for a in parser.css + parser.js + parser.other if is_third_party(a)]
    sizes = {}
    for kind, hrefs in (("css", parser.css), ("js", parser.js)):
        files = {f for h in hrefs if not is_third_party(h) and (f := _local_file(output, h))}
        sizes[kind] = sum(f.stat().st_size for f in files)
        if kind == "css":
            for file in files:
                text = file.read_text(encoding="utf-8", errors="replace")
                foreign += [u for u in _CSS_URL.findall(text) if is_third_party(u)]
    return PageWeight(page.relative_to(output).as_posix(), len(html), sizes["css"],
                      sizes["js"], tuple(dict.fromkeys(foreign)))


def page_weights(output: Path) -> list[PageWeight]:
    """The weight of every HTML page in a built output folder, in path order."""
    pages = []
    for page in sorted(output.rglob("*.html")):
        relative = page.relative_to(output).as_posix()
        if not relative.startswith(IGNORED):
            pages.append(measure(output, page))
    return pages


def budget_problems(weights: Iterable[PageWeight], budget: int = BUDGET) -> list[Problem]:
    """Pages over the budget and pages that would fetch from other hosts (warnings)."""
    problems = []
    for weight in weights:
        if weight.total > budget:
            problems.append(_heavy(weight, budget))
        for address in weight.third_party:
            problems.append(Problem(weight.page, None, "third-party",
                                    msg("the page requests {address} from another host",
                                        address=address),
                                    msg("only files of this site"), "warning"))
    return problems


def over_budget(files: Iterable[str], size: Callable[[str], int],
                read: Callable[[str], bytes], budget: int = BUDGET) -> list[Problem]:
    """Pages of a staged site (its `files`, their `size` and bytes) that weigh more than
    `budget`: warnings, counted like any other. Only a page whose HTML together with
    every stylesheet and script of the site could pass the budget is read, so a build
    reads almost none of its pages."""
    files = sorted(files)
    assets = {file: size(file) for file in files
              if file.endswith((".css", ".js")) and not file.startswith(IGNORED)}
    ceiling = sum(assets.values())
    problems = []
    for file in files:
        if not file.endswith(".html") or file.startswith(IGNORED):
            continue
        html = size(file)
        if html + ceiling <= budget:
            continue
        try:
            page = read(file)
        except (KeyError, OSError):  # not kept to be read: weighed as if it used them all
            weight = PageWeight(file, html, ceiling, 0)
        else:
            parser = _Resources()
            parser.feed(page.decode("utf-8", errors="replace"))
            weight = PageWeight(file, html, _total(parser.css, assets),
                                _total(parser.js, assets))
        if weight.total > budget:
            problems.append(_heavy(weight, budget))
    return problems


def _total(hrefs: list[str], assets: dict[str, int]) -> int:
    return sum(assets[found] for found in {_asset(href, assets) for href in hrefs} if found)


def _asset(href: str, assets: dict[str, int]) -> str | None:
    """The site file a root-relative href names, whatever the site's sub-path."""
    if is_third_party(href):
        return None
    return next((name for name in _candidates(href) if name in assets), None)


def _heavy(weight: PageWeight, budget: int) -> Problem:
    return Problem(weight.page, None, "weight",
                   msg("page weighs {total} before images (HTML {html}, CSS {css}, JS {js})",
                       total=kb(weight.total), html=kb(weight.html), css=kb(weight.css),
                       js=kb(weight.js)),
                   msg("at most {budget}", budget=kb(budget)), "warning")


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def report(weights: list[PageWeight], budget: int = BUDGET,
           language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Lines for `berita build --verbose`, in `language`: the heaviest pages and every
    problem."""
    if not weights:
        return []
    lines = [say(msg("page weight (HTML + CSS + JS, before images; budget {budget}):",
                     budget=kb(budget)), language)]
    articles = [w for w in weights if w.is_article]
    heaviest = sorted(weights, key=lambda w: (-w.total, w.page))[:5]
    for weight in heaviest:
        lines.append(f"  {kb(weight.total):>9}  {weight.page}  (HTML {kb(weight.html)}, "
                     f"CSS {kb(weight.css)}, JS {kb(weight.js)})")
    if articles:
        average = sum(w.total for w in articles) / len(articles)
        lines.append("  " + say(msg_n(
            "articles: {count} page, {average} on average, the heaviest {heaviest}",
            "articles: {count} pages, {average} on average, the heaviest {heaviest}",
            len(articles), average=kb(round(average)),
            heaviest=kb(max(w.total for w in articles))), language))
    # Pages over the budget are warnings of the build itself (over_budget), counted there.
    lines += [problem.describe(language) for problem in budget_problems(weights, budget)
              if problem.field != "weight"]
    return lines
