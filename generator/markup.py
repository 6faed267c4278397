"""Markdown -> HTML and a plain-text summary, with images resolved beside the article."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, replace

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from generator.content import Article, with_html
from generator.links import anchor_lines, hrefs
from generator.problems import Problem
from generator.rawhtml import script_findings
from generator.urls import Links, media_route

EXTENSIONS = ["tables", "attr_list", "sane_lists", "footnotes", "fenced_code", "md_in_html"]
SUMMARY_LENGTH = 300
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#|/)", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    """What the Markdown of one article became."""

    html: str
    summary: str
    images: tuple[str, ...]
    """Content-relative paths of local images the body shows."""
    links: tuple[str, ...]
    """Site-internal hrefs the body links to, for the link check."""
    anchors: tuple[tuple[str, int], ...] = ()
    """Every <a href> of the HTML (raw HTML included) with its source line, for
    links.broken_links."""
    scripts: tuple[tuple[str, int], ...] = ()
    """rawhtml.script_findings of the HTML: scanned once, with the Markdown, and cached."""
    image_lines: tuple[int, ...] = ()
    """The source line of each of `images`, for a warning when one is missing."""
    structure: str = ""
    """incremental.structure_token of the article, made once with it (cached)."""


class _Collector(Treeprocessor):
    """Rewrites local image sources to their published address and wraps lone images
    in <figure> with the Markdown title as caption."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.folder = ""
        self.links: Links | None = None
        self.images: list[str] = []
        self.hrefs: list[str] = []
        self.summary = ""

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            src = img.get("src", "")
            if src and not _EXTERNAL.match(src):
                local = posixpath.normpath(posixpath.join(self.folder, src))
                self.images.append(local)
                if self.links is not None and not local.startswith("../"):
                    img.set("src", self.links.href(media_route(local)))
            img.set("loading", "lazy")
            img.set("decoding", "async")
        for a in root.iter("a"):
            href = a.get("href", "")
            if href.startswith("/") and not href.startswith("//"):
                self.hrefs.append(href)
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and _lone_image(child) is not None:
                    parent[index] = _figure(_lone_image(child))
        for p in root.iter("p"):
            text = " ".join("".join(p.itertext()).split())
            if text:
                self.summary = text
                break


def _lone_image(p: etree.Element) -> etree.Element | None:
    children = list(p)
    if len(children) == 1 and children[0].tag == "img" and not (p.text or "").strip() \
            and not (children[0].tail or "").strip():
        return children[0]
    return None


def _figure(img: etree.Element) -> etree.Element:
    figure = etree.Element("figure")
    figure.append(img)
    caption = img.attrib.pop("title", "")
    if caption and not img.get("alt"):
        img.set("alt", caption)  # an image needs a text alternative; the caption is one
    if caption:
        figcaption = etree.SubElement(figure, "figcaption")
        figcaption.text = caption
    img.tail = None
    return figure


class _CollectorExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_Collector(md), "berita_collector", 1)


# Python-Markdown tries every inline pattern on every piece of text, and most text (plain
# sentences) matches none: about 40% of its time. Each of the patterns it registers for
# EXTENSIONS can only match where one of these characters is; text without any is
# returned as it is, exactly what the patterns would have left.
_INLINE_PATTERNS = frozenset({
    "backtick", "escape", "footnote", "reference", "link", "image_link", "image_reference",
    "short_reference", "short_image_ref", "autolink", "automail", "linebreak", "html",
    "entity", "em_strong", "em_strong2", "not_strong",
})
_INLINE_TRIGGER = re.compile(r"[`\\\[<&*_]|  \n")


class _QuickInline(InlineProcessor):
    """The inline stage, skipping text that no registered pattern can match."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, AtomicString) and _INLINE_TRIGGER.search(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]


def _inline_names(md: markdown.Markdown) -> set[str]:
    return {item.name for item in getattr(md.inlinePatterns, "_priority", [])}


def new_renderer() -> markdown.Markdown:
    """One Markdown instance per process: building one costs more than rendering a page."""
    md = markdown.Markdown(extensions=[*EXTENSIONS, _CollectorExtension()],
                           output_format="html")
    names = _inline_names(md)
    if names and names <= _INLINE_PATTERNS and "inline" in md.treeprocessors:
        index = md.treeprocessors.get_index_for_name("inline")
        priority = md.treeprocessors._priority[index].priority  # type: ignore[attr-defined]
        md.treeprocessors.register(_QuickInline(md), "inline", priority)
    return md


def render(md: markdown.Markdown, article: Article, links: Links) -> Rendered:
    collector: _Collector = md.treeprocessors["berita_collector"]  # type: ignore[assignment]
    collector.folder = article.directory
    collector.links = links
    collector.images, collector.hrefs, collector.summary = [], [], ""
    md.reset()
    html = md.convert(article.body)
    summary = article.summary or shorten(collector.summary)
    # Every line a warning may point at is found now: later stages have no source.
    return Rendered(html, summary, tuple(collector.images), tuple(collector.hrefs),
                    anchor_lines(article, hrefs(html)), script_findings(article, html),
                    tuple(_line_of(article, image) for image in collector.images))


def shorten(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Cuts at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


def apply(article: Article, rendered: Rendered) -> Article:
    """The article with its HTML and summary, without its Markdown (not needed past this
    stage: Rendered holds the source lines of what later stages warn about)."""
    return with_html(replace(article, summary=rendered.summary, body=""), rendered.html)


def image_problems(article: Article, rendered: Rendered, existing: set[str]) -> list[Problem]:
    """Warnings for images the body shows that are not in content/."""
    problems = []
    lines = rendered.image_lines or [_line_of(article, image) for image in rendered.images]
    for image, line in zip(rendered.images, lines, strict=True):
        if image not in existing:
            problems.append(Problem(article.path, line, "image",
                                    f"image not found: {image}",
                                    "a file beside the article or under content/", "warning"))
    return problems


def _line_of(article: Article, needle: str) -> int:
    name = posixpath.basename(needle)
    for offset, line in enumerate(article.body.split("\n")):
        if name in line:
            return article.body_line + offset
    return article.body_line
