"""`berita build`: the no-op check: when nothing a build reads has changed, nothing is
imported, parsed or rendered. The stages themselves are in make.py, imported only when
they run; its options and result are in buildtypes.py (and importable from here too).

Nothing imports this module but its callers (cli, serve, check): make.py and the stages
below it never do, so that `build -> make` is no cycle."""

from __future__ import annotations

import dataclasses
import errno
import gc
import time
from dataclasses import replace
from pathlib import Path

from generator import config as config_stage
from generator import lock, schedule, templatedirs
from generator.buildtypes import BuildOptions, BuildResult, Skipped
from generator.incremental import unchanged
from generator.incremental.cache import CACHE_DIR, BuildCache
from generator.incremental.unchanged import remember_files
from generator.messages import msg
from generator.problems import BuildFailed, Problem
from generator.progress import Progress, no_progress
from generator.staging.patch import free_space

DEFAULT_OUTPUT = "public"

__all__ = ["CACHE_DIR", "BuildOptions", "BuildResult", "Progress", "Skipped", "no_progress",
           "run"]


def run(root: Path, output_dir: Path | None = None,
        options: BuildOptions = BuildOptions(), progress: Progress = no_progress,
        dry_run: bool = False, waiting: lock.Waiting | None = None) -> BuildResult:
    """Builds the site in `root` into `output_dir`; raises BuildFailed, touching nothing,
    when the input has errors (or warnings, under strict).

    Work that an earlier build did on unchanged input is reused from the build cache
    (see cache.py, incremental.py, publish.py); a build whose inputs are all unchanged
    does nothing at all (unchanged.py). A dry run (`berita check`) renders every page to
    nowhere and returns every problem in the result instead of raising (except for an
    unusable site.toml).

    A build that writes holds the site's and the output's locks (lock.py): another one
    waits for it (`waiting` is told once), or fails as options.wait_seconds says; a dry
    run writes nothing and takes none."""
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
    if dry_run:
        return _open_and_run(config, target, options, progress, dry_run, started)
    heal_cache_folder(root)
    try:
        with lock.exclusive(lock.lock_files(root, target, CACHE_DIR), options.wait_seconds,
                            waiting):
            return _open_and_run(config, target, options, progress, dry_run, started)
    except lock.Busy as busy:
        raise BuildFailed([Problem(
            str(busy.lock), None, None,
            msg("another build of this site is running (process {pid}) and holds this lock",
                pid=busy.holder if busy.holder is not None else "?"),
            msg("one build at a time: let it finish (berita build waits for it unless "
                "--no-wait) or stop that process"))],
            msg("Build not started: another build is running; nothing was changed.")) \
            from None
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        # What this build staged fills the disk the next build needs: it goes.
        free_space(target)
        raise BuildFailed([Problem(
            str(exc.filename or target), None, None,
            msg("the disk is full ({reason})", reason=exc.strerror or str(exc)),
            msg("free space on the disk that holds {folder}", folder=target.parent))],
            msg("Build stopped: the disk is full; the site published before is unchanged, "
                "and what this build had staged is removed.")) from None
    except lock.Unavailable as unavailable:
        raise BuildFailed([Problem(
            str(unavailable.lock), None, None,
            msg("cannot make the build's lock file: {reason}", reason=unavailable.reason),
            msg("a folder berita may write in (.berita-cache/ in the site folder, and the "
                "folder that holds the output)"))],
            msg("Build not started; nothing was changed.")) from None


def heal_cache_folder(root: Path) -> None:
    """.berita-cache/ is berita's own and safe to delete: a file (or a broken link) where
    the folder should be is removed, so that builds go on instead of failing until
    someone deletes it by hand."""
    folder = root / CACHE_DIR
    if (folder.is_symlink() and not folder.is_dir()) or folder.is_file():
        folder.unlink()


def _open_and_run(config: config_stage.SiteConfig, target: Path, options: BuildOptions,
                  progress: Progress, dry_run: bool, started: float) -> BuildResult:
    root = config.root
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
    files = unchanged.recall_files(store)
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


def _options_key(options: BuildOptions) -> str:
    """The options that change what a build makes (not `now`, `cache` or `jobs`)."""
    return repr((options.drafts, options.future, options.base_url, options.search,
                 options.strict, options.preview))
