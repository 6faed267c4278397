"""Search in shards, in a real Chromium: a site indexed as several Pagefind bundles and
merged in the browser answers as one bundle of the same pages does (the same results,
filters and, near enough, ranking); the bundles are byte-identical from build to build;
an edit re-indexes the edited article's shard only."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import build, search, shards
from generator.incremental import quick
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve
from tests.conftest import NOW, REPO, tree_digest

ARTICLES = 150
QUERIES = ["pemilu", "sosialisasi", "kpu", "pilkada 2024", "rapat koordinasi",
           "daftar pemilih", "bimtek ppk", "logistik", "tahapan pencalonan", "zzzz",
           "kampanye pemilu", "verifikasi faktual", "penetapan calon", "dana kampanye"]



def _generate(folder: Path) -> Path:
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--articles",
                    str(ARTICLES), "--out", str(folder)], check=True,
                   stdout=subprocess.DEVNULL)
    return folder


def _build(site: Path, out: Path, shard_pages: int, monkeypatch: pytest.MonkeyPatch
           ) -> build.BuildResult:
    monkeypatch.setattr(shards, "SHARD_PAGES", shard_pages)
    return build.run(site, out, build.BuildOptions(now=NOW, jobs=2))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("shards") / "site")


def _pagefind(out: Path) -> dict[str, bytes]:
    return tree_digest(out / "pagefind")


def test_a_big_site_is_indexed_in_shards(generated: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(generated, site)
    _build(site, site / "public", 20, monkeypatch)
    bundle = site / "public" / "pagefind"
    numbers = sorted(int(p.name) for p in bundle.iterdir() if p.name.isdigit())
    assert len(numbers) >= 5  # 150 pages at most 20 a shard: 8 shards, a few may be empty
    assert (bundle / "pagefind.js").is_file()
    for number in numbers:  # only the index: the script and wasm come from the first
        assert (bundle / str(number) / "pagefind-entry.json").is_file()
        assert not (bundle / str(number) / "pagefind.js").exists()
    form = (site / "public" / "cari" / "index.html").read_text(encoding="utf-8")
    listed = " ".join(f"/pagefind/{n}/" for n in numbers)
    assert f'data-shards="{listed}"' in form


def test_the_same_site_gives_the_same_bundles(generated: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for name in ("one", "two"):
        site = tmp_path / name
        shutil.copytree(generated, site)
        _build(site, site / "public", 40, monkeypatch)
        outputs.append(_pagefind(site / "public"))
    assert outputs[0] == outputs[1]


def test_an_edit_rebuilds_one_shard(generated: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(generated, site)
    _build(site, site / "public", 20, monkeypatch)
    store = site / build.CACHE_DIR / search.SEARCH_CACHE
    before = _indexed(store)
    edited = sorted((site / "content").rglob("*.md"))[7]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nKata baru zebrakuda.\n",
                      encoding="utf-8")
    quick_results = []
    rebuild = quick.rebuild
    monkeypatch.setattr(quick, "rebuild", lambda *args: quick_results.append(
        rebuild(*args)) or quick_results[-1])
    _build(site, site / "public", 20, monkeypatch)
    assert quick_results and quick_results[0] is not None  # the body-only quick rebuild
    after = _indexed(store)
    assert len(after - before) == 1 and len(before - after) == 1  # Pagefind ran once
    # ... and the result is what a cold build of the same files gives.
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".*"))
    _build(fresh, fresh / "public", 20, monkeypatch)
    assert tree_digest(site / "public") == tree_digest(fresh / "public")


def test_a_bundle_deleted_from_the_cache_by_hand_is_made_again(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lists of files and words kept beside each bundle never outlive it."""
    site = tmp_path / "site"
    shutil.copytree(generated, site)
    _build(site, site / "public", 20, monkeypatch)
    store = site / build.CACHE_DIR / search.SEARCH_CACHE
    for folder in sorted(p for p in store.iterdir() if p.is_dir())[:3]:
        shutil.rmtree(folder)
    assert list(store.glob("*" + search.FILES_SUFFIX))
    edited = sorted((site / "content").rglob("*.md"))[3]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nKalimat tambahan.\n",
                      encoding="utf-8")
    _build(site, site / "public", 20, monkeypatch)
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".*"))
    _build(fresh, fresh / "public", 20, monkeypatch)
    assert tree_digest(site / "public") == tree_digest(fresh / "public")


def _indexed(store: Path) -> set[str]:
    """The bundles Pagefind made (each with its list of words beside it)."""
    return {p.name.removesuffix(search.WORDS_SUFFIX) for p in store.glob("*" +
                                                                         search.WORDS_SUFFIX)}


def test_a_new_article_and_a_deletion_leave_no_stale_result(generated: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Add an article, build; build again with other options; delete it, build: the
    index no longer knows it (it did when Pagefind read the spare copy's old pages)."""
    site = tmp_path / "site"
    shutil.copytree(generated, site)
    _build(site, site / "public", 20, monkeypatch)
    added = site / "content" / "baru.md"
    added.write_text("---\ntitle: Berita Baru Zebrakuda\ndate: 2024-01-02\n"
                     "office: kpu-kabupaten-agam\n---\nIsi zebrakuda.\n", encoding="utf-8")
    _build(site, site / "public", 20, monkeypatch)
    assert b"zebrakuda" in b"".join(_pagefind_text(site / "public"))
    monkeypatch.setattr(shards, "SHARD_PAGES", 20)
    build.run(site, site / "public", build.BuildOptions(now=NOW, jobs=2, strict=True))
    added.unlink()
    _build(site, site / "public", 20, monkeypatch)
    assert b"zebrakuda" not in b"".join(_pagefind_text(site / "public"))
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".*"))
    _build(fresh, fresh / "public", 20, monkeypatch)
    assert tree_digest(site / "public") == tree_digest(fresh / "public")


def _pagefind_text(out: Path) -> Iterator[bytes]:
    for fragment in (out / "pagefind").rglob("*.pf_fragment"):
        yield gzip.decompress(fragment.read_bytes())


# In the browser ------------------------------------------------------------------------

SEARCH_ALL = """async ([bundle, shards, queries]) => {
  const pagefind = await import(bundle + "pagefind.js");
  await pagefind.options({ baseUrl: "/" });
  for (const shard of shards) await pagefind.mergeIndex(shard, { baseUrl: "/" });
  const answers = {};
  for (const query of queries) {
    const found = await pagefind.search(query);
    const top = await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
    answers[query] = { urls: found.results.map((r) => r.id), count: found.results.length,
                       top: top.map((d) => d.url), filters: found.filters };
  }
  const office = await pagefind.search(null, { filters: { office: "KPU Kabupaten Agam" } });
  answers["@office"] = { count: office.results.length };
  answers["@filters"] = await pagefind.filters();
  return answers;
}"""


@pytest.fixture(scope="module")
def answers(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The same queries, over one bundle and over the shards of the same pages."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    monkeypatch = pytest.MonkeyPatch()
    outs = {}
    try:
        for name, shard_pages in (("single", 100_000), ("sharded", 20)):
            site = tmp_path_factory.mktemp(name) / "site"
            shutil.copytree(generated, site)
            _build(site, site / "public", shard_pages, monkeypatch)
            outs[name] = site / "public"
    finally:
        monkeypatch.undo()
    found = {}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        for name, out in outs.items():
            numbers = sorted(int(p.name) for p in (out / "pagefind").iterdir()
                             if p.name.isdigit())
            with serve(out) as url:
                page = chromium.new_page()
                page.goto(url + "404.html")  # a page that loads no search of its own
                found[name] = page.evaluate(SEARCH_ALL, [
                    url + "pagefind/", [f"{url}pagefind/{n}/" for n in numbers], QUERIES])
                page.close()
        chromium.close()
    yield found


@pytest.mark.browser
@pytest.mark.parametrize("query", QUERIES)
def test_shards_find_what_one_bundle_finds(answers: dict, query: str) -> None:
    single, sharded = answers["single"][query], answers["sharded"][query]
    assert sharded["count"] == single["count"]
    assert sorted(sharded["urls"]) == sorted(single["urls"])
    assert sharded["filters"] == single["filters"]


@pytest.mark.browser
def test_shards_filter_as_one_bundle(answers: dict) -> None:
    assert answers["sharded"]["@filters"] == answers["single"]["@filters"]
    assert answers["sharded"]["@office"] == answers["single"]["@office"]
    assert answers["single"]["@office"]["count"] > 0
