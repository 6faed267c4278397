"""The quick rebuild (quick.py): an edit to article bodies renders only the pages holding
them, from their recipes. Every scenario compares the output with a clean build byte
for byte, and says whether the quick rebuild or the full build made it."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from generator import model
from generator.incremental import quick
from generator.incremental.cache import CACHE_DIR, CACHE_FILE
from generator.problems import BuildFailed
from tests.conftest import NOW, article, run_build, tree_digest
from tests.test_incremental import edit, site_files

BLORA = "content/kpu-kabupaten-blora/2024/berita-0.md"
LUWU = "content/kpu-kabupaten-luwu-timur/2024/berita-2.md"


@pytest.fixture
def site(make_site, monkeypatch):
    # A small site: one article is on a large share of its pages.
    monkeypatch.setattr(quick, "SHARE", 1.0)
    root = make_site(site_files())
    run_build(root, search=False)
    return root


@pytest.fixture
def full_builds(monkeypatch) -> list[int]:
    """Counts the builds that planned the site (the quick rebuild does not)."""
    counted: list[int] = []
    plain = model.build

    def counting(*args, **kwargs):
        counted.append(1)
        return plain(*args, **kwargs)

    monkeypatch.setattr(model, "build", counting)
    return counted


def rebuild(root: Path, tmp_path: Path, **options):
    """An incremental build, checked against a build without any cache."""
    options.setdefault("search", False)
    result = run_build(root, **options)
    reference = tmp_path / "reference"
    run_build(root, reference, cache=False, **options)
    assert tree_digest(root / "public") == tree_digest(reference)
    return result


def test_body_edit_renders_only_the_pages_holding_the_article(site, tmp_path, full_builds):
    public = site / "public"
    mtimes = {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()}
    edit(site / BLORA, "Isi *tebal* 0", "Isi yang *diperbarui*")
    result = rebuild(site, tmp_path)
    assert full_builds == [1]  # the clean reference only
    assert 0 < result.rendered < result.pages
    assert result.articles == 14 and result.warnings == []
    page = public / "berita/berita-nomor-0/index.html"
    assert "yang <em>diperbarui</em>" in page.read_text(encoding="utf-8")
    changed = {p for p, mtime in mtimes.items() if p.stat().st_mtime_ns != mtime}
    assert page in changed and len(changed) == result.files_changed <= result.rendered


def test_quick_rebuilds_follow_each_other_and_a_noop(site, tmp_path, full_builds):
    for n in range(3):
        edit(site / BLORA, f"Paragraf pertama berita 0.{' x' * n}",
             f"Paragraf pertama berita 0.{' x' * (n + 1)}")
        rebuild(site, tmp_path)
    edit(site / LUWU, "Isi *tebal* 2", "Isi tipis 2")
    edit(site / BLORA, "Isi *tebal* 0", "Isi tipis 0")
    rebuild(site, tmp_path)  # two articles at once
    assert len(full_builds) == 4  # the references
    result = run_build(site, search=False)
    assert (result.rendered, result.files_changed) == (0, 0)


@pytest.mark.parametrize(("old", "new", "why"), [
    ("title: Berita Nomor 0", "title: Berita Nol", "front matter"),
    ("[tautan](/tag/)", "[tautan](/arsip/)", "a link"),
    ("Paragraf pertama berita 0.", "Paragraf pertama berita 0.\n\nBaris baru.",
     "the link moved to another line"),
    ("Isi *tebal* 0", "![foto](tidak-ada.jpg) Isi", "a new warning"),
])
def test_other_edits_take_the_full_build(site, tmp_path, full_builds, old, new, why):
    edit(site / BLORA, old, new)
    result = rebuild(site, tmp_path)
    assert len(full_builds) == 2, why
    assert (why == "a new warning") == bool(result.warnings)


def test_a_draft_published_by_its_front_matter_is_not_missed(make_site, tmp_path,
                                                               monkeypatch, full_builds):
    monkeypatch.setattr(quick, "SHARE", 1.0)
    files = site_files()
    draft = "content/kpu-kabupaten-blora/2024/draf.md"
    files[draft] = article("Draf", "2024-03-03 10:00", body="Belum.", draft="true")
    root = make_site(files)
    run_build(root, search=False)
    edit(root / draft, "Belum.", "Masih belum.")  # a draft's body: nothing to publish
    rebuild(root, tmp_path)
    edit(root / draft, "draft: true", "draft: false")
    rebuild(root, tmp_path)
    assert (root / "public/berita/draf/index.html").is_file()


@pytest.mark.parametrize("change", ["template", "site.toml", "static", "new article"])
def test_any_other_input_takes_the_full_build(site, tmp_path, full_builds, change):
    edit(site / BLORA, "Isi *tebal* 0", "Isi baru 0")
    if change == "template":
        (site / "templates").mkdir()
        (site / "templates/_card.html").write_text("<p>{{ item.title }}</p>\n")
    elif change == "site.toml":
        edit(site / "site.toml", 'title = "Berita Uji"', 'title = "Berita Baru"')
    elif change == "static":
        (site / "templates/static").mkdir(parents=True)
        (site / "templates/static/extra.css").write_text("p{}")
    else:
        (site / "content/baru.md").write_text(article("Baru", "2024-05-05 10:00"))
    rebuild(site, tmp_path)
    assert len(full_builds) == 2


def test_output_changed_by_hand_takes_the_full_build(site, tmp_path, full_builds):
    (site / "public/tag/index.html").unlink()
    edit(site / BLORA, "Isi *tebal* 0", "Isi baru 0")
    rebuild(site, tmp_path)
    assert len(full_builds) == 2


def test_missing_recipes_take_the_full_build(site, tmp_path, full_builds):
    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
        db.execute("DELETE FROM recipes")
    edit(site / BLORA, "Isi *tebal* 0", "Isi baru 0")
    rebuild(site, tmp_path)
    assert len(full_builds) == 2
    edit(site / BLORA, "Isi baru 0", "Isi lagi 0")  # the full build stored them anew
    rebuild(site, tmp_path)
    assert len(full_builds) == 3


def test_a_scheduled_article_falling_due_takes_the_full_build(make_site, tmp_path,
                                                              monkeypatch, full_builds):
    monkeypatch.setattr(quick, "SHARE", 1.0)
    files = site_files()
    due = NOW + timedelta(hours=1)
    files["content/kpu-kabupaten-blora/2024/nanti.md"] = article(
        "Nanti", due.strftime("%Y-%m-%d %H:%M"), body="Terjadwal.")
    root = make_site(files)
    run_build(root, search=False)
    edit(root / BLORA, "Isi *tebal* 0", "Isi baru 0")
    later = NOW + timedelta(hours=2)
    rebuild(root, tmp_path, now=later)
    assert len(full_builds) == 2
    assert (root / "public/berita/nanti/index.html").is_file()


def test_preview_builds_are_quick_too(site, tmp_path, full_builds):
    run_build(site, search=False, preview=True, drafts=True)
    edit(site / BLORA, "Isi *tebal* 0", "Isi baru 0")
    rebuild(site, tmp_path, preview=True, drafts=True)
    assert len(full_builds) == 2  # the preview's first build and the reference


def test_pages_holding_many_articles_fall_back_above_the_share(site, tmp_path, monkeypatch,
                                                               full_builds):
    monkeypatch.setattr(quick, "SHARE", 0.01)
    edit(site / BLORA, "Isi *tebal* 0", "Isi baru 0")
    rebuild(site, tmp_path)
    assert len(full_builds) == 2


def test_search_and_no_cache_builds_are_never_quick(site, tmp_path, full_builds):
    edit(site / BLORA, "Isi *tebal* 0", "Isi baru 0")
    run_build(site, search=False, cache=False)
    assert len(full_builds) == 1
    assert not os.path.exists(site / "public/pagefind")


def test_an_edit_after_a_failed_build_is_checked_against_the_published_one(site):
    # Under --strict a new warning fails the build, which still reads the article into
    # the cache; the next edit keeps the warning and must fail too, not be published.
    run_build(site, search=False, strict=True)
    edit(site / BLORA, "Isi *tebal* 0", "![foto](tidak-ada.jpg) Isi")
    with pytest.raises(BuildFailed):
        run_build(site, search=False, strict=True)
    edit(site / BLORA, "![foto](tidak-ada.jpg) Isi", "![foto](tidak-ada.jpg) Isi lain")
    with pytest.raises(BuildFailed):
        run_build(site, search=False, strict=True)
    assert "Isi lain" not in (site / "public/berita/berita-nomor-0/index.html").read_text()
