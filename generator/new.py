"""`berita new`: a new article file with a complete, valid front-matter skeleton.

The article starts as a draft (`draft: true`), dated now in its office's zone,
at the place site.toml's `new_article_path` names. Its address comes from the
title and is made unique against every existing article; an existing file is
never overwritten.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import click
import yaml

from generator import config as config_stage
from generator import content, fields
from generator.config import Office, SiteConfig
from generator.messages import msg
from generator.problems import BuildFailed, Problem
from generator.urls import is_clean_slug, slugify

BODY = ("Tulis isi berita di sini. Paragraf pertama menjadi ringkasan di daftar berita.\n")
FOOTNOTE = ("# Berita ini masih draf: hapus baris `draft: true` untuk menerbitkannya.\n"
            "# Tanggal tanpa zona waktu dibaca dalam zona waktu kantor.\n")
PLACEHOLDERS = ("office", "year", "month", "day", "slug")


@dataclass(frozen=True)
class NewArticle:
    path: Path
    """The file written."""
    slug: str
    office: Office


def choose_office(config: SiteConfig, key: str | None) -> Office:
    """The office named by --office; without it, the site's owner or its only office."""
    listing = ", ".join(o.slug for o in config.offices)
    if key:
        office = config.find_office(key)
        if office is None:
            suggestion = config.suggest_office(key)
            hint = msg(" Did you mean '{name}'?", name=suggestion) if suggestion else ""
            raise click.UsageError(msg("unknown office {office!r}.{hint} Offices: {offices}",
                                       office=key, hint=hint, offices=listing))
        return office
    if config.site.owner:
        return config.office_by_slug[config.site.owner]
    if len(config.offices) == 1:
        return config.offices[0]
    raise click.UsageError(msg("this site has {number} offices: choose one with "
                               "--office SLUG. Offices: {offices}",
                               number=len(config.offices), offices=listing))


def parse_when(text: str | None, office: Office, config: SiteConfig,
               now: datetime | None = None) -> tuple[datetime, bool]:
    """--date text (as front matter writes it) -> (aware moment, has a time); default now."""
    zone = config.office_zone(office)
    if text is None:
        moment = (now or datetime.now(zone)).astimezone(zone)
        return moment.replace(second=0, microsecond=0), True
    parsed = fields.parse_date(text, zone)
    if parsed is None:
        raise click.BadParameter(msg("cannot read {value!r} as a date; expected {expected}",
                                     value=text, expected=fields.DATE_EXPECTED),
                                 param_hint="'--date'")
    return parsed


def existing_slugs(config: SiteConfig) -> set[str]:
    """Addresses already taken: by articles that parse, and by file names of any that don't."""
    taken: set[str] = set()
    files, _ = content.find_sources(config.root)
    for file in files:
        taken.add(slugify(file.stem))
        article, _ = content.load_file(file, config)
        if article is not None:
            taken.add(article.slug.casefold())
    return taken


def article_path(config: SiteConfig, office: Office, when: datetime, slug: str) -> Path:
    """Where the article goes: content/ + site.new_article_path with its placeholders."""
    pattern = config.site.new_article_path
    names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name}
    unknown = names - set(PLACEHOLDERS)
    if unknown or "slug" not in names:
        raise BuildFailed([_layout_problem(pattern)], msg("The new article was not created."))
    relative = PurePosixPath(pattern.format(office=office.slug, year=f"{when.year:04d}",
                                            month=f"{when.month:02d}", day=f"{when.day:02d}",
                                            slug=slug))
    if relative.is_absolute() or ".." in relative.parts or relative.suffix != ".md":
        raise BuildFailed([_layout_problem(pattern)], msg("The new article was not created."))
    return config.root / content.CONTENT_DIR / Path(*relative.parts)


def _layout_problem(pattern: str) -> Problem:
    return Problem(config_stage.CONFIG_FILE, None, "site.new_article_path",
                   msg("cannot place a new article with {pattern!r}", pattern=pattern),
                   msg("a relative path ending in .md using {{office}}, {{year}}, {{month}}, "
                       "{{day}} and {{slug}}, e.g. {example}",
                       example='"{office}/{year}/{slug}.md"'))


def front_matter(title: str, when: datetime, has_time: bool, office: Office,
                 tags: tuple[str, ...], slug: str) -> str:
    """The front matter block, dumped by YAML so any title is quoted correctly."""
    fields: dict[str, object] = {
        "title": title,
        # Written in the office's own zone without offset: that is how it is read back.
        "date": when.strftime("%Y-%m-%d %H:%M") if has_time else when.strftime("%Y-%m-%d"),
        "office": office.slug,
        "tags": list(tags),
        "views": 0,
        "draft": True,
    }
    if slug != slugify(title):
        fields["slug"] = slug
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False,
                            default_flow_style=None, width=1000)
    return "---\n" + dumped + FOOTNOTE + "---\n"


def create(root: Path, title: str, office_key: str | None = None, tags: tuple[str, ...] = (),
           date: str | None = None, slug: str | None = None,
           now: datetime | None = None) -> NewArticle:
    """Writes a new draft article; raises a click exception when it cannot."""
    root = root.absolute()
    config, problems = config_stage.load(root)
    if config is None:
        raise BuildFailed(problems, msg("The new article was not created: fix site.toml "
                                        "first."))
    title = " ".join(title.split())
    if not title:
        raise click.BadParameter(msg("the title is empty"), param_hint="'TITLE'")
    office = choose_office(config, office_key)
    when, has_time = parse_when(date, office, config, now)
    taken = existing_slugs(config)
    if slug is not None:
        if not is_clean_slug(slug):
            raise click.BadParameter(msg("not a clean slug: {slug!r}; expected lowercase "
                                         "letters, digits and hyphens", slug=slug),
                                     param_hint="'--slug'")
        if slug in taken:
            raise click.ClickException(msg("an article with the address {slug!r} exists "
                                           "already; choose another --slug", slug=slug))
        candidates = [slug]
    else:
        base = slugify(title)
        if not base:
            raise click.BadParameter(msg("the title has no letters or digits to make an "
                                         "address from; give one with --slug"),
                                     param_hint="'TITLE'")
        candidates = [base] + [f"{base}-{n}" for n in range(2, 1000)]
    for candidate in candidates:
        if candidate in taken:
            continue
        path = article_path(config, office, when, candidate)
        text = front_matter(title, when, has_time, office, tags, candidate) + "\n" + BODY
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8", newline="\n") as file:  # never overwrite
                file.write(text)
        except FileExistsError:
            if slug is not None:
                raise click.ClickException(msg("{path} exists already; not overwritten",
                                               path=path)) from None
            continue
        return NewArticle(path, candidate, office)
    raise click.ClickException(msg("no free address for this title; give one with --slug"))
