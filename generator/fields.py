"""Front-matter fields -> typed values, each problem located at its line.

Every field is checked on its own, so one bad value never hides another: an
operator sees all that is wrong in a file at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from generator.i18n import ZONES_BY_ABBREVIATION
from generator.messages import Text, msg, msg_n
from generator.problems import Problem
from generator.redirects import parse_alias
from generator.urls import slugify

DATE_EXPECTED = msg(
    "a date like 2024-09-06, 2024/09/06, 6/9/2024, 06-09-2024, 6.9.2024, 6 September 2024"
    " or 6 Sep 2024, maybe after the day it falls on (Jumat, 6 September 2024), maybe with a"
    " time (10:00, 10.00, 10:00:30, pukul 10.00) and a zone (WIB/WITA/WIT, +08:00, or Z as in"
    " 2024-09-06T02:00Z)"
)


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

# Indonesian month names with the abbreviations and old spellings (Pebruari, Nopember)
# operators still write, and the English ones, none of which names another month.
_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate((
        "januari jan january",
        "februari feb pebruari peb february",
        "maret mar march",
        "april apr",
        "mei may",
        "juni jun june",
        "juli jul july",
        "agustus agu agt ags aug august",
        "september sep sept",
        "oktober okt oct october",
        "november nov nopember nop",
        "desember des dec december",
    ), start=1)
    for name in names.split()
}
_WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_WEEKDAYS: dict[str, int] = {name.casefold(): number
                             for number, name in enumerate(_WEEKDAY_NAMES)} | {"ahad": 6}

# Day first whenever the year is last, as Indonesia writes dates: 4/1/2024 is 4 January.
_DATE_TEXT = re.compile(
    r"^(?:(?P<weekday>[^\W\d_]+(?:['’`][^\W\d_]+)?)(?:\s*,\s*|\s+))?"
    r"(?:(?P<year>\d{4})(?P<ysep>[-/.])(?P<ymonth>\d{1,2})(?P=ysep)(?P<yday>\d{1,2})"
    r"|(?P<day>\d{1,2})(?P<dsep>[-/.])(?P<month>\d{1,2})(?P=dsep)(?P<dyear>\d{4})"
    r"|(?P<nday>\d{1,2})(?:\s+|-)(?P<month_name>[^\W\d_]+)\.?(?:\s+|-)(?P<nyear>\d{4}))"
    r"(?:(?:[T ]+|\s*,\s*|\s+)(?:(?:pukul|jam|pkl\.?)\s*)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|WIB|WITA|WIT)?$",
    re.IGNORECASE,
)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no front-matter text may hold (tab and line breaks are fine)."""


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
    try:
        return _read_date_text(value, zone)
    except ValueError:
        return None


def _read_date_text(text: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """parse_date of a text; a ValueError says why it is no date (31/02/2024, a wrong
    day name)."""
    match = _DATE_TEXT.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} has none of the date forms")
    day = _calendar_day(match)
    if match["weekday"]:
        _check_weekday(match["weekday"], day)
    clock = time(int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0))
    moment = datetime.combine(day, clock, tzinfo=zone)
    offset = (match["zone"] or "").upper()
    if offset in ZONES_BY_ABBREVIATION:
        moment = moment.replace(tzinfo=ZoneInfo(ZONES_BY_ABBREVIATION[offset]))
    elif offset:
        iso = day.isoformat() + "T" + clock.isoformat() + ("+00:00" if offset == "Z" else offset)
        moment = datetime.fromisoformat(iso)
    return moment, match["hour"] is not None


def _calendar_day(match: re.Match[str]) -> date:
    if match["year"]:
        return date(int(match["year"]), int(match["ymonth"]), int(match["yday"]))
    if match["day"]:
        return date(int(match["dyear"]), int(match["month"]), int(match["day"]))
    month = _MONTHS.get(match["month_name"].casefold())
    if month is None:
        raise ValueError(f"no month is called {match['month_name']!r}")
    return date(int(match["nyear"]), month, int(match["nday"]))


class WrongWeekday(ValueError):
    """A date whose day name is another day's ("Senin, 14 November 2024")."""

    def __init__(self, day: date, written: str) -> None:
        self.day, self.written, self.actual = day, written, _WEEKDAY_NAMES[day.weekday()]
        super().__init__(msg("{day} is a {actual}, not a {written}", day=day.isoformat(),
                             actual=self.actual, written=written))


def wrong_weekday(value: Any, zone: ZoneInfo) -> WrongWeekday | None:
    """Why a date text is refused, when the reason is its day name."""
    try:
        _read_date_text(str(value), zone)
    except WrongWeekday as wrong:
        return wrong
    except ValueError:
        return None
    return None


def _check_weekday(name: str, day: date) -> None:
    # Jum'at and Jumat are one name, whichever apostrophe the keyboard typed.
    weekday = _WEEKDAYS.get(re.sub(r"['’`]", "", name).casefold())
    if weekday is None:
        raise ValueError(f"{name!r} is not a day name")
    if weekday != day.weekday():
        raise WrongWeekday(day, name)


def _text(value: Any) -> str | None:
    """A scalar as text; None for lists, mappings and the like."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip()
    if isinstance(value, date):
        return value.isoformat()
    return None


# What operators type for a field berita knows under its English name: the Indonesian
# word, or the name another tool (Hugo, WordPress) gives it. Never silently the field
# itself: only a suggestion for the warning.
FIELD_WORDS: dict[str, str] = {
    "draf": "draft", "tag": "tags", "tanggal": "date", "kantor": "office", "judul": "title",
    "ringkasan": "summary", "penulis": "author", "gambar": "image", "foto": "image",
    "sumber": "source", "label": "tags", "kategori": "tags", "category": "tags",
    "categories": "tags", "diperbarui": "updated", "lastmod": "updated", "dilihat": "views",
    "keterangan_gambar": "image_caption", "keterangan_foto": "image_caption",
    "tautan_sumber": "source_url", "description": "summary", "excerpt": "summary",
}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbouring characters that
    turn `a` into `b` (optimal string alignment), or limit + 1 when more than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, start=1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        # No later row can come back under the smallest of this one.
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def field_form(key: str) -> str:
    """A key as compared with the known ones: "Image-Caption" and "image caption" are
    image_caption."""
    return re.sub(r"[\s_-]+", "_", key.strip().casefold())


def suggest_field(key: str, known: Iterable[str], declared: Iterable[str] = ()) -> str | None:
    """The known (or declared) field an unknown `key` most likely means: the same once case
    and `_`/`-`/space are ignored, an Indonesian word for it (FIELD_WORDS), or one edit
    away (two for names of 5 characters or more); None when no field is that close."""
    form = field_form(key)
    candidates: dict[str, str] = {}
    # Ties go to berita's own fields, then its words for them, then the site's.
    for name in [*sorted(known), *sorted(FIELD_WORDS), *sorted(declared)]:
        candidates.setdefault(field_form(name), FIELD_WORDS.get(name, name))
    if form in candidates:
        return candidates[form]
    best: tuple[int, int, str] | None = None
    for rank, (written, meant) in enumerate(candidates.items()):
        limit = 1 if len(written) <= 4 else 2
        distance = edit_distance(form, written, limit)
        if distance <= limit and (best is None or (distance, rank) < best[:2]):
            best = (distance, rank, meant)
    return best[2] if best else None


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
            self.error(key, msg("required field is missing"), expected)
            return ""
        value = self.meta[key]
        text = _text(value)
        if value is None or text == "":
            self.error(key, msg("required field is empty"), expected)
            return ""
        if text is None:
            self.error(key, msg("must be text, received {kind}", kind=type(value).__name__),
                       expected)
            return ""
        return self._printable(key, text)

    def _printable(self, key: str, text: str) -> str:
        """`text`, unless it holds a control character (a NUL from "\\0" in quotes, say):
        no page, feed or file name can carry one."""
        if (found := _CONTROL.search(text)) is not None:
            self.error(key, msg("holds the control character U+{code:04X}, which no text "
                                "may hold", code=ord(found.group())),
                       msg("plain text (in quotes, \\0, \\x01 ... are control characters)"))
            return ""
        return text

    def optional_text(self, key: str) -> str:
        value = self.meta.get(key)
        if value is None:
            return ""
        text = _text(value)
        if text is None:
            self.error(key, msg("must be text, received {kind}", kind=type(value).__name__),
                       msg("text"))
            return ""
        return self._printable(key, text)

    def views(self, raw: str = "") -> int:
        value = self.meta.get("views")
        if value is None:
            return 0
        hint = msg("a whole number >= 0 without thousands dots, e.g. 1234")
        if isinstance(value, bool):
            self.error("views", msg("must be a number, received {value}", value=value), hint)
        elif isinstance(value, int):
            if value >= 0:
                return value
            self.error("views", msg("must not be negative, received {value}", value=value),
                       hint)
        elif isinstance(value, float) or (
            isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", value.strip())
        ):
            raw = (raw or str(value)).strip()
            digits = re.sub(r"[.,]", "", raw)
            if re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", raw):
                self.error("views", msg("{raw} is read as a decimal number, not as {digits}: "
                                        "the dot is a thousands separator; write views: "
                                        "{digits}", raw=raw, digits=digits),
                           hint)
            else:
                self.error("views", msg("must be a whole number, received {value}", value=raw),
                           hint)
        elif isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            # ASCII digits only: "³" and other Unicode digits are no number to int().
            return int(value.strip())
        else:
            self.error("views", msg("must be a whole number, received {value!r}", value=value),
                       hint)
        return 0

    def flag(self, key: str) -> bool:
        value = self.meta.get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.error(key, msg("must be true or false, received {value!r}", value=value),
                   msg("true or false"))
        return False

    def tags(self) -> tuple[Tag, ...]:
        value = self.meta.get("tags")
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if isinstance(value, str) and "," in value:
            items = self._comma_tags(value)
        if not isinstance(items, list):
            self.error("tags", msg("must be a list, received {kind}", kind=type(value).__name__),
                       msg("tags: [Pemilu 2024, Sosialisasi] or one tag as text"))
            return ()
        tags: dict[str, Tag] = {}
        for number, item in enumerate(items, start=1):
            name = _text(item)
            if name is None or not name:
                self.error("tags", msg("tag {number} is empty", number=number),
                           msg("a name for every tag"))
                continue
            name = " ".join(name.split())
            slug = _tag_slug(name)
            if not slug:
                self.error("tags", msg("tag {name!r} has no letters or digits", name=name),
                           msg("a tag name"))
                continue
            tags.setdefault(slug, shared_tag(name, slug))
        return tuple(tags.values())

    def _comma_tags(self, value: str) -> list[Any]:
        """`tags: Pemilu 2024, Sosialisasi` means two tags, not one called "Pemilu 2024,
        Sosialisasi": split, with a warning (a strict build fails) so the file is made a
        list, which the web editor and every other tool read as such."""
        names = [" ".join(part.split()) for part in value.split(",")]
        names = [name for name in names if name]
        if not names:
            return [value]
        listed = ", ".join(names)
        count = msg_n("{count} tag", "{count} tags", len(names))
        self.warn("tags", msg("tags written as one text with commas; read as {tags}: {listed}; "
                              "write them as a list: [{listed}]", tags=count, listed=listed),
                  f"tags: [{listed}]")
        return list(names)

    def unknown_keys(self, known: Iterable[str], declared: Iterable[str]) -> None:
        """A warning for each key that is neither known nor declared (site.extra_fields)
        but close to one: `draf: true` publishes the draft, `tag:` drops the tags. A key
        close to none is the site's own, kept for templates as before."""
        known, declared = frozenset(known), frozenset(declared)
        for key in self.meta:
            if key in known or key in declared:
                continue
            meant = suggest_field(key, known, declared)
            if meant is not None:
                self.warn(key, msg("unknown key `{key}`; did you mean `{meant}`?", key=key,
                                   meant=meant),
                          msg("`{meant}`, or `{key}` listed in extra_fields in the [site] table "
                              "of site.toml if the site's templates use it", meant=meant,
                              key=key))

    def moment(self, key: str, zone: ZoneInfo, required: bool) -> tuple[datetime, bool] | None:
        if key not in self.meta or self.meta[key] is None or self.meta[key] == "":
            if required:
                self.error(key, msg("required field is missing") if key not in self.meta
                           else msg("required field is empty"), DATE_EXPECTED)
            return None
        parsed = parse_date(self.meta[key], zone)
        if parsed is None and (wrong := wrong_weekday(self.meta[key], zone)) is not None:
            self.error(key, msg("{value!s}: {day:%d/%m/%Y} is a {actual}, not a {written}",
                                value=self.meta[key], day=wrong.day, actual=wrong.actual,
                                written=wrong.written),
                       msg("the day name of that date ({actual}), or none",
                           actual=wrong.actual))
        elif parsed is None:
            self.error(key, msg("cannot read {value!s} as a date", value=self.meta[key]),
                       DATE_EXPECTED)
        return parsed

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.error(key, msg("must be a list of text"), f"{key}: [..., ...]")
            return ()
        return tuple(items)

    def aliases(self) -> tuple[str, ...]:
        """Old addresses of the article (e.g. from WordPress) that must keep working."""
        aliases = self.text_list("aliases")
        for alias in aliases:
            try:
                parse_alias(alias)
            except ValueError as exc:
                # A message of redirects (a Text) stays one, to be said in any language.
                reason = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else str(exc)
                self.error("aliases", reason,
                           msg("a path on this site like /2019/11/08/judul/ or /?p=123"))
                return ()
        return aliases
