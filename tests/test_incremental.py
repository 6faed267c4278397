"""Incremental builds (cache, fingerprints, reuse) must give exactly what a clean build
gives: every scenario edits a site, rebuilds it incrementally, and compares the output
byte for byte with a build that has no cache at all."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from generator.incremental import cache as cache_module
from generator.incremental import fingerprints, related
from tests.conftest import article, run_build, tree_digest

TAGS = ["Pemilu 2024", "Pilkada 2024", "Sosialisasi", "PPK", "Logistik"]


def site_files(count: int = 14) -> dict[str, str]:
    files = {}
    for n in range(count):
        tags = ", ".join(TAGS[n % 5 : n % 5 + 1 + n % 3])
        office = ["kpu-kabupaten-blora", "kpu-provinsi-jawa-tengah",
                  "kpu-kabupaten-luwu-timur"][n % 3]
        body = f"Paragraf pertama berita {n}.\n\n## Bagian\n\nIsi *tebal* {n} [tautan](/tag/)."
        files[f"content/{office}/2024/berita-{n}.md"] = article(
            f"Berita Nomor {n}", f"2024-{1 + n % 12:02d}-{1 + n:02d} 10:00", office, body,
            views=str(n * 37), tags=f"[{tags}]")
    return files


def clean(root: Path, tmp_path: Path, **options: object) -> dict[str, bytes]:
    """What a build without any cache makes of the site as it is now."""
    reference = tmp_path / "reference"
    run_build(root, reference, cache=False, **options)
    return tree_digest(reference)


def rebuild_equals_clean(root: Path, tmp_path: Path, **options: object):
    result = run_build(root, **options)
    assert tree_digest(root / "public") == clean(root, tmp_path, **options)
    return result


@pytest.fixture
def site(make_site):
    root = make_site(site_files())
    run_build(root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_build_with_cache_equals_clean_build(site, tmp_path):
    assert (site / ".berita-cache").is_dir()
    assert tree_digest(site / "public") == clean(site, tmp_path)


def test_noop_rebuild_renders_and_writes_nothing(site, tmp_path):
    before = {p: os.stat(p).st_mtime_ns for p in (site / "public").rglob("*") if p.is_file()}
    result = rebuild_equals_clean(site, tmp_path)
    assert (result.rendered, result.files_changed) == (0, 0)
    after = {p: os.stat(p).st_mtime_ns for p in (site / "public").rglob("*") if p.is_file()}
    assert after == before


def test_body_edit_rerenders_only_pages_that_show_the_article(site, tmp_path):
    public = site / "public"
    untouched = public / "berita" / "berita-nomor-13" / "index.html"
    inode = untouched.stat().st_ino
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi *tebal* 0",
         "Isi yang diperbarui")
    result = rebuild_equals_clean(site, tmp_path)
    assert 0 < result.rendered < result.pages
    assert "Isi yang diperbarui" in (public / "berita/berita-nomor-0/index.html").read_text()
    assert untouched.stat().st_ino == inode  # reused, not rewritten


def test_title_edit_reaches_lists_and_neighbours(site, tmp_path):
    edit(site / "content/kpu-kabupaten-blora/2024/berita-3.md", "Berita Nomor 3",
         "Judul Baru Sekali")
    rebuild_equals_clean(site, tmp_path)
    assert not (site / "public/berita/berita-nomor-3").exists()
    assert "Judul Baru Sekali" in (site / "public/index.html").read_text()


def test_template_edit(site, tmp_path):
    (site / "templates").mkdir()
    (site / "templates/_card.html").write_text(
        '<div class="kartu">{{ item.title }}</div>\n', encoding="utf-8")
    rebuild_equals_clean(site, tmp_path)
    assert 'class="kartu"' in (site / "public/index.html").read_text()


def test_site_toml_edit(site, tmp_path):
    edit(site / "site.toml", 'title = "Berita Uji"', 'title = "Kabar Uji"')
    rebuild_equals_clean(site, tmp_path)
    assert "Kabar Uji" in (site / "public/berita/berita-nomor-5/index.html").read_text()


def test_office_rename_in_site_toml(site, tmp_path):
    edit(site / "site.toml", 'name = "KPU Kabupaten Blora"', 'name = "KPU Kab. Blora"')
    rebuild_equals_clean(site, tmp_path)


def test_tag_rename_deletion_and_new_article(site, tmp_path):
    for n in range(14):
        file = site / next((site / "content").rglob(f"berita-{n}.md"))
        text = file.read_text(encoding="utf-8")
        if "Logistik" in text:
            edit(file, "Logistik", "Logistik Pemilu")
    (next((site / "content").rglob("berita-7.md"))).unlink()
    (site / "content/kpu-kabupaten-blora/2024/baru.md").write_text(
        article("Berita Paling Baru", "2024-12-30 09:00", tags="[PPK, Baru]"),
        encoding="utf-8")
    rebuild_equals_clean(site, tmp_path)
    public = site / "public"
    assert not (public / "tag/logistik").exists()
    assert (public / "tag/logistik-pemilu/index.html").is_file()
    assert not (public / "berita/berita-nomor-7").exists()
    assert (public / "tag/baru/index.html").is_file()


def test_static_and_draft_changes(site, tmp_path):
    (site / "templates/static").mkdir(parents=True)
    (site / "templates/static/extra.css").write_text("body{}", encoding="utf-8")
    rebuild_equals_clean(site, tmp_path)
    (site / "templates/static/extra.css").write_text("body{color:red}", encoding="utf-8")
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "views:", "draft: true\nviews:")
    rebuild_equals_clean(site, tmp_path)
    assert (site / "public/static/extra.css").read_text() == "body{color:red}"
    assert not (site / "public/berita/berita-nomor-0").exists()
    rebuild_equals_clean(site, tmp_path, drafts=True)
    assert (site / "public/berita/berita-nomor-0/index.html").is_file()


def test_base_url_option_changes_every_page(site, tmp_path):
    result = rebuild_equals_clean(site, tmp_path, base_url="https://x.example/sub/")
    assert result.rendered == result.pages


def test_output_file_deleted_or_edited_by_hand_is_restored(site, tmp_path):
    (site / "public/berita/berita-nomor-2/index.html").unlink()
    (site / "public/tag/index.html").write_text("rusak", encoding="utf-8")
    (site / "public/sisa.txt").write_text("stale", encoding="utf-8")
    rebuild_equals_clean(site, tmp_path)
    assert not (site / "public/sisa.txt").exists()


def test_corrupted_cache_is_ignored(site, tmp_path):
    database = site / cache_module.CACHE_DIR / cache_module.CACHE_FILE
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 100)
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi *tebal* 0", "Isi baru")
    rebuild_equals_clean(site, tmp_path)


def test_cache_entries_that_cannot_be_read_are_misses(site, tmp_path):
    database = site / cache_module.CACHE_DIR / cache_module.CACHE_FILE
    with sqlite3.connect(database) as db:
        db.execute("UPDATE parsed SET value = x'00ff'")
        db.execute("UPDATE memo SET value = x'00ff'")
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi *tebal* 0", "Isi baru")
    rebuild_equals_clean(site, tmp_path)


def test_cache_of_another_generator_version_is_discarded(site, tmp_path):
    database = site / cache_module.CACHE_DIR / cache_module.CACHE_FILE
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = 'old-version' WHERE key = 'code'")
        # A stale entry that would be wrong if it were trusted.
        db.execute("UPDATE parsed SET value = ?", (b"wrong",))
    result = rebuild_equals_clean(site, tmp_path)
    assert result.rendered == result.pages
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT value FROM meta WHERE key='code'").fetchone()[0] == \
            cache_module.code_key()


def test_deleting_the_cache_is_safe(site, tmp_path):
    import shutil
    shutil.rmtree(site / cache_module.CACHE_DIR)
    result = rebuild_equals_clean(site, tmp_path)
    assert result.files_changed == 0  # same bytes: files kept, mtimes too


def test_failed_build_keeps_output_and_cache_usable(site, tmp_path):
    file = site / "content/kpu-kabupaten-blora/2024/berita-0.md"
    good = file.read_text(encoding="utf-8")
    before = tree_digest(site / "public")
    file.write_text("no front matter", encoding="utf-8")
    from generator.problems import BuildFailed
    with pytest.raises(BuildFailed):
        run_build(site)
    assert tree_digest(site / "public") == before
    file.write_text(good.replace("Isi *tebal* 0", "Isi lagi"), encoding="utf-8")
    rebuild_equals_clean(site, tmp_path)


def test_parallel_workers_give_the_same_site(make_site, tmp_path, monkeypatch):
    root = make_site(site_files(30))
    monkeypatch.setattr("generator.incremental.prepared.PARALLEL_MARKDOWN", 1)
    monkeypatch.setattr("generator.parallel.PARALLEL_PAGES", 1)
    monkeypatch.setattr("generator.parallel.CHUNK", 7)
    run_build(root, jobs=2)
    serial = tmp_path / "serial"
    run_build(root, serial, cache=False, jobs=1)
    assert tree_digest(root / "public") == tree_digest(serial)


def test_fingerprints_tell_zones_apart():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from generator.pages import Page
    wib = datetime(2024, 9, 6, 10, tzinfo=ZoneInfo("Asia/Jakarta"))
    wita = wib.astimezone(ZoneInfo("Asia/Makassar"))
    prints = fingerprints.Fingerprints("base")
    assert prints.page(Page("a/", "x.html", {"when": wib})) != \
        prints.page(Page("a/", "x.html", {"when": wita}))
    assert prints.page(Page("a/", "x.html", {"when": object()})) is None


def test_scheduled_article_appears_once_due_without_any_edit(make_site, tmp_path):
    from datetime import timedelta

    from tests.conftest import NOW
    files = site_files(4)
    files["content/kpu-kabupaten-blora/2026/nanti.md"] = article(
        "Berita Terjadwal", "2026-11-24 08:00")
    root = make_site(files)
    first = run_build(root)
    assert [s.path for s in first.skipped] == ["content/kpu-kabupaten-blora/2026/nanti.md"]
    again = run_build(root)  # no-op: same report
    assert (again.rendered, again.skipped, again.articles) == (0, first.skipped, 4)
    later = NOW + timedelta(days=2)
    result = rebuild_equals_clean(root, tmp_path, now=later)
    assert result.articles == 5
    assert (root / "public/berita/berita-terjadwal/index.html").is_file()


def test_noop_build_reports_the_same_warnings(make_site):
    root = make_site({"content/a.md": article(body="![foto](hilang.jpg)")})
    first = run_build(root)
    again = run_build(root)
    assert again.rendered == 0
    assert [str(p) for p in again.warnings] == [str(p) for p in first.warnings] != []


def test_spare_folder_tampered_with_is_repaired(site, tmp_path):
    for n in range(2):  # two edits: the second build stages in the spare
        edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", f"Isi *tebal* {n}",
             f"Isi *tebal* {n + 1}")
        rebuild_equals_clean(site, tmp_path)
    spare = site / ".public.spare"
    assert spare.is_dir()
    (spare / "junk.html").write_text("junk", encoding="utf-8")
    page = spare / "tag/index.html"
    page.unlink()
    page.write_text("different file", encoding="utf-8")
    shutil_target = spare / "berita/berita-nomor-4/index.html"
    shutil_target.unlink()
    shutil_target.mkdir()
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi *tebal* 2", "Isi akhir")
    rebuild_equals_clean(site, tmp_path)


def test_unchanged_files_keep_their_mtime_over_many_edits(site, tmp_path):
    kept = site / "public/berita/berita-nomor-13/index.html"
    mtime = kept.stat().st_mtime_ns
    for n in range(3):
        edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", f"Isi *tebal* {n}",
             f"Isi *tebal* {n + 1}")
        result = rebuild_equals_clean(site, tmp_path)
        assert result.files_changed >= 1
    assert kept.stat().st_mtime_ns == mtime


def test_related_articles_are_reused_only_while_tags_and_order_hold(tmp_path):
    import dataclasses
    import random

    from generator import model
    from generator.incremental.cache import BuildCache
    from tests.test_model import make

    rng = random.Random(3)
    store = BuildCache.open(tmp_path)
    relate = related.cached_related(store)
    ordered = model.newest_first(make(n, rng.sample(TAGS, rng.randint(1, 3)))
                                 for n in range(60))
    assert relate(ordered) == model.related_articles(ordered)
    assert store.recall("related", model.related_key(ordered)) is not None
    assert relate(ordered) == model.related_articles(ordered)  # from the cache
    # A changed tag set changes the key: recomputed, never the stale answer.
    retagged = dataclasses.replace(ordered[0], tags=ordered[1].tags + ordered[2].tags)
    changed = [retagged, *ordered[1:]]
    assert model.related_key(changed) != model.related_key(ordered)
    assert relate(changed) == model.related_articles(changed)
    store.close()


def _described(monkeypatch) -> list[str]:
    """Routes of the pages whose context gets described (fingerprinted) from now on."""
    routes: list[str] = []
    real = fingerprints.Fingerprints.page

    def page(self, page):
        routes.append(page.route)
        return real(self, page)

    monkeypatch.setattr(fingerprints.Fingerprints, "page", page)
    return routes


def test_body_edit_describes_only_the_pages_holding_the_article(site, tmp_path, monkeypatch):
    described = _described(monkeypatch)
    # The first paragraph is the summary: cards on lists, feeds and neighbours show it.
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Paragraf pertama berita 0.",
         "Ringkasan yang baru.")
    result = run_build(site)
    described = list(described)  # not the clean build's
    assert tree_digest(site / "public") == clean(site, tmp_path)
    office = site / "public/kantor/kpu-kabupaten-blora/index.html"
    assert "Ringkasan yang baru." in office.read_text(encoding="utf-8")
    assert "berita/berita-nomor-0/" in described
    assert "berita/berita-nomor-13/" not in described  # no link to nomor 0 on it
    assert 0 < result.rendered <= len(set(described)) < result.pages // 2


def test_front_matter_edits_describe_every_page_again(site, tmp_path, monkeypatch):
    described = _described(monkeypatch)
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "2024-01-01 10:00",
         "2024-12-30 10:00")
    result = run_build(site)
    assert len(described) == result.pages  # the structure changed: every page
    assert tree_digest(site / "public") == clean(site, tmp_path)


def test_page_index_is_kept_per_output_folder_and_survives_damage(site, tmp_path):
    other = tmp_path / "other"
    run_build(site, other)
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi *tebal* 0", "Isi dua")
    rebuild_equals_clean(site, tmp_path)
    run_build(site, other)
    assert tree_digest(other) == tree_digest(site / "public")
    database = site / cache_module.CACHE_DIR / cache_module.CACHE_FILE
    with sqlite3.connect(database) as db:
        db.execute("UPDATE memo SET value = ? WHERE name LIKE 'pages:%'", (b"\x80\x04K\x01.",))
    edit(site / "content/kpu-kabupaten-blora/2024/berita-0.md", "Isi dua", "Isi tiga")
    rebuild_equals_clean(site, tmp_path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_files_changed_counts_each_changed_file_once(make_site, tmp_path, monkeypatch, jobs):
    monkeypatch.setattr("generator.parallel.PARALLEL_PAGES", 1)  # workers even for few pages
    root = make_site(site_files())
    run_build(root, jobs=jobs)
    before = tree_digest(root / "public")
    edit(root / "content/kpu-kabupaten-blora/2024/berita-3.md", "Berita Nomor 3", "Judul Lain")
    result = run_build(root, jobs=jobs)
    after = tree_digest(root / "public")
    differ = {f for f in before.keys() | after.keys() if before.get(f) != after.get(f)}
    assert result.files_changed == len(differ - before.keys()) + len(
        {f for f in differ if f in before and f in after})


def test_compiled_templates_are_kept_under_a_key_of_what_they_fold_in(site, tmp_path):
    folders = site / cache_module.CACHE_DIR / "templates"
    [first] = list(folders.iterdir())
    assert any(first.iterdir())  # the theme, compiled
    rebuild_equals_clean(site, tmp_path, base_url="https://lain.example/sub/")
    [second] = list(folders.iterdir())  # another base URL: another key, the old one gone
    assert second != first
    theme = site / "templates"  # a site template of its own: compiled afresh
    theme.mkdir(exist_ok=True)
    (theme / "404.html").write_text('{% extends "!theme/404.html" %}{% block title %}'
                                    'Hilang{% endblock %}', encoding="utf-8")
    rebuild_equals_clean(site, tmp_path, base_url="https://lain.example/sub/")
    assert "Hilang" in (site / "public/404.html").read_text(encoding="utf-8")
