"""`berita new`: a draft skeleton that builds, at a unique address, never overwriting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import frontmatter
import pytest
from click.testing import CliRunner

from generator import new
from generator.cli import main
from generator.messages import say
from tests.conftest import NOW, article, run_build

ONE_OFFICE = """\
[site]
title = "Berita KPU Luwu Timur"
base_url = "https://luwutimur.kpu.example/"

[[offices]]
slug = "kpu-kabupaten-luwu-timur"
name = "KPU Kabupaten Luwu Timur"
level = "kabupaten"
timezone = "Asia/Makassar"
"""


def invoke(*args: str):
    return CliRunner().invoke(main, ["new", *args])


def test_new_article_builds_as_a_draft(make_site) -> None:
    root = make_site({}, toml=ONE_OFFICE)
    result = invoke("-s", str(root), "Rapat Pleno Terbuka", "--tag", "Pemilu 2024",
                    "--tag", "Rekapitulasi")
    assert result.exit_code == 0, result.output
    files = list((root / "content").rglob("*.md"))
    assert len(files) == 1
    year = datetime.now(UTC).astimezone().year
    assert files[0].parent.name in (str(year - 1), str(year), str(year + 1))
    assert files[0].relative_to(root / "content").parts[0] == "kpu-kabupaten-luwu-timur"
    assert files[0].name == "rapat-pleno-terbuka.md"
    post = frontmatter.load(files[0])
    assert post["title"] == "Rapat Pleno Terbuka"
    assert post["office"] == "kpu-kabupaten-luwu-timur"
    assert post["tags"] == ["Pemilu 2024", "Rekapitulasi"]
    assert post["views"] == 0 and post["draft"] is True
    assert post.content.strip()

    # A plain build leaves the draft out; removing draft: true publishes it.
    built = run_build(root, now=None)
    assert built.articles == 0 and [say(s.reason) for s in built.skipped] == \
        ["draf (draft: true)"]
    files[0].write_text(files[0].read_text(encoding="utf-8").replace("draft: true\n", ""),
                        encoding="utf-8")
    built = run_build(root, now=None)
    assert built.articles == 1
    assert (root / "public/berita/rapat-pleno-terbuka/index.html").is_file()


def test_date_is_now_in_the_offices_zone(make_site) -> None:
    root = make_site({}, toml=ONE_OFFICE)
    created = new.create(root, "Pagi Ini", now=NOW)  # 12:00 UTC
    text = created.path.read_text(encoding="utf-8")
    assert "\ndate: 2026-11-23 20:00\n" in text  # 20:00 WITA
    assert created.path == root / "content/kpu-kabupaten-luwu-timur/2026/pagi-ini.md"


@pytest.mark.parametrize("title", [
    'KPU: "Rapat" #1 — Pleno',
    "'Kutip' di awal",
    "- bukan daftar",
    "yes",
    "2024",
    "[Penting] Jadwal: {Tahap 1}",
    "Sosialisasi Pemilu di Kecamatan Mangkutana & Wasuponda",
])
def test_any_title_survives_the_front_matter(make_site, title: str) -> None:
    root = make_site({}, toml=ONE_OFFICE)
    created = new.create(root, title, now=NOW)
    assert frontmatter.load(created.path)["title"] == title
    result = run_build(root, drafts=True)
    assert result.articles == 1


def test_slug_comes_from_indonesian_text_and_is_unique(make_site) -> None:
    root = make_site({"content/old.md": article("Rapat Pleno", slug="rapat-pleno-2")},
                     toml=ONE_OFFICE.replace("Asia/Makassar", "Asia/Jakarta"))
    # "rapat-pleno-2" is taken by the existing article's slug: field.
    (root / "content/old.md").write_text(article("Lama", office="kpu-kabupaten-luwu-timur",
                                                 slug="rapat-pleno-2"), encoding="utf-8")
    first = new.create(root, "Rapat Pleno!", now=NOW)
    second = new.create(root, "  Rapat   pleno ", now=NOW)
    third = new.create(root, "Rapat Pleno?", now=NOW)
    assert [first.slug, second.slug, third.slug] == ["rapat-pleno", "rapat-pleno-3",
                                                     "rapat-pleno-4"]
    assert frontmatter.load(second.path)["slug"] == "rapat-pleno-3"
    assert "slug" not in frontmatter.load(first.path)
    assert new.create(root, "Ibu Kota Nusantara: Ça Marche", now=NOW).slug == \
        "ibu-kota-nusantara-ca-marche"
    result = run_build(root, drafts=True)  # no two articles share an address
    assert result.articles == 5


def test_refuses_to_overwrite(make_site) -> None:
    root = make_site({}, toml=ONE_OFFICE)
    first = invoke("-s", str(root), "Judul", "--slug", "alamat-tetap", "--date", "2024-01-02")
    assert first.exit_code == 0, first.output
    path = root / "content/kpu-kabupaten-luwu-timur/2024/alamat-tetap.md"
    before = path.read_bytes()
    again = invoke("-s", str(root), "Judul Lain", "--slug", "alamat-tetap",
                   "--date", "2024-01-02")
    assert again.exit_code == 1
    assert "berita dengan alamat 'alamat-tetap' sudah ada" in again.output
    assert path.read_bytes() == before


def test_office_is_required_when_the_site_has_several(make_site) -> None:
    root = make_site({})  # BASIC_TOML: three offices, no owner
    result = invoke("-s", str(root), "Judul")
    assert result.exit_code == 2
    for slug in ("kpu-provinsi-jawa-tengah", "kpu-kabupaten-blora", "kpu-kabupaten-luwu-timur"):
        assert slug in result.output
    wrong = invoke("-s", str(root), "Judul", "--office", "kpu-kabupaten-blorra")
    assert wrong.exit_code == 2 and "kpu-kabupaten-blora" in wrong.output
    by_name = invoke("-s", str(root), "Judul", "--office", "KPU Kabupaten Blora")
    assert by_name.exit_code == 0, by_name.output
    assert list((root / "content/kpu-kabupaten-blora").rglob("judul.md"))


def test_the_owner_office_is_the_default(copy_site) -> None:
    root = copy_site("basic")  # owner = kpu-provinsi-jawa-tengah
    created = new.create(root, "Berita Pemilik", now=NOW)
    assert created.office.slug == "kpu-provinsi-jawa-tengah"


def test_bad_date_and_empty_title_are_usage_errors(make_site) -> None:
    root = make_site({}, toml=ONE_OFFICE)
    assert invoke("-s", str(root), "Judul", "--date", "kemarin").exit_code == 2
    assert invoke("-s", str(root), "   ").exit_code == 2
    assert invoke("-s", str(root), "!!!").exit_code == 2
    assert not list((root / "content").rglob("*.md"))


def test_layout_comes_from_site_toml(make_site) -> None:
    toml = ONE_OFFICE.replace('base_url = "https://luwutimur.kpu.example/"',
                              'base_url = "https://luwutimur.kpu.example/"\n'
                              'new_article_path = "{year}/{month}/{slug}.md"')
    root = make_site({}, toml=toml)
    created = new.create(root, "Tata Letak", date="2024-09-06 10:00")
    assert created.path == root / "content/2024/09/tata-letak.md"
    assert "date: 2024-09-06 10:00\n" in created.path.read_text(encoding="utf-8")


def test_help_lists_the_flags() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for flag in ("--office", "--tag", "--date", "--slug", "--site"):
        assert flag in result.output


def test_missing_site_toml_exits_1(tmp_path: Path) -> None:
    result = invoke("-s", str(tmp_path), "Judul")
    assert result.exit_code == 1
    assert "site.toml" in result.output
