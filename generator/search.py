"""The search index: Pagefind run over the staged pages, before they are published.

Pages opt in with `data-pagefind-body` (articles that are not drafts), so lists, the
search page itself and draft previews are never indexed. A failing indexer raises
BuildFailed while the pages are still in staging: the published output stays as it was.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.problems import BuildFailed, Problem
from generator.spare import SpareStaging as Staging

BUNDLE = "pagefind"
"""Folder of the index inside the output: /pagefind/pagefind.js and its fragments."""
LANGUAGE = "id"
SEARCH_CACHE = "search"
KEY_FILE = ".berita/search-key"
"""The fingerprint of the pages the published bundle indexes."""
"""Folder of cached bundles inside the build cache."""


def command(site: Path, bundle: Path) -> list[str]:
    """The Pagefind command line (the binary bundled by the `pagefind[bin]` wheel)."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path",
            str(bundle), "--force-language", LANGUAGE, "--quiet"]


def index(staging: Staging, cache: Path, pages: Mapping[str, str]) -> int:
    """Indexes the staged HTML and stages the bundle under /pagefind/; returns how many
    files the bundle has.

    Pagefind's bundle is not byte-stable between runs (its metadata indexes vary), so a
    bundle is kept in `cache` under a hash of the pages it indexed: the same pages give
    the same bundle, and an unchanged site neither re-runs Pagefind nor changes a byte.
    """
    key = fingerprint(pages)
    bundle = cache / SEARCH_CACHE / key
    live = staging.output
    if not (bundle / "pagefind.js").is_file():
        if _read(live / KEY_FILE) == key and (live / BUNDLE / "pagefind.js").is_file():
            # The published site was indexed from these very pages (the cache was
            # deleted since): its bundle is the one to keep.
            shutil.copytree(live / BUNDLE, bundle, dirs_exist_ok=True)
        else:
            _run_pagefind(staging.root, bundle)
    for old in (cache / SEARCH_CACHE).iterdir():
        if old != bundle:
            shutil.rmtree(old, ignore_errors=True)
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    for file in files:
        staging.copy(f"{BUNDLE}/{file.relative_to(bundle).as_posix()}", file)
    staging.write(KEY_FILE, key.encode())
    return len(files)


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return ""


def fingerprint(pages: Mapping[str, str]) -> str:
    """A hash of every page to index (path -> a key of its content) and of the indexer's
    version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{_pagefind_version()}|{LANGUAGE}".encode())
    for path in sorted(pages):
        digest.update(f"{path}\0{pages[path]}\n".encode())
    return digest.hexdigest()


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _run_pagefind(site: Path, bundle: Path) -> None:
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="berita-pagefind-", dir=bundle.parent) as folder:
        made = Path(folder) / BUNDLE
        try:
            done = subprocess.run(command(site, made), capture_output=True, text=True,
                                  check=False)
        except OSError as exc:
            raise BuildFailed([_problem(f"cannot run Pagefind: {exc}")]) from exc
        if done.returncode != 0 or not (made / "pagefind.js").is_file():
            output = (done.stderr or done.stdout).strip().splitlines()
            detail = output[-1] if output else f"exit code {done.returncode}"
            raise BuildFailed([_problem(f"Pagefind failed: {detail}")])
        os.replace(made, bundle)


def _problem(message: str) -> Problem:
    return Problem("site.toml", None, "site.search", message,
                   'pip install "pagefind[bin]", or search = false / --no-search')
