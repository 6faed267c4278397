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
