"""Lean render workers (lean.py): forked before any article is read, they render pages
from recipes and articles fetched from the cache, and the site is the one a serial
build without a cache makes."""

from __future__ import annotations

import gc
import hashlib
import os
from pathlib import Path

import pytest

from generator.content import Article
from generator.incremental import lean
from tests.conftest import run_build, tree_digest
from tests.test_incremental import edit, site_files


@pytest.fixture
def parallel(monkeypatch, tmp_path):
    """Workers even for a small site; each worker notes, in a file named by its pid,
    how many articles it held when it started and every page it staged."""
    monkeypatch.setattr("generator.incremental.prepared.PARALLEL_MARKDOWN", 1)
    monkeypatch.setattr("generator.parallel.PARALLEL_PAGES", 1)
    monkeypatch.setattr("generator.parallel.CHUNK", 5)
    notes = tmp_path / "notes"
    notes.mkdir()
    start, stage = lean._start, lean._stage

    def noting_start(*args):
        held = {item.digest for item in gc.get_objects() if type(item) is Article}
        (notes / f"start-{os.getpid()}").write_text("\n".join(sorted(held)))
        start(*args)

    def noting_stage(staging, page, result, recipe):
        with open(notes / f"pages-{os.getpid()}", "a") as file:
            file.write(page.route + "\n")
        return stage(staging, page, result, recipe)

    monkeypatch.setattr(lean, "_start", noting_start)
    monkeypatch.setattr(lean, "_stage", noting_stage)
    return notes


def serial(root: Path, tmp_path: Path) -> dict[str, bytes]:
    reference = tmp_path / "serial"
    run_build(root, reference, cache=False, jobs=1)
    return tree_digest(reference)


def worker_pages(notes: Path) -> list[str]:
    return [line for file in notes.glob("pages-*") for line in file.read_text().split()]


def own_site_files() -> dict[str, str]:
    """site_files, with bytes (and so article digests) no other test has."""
    return {name: text.replace("Paragraf pertama", "Paragraf lean pertama")
            for name, text in site_files(30).items()}


def test_workers_hold_no_article_and_make_the_same_site(make_site, tmp_path, parallel):
    root = make_site(own_site_files())
    run_build(root, jobs=2)
    ours = {hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest()
            for file in (root / "content").rglob("*.md")}
    starts = list(parallel.glob("start-*"))
    assert starts
    for file in starts:  # this process may hold other tests' articles; the site's, never
        assert not set(file.read_text().split()) & ours
    assert {file.name for file in parallel.glob("pages-*")} <= \
        {"pages-" + file.name.removeprefix("start-") for file in starts}
    routes = worker_pages(parallel)
    assert any(route.startswith("berita/") for route in routes)
    assert "sitemap.xml" not in routes  # the build renders too, from the other end
    assert tree_digest(root / "public") == serial(root, tmp_path)


def test_a_full_rebuild_over_the_last_site_keeps_unchanged_files(make_site, tmp_path,
                                                                 parallel):
    root = make_site(own_site_files())
    run_build(root, jobs=2)
    page = root / "public/berita/berita-nomor-4/index.html"
    before = page.stat()
    # A new template for the home page only: every page is described again, the spare is
    # staged whole, and the workers write into it beside the build.
    theme = root / "templates"
    theme.mkdir()
    (theme / "index.html").write_text('{% extends "!theme/index.html" %}'
                                      '{% block main %}<p>Baru</p>{{ super() }}'
                                      '{% endblock %}', encoding="utf-8")
    edit(root / "content/kpu-kabupaten-blora/2024/berita-0.md", "Berita Nomor 0", "Judul Lain")
    for file in parallel.glob("pages-*"):
        file.unlink()
    run_build(root, jobs=2)
    assert worker_pages(parallel)
    assert tree_digest(root / "public") == serial(root, tmp_path)
    after = page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_pages_a_worker_cannot_make_are_made_by_the_build(make_site, tmp_path, parallel,
                                                          monkeypatch):
    def missing(cache, links, setup):
        def article(path: str) -> Article:
            raise KeyError(path)  # as if the cache lost the article
        return article

    monkeypatch.setattr(lean, "_resolver", missing)
    root = make_site(site_files(30))
    run_build(root, jobs=2)
    assert not worker_pages(parallel)
    assert tree_digest(root / "public") == serial(root, tmp_path)
