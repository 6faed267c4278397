"""The search index: Pagefind run over the staged article pages, before they are
published, one bundle a shard (see shards.py).

Pages opt in with `data-pagefind-body` (articles that are not drafts), and only the
pages of published articles are given to Pagefind, each shard's in a folder of their
own: lists, the search page, draft previews and files the new site no longer has are
never indexed. A failing indexer raises BuildFailed while the pages are still in
staging: the published output stays as it was.

Each shard's bundle is kept in the build cache under a hash of the pages it indexes, so
an edit runs Pagefind over one shard, and an unchanged shard costs nothing. Pagefind
1.5 writes its filter lists in hash order, which differs from run to run;
bundles.canonical rewrites them in sorted order, so the same pages always give the same
bytes. A shard that lacks a word other shards have is published completed with it (see
bundles.missing_words), so that it matches what one bundle of all the pages would.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator import bundles, parallel, shards
from generator.messages import Text, msg
from generator.problems import BuildFailed, Problem

BUNDLE = shards.BUNDLE
LANGUAGE = "id"
SEARCH_CACHE = "search"
"""Folder of cached bundles inside the build cache."""
WORDS_SUFFIX = ".words.json"
FILES_SUFFIX = ".files.json"
"""Beside each cached bundle: the words its index holds."""
DEFAULT_CHUNK = 20_000
"""Pagefind's own index chunk size."""
MIN_CHUNK = 500
KEYS_MEMO = "search-pages.json"
"""In the build cache: each indexed page's (size, mtime, inode) and the hash of its bytes."""
INDEX_PARTS = ("pagefind-entry.json", "index", "fragment", "filter")
CONTENT_NAMED = (".pf_index", ".pf_fragment", ".pf_filter", ".pf_meta")
"""Bundle files named by a hash of their bytes (by Pagefind, or by bundles.write_cbor):
the same name holds the same bytes."""
"""What a shard other than the first needs (with its pf_meta file): the first one holds
the script and WebAssembly every shard is searched with."""


class Staging(Protocol):
    stats: dict[str, tuple[int, int, int]]

    def copy(self, file: str, source: Path) -> None: ...

    def keep(self, file: str) -> bool: ...

    def read(self, file: str) -> bytes: ...

    def path(self, file: str) -> Path: ...


@dataclass(frozen=True)
class Shard:
    number: int
    pages: tuple[str, ...]
    """Output files it indexes, sorted."""
    key: str
    """A hash of those pages' content keys and of the indexer's version."""


def plan(pages: Mapping[str, str]) -> list[Shard]:
    """The shards indexing `pages` (output file -> a key of its content), in order."""
    chunk = chunk_size(len(pages))
    return [Shard(number, files, fingerprint({file: pages[file] for file in files}, chunk))
            for number, files in shards.layout(pages).items()]


def chunk_size(pages: int) -> int:
    """Pagefind's index chunk size (word locations a chunk) for each shard of a site of
    `pages`: its default divided among the shards, so that a search loads about as many
    index bytes from all the shards as from one bundle (a word's chunk from each)."""
    return max(MIN_CHUNK, DEFAULT_CHUNK // shards.count_for(pages))


def command(site: Path, bundle: Path) -> list[str]:
    """The Pagefind command line (the binary bundled by the `pagefind[bin]` wheel)."""
    try:
        import pagefind_bin

        executable = [str(pagefind_bin.get_executable())]
    except (ImportError, FileNotFoundError):
        executable = [sys.executable, "-m", "pagefind"]
    return [*executable, "--site", str(site), "--output-path", str(bundle),
            "--force-language", LANGUAGE, "--quiet"]


def index(staging: Staging, cache: Path, files: Iterable[str], jobs: int = 1,
          live_is_last_build: bool = False) -> int:
    """Indexes the staged pages `files` and stages each shard's bundle (see
    shards.folders); returns how many files were staged. Missing bundles are made `jobs`
    at a time. `live_is_last_build`: the live output is known to be exactly what the
    last build published (the quick rebuild checks it), so a file named by a hash of its
    bytes that is there already is kept without being read."""
    files = sorted(set(files))
    planned = plan(page_keys(staging, cache, files))
    store = cache / SEARCH_CACHE
    missing = [shard for shard in planned if not _complete(store / shard.key)]
    if missing:
        _make_bundles(staging, store, missing, jobs, chunk_size(len(files)))
    chosen = _completed(store, planned, jobs) if len(planned) > 1 \
        else [s.key for s in planned]
    keep = {*chosen, *(shard.key for shard in planned),
            *(shard.key + WORDS_SUFFIX for shard in planned),
            *(key + FILES_SUFFIX for key in chosen)}
    for old in store.iterdir() if store.is_dir() else ():
        if old.name not in keep:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
    staged = 0
    folders = shards.folders(shard.number for shard in planned)
    for position, (key, folder) in enumerate(zip(chosen, folders, strict=True)):
        for name, file in _files(store, key).items():
            if position == 0 or _is_index_part(name):
                if not (live_is_last_build and name.endswith(CONTENT_NAMED)
                        and staging.keep(folder + name)):
                    staging.copy(folder + name, file)
                staged += 1
    return staged


def _completed(store: Path, planned: list[Shard], jobs: int = 1) -> list[str]:
    """The bundle to publish for each shard: its own, or, where it lacks words other
    shards have, a copy completed with them (bundles.missing_words), kept under a key of
    its own. Copies not made yet are made `jobs` at a time."""
    own = [_words(store, shard.key) for shard in planned]
    site = sorted(set().union(*own))
    chosen, todo = [], []
    for shard, words in zip(planned, own, strict=True):
        extra = bundles.missing_words(words, site)
        if not extra:
            chosen.append(shard.key)
            continue
        digest = hashlib.blake2b(shard.key.encode(), digest_size=16)
        digest.update("\n".join(extra).encode("utf-8"))
        key = digest.hexdigest()
        if not (store / key / bundles.OVERLAY).is_file():
            todo.append(Completion(str(store), shard.key, key, tuple(extra)))
        chosen.append(key)
    # A new word on one page changes the completion of every other shard: the work is
    # shared with a forked process when there is much of it.
    helpers = min(jobs, len(todo) // COMPLETIONS_APART) - 1
    if helpers < 1 or not parallel.can_fork():
        for completion in todo:
            completion.run(None, {})
        return chosen
    forked = parallel.Forked(helpers, None)
    try:
        theirs = todo[: len(todo) * helpers // (helpers + 1)]
        sent = [forked.submit(completion) for completion in theirs]
        for completion in todo[len(theirs):]:
            completion.run(None, {})
        for future in sent:
            future.result()
    finally:
        forked.close()
    return chosen


COMPLETIONS_APART = 8
"""Completions worth a process of their own."""


@dataclass(frozen=True)
class Completion:
    """A shard's bundle to complete with words it lacks (bundles.complete), as `key`."""

    store: str
    base: str
    key: str
    extra: tuple[str, ...]

    def run(self, state: object, memo: dict[str, object]) -> None:
        store = Path(self.store)
        scratch = store / (self.key + ".tmp")
        shutil.rmtree(scratch, ignore_errors=True)
        bundles.complete(store / self.base, scratch, self.extra)
        shutil.rmtree(store / self.key, ignore_errors=True)
        os.replace(scratch, store / self.key)


def _files(store: Path, key: str) -> dict[str, Path]:
    """bundles.files of the bundle `key`, listed once and kept beside it (a bundle in the
    store never changes)."""
    memo = store / (key + FILES_SUFFIX)
    try:
        found = json.loads(memo.read_text(encoding="utf-8"))
        # The bundles it lists (its own, and the one it completes) are still there: a
        # cache may be pruned by hand.
        if isinstance(found, dict) and all(
                (store / bundle).is_dir()
                for bundle in {relative.split("/", 1)[0] for relative in found.values()}):
            return {name: store / relative for name, relative in found.items()}
    except (OSError, ValueError):
        pass
    listed = bundles.files(store / key, lambda base: _files(store, base.name))
    temporary = memo.with_name(memo.name + ".tmp")
    temporary.write_text(json.dumps({name: file.relative_to(store).as_posix()
                                     for name, file in listed.items()}), encoding="utf-8")
    os.replace(temporary, memo)
    return listed


def _words(store: Path, key: str) -> list[str]:
    """The words of the bundle `key`, read once and kept beside it."""
    file = store / (key + WORDS_SUFFIX)
    try:
        found = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(found, list):
            return found
    except (OSError, ValueError):
        pass
    found = bundles.words(store / key)
    temporary = file.with_name(file.name + ".tmp")
    temporary.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, file)
    return found


def page_keys(staging: Staging, cache: Path, files: Iterable[str]) -> dict[str, str]:
    """A hash of each staged page's bytes. A page's hash is remembered with its size,
    mtime and inode, so that a page kept from the last build is not read again."""
    memo_file = cache / KEYS_MEMO
    try:
        known = json.loads(memo_file.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    keys, memo = {}, {}
    for file in files:
        stat = list(staging.stats[file])
        hit = known.get(file)
        if isinstance(hit, list) and hit[:3] == stat and isinstance(hit[3], str):
            key = hit[3]
        else:
            key = hashlib.blake2b(staging.read(file), digest_size=16).hexdigest()
        keys[file] = key
        memo[file] = [*stat, key]
    if memo != known:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            temporary = memo_file.with_name(memo_file.name + ".tmp")
            temporary.write_text(json.dumps(memo, sort_keys=True), encoding="utf-8")
            os.replace(temporary, memo_file)
        except OSError:
            pass  # a memo only saves reading: the next build reads the pages again
    return keys


def _complete(bundle: Path) -> bool:
    return (bundle / "pagefind.js").is_file()


def _is_index_part(name: str) -> bool:
    top = name.split("/", 1)[0]
    return top in INDEX_PARTS or top.endswith(".pf_meta")


def fingerprint(pages: Mapping[str, str], chunk: int = DEFAULT_CHUNK) -> str:
    """A hash of every page to index (path -> a key of its content), of the indexer's
    version and of its options."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{_pagefind_version()}|{LANGUAGE}|{chunk}".encode())
    for path in sorted(pages):
        digest.update(f"{path}\0{pages[path]}\n".encode())
    return digest.hexdigest()


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _make_bundles(staging: Staging, store: Path, missing: list[Shard], jobs: int,
                  chunk: int) -> None:
    """Runs Pagefind over each shard's pages, at most `jobs` at once; each bundle, made
    canonical, is moved into `store` under its key."""
    store.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="berita-pagefind-", dir=store) as scratch:
        running: list[tuple[Shard, Path, subprocess.Popen[str]]] = []
        pending = list(missing)
        failure: Problem | None = None
        try:
            while pending or running:
                while pending and len(running) < max(1, jobs) and failure is None:
                    shard = pending.pop(0)
                    work = Path(scratch, str(shard.number))
                    _link_pages(staging, shard.pages, work / "site")
                    running.append((shard, work, _start(work / "site", work / BUNDLE, chunk)))
                if not running:
                    break
                shard, work, process = running.pop(0)
                failure = failure or _finish(process, work / BUNDLE)
                if failure is None:
                    bundles.canonical(work / BUNDLE)
                    os.replace(work / BUNDLE, store / shard.key)
                shutil.rmtree(work, ignore_errors=True)
        finally:
            for _, _, process in running:
                process.kill()
                process.wait()
        if failure is not None:
            raise BuildFailed([failure])


def _link_pages(staging: Staging, files: tuple[str, ...], site: Path) -> None:
    """A folder holding just these staged pages, as hard links where it can."""
    for file in files:
        target = site / file
        target.parent.mkdir(parents=True, exist_ok=True)
        source = staging.path(file)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def _start(site: Path, bundle: Path, chunk: int) -> subprocess.Popen[str]:
    # Pagefind 1.5 takes its chunk size from the environment only.
    environment = {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": str(chunk)}
    try:
        return subprocess.Popen(command(site, bundle), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                text=True, env=environment)
    except OSError as exc:
        raise BuildFailed([_problem(msg("cannot run Pagefind: {error}", error=str(exc)))]
                          ) from exc


def _finish(process: subprocess.Popen[str], bundle: Path) -> Problem | None:
    output, _ = process.communicate()
    if process.returncode == 0 and (bundle / "pagefind.js").is_file():
        return None
    lines = (output or "").strip().splitlines()
    detail = lines[-1] if lines else msg("exit code {code}", code=process.returncode)
    return _problem(msg("Pagefind failed: {detail}", detail=detail))


def _problem(message: Text) -> Problem:
    return Problem("site.toml", None, "site.search", message,
                   msg('pip install "pagefind[bin]", or search = false / --no-search'))
