"""Front-matter fields -> typed values, each problem located at its line.

Every field is checked on its own, so one bad value never hides another: an
operator sees all that is wrong in a file at once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from generator.i18n import ZONES_BY_ABBREVIATION
from generator.problems import Problem
from generator.redirects import parse_alias
from generator.urls import slugify

DATE_EXPECTED = "a date like 2024-09-06 or 2024-09-06 10:00 (optionally +07:00 or WIB/WITA/WIT)"


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    """As the operator first wrote it, e.g. "Pemilu 2024"."""
    slug: str
    """Its identity: "Pemilu 2024" and "pemilu-2024" are one tag."""

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        # A site has a few hundred tags over tens of thousands of articles, each article
        # unpickled on its own from the cache: without this, each holds its own copies.
        return shared_tag, (self.name, self.slug)


@functools.lru_cache(maxsize=8192)
def shared_tag(name: str, slug: str) -> Tag:
    """The one Tag of this name and slug (what an unpickled Tag becomes)."""
    return Tag(name, slug)


# A site has a few hundred tag names over thousands of articles: each is slugified once.
_tag_slug = functools.lru_cache(maxsize=4096)(slugify)

_DATE_TEXT = re.compile(
    r"^(?P<day>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[T ]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|WIB|WITA|WIT)?$",
    re.IGNORECASE,
)


def parse_date(value: Any, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """A front-matter date -> (aware datetime, has a time); None when unreadable.

    A date without an offset is in `zone` (the office's); WIB/WITA/WIT name a zone.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
        return moment, True
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=zone), False
    if not isinstance(value, str):
        return None
    match = _DATE_TEXT.match(value.strip())
    if not match:
        return None
    try:
        day = date.fromisoformat(_pad_day(match["day"]))
        clock = time(int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0))
    except ValueError:
        return None
    moment = datetime.combine(day, clock, tzinfo=zone)
    offset = (match["zone"] or "").upper()
    if offset in ZONES_BY_ABBREVIATION:
        moment = moment.replace(tzinfo=ZoneInfo(ZONES_BY_ABBREVIATION[offset]))
    elif offset:
        iso = day.isoformat() + "T" + clock.isoformat() + ("+00:00" if offset == "Z" else offset)
        try:
            moment = datetime.fromisoformat(iso)
        except ValueError:
            return None
    return moment, match["hour"] is not None


def _pad_day(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _text(value: Any) -> str | None:
    """A scalar as text; None for lists, mappings and the like."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip()
    if isinstance(value, date):
        return value.isoformat()
    return None


class Fields:
    """Validates one article's fields, collecting problems with their lines."""

    def __init__(self, meta: dict[str, Any], lines: dict[str, int], path: str,
                 default_line: int) -> None:
        self.meta, self.lines, self.path = meta, lines, path
        self.default_line = default_line
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        return self.lines.get(key, self.default_line)

    def error(self, key: str, message: str, expected: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.line(key), key, message, expected))

    def warn(self, key: str, message: str, expected: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.line(key), key, message, expected,
                                     "warning"))

    def required_text(self, key: str, expected: str) -> str:
        if key not in self.meta:
            self.error(key, "required field is missing", expected)
            return ""
        value = self.meta[key]
        text = _text(value)
        if value is None or text == "":
            self.error(key, "required field is empty", expected)
            return ""
        if text is None:
            self.error(key, f"must be text, received {type(value).__name__}", expected)
            return ""
        return text

    def optional_text(self, key: str) -> str:
        value = self.meta.get(key)
        if value is None:
            return ""
        text = _text(value)
        if text is None:
            self.error(key, f"must be text, received {type(value).__name__}", "text")
            return ""
        return text

    def views(self, raw: str = "") -> int:
        value = self.meta.get("views")
        if value is None:
            return 0
        hint = "a whole number >= 0 without thousands dots, e.g. 1234"
        if isinstance(value, bool):
            self.error("views", f"must be a number, received {value}", hint)
        elif isinstance(value, int):
            if value >= 0:
                return value
            self.error("views", f"must not be negative, received {value}", hint)
        elif isinstance(value, float) or (
            isinstance(value, str) and re.fullmatch(r"\d{1,3}([.,]\d{3})+", value.strip())
        ):
            raw = (raw or str(value)).strip()
            digits = re.sub(r"[.,]", "", raw)
            if re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw):
                self.error("views", f"{raw} is read as a decimal number, not as "
                           f"{digits}: the dot is a thousands separator; write views: {digits}",
                           hint)
            else:
                self.error("views", f"must be a whole number, received {raw}", hint)
        elif isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        else:
            self.error("views", f"must be a whole number, received {value!r}", hint)
        return 0

    def flag(self, key: str) -> bool:
        value = self.meta.get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.error(key, f"must be true or false, received {value!r}", "true or false")
        return False

    def tags(self) -> tuple[Tag, ...]:
        value = self.meta.get("tags")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.error("tags", f"must be a list, received {type(value).__name__}",
                       "tags: [Pemilu 2024, Sosialisasi] or one tag as text")
            return ()
        tags: dict[str, Tag] = {}
        for number, item in enumerate(items, start=1):
            name = _text(item)
            if name is None or not name:
                self.error("tags", f"tag {number} is empty", "a name for every tag")
                continue
            name = " ".join(name.split())
            slug = _tag_slug(name)
            if not slug:
                self.error("tags", f"tag {name!r} has no letters or digits", "a tag name")
                continue
            tags.setdefault(slug, shared_tag(name, slug))
        return tuple(tags.values())

    def moment(self, key: str, zone: ZoneInfo, required: bool) -> tuple[datetime, bool] | None:
        if key not in self.meta or self.meta[key] is None or self.meta[key] == "":
            if required:
                state = "missing" if key not in self.meta else "empty"
                self.error(key, f"required field is {state}", DATE_EXPECTED)
            return None
        parsed = parse_date(self.meta[key], zone)
        if parsed is None:
            self.error(key, f"cannot read {self.meta[key]!s} as a date", DATE_EXPECTED)
        return parsed

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.error(key, "must be a list of text", f"{key}: [..., ...]")
            return ()
        return tuple(items)

    def aliases(self) -> tuple[str, ...]:
        """Old addresses of the article (e.g. from WordPress) that must keep working."""
        aliases = self.text_list("aliases")
        for alias in aliases:
            try:
                parse_alias(alias)
            except ValueError as exc:
                self.error("aliases", str(exc),
                           "a path on this site like /2019/11/08/judul/ or /?p=123")
                return ()
        return aliases
