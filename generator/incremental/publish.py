"""The output stage with a memory: render and write only what changed.

Every output file gets a fingerprint (a hash of what its bytes are made from); when the
page structure is the one of the last build, only the files that hold an edited
article are described again (fingerprints.PageIndex). A file whose fingerprint matches
the manifest of the previous build, and whose file in the output folder is still the
one that build wrote (same size, mtime and inode), is kept instead of being rendered.
When every file matches and the output folder holds nothing else, the build publishes
nothing at all. Otherwise the new files are staged and published: in place from a
journal when few changed (patch.PatchStaging), else swapped in whole
(spare.SpareStaging).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import parallel, progress
from generator.incremental import fingerprints
from generator.incremental.cache import BuildCache, Written, digest
from generator.messages import msg
from generator.page import Page
from generator.problems import Problem
from generator.staging.patch import PatchStaging, finish_interrupted
from generator.staging.spare import SpareStaging, listing
from generator.urls import output_file

Stager = SpareStaging | PatchStaging
"""What `finish` receives: the staged site, with write/copy/read/written/output."""
PATCH_SHARE = 0.1
"""A build that renders or removes at most this share of the site's files is applied in
place (patch.PatchStaging); a bigger one is swapped in whole (spare.SpareStaging)."""
RECIPE_BATCH = 512
"""Recipes are stored this many at a time, as they come (quick.py)."""
Finish = Callable[[Stager, dict[str, "str | None"]], None]
"""finish(staging, fingerprint of each file): stages the site-wide files and may raise
(BuildFailed) to stop the publication; the staged site is then discarded."""


@dataclass(frozen=True)
class StagedPage:
    """What comes back from the process that rendered a page (stage_page)."""

    file: str
    outcome: tuple[int, int, int] | Problem
    """The staged file's (size, mtime_ns, inode), or why the page could not be made."""
    changed: int
    """Files whose bytes changed (0 or 1)."""
    where: int
    """The pid of the process that staged it."""
    recipe: bytes | None
    """The page's recipe (quick.Packer), when one is kept."""


def stage_page(staging: Stager, file: str, result: bytes | Problem,
               recipe: Callable[[], bytes | None]) -> StagedPage:
    """Writes a rendered page into `staging`, in the process that rendered it: only the
    small StagedPage travels back to the build."""
    if isinstance(result, Problem):
        return StagedPage("", result, 0, os.getpid(), None)
    before = staging.changed
    staging.write(file, result)
    return StagedPage(file, staging.stats[file], staging.changed - before, os.getpid(),
                      recipe())


@dataclass(frozen=True)
class Published:
    rendered: int
    """Pages rendered this build (the others were reused unchanged)."""
    pages: int
    """Pages the site has."""
    changed: int
    """Files whose bytes changed (0 when nothing was published)."""
    problems: list[Problem]


def publish(target: Path, planned: Iterable[Page], render_one: parallel.RenderOne,
            copies: list[tuple[str, Path]], cache: BuildCache, base_key: str,
            jobs: int | None = None, finish: Finish | None = None,
            progress: progress.Progress = progress.no_progress,
            may_patch: bool = True, structure: str = "",
            digests: dict[str, str] | None = None,
            pack: Callable[[Page], bytes | None] | None = None,
            remote: parallel.Remote | None = None) -> Published:
    """Renders and stages what changed, reuses the rest, calls `finish`, then publishes
    the result into `target`: in place when little changed and `may_patch` (see
    patch.py), else swapped in whole. `copies` are (output path, source file) pairs:
    static files and media. `structure` (fingerprints.structure_key) and `digests` (each
    article's, by path) let an unchanged page keep its fingerprint without describing
    it again (fingerprints.PageIndex). `pack`: each rendered page's recipe for the
    cache (quick.Packer), made where the page is rendered. `remote` (lean.Workers)
    renders pages in processes of its own when the whole spare is staged."""
    finish_interrupted(target)
    pages = list(planned)
    files = [output_file(page.route) for page in pages]
    manifest = cache.manifest(target)
    present, _ = listing(target)
    wanted: dict[str, str | None] = {}
    index: list[tuple[str, str, object]] = []

    def describe() -> None:
        found, memos = _fingerprints(target, pages, files, cache, manifest, base_key,
                                     structure, digests)
        wanted.update(found)
        index.extend(memos)
        for file, source in copies:
            wanted[file] = "copy:" + fingerprints.stat_key([(file, source)])

    # Without a manifest nothing can be reused, so every page is rendered whatever its
    # fingerprint: the render workers start first (they need not inherit the
    # fingerprints), and this process describes the pages while they work.
    first_build = not manifest
    if not first_build:
        describe()

    def reusable(file: str) -> bool:
        known, fingerprint = manifest.get(file), wanted[file]
        return (fingerprint is not None and known is not None
                and known.fingerprint == fingerprint
                and present.get(file) == (known.size, known.mtime_ns, known.inode))

    reused = {file for file in wanted if reusable(file)}
    if not first_build and present and present.keys() == wanted.keys() \
            and len(reused) == len(wanted):
        for memo in index:
            cache.memorize(*memo)
        return Published(0, len(pages), 0, [])

    fresh = len(wanted) - len(reused)
    removed = len(present.keys() - wanted.keys())
    staging: Stager
    if not first_build and may_patch and present \
            and fresh + removed <= PATCH_SHARE * len(wanted):
        staging = PatchStaging(target, present)
    else:
        staging = SpareStaging(target, present)
    try:
        todo = [i for i, file in enumerate(files)
                if not (file in reused and staging.keep(file))]
        problems: list[Problem] = []

        def stage(index: int, result: bytes | Problem) -> StagedPage:
            file = files[todo[index]]

            def recipe() -> bytes | None:
                # On a first build the fingerprints come later: a recipe is made for
                # every page, and those of pages without one are dropped below.
                return pack(pages[todo[index]]) if pack and (
                    first_build or wanted[file]) else None

            return stage_page(staging, file, result, recipe)

        todo_pages = [pages[i] for i in todo]
        results = parallel.render_pages(
            todo_pages, render_one, stage, jobs, meanwhile=describe if first_build else None,
            remote=remote if isinstance(staging, SpareStaging) else None)
        sized = parallel.Sized(results, len(todo_pages))
        recipes: list[tuple[str, str, bytes]] = []
        staged: StagedPage
        for staged in progress(msg("Writing pages"), sized):
            file, outcome = staged.file, staged.outcome
            if isinstance(outcome, Problem):
                problems.append(outcome)
                continue
            if pack is not None and staged.recipe is not None and wanted[file]:
                recipes.append((file, wanted[file] or "", staged.recipe))
                if len(recipes) >= RECIPE_BATCH:
                    cache.store_recipes(target, recipes)
                    recipes = []
            if staged.where != os.getpid():  # a worker's staging: bring this one up to date
                staging.written.add(file)
                staging.stats[file] = outcome
                staging.changed += staged.changed
                if staged.changed:
                    staging.staged.add(file)
        cache.store_recipes(target, recipes)
        if problems:
            staging.rollback()
            problems.sort(key=lambda p: (p.path, p.line or 0, p.message))  # any order came
            return Published(len(todo) - len(problems), len(pages), 0, problems)
        for file, source in copies:
            if not (file in reused and staging.keep(file)):
                staging.copy(file, source)
        if finish is not None:
            finish(staging, wanted)
        # Files `finish` staged have no fingerprint (""): never reused, but listed, so
        # that the next build knows the output is exactly what this one wrote.
        written = {file: Written(wanted.get(file) or "", *staging.stats[file])
                   for file in staging.written}
        staging.commit()
    except BaseException:
        staging.rollback()
        raise
    cache.store_manifest(target, written, manifest)
    if pack is not None:
        cache.prune_recipes(target)
    for memo in index:
        cache.memorize(*memo)
    return Published(len(todo), len(pages), staging.changed, [])


def _fingerprints(target: Path, pages: list[Page], files: list[str], cache: BuildCache,
                  manifest: dict[str, Written], base_key: str, structure: str,
                  digests: dict[str, str] | None
                  ) -> tuple[dict[str, str | None], list[tuple[str, str, object]]]:
    """The fingerprint of each page's file, and what to remember once the build is
    published (memorize's arguments): the PageIndex when it was made anew, and the
    digests the published files are made from."""
    prints = fingerprints.Fingerprints(base_key)
    wanted: dict[str, str | None] = {}
    if digests is None:
        for file, page in zip(files, pages, strict=True):
            wanted[file] = prints.page(page)
        return wanted, []
    key = index_key(base_key, structure)
    known = recall_index(cache, target, key)
    affected = known.affected(digests) if known is not None else None
    sources: dict[str, list[str]] = defaultdict(list)
    for file, page in zip(files, pages, strict=True):
        before = manifest.get(file)
        if affected is not None and file not in affected and before is not None \
                and before.fingerprint:
            wanted[file] = before.fingerprint  # holds no changed article: as it was
            continue
        wanted[file] = prints.page(page)
        if affected is None:
            for path in prints.sources():
                sources[path].append(file)
    remember: list[tuple[str, str, object]] = []
    if affected is None:
        remember.append((f"pages:{target}", key, fingerprints.PageIndex(
            digests, {path: tuple(files) for path, files in sources.items()})))
    remember.append(digests_memo(target, key, digests))  # after the index it goes with
    return wanted, remember


# The index is big and changes only with the structure; the digests are small and change
# with every edit: they are remembered apart, under one key.

def index_key(base_key: str, structure: str) -> str:
    """The key of an output folder's PageIndex: publish's base key and the page structure
    (fingerprints.structure_key)."""
    return digest(base_key, structure)


def recall_index(cache: BuildCache, target: Path, key: str) -> fingerprints.PageIndex | None:
    """The PageIndex of `target` remembered under `key`, with the digests last published."""
    known = cache.recall(f"pages:{target}", key)
    if not isinstance(known, fingerprints.PageIndex):
        return None
    last = cache.recall(f"digests:{target}", key)
    return fingerprints.PageIndex(last, known.sources) if isinstance(last, dict) else known


def digests_memo(target: Path, key: str, digests: dict[str, str]) -> tuple[str, str, object]:
    """memorize's arguments for the article digests `target` is now published from."""
    return f"digests:{target}", key, digests

