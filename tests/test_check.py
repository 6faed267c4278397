"""`berita check` through the real CLI: exit codes, text and JSON, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SITES

from generator import check
from generator.cli import main
from generator.problems import Problem


def invoke(*args: str):
    return CliRunner().invoke(main, ["check", *args])


@pytest.mark.parametrize(("case", "strict", "code"), [
    ("basic", False, 0), ("basic", True, 0),
    # A dead link is an error to check (a warning to build): CI stops it.
    ("broken-link", False, 1), ("broken-link", True, 1),
    ("script-in-body", True, 3),
    ("unknown-office", False, 1), ("unknown-office", True, 1),
    ("site-toml-bad", False, 1),
])
def test_exit_codes(case: str, strict: bool, code: int) -> None:
    result = invoke("-s", str(SITES / case), *(["--strict"] if strict else []))
    assert result.exit_code == code, result.output
    assert not (SITES / case / "public").exists()


def test_json_lists_every_problem_with_file_and_line() -> None:
    result = invoke("-s", str(SITES / "bad-slugs"), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.output)
    assert {p["path"] for p in problems} == {
        f"content/{n}.md" for n in ("abs", "dots", "pct", "slash", "symbols", "upper")}
    assert all(p["line"] and p["severity"] == "error" for p in problems)
    assert set(problems[0]) == set(Problem("x", 1, None, "m").to_dict())


def test_text_output_and_clean_message() -> None:
    result = invoke("-s", str(SITES / "missing-image"))
    assert result.exit_code == 1  # a missing image stops CI
    assert "content/a.md:9: image: gambar tidak ditemukan: foto-tidak-ada.jpg" in result.output
    assert result.output.rstrip().endswith("2 kesalahan, 0 peringatan.")
    assert "Tidak ada masalah" in invoke("-s", str(SITES / "basic")).output


def test_the_report_speaks_the_operators_language() -> None:
    from generator.messages import msg

    problem = Problem("content/a.md", 9, "image",
                      msg("image not found: {image}", image="foto.jpg"), severity="warning")
    report = check.Report([problem], strict=False)
    assert report.as_text().splitlines() == [
        "peringatan: content/a.md:9: image: gambar tidak ditemukan: foto.jpg",
        "0 kesalahan, 1 peringatan."]
    assert report.as_text("en").splitlines() == [
        "warning: content/a.md:9: image: image not found: foto.jpg", "0 errors, 1 warning."]
    assert json.loads(report.as_json("en"))[0]["message"] == "image not found: foto.jpg"
    assert json.loads(report.as_json())[0]["message"] == "gambar tidak ditemukan: foto.jpg"
    assert check.Report([], strict=False).as_text("en") == "No problems found."


def test_reports_content_and_template_errors_together(copy_site) -> None:
    root = copy_site("unknown-office")
    (root / "templates").mkdir()
    (root / "templates/index.html").write_text("{% block x %}\n{{ oops(}\n")
    (root / "content/b.md").write_text("---\ntitle: Baik\ndate: 2024-01-01\n"
                                       "office: kpu-kabupaten-blora\n---\nIsi.\n")
    report = check.run(root)
    where = {(p.path, p.line) for p in report.problems}
    assert ("content/a.md", 4) in where
    assert any(path == "templates/index.html" for path, _ in where), report.problems
    assert not (root / "public").exists()


def test_extra_checks_see_the_sizes_of_every_page(copy_site) -> None:
    def too_heavy(inspection: check.Inspection) -> list[Problem]:
        return [Problem(path, None, None, f"{size} bytes", severity="warning")
                for path, size in inspection.result.sizes.items()
                if path == "index.html" and size > 10]

    report = check.run(copy_site("basic"), strict=True, checks=[too_heavy])
    assert [p.path for p in report.problems] == ["index.html"]
    assert report.exit_code == check.EXIT_STRICT_WARNINGS


def test_help_and_missing_site(tmp_path: Path) -> None:
    assert invoke("--help").exit_code == 0
    result = invoke("-s", str(tmp_path))
    assert result.exit_code == 1 and "site.toml tidak ditemukan" in result.output


def test_warnings_alone_exit_3_under_strict_never_2(make_site) -> None:
    body = "\n\n".join(["Kalimat panjang tentang pemilihan umum. " * 20] * 50)
    root = make_site({"content/a.md": "---\ntitle: Berat\ndate: 2024-01-01\n"
                                      "office: kpu-kabupaten-blora\n---\n" + body})
    assert invoke("-s", str(root)).exit_code == 0
    strict = invoke("-s", str(root), "--strict")
    assert strict.exit_code == check.EXIT_STRICT_WARNINGS == 3, strict.output
    assert "0 kesalahan, 1 peringatan" in strict.output


def test_a_dead_link_and_a_missing_image_are_errors_to_check(make_site) -> None:
    root = make_site({"content/a.md": "---\ntitle: A\ndate: 2024-01-01\n"
                                      "office: kpu-kabupaten-blora\nimage: hilang.jpg\n---\n"
                                      "Lihat [ini](/berita/tidak-ada/).\n"})
    result = invoke("-s", str(root), "--format", "json")
    assert result.exit_code == 1
    found = {(p["field"], p["severity"]) for p in json.loads(result.output)}
    assert found == {("link", "error"), ("image", "error")}
    built = CliRunner().invoke(main, ["build", "-s", str(root)])
    assert built.exit_code == 0 and "2 peringatan" in built.output  # the news still goes out


def test_one_template_mistake_is_one_error_however_many_pages_use_it(make_site) -> None:
    root = make_site({f"content/a{i}.md": f"---\ntitle: Berita {i}\ndate: 2024-01-0{i}\n"
                                          "office: kpu-kabupaten-blora\n---\nIsi.\n"
                      for i in range(1, 8)} |
                     {"templates/article.html": '{% extends "!theme/article.html" %}'
                                                "{% block main %}{{ article.title|nope }}"
                                                "{% endblock %}"})
    built = CliRunner().invoke(main, ["build", "-s", str(root)])
    assert built.exit_code == 1
    assert "1 kesalahan" in built.output, built.output
    assert built.output.count("templates/article.html") == 1
    checked = invoke("-s", str(root))
    assert checked.exit_code == 1 and "1 kesalahan, 0 peringatan" in checked.output
