"""A WordPress eXtended RSS (WXR) export -> plain values, nothing interpreted yet.

WordPress has written WXR 1.0, 1.1 and 1.2, with `http://` and (WordPress.com)
`https://` namespaces; elements are matched by namespace family, not by exact
URI, so every version reads the same way.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from generator.messages import msg

_WP = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
_EXCERPT = re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/$")
_FAMILIES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
# C0 control characters other than tab, LF and CR are not allowed in XML 1.0, yet
# WordPress exports them verbatim when an operator pasted them from Word. They are
# single bytes that never occur inside a UTF-8 sequence, so dropping them is safe.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_POSITION = re.compile(r":\s*line \d+, column \d+$")


class ExportError(Exception):
    """The export cannot be read; says which file, where, and what is wrong (`message`,
    a msg: str() says it in English)."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path, self.message, self.line = path, message, line
        super().__init__(str(self))

    @property
    def where(self) -> str:
        """"file:line", or the file."""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Term:
    """A category or tag attached to an item."""

    domain: str
    """"category", "post_tag", "post_format", ... (WXR 1.0 says "tag")."""
    name: str
    nicename: str


@dataclass(frozen=True)
class Item:
    """One <item>: a post, page, attachment, menu item, ... as the export has it."""

    post_id: int
    post_type: str
    status: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    post_name: str
    date: str
    """wp:post_date, the site's local time, "YYYY-MM-DD HH:MM:SS"."""
    date_gmt: str
    """wp:post_date_gmt; "0000-00-00 00:00:00" for many drafts."""
    pub_date: str
    parent: int
    menu_order: int
    password: str
    attachment_url: str
    terms: tuple[Term, ...]
    meta: tuple[tuple[str, str], ...]

    def meta_values(self, key: str) -> list[str]:
        return [value for k, value in self.meta if k == key]


@dataclass(frozen=True)
class Export:
    version: str
    authors: dict[str, str]
    """Login -> display name (WXR 1.1 and later list authors)."""
    items: tuple[Item, ...]


def read(path: Path) -> Export:
    """Parses an export file; raises ExportError naming the problem and its line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(path, msg("cannot read the export: {error}",
                                    error=exc.strerror or exc)) from None
    data = _CONTROL_BYTES.sub(b"", data)
    authors: dict[str, str] = {}
    items: list[Item] = []
    version = ""
    saw_wp = False
    keys: dict[str, tuple[str, str]] = {}
    try:
        for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):
            family, name = _key(element.tag, keys)
            saw_wp = saw_wp or family == "wp"
            if (family, name) == ("", "item"):
                items.append(_item(element, keys))
                element.clear()  # keeps memory flat on exports of many megabytes
            elif (family, name) == ("wp", "author"):
                fields = _children(element, keys)
                login = fields.get(("wp", "author_login"), "").strip()
                if login:
                    authors[login] = fields.get(("wp", "author_display_name"), "").strip()
            elif (family, name) == ("wp", "wxr_version"):
                version = (element.text or "").strip()
    except ET.ParseError as exc:
        line, column = exc.position
        message = _POSITION.sub("", str(exc))
        raise ExportError(path, msg("malformed XML at column {column}: {error}",
                                    column=column + 1, error=message), line) from None
    if not saw_wp:
        raise ExportError(path, msg("not a WordPress export: no wp: elements in the "
                                    "http://wordpress.org/export/1.x/ namespace"))
    return Export(version, authors, tuple(items))


def _key(tag: str, cache: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """"{https://wordpress.org/export/1.2/}post_id" -> ("wp", "post_id")."""
    found = cache.get(tag)
    if found is None:
        namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if _WP.match(namespace):
            family = "wp"
        elif _EXCERPT.match(namespace):
            family = "excerpt"
        else:
            family = _FAMILIES.get(namespace, namespace)
        found = cache[tag] = (family, name)
    return found


def _children(element: ET.Element, keys: dict[str, tuple[str, str]]) -> dict[tuple[str, str], str]:
    """First text of each direct child, by (family, name)."""
    fields: dict[tuple[str, str], str] = {}
    for child in element:
        fields.setdefault(_key(child.tag, keys), child.text or "")
    return fields


def _int(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() else 0


def _item(element: ET.Element, keys: dict[str, tuple[str, str]]) -> Item:
    fields = _children(element, keys)
    terms = []
    meta = []
    for child in element:
        key = _key(child.tag, keys)
        if key == ("", "category"):
            terms.append(Term(child.get("domain", "category"), (child.text or "").strip(),
                              child.get("nicename", "")))
        elif key == ("wp", "postmeta"):
            pair = _children(child, keys)
            meta.append((pair.get(("wp", "meta_key"), ""), pair.get(("wp", "meta_value"), "")))

    def wp(name: str) -> str:
        return fields.get(("wp", name), "")

    return Item(
        post_id=_int(wp("post_id")), post_type=wp("post_type").strip(),
        status=wp("status").strip(), title=fields.get(("", "title"), ""),
        link=fields.get(("", "link"), "").strip(), creator=fields.get(("dc", "creator"), ""),
        content=fields.get(("content", "encoded"), ""),
        excerpt=fields.get(("excerpt", "encoded"), ""), post_name=wp("post_name").strip(),
        date=wp("post_date").strip(), date_gmt=wp("post_date_gmt").strip(),
        pub_date=fields.get(("", "pubDate"), "").strip(), parent=_int(wp("post_parent")),
        menu_order=_int(wp("menu_order")), password=wp("post_password"),
        attachment_url=wp("attachment_url").strip(), terms=tuple(terms), meta=tuple(meta),
    )
