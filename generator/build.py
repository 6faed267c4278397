"""`berita build`: the one place that knows the order of the stages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from generator import config as config_stage
from generator import content, incremental, markup, model, output, pages, publish, render, unchanged
from generator.cache import BuildCache, code_key, digest, folder_key
from generator.content import Article
from generator.problems import BuildFailed, Problem, errors, warnings
from generator.urls import Links, media_route, output_file

DEFAULT_OUTPUT = "public"


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    """Publish articles with draft: true."""
    future: bool = False
    """Publish articles dated after `now`."""
    base_url: str | None = None
    """Overrides site.base_url (e.g. for a preview deployment)."""
    strict: bool = False
    """Fail on warnings too."""
    now: datetime | None = None
    """The moment that decides what is 'in the future'; default: the real now."""
    cache: bool = True
    """Reuse and update the build cache in <site>/.berita-cache/ (safe to delete)."""
    jobs: int | None = None
    """Worker processes for Markdown and pages; default: one per CPU."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class BuildResult:
    output: Path
    articles: int = 0
    pages: int = 0
    files_changed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    rendered: int = 0
    """Pages rendered this time; the others were unchanged and reused."""


def run(root: Path, output_dir: Path | None = None,
        options: BuildOptions = BuildOptions()) -> BuildResult:
    """Builds the site in `root` into `output_dir`; raises BuildFailed, touching nothing,
    when the input has errors (or warnings, under strict)."""
    started = time.perf_counter()
    root = root.absolute()
    target = (output_dir or root / DEFAULT_OUTPUT).absolute()
    config, problems = config_stage.load(root)
    if config is None:
        raise BuildFailed(problems)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    links = Links(config.site.base_url)
    cache = BuildCache.open(root) if options.cache else BuildCache.disabled()
    inputs = unchanged.inputs_key(root, render.template_dirs(root), repr(
        (options.drafts, options.future, options.base_url, options.strict)), target)
    last = unchanged.last_result(cache, target, inputs, options.now or datetime.now(UTC))
    if last is not None:
        cache.close()
        return BuildResult(target, last.articles, last.pages, 0, list(last.skipped),
                           list(last.warnings), time.perf_counter() - started, 0)
    articles, problems = incremental.load_articles(config, cache)
    valid_until = unchanged.first_after(articles, options.now or datetime.now(UTC))
    articles, skipped = select(articles, options)
    articles, found, media = render_markdown(articles, links, root, cache, options.jobs)
    problems += found + model.collisions(articles)
    decide(problems, options.strict)
    site = model.build(articles, config)
    env = render.make_environment(config, links)
    dirs = render.template_dirs(root)
    copies = static_files(root) + [(media_route(relative), root / content.CONTENT_DIR / relative)
                                   for relative in sorted(media)]
    # Everything every page depends on besides its own context.
    base_key = digest(code_key(), incremental.config_key(config), folder_key(dirs),
                      links.base_url, incremental.globals_key(env))
    published = publish.publish(target, pages.plan(site, config),
                                incremental.jinja_renderer(env, dirs), copies, cache,
                                base_key, options.jobs)
    decide(published.problems, strict=False)
    result = BuildResult(target, len(articles), published.pages, published.changed, skipped,
                         warnings(problems + found), time.perf_counter() - started,
                         published.rendered)
    cache.remember(target, inputs, unchanged.Summary(result.articles, result.pages, skipped,
                                                     result.warnings, valid_until))
    cache.close()
    return result


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
    now = options.now or datetime.now(UTC)
    chosen, skipped = [], []
    for article in articles:
        if article.draft and not options.drafts:
            skipped.append(Skipped(article.path, "draft: true"))
        elif article.date > now and not options.future:
            skipped.append(Skipped(article.path, f"terjadwal: {article.date.isoformat()}"))
        else:
            chosen.append(article)
    return chosen, skipped


def render_markdown(articles: list[Article], links: Links, root: Path,
                    cache: BuildCache | None = None, jobs: int | None = None
                    ) -> tuple[list[Article], list[Problem], set[str]]:
    """Markdown -> HTML for each article (cached, in parallel); returns the local images
    to publish."""
    done, problems, media = [], [], set()
    content_root = root / content.CONTENT_DIR
    rendered = incremental.render_markdown(articles, links, cache or BuildCache.disabled(),
                                           jobs)
    for article, result in zip(articles, rendered, strict=True):
        images = set(result.images) | ({article.image} if article.image and
                                       "://" not in article.image else set())
        existing = {image for image in images if (content_root / image).is_file()}
        problems += markup.image_problems(article, result, existing)
        if article.image and article.image not in existing and "://" not in article.image:
            problems.append(Problem(article.path, article.image_line, "image",
                                    f"image not found: {article.image}",
                                    "a file beside the article", "warning"))
        media |= existing
        done.append(markup.apply(article, result))
    return done, problems, media


def write_pages(staging: output.Staging, env: jinja2.Environment, planned: Iterator[pages.Page],
                root: Path) -> tuple[int, list[Problem]]:
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
