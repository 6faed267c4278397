"""The site-wide files a build writes after its pages: the publication schedule, the
redirects from old addresses, and the search index. Every path of a build writes them
here and nowhere else: the full build, the quick rebuild (from what the last full build
planned, kept in its state) and `berita check` (into a sink that keeps nothing, with no
index). The feeds and the sitemap are pages of the plan (pages.plan), rendered like any
other page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import editor, redirects, schedule, search, shards
from generator.buildtypes import Skipped
from generator.config import SiteConfig
from generator.content import Article
from generator.messages import msg
from generator.problems import Problem
from generator.staging.output import Sink
from generator.urls import Links, route


@dataclass(frozen=True)
class Alias:
    """An old address an article keeps (see importers), and where it goes now."""

    address: str
    target: str
    """The article's route."""
    article: str
    """The article's path, where a problem with the address is reported."""
    line: int | None = None
    """The line of its `aliases:`."""


@dataclass(frozen=True)
class SiteFiles:
    """What the site-wide files of one build are made of."""

    schedule: bytes
    aliases: tuple[Alias, ...]
    site_title: str
    base_url: str
    searched: tuple[str, ...]
    """The output files of the pages to index; none when search is off."""
    search_cache: Path | None
    """Where the search bundles are kept between builds (see search.index)."""
    jobs: int
    """How many search shards may be indexed at once."""
    editor: tuple[editor.EditorFile, ...] = ()
    """The web editor's page and configuration (see editor_files)."""


def plan(articles: Iterable[Article], skipped: Iterable[Skipped], links: Links,
         site_title: str, search_cache: Path | None, jobs: int,
         editor_files: Iterable[editor.EditorFile] = ()) -> SiteFiles:
    """The site-wide files of a build of `articles`; with `search_cache`, the index too."""
    articles = list(articles)
    return SiteFiles(
        schedule.schedule_json(s.until for s in skipped if s.until),
        tuple(aliases(articles)), site_title, links.base_url,
        tuple(shards.indexed_files(articles)) if search_cache is not None else (),
        search_cache, jobs, tuple(editor_files))


def editor_files(config: SiteConfig, tags: Iterable[str],
                 preview: bool) -> list[editor.EditorFile]:
    """The editor at /admin/: `berita serve`'s in a preview, the `[cms]` one in a site
    that has that table, none otherwise. It offers `tags`, the names of the site's."""
    if not preview and config.cms is None:
        return []
    return editor.site_files(config, tags, published=not preview)


def editor_assets(config: SiteConfig, preview: bool) -> list[tuple[str, Path]]:
    """(output path, source) of the published editor's scripts; `berita serve` serves
    its own from the package instead of copying them into every preview."""
    return editor.asset_files() if config.cms is not None and not preview else []


Check = Callable[[Sink, list[Problem]], None]
"""check(the staged site, problems with the redirects): the last checks before the
index is made; raises (BuildFailed) to stop the build."""


def write(sink: Sink, files: SiteFiles, check: Check | None = None,
          live_is_last_build: bool = False) -> None:
    """Writes the site-wide files into `sink`, where every page and copied file is already
    staged. `check` runs after the redirects, before the (slower) index is made; without
    one, the problems with the redirects are not reported (the quick rebuild's are the
    last full build's). `live_is_last_build`: see search.index."""
    sink.write(schedule.SCHEDULE_FILE, files.schedule)
    for file in files.editor:
        sink.write(file.path, file.data)
    problems = write_redirects(sink, files.aliases, Links(files.base_url), files.site_title)
    if check is not None:
        check(sink, problems)
    if files.searched and files.search_cache is not None:
        search.index(sink, files.search_cache, files.searched,  # type: ignore[arg-type]
                     files.jobs, live_is_last_build)


def aliases(articles: Iterable[Article]) -> list[Alias]:
    """Every old address an article keeps."""
    return [Alias(alias, route("article", slug=article.slug), article.path,
                  article.aliases_line or None)
            for article in articles for alias in article.aliases]


def generated_file_at(redirect: str, written: set[str]) -> str | None:
    """The site's file that a redirect page at `redirect` ("feed.xml/index.html") would
    collide with: a file at one of its folders ("feed.xml"), or one that is not a page."""
    parts = redirect.split("/")
    for end in range(1, len(parts)):
        folder = "/".join(parts[:end])
        if folder in written:
            return folder
    return None


def query_redirect_script(articles: Iterable[Article], links: Links) -> str:
    """The home page's script answering old /?p=ID links, or "" when no article has one."""
    if not any(isinstance(redirects.parse_alias(alias.address), redirects.QueryAlias)
               for alias in aliases(articles)):
        return ""
    return redirects.query_redirect_script(links.href(redirects.JSON_FILE))


def write_redirects(sink: Sink, kept_aliases: Iterable[Alias], links: Links,
                    site_title: str) -> list[Problem]:
    """Redirect pages at old addresses; an old address that is now a real page keeps
    the page (a warning says so). Call after every page and file is staged."""
    problems: list[Problem] = []
    kept = []
    for alias in kept_aliases:
        parsed = redirects.parse_alias(alias.address)
        if isinstance(parsed, redirects.PathAlias) and (
                taken := generated_file_at(parsed.file, sink.written)) is not None:
            # A feed, the sitemap, a stylesheet, the schedule...: a redirect there would
            # replace the site's own file, or need a folder where that file is.
            problems.append(Problem(alias.article, alias.line, "aliases",
                                    msg("old address {address} is where the site's own "
                                        "file {file} is; it cannot be a redirect",
                                        address=alias.address, file=taken),
                                    msg("an old address of the article that no file of "
                                        "the site uses")))
            continue
        if isinstance(parsed, redirects.PathAlias) and parsed.file in sink.written:
            problems.append(Problem(alias.article, alias.line, "aliases",
                                    msg("old address {address} is a page of this site now; "
                                        "it is not redirected", address=alias.address),
                                    msg("an address no page uses"), "warning"))
            continue
        kept.append((alias.address, alias.target))
    try:
        made = redirects.redirect_files(kept, links, site_title)
    except ValueError as exc:
        said = exc.message if isinstance(exc, redirects.AliasError) else str(exc)
        return [*problems, Problem("content", None, "aliases", said,
                                   msg("each old address sent to one article"))]
    for path, data in made.items():
        sink.write(path, data)
    return problems
