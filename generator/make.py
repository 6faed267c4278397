"""The stages of `berita build` after its no-op check (build.py): the one place that
knows their order."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import jinja2

from generator import config as config_stage
from generator import (
    content,
    i18n,
    images,
    incremental,
    lean,
    markup,
    model,
    output,
    pages,
    publish,
    quick,
    redirects,
    render,
    schedule,
    search,
    shards,
    unchanged,
)
from generator.buildtypes import BuildOptions, BuildResult, Skipped
from generator.cache import CACHE_DIR, BuildCache, code_key, digest, folder_key
from generator.content import Article
from generator.links import broken_links
from generator.problems import BuildFailed, Problem, errors, warnings
from generator.progress import Progress
from generator.rawhtml import script_problems
from generator.unchanged import remember_files
from generator.urls import Links, media_route, output_file, route


def make(config: config_stage.SiteConfig, target: Path, options: BuildOptions,
         store: BuildCache, progress: Progress, dry_run: bool, started: float,
         files: unchanged.FileDigests, inputs: str, frame: str) -> BuildResult:
    """Builds the site (see build.run) whose inputs hash to `inputs` and `frame`
    (unchanged.inputs_keys), `files` holding their hashes."""
    root, now = config.root, options.now
    assert now is not None
    dirs = render.template_dirs(root)
    links = Links(config.site.base_url)

    def environment(sets: dict[str, images.ImageSet], query_redirects: str
                    ) -> jinja2.Environment:
        compiled = render.compiled_folder(store.file.parent, links) if store.file else None
        env = render.make_environment(config, links, sets, compiled)
        env.globals.update(query_redirects=query_redirects, preview=options.preview,
                           publication_status=lambda article: schedule.status(article, now))
        return env

    def base_key(env: jinja2.Environment, sets: dict[str, images.ImageSet],
                 future: Iterable[str]) -> str:
        """Everything every page depends on besides its own context: a change re-renders
        all."""
        return digest(code_key(), incremental.config_key(config), folder_key(dirs),
                      links.base_url, incremental.globals_key(env),
                      repr(sorted(sets.items())), repr(sorted(future)))

    if not dry_run and store.file is not None:
        rebuilt = quick.rebuild(config, target, store, files, frame, now, environment,
                                base_key)
        if rebuilt is not None:
            summary = rebuilt.summary
            store.remember(target, inputs, summary)
            remember_files(store, files)
            return BuildResult(target, summary.articles, summary.pages, rebuilt.changed,
                               list(summary.skipped), list(summary.warnings),
                               time.perf_counter() - started, list(summary.warnings),
                               rendered=rebuilt.rendered)
    # Forked before any article is read, the render workers hold only what their pages
    # show (see lean.py).
    with lean.started(options.jobs, not dry_run, config, environment, store) as workers:
        digests = files.digests
        articles, problems, scans = incremental.prepare_articles(
            config, links, store, options.jobs, progress, digests,
            helpers=[workers.pool] * workers.count if workers is not None else ())
        valid_until = unchanged.first_after(articles, now)
        articles, skipped = select(articles, options)
        found, media = local_media(articles, scans, root)
        # A check (dry run) makes missing image variants in a folder of its own, removed
        # when it ends: it writes nothing into the site.
        scratch = Path(tempfile.mkdtemp(prefix="berita-check-")) if dry_run else None
        pictures = images.process(root / content.CONTENT_DIR, media, root, scratch)
        articles = images.apply(articles, pictures.sets, links)
        found += pictures.problems
        problems += found + model.collisions(articles)
        problems += [p for a in articles for p in script_problems(a, scans[a.path].scripts)]
        anchors = {path: scan.anchors for path, scan in scans.items()}
        if not dry_run:
            decide(problems, options.strict)
        site = model.build(articles, config, incremental.cached_related(store))
        query_redirects = query_redirect_script(articles, links)
        env = environment(pictures.sets, query_redirects)
        planned = list(pages.plan(site, config))
        copies = (static_files(root)
                  + [(media_route(relative), source) for relative, source in sorted(media.items())]
                  + list(pictures.files))
        schedule_file = schedule.schedule_json(s.until for s in skipped if s.until)
        problems += default_image_problems(config, copies)
        # Rendering makes short-lived reference cycles (Jinja's contexts and macros), which
        # piled up would cost tens of MiB: the collector runs again, over new objects only.
        gc.freeze()
        gc.enable()
        if scratch is not None:
            try:
                return _dry_run(target, env, planned, copies, schedule_file, articles, links,
                                config, skipped, problems, started, anchors)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

        def finish(staging: publish.Stager, fingerprints: dict[str, str | None]) -> None:
            """The site-wide files, then the last checks, before anything is published."""
            staging.write(schedule.SCHEDULE_FILE, schedule_file)
            problems.extend(write_redirects(staging, articles, links, config.site.title))
            problems.extend(broken_links(articles, staging.written, links, anchors))
            decide(problems, options.strict)
            if config.site.search:
                search.index(staging, root / CACHE_DIR, shards.indexed_files(articles),
                             options.jobs or incremental.workers())

        future = [a.path for a in articles if a.date > now]
        key = base_key(env, pictures.sets, future)
        structure = incremental.structure_key(articles, scans)
        del scans  # what later stages need of it is in `anchors`; rendering reuses its space
        published_digests = {a.path: a.digest for a in articles}
        recipes = store.file is not None
        remote = None
        if workers is not None and workers.prepare(lean.Setup(
                pictures.sets, query_redirects, target, incremental.parsed_key(config, links),
                published_digests)):
            remote = workers
        published = publish.publish(target, planned, incremental.jinja_renderer(env, dirs),
                                    copies, store, key, options.jobs, finish, progress,
                                    structure=structure,
                                    digests=published_digests,
                                    pack=quick.Packer(config) if recipes else None,
                                    remote=remote)
        decide(published.problems, strict=False)
        result = BuildResult(target, len(articles), published.pages, published.changed, skipped,
                             warnings(problems), time.perf_counter() - started, problems,
                             rendered=published.rendered)
        summary = unchanged.Summary(result.articles, result.pages, skipped, result.warnings,
                                    valid_until)
        store.remember(target, inputs, summary)
        # What the next quick rebuild starts from: this build's output, and nothing older.
        quick.remember(store, target, frame, quick.State(
            key, structure, dict(pictures.sets), query_redirects, tuple(future),
            quick.article_files(root, digests), published_digests, summary,
            tuple(shards.indexed_files(articles)) if config.site.search else (),
            options.jobs or incremental.workers()) if recipes else None)
        remember_files(store, files)
        return result


def _dry_run(target: Path, env: jinja2.Environment, planned: list[pages.Page],
             copies: list[tuple[str, Path]], schedule_file: bytes, articles: list[Article],
             links: Links, config: config_stage.SiteConfig, skipped: list[Skipped],
             problems: list[Problem], started: float,
             anchors: dict[str, tuple[tuple[str, int], ...]]) -> BuildResult:
    """Renders every page into output.Discard: every problem, nothing written."""
    sink = output.Discard(target)
    rendered, found = write_pages(sink, env, iter(planned), config.root)
    problems += found
    sink.write(schedule.SCHEDULE_FILE, schedule_file)
    for path, source in copies:
        sink.copy(path, source)
    problems += write_redirects(sink, articles, links, config.site.title)
    problems += broken_links(articles, sink.written, links, anchors)
    return BuildResult(target, len(articles), rendered, 0, skipped, warnings(problems),
                       time.perf_counter() - started, problems, sink.sizes)


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


def local_media(articles: list[Article], scans: dict[str, markup.Rendered], root: Path
                ) -> tuple[list[Problem], dict[str, Path]]:
    """The local images the articles show, to publish, each with its real file (never
    one outside content/, even through a symlink); warnings for the missing ones."""
    problems, media = [], {}
    for article in articles:
        result = scans[article.path]
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
    return problems, media


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


def write_redirects(staging: output.Sink, articles: list[Article],
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


def write_pages(staging: output.Sink, env: jinja2.Environment,
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


def default_image_problems(config: config_stage.SiteConfig,
                           copies: list[tuple[str, Path]]) -> list[Problem]:
    """A warning when site.default_image names a static file that is not there."""
    image = config.site.default_image
    if not image or "://" in image:
        return []
    if route("static", slug=image.lstrip("/")) in {path for path, _ in copies}:
        return []
    return [Problem(config_stage.CONFIG_FILE, None, "site.default_image",
                    f"share image not found: static/{image.lstrip('/')}",
                    "a file in templates/static/ of the site or theme, or an https:// "
                    "address", "warning")]


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
