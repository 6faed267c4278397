"""The catalogue of bad input: one fixture site under tests/sites/<case>/ per mistake,
each checked for the exact file, line and field the operator is pointed at, and for a
build that fails (or warns) without writing anything."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import SITES, run_build, soup

from generator import check
from generator.problems import BuildFailed
from generator.staging.spare import SPARE_SUFFIX

# case -> every problem expected: (path, line, field, words in the message, severity)
CATALOGUE: dict[str, list[tuple[str, int | None, str | None, str, str]]] = {
    "yaml-tab": [("content/a.md", 6, None, "a tab is used for indentation", "error")],
    "yaml-unclosed-quote": [("content/a.md", 4, None, "opened on line 2", "error")],
    "yaml-unclosed-bracket": [("content/a.md", 4, None, "opened on line 3", "error")],
    "missing-field": [("content/a.md", 1, "title", "required field is missing", "error")],
    "empty-field": [("content/a.md", 4, "office", "required field is empty", "error")],
    "null-field": [("content/a.md", 3, "date", "required field is empty", "error"),
                   ("content/b.md", 2, "title", "required field is empty", "error")],
    "bad-date": [("content/a.md", 3, "date", "cannot read 31 September 2024 as a date", "error"),
                 ("content/b.md", 3, "date", "cannot read 2024-13-45", "error")],
    "views-negative": [("content/a.md", 5, "views", "must not be negative", "error")],
    "views-not-integer": [("content/a.md", 5, "views", "must be a whole number", "error"),
                          ("content/b.md", 5, "views", "must be a whole number", "error")],
    "views-thousands-dot": [("content/a.md", 5, "views", "write views: 1234", "error")],
    "tags-empty-entry": [("content/a.md", 5, "tags", "tag 2 is empty", "error")],
    "unknown-office": [("content/a.md", 4, "office",
                        "did you mean 'kpu-kabupaten-blora'?", "error")],
    "not-utf8": [("content/a.md", 8, None, "not UTF-8 text: byte 0xb7 at column 21", "error")],
    # BOM and CRLF are accepted: the only problem is the planted one, on the right line.
    "bom-crlf": [("content/a.md", 5, "views", "must be a whole number", "error")],
    "empty-file": [("content/a.md", 1, None, "the file is empty", "error")],
    "no-body": [("content/a.md", 5, None, "no text below the front matter", "warning")],
    "duplicate-key": [("content/a.md", 5, "title", "given twice (also on line 2)", "error")],
    "missing-image": [("content/a.md", 5, "image", "image not found: sampul.jpg", "warning"),
                      ("content/a.md", 9, "image", "image not found: foto-tidak-ada.jpg",
                       "warning")],
    "broken-link": [("content/a.md", 6, "link", "does not exist: /berita/tidak-ada/",
                     "warning"),
                    ("content/a.md", 8, "link", "does not exist or is not published: "
                     "../lama/hilang.md", "warning")],
    "duplicate-slug": [(f"content/{n}.md", 6, "slug", "content/a.md, content/b.md", "error")
                       for n in "ab"],
    "title-collision": [
        ("content/a.md", 5, "slug", "used by 3 articles: content/a.md, content/b.md, "
         "content/c.md", "error"),
        ("content/b.md", 5, "slug", "/berita/raker-kpu-blora/", "error"),
        ("content/c.md", 6, "slug", "/berita/raker-kpu-blora/", "error"),
    ],
    "bad-slugs": [
        ("content/abs.md", 5, "slug", "not a clean slug: '/etc/passwd'", "error"),
        ("content/dots.md", 5, "slug", "not a clean slug: '..'", "error"),
        ("content/pct.md", 5, "slug", "not a clean slug: 'berita%2fx'", "error"),
        ("content/slash.md", 5, "slug", "not a clean slug: 'a/b'", "error"),
        ("content/symbols.md", 2, "title", "no letters or digits", "error"),
        ("content/upper.md", 5, "slug", "not a clean slug: 'Raker-Blora'", "error"),
    ],
    "script-in-body": [
        ("content/a.md", 10, None, "a <script> element", "warning"),
        ("content/a.md", 12, None, "event-handler attribute onerror=", "warning"),
        ("content/a.md", 14, None, "javascript: address in href=", "warning"),
    ],
    "office-name-collision": [("site.toml", 24, "offices.name",
                               "collides with the slug of office 'kpu-kabupaten-blora'",
                               "error")],
    # BOM + CRLF accepted, and every mistake reported at once, each on its line.
    "site-toml-bad": [
        ("site.toml", 4, "site.per_page", "wrong type", "error"),
        ("site.toml", 5, "site.theme", "unknown key", "error"),
        ("site.toml", 11, "offices.phone", "wrong type", "error"),
        ("site.toml", 12, "offices.websit", "did you mean 'website'?", "error"),
    ],
}
CLEAN = ["date-no-offset", "tags-string", "editor-litter", "tag-collision"]


def test_every_fixture_is_in_the_catalogue() -> None:
    cases = {p.name for p in SITES.iterdir() if p.is_dir()}
    assert cases - {"basic", "hostile"} == set(CATALOGUE) | set(CLEAN)


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_check_reports_exactly_the_catalogued_problems(case: str) -> None:
    report = check.run(SITES / case)
    found = [(p.path, p.line, p.field, p.severity) for p in report.problems]
    # What a build only warns of, check (CI's gate) counts as an error: dead links, images.
    wanted = [(path, line, fld, words, "error" if fld in check.FAILING else sev)
              for path, line, fld, words, sev in CATALOGUE[case]]
    assert found == sorted((path, line, fld, sev) for path, line, fld, _, sev in wanted), \
        "\n".join(map(str, report.problems))
    for problem, (_, _, _, words, _) in zip(report.problems, sorted(wanted), strict=True):
        assert words in problem.message
        assert str(problem).startswith(f"{problem.path}:{problem.line}: ") or \
            str(problem).startswith(f"peringatan: {problem.path}:{problem.line}: ")


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_build_fails_or_warns_and_never_crashes(case: str, copy_site, tmp_path: Path) -> None:
    root = copy_site(case)
    out = tmp_path / "out"
    has_errors = any(sev == "error" for *_, sev in CATALOGUE[case])
    if has_errors:
        with pytest.raises(BuildFailed) as failed:
            run_build(root, out)
        assert not out.exists()
        assert not any(p.name.endswith(SPARE_SUFFIX) for p in tmp_path.iterdir())
        assert failed.value.problems
    else:
        result = run_build(root, out)
        assert len(result.warnings) == len(CATALOGUE[case])
        with pytest.raises(BuildFailed, match="--strict"):
            run_build(root, tmp_path / "strict", strict=True)
        assert not (tmp_path / "strict").exists()


@pytest.mark.parametrize("case", CLEAN)
def test_accepted_input_builds_cleanly(case: str, copy_site) -> None:
    root = copy_site(case)
    assert check.run(root, strict=True).problems == []
    result = run_build(root, strict=True)
    assert result.articles >= 1


def test_date_without_offset_is_in_the_offices_zone(copy_site) -> None:
    root = copy_site("date-no-offset")
    run_build(root)
    time = soup(root / "public/berita/berita-uji/index.html").find("time")
    # The Jayapura office's zone (WIT, +09:00), whatever TZ the machine runs in.
    assert time["datetime"] == "2024-09-06T10:00:00+09:00"
    assert "WIT" in time.get_text()


def test_tags_as_one_string_are_one_tag(copy_site) -> None:
    root = copy_site("tags-string")
    run_build(root)
    links = soup(root / "public/berita/berita-uji/index.html").select("ul.tags a")
    assert [a.get_text() for a in links] == ["Pemilu 2024"]
    assert (root / "public/tag/pemilu-2024/index.html").is_file()


def test_tags_whose_slugs_collide_are_one_page(copy_site) -> None:
    root = copy_site("tag-collision")
    run_build(root)
    tag_dirs = [p.name for p in (root / "public/tag").iterdir() if p.is_dir()]
    assert tag_dirs == ["pemilu-2024"]
    page = soup(root / "public/tag/pemilu-2024/index.html")
    titles = sorted(h.get_text(strip=True) for h in page.select("article.card .card-title"))
    assert titles == ["Berita Uji", "Dua", "Tiga"]
    # One spelling each: the tie goes to the first alphabetically (model._tag_names).
    assert page.h1.get_text(strip=True) == "PEMILU 2024"


def test_editor_litter_is_ignored(copy_site) -> None:
    root = copy_site("editor-litter")
    result = run_build(root)
    assert result.articles == 1
    assert result.warnings == []


def test_bom_and_crlf_article_builds_with_its_title(copy_site) -> None:
    root = copy_site("bom-crlf")
    text = (root / "content/a.md").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and b"\r\n" in text
    (root / "content/a.md").write_bytes(text.replace(b"views: banyak", b"views: 7"))
    run_build(root)
    page = soup(root / "public/berita/berita-uji/index.html")
    assert page.h1.get_text() == "Berita Uji"
    assert "\r" not in page.select_one(".body").get_text()


def test_a_very_large_article_builds(make_site) -> None:
    paragraph = "KPU Kabupaten Blora menggelar rapat kerja sosialisasi Pilkada 2024. " * 40
    body = "\n\n".join(f"## Bagian {n}\n\n{paragraph}" for n in range(800))  # about 2 MB
    root = make_site({"content/besar.md": "---\ntitle: Berita Besar\ndate: 2024-09-06\n"
                      "office: kpu-kabupaten-blora\n---\n" + body + "\n"})
    assert len(body) > 2_000_000
    result = run_build(root)
    page = soup(root / "public/berita/berita-besar/index.html")
    assert len(page.select(".body h2")) == 800
    # It builds; that a reader on a phone would download 2 MB is said, once.
    assert [(p.path, p.field) for p in result.warnings] == [
        ("berita/berita-besar/index.html", "weight")]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks_out_of_content_are_not_followed_and_loops_survived(make_site,
                                                                     tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Rahasia\ndate: 2024-09-06\noffice: kpu-kabupaten-blora\n"
                      "---\nRAHASIA\n")
    secret_image = tmp_path / "secret.jpg"
    secret_image.write_bytes(b"RAHASIA-GAMBAR")
    root = make_site({"content/a.md": "---\ntitle: Asli\ndate: 2024-09-06\n"
                      "office: kpu-kabupaten-blora\n---\n![foto](foto.jpg)\n\n"
                      "![lain](../site.toml)\n"})
    (root / "content/bocor.md").symlink_to(secret)
    (root / "content/foto.jpg").symlink_to(secret_image)
    (root / "content/outside").symlink_to(tmp_path, target_is_directory=True)
    (root / "content/loop.md").symlink_to(root / "content/loop.md")
    (root / "content/sub").mkdir()
    (root / "content/sub/up").symlink_to(root / "content", target_is_directory=True)
    result = run_build(root)
    assert result.articles == 1
    published = b"".join(p.read_bytes() for p in (root / "public").rglob("*") if p.is_file())
    assert b"RAHASIA" not in published
    assert not (root / "public/media").exists()
    messages = "\n".join(p.describe("en") for p in result.warnings)  # what, not words
    assert "content/bocor.md: ignored: symbolic link leads outside content/" in messages
    assert "image not found: foto.jpg" in messages
    assert "image not found: ../site.toml" in messages


def test_strict_build_refuses_script_and_check_exit_codes(copy_site) -> None:
    root = copy_site("script-in-body")
    assert check.run(root).exit_code == check.EXIT_CLEAN
    assert check.run(root, strict=True).exit_code == check.EXIT_STRICT_WARNINGS
    run_build(root)
    body = soup(root / "public/berita/berita-uji/index.html").select_one(".body")
    # Policy: embedded video stays; the script is published only without --strict.
    assert body.find("iframe")["src"].startswith("https://www.youtube-nocookie.com/")


@pytest.mark.parametrize(("line", "field", "words"), [
    ('updated: !!timestamp "kemarin"', "updated", "no timestamp"),
    ("draft: !!bool ya", "draft", "no bool"),
    ('views: "³"', "views", "must be a whole number"),
    ('views: "١٢"', "views", "must be a whole number"),
    ('image: "a\\0b.jpg"', "image", "control character U+0000"),
    ('title: "Rapat\\x07 Pleno"', "title", "control character U+0007"),
])
def test_values_that_crashed_the_build_are_errors_at_their_line(make_site, line: str,
                                                               field: str, words: str) -> None:
    """Found by Hypothesis over front matter (issue 20): each was a traceback."""
    root = make_site({"content/a.md": "---\ntitle: Satu\ndate: 2024-11-14\n"
                                      f"office: kpu-kabupaten-blora\n{line}\n---\nIsi.\n"})
    if field == "title":
        (root / "content/a.md").write_text(f"---\n{line}\ndate: 2024-11-14\n"
                                           "office: kpu-kabupaten-blora\n---\nIsi.\n")
    report = check.run(root)
    [problem] = report.problems
    assert (problem.field, problem.severity) == (field, "error")
    assert problem.line == (2 if field == "title" else 5)
    assert words in problem.message
    with pytest.raises(BuildFailed):
        run_build(root)


def test_a_billion_laughs_in_front_matter_is_refused_at_once(make_site) -> None:
    """Issue 20: nine levels of YAML aliases in an unknown field took 221 s and 6 GiB."""
    laughs = 'extra: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        laughs += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    root = make_site({"content/a.md": "---\ntitle: Satu\ndate: 2024-11-14\n"
                                      "office: kpu-kabupaten-blora\n" + laughs + "---\nIsi.\n"})
    started = time.monotonic()
    [problem] = check.run(root).problems
    assert time.monotonic() - started < 20
    assert problem.severity == "error" and "aliases" in problem.message
    # A few aliases, as YAML allows, are fine.
    (root / "content/a.md").write_text("---\ntitle: &t Satu\ndate: 2024-11-14\n"
                                       "office: kpu-kabupaten-blora\nimage_caption: *t\n"
                                       "---\nIsi.\n")
    assert check.run(root).problems == []


def test_a_file_too_big_for_an_article_is_an_error_before_it_is_read(make_site) -> None:
    """Issue 20: a 50 MB Markdown file built a 66 MB page in 202 s, with no warning."""
    from generator import content

    body = "Kalimat panjang. " * (content.MAX_ARTICLE_BYTES // 17 + 1)
    root = make_site({"content/a.md": "---\ntitle: Satu\ndate: 2024-11-14\n"
                                      "office: kpu-kabupaten-blora\n---\n" + body})
    [problem] = check.run(root).problems
    assert (problem.path, problem.severity) == ("content/a.md", "error")
    assert "too big for one article" in problem.message
