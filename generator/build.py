"""`berita build`: the one place that knows the order of the stages."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import jinja2

from generator import config as config_stage
from generator import (
    content,
    i18n,
    images,
    markup,
    memo,
    model,
    output,
    pages,
    redirects,
    render,
    schedule,
    search,
)
from generator.content import Article
from generator.links import broken_links
from generator.problems import BuildFailed, Problem, errors, warnings
from generator.rawhtml import script_problems
from generator.urls import Links, media_route, output_file, route

DEFAULT_OUTPUT = "public"
CACHE_DIR = ".berita-cache"
"""Build cache inside the site folder: safe to delete, never published."""


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    """Publish articles with draft: true."""
    future: bool = False
    """Publish articles dated after `now`."""
    base_url: str | None = None
    """Overrides site.base_url (e.g. for a preview deployment)."""
    search: bool = True
    """Build the Pagefind index (also needs site.search); --no-search turns it off."""
    strict: bool = False
    """Fail on warnings too."""
    now: datetime | None = None
    """The moment that decides what is 'in the future'; default: the real now."""
    preview: bool = False
    """A preview for `berita serve`: drafts and scheduled articles are marked as such."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    until: datetime | None = None
    """For an article held back for its date: when it falls due."""


Progress = Callable[[str, Sequence], Iterable]
"""progress(label, items) -> the same items, reporting as they are consumed."""


def no_progress(label: str, items: Sequence) -> Iterable:
    return items


@dataclass
class BuildResult:
    output: Path
    articles: int = 0
    pages: int = 0
    files_changed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    """Every problem found (errors too, for a dry run)."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Bytes of each file a dry run would have published."""


def run(root: Path, output_dir: Path | None = None,
        options: BuildOptions = BuildOptions(), cache: memo.BuildCache | None = None,
        progress: Progress = no_progress, dry_run: bool = False) -> BuildResult:
    """Builds the site in `root` into `output_dir`; raises BuildFailed, touching nothing,
    when the input has errors (or warnings, under strict). `cache` reuses work from an
    earlier build (see memo.py).

    A dry run (`berita check`) renders every page to nowhere and returns every problem
    in the result instead of raising (except for an unusable site.toml)."""
    started = time.perf_counter()
    root = root.absolute()
    target = (output_dir or root / DEFAULT_OUTPUT).absolute()
    config, problems = config_stage.load(root)
    if config is None:
        raise BuildFailed(problems)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    if not options.search:
        config = dataclasses.replace(config, site=dataclasses.replace(config.site, search=False))
    links = Links(config.site.base_url)
    cache = cache or memo.NoCache()
    now = schedule.current_time(options.now)
    articles, problems = load_articles(config, cache, progress)
    articles, skipped = select(articles, replace(options, now=now))
    articles, found, media = render_markdown(articles, links, root, cache, progress)
    pictures = images.process(root / content.CONTENT_DIR, media, root)
    articles = images.apply(articles, pictures.sets, links)
    found += pictures.problems
    problems += found + model.collisions(articles)
    problems += [p for a in articles for p in script_problems(a)]
    if not dry_run:
        decide(problems, options.strict)
    site = model.build(articles, config)
    env = render.make_environment(config, links, pictures.sets)
    env.globals.update(query_redirects=query_redirect_script(articles, links),
                       preview=options.preview,
                       publication_status=lambda article: schedule.status(article, now))
    staging = output.Discard(target) if dry_run else output.Staging(target)
    try:
        planned = iter(progress("Menulis halaman", list(pages.plan(site, config))))
        rendered, found = write_pages(staging, env, planned, root)
        problems += found
        staging.write(schedule.SCHEDULE_FILE,
                      schedule.schedule_json(s.until for s in skipped if s.until))
        for path, source in static_files(root):
            staging.copy(path, source)
        for relative, source in sorted(media.items()):
            staging.copy(media_route(relative), source)
        for path, cached in pictures.files:
            staging.copy(path, cached)
        problems += write_redirects(staging, articles, links, config.site.title)
        problems += broken_links(articles, staging.written, links)
        if not dry_run:
            decide(problems, options.strict)
            if config.site.search:
                search.index(staging, root / CACHE_DIR)
        staging.commit()
    except BaseException:
        staging.rollback()
        raise
    return BuildResult(target, len(articles), rendered, staging.changed, skipped,
                       warnings(problems), time.perf_counter() - started, problems,
                       getattr(staging, "sizes", {}))


def decide(problems: list[Problem], strict: bool) -> None:
    """Errors always fail the build; warnings only under strict."""
    if errors(problems) or (strict and warnings(problems)):
        if strict and not errors(problems):
            raise BuildFailed(problems, "Build dibatalkan (--strict): ada peringatan; "
                                        "hasil terbitan sebelumnya tidak diubah.")
        raise BuildFailed(problems)


def select(articles: list[Article], options: BuildOptions
           ) -> tuple[list[Article], list[Skipped]]:
    """Leaves out drafts and articles dated in the future, unless asked for."""
    now = schedule.current_time(options.now)
    chosen, skipped = [], []
    for article in articles:
        if article.draft and not options.drafts:
            skipped.append(Skipped(article.path, "draf (draft: true)"))
        elif article.date > now and not options.future:
            skipped.append(Skipped(article.path, "terjadwal, terbit "
                                   + i18n.format_when(article.date), article.date))
        else:
            chosen.append(article)
    return chosen, skipped


def load_articles(config: config_stage.SiteConfig, cache: memo.BuildCache,
                  progress: Progress = no_progress) -> tuple[list[Article], list[Problem]]:
    """Reads and validates every article of the site (unchanged files from `cache`)."""
    files, problems = content.find_sources(config.root)
    articles: list[Article] = []
    for file in progress("Membaca berita", files):
        article, found = cache.parsed(file, config,
                                      lambda file=file: content.load_file(file, config))
        problems += found
        if article is not None:
            articles.append(article)
    return articles, problems


def render_markdown(articles: list[Article], links: Links, root: Path,
                    cache: memo.BuildCache | None = None, progress: Progress = no_progress
                    ) -> tuple[list[Article], list[Problem], dict[str, Path]]:
    """Markdown -> HTML for each article; returns the local images to publish, each
    with its real file (never one outside content/, even through a symlink)."""
    cache = cache or memo.NoCache()
    md: list = []  # made on first use: a fully cached rebuild needs no renderer
    done, problems, media = [], [], {}

    def fresh(article: Article) -> markup.Rendered:
        if not md:
            md.append(markup.new_renderer())
        return markup.render(md[0], article, links)

    for article in progress("Mengubah Markdown", articles):
        result = cache.rendered(article, links, lambda article=article: fresh(article))
        referenced = set(result.images) | ({article.image} if article.image and
                                           "://" not in article.image else set())
        found = {image: content.content_file(root, image) for image in referenced}
        existing = {image: file for image, file in found.items() if file is not None}
        problems += markup.image_problems(article, result, existing)
        if article.image and article.image not in existing and "://" not in article.image:
            problems.append(Problem(article.path, article.image_line, "image",
                                    f"image not found: {article.image}",
                                    "a file beside the article", "warning"))
        media.update(existing)
        done.append(markup.apply(article, result))
    return done, problems, media


def alias_pairs(articles: Iterable[Article]) -> list[tuple[str, str]]:
    """(old address, new route) for every alias an article keeps (see importers)."""
    return [(alias, route("article", slug=article.slug))
            for article in articles for alias in article.aliases]


def query_redirect_script(articles: Iterable[Article], links: Links) -> str:
    """The home page's script answering old /?p=ID links, or "" when no article has one."""
    if not any(isinstance(redirects.parse_alias(alias), redirects.QueryAlias)
               for alias, _ in alias_pairs(articles)):
        return ""
    return redirects.query_redirect_script(links.href(redirects.JSON_FILE))


def write_redirects(staging: output.Staging | output.Discard, articles: list[Article],
                    links: Links, site_title: str) -> list[Problem]:
    """Redirect pages at old addresses; an old address that is now a real page keeps
    the page (a warning says so). Call after every page and file is staged."""
    problems: list[Problem] = []
    by_alias = {alias: article for article in articles for alias in article.aliases}
    kept = []
    for alias, target in alias_pairs(articles):
        parsed = redirects.parse_alias(alias)
        if isinstance(parsed, redirects.PathAlias) and parsed.file in staging.written:
            problems.append(Problem(by_alias[alias].path, None, "aliases",
                                    f"old address {alias} is a page of this site now; "
                                    "it is not redirected", "an address no page uses",
                                    "warning"))
            continue
        kept.append((alias, target))
    try:
        files = redirects.redirect_files(kept, links, site_title)
    except ValueError as exc:
        return [*problems, Problem("content", None, "aliases", str(exc),
                                   "each old address sent to one article")]
    for path, data in files.items():
        staging.write(path, data)
    return problems


def write_pages(staging: output.Staging | output.Discard, env: jinja2.Environment,
                planned: Iterator[pages.Page], root: Path) -> tuple[int, list[Problem]]:
    count, problems = 0, []
    dirs = render.template_dirs(root)
    for page, result in render.render_all(env, planned, dirs):
        if isinstance(result, Problem):
            problems.append(result)
            continue
        staging.write(output_file(page.route), result)
        count += 1
    return count, problems


def static_files(root: Path) -> list[tuple[str, Path]]:
    """The theme's static/ files, a site's own static/ overriding them by name."""
    files: dict[str, Path] = {}
    for folder in reversed(render.template_dirs(root)):
        static = folder / "static"
        if static.is_dir():
            for file in sorted(static.rglob("*")):
                if file.is_file() and not content.is_editor_litter(file.name):
                    files["static/" + file.relative_to(static).as_posix()] = file
    return sorted(files.items())
