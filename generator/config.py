"""site.toml -> SiteConfig: every key declared once, every problem reported at once."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.messages import msg
from generator.problems import Problem
from generator.urls import is_clean_slug, normalize_base_url, slugify

CONFIG_FILE = "site.toml"
Level = Literal["provinsi", "kabupaten", "kota"]
LEVELS: tuple[str, ...] = get_args(Level)


CONTENT_DIR = "content"
"""The folder of a site that holds its articles."""

@dataclass(frozen=True)
class Office:
    """One KPU office that publishes news: an `[[offices]]` table."""

    slug: str
    """URL slug, e.g. "kpu-kabupaten-blora" (lowercase letters, digits, hyphens)."""
    name: str
    """Full name, e.g. "KPU Kabupaten Blora"."""
    level: Level
    """provinsi, kabupaten or kota."""
    parent: str = ""
    """Slug of the province office a kabupaten/kota office belongs to."""
    timezone: str = ""
    """Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT); default: the site's."""
    address: str = ""
    """Postal address, shown in the footer."""
    phone: str = ""
    """Telephone number, shown in the footer."""
    email: str = ""
    """Contact e-mail, shown in the footer."""
    website: str = ""
    """The office's own website."""


@dataclass(frozen=True)
class Site:
    """The `[site]` table."""

    title: str
    """Name of the site, in the header and in feeds."""
    base_url: str
    """Absolute URL the site is published at, e.g. "https://berita.kpu.example/"."""
    description: str = ""
    """One sentence about the site, for feeds and the home page's meta description."""
    language: str = "id"
    """Language of the content (BCP 47)."""
    timezone: str = "Asia/Jakarta"
    """Default time zone for offices that name none."""
    per_page: int = 10
    """Articles per list page."""
    feed_length: int = 20
    """Newest articles in each feed."""
    default_image: str = ""
    """Share image for articles without one: a path under the theme's static/ or an URL."""
    owner: str = ""
    """Slug of the office that runs this site: its contact details fill the footer."""
    search: bool = True
    """Build the search index (Pagefind)."""
    new_article_path: str = "{office}/{year}/{slug}.md"
    """Where `berita new` puts an article, inside content/."""
    extra_fields: tuple[str, ...] = ()
    """Front-matter keys of the site's own templates (`article.extra`): never reported as
    a misspelt field, e.g. ("tagline", "draf_lama")."""


CMS_BACKENDS = ("github", "gitlab", "git-gateway")


@dataclass(frozen=True)
class Cms:
    """The `[cms]` table: the web editor published at /admin/ (see docs/cms.md). Each
    article saved there arrives as a pull (merge) request on `branch`."""

    backend: str
    """github, gitlab or git-gateway (Netlify Identity)."""
    repo: str = ""
    """The site's repository, "owner/name" (github and gitlab)."""
    branch: str = "main"
    """The branch the site is built from."""
    auth_url: str = ""
    """Address of the OAuth service that signs operators in (github: an OAuth proxy;
    empty: Netlify's, for sites hosted there)."""
    auth_endpoint: str = ""
    """Path of the sign-in on `auth_url`, when it is not "auth"."""
    app_id: str = ""
    """gitlab: the application ID of the OAuth application (PKCE sign-in)."""
    api_root: str = ""
    """gitlab: the API of a self-hosted GitLab, e.g. "https://gitlab.example/api/v4"."""


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.toml says, validated."""

    root: Path
    site: Site
    offices: tuple[Office, ...]
    office_by_slug: dict[str, Office] = field(repr=False, compare=False)
    cms: Cms | None = None
    """The published editor; None when the site has none (`berita serve` has its own)."""

    def find_office(self, key: str) -> Office | None:
        """An office by slug or by full name (case and spacing ignored)."""
        if key in self.office_by_slug:
            return self.office_by_slug[key]
        wanted = " ".join(key.split()).casefold()
        for office in self.offices:
            if " ".join(office.name.split()).casefold() == wanted:
                return office
        # Only ASCII is read loosely: slugify would turn a look-alike letter (Cyrillic "о"
        # in "Blоra") into the real office's, taking a wrong office in silence.
        if not key.isascii():
            return None
        return self.office_by_slug.get(slugify(key))

    def suggest_office(self, key: str) -> str | None:
        """The office slug closest to a mistyped `key`, if any is close."""
        names = list(self.office_by_slug) + [o.name for o in self.offices]
        match = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        if not match:
            match = difflib.get_close_matches(slugify(key), list(self.office_by_slug), n=1)
        if not match:
            return None
        office = self.find_office(match[0])
        return office.slug if office else None

    def office_zone(self, office: Office) -> ZoneInfo:
        return ZoneInfo(office.timezone or self.site.timezone)

    def with_base_url(self, base_url: str) -> SiteConfig:
        site = dataclasses.replace(self.site, base_url=normalize_base_url(base_url))
        return dataclasses.replace(self, site=site)


class _Lines:
    """Finds the line of a key in the TOML text, so problems can point at it."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, int, str], int] = {}
        self.tables: dict[tuple[str, int], int] = {}
        table, index = "", 0
        counts: dict[str, int] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if header := re.match(r"^\[\[\s*([\w.-]+)\s*\]\]", line):
                table = header.group(1)
                index = counts.get(table, 0)
                counts[table] = index + 1
                self.tables[(table, index)] = number
            elif header := re.match(r"^\[\s*([\w.-]+)\s*\]", line):
                table, index = header.group(1), 0
                self.tables[(table, index)] = number
            elif key := re.match(r"^([\w-]+|\"[^\"]*\")\s*=", line):
                self.lines.setdefault((table, index, key.group(1).strip('"')), number)

    def of(self, table: str, index: int, key: str | None = None) -> int | None:
        if key is not None and (table, index, key) in self.lines:
            return self.lines[(table, index, key)]
        return self.tables.get((table, index))


_TYPE_NAMES = {str: msg("text"), int: msg("a whole number"), bool: msg("true or false"),
               tuple: msg('a list of texts, e.g. ["tagline", "draf_lama"]')}


def _field_type(f: dataclasses.Field) -> type:
    """The TOML type of a field: int, bool, tuple (a list of texts, kept as a tuple so the
    config stays frozen) or str."""
    annotation = f.type if isinstance(f.type, str) else f.type.__name__
    if annotation in ("int",):
        return int
    if annotation in ("bool",):
        return bool
    if annotation.startswith("tuple"):
        return tuple
    return str


def _typed(value: Any, wanted: type) -> Any:
    """`value` as the field wants it, or None when it is of the wrong type."""
    if wanted is tuple:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        return None
    # TOML's bools are ints to Python; a number where a flag is wanted is a mistake.
    if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
        return None
    return value


def _read_table(
    cls: type, raw: Any, where: str, index: int, lines: _Lines, path: str
) -> tuple[dict[str, Any], list[Problem]]:
    """Checks one table's keys and types against `cls`'s fields."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        line = lines.of(where, index)
        return {}, [Problem(path, line, where, msg("must be a table"), f"[{where}]")]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = lines.of(where, index, key)
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = msg("; did you mean '{name}'?", name=close[0]) if close else ""
            problems.append(
                Problem(path, line, f"{where}.{key}", msg("unknown key{hint}", hint=hint),
                        msg("one of: {names}", names=", ".join(fields)))
            )
            continue
        wanted = _field_type(fields[key])
        typed = _typed(value, wanted)
        if typed is None:
            problems.append(
                Problem(path, line, f"{where}.{key}",
                        msg("wrong type: received {value!r}", value=value),
                        _TYPE_NAMES[wanted])
            )
            continue
        values[key] = typed
    for name, f in fields.items():
        no_default = f.default is dataclasses.MISSING
        if no_default and name not in raw:
            problems.append(Problem(path, lines.of(where, index), f"{where}.{name}",
                                    msg("required key is missing"),
                                    _TYPE_NAMES[_field_type(f)]))
    return values, problems


def _check_zone(value: str, path: str, line: int | None, key: str) -> list[Problem]:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return [Problem(path, line, key, msg("unknown time zone {zone!r}", zone=value),
                        msg("Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"))]
    return []


def _check_site(values: dict[str, Any], path: str, lines: _Lines) -> list[Problem]:
    problems: list[Problem] = []

    def at(key: str) -> int | None:
        return lines.of("site", 0, key)

    base = values.get("base_url")
    if base is not None:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(Problem(path, at("base_url"), "site.base_url",
                                    msg("not an absolute URL: {address!r}", address=base),
                                    msg("an address like {example}",
                                        example='"https://berita.kpu.example/"')))
    for key in ("per_page", "feed_length"):
        if key in values and values[key] < 1:
            problems.append(Problem(path, at(key), f"site.{key}",
                                    msg("must be at least 1, received {value}",
                                        value=values[key]), msg("a number >= 1")))
    if "timezone" in values:
        problems += _check_zone(values["timezone"], path, at("timezone"), "site.timezone")
    if "title" in values and not values["title"].strip():
        problems.append(Problem(path, at("title"), "site.title", msg("is empty"),
                                msg("the site's name")))
    return problems


def _check_cms(values: dict[str, Any], path: str, lines: _Lines) -> list[Problem]:
    def at(key: str) -> int | None:
        return lines.of("cms", 0, key)

    backend = values["backend"]
    if backend not in CMS_BACKENDS:
        # The expected names CMS_BACKENDS.
        return [Problem(path, at("backend"), "cms.backend",
                        msg("unknown backend {backend!r}", backend=backend),
                        msg("github or gitlab or git-gateway"))]
    problems: list[Problem] = []
    repo = values.get("repo", "")
    if backend != "git-gateway" and not re.fullmatch(r"[\w.-]+(/[\w.-]+)+", repo):
        problems.append(Problem(path, at("repo"), "cms.repo",
                                msg("{backend} needs the site's repository", backend=backend)
                                if not repo else
                                msg("not a repository name: {repo!r}", repo=repo),
                                msg('the repository as "owner/name", e.g. "kpu-blora/berita"')))
    if not values.get("branch", "main").strip():
        problems.append(Problem(path, at("branch"), "cms.branch", msg("is empty"),
                                msg('the branch the site is built from, e.g. "main"')))
    for key in ("auth_url", "api_root"):
        address = values.get(key, "")
        parts = urlsplit(address)
        if address and (parts.scheme not in ("http", "https") or not parts.netloc):
            problems.append(Problem(path, at(key), f"cms.{key}",
                                    msg("not an absolute URL: {address!r}", address=address),
                                    msg("an address like {example}",
                                        example='"https://oauth.kpu.example"')))
    return problems


def _check_offices(offices: list[Office], path: str, lines: _Lines,
                   indexes: list[int]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for office, index in zip(offices, indexes, strict=True):
        def at(key: str, index: int = index) -> int | None:
            return lines.of("offices", index, key)

        if not is_clean_slug(office.slug):
            problems.append(Problem(path, at("slug"), "offices.slug",
                                    msg("not a clean slug: {slug!r}", slug=office.slug),
                                    msg("lowercase letters, digits and hyphens, e.g. "
                                        "{example!r}",
                                        example=slugify(office.name) or "kpu-kota-x")))
        if office.slug in seen:
            problems.append(Problem(path, at("slug"), "offices.slug",
                                    msg("office {office!r} is listed twice "
                                        "(first on line {line})",
                                        office=office.slug, line=seen[office.slug]),
                                    msg("each slug once")))
        seen.setdefault(office.slug, at("slug") or 0)
        if office.level not in LEVELS:
            problems.append(Problem(path, at("level"), "offices.level",
                                    msg("unknown level {level!r}", level=office.level),
                                    msg("one of: {names}", names=", ".join(LEVELS))))
        if office.timezone:
            problems += _check_zone(office.timezone, path, at("timezone"), "offices.timezone")
        if not office.name.strip():
            problems.append(Problem(path, at("name"), "offices.name", msg("is empty"),
                                    msg('the full name, e.g. "KPU Kota Blitar"')))
    by_slug = {o.slug: o for o in offices}
    for office, index in zip(offices, indexes, strict=True):
        line = lines.of("offices", index, "parent")
        if office.parent:
            parent = by_slug.get(office.parent)
            if parent is None:
                problems.append(Problem(path, line, "offices.parent",
                                        msg("no office has the slug {slug!r}",
                                            slug=office.parent),
                                        msg("the slug of a provinsi office listed in "
                                            "site.toml")))
            elif parent.level != "provinsi" or office.level == "provinsi":
                problems.append(Problem(path, line, "offices.parent",
                                        msg("{office} ({level}) cannot belong to "
                                            "{parent} ({parent_level})", office=office.slug,
                                            level=office.level, parent=parent.slug,
                                            parent_level=parent.level),
                                        msg("a kabupaten/kota office under a provinsi "
                                            "office")))
        # An office's name that slugifies to another office's slug would make
        # `office: <name>` in front matter ambiguous.
        name_slug = slugify(office.name)
        other = by_slug.get(name_slug)
        if other is not None and other is not office:
            problems.append(Problem(path, lines.of("offices", index, "name"), "offices.name",
                                    msg("the name {name!r} collides with the slug of "
                                        "office {office!r}", name=office.name,
                                        office=other.slug),
                                    msg("names and slugs that differ")))
    return problems


def load(root: Path) -> tuple[SiteConfig | None, list[Problem]]:
    """Reads `root`/site.toml. Returns (config, problems); config is None if unusable."""
    file = root / CONFIG_FILE
    path = CONFIG_FILE
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None, [Problem(path, None, None,
                              msg("site.toml not found in {folder}", folder=root),
                              msg("a site folder holding site.toml (use -s/--site)"))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, None, msg("not valid UTF-8 text"),
                              msg("a file saved as UTF-8"))]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, [Problem(path, int(found.group(1)) if found else None, None,
                              msg("TOML syntax error: {error}", error=message),
                              msg("valid TOML"))]
    return parse(raw, root, text)


def parse(raw: dict[str, Any], root: Path, text: str = "") -> tuple[SiteConfig | None,
                                                                      list[Problem]]:
    """Validates parsed TOML; `text` is the source, for line numbers."""
    path = CONFIG_FILE
    lines = _Lines(text)
    problems: list[Problem] = []
    for key in raw:
        if key not in ("site", "offices", "cms"):
            problems.append(Problem(path, lines.of(key, 0) or lines.of("", 0, key), key,
                                    msg("unknown table or key"),
                                    msg("[site], [[offices]] and [cms]")))
    site_values, found = _read_table(Site, raw.get("site", {}), "site", 0, lines, path)
    problems += found
    problems += _check_site(site_values, path, lines)
    offices: list[Office] = []
    indexes: list[int] = []
    raw_offices = raw.get("offices", [])
    if not isinstance(raw_offices, list):
        problems.append(Problem(path, None, "offices",
                                msg("must be a list of [[offices]] tables"),
                                msg("[[offices]] tables")))
        raw_offices = []
    if not raw_offices:
        problems.append(Problem(path, None, "offices", msg("no office is listed"),
                                msg("at least one [[offices]] table")))
    for index, item in enumerate(raw_offices):
        values, found = _read_table(Office, item, "offices", index, lines, path)
        problems += found
        if not found:
            offices.append(Office(**values))
            indexes.append(index)
    problems += _check_offices(offices, path, lines, indexes)
    owner = site_values.get("owner")
    if owner and owner not in {o.slug for o in offices}:
        problems.append(Problem(path, lines.of("site", 0, "owner"), "site.owner",
                                msg("no office has the slug {slug!r}", slug=owner),
                                msg("an office slug")))
    cms_values: dict[str, Any] = {}
    if "cms" in raw:
        cms_values, found = _read_table(Cms, raw["cms"], "cms", 0, lines, path)
        problems += found or _check_cms(cms_values, path, lines)
    if problems:
        return None, problems
    site = Site(**site_values)
    site = dataclasses.replace(site, base_url=normalize_base_url(site.base_url))
    return SiteConfig(root=root, site=site, offices=tuple(offices),
                      office_by_slug={o.slug: o for o in offices},
                      cms=Cms(**cms_values) if cms_values else None), []
