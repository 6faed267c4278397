"""content/ -> [Article]: front matter read, validated and typed; problems collected.

Nothing here renders Markdown (see markup.py); an Article is what the
operator wrote, checked.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import frontmatter
import yaml

from generator.config import CONTENT_DIR, SiteConfig
from generator.fields import DATE_EXPECTED, Fields, Tag
from generator.messages import msg
from generator.problems import Problem
from generator.urls import is_clean_slug, slugify

KNOWN_FIELDS = frozenset({
    "title", "date", "office", "views", "tags", "slug", "summary", "image", "image_caption",
    "author", "updated", "draft", "source", "source_url", "aliases",
})
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOUNDARY = frontmatter.YAMLHandler.FM_BOUNDARY


@dataclass(frozen=True, slots=True)
class Article:
    """One Markdown file under content/, validated."""

    path: str
    """Relative to the site folder, e.g. "content/kpu-kabupaten-blora/2024/raker.md"."""
    title: str
    date: datetime
    """Aware, in the office's zone."""
    has_time: bool
    """False when the operator gave only a day: pages then show no time."""
    office: str
    """Office slug."""
    slug: str
    views: int = 0
    tags: tuple[Tag, ...] = ()
    tags_line: int = 0
    """Line of `tags:`, for the warnings about a tag (0 without tags)."""
    summary: str = ""
    """From front matter; markup fills it from the first paragraph when empty."""
    image: str = ""
    """Content-relative path of a local image, or an absolute http(s) URL."""
    image_line: int = 0
    image_caption: str = ""
    author: str = ""
    updated: datetime | None = None
    draft: bool = False
    source: str = ""
    source_url: str = ""
    aliases: tuple[str, ...] = ()
    aliases_line: int = 0
    """Line of `aliases:`, for the problems with an old address (0 without any)."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    body: str = field(default="", repr=False)
    body_line: int = 1
    """Line of the file where the Markdown body starts."""
    digest: str = ""
    """Hash of the file's bytes: the cache key of everything derived from it."""
    compressed_html: bytes = field(default=b"", repr=False)
    """The body as HTML (filled by markup), zlib-compressed: a build holds every article
    in each of its processes, and HTML is most of an article's size (see `html`)."""

    @property
    def html(self) -> str:
        """The body as HTML; "" before markup."""
        return decompress_html(self.compressed_html)

    @property
    def directory(self) -> str:
        """Folder of the file relative to content/, for resolving images beside it."""
        parent = posixpath.dirname(self.path)
        return parent[len(CONTENT_DIR) :].lstrip("/")


def with_html(article: Article, html: str) -> Article:
    """The article holding `html` as its body's HTML."""
    # Level 1: a fifth of the size, at a fraction of the cost of the higher levels.
    return replace(article, compressed_html=zlib.compress(html.encode(), 1) if html else b"")


def decompress_html(compressed: bytes) -> str:
    """Article.compressed_html as text."""
    return zlib.decompress(compressed).decode() if compressed else ""


def is_editor_litter(name: str) -> bool:
    """Hidden files, editor backups and lock files: never published."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swo", ".tmp", ".bak"))


def is_ignored(name: str) -> bool:
    """Only Markdown files that are not editor litter are articles."""
    return is_editor_litter(name) or not name.endswith(".md")


def find_sources(root: Path) -> tuple[list[Path], list[Problem]]:
    """Every article file under root/content, sorted; symlinks out of content/ skipped."""
    names, problems = find_source_names(root)
    return [Path(name) for name in names], problems


def find_source_names(root: Path) -> tuple[list[str], list[Problem]]:
    """find_sources, as path strings (a site has tens of thousands)."""
    content = root / CONTENT_DIR
    problems: list[Problem] = []
    found: list[str] = []
    if not content.is_dir():
        return [], [Problem(CONTENT_DIR, None, None, msg("content folder not found"),
                            msg("a content/ folder with Markdown articles"))]
    real_content = content.resolve()
    # Never following directory symlinks, so symlink loops cannot trap us.
    pending = [str(content)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:  # unreadable: skipped, as os.walk does
            continue
        folders = []
        for entry in entries:
            if _is_folder(entry):  # a link to a folder is not followed, nor an article
                if not entry.name.startswith(".") and not entry.is_symlink():
                    folders.append(entry.path)
                continue
            if is_ignored(entry.name):
                continue
            if entry.is_symlink():
                file = Path(entry.path)
                try:
                    target = file.resolve(strict=True)
                except (OSError, RuntimeError):  # dangling, or a loop
                    problems.append(Problem(_rel(file, root), None, None,
                                            msg("ignored: symbolic link leads nowhere "
                                                "(missing target or a loop)"),
                                            msg("a real file inside content/"), "warning"))
                    continue
                if not target.is_relative_to(real_content) or not target.is_file():
                    problems.append(Problem(_rel(file, root), None, None,
                                            msg("ignored: symbolic link leads outside "
                                                "content/"),
                                            msg("a real file inside content/"), "warning"))
                    continue
            found.append(entry.path)
        pending.extend(reversed(folders))  # depth first, in name order
    return found, problems


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop: reported as a file that leads nowhere
        return False


def content_file(root: Path, relative: str) -> Path | None:
    """The real file behind a content-relative path, or None when it is missing or it
    (or a symlink on the way) leads outside content/: such files are never published."""
    base = (root / CONTENT_DIR).resolve()
    try:
        real = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    return real if real.is_relative_to(base) and real.is_file() else None


def load(config: SiteConfig) -> tuple[list[Article], list[Problem]]:
    """Reads and validates every article of the site."""
    files, problems = find_sources(config.root)
    articles: list[Article] = []
    for file in files:
        article, found = load_file(file, config)
        problems += found
        if article is not None:
            articles.append(article)
    return articles, problems


def _rel(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def load_file(file: Path, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    path = _rel(file, config.root)
    try:
        data = file.read_bytes()
    except OSError as exc:
        return None, [Problem(path, None, None, msg("cannot read the file: {reason}",
                                                    reason=exc.strerror))]
    return parse(data, path, config)


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (with or without BOM) -> text with "\\n" line ends; never guesses an encoding."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(path, line, None,
                              msg("not UTF-8 text: byte 0x{byte:02x} at column {column}",
                                  byte=data[exc.start], column=column),
                              msg("a file saved as UTF-8 (in Notepad: Save As, Encoding: "
                                  "UTF-8)"))]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split(text: str, path: str) -> tuple[str, int, str, int, list[Problem]]:
    """-> (front matter, its first line, body, its first line, problems)."""
    lines = text.split("\n")
    if not text.strip():
        return "", 1, "", 1, [Problem(path, 1, None, msg("the file is empty"),
                                      msg("front matter between --- lines, then the "
                                          "article"))]
    if not _BOUNDARY.match(lines[0]):
        return "", 1, "", 1, [Problem(path, 1, None,
                                      msg("the file does not start with front matter"),
                                      msg("a first line of ---, then title:, date:, "
                                          "office:"))]
    for index in range(1, len(lines)):
        if _BOUNDARY.match(lines[index]):
            return ("\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2, [])
    return "", 1, "", 1, [Problem(path, 1, None, msg("front matter is not closed"),
                                  msg("a line of --- after the last field"))]


def _yaml_problem(exc: yaml.YAMLError, text: str, path: str, first_line: int) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    source_lines = text.split("\n")
    if mark is not None and mark.line < len(source_lines) and \
            "\t" in source_lines[mark.line][: len(source_lines[mark.line])
                                            - len(source_lines[mark.line].lstrip())]:
        return Problem(path, line, None,
                       msg("YAML syntax error: a tab is used for indentation"),
                       msg("spaces instead of tabs"))
    # PyYAML's own words (what it found, where it was) are English only.
    problem = getattr(exc, "problem", None) or str(exc)
    opened_at: str = ""
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line != getattr(mark, "line", -1):
        opened_at = msg(" ({context}, opened on line {line}: check that it is closed)",
                        context=context, line=first_line + context_mark.line)
    return Problem(path, line, None,
                   msg("YAML syntax error: {problem}{opened}", problem=problem, opened=opened_at),
                   msg("field: value lines; quote values that contain ': ' or start with "
                       "{characters}", characters="[ { \" '"))


def read_front_matter(text: str, path: str, first_line: int,
                      raw_text: dict[str, str] | None = None
                      ) -> tuple[dict[str, Any] | None, dict[str, int], list[Problem]]:
    """YAML -> (mapping, line of each key, problems). `raw_text`, if given, receives
    each plain value as written (YAML reads "12.500" as 12.5; the hint needs the text)."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, []
        if not isinstance(node, yaml.MappingNode):
            return None, {}, [Problem(path, first_line, None,
                                      msg("front matter is not a list of fields"),
                                      msg("lines of field: value"))]
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            return None, {}, [Problem(path, first_line, None,
                                      msg("the front matter holds more than {limit} values "
                                          "once its YAML aliases (*name) are expanded",
                                          limit=MAX_YAML_NODES),
                                      msg("fields written out, without & and * aliases"))]
        lines: dict[str, int] = {}
        problems: list[Problem] = []
        # Only a text with a # can have lost a part of a value to a comment.
        source_lines = text.split("\n") if "#" in text else None
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = first_line + key_node.start_mark.line
            if source_lines is not None and (cut := _cut_by_comment(
                    source_lines, key, key_node, value_node, path, first_line)) is not None:
                problems.append(cut)
            if key in lines:
                problems.append(Problem(path, line, key,
                                        msg("field given twice (also on line {line})",
                                            line=lines[key]),
                                        msg("each field once")))
            lines.setdefault(key, line)
            if raw_text is not None and isinstance(value_node, yaml.ScalarNode):
                raw_text.setdefault(key, str(value_node.value))
        data = _construct(loader, node, path, first_line)
        if isinstance(data, Problem):
            return None, {}, [data]
    except yaml.YAMLError as exc:
        return None, {}, [_yaml_problem(exc, text, path, first_line)]
    finally:
        loader.dispose()
    return {str(k): v for k, v in data.items()}, lines, problems


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for with every alias expanded; counted once per node
    (aliases share nodes), and stopped early past MAX_YAML_NODES."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_YAML_NODES + 1  # a node inside itself: no end to it
    total = 1
    if isinstance(node, yaml.SequenceNode):
        children: list[yaml.Node] = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children = []
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_YAML_NODES:
            break
    sizes[id(node)] = total
    return total


def _cut_by_comment(lines: list[str], key: str, key_node: yaml.Node, node: yaml.Node,
                    path: str, first_line: int) -> Problem | None:
    """A warning when YAML ended an unquoted value at ` #`: `title: Tab #1 pilihan` is
    the title "Tab", the rest a comment, and nothing else would say so."""
    # A quoted or block value keeps its #; a list or mapping is not a value on one line;
    # an alias (`b: *x`) is the value written before, under its own key.
    if not isinstance(node, yaml.ScalarNode) or node.style not in (None, "") or \
            node.start_mark.index < key_node.end_mark.index:
        return None
    start, end = node.start_mark, node.end_mark
    rest = lines[end.line][end.column:] if end.line < len(lines) else ""
    if not rest.lstrip().startswith("#"):
        return None
    whole = lines[start.line][start.column:].strip() if start.line == end.line else ""
    quoted = f"{key}: '{whole.replace(chr(39), chr(39) * 2)}'" if whole else \
        msg("the whole value in quotes")
    return Problem(path, first_line + end.line, key,
                   msg("the text after # was read as a comment and dropped (`{comment}`): "
                       "quote the value", comment=rest.strip()),
                   msg("{quoted}, or no comment after the value", quoted=quoted), "warning")


def _construct(loader: Any, node: yaml.MappingNode, path: str, first_line: int
               ) -> dict[Any, Any] | Problem:
    """Builds the Python values; a value YAML parses but cannot build (a timestamp like
    2024-13-45, a key that is a list) becomes a Problem at its line instead of a crash."""
    quick = _quick_construct(loader, node)
    if quick is not None:
        return quick
    # PyYAML's constructors fail in many ways on a value given an explicit tag it does
    # not fit (`!!timestamp "kemarin"`: AttributeError, `!!bool ya`: KeyError).
    unbuildable = (ValueError, TypeError, OverflowError, AttributeError, LookupError)
    try:
        data = loader.construct_document(node)
    except unbuildable as exc:
        line, field_name, shown = first_line, None, msg("this value")
        reason: str = str(exc)  # Python's or PyYAML's, in English
        for key_node, value_node in node.value:
            try:
                loader.construct_object(value_node, deep=True)
                hash(loader.construct_object(key_node, deep=True))
            except (*unbuildable, yaml.YAMLError):
                line = first_line + value_node.start_mark.line
                field_name = str(key_node.value)
                if isinstance(value_node, yaml.ScalarNode):
                    shown = str(value_node.value)
                    if isinstance(exc, AttributeError | LookupError):
                        reason = msg("it is no {kind}, which its tag {tag} says it is",
                                     kind=value_node.tag.rsplit(":", 1)[-1],
                                     tag="!!" + value_node.tag.rsplit(":", 1)[-1])
                break
        return Problem(path, line, field_name,
                       msg("cannot read {value}: {reason}", value=shown, reason=reason),
                       DATE_EXPECTED if "month" in str(exc) or "day" in str(exc)
                       else msg("a plain value"))
    if not isinstance(data, dict):
        return Problem(path, first_line, None, msg("front matter is not a list of fields"),
                       msg("lines of field: value"))
    return data


# Front matter is a mapping of text keys to scalars and lists of scalars: built here by
# calling the loader's own constructor of each scalar's tag, which is what
# construct_document comes to without its generic machinery (a third of parse's time).
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}"
                         for name in ("str", "int", "float", "bool", "null", "timestamp"))
_STR_TAG = "tag:yaml.org,2002:str"


def _quick_construct(loader: Any, node: yaml.MappingNode) -> dict[Any, Any] | None:
    """loader.construct_document(node) for such a mapping; None for anything else (a
    merge key, a nested mapping, a node given twice through an alias, which the general
    way builds once and shares, a value that does not construct...): that takes the
    general way."""
    constructors = loader.yaml_constructors
    data: dict[Any, Any] = {}
    nodes: list[int] = []
    try:
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR_TAG:
                return None
            nodes.append(id(value_node))
            if type(value_node) is yaml.ScalarNode and value_node.tag in _SCALAR_TAGS:
                value = constructors[value_node.tag](loader, value_node)
            elif type(value_node) is yaml.SequenceNode and \
                    value_node.tag == "tag:yaml.org,2002:seq":
                value = []
                for item in value_node.value:
                    if type(item) is not yaml.ScalarNode or item.tag not in _SCALAR_TAGS:
                        return None
                    nodes.append(id(item))
                    value.append(constructors[item.tag](loader, item))
            else:
                return None
            data[key_node.value] = value
    except Exception:  # the general way reports it
        return None
    return data if len(set(nodes)) == len(nodes) else None


MAX_ARTICLE_BYTES = 4 * 1024 * 1024
"""A news article's text is kilobytes; 4 MB is a document pasted whole (a 50 MB file
took minutes to build a 66 MB page nobody can load on a phone)."""
MAX_YAML_NODES = 10_000
"""Values in a front matter once YAML's aliases are expanded (nine levels of `*a` make
a billion: gigabytes, minutes)."""


def parse(data: bytes, path: str, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    """One file's bytes -> Article, or None with the problems that prevent it."""
    if len(data) > MAX_ARTICLE_BYTES:
        return None, [Problem(path, None, None,
                              msg("the file is {size:.1f} MB: too big for one article",
                                  size=len(data) / 1024 / 1024),
                              msg("at most {limit} MB of text; a long document is better "
                                  "linked as a PDF beside the article",
                                  limit=MAX_ARTICLE_BYTES // 1024 // 1024))]
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    front, front_line, body, body_line, problems = split(text, path)
    if problems:
        return None, problems
    raw_text: dict[str, str] = {}
    meta, lines, problems = read_front_matter(front, path, front_line, raw_text)
    if meta is None:
        return None, problems
    fields = Fields(meta, lines, path, default_line=max(front_line - 1, 1))
    fields.problems += problems

    title = fields.required_text("title", msg("the article's headline"))
    office_key = fields.required_text("office", msg("an office slug from site.toml"))
    office = config.find_office(office_key) if office_key else None
    if office_key and office is None:
        suggestion = config.suggest_office(office_key)
        hint = msg("; did you mean '{name}'?", name=suggestion) if suggestion else ""
        fields.error("office", msg("unknown office {office!r}{hint}", office=office_key,
                                   hint=hint),
                     msg("an office slug listed in site.toml"))
    zone = config.office_zone(office) if office else ZoneInfo(config.site.timezone)
    when = fields.moment("date", zone, required=True)
    updated = fields.moment("updated", zone, required=False)

    slug = fields.optional_text("slug")
    if slug:
        if not is_clean_slug(slug):
            fields.error("slug", msg("not a clean slug: {slug!r}", slug=slug),
                         msg("lowercase letters, digits and hyphens, e.g. {example!r}",
                             example=slugify(slug) or "berita-kpu"))
    elif title:
        slug = slugify(title)
        if not slug:
            fields.error("title",
                         msg("the title has no letters or digits to make an address from"),
                         msg("a slug: field with lowercase letters, digits and hyphens"))

    image = fields.optional_text("image")
    if image and not re.match(r"^https?://", image):
        image = _content_relative(path, image, fields)
    source_url = fields.optional_text("source_url")
    if source_url and not re.match(r"^https?://\S+$", source_url):
        fields.error("source_url", msg("not a web address: {address!r}", address=source_url),
                     msg("an address starting with https://"))
    fields.unknown_keys(KNOWN_FIELDS, config.site.extra_fields)
    tags = fields.tags()
    article_fields = dict(
        views=fields.views(raw_text.get("views", "")), tags=tags,
        tags_line=fields.line("tags") if tags else 0,
        summary=fields.optional_text("summary"),
        image=image, image_line=fields.line("image") if image else 0,
        image_caption=fields.optional_text("image_caption"),
        author=fields.optional_text("author"), updated=updated[0] if updated else None,
        draft=fields.flag("draft"), source=fields.optional_text("source"),
        source_url=source_url, aliases=fields.aliases(),
        aliases_line=fields.line("aliases") if "aliases" in fields.meta else 0,
    )
    if not body.strip():
        # Legal (a photo-only post can carry everything in front matter), but mostly a
        # text pasted into the wrong place: say so, without failing the build.
        fields.problems.append(Problem(path, body_line - 1, None,
                                       msg("the article has no text below the front matter"),
                                       msg("the article's text after the closing ---"),
                                       "warning"))
    if fields.problems and any(p.severity == "error" for p in fields.problems):
        return None, fields.problems
    assert when is not None and office is not None
    extra = {k: v for k, v in meta.items() if k not in KNOWN_FIELDS}
    return Article(
        path=path, title=title, date=when[0], has_time=when[1], office=office.slug, slug=slug,
        extra=extra, body=body, body_line=body_line,
        digest=hashlib.blake2b(data, digest_size=16).hexdigest(), **article_fields,
    ), fields.problems


def _content_relative(path: str, reference: str, fields: Fields) -> str:
    """An image path relative to the article file -> relative to content/."""
    folder = Path(path).parent
    joined = os.path.normpath((folder / reference).as_posix()).replace(os.sep, "/")
    if reference.startswith("/"):
        joined = os.path.normpath(CONTENT_DIR + reference).replace(os.sep, "/")
    if not joined.startswith(CONTENT_DIR + "/"):
        fields.error("image", msg("{reference!r} points outside content/",
                                  reference=reference),
                     msg("a file beside the article or in a folder under content/"))
        return ""
    return joined[len(CONTENT_DIR) + 1 :]
