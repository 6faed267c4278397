"""The Pagefind index built with the site: what is indexed, with which filters, and
how turning it off or a failing indexer behave."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import search
from generator.cli import main
from generator.problems import BuildFailed
from tests.conftest import BASIC_TOML, article, run_build, soup, tree_digest


def indexed(out: Path) -> dict[str, dict]:
    """URL -> Pagefind's record of that page, read back from the bundle's fragments."""
    records = {}
    for fragment in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).decode("utf-8")
        record = json.loads(data.removeprefix("pagefind_dcd"))
        records[record["url"]] = record
    return records


def test_articles_are_indexed_with_office_and_tag_filters(copy_site) -> None:
    root = copy_site("basic")
    run_build(root)
    out = root / "public"
    records = indexed(out)
    assert "/berita/kpu-blora-gelar-raker-sosialisasi-pilkada-2024/" in records
    assert all(url.startswith("/berita/") for url in records)
    raker = records["/berita/kpu-blora-gelar-raker-sosialisasi-pilkada-2024/"]
    assert raker["filters"]["office"] == ["KPU Kabupaten Blora"]
    assert set(raker["filters"]["tag"]) == {"Pilkada 2024", "Sosialisasi", "PPK"}
    assert raker["meta"]["title"] == "KPU Blora Gelar Raker Sosialisasi Pilkada 2024"
    assert "rapat kerja" in raker["content"]
    assert "Bagikan" not in raker["content"]  # the share bar is not news text
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["id"]


def test_search_page_and_navigation(copy_site) -> None:
    root = copy_site("basic")
    run_build(root)
    page = soup(root / "public" / "cari" / "index.html")
    assert page.select_one("form[role=search] input[type=search]#q") is not None
    assert page.select_one("label[for=q]") is not None
    # The site lives under a sub-path: the index and its result links must follow it.
    assert page.select_one("script[src='/berita/static/search.js']") is not None
    form = page.select_one("form.search")
    assert (form["data-bundle"], form["data-base"]) == ("/berita/pagefind/", "/berita/")
    home = soup(root / "public" / "index.html")
    assert [a["href"] for a in home.select("header nav a") if a.text == "Cari"] == [
        "/berita/cari/"]


def test_drafts_are_never_indexed(make_site) -> None:
    root = make_site({
        "content/a.md": article("Berita Terbit", body="Kata umum di sini."),
        "content/b.md": article("Berita Draf", draft="true", body="Rahasiadraf zebra."),
    })
    run_build(root, drafts=True)
    out = root / "public"
    assert (out / "berita" / "berita-draf" / "index.html").is_file()
    records = indexed(out)
    assert list(records) == ["/berita/berita-terbit/"]
    assert not any("Rahasiadraf" in r["content"] for r in records.values())


@pytest.mark.parametrize("how", ["flag", "site.toml"])
def test_search_can_be_turned_off(make_site, how: str) -> None:
    toml = BASIC_TOML.replace("per_page = 10", "per_page = 10\nsearch = false")
    root = make_site({"content/a.md": article()}, toml=toml if how == "site.toml"
                     else BASIC_TOML)
    args = ["build", "-s", str(root), "-q"] + (["--no-search"] if how == "flag" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = root / "public"
    assert not (out / "pagefind").exists()
    assert not (out / "cari").exists()
    assert "Cari" not in [a.text for a in soup(out / "index.html").select("header nav a")]


def test_a_failing_indexer_fails_the_build_and_keeps_the_output(make_site, monkeypatch
                                                               ) -> None:
    root = make_site({"content/a.md": article()})
    run_build(root)
    before = tree_digest(root / "public")
    (root / "content" / "b.md").write_text(article("Berita Kedua"), encoding="utf-8")
    monkeypatch.setattr(search, "command", lambda site, bundle: [
        sys.executable, "-c", "import sys; sys.exit('Error: indexer exploded')"])
    with pytest.raises(BuildFailed) as failed:
        run_build(root)
    assert "indexer exploded" in str(failed.value.problems[0])
    assert tree_digest(root / "public") == before
