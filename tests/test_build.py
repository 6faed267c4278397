"""End to end: build sample sites and read the pages as a browser would."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import config, content
from generator.problems import BuildFailed
from tests.conftest import BASIC_TOML, REPO, article, run_build, soup, tree_digest


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The repository's own sample site, built once."""
    out = tmp_path_factory.mktemp("sample") / "public"
    run_build(REPO, out)
    return out


def sample_articles():
    loaded, _ = config.load(REPO)
    articles, problems = content.load(loaded)
    assert problems == []
    return loaded, articles


def article_links(page) -> list[str]:
    return [a["href"] for a in page.select("main .card-title a")]


def test_every_sample_article_has_a_page(sample):
    _, articles = sample_articles()
    assert len(articles) == 5
    for item in articles:
        page = soup(sample / "berita" / item.slug / "index.html")
        assert page.find("h1").get_text() == item.title
        assert page.find("html")["lang"] == "id"


def test_article_page_shows_indonesian_date_office_and_views(sample):
    page = soup(sample / "berita/kpu-blora-gelar-raker-pelaksanaan-sosialisasi-dan-sasaran-"
                         "soialisasi-pilkada-tahun-2024-bersama-ppk/index.html")
    assert page.find("time").get_text() == "Jumat, 6 September 2024"
    assert page.select_one(".views").get_text() == "Telah dilihat 344 kali"
    office = page.select_one(".kicker a")
    assert office.get_text() == "KPU Kabupaten Blora"
    assert office["href"] == "/kantor/kpu-kabupaten-blora/"


def test_share_links_decode_to_the_canonical_url(sample):
    loaded, articles = sample_articles()
    for item in articles:
        page = soup(sample / "berita" / item.slug / "index.html")
        own = f"{loaded.site.base_url}berita/{item.slug}/"
        shares = {a["class"][0]: a["href"] for a in page.select(".share a")}
        assert set(shares) == {"share-whatsapp", "share-facebook", "share-x", "share-telegram",
                               "share-copy"}
        query = {k: parse_qs(urlsplit(v).query) for k, v in shares.items()}
        assert query["share-facebook"]["u"] == [own]
        assert query["share-x"]["url"] == [own] and query["share-x"]["text"] == [item.title]
        assert query["share-telegram"]["url"] == [own]
        assert query["share-whatsapp"]["text"] == [f"{item.title} {own}"]
        assert shares["share-copy"] == own
        for href in shares.values():
            assert " " not in href


def paginated(out: Path, first_route: str) -> list[list[str]]:
    """The article hrefs of each page of a paginated list, following rel=next."""
    pages, route = [], first_route
    while True:
        page = soup(out / route / "index.html")
        pages.append(article_links(page))
        nxt = page.select_one(".pagination a[rel=next]")
        if nxt is None:
            return pages
        route = nxt["href"].strip("/")


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """A site with enough articles to paginate: 23 articles over 2 offices and 3 tags."""
    root = tmp_path_factory.mktemp("many")
    (root / "site.toml").write_text(BASIC_TOML.replace("per_page = 10", "per_page = 4"))
    for n in range(23):
        office = "kpu-kabupaten-blora" if n % 3 else "kpu-kabupaten-luwu-timur"
        tags = ["Pemilu 2024"] + (["Sosialisasi"] if n % 2 else ["pemilu-2024 ", "PPK"])
        path = root / "content" / f"{n:02d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(article(title=f"Berita nomor {n}", date=f"2024-03-{n + 1:02d} 09:00",
                                office=office, tags=str(tags), views=str(n * 1000)))
    run_build(root)
    return root / "public"


def test_home_pagination_covers_every_article_once(many):
    pages = paginated(many, "")
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 3]
    hrefs = [h for p in pages for h in p]
    assert len(set(hrefs)) == 23
    expected = [f"/berita/berita-nomor-{n}/" for n in range(22, -1, -1)]
    assert hrefs == expected


def test_tag_and_office_pages_list_exactly_their_articles(many):
    tags = soup(many / "tag/index.html")
    entries = {a.get_text(): a.find_next("span").get_text() for a in tags.select("main li a")}
    assert entries == {"Pemilu 2024": "(23)", "Sosialisasi": "(11)", "PPK": "(12)"}
    odd = [f"/berita/berita-nomor-{n}/" for n in range(22, -1, -1) if n % 2]
    assert [h for p in paginated(many, "tag/sosialisasi") for h in p] == odd
    luwu = [f"/berita/berita-nomor-{n}/" for n in range(22, -1, -1) if n % 3 == 0]
    assert [h for p in paginated(many, "kantor/kpu-kabupaten-luwu-timur") for h in p] == luwu
    offices = soup(many / "kantor/index.html")
    province = offices.select_one("section.province")
    assert province.h2.a.get_text() == "KPU Provinsi Jawa Tengah"
    assert [a.get_text() for a in province.select("ul a")] == ["KPU Kabupaten Blora"]


def test_numbers_are_indonesian(many):
    page = soup(many / "berita/berita-nomor-22/index.html")
    assert page.select_one(".views").get_text() == "Telah dilihat 22.000 kali"
    assert page.find("time").get_text() == "Sabtu, 23 Maret 2024 09.00 WIB"


def test_sub_path_base_url_prefixes_every_internal_link(make_site, tmp_path):
    root = make_site({"content/a.md": article(tags="[X]"), "content/b.md": article(
        title="Dua", date="2024-09-07 10:00")})
    run_build(root, base_url="https://x.github.io/berita")
    for file in (root / "public").rglob("*.html"):
        for tag in soup(file).find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if ref and not re.match(r"^(https?:|mailto:|tel:|#|data:)", ref):
                assert ref.startswith("/berita/"), (file, ref)
                target = ref[len("/berita/"):]
                assert (root / "public" / target).exists() or \
                    (root / "public" / target / "index.html").exists(), ref


def test_two_builds_are_byte_identical(make_site, tmp_path):
    root = make_site({"content/a.md": article(tags="[X, Y]"), "content/b.md": article(
        title="Dua", date="2024-09-07 10:00", tags="[Y]")})
    run_build(root, tmp_path / "one")
    run_build(root, tmp_path / "two")
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_broken_front_matter_lists_every_problem_and_touches_nothing(make_site):
    root = make_site({"content/a.md": article(), "content/b.md": article(title="Dua")})
    run_build(root)
    before = tree_digest(root / "public")
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "public").rglob("*")}
    (root / "content/a.md").write_text("---\ntitle: A\ndate: besok\noffice: kpu-x\n---\nIsi\n")
    (root / "content/b.md").write_text(article(views="-1"))
    with pytest.raises(BuildFailed) as failure:
        run_build(root)
    said = failure.value.format_message().splitlines()  # in Indonesian, the operator's
    assert said[-1].startswith("Build dibatalkan: 3 kesalahan ditemukan") and len(said) == 4
    lines = failure.value.speak("en").format_message().splitlines()
    assert "content/a.md:3: date: cannot read besok as a date" in lines[0]
    assert lines[1].startswith("content/a.md:4: office: unknown office 'kpu-x'")
    assert lines[2].startswith("content/b.md:5: views: must not be negative")
    assert tree_digest(root / "public") == before
    assert {p: p.stat().st_mtime_ns for p in (root / "public").rglob("*")} == mtimes
    # Nothing staged beside the output; only the lock a build holds while it runs.
    assert [p.name for p in root.glob(".public*")] == [".public.lock"]


def test_unchanged_files_keep_their_mtime_and_stale_files_go(make_site):
    root = make_site({"content/a.md": article(), "content/b.md": article(title="Dua")})
    run_build(root)
    page = root / "public/berita/berita-uji/index.html"
    stamp = page.stat().st_mtime_ns
    (root / "content/b.md").unlink()
    (root / "content/c.md").write_text(article(title="Tiga", date="2023-01-01"))
    run_build(root)
    assert not (root / "public/berita/dua").exists()
    assert (root / "public/berita/tiga/index.html").exists()
    # Only c's own page and the lists showing its summary change.
    (root / "content/c.md").write_text(article(title="Tiga", date="2023-01-01", body="Baru."))
    stamp = page.stat().st_mtime_ns
    run_build(root)
    assert page.stat().st_mtime_ns == stamp


def test_site_templates_override_the_theme_file_by_file(make_site):
    root = make_site({
        "content/a.md": article(),
        "templates/404.html": '{% extends "!theme/404.html" %}{% block main %}<h1>Hilang'
                              '</h1>{% endblock %}',
        "templates/static/extra.css": "body{}",
    })
    run_build(root)
    assert soup(root / "public/404.html").find("h1").get_text() == "Hilang"
    assert (root / "public/static/extra.css").exists()
    assert (root / "public/static/style.css").exists()


def test_template_errors_name_the_template_and_line(make_site):
    root = make_site({"content/a.md": article(),
                      "templates/tags.html": "<p>\n{{ no_such_thing.x }}</p>"})
    with pytest.raises(BuildFailed) as failure:
        run_build(root)
    problem = failure.value.problems[0]
    assert problem.path == "templates/tags.html" and problem.line == 2
    assert not (root / "public").exists()


def test_missing_image_is_a_warning_and_strict_fails(make_site):
    root = make_site({"content/a.md": article(body="![Foto](hilang.jpg)", image="x.jpg")})
    result = run_build(root)
    assert sorted((p.field, p.line) for p in result.warnings) == [("image", 5), ("image", 7)]
    with pytest.raises(BuildFailed):
        run_build(root, strict=True)


@pytest.mark.parametrize("no_cache", [False, True])
def test_a_file_where_the_cache_folder_should_be_heals(make_site, no_cache: bool) -> None:
    """Issue 20: .berita-cache as a plain file failed every build (with --no-cache too)
    until someone deleted it by hand."""
    root = make_site({"content/a.md": article("Satu")})
    (root / ".berita-cache").write_text("bukan folder")
    result = run_build(root, cache=not no_cache)
    assert result.articles == 1 and (root / "public/index.html").is_file()
    assert (root / ".berita-cache").is_dir()
