"""Small changes are applied in place from a journal (patch.py): the result is the site a
clean build makes, and a build killed while applying is completed by the next one."""

from __future__ import annotations

import os

from generator.incremental import publish
from generator.staging import patch
from generator.staging.spare import SPARE_SUFFIX
from tests.conftest import run_build, tree_digest
from tests.test_incremental import clean, edit, site_files


def test_one_article_edit_is_applied_in_place(make_site, tmp_path, monkeypatch):
    # A small site: one edit reaches a larger share of its pages than of a real one.
    monkeypatch.setattr(publish, "PATCH_SHARE", 0.5)
    root = make_site(site_files(28))
    run_build(root, search=False)
    public = root / "public"
    untouched = public / "berita/berita-nomor-13/index.html"
    inode = untouched.stat().st_ino
    edit(root / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi *tebal* 0", "Isi baru")
    result = run_build(root, search=False)
    assert 0 < result.rendered < result.pages // 2
    assert tree_digest(public) == clean(root, tmp_path, search=False)
    # No spare was made for it, nothing is left beside the output, and the pages the
    # edit did not reach are the very same files.
    assert not public.with_name("." + public.name + SPARE_SUFFIX).exists()
    assert not patch.patch_folder(public).exists()
    assert untouched.stat().st_ino == inode


def test_a_deleted_article_and_its_emptied_folder_go(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "PATCH_SHARE", 0.5)
    root = make_site(site_files(28))
    run_build(root, search=False)
    (root / "content/kpu-kabupaten-blora/2024/berita-3.md").unlink()
    run_build(root, search=False)
    assert not (root / "public/berita/berita-nomor-3").exists()
    assert not patch.patch_folder(root / "public").exists()
    assert not (root / (".public" + SPARE_SUFFIX)).exists()  # it was applied in place
    assert tree_digest(root / "public") == clean(root, tmp_path, search=False)


def test_a_journal_left_by_a_killed_build_is_completed(tmp_path):
    output = tmp_path / "public"
    (output / "berita/lama").mkdir(parents=True)
    (output / "berita/lama/index.html").write_text("lama", encoding="utf-8")
    (output / "index.html").write_text("beranda lama", encoding="utf-8")
    (output / "hapus.txt").write_text("x", encoding="utf-8")
    present = {"berita/lama/index.html": (4, 0, 0), "index.html": (12, 0, 0),
               "hapus.txt": (1, 0, 0)}
    staging = patch.PatchStaging(output, present)
    staging.write("index.html", b"beranda baru")
    staging.write("berita/baru/index.html", b"baru")
    staging.keep("berita/lama/index.html")
    # Killed after the journal was written and one move was made:
    lines = [f"{patch.staged_name(f)}\t{f}" for f in sorted(staging.staged)]
    lines.append("-\thapus.txt")
    (staging.root / patch.JOURNAL).write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(staging.root / patch.staged_name("index.html"), output / "index.html")

    patch.finish_interrupted(output)
    assert sorted(tree_digest(output)) == ["berita/baru/index.html",
                                           "berita/lama/index.html", "index.html"]
    assert (output / "index.html").read_bytes() == b"beranda baru"
    assert (output / "berita/baru/index.html").read_bytes() == b"baru"
    assert not (output / "hapus.txt").exists()
    assert not staging.root.exists()


def test_a_failed_build_leaves_nothing_in_the_output(tmp_path):
    output = tmp_path / "public"
    output.mkdir()
    (output / "index.html").write_text("lama", encoding="utf-8")
    staging = patch.PatchStaging(output, {"index.html": (4, 0, 0)})
    staging.write("index.html", b"baru")
    staging.rollback()
    patch.finish_interrupted(output)  # no journal: nothing to complete
    assert (output / "index.html").read_text(encoding="utf-8") == "lama"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_an_unsafe_path_in_a_journal_is_refused(tmp_path):
    output = tmp_path / "public"
    output.mkdir()
    folder = patch.patch_folder(output)
    folder.mkdir()
    (folder / "x").write_text("x", encoding="utf-8")
    (folder / patch.JOURNAL).write_text("x\t../escaped.txt\n", encoding="utf-8")
    patch.finish_interrupted(output)
    assert not (tmp_path / "escaped.txt").exists()
    assert not folder.exists()


def test_a_journal_with_no_move_made_is_dropped_not_applied(tmp_path):
    """Issue 20: applied later (by a build that then failed), such a journal published an
    edit its author had reverted meanwhile."""
    output = tmp_path / "public"
    output.mkdir()
    (output / "index.html").write_text("lama", encoding="utf-8")
    (output / "hapus.txt").write_text("x", encoding="utf-8")
    staging = patch.PatchStaging(output, {"index.html": (4, 0, 0), "hapus.txt": (1, 0, 0)})
    staging.write("index.html", b"baru")
    lines = [f"{patch.staged_name('index.html')}\tindex.html", "-\thapus.txt"]
    (staging.root / patch.JOURNAL).write_text("\n".join(lines) + "\n", encoding="utf-8")
    patch.finish_interrupted(output)  # killed before its first move
    assert (output / "index.html").read_text(encoding="utf-8") == "lama"
    assert (output / "hapus.txt").exists()
    assert not staging.root.exists()
