"""`berita import wordpress` and `berita views import` as an operator runs them, and the
old WordPress addresses answered by the built site."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import frontmatter
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import article, run_build, soup
from tests.test_import_wordpress import indonesian_export
from tests.test_viewlog import FIREFOX, hit

SLUG = "rapat-koordinasi-persiapan-pilkada"


def imported_site(make_site, tmp_path: Path) -> Path:
    root = make_site({})
    export = tmp_path / "export.xml"
    export.write_text(indonesian_export(), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "wordpress", str(export), "-s", str(root),
                                       "--office", "kpu-kabupaten-blora"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 tulisan diimpor (1 terjadwal, 0 draf), 0 gambar disalin")
    return root


def test_import_cli_then_build_redirects_old_links(make_site, tmp_path):
    root = imported_site(make_site, tmp_path)
    files = sorted(p.relative_to(root / "content").as_posix()
                   for p in (root / "content").rglob("*.md"))
    assert f"kpu-kabupaten-blora/2024/{SLUG}.md" in files
    post = frontmatter.load(root / "content/kpu-kabupaten-blora/2024" / f"{SLUG}.md")
    assert "/?p=10" in post["aliases"]
    permalink = next(a for a in post["aliases"] if not a.startswith("/?"))

    run_build(root)
    public = root / "public"
    redirect = soup(public / permalink.strip("/") / "index.html")
    target = f"/berita/{SLUG}/"
    assert redirect.find("meta", attrs={"http-equiv": "refresh"})["content"] == \
        f"0; url={target}"
    assert redirect.find("link", rel="canonical")["href"] == \
        f"https://uji.kpu.example/berita/{SLUG}/"
    assert redirect.find("a")["href"] == target
    mapping = json.loads((public / "redirects.json").read_text())
    assert mapping["p"]["10"] == target
    assert f"{permalink} {target} 301" in (public / "_redirects").read_text()
    home = soup(public / "index.html")
    assert any("redirects.json" in (s.string or "") for s in home.find_all("script"))
    # Redirect pages are not content: never in the sitemap.
    locs = [e.text for e in ET.parse(public / "sitemap.xml").iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert not any(permalink.strip("/") in loc for loc in locs)


def test_import_refuses_to_overwrite_and_reports_a_broken_export(make_site, tmp_path):
    root = imported_site(make_site, tmp_path)
    export = tmp_path / "export.xml"
    again = CliRunner().invoke(main, ["import", "wordpress", str(export), "-s", str(root),
                                      "--office", "kpu-kabupaten-blora"])
    assert again.exit_code == 0
    assert "sudah ada (--force akan menimpanya)" in again.output
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss>\n<channel>\n<item>\n</rss>\n")
    failed = CliRunner().invoke(main, ["import", "wordpress", str(broken), "-s", str(root),
                                       "--office", "kpu-kabupaten-blora"])
    assert failed.exit_code == 1
    assert f"tidak dapat mengimpor: {broken}:4: XML rusak di kolom" in failed.output
    english = CliRunner().invoke(main, ["import", "wordpress", str(broken), "-s", str(root),
                                        "--office", "kpu-kabupaten-blora", "--lang", "en"])
    assert english.exit_code == 1
    assert f"cannot import: {broken}:4: malformed XML at column" in english.output


def test_an_alias_that_is_a_real_page_keeps_the_page(make_site):
    root = make_site({"content/a.md": article(aliases="[/tag/, /lama/]")})
    result = run_build(root)
    assert [p.field for p in result.warnings] == ["aliases"]
    assert soup(root / "public/tag/index.html").find("h1").get_text() == "Semua Tag"
    assert (root / "public/lama/index.html").exists()


def test_a_hostile_alias_is_an_error_with_its_line(make_site):
    root = make_site({"content/a.md": article(aliases="[/../../etc/passwd]")})
    result = CliRunner().invoke(main, ["build", "-s", str(root)])
    assert result.exit_code == 1
    assert "content/a.md:5: aliases:" in result.output


def test_views_import_adds_log_counts_and_changes_only_the_views_line(make_site, tmp_path):
    text = article(title="Rapat", views="10", tags="[A]")
    root = make_site({"content/rapat.md": text, "content/lain.md": article(title="Lain")})
    log = tmp_path / "access.log"
    log.write_text(hit("1.1.1.1", 0) + hit("1.1.1.1", 5) + hit("2.2.2.2", 1, agent=FIREFOX)
                   + hit("3.3.3.3", 2, agent="Googlebot/2.1") + "garbage line\n")
    rotated = tmp_path / "access.log.1.gz"
    rotated.write_bytes(gzip.compress(hit("4.4.4.4", 90).encode()))

    dry = CliRunner().invoke(main, ["views", "import", str(log), str(rotated), "-s",
                                    str(root), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "content/rapat.md: views 10 -> 13" in dry.output
    assert (root / "content/rapat.md").read_text() == text

    done = CliRunner().invoke(main, ["views", "import", str(log), str(rotated), "-s",
                                     str(root)])
    assert done.exit_code == 0, done.output
    after = (root / "content/rapat.md").read_text()
    assert after == text.replace("views: 10", "views: 13")
    assert "1 dari bot dilewati" in done.output
    assert "1 baris yang formatnya tidak dikenali dilewati" in done.output
