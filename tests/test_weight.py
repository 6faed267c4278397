"""The page-weight budget: an article page's HTML + CSS + JS stays within 30 KB before
images, and no page asks another host for anything."""

from __future__ import annotations

from click.testing import CliRunner

from generator import build, weight
from generator.cli import main
from tests.conftest import NOW, REPO, article, run_build


def test_sample_articles_are_within_budget_and_fetch_nothing_foreign(tmp_path) -> None:
    out = tmp_path / "public"
    build.run(REPO, out, build.BuildOptions(now=NOW))
    weights = weight.page_weights(out)
    articles = [w for w in weights if w.is_article]
    assert len(articles) == 5
    for page in articles:
        assert page.css > 0 and page.js > 0  # the stylesheet and share.js are counted
        assert page.total <= weight.BUDGET, page
    assert not any(w.page.startswith("pagefind/") for w in weights)
    assert weight.budget_problems(weights) == []


def test_heavy_pages_and_other_hosts_are_reported(make_site) -> None:
    long_body = "\n\n".join(["Kalimat panjang tentang pemilihan umum. " * 20] * 50)
    root = make_site({
        "content/a.md": article("Berat", body=long_body),
        "content/b.md": article("Ringan"),
        "templates/404.html": '{% extends "!theme/404.html" %}{% block scripts %}'
                              '<script src="https://cdn.example.com/x.js"></script>'
                              '{% endblock %}',
    })
    run_build(root)
    problems = weight.budget_problems(weight.page_weights(root / "public"))
    assert [(p.path, p.field) for p in problems] == [
        ("404.html", "third-party"), ("berita/berat/index.html", "weight")]
    assert "cdn.example.com" in problems[0].message
    assert all(p.severity == "warning" for p in problems)


def test_build_verbose_reports_weights(make_site) -> None:
    root = make_site({"content/a.md": article("Satu")})
    result = CliRunner().invoke(main, ["build", "-s", str(root), "--verbose"])
    assert result.exit_code == 0, result.output
    assert "bobot halaman (HTML + CSS + JS, tanpa gambar; batas 30.0 KB)" in result.output
    assert "berita/satu/index.html" in result.output
    quiet = CliRunner().invoke(main, ["build", "-s", str(root)])
    assert "bobot halaman" not in quiet.output


def test_nothing_built_is_nothing_reported(tmp_path) -> None:
    assert weight.report([]) == []


def test_the_report_is_in_the_operators_language() -> None:
    weights = [weight.PageWeight("berita/x/index.html", 2048, 1024, 1024,
                                 ("https://a.example/x.js",))]
    indonesian, english = weight.report(weights), weight.report(weights, language="en")
    assert indonesian[2] == "  berita: 1 halaman, rata-rata 4.0 KB, terberat 4.0 KB"
    assert english[2] == "  articles: 1 page, 4.0 KB on average, the heaviest 4.0 KB"
    assert indonesian[3].startswith("peringatan: berita/x/index.html: third-party: halaman ini")
    assert english[3].startswith("warning: berita/x/index.html: third-party: the page requests")


HEAVY = "\n\n".join(["Kalimat panjang tentang pemilihan umum. " * 20] * 50)


def test_a_heavy_page_is_a_warning_of_every_build_and_check(make_site) -> None:
    root = make_site({"content/a.md": article("Berat", body=HEAVY),
                      "content/b.md": article("Ringan")})
    result = run_build(root)
    assert [(p.path, p.field) for p in result.warnings] == [
        ("berita/berat/index.html", "weight")]
    assert "at most 30.0 KB" in result.warnings[0].expected
    again = run_build(root)  # nothing rendered this time: the warning stays
    assert [p.path for p in again.warnings] == ["berita/berat/index.html"]

    built = CliRunner().invoke(main, ["build", "-s", str(root), "-v"])
    assert built.exit_code == 0 and "1 peringatan" in built.output
    assert built.output.count("berita/berat/index.html: weight") == 1  # not twice with -v
    before = (root / "public/berita/berat/index.html").stat().st_mtime_ns
    strict = CliRunner().invoke(main, ["build", "-s", str(root), "--strict", "-v"])
    assert strict.exit_code == 1, strict.output
    assert (root / "public/berita/berat/index.html").stat().st_mtime_ns == before

    checked = CliRunner().invoke(main, ["check", "-s", str(root)])
    assert "berita/berat/index.html: weight" in checked.output
    assert "0 kesalahan, 1 peringatan" in checked.output


def test_pages_well_under_the_budget_are_not_even_read(make_site) -> None:
    files = {f"page{i}.html": 1000 for i in range(50)} | {"static/style.css": 9000}

    def read(file: str) -> bytes:
        raise AssertionError(f"{file} was read")

    assert weight.over_budget(files, files.__getitem__, read) == []


def test_the_budget_counts_each_stylesheet_and_script_a_page_uses_once() -> None:
    page = (b'<link rel="stylesheet" href="/berita/static/a.css">'
            b'<link rel="stylesheet" href="/berita/static/a.css">'
            b'<script src="/berita/static/b.js"></script>' + b"x" * 20_000)
    sizes = {"index.html": len(page), "static/a.css": 6000, "static/b.js": 5000,
             "static/unused.css": 4000, "pagefind/pagefind.js": 90_000}
    [problem] = weight.over_budget(sizes, sizes.__getitem__, lambda _: page)
    assert "CSS 5.9 KB, JS 4.9 KB" in problem.message  # unused.css and pagefind: not counted
