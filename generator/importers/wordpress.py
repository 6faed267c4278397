"""`berita import wordpress`: a WordPress export (WXR) -> one Markdown article per post.

Articles go to `<into>/<office>/<yyyy>/<slug>.md`; images from a local copy of
wp-content/uploads go beside them. The old addresses of each post (its permalink
path and `/?p=ID`) are kept in `aliases:` so `generator.redirects` can send old
links to the new pages. Nothing existing is overwritten unless asked to.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.importers import wxr
from generator.importers.uploads import image_copier
from generator.importers.wp_markup import Media, plain_text, to_markdown
from generator.importers.wxr import ExportError, Item
from generator.messages import DEFAULT_LANGUAGE, msg, msg_n, say
from generator.urls import is_clean_slug, slugify

__all__ = ["ExportError", "ImportReport", "Imported", "Note", "Skipped", "format_report",
           "import_wordpress"]

VIEW_META_KEYS = (
    "views",                   # WP-PostViews
    "Views",                   # Entry Views
    "post_views_count",        # the widespread functions.php snippet; many news themes
    "post_views",
    "_post_views",
    "wpb_post_views_count",    # WPBeginner's snippet
    "tie_views",               # TieLabs themes (Jannah, Sahifa), popular for news
    "penci_post_views_count",  # Soledad
)
"""Post meta where view counters keep a post's count; the largest value wins."""

DEFAULT_CATEGORIES = frozenset({"uncategorized", "tak-berkategori", "tidak-berkategori"})
"""WordPress's default category (English and Indonesian), which says nothing."""

_NO_DATE = "0000-00-00"
_WP_DATE = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Imported:
    post_id: int
    title: str
    file: Path
    draft: bool = False
    scheduled: bool = False
    """WordPress status "future": the article is dated ahead and appears then."""


@dataclass(frozen=True)
class Skipped:
    post_id: int
    post_type: str
    title: str
    reason: str
    """Why, a msg (English as a str; `say` it in the operator's language)."""


@dataclass(frozen=True)
class Note:
    """Imported, but worth a look."""

    post_id: int
    title: str
    message: str
    """A msg, as Skipped.reason."""


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[Imported, ...]
    skipped: tuple[Skipped, ...]
    notes: tuple[Note, ...]
    images: tuple[Path, ...]
    """Image files copied from the uploads folder."""


@dataclass(frozen=True)
class _Post:
    """A post that will be written, with everything decided but the body."""

    item: Item
    title: str
    slug: str
    date: datetime
    file: Path
    draft: bool


def import_wordpress(export: Path, into: Path, office: str, timezone: str,
                     uploads: Path | None = None, drafts: bool = False,
                     force: bool = False) -> ImportReport:
    """Writes one article per published (or scheduled; with `drafts`, draft) post.

    Raises ExportError when the export cannot be read, ValueError for a bad
    office slug or time zone; everything about single posts goes in the report.
    """
    if not is_clean_slug(office):
        raise ValueError(msg("not an office slug: {office!r} (expected lowercase letters, "
                             "digits and hyphens, as in site.toml)", office=office))
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(msg("unknown time zone: {zone!r} (expected e.g. Asia/Jakarta)",
                             zone=timezone)) from None
    data = wxr.read(export)
    attachments = {i.post_id: i for i in data.items if i.post_type == "attachment"}
    media = {i: Media(a.attachment_url, _first(a.meta_values("_wp_attachment_image_alt")),
                      plain_text(a.excerpt)) for i, a in attachments.items() if a.attachment_url}
    children: dict[int, list[Item]] = {}
    for attachment in sorted(attachments.values(), key=lambda a: (a.menu_order, a.post_id)):
        children.setdefault(attachment.parent, []).append(attachment)

    imported: list[Imported] = []
    skipped: list[Skipped] = []
    notes: list[Note] = []
    copied: list[Path] = []
    claimed: dict[Path, Path] = {}
    taken: set[str] = set()
    # Oldest first, so an older post keeps the plain slug on every re-import.
    for item in sorted(data.items, key=lambda i: i.post_id):
        title = plain_text(item.title)
        reason = _skip_reason(item, drafts)
        when = None if reason else _local_date(item, zone)
        if not reason and when is None:
            reason = msg("no date in the export")
        if reason or when is None:
            skipped.append(Skipped(item.post_id, item.post_type, title, reason))
            continue
        if not title:
            title = _title_from_slug(item)
            notes.append(Note(item.post_id, title, msg("the post has no title; one was "
                                                       "made from its slug")))
        slug = _unique(_base_slug(item, title), taken)
        file = into / office / f"{when.year:04d}" / f"{slug}.md"
        post = _Post(item, title, slug, when, file, item.status in ("draft", "pending"))
        if file.exists() and not force:
            skipped.append(Skipped(item.post_id, item.post_type, title,
                                   msg("{file} already exists (--force overwrites it)",
                                       file=file)))
            continue

        def note(message: str, post: _Post = post) -> None:
            notes.append(Note(post.item.post_id, post.title, message))

        copy = image_copier(uploads, file.parent, claimed, copied, note)
        converted = to_markdown(item.content, media=media,
                                own_media=[a.post_id for a in children.get(item.post_id, [])],
                                image_src=copy)
        for message in converted.notes:
            note(message)
        meta = _front_matter(post, office, data.authors, attachments, copy, note)
        _write_atomic(file, _document(meta, converted.markdown))
        imported.append(Imported(item.post_id, title, file, post.draft,
                                 item.status == "future"))
    return ImportReport(tuple(imported), tuple(skipped), tuple(notes), tuple(copied))


def format_report(report: ImportReport, language: str = DEFAULT_LANGUAGE) -> str:
    """What the CLI prints, in `language`: counts, then every skipped post and note."""
    drafts = sum(1 for i in report.imported if i.draft)
    scheduled = sum(1 for i in report.imported if i.scheduled)
    lines = [msg("imported {posts} ({scheduled} scheduled, {drafts}), copied {images}",
                 posts=msg_n("{count} post", "{count} posts", len(report.imported)),
                 scheduled=scheduled, drafts=msg_n("{count} draft", "{count} drafts", drafts),
                 images=msg_n("{count} image", "{count} images", len(report.images)))]
    posts = [s for s in report.skipped if s.post_type == "post"]
    others: dict[str, int] = {}
    for s in report.skipped:
        if s.post_type != "post":
            others[s.reason] = others.get(s.reason, 0) + 1
    if posts or others:
        lines.append(msg("skipped {count}:", count=len(report.skipped)))
        lines += ["  " + say(msg("post {id} {title!r}: {reason}", id=s.post_id, title=s.title,
                                 reason=s.reason), language) for s in posts]
        lines += [f"  {count} × {say(reason, language)}"
                  for reason, count in sorted(others.items())]
    if report.notes:
        lines.append(msg("notes:"))
        lines += ["  " + say(msg("post {id} {title!r}: {note}", id=n.post_id, title=n.title,
                                 note=n.message), language) for n in report.notes]
    return "\n".join(say(line, language) for line in lines)


# -- deciding -----------------------------------------------------------------------


def _skip_reason(item: Item, drafts: bool) -> str:
    """Why the item is not imported (a msg), or "" when it is."""
    if item.post_type != "post":
        return msg("{kind}: only posts are imported",
                   kind=item.post_type or msg("untyped item"))
    if item.status in ("draft", "pending"):
        return "" if drafts else msg("{status} (--drafts imports drafts)", status=item.status)
    if item.status not in ("publish", "future"):
        return msg("status {status}: not published", status=item.status or msg("missing"))
    if item.password:
        return msg("password-protected: its text would become public")
    return ""


def _local_date(item: Item, zone: ZoneInfo) -> datetime | None:
    """The post's moment in the office's zone; drafts often have no GMT date."""
    for text, source_zone in ((item.date_gmt, UTC), (item.date, zone)):
        if text and not text.startswith(_NO_DATE):
            try:
                return datetime.strptime(text, _WP_DATE).replace(tzinfo=source_zone
                                                                 ).astimezone(zone)
            except ValueError:
                pass
    try:
        return parsedate_to_datetime(item.pub_date).astimezone(zone)
    except (TypeError, ValueError, IndexError):
        return None


def _base_slug(item: Item, title: str) -> str:
    # WordPress keeps non-ASCII slugs percent-encoded ("pemilu-%e2%80%93-2024").
    return slugify(unquote(item.post_name)) or slugify(title) or f"berita-{item.post_id}"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate)
    return candidate


def _title_from_slug(item: Item) -> str:
    words = unquote(item.post_name).replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else f"Berita {item.post_id}"


def _first(values: list[str]) -> str:
    return values[0].strip() if values else ""


def _tags(item: Item) -> list[str]:
    """Categories, then tags; the default category and duplicates left out."""
    ordered = sorted(item.terms, key=lambda t: t.domain != "category")
    names: dict[str, str] = {}
    for term in ordered:
        if term.domain not in ("category", "post_tag", "tag"):
            continue  # post formats and custom taxonomies are not topics
        name = plain_text(term.name)
        slug = slugify(name)
        if term.domain == "category" and (term.nicename.lower() in DEFAULT_CATEGORIES
                                          or slug in DEFAULT_CATEGORIES):
            continue
        if slug:
            names.setdefault(slug, name)
    return list(names.values())


def _views(item: Item, note: Callable[[str], None]) -> int | None:
    counts = []
    for key in VIEW_META_KEYS:
        for value in item.meta_values(key):
            if value.strip().isdigit():
                counts.append(int(value.strip()))
            else:
                note(msg("view count {key}={value!r} is not a whole number; ignored",
                         key=key, value=value))
    return max(counts) if counts else None


def _aliases(item: Item) -> list[str]:
    """The post's old addresses, as paths from the site root."""
    aliases = []
    path = urlsplit(item.link).path
    if path and path != "/":  # drafts and plain permalinks link to "/?p=ID"
        aliases.append(path)
        stem = path.rstrip("/")
        if item.post_name and stem.endswith("/" + item.post_name):
            # A renamed post still answers at its old slugs on WordPress.
            head = stem[: -len(item.post_name)]
            tail = "/" if path.endswith("/") else ""
            aliases += [head + old.strip() + tail for old in item.meta_values("_wp_old_slug")
                        if old.strip()]
    aliases.append(f"/?p={item.post_id}")
    return list(dict.fromkeys(aliases))


def _front_matter(post: _Post, office: str, authors: dict[str, str],
                  attachments: dict[int, Item], copy: Callable[[str], str | None],
                  note: Callable[[str], None]) -> dict[str, object]:
    item = post.item
    meta: dict[str, object] = {"title": post.title,
                               "date": post.date.strftime("%Y-%m-%d %H:%M"),
                               "office": office}
    views = _views(item, note)
    if views is not None:
        meta["views"] = views
    if tags := _tags(item):
        meta["tags"] = tags
    meta["slug"] = post.slug  # the file name alone does not set the address
    login = item.creator.strip()
    if author := plain_text(authors.get(login) or login):
        meta["author"] = author
    if summary := plain_text(item.excerpt):
        meta["summary"] = summary
    thumbnail = _first(item.meta_values("_thumbnail_id"))
    if thumbnail:
        attachment = attachments.get(int(thumbnail)) if thumbnail.isdigit() else None
        if attachment is None or not attachment.attachment_url:
            note(msg("featured image {id} is not in the export", id=thumbnail))
        else:
            meta["image"] = copy(attachment.attachment_url) or attachment.attachment_url
            if caption := plain_text(attachment.excerpt):
                meta["image_caption"] = caption
    if post.draft:
        meta["draft"] = True
    meta["aliases"] = _aliases(item)
    return meta


# -- writing ------------------------------------------------------------------------


def _document(meta: dict[str, object], body: str) -> str:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000,
                           default_flow_style=False)
    return f"---\n{front}---\n" + (f"\n{body}" if body else "")


def _write_atomic(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
