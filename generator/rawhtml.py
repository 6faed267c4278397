"""The raw-HTML policy for article bodies: what an operator may embed, and what is flagged.

Markdown passes raw HTML through, and operators need that: a YouTube `<iframe>`,
a `<table>` pasted from a spreadsheet, a `<details>` block. What they never need
on a news page is their own script. Script in a body is how a stolen operator
account (or a paste from a hostile page) turns the site of an election commission
against its readers, so anything that runs script is reported:

- a `<script>` element;
- an event-handler attribute (`onclick`, `onerror`, `onload`, ...);
- a `javascript:` / `vbscript:` / `data:text/html` URL in a link or source
  attribute (a Markdown link `[x](javascript:...)` included);
- an `<iframe srcdoc>`, which is a whole page of HTML inside an attribute.

Each is a warning with the file and line: `berita build` publishes it (the
operator may have a reason, and the output must stay predictable), and
`berita build --strict` / `berita check --strict` refuse it. CI for a shared
site should run with --strict.

Detection runs a real HTML parser (html.parser) over the rendered body, so
spelling tricks (`<SCRIPT >`, attributes without quotes, entities in URLs) are
seen as the browser sees them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser

from generator.content import Article
from generator.messages import msg
from generator.problems import Problem

EXPECTED = msg("no script in an article: embed video with <iframe src=...> only")
_URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "data", "poster", "background", "xlink:href",
    "srcset", "cite", "codebase",
})
# Browsers ignore ASCII whitespace and control characters inside a URL scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")
_SCRIPT_URL = re.compile(r"^(javascript|vbscript):|^data:text/html", re.IGNORECASE)


class _Finder(HTMLParser):
    """Collects (what was found, a piece of text to find its line by)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append((msg("a <script> element"), "<script"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((msg("an event-handler attribute {name}= on <{tag}>",
                                       name=name, tag=tag), name))
            elif name == "srcdoc":
                self.found.append((msg("a srcdoc= attribute on <{tag}>", tag=tag), "srcdoc"))
            elif name in _URL_ATTRIBUTES and value:
                url = _IGNORED_IN_SCHEME.sub("", value)
                match = _SCRIPT_URL.match(url)
                if match:
                    scheme = match.group(0).rstrip(":")
                    self.found.append((msg("a {scheme}: address in {name}= on <{tag}>",
                                           scheme=scheme, name=name, tag=tag), scheme))

    handle_startendtag = handle_starttag


# Every construct the parser reports contains one of these (an entity-encoded
# "javascript:" contains a character reference): a body without any is clean, and
# parsing it is skipped. Plain `in` tests first: they cost next to nothing.
_WORDS = ("script", "srcdoc", "data:")
_REFERENCE = re.compile(r"&(?!amp;|lt;|gt;|quot;)")
# An event handler is "on" + letters + "=" after whitespace, "/" or a quote. Searched for
# from the "on", a literal the search skips to quickly: a pattern starting with the
# character before it costs ten times more on a page of text.
_HANDLER = re.compile(r"on[a-z]+\s*=")
_BEFORE_HANDLER = "/\"'"


def _has_handler(lowered: str) -> bool:
    for match in _HANDLER.finditer(lowered):
        start = match.start()
        if start and (lowered[start - 1].isspace() or lowered[start - 1] in _BEFORE_HANDLER):
            return True
    return False


def find_script(html: str) -> list[tuple[str, str]]:
    """(description, search text) for every script-running construct in `html`."""
    lowered = html.lower()
    if not any(word in lowered for word in _WORDS) and \
            not ("&" in lowered and _REFERENCE.search(lowered)) and not _has_handler(lowered):
        return []
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


def script_findings(article: Article, html: str) -> tuple[tuple[str, int], ...]:
    """(description, line of the Markdown source) for every script-running construct
    of the article's HTML."""
    found = find_script(html)
    if not found:
        return ()
    lines = article.body.split("\n")
    return tuple((what, next((article.body_line + number for number, text in enumerate(lines)
                              if needle.casefold() in text.casefold()), article.body_line))
                 for what, needle in found)


def script_problems(article: Article, found: Sequence[tuple[str, int]] | None = None
                    ) -> list[Problem]:
    """Warnings, with the line in the Markdown source, for script in one article's body
    (`found`: its script_findings, when already known)."""
    found = script_findings(article, article.html) if found is None else found
    return [Problem(article.path, line, None, msg("the article body contains {what}", what=what),
                    EXPECTED, "warning") for what, line in found]
