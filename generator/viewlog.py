"""`berita views import`: page views counted from web server access logs.

Counts what a person reading an article would leave in an nginx or Apache
"combined" log: GET requests answered 200, not from a known robot or link-preview
fetcher, and one view per visitor (IP address + user agent) and page in any 30
minutes, so reloads do not inflate the count. Rotated logs may be gzipped.

Then `plan_views` matches counted paths to article files and `apply_views`
adds the views to the `views:` line of each one, touching no other byte.
"""

from __future__ import annotations

import calendar
import gzip
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

FORMATS = ("combined",)
REVISIT_SECONDS = 30 * 60
"""A visitor's view of a page counts again only this long after the last counted one."""

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

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class PlannedViews:
    route: str
    file: Path
    added: int


def count_views(log_paths: Iterable[Path], fmt: str = "combined") -> ViewCounts:
    """Counts page views in access logs, plain or gzip-compressed (by content, not name).

    A log that does not exist raises OSError; bad lines never stop the count.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    tally = {"lines_read": 0, "malformed": 0, "not_get": 0, "not_ok": 0, "bots_skipped": 0,
             "not_pages": 0}
    unreadable: list[str] = []
    # Logs may come in any order (access.log.2.gz before access.log), so hits are
    # gathered first and put in time order per visitor and page before counting.
    visits: dict[tuple[str, str, str], list[int]] = {}
    for log in log_paths:
        for line in _lines(log, unreadable):
            tally["lines_read"] += 1
            hit = _parse(line)
            if hit is None:
                tally["malformed"] += 1
                continue
            ip, when, method, target, status, agent = hit
            if method != "GET":
                tally["not_get"] += 1
            elif status != 200:
                tally["not_ok"] += 1
            elif is_bot(agent):
                tally["bots_skipped"] += 1
            else:
                path = normalize_path(target)
                if path is None:
                    tally["malformed"] += 1
                elif not is_page(path):
                    tally["not_pages"] += 1
                else:
                    visits.setdefault((path, ip, agent), []).append(when)
    counts: dict[str, int] = {}
    repeats = 0
    for (path, _, _), times in visits.items():
        times.sort()
        last = None
        for when in times:
            if last is None or when - last >= REVISIT_SECONDS:
                counts[path] = counts.get(path, 0) + 1
                last = when
            else:
                repeats += 1
    return ViewCounts(dict(sorted(counts.items())), repeats=repeats,
                      unreadable=tuple(unreadable), **tally)


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
        raise ValueError(f"{article_file}: no front matter (expected a first line of ---)")
    close = next((i for i in range(1, len(lines)) if _BOUNDARY.match(lines[i])), None)
    if close is None:
        raise ValueError(f"{article_file}: front matter is not closed (expected a line of ---)")
    found = [(i, m) for i in range(1, close) if (m := _VIEWS_LINE.match(lines[i]))]
    if len(found) > 1:
        raise ValueError(f"{article_file}: views: appears {len(found)} times")
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


def _views_value(raw: bytes, file: Path) -> int:
    text = raw.decode("utf-8", "replace").strip().strip("'\"").strip()
    if text in ("", "~", "null", "Null", "NULL"):
        return 0
    if not text.isdigit():
        raise ValueError(f"{file}: views: {text!r} is not a whole number; fix it first")
    return int(text)


def _write_atomic(file: Path, data: bytes) -> None:
    mode = stat.S_IMODE(file.stat().st_mode)
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
    try:
        local = calendar.timegm((int(year), number, int(day), int(hour), int(minute),
                                 int(second), 0, 0, 0))
    except ValueError:
        return None
    offset = (int(zh) * 60 + int(zm)) * 60
    return local - offset if sign == "+" else local + offset
