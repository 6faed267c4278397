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
    ("broken-link", False, 0), ("broken-link", True, 2),
    ("script-in-body", True, 2),
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
    assert result.exit_code == 0
    assert "content/a.md:9: image: image not found: foto-tidak-ada.jpg" in result.output
    assert result.output.rstrip().endswith("0 kesalahan, 2 peringatan.")
    assert "Tidak ada masalah" in invoke("-s", str(SITES / "basic")).output


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
    assert result.exit_code == 1 and "site.toml not found" in result.output
