"""The search index: Pagefind run over the staged article pages, before they are
published, one bundle a shard (see shards.py).

Pages opt in with `data-pagefind-body` (articles that are not drafts), and only the
pages of published articles are given to Pagefind, each shard's in a folder of their
own: lists, the search page, draft previews and files the new site no longer has are
never indexed. A failing indexer raises BuildFailed while the pages are still in
staging: the published output stays as it was.

Each shard's bundle is kept in the build cache under a hash of the pages it indexes, so
an edit runs Pagefind over one shard, and an unchanged shard costs nothing. Pagefind
1.5 writes its filter lists in hash order, which differs from run to run; `canonical`
rewrites them in sorted order, so the same pages always give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cbor2

from generator import shards
from generator.problems import BuildFailed, Problem

BUNDLE = shards.BUNDLE
LANGUAGE = "id"
SEARCH_CACHE = "search"
"""Folder of cached bundles inside the build cache."""
COMPRESSED_PREFIX = b"pagefind_dcd"
"""What Pagefind puts before the CBOR inside each of its gzip files."""
DEFAULT_CHUNK = 20_000
"""Pagefind's own index chunk size."""
MIN_CHUNK = 500
KEYS_MEMO = "search-pages.json"
"""In the build cache: each indexed page's (size, mtime, inode) and the hash of its bytes."""
INDEX_PARTS = ("pagefind-entry.json", "index", "fragment", "filter")
"""What a shard other than the first needs (with its pf_meta file): the first one holds
the script and WebAssembly every shard is searched with."""


class Staging(Protocol):
    stats: dict[str, tuple[int, int, int]]

    def copy(self, file: str, source: Path) -> None: ...

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


def index(staging: Staging, cache: Path, files: Iterable[str], jobs: int = 1) -> int:
    """Indexes the staged pages `files` and stages each shard's bundle (see
    shards.folders); returns how many files were staged. Missing bundles are made `jobs`
    at a time."""
    files = sorted(set(files))
    planned = plan(page_keys(staging, cache, files))
    store = cache / SEARCH_CACHE
    missing = [shard for shard in planned if not _complete(store / shard.key)]
    if missing:
        _make_bundles(staging, store, missing, jobs, chunk_size(len(files)))
    if store.is_dir():
        keep = {shard.key for shard in planned}
        for old in store.iterdir():
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
    staged = 0
    folders = shards.folders(shard.number for shard in planned)
    for position, (shard, folder) in enumerate(zip(planned, folders, strict=True)):
        bundle = store / shard.key
        for file in _bundle_files(bundle, whole=position == 0):
            staging.copy(folder + file.relative_to(bundle).as_posix(), file)
            staged += 1
    return staged


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


def _bundle_files(bundle: Path, whole: bool) -> Iterator[Path]:
    for file in sorted(bundle.rglob("*")):
        if not file.is_file():
            continue
        top = file.relative_to(bundle).parts[0]
        if whole or top in INDEX_PARTS or top.endswith(".pf_meta"):
            yield file


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
                    canonical(work / BUNDLE)
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
        raise BuildFailed([_problem(f"cannot run Pagefind: {exc}")]) from exc


def _finish(process: subprocess.Popen[str], bundle: Path) -> Problem | None:
    output, _ = process.communicate()
    if process.returncode == 0 and (bundle / "pagefind.js").is_file():
        return None
    lines = (output or "").strip().splitlines()
    detail = lines[-1] if lines else f"exit code {process.returncode}"
    return _problem(f"Pagefind failed: {detail}")


def _problem(message: str) -> Problem:
    return Problem("site.toml", None, "site.search", message,
                   'pip install "pagefind[bin]", or search = false / --no-search')


# Canonical bundles ---------------------------------------------------------------------

def canonical(bundle: Path) -> None:
    """Rewrites a Pagefind bundle's filter files, metadata and entry so that their bytes
    depend only on what was indexed: the filters and their values sorted, each file
    named by a hash of its content, compressed without a timestamp."""
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for language in sorted(entry["languages"]):
        about = entry["languages"][language]
        meta_file = bundle / f"pagefind.{about['hash']}.pf_meta"
        meta = _read_cbor(meta_file)
        filters = []
        for name, old in sorted(meta[3]):
            filter_file = bundle / "filter" / f"{old}.pf_filter"
            values = _read_cbor(filter_file)
            values[1] = sorted([value, sorted(pages)] for value, pages in values[1])
            filter_file.unlink()
            filters.append([name, _write_cbor(bundle / "filter", language, values,
                                              ".pf_filter")])
        meta[3] = filters
        meta_file.unlink()
        about["hash"] = _write_cbor(bundle, language, meta, ".pf_meta", "pagefind.")
    entry["languages"] = {name: entry["languages"][name] for name in sorted(entry["languages"])}
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def _read_cbor(file: Path) -> list:
    data = gzip.decompress(file.read_bytes())
    if not data.startswith(COMPRESSED_PREFIX):
        raise ValueError(f"{file}: not a Pagefind file")
    value = cbor2.loads(data[len(COMPRESSED_PREFIX):])
    if not isinstance(value, list):
        raise ValueError(f"{file}: unexpected content")
    return value


def _write_cbor(folder: Path, language: str, value: list, suffix: str,
                prefix: str = "") -> str:
    data = COMPRESSED_PREFIX + cbor2.dumps(value)
    name = f"{language}_{hashlib.blake2b(data, digest_size=8).hexdigest()}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzip.compress(data, 9, mtime=0))
    return name
