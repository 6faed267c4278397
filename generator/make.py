"""The stages of `berita build` after its no-op check (build.py), in their order: the one
place that knows it. Each stage asks its memo first (generator/incremental/): a cold
build is this same code with every memo missing, and `berita check` is it too, ending in
a sink that keeps nothing instead of a publication."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from generator import config as config_stage
from generator import (
    content,
    i18n,
    images,
    markup,
    model,
    pages,
    parallel,
    render,
    schedule,
    sitefiles,
    weight,
)
from generator.buildtypes import BuildOptions, BuildResult, Skipped
from generator.content import Article
from generator.incremental import (
    fingerprints,
    lean,
    prepared,
    publish,
    quick,
    related,
    templates,
    unchanged,
)
from generator.incremental.cache import CACHE_DIR, BuildCache, code_key, digest, folder_key
from generator.links import broken_links
from generator.messages import msg, msg_n
from generator.neartags import near_tag_problems
from generator.problems import BuildFailed, Problem, errors, warnings
from generator.progress import Progress
from generator.rawhtml import script_problems
from generator.staging import output
from generator.urls import Links, media_route, output_file, route


def make(config: config_stage.SiteConfig, target: Path, options: BuildOptions,
         store: BuildCache, progress: Progress, dry_run: bool, started: float,
         files: unchanged.FileDigests, inputs: str, frame: str) -> BuildResult:
    """Builds the site (see build.run) whose inputs hash to `inputs` and `frame`
    (unchanged.inputs_keys), `files` holding their hashes."""
    job = Job(config, target, options, store, dry_run, files, inputs, frame,
              Links(config.site.base_url), render.template_dirs(config.root))
    # Memo: the recipes of the last build's pages. A body-only edit renders those pages.
    if (rebuilt := quick_rebuild(job)) is not None:
        return job.finished(rebuilt.summary, rebuilt.rendered, rebuilt.changed, started)
    # Forked before any article is read, the render workers hold only what their pages
    # show (see lean.py).
    with lean.started(options.jobs, not dry_run, config, job.environment, store) as workers:
        # content + markup (memo: parsed articles, by the hash of their file)
        articles, problems, scans = prepared.prepare_articles(
            config, job.links, store, options.jobs, progress, files.digests,
            helpers=[workers.forked] if workers is not None else ())
        valid_until = unchanged.first_after(articles, job.now)
        articles, skipped = select(articles, options)
        media = gather_media(job, articles, scans)  # images (memo: variants on disk)
        articles = media.articles
        problems += media.problems + article_problems(articles, scans)
        if not dry_run:
            decide(problems, options.strict)
        site = model.build(articles, config, related.cached_related(store))  # model (memo)
        env = job.environment(media.sets, sitefiles.query_redirect_script(articles, job.links))
        planned = list(pages.plan(site, config))  # pages
        copies = static_files(config.root) + media.copies + \
            sitefiles.editor_assets(config, options.preview)
        problems += default_image_problems(config, copies)
        site_files = sitefiles.plan(
            articles, skipped, job.links, config.site.title, job.search_cache(), job.jobs,
            sitefiles.editor_files(config, (group.tag.name for group in site.tags.values()),
                                   options.preview))
        anchors = {path: scan.anchors for path, scan in scans.items()}
        structure = fingerprints.structure_key(articles, scans)
        del scans  # what later stages need of it is above; rendering reuses its space
        collect_new_cycles()
        if dry_run:  # render (to nowhere), the site-wide files, the last checks
            return check_pages(job, env, planned, copies, site_files, articles, skipped,
                               problems, anchors, started, media.scratch)
        # render (memo: fingerprints) -> site-wide files -> last checks -> publish
        summary, published = render_and_publish(
            job, env, media, planned, copies, site_files, articles, skipped, problems,
            anchors, structure, valid_until, workers, progress)
        return job.finished(summary, published.rendered, published.changed, started,
                            problems)


@dataclass(frozen=True)
class Job:
    """What one build is asked to make, and of what (the no-op check's findings)."""

    config: config_stage.SiteConfig
    target: Path
    options: BuildOptions
    store: BuildCache
    dry_run: bool
    files: unchanged.FileDigests
    inputs: str
    frame: str
    links: Links
    dirs: list[Path]

    @property
    def now(self) -> datetime:
        assert self.options.now is not None
        return self.options.now

    @property
    def jobs(self) -> int:
        return self.options.jobs or parallel.workers()

    def search_cache(self) -> Path | None:
        """Where the search bundles are kept; None when no index is made (search off, or
        a dry run)."""
        if not self.config.site.search or self.dry_run:
            return None
        return self.config.root / CACHE_DIR

    def environment(self, sets: dict[str, images.ImageSet], query_redirects: str
                    ) -> jinja2.Environment:
        store, now = self.store, self.now
        compiled = templates.compiled_folder(store.file.parent, self.links) \
            if store.file else None
        env = render.make_environment(self.config, self.links, sets, compiled)
        env.globals.update(query_redirects=query_redirects, preview=self.options.preview,
                           publication_status=lambda article: schedule.status(article, now))
        return env

    def base_key(self, env: jinja2.Environment, sets: dict[str, images.ImageSet],
                 future: Iterable[str]) -> str:
        """Everything every page depends on besides its own context: a change re-renders
        all."""
        return digest(code_key(), prepared.config_key(self.config), folder_key(self.dirs),
                      self.links.base_url, fingerprints.globals_key(env),
                      repr(sorted(sets.items())), repr(sorted(future)))

    def finished(self, summary: unchanged.Summary, rendered: int, changed: int,
                 started: float, problems: list[Problem] | None = None) -> BuildResult:
        """The result of a build that published, remembered for the no-op check."""
        self.store.remember(self.target, self.inputs, summary)
        unchanged.remember_files(self.store, self.files)
        return BuildResult(self.target, summary.articles, summary.pages, changed,
                           list(summary.skipped), list(summary.warnings),
                           time.perf_counter() - started,
                           list(summary.warnings) if problems is None else problems,
                           rendered=rendered)


def quick_rebuild(job: Job) -> quick.Rebuilt | None:
    if job.dry_run or job.store.file is None:
        return None
    return quick.rebuild(job.config, job.target, job.store, job.files, job.frame, job.now,
                         job.environment, job.base_key)


@dataclass(frozen=True)
class Media:
    """The articles with their images applied, and the files the images make."""

    articles: list[Article]
    sets: dict[str, images.ImageSet]
    copies: list[tuple[str, Path]]
    """(output path, source file) of each local image and variant."""
    problems: list[Problem]
    scratch: Path | None
    """A dry run's folder for the variants it makes (it writes nothing into the site)."""


def gather_media(job: Job, articles: list[Article], scans: dict[str, markup.Rendered]
                 ) -> Media:
    """The images the articles show: checked, their variants made (or found made)."""
    root = job.config.root
    found, media = local_media(articles, scans, root)
    # A check (dry run) makes missing image variants in a folder of its own, removed
    # when it ends: it writes nothing into the site.
    scratch = Path(tempfile.mkdtemp(prefix="berita-check-")) if job.dry_run else None
    pictures = images.process(root / content.CONTENT_DIR, media, root, scratch)
    copies = [(media_route(relative), source) for relative, source in sorted(media.items())]
    return Media(images.apply(articles, pictures.sets, job.links), pictures.sets,
                 copies + list(pictures.files), found + list(pictures.problems), scratch)


def article_problems(articles: list[Article], scans: dict[str, markup.Rendered]
                     ) -> list[Problem]:
    """Problems between articles (two at one address, a tag that is almost another) and
    with their scripts."""
    return model.collisions(articles) + near_tag_problems(articles) + [
        p for a in articles for p in script_problems(a, scans[a.path].scripts)]


def collect_new_cycles() -> None:
    """Rendering makes short-lived reference cycles (Jinja's contexts and macros), which
    piled up would cost tens of MiB: the collector runs again, over new objects only."""
    gc.freeze()
    gc.enable()


def last_checks(problems: list[Problem], articles: list[Article], links: Links,
                anchors: dict[str, tuple[tuple[str, int], ...]], strict: bool | None
                ) -> sitefiles.Check:
    """The link check and the page-weight budget, once every page and redirect is staged;
    then, unless `strict` is None (a dry run reports instead), the build fails on errors
    (see decide)."""

    def check(staged: output.Sink, found: list[Problem]) -> None:
        problems.extend(found)
        problems.extend(broken_links(articles, staged.written, links, anchors))
        problems.extend(weight.over_budget(staged.written, staged.size, staged.read))
        if strict is not None:
            decide(problems, strict)

    return check


def render_and_publish(job: Job, env: jinja2.Environment, media: Media,
                       planned: list[pages.Page], copies: list[tuple[str, Path]],
                       site_files: sitefiles.SiteFiles, articles: list[Article],
                       skipped: list[Skipped], problems: list[Problem],
                       anchors: dict[str, tuple[tuple[str, int], ...]], structure: str,
                       valid_until: datetime | None, workers: lean.Workers | None,
                       progress: Progress) -> tuple[unchanged.Summary, publish.Published]:
    """Renders the pages whose fingerprint changed, stages them with the site-wide files,
    and publishes the whole once every check passed; remembers what the next build
    starts from."""
    config, store, options = job.config, job.store, job.options

    def finish(staging: publish.Stager, _: dict[str, str | None]) -> None:
        sitefiles.write(staging, site_files, last_checks(problems, articles, job.links,
                                                         anchors, options.strict))

    future = [a.path for a in articles if a.date > job.now]
    key = job.base_key(env, media.sets, future)
    published_digests = {a.path: a.digest for a in articles}
    recipes = store.file is not None
    query_redirects = env.globals["query_redirects"]
    remote = workers if workers is not None and workers.prepare(lean.Setup(
        media.sets, query_redirects, job.target, prepared.parsed_key(config, job.links),
        published_digests)) else None
    published = publish.publish(job.target, planned, render.jinja_renderer(env, job.dirs),
                                copies, store, key, options.jobs, finish, progress,
                                structure=structure, digests=published_digests,
                                pack=quick.Packer(config) if recipes else None,
                                remote=remote)
    decide(published.problems, strict=False)
    summary = unchanged.Summary(len(articles), published.pages, skipped, warnings(problems),
                                valid_until)
    # What the next quick rebuild starts from: this build's output, and nothing older.
    quick.remember(store, job.target, job.frame, quick.State(
        key, structure, dict(media.sets), query_redirects, tuple(future),
        quick.article_files(config.root, job.files.digests), published_digests, summary,
        site_files) if recipes else None)
    return summary, published


def check_pages(job: Job, env: jinja2.Environment, planned: list[pages.Page],
                copies: list[tuple[str, Path]], site_files: sitefiles.SiteFiles,
                articles: list[Article], skipped: list[Skipped], problems: list[Problem],
                anchors: dict[str, tuple[tuple[str, int], ...]], started: float,
                scratch: Path | None) -> BuildResult:
    """A dry run: renders every page into output.Discard: every problem, nothing
    written."""
    try:
        sink = output.Discard(job.target, keep_over=weight.BUDGET - sum(
            source.stat().st_size for path, source in copies
            if path.endswith((".css", ".js")) and not path.startswith(weight.IGNORED)))
        rendered, found = write_pages(sink, env, iter(planned), job.config.root)
        problems += found
        for path, source in copies:
            sink.copy(path, source)
        sitefiles.write(sink, site_files,
                        last_checks(problems, articles, job.links, anchors, None))
        return BuildResult(job.target, len(articles), rendered, 0, skipped,
                           warnings(problems), time.perf_counter() - started, problems,
                           sink.sizes)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def decide(problems: list[Problem], strict: bool) -> None:
    """Errors always fail the build; warnings only under strict."""
    if errors(problems) or (strict and warnings(problems)):
        if strict and not errors(problems):
            raise BuildFailed(problems, msg_n(
                "Build stopped (--strict): {count} warning; the site published before is "
                "unchanged.",
                "Build stopped (--strict): {count} warnings; the site published before is "
                "unchanged.", len(set(warnings(problems)))))  # one per problem, as shown
        raise BuildFailed(problems)


def select(articles: list[Article], options: BuildOptions
           ) -> tuple[list[Article], list[Skipped]]:
    """Leaves out drafts and articles dated in the future, unless asked for."""
    now = schedule.current_time(options.now)
    chosen, skipped = [], []
    for article in articles:
        if article.draft and not options.drafts:
            skipped.append(Skipped(article.path, msg("draft (draft: true)")))
        elif article.date > now and not options.future:
            skipped.append(Skipped(article.path, msg(
                "scheduled, to be published {when}", when=i18n.format_when(article.date)),
                article.date))
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
                                    msg("image not found: {image}", image=article.image),
                                    msg("a file beside the article"), "warning"))
        media.update(existing)
    return problems, media


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
                    msg("share image not found: static/{image}", image=image.lstrip("/")),
                    msg("a file in templates/static/ of the site or theme, or an https:// "
                        "address"), "warning")]


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
