"""In-memory reuse between rebuilds (what `berita serve` relies on)."""

from __future__ import annotations

from generator import build
from generator.memo import MemoryCache
from tests.conftest import NOW, article, soup


def rebuild(root, cache: MemoryCache) -> build.BuildResult:
    cache.start()
    return build.run(root, root / "public", build.BuildOptions(now=NOW), cache=cache)


def test_an_unchanged_site_is_not_parsed_or_rendered_again(make_site) -> None:
    root = make_site({f"content/a{n}.md": article(f"Berita {n}") for n in range(5)})
    cache = MemoryCache()
    rebuild(root, cache)
    assert (cache.hits, cache.misses) == (0, 10)  # 5 parsed + 5 rendered
    rebuild(root, cache)
    assert (cache.hits, cache.misses) == (10, 0)


def test_one_edited_article_is_the_only_one_redone(make_site) -> None:
    root = make_site({f"content/a{n}.md": article(f"Berita {n}") for n in range(5)})
    cache = MemoryCache()
    rebuild(root, cache)
    (root / "content/a3.md").write_text(article("Berita 3", body="Isi **baru**."),
                                        encoding="utf-8")
    rebuild(root, cache)
    assert (cache.hits, cache.misses) == (8, 2)
    page = soup(root / "public/berita/berita-3/index.html")
    assert page.select_one(".body strong").get_text() == "baru"


def test_a_changed_site_toml_parses_everything_again(make_site) -> None:
    root = make_site({"content/a.md": article("Satu", date="2024-09-06 10:00")})
    cache = MemoryCache()
    rebuild(root, cache)
    page = root / "public/berita/satu/index.html"
    assert soup(page).select_one(".meta time")["datetime"] == "2024-09-06T10:00:00+07:00"
    toml = (root / "site.toml").read_text(encoding="utf-8")
    # Blora moves to WITA: a date without offset now means 10:00 WITA.
    blora = toml.index('slug = "kpu-kabupaten-blora"')
    toml = toml[:blora] + toml[blora:].replace('"Asia/Jakarta"', '"Asia/Makassar"', 1)
    (root / "site.toml").write_text(toml, encoding="utf-8")
    rebuild(root, cache)
    assert soup(page).select_one(".meta time")["datetime"] == "2024-09-06T10:00:00+08:00"


def test_the_same_output_with_and_without_the_cache(make_site, tmp_path) -> None:
    files = {f"content/a{n}.md": article(f"Berita {n}", tags="[Pemilu]") for n in range(3)}
    root = make_site(files)
    cache = MemoryCache()
    rebuild(root, cache)
    rebuild(root, cache)
    cached = {p.relative_to(root / "public"): p.read_bytes()
              for p in (root / "public").rglob("*") if p.is_file()}
    build.run(root, tmp_path / "plain", build.BuildOptions(now=NOW))
    plain = {p.relative_to(tmp_path / "plain"): p.read_bytes()
             for p in (tmp_path / "plain").rglob("*") if p.is_file()}
    assert cached == plain
