"""`berita views import`: page views counted from web server access logs.

Counts what a person reading an article would leave in an nginx or Apache
"combined" log: GET requests answered 200, not from a known robot or link-preview
fetcher, and one view per visitor (IP address + user agent) and page in any 30
minutes, so reloads do not inflate the count. Rotated logs may be gzipped.

Then `plan_views` matches counted paths to article files and `apply_views`
adds the views to the `views:` line of each one, touching no other byte.

Importing a log again counts none of it again: a `Ledger` (views-imported.json in
the site folder) records, per log stream (the file name without logrotate's `.1`,
`.2.gz`, `-20240906`), the stretches of time already read. A line inside one is
skipped; near either end of one, where lines written out of time order meet, it is
told apart by a fingerprint of its text. `import_views` does it all for a site.
"""

from __future__ import annotations

import bisect
import calendar
import gzip
import hashlib
import json
import os
import re
import stat
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.messages import msg

FORMATS = ("combined",)
REVISIT_SECONDS = 30 * 60
"""A visitor's view of a page counts again only this long after the last counted one."""
STATE_FILE = "views-imported.json"
"""In the site folder: the `Ledger` of what earlier imports counted."""
LEDGER_VERSION = 1
EDGE_SECONDS = 5 * 60
"""How far out of time order a line may be written and still be counted exactly once.

nginx stamps a request with when it ended, Apache with when it began, so a slow request
is written after quicker later ones: just after an import, or in the next rotated file,
a line may carry a time the ledger has already read. Within this distance of either
end of a stretch lines are compared by fingerprint instead of by time."""
DETAIL_SECONDS = 31 * 24 * 3600
"""Stretches that end this long before a stream's newest one are kept only as
`counted_until`: the ledger stays small, and a month-old log is imported by then."""

BOT_AGENTS = (
    # generic words in crawler names (Googlebot, bingbot, AhrefsBot, Baiduspider, ...)
    "bot", "crawl", "spider", "slurp", "archiver",
    # link previews when a link is shared in a chat or on social media
    "facebookexternalhit", "facebookcatalog", "meta-externalagent", "whatsapp", "telegram",
    "skypeuripreview", "embedly", "preview", "vkshare", "line-poker",
    # scripts and HTTP libraries
    "curl", "wget", "python-requests", "python-urllib", "python-httpx", "aiohttp", "httpx",
    "go-http-client", "java/", "okhttp", "libwww-perl", "lwp::", "httpclient", "axios",
    "node-fetch", "undici", "scrapy", "guzzlehttp", "postman",
    # headless browsers, monitors and audits
    "headlesschrome", "phantomjs", "puppeteer", "playwright", "selenium", "lighthouse",
    "pingdom", "uptime", "statuscake", "site24x7", "gtmetrix", "pagespeed",
    # crawlers whose names carry none of the words above
    "mediapartners-google", "feedfetcher", "google-inspectiontool", "yandex", "ia_archiver",
    "semrush", "ahrefs", "bytespider", "gptbot", "ccbot", "claudebot", "perplexity",
    # scanners
    "zgrab", "masscan", "nmap", "nikto", "sqlmap", "wpscan",
)
"""Lower-case pieces of user agents that are not people reading."""

_BOT = re.compile("|".join(re.escape(b) for b in BOT_AGENTS))
# Phones whose model name contains "bot" would otherwise be robots.
_NOT_BOT = re.compile(r"cubot")
_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_COMBINED = re.compile(
    r"^(\S+) \S+ \S+ \[([^\]]+)\] " + _QUOTED + r" (\d{3}) \S+ " + _QUOTED + " " + _QUOTED
)
_TIME = re.compile(
    r"^(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$"
)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul",
                                       "aug", "sep", "oct", "nov", "dec"), start=1)}
_GZIP_MAGIC = b"\x1f\x8b"
_BOUNDARY = re.compile(rb"^-{3,}[ \t]*(\r\n|\n|\r)?$")
_VIEWS_LINE = re.compile(
    rb"^views[ \t]*:[ \t]*(?P<value>[^\r\n#]*?)[ \t]*(?:#[^\r\n]*)?(?:\r\n|\n|\r)?$"
)
# What logrotate adds to a log's name: access.log.1, access.log.2.gz, access.log-20240906.gz.
_ROTATED = re.compile(r"(?:\.\d+|-\d{8}(?:\d{2})?)?(?:\.gz)?$")
_LEDGER_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Span:
    """A stretch of one log stream that was read whole, from its first request to its last."""

    first: int
    last: int
    """Its earliest and latest request, in seconds since 1970 (UTC)."""
    edges: dict[int, frozenset[str]] = field(default_factory=dict)
    """Second -> fingerprints of the page views logged in it, for the seconds within
    EDGE_SECONDS of either end (elsewhere in the span every line was read)."""
    visitors: dict[str, int] = field(default_factory=dict)
    """Visitor-and-page fingerprint -> time of its last counted view, for the views counted
    within REVISIT_SECONDS before `last`: a reload just after an import stays one view."""


@dataclass(frozen=True)
class Stream:
    """What was read of one log stream (access.log and its rotated files)."""

    spans: tuple[Span, ...] = ()
    """In time order, not overlapping."""
    counted_until: int | None = None
    """Everything up to this time counts as read (older spans, folded together)."""


@dataclass(frozen=True)
class Ledger:
    """What earlier imports read, per log stream: the contents of views-imported.json."""

    streams: dict[str, Stream] = field(default_factory=dict)


class LedgerError(ValueError):
    """views-imported.json cannot be used; the message (a msg, as are those of the
    ValueErrors raised here) names the file and what is wrong."""


@dataclass(frozen=True)
class ViewCounts:
    counts: dict[str, int]
    """Normalised request path ("/berita/slug/") -> views."""
    lines_read: int = 0
    malformed: int = 0
    """Lines that are not in the log format; skipped."""
    not_get: int = 0
    not_ok: int = 0
    """GET requests not answered 200 (404s, redirects, 304s, errors)."""
    bots_skipped: int = 0
    not_pages: int = 0
    """Images, scripts, feeds and other files that are not pages."""
    repeats: int = 0
    """Reloads by the same visitor within REVISIT_SECONDS, counted once."""
    unreadable: tuple[str, ...] = field(default=())
    """Logs (or their ends, for a truncated gzip) that could not be read."""
    already_counted: int = 0
    """Lines an earlier import read (see `Ledger`); skipped."""
    ledger: Ledger = field(default_factory=Ledger)
    """The ledger given, with what this count read added."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class PlannedViews:
    route: str
    file: Path
    added: int


def count_views(log_paths: Iterable[Path], fmt: str = "combined",
                ledger: Ledger | None = None) -> ViewCounts:
    """Counts page views in access logs, plain or gzip-compressed (by content, not name).

    Lines that `ledger` shows an earlier import read are skipped (`already_counted`); the
    result's `ledger` is the one given plus what these logs hold. A log that does not
    exist raises OSError; bad lines never stop the count.
    """
    if fmt not in FORMATS:
        raise ValueError(msg("unknown log format {format!r}; expected one of: {formats}",
                             format=fmt, formats=", ".join(FORMATS)))
    before = ledger if ledger is not None else Ledger()
    tally = {"lines_read": 0, "malformed": 0, "not_get": 0, "not_ok": 0, "bots_skipped": 0,
             "not_pages": 0, "already_counted": 0}
    unreadable: list[str] = []
    # Logs may come in any order (access.log.2.gz before access.log), so hits are
    # gathered first and put in time order per visitor and page before counting.
    visits: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    read: dict[str, list[Span]] = {}
    # Only against what earlier imports read: the logs of one command count together, as
    # one whole, so their order and any overlap among them change nothing.
    seen: dict[str, _Seen] = {}
    for log in log_paths:
        name = log_stream(log)
        if name not in seen:
            seen[name] = _Seen(before.streams.get(name, Stream()))
        past, stretch = seen[name], _Stretch()
        for line in _lines(log, unreadable):
            tally["lines_read"] += 1
            hit = _parse(line)
            if hit is None:
                tally["malformed"] += 1
                continue
            ip, when, method, target, status, agent = hit
            kind, path = _kind(method, status, agent, target)
            mark = _fingerprint(line) if kind == "page" else None
            stretch.add(when, mark)
            if mark is None:
                tally["already_counted" if past.read(when) else kind] += 1
            elif past.read(when, mark):
                tally["already_counted"] += 1
            else:
                visits.setdefault((path, ip, agent), []).append((when, name))
        span = stretch.span()
        if span is not None:
            read.setdefault(name, []).append(span)
    earlier = _views_counted_before(before)
    counts: dict[str, int] = {}
    counted: list[tuple[str, str, int]] = []
    repeats = 0
    for (path, ip, agent), hits in visits.items():
        visitor = _visitor(path, ip, agent)
        # Views counted by an earlier import only set the time a repeat is measured from:
        # a reload just after an import stays a repeat.
        events = sorted([(when, 0, "") for when in earlier.get(visitor, ())]
                        + [(when, 1, name) for when, name in hits])
        last = None
        for when, new, name in events:
            if not new:
                last = when
            elif last is None or when - last >= REVISIT_SECONDS:
                counts[path] = counts.get(path, 0) + 1
                counted.append((name, visitor, when))
                last = when
            else:
                repeats += 1
    return ViewCounts(dict(sorted(counts.items())), repeats=repeats,
                      unreadable=tuple(unreadable), ledger=_updated(before, read, counted),
                      **tally)


def log_stream(log: Path) -> str:
    """The stream a log belongs to: its name without what logrotate adds.

    access.log, access.log.1 and access.log.2.gz are one stream (logrotate renames the
    file, its lines stay), other.log another.
    """
    return _ROTATED.sub("", log.name, count=1) or log.name


def is_bot(agent: str) -> bool:
    agent = agent.strip().lower()
    return agent in ("", "-") or bool(_BOT.search(_NOT_BOT.sub("", agent)))


def normalize_path(target: str) -> str | None:
    """A request target -> the path a page answers at: "/berita/a/index.html?x=1" -> "/berita/a/".

    Query and fragment dropped, percent-escapes decoded, "index.html" stripped, a
    trailing slash added to a path whose last segment has no file extension.
    None for what is not a path (e.g. "*").
    """
    if target.startswith(("http://", "https://")):
        target = urlsplit(target).path or "/"
    target = target.split("?", 1)[0].split("#", 1)[0]
    if not target.startswith("/"):
        return None
    path = unquote(target, errors="replace")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    last = path.rsplit("/", 1)[-1]
    if last and "." not in last:
        path += "/"
    return path


def is_page(path: str) -> bool:
    return path.endswith(("/", ".html", ".htm"))


def plan_views(files: Mapping[str, Path], counts: ViewCounts,
               base_path: str = "/") -> list[PlannedViews]:
    """Which article file gets how many views.

    `files` maps each article's route ("berita/slug/", as `urls.route` gives it) to its
    file. Under a sub-path base ("/berita-kpu/") a route is counted at the base path,
    and also without it, for hosts that strip the prefix before logging.
    """
    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    planned = []
    for route, file in sorted(files.items()):
        relative = route.lstrip("/")
        paths = {normalize_path(base + relative), normalize_path("/" + relative)}
        added = sum(counts.counts.get(p, 0) for p in paths if p)
        if added:
            planned.append(PlannedViews(route, file, added))
    return planned


def apply_views(article_file: Path, added: int, dry_run: bool = False) -> tuple[int, int]:
    """Adds `added` to the article's `views:`; returns (old, new).

    Only the number on the `views:` line changes (or a `views: N` line is added
    just before the closing `---`); line endings, a BOM, comments and every other
    byte stay. Written atomically. Raises ValueError when the file has no front
    matter or its views value is not a whole number.
    """
    data = article_file.read_bytes()
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    lines = data[len(bom):].splitlines(keepends=True)
    if not lines or not _BOUNDARY.match(lines[0]):
        raise ValueError(msg("{file}: no front matter (expected a first line of ---)",
                             file=article_file))
    close = next((i for i in range(1, len(lines)) if _BOUNDARY.match(lines[i])), None)
    if close is None:
        raise ValueError(msg("{file}: front matter is not closed (expected a line of ---)",
                             file=article_file))
    found = [(i, m) for i in range(1, close) if (m := _VIEWS_LINE.match(lines[i]))]
    if len(found) > 1:
        raise ValueError(msg("{file}: views: appears {count} times", file=article_file,
                             count=len(found)))
    if found:
        index, match = found[0]
        old = _views_value(match.group("value"), article_file)
        new = old + added
        line, start, end = lines[index], match.start("value"), match.end("value")
        number = str(new).encode()
        # An empty value sits right against the colon or a comment; YAML needs spaces there.
        if line[start - 1 : start] == b":":
            number = b" " + number
        if line[end : end + 1] == b"#":
            number += b" "
        lines[index] = line[:start] + number + line[end:]
    else:
        old, new = 0, added
        ending = re.search(rb"(\r\n|\n|\r)$", lines[0])
        lines.insert(close, b"views: %d" % new + (ending.group(1) if ending else b"\n"))
    if new != old and not dry_run:
        _write_atomic(article_file, bom + b"".join(lines))
    return old, new


@dataclass(frozen=True)
class ViewChange:
    file: Path
    old: int
    new: int


@dataclass(frozen=True)
class ViewsImport:
    counts: ViewCounts
    changes: tuple[ViewChange, ...]
    """Each article whose views change, in route order."""
    ledger_written: bool
    """False with dry_run, and when the ledger file said so already."""


def import_views(files: Mapping[str, Path], log_paths: Iterable[Path], state_file: Path, *,
                 base_path: str = "/", fmt: str = "combined",
                 dry_run: bool = False) -> ViewsImport:
    """Adds the views in the logs that no earlier import counted to the articles' `views:`
    and records in `state_file` (views-imported.json) what was read.

    `files` and `base_path` are as for `plan_views`. All or nothing: every article is
    checked before one is written, and if one cannot be written those written before it
    are put back and the ledger stays as it was. With `dry_run` nothing is written.
    Raises LedgerError (the ledger), ValueError (an article) or OSError (a log, a write).
    """
    counts = count_views(log_paths, fmt, load_ledger(state_file))
    planned = plan_views(files, counts, base_path)
    changes = tuple(ViewChange(p.file, *apply_views(p.file, p.added, dry_run=True))
                    for p in planned)
    if dry_run:
        return ViewsImport(counts, changes, ledger_written=False)
    originals: dict[Path, bytes] = {}
    try:
        for p in planned:
            originals[p.file] = p.file.read_bytes()
            apply_views(p.file, p.added, dry_run=False)
        written = save_ledger(state_file, counts.ledger)
    except BaseException:
        # Views in the articles that the ledger does not record would count again next time.
        for file, data in originals.items():
            _write_atomic(file, data)
        raise
    return ViewsImport(counts, changes, written)


def load_ledger(path: Path) -> Ledger:
    """The ledger in `path`, or an empty one if there is no such file yet.

    Raises LedgerError, naming the file and what is wrong with it, for anything else.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Ledger()
    except OSError as exc:
        raise LedgerError(msg("{path}: cannot be read: {error}", path=path,
                              error=exc.strerror or exc)) from exc
    except UnicodeDecodeError as exc:
        raise LedgerError(msg("{path}: not UTF-8 text (byte {byte})", path=path,
                              byte=exc.start)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LedgerError(msg("{path}:{line}: not valid JSON: {error} (column {column})",
                              path=path, line=exc.lineno, error=exc.msg,
                              column=exc.colno)) from exc
    try:
        return _ledger_from(data)
    except LedgerError as exc:
        raise LedgerError(msg("{path}: {problem}", path=path, problem=exc.args[0])) from None


def save_ledger(path: Path, ledger: Ledger) -> bool:
    """Writes `ledger` to `path` atomically unless the file holds it already; True if written."""
    data = ledger_json(ledger).encode()
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    _write_atomic(path, data)
    return True


def ledger_json(ledger: Ledger) -> str:
    """The text of views-imported.json: the same ledger always gives the same bytes."""
    streams: dict[str, dict] = {}
    for name, stream in ledger.streams.items():
        entry: dict = {"spans": [
            {"first": _stamp(span.first), "last": _stamp(span.last),
             "edges": {_stamp(when): sorted(marks) for when, marks in span.edges.items()},
             "visitors": _by_second(span.visitors)}
            for span in stream.spans]}
        if stream.counted_until is not None:
            entry["counted_until"] = _stamp(stream.counted_until)
        streams[name] = entry
    document = {
        "about": "berita views import: the stretches of each web-server log already "
                 "counted, so that no request is counted twice. Commit it with content/; "
                 "do not edit it.",
        "version": LEDGER_VERSION,
        "streams": streams,
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _views_value(raw: bytes, file: Path) -> int:
    text = raw.decode("utf-8", "replace").strip().strip("'\"").strip()
    if text in ("", "~", "null", "Null", "NULL"):
        return 0
    if not text.isdigit():
        raise ValueError(msg("{file}: views: {value!r} is not a whole number; fix it first",
                             file=file, value=text))
    return int(text)


def _write_atomic(file: Path, data: bytes) -> None:
    try:
        mode = stat.S_IMODE(file.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644  # mkstemp's 0o600 would hide a new ledger from the other operators
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _lines(log: Path, unreadable: list[str]) -> Iterator[str]:
    with open(log, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
    opener = gzip.open if compressed else open
    try:
        with opener(log, "rb") as stream:
            for line in stream:
                yield line.decode("utf-8", "replace")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        # A log being rotated can be cut short; what came before still counts.
        unreadable.append(f"{log}: {exc}")


def _parse(line: str) -> tuple[str, int, str, str, int, str] | None:
    """(ip, epoch seconds, method, target, status, user agent), or None if malformed."""
    match = _COMBINED.match(line)
    if match is None:
        return None
    ip, when, request, status, _, agent = match.groups()
    seconds = _epoch(when)
    if seconds is None:
        return None
    # "-" or junk (a TLS handshake on port 80) is a real, logged request: not a GET.
    method, _, rest = request.partition(" ")
    return ip, seconds, method, rest.split(" ", 1)[0], int(status), agent


def _epoch(text: str) -> int | None:
    """"10/Oct/2000:13:55:36 -0700" -> seconds since 1970 (strptime is slow per line)."""
    match = _TIME.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zh, zm = match.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    # timegm rolls impossible times over (31/Feb is 2/Mar): such a line is malformed.
    if not (1 <= int(day) <= calendar.monthrange(int(year), number)[1]
            and int(hour) < 24 and int(minute) < 60 and int(second) <= 60):
        return None
    try:
        local = calendar.timegm((int(year), number, int(day), int(hour), int(minute),
                                 int(second), 0, 0, 0))
    except ValueError:
        return None
    offset = (int(zh) * 60 + int(zm)) * 60
    return local - offset if sign == "+" else local + offset


def _kind(method: str, status: int, agent: str, target: str) -> tuple[str, str]:
    """("page", its path) for a page read by a person, else (the tally it goes in, "")."""
    if method != "GET":
        return "not_get", ""
    if status != 200:
        return "not_ok", ""
    if is_bot(agent):
        return "bots_skipped", ""
    path = normalize_path(target)
    if path is None:
        return "malformed", ""
    if not is_page(path):
        return "not_pages", ""
    return "page", path


def _fingerprint(line: str) -> str:
    # The line's text alone: it is the same in access.log, access.log.1 and access.log.2.gz.
    # Two identical lines are one visitor reloading within a second, one view either way.
    return hashlib.sha256(line.rstrip("\r\n").encode()).hexdigest()[:16]


def _visitor(path: str, ip: str, agent: str) -> str:
    # Hashed: the ledger is committed, and addresses are not to be published.
    return hashlib.sha256(f"{ip}\0{agent}\0{path}".encode()).hexdigest()[:16]


class _Seen:
    """Which lines of one stream the ledger shows were read already."""

    def __init__(self, stream: Stream) -> None:
        self._spans = stream.spans
        self._firsts = [span.first for span in stream.spans]
        self._until = stream.counted_until

    def read(self, when: int, mark: str | None = None) -> bool:
        """Whether the line at `when` was read. For a page view (`mark`: its fingerprint)
        near either end of a span, whether that very line was: lines written late land
        there. Any other line there is taken as read, as it counts nothing."""
        if self._until is not None and when <= self._until:
            return True
        index = bisect.bisect_right(self._firsts, when) - 1
        if index < 0 or when > self._spans[index].last:
            return False
        span = self._spans[index]
        if mark is None or span.first + EDGE_SECONDS <= when <= span.last - EDGE_SECONDS:
            return True
        return mark in span.edges.get(when, ())


class _Stretch:
    """The span of one log file, gathered while it is read."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.last: int | None = None
        self._low: dict[int, set[str]] = {}
        self._high: dict[int, set[str]] = {}

    def add(self, when: int, mark: str | None) -> None:
        """A line at `when`; `mark` is its fingerprint if it is a page view."""
        first = self.first = when if self.first is None else min(self.first, when)
        last = self.last = when if self.last is None else max(self.last, when)
        if mark is None:
            return
        if when < first + EDGE_SECONDS:
            self._low.setdefault(when, set()).add(mark)
            # At most EDGE_SECONDS seconds are near an end: more means some no longer are.
            if len(self._low) > 2 * EDGE_SECONDS:
                self._low = {t: m for t, m in self._low.items() if t < first + EDGE_SECONDS}
        if when > last - EDGE_SECONDS:
            self._high.setdefault(when, set()).add(mark)
            if len(self._high) > 2 * EDGE_SECONDS:
                self._high = {t: m for t, m in self._high.items() if t > last - EDGE_SECONDS}

    def span(self) -> Span | None:
        if self.first is None or self.last is None:
            return None
        edges: dict[int, frozenset[str]] = {}
        for part in (self._low, self._high):
            for when, marks in part.items():
                if when < self.first + EDGE_SECONDS or when > self.last - EDGE_SECONDS:
                    edges[when] = edges.get(when, frozenset()) | marks
        return Span(self.first, self.last, edges)


def _views_counted_before(ledger: Ledger) -> dict[str, list[int]]:
    earlier: dict[str, list[int]] = {}
    for stream in ledger.streams.values():
        for span in stream.spans:
            for visitor, when in span.visitors.items():
                earlier.setdefault(visitor, []).append(when)
    return earlier


def _updated(before: Ledger, read: Mapping[str, list[Span]],
             counted: Iterable[tuple[str, str, int]]) -> Ledger:
    """`before` plus the spans of the logs read and the views counted in them
    (stream, visitor, time)."""
    merged = {name: _merged([*before.streams.get(name, Stream()).spans, *spans])
              for name, spans in read.items()}
    firsts = {name: [span.first for span in spans] for name, spans in merged.items()}
    visitors = {name: [dict(span.visitors) for span in spans] for name, spans in merged.items()}
    for name, visitor, when in counted:
        # A view counted lies in the span of the log it came from.
        index = bisect.bisect_right(firsts[name], when) - 1
        if when > merged[name][index].last - REVISIT_SECONDS:
            near_end = visitors[name][index]
            near_end[visitor] = max(when, near_end.get(visitor, when))
    streams = dict(before.streams)
    for name, spans in merged.items():
        stream = Stream(tuple(Span(span.first, span.last, span.edges, dict(sorted(v.items())))
                              for span, v in zip(spans, visitors[name], strict=True)),
                        before.streams.get(name, Stream()).counted_until)
        streams[name] = _pruned(stream)
    return Ledger(dict(sorted(streams.items())))


def _merged(spans: Iterable[Span]) -> list[Span]:
    """The spans in time order, those that overlap joined into one."""
    joined: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.first, s.last)):
        if joined and span.first <= joined[-1].last:
            joined[-1] = _join(joined[-1], span)
        else:
            joined.append(span)
    return joined


def _join(a: Span, b: Span) -> Span:
    first, last = min(a.first, b.first), max(a.last, b.last)
    # Every page view near an end of the whole is near the same end of its own span (that
    # end is further in), so its fingerprint is in that span's edges.
    edges: dict[int, frozenset[str]] = {}
    for part in (a.edges, b.edges):
        for when, marks in part.items():
            if when < first + EDGE_SECONDS or when > last - EDGE_SECONDS:
                edges[when] = edges.get(when, frozenset()) | marks
    visitors: dict[str, int] = {}
    for part in (a.visitors, b.visitors):
        for visitor, when in part.items():
            if when > last - REVISIT_SECONDS:
                visitors[visitor] = max(when, visitors.get(visitor, when))
    return Span(first, last, dict(sorted(edges.items())), dict(sorted(visitors.items())))


def _pruned(stream: Stream) -> Stream:
    """Spans ending more than DETAIL_SECONDS before the newest folded into counted_until."""
    until = stream.counted_until
    if stream.spans:
        horizon = stream.spans[-1].last - DETAIL_SECONDS
        for span in stream.spans:
            if span.last < horizon:
                until = span.last if until is None else max(until, span.last)
    return Stream(tuple(s for s in stream.spans if until is None or s.last > until), until)


def _by_second(visitors: Mapping[str, int]) -> dict[str, list[str]]:
    # Like the edges, second -> fingerprints: a busy second's time is written once.
    grouped: dict[str, list[str]] = {}
    for visitor, when in sorted(visitors.items()):
        grouped.setdefault(_stamp(when), []).append(visitor)
    return grouped


def _stamp(when: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _ledger_from(data: object) -> Ledger:
    """The Ledger in parsed views-imported.json; LedgerError says where it is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("streams"), dict):
        raise LedgerError(msg("not a record of imported logs (expected an object with "
                              "\"streams\")"))
    version = data.get("version")
    if version != LEDGER_VERSION:
        if isinstance(version, int) and version > LEDGER_VERSION:
            raise LedgerError(msg("written by a newer berita (version {version}); update "
                                  "berita", version=version))
        raise LedgerError(msg("version: {version!r} (expected {expected})", version=version,
                              expected=LEDGER_VERSION))
    streams: dict[str, Stream] = {}
    for name, entry in sorted(data["streams"].items()):
        where = f"streams.{name}"
        if not isinstance(entry, dict) or not isinstance(entry.get("spans"), list):
            raise LedgerError(msg("{where}: expected an object with a list \"spans\"",
                                  where=where))
        spans = [_span_from(raw, f"{where}.spans[{i}]") for i, raw in enumerate(entry["spans"])]
        until = entry.get("counted_until")
        streams[name] = Stream(
            tuple(_merged(spans)),
            None if until is None else _ledger_time(until, f"{where}.counted_until"))
    return Ledger(streams)


def _span_from(raw: object, where: str) -> Span:
    if not isinstance(raw, dict):
        raise LedgerError(msg("{where}: expected an object", where=where))
    first = _ledger_time(raw.get("first"), f"{where}.first")
    last = _ledger_time(raw.get("last"), f"{where}.last")
    if first > last:
        raise LedgerError(msg("{where}: first is after last", where=where))
    edges, visitors = raw.get("edges", {}), raw.get("visitors", {})
    if not isinstance(edges, dict) or not isinstance(visitors, dict):
        raise LedgerError(msg("{where}: edges and visitors must be objects", where=where))
    marks = {when: frozenset(values)
             for when, values in _fingerprints(edges, f"{where}.edges").items()}
    seen = {visitor: when for when, values in _fingerprints(visitors, f"{where}.visitors").items()
            for visitor in values}
    return Span(first, last, marks, seen)


def _fingerprints(raw: dict, where: str) -> dict[int, list[str]]:
    """{"2024-09-06T03:00:00Z": [fingerprint, ...]} -> {seconds: [fingerprint, ...]}."""
    found: dict[int, list[str]] = {}
    for stamp, values in raw.items():
        place = f"{where}.{stamp}"
        if not isinstance(values, list) or not all(
                isinstance(v, str) and _FINGERPRINT.match(v) for v in values):
            raise LedgerError(msg("{where}: expected a list of fingerprints", where=place))
        found[_ledger_time(stamp, place)] = values
    return found


def _ledger_time(value: object, where: str) -> int:
    if isinstance(value, str) and _LEDGER_TIME.match(value):
        try:
            return calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))
        except ValueError:
            pass
    raise LedgerError(msg("{where}: {value!r} is not a time like 2024-09-06T03:00:00Z",
                          where=where, value=value))
