"""`berita build`: its options and result, and the no-op check: when nothing a build
reads has changed, nothing is imported, parsed or rendered. The stages themselves are
in make.py."""

from __future__ import annotations

import dataclasses
import gc
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from generator import config as config_stage
from generator import schedule, templatedirs, unchanged
from generator.cache import BuildCache
from generator.problems import BuildFailed, Problem
from generator.progress import Progress, no_progress

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
    cache: bool = True
    """Reuse and update the build cache in <site>/.berita-cache/ (safe to delete)."""
    jobs: int | None = None
    """Worker processes for Markdown and pages; default: one per CPU."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    until: datetime | None = None
    """For an article held back for its date: when it falls due."""


__all__ = ["BuildOptions", "BuildResult", "Progress", "Skipped", "no_progress", "run"]


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
    rendered: int = 0
    """Pages rendered this time; the others were unchanged and reused."""


def run(root: Path, output_dir: Path | None = None,
        options: BuildOptions = BuildOptions(), progress: Progress = no_progress,
        dry_run: bool = False) -> BuildResult:
    """Builds the site in `root` into `output_dir`; raises BuildFailed, touching nothing,
    when the input has errors (or warnings, under strict).

    Work that an earlier build did on unchanged input is reused from the build cache
    (see cache.py, incremental.py, publish.py); a build whose inputs are all unchanged
    does nothing at all (unchanged.py). A dry run (`berita check`) renders every page to
    nowhere and returns every problem in the result instead of raising (except for an
    unusable site.toml)."""
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
    store = BuildCache.open(root) if options.cache and not dry_run else BuildCache.disabled()
    # A build makes few reference cycles, but its tens of thousands of live objects make
    # every collection of the cycle collector slow (a third of a one-article rebuild).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(config, target, replace(options, now=schedule.current_time(options.now)),
                    store, progress, dry_run, started)
    finally:
        store.close()
        gc.unfreeze()
        if collecting:
            gc.enable()
        else:
            gc.disable()


def _run(config: config_stage.SiteConfig, target: Path, options: BuildOptions,
         store: BuildCache, progress: Progress, dry_run: bool, started: float) -> BuildResult:
    root, now = config.root, options.now
    assert now is not None
    dirs = templatedirs.template_dirs(root)
    known = store.recall(FILES_MEMO, FILES_MEMO)
    files = unchanged.FileDigests(known if isinstance(known, dict) else {})
    check = None if dry_run else unchanged.OutputCheck.start(target, store)
    try:
        inputs, frame = unchanged.inputs_keys(root, dirs, _options_key(options), target,
                                              files)
        last = None if dry_run else unchanged.last_result(store, target, inputs, now, check)
    finally:
        if check is not None:
            check.cancel()
    if last is not None:
        remember_files(store, files)
        return BuildResult(target, last.articles, last.pages, 0, list(last.skipped),
                           list(last.warnings), time.perf_counter() - started)
    # Imported only now: a no-op build does not need Jinja, Markdown, lxml or Pillow.
    from generator import make

    return make.make(config, target, options, store, progress, dry_run, started, files,
                     inputs, frame)


FILES_MEMO = "files"


def remember_files(store: BuildCache, files: unchanged.FileDigests) -> None:
    """Keeps the signatures and hashes of the site's files for the next build."""
    if files.current != files.known:
        store.memorize(FILES_MEMO, FILES_MEMO, files.current)


def _options_key(options: BuildOptions) -> str:
    """The options that change what a build makes (not `now`, `cache` or `jobs`)."""
    return repr((options.drafts, options.future, options.base_url, options.search,
                 options.strict, options.preview))
