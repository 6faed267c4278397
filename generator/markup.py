"""Markdown -> HTML and a plain-text summary, with images resolved beside the article."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, replace

import markdown
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.md_in_html import HtmlBlockPreprocessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, Treeprocessor, UnescapeTreeprocessor
from markdown.util import ETX, STX, AtomicString

from generator.content import Article, with_html
from generator.links import anchor_lines, hrefs
from generator.messages import msg
from generator.problems import Problem
from generator.rawhtml import script_findings
from generator.urls import Links, media_route

EXTENSIONS = ["tables", "attr_list", "sane_lists", "footnotes", "fenced_code", "md_in_html"]
SUMMARY_LENGTH = 300
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#|/)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
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
    """fingerprints.structure_token of the article, made once with it (cached)."""


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
        images = False
        for img in root.iter("img"):
            images = True
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
        for parent in list(root.iter()) if images else ():  # a figure needs an image
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
# "  \n" (a hard line break) is looked for apart: an alternative in the character search
# would make it several times slower.
_INLINE_TRIGGER = re.compile(r"[`\\\[<&*_]")


def _plain_text(data: str) -> bool:
    """Text that no registered pattern can match, without placeholders."""
    return not isinstance(data, AtomicString) and _INLINE_TRIGGER.search(data) is None \
        and "  \n" not in data and STX not in data


class _QuickInline(InlineProcessor):
    """The inline stage, skipping text that no registered pattern can match."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, AtomicString) and _INLINE_TRIGGER.search(data) is None \
                and "  \n" not in data:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        """InlineProcessor.run, leaving plain text where it is: the patterns would give it
        back unchanged and its placeholders step would put it back where it was."""
        self.stashed_nodes: dict[str, etree.Element | str] = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = [(tree, tree_parents)]
        self._InlineProcessor__build_ancestors(tree, tree_parents)  # type: ignore[attr-defined]
        handle = self._InlineProcessor__handleInline
        placeholders = self._InlineProcessor__processPlaceholders  # type: ignore[attr-defined]
        while stack:
            current, parents = stack.pop(0)
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            insert_queue = []
            for child in current:
                text = child.text
                if text and not isinstance(text, AtomicString) and not _plain_text(text):
                    self.ancestors.append(child.tag.lower())
                    child.text = None
                    found = placeholders(handle(text), child)
                    for item in found:
                        self.parent_map[item[0]] = child
                    stack += found
                    insert_queue.append((child, found))
                    self.ancestors.pop()
                tail = child.tail
                if tail and not _plain_text(tail):
                    tail = handle(tail)
                    dummy = etree.Element("d")
                    child.tail = None
                    tail_result = placeholders(tail, dummy, False)
                    if dummy.tail:
                        child.tail = dummy.tail
                    position = list(current).index(child) + 1
                    tail_result.reverse()
                    for new_child in tail_result:
                        self.parent_map[new_child[0]] = current
                        current.insert(position, new_child[0])
                if len(child):
                    self.parent_map[child] = current
                    stack.append((child, self.ancestors[:]))
            for element, found in insert_queue:
                for index, item in enumerate(found):
                    element.insert(index, item[0])
        return tree


def _inline_names(md: markdown.Markdown) -> set[str]:
    return {item.name for item in getattr(md.inlinePatterns, "_priority", [])}


# The other stages, like the inline one, mostly look for what a news article never has:
# each quick stage below does exactly what Python-Markdown's does, skipping the work when
# the text lacks every character that work could act on. The normalized source text
# (what the block parser is given) tells the tree stages what the document can hold.

class _QuickWhitespace(NormalizeWhitespace):
    """NormalizeWhitespace, without its costly search for blank lines of spaces when no
    line starts with a space; keeps the text for the stages after it. A copy of its code
    (Python-Markdown 3.11): test_markup's comparison with plain Python-Markdown is what
    tells if a new version changes it."""

    source = ""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(STX, "").replace(ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if "\n " in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        self.source = source
        return source.split("\n")


def _source(md: markdown.Markdown) -> str:
    whitespace: _QuickWhitespace = md.preprocessors["normalize_whitespace"]  # type: ignore
    return whitespace.source


class _QuickFenced(FencedBlockPreprocessor):
    """A fenced block needs a line starting with ``` or ~~~."""

    def run(self, lines: list[str]) -> list[str]:
        text = _source(self.md)
        if "```" not in text and "~~~" not in text:
            return lines
        return super().run(lines)


# html.parser passes text without "<" through as data; of "&" it only rewrites an entity
# or character reference, which starts "&" + a letter or "#".
_REFERENCE = re.compile(r"&[a-zA-Z#]")


class _QuickHtmlBlock(HtmlBlockPreprocessor):
    """Raw HTML is stashed by an HTML parser: text without any gives back its lines."""

    def run(self, lines: list[str]) -> list[str]:
        text = _source(self.md)
        if "<" not in text and ("&" not in text or _REFERENCE.search(text) is None):
            return lines
        return super().run(lines)


# A block every processor but the paragraph one rejects: not empty, no line starting with
# a space, a tab or a character that opens a header, rule, list, quote, footnote or
# reference definition (or an HTML placeholder), and no "|" (tables). Searched for in
# parts: one pattern with these alternatives costs twenty times more.
_SPECIAL_START = re.compile(r"[ \t\n\x02\-#=_*+>\[\d]")
_SPECIAL_LINE = re.compile(r"\n[ \t\-#=_*+>\[\d]")


def _plain_paragraph(block: str) -> bool:
    return bool(block) and _SPECIAL_START.match(block) is None and "|" not in block and \
        ("\n" not in block or _SPECIAL_LINE.search(block) is None)


_BLOCK_PROCESSORS = ("markdown_block", "empty", "indent", "code", "table", "hashheader",
                     "setextheader", "hr", "olist", "ulist", "quote", "footnote",
                     "reference", "paragraph")


class _QuickBlockParser(BlockParser):
    """Gives a plain paragraph straight to the paragraph processor, which is what the
    tests of all the others (each false for it) would come to."""

    def parseBlocks(self, parent: etree.Element, blocks: list[str]) -> None:
        paragraph = self.blockprocessors["paragraph"]
        processors = None
        while blocks:
            if _plain_paragraph(blocks[0]):
                paragraph.run(parent, blocks)
                continue
            # no processor registers another while parsing: the list is made once
            processors = processors or list(self.blockprocessors)
            for processor in processors:
                if processor.test(parent, blocks[0]) and \
                        processor.run(parent, blocks) is not False:
                    break


class _QuickAttrList(AttrListTreeprocessor):
    """Attribute lists are written in braces."""

    def run(self, doc: etree.Element) -> None:
        if "{" in _source(self.md):
            super().run(doc)


class _QuickUnescape(UnescapeTreeprocessor):
    """Only a backslash escape leaves what this restores."""

    def run(self, root: etree.Element) -> None:
        if "\\" in _source(self.md):
            super().run(root)


def _names(registry: markdown.util.Registry) -> list[str]:
    """The names in the order the items run."""
    registry._sort()  # type: ignore[attr-defined]
    return [item.name for item in registry._priority]  # type: ignore[attr-defined]


def _quicken(md: markdown.Markdown) -> None:
    """Swaps in the quick stages, each only over the exact class it stands for, and only
    all of them together: the source text they rely on is kept by the first."""
    swaps = [(md.preprocessors, "normalize_whitespace", NormalizeWhitespace, _QuickWhitespace),
             (md.preprocessors, "fenced_code_block", FencedBlockPreprocessor, _QuickFenced),
             (md.preprocessors, "html_block", HtmlBlockPreprocessor, _QuickHtmlBlock),
             (md.treeprocessors, "attr_list", AttrListTreeprocessor, _QuickAttrList),
             (md.treeprocessors, "unescape", UnescapeTreeprocessor, _QuickUnescape)]
    if _names(md.preprocessors)[:1] != ["normalize_whitespace"] or \
            any(name not in registry or type(registry[name]) is not plain
                for registry, name, plain, _ in swaps):
        return
    for registry, name, _, quick in swaps:
        registry[name].__class__ = quick
    if type(md.parser) is BlockParser and \
            tuple(_names(md.parser.blockprocessors)) == _BLOCK_PROCESSORS:
        md.parser.__class__ = _QuickBlockParser


def new_renderer() -> markdown.Markdown:
    """One Markdown instance per process: building one costs more than rendering a page."""
    md = markdown.Markdown(extensions=[*EXTENSIONS, _CollectorExtension()],
                           output_format="html")
    if markdown.__version_info__[:2] not in VERIFIED_MARKDOWN:
        return md
    names = _inline_names(md)
    if names and names <= _INLINE_PATTERNS and "inline" in md.treeprocessors:
        index = md.treeprocessors.get_index_for_name("inline")
        priority = md.treeprocessors._priority[index].priority  # type: ignore[attr-defined]
        md.treeprocessors.register(_QuickInline(md), "inline", priority)
    _quicken(md)
    return md


VERIFIED_MARKDOWN = {(3, 11)}
"""Python-Markdown versions the quick stages were checked against (they copy parts of
its stages): another version renders with its own stages only, slower but its own."""


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
                                    msg("image not found: {image}", image=image),
                                    msg("a file beside the article or under content/"),
                                    "warning"))
    return problems


def _line_of(article: Article, needle: str) -> int:
    name = posixpath.basename(needle)
    for offset, line in enumerate(article.body.split("\n")):
        if name in line:
            return article.body_line + offset
    return article.body_line
