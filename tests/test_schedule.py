"""Drafts and scheduled articles: left out of `berita build`, listed in schedule.json,
decided with aware times whatever the machine's zone."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator import schedule
from generator.cli import main
from generator.messages import say
from tests.conftest import article, run_build, soup

WITA = ZoneInfo("Asia/Makassar")


def schedule_of(root: Path) -> dict:
    return json.loads((root / "public/.berita/schedule.json").read_text(encoding="utf-8"))


def test_drafts_and_future_articles_are_left_out_and_listed(make_site) -> None:
    root = make_site({
        "content/draft.md": article("Draf Rapat", draft="true"),
        "content/later.md": article("Embargo Pleno", date="2026-11-24 08:00",
                                    office="kpu-kabupaten-luwu-timur"),
        "content/much-later.md": article("Embargo Kedua", date="2027-01-01"),
        "content/published.md": article("Sudah Terbit", tags="[Pemilu]"),
    })
    result = run_build(root)
    assert result.articles == 1
    reasons = {s.path: say(s.reason) for s in result.skipped}  # as the operator reads them
    assert reasons["content/draft.md"] == "draf (draft: true)"
    assert reasons["content/later.md"] == "terjadwal, terbit Selasa, 24 November 2026 08.00 WITA"
    assert result.skipped[0].reason == "draft (draft: true)"  # the English it is written in
    assert not (root / "public/berita/draf-rapat").exists()
    assert not (root / "public/berita/embargo-pleno").exists()
    home = soup(root / "public/index.html")
    assert [a.get_text() for a in home.select(".card-title a")] == ["Sudah Terbit"]
    assert "Embargo" not in (root / "public/tag/index.html").read_text(encoding="utf-8")
    assert schedule_of(root) == {
        "next": "2026-11-24T08:00:00+08:00",
        "scheduled": ["2026-11-24T08:00:00+08:00", "2027-01-01T00:00:00+07:00"],
    }
    # The public file never names an embargoed article.
    raw = (root / "public/.berita/schedule.json").read_text(encoding="utf-8")
    assert "embargo" not in raw.lower()


def test_flags_publish_them_and_schedule_is_empty(make_site) -> None:
    root = make_site({"content/draft.md": article("Draf Rapat", draft="true"),
                      "content/later.md": article("Embargo", date="2027-01-01")})
    result = run_build(root, drafts=True, future=True)
    assert result.articles == 2 and result.skipped == []
    assert (root / "public/berita/draf-rapat/index.html").is_file()
    assert schedule_of(root) == {"next": None, "scheduled": []}
    # A published build carries no preview marks.
    assert not soup(root / "public/berita/draf-rapat/index.html").select(".status-mark")


def test_a_draft_is_never_in_the_schedule(make_site) -> None:
    root = make_site({"content/d.md": article("Draf Nanti", date="2027-01-01", draft="true")})
    run_build(root)
    assert schedule_of(root)["next"] is None


@pytest.mark.parametrize("machine_zone", ["UTC", "America/Los_Angeles", "Asia/Tokyo"])
def test_an_article_written_at_0800_wita_is_due_at_0800_wita_anywhere(
        make_site, monkeypatch, machine_zone: str) -> None:
    monkeypatch.setenv("TZ", machine_zone)
    time.tzset()
    try:
        root = make_site({"content/a.md": article("Pagi", date="2026-11-23 08:00",
                                                  office="kpu-kabupaten-luwu-timur")})
        before = datetime(2026, 11, 23, 7, 59, tzinfo=WITA)
        assert [s.path for s in run_build(root, now=before).skipped] == ["content/a.md"]
        after = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 WITA
        assert run_build(root, now=after).skipped == []
        # And with the real clock: an article a minute old is published.
        just_now = datetime.now(WITA) - timedelta(minutes=1)
        (root / "content/a.md").write_text(
            article("Pagi", date=just_now.strftime("%Y-%m-%d %H:%M"),
                    office="kpu-kabupaten-luwu-timur"), encoding="utf-8")
        result = run_build(root, now=None)
        assert result.skipped == [] and result.articles == 1
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        schedule.current_time(datetime(2026, 1, 1))


def test_build_prints_what_it_skipped_and_one_summary_line(make_site) -> None:
    root = make_site({"content/draft.md": article("Draf Rapat", draft="true"),
                      "content/ok.md": article("Terbit")})
    result = CliRunner().invoke(main, ["build", "-s", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "dilewati: content/draft.md: draf (draft: true)" in lines
    summary = lines[-1]
    assert summary.startswith("1 berita, ")
    for part in ("halaman ditulis", "1 dilewati", "0 peringatan", "detik"):
        assert part in summary
    # Not a terminal: no progress bar, nothing but the report.
    assert "[#" not in result.output and "Menulis halaman" not in result.output
    quiet = CliRunner().invoke(main, ["build", "-s", str(root), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_build_reports_progress_of_each_stage(make_site) -> None:
    from generator import build

    root = make_site({"content/a.md": article("Satu"), "content/b.md": article("Dua"),
                      "content/c.md": article("Tiga", draft="true")})
    seen: dict[str, int] = {}

    def progress(label, items):
        for item in items:
            seen[label] = seen.get(label, 0) + 1
            yield item

    result = build.run(root, root / "public", build.BuildOptions(), progress=progress)
    # Reading covers parsing and Markdown (drafts too: one pass per file).
    assert {say(label): count for label, count in seen.items()} == {
        "Membaca berita": 3, "Menulis halaman": result.pages}


def recipe_check_script() -> str:
    """The `check` step of the scheduled workflow in docs/ci-schedule.md."""
    import re

    import yaml

    from tests.conftest import REPO

    text = (REPO / "docs/ci-schedule.md").read_text(encoding="utf-8")
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
    assert workflow["jobs"]["publish"]["needs"] == "check"
    step = workflow["jobs"]["check"]["steps"][0]
    assert step["shell"] == "python"
    return step["run"]


@pytest.mark.parametrize(("article_date", "due"), [("2000-01-01 08:00", "true"),
                                                   ("2999-01-01 08:00", "false")])
def test_the_ci_recipe_rebuilds_only_when_an_article_is_due(
        make_site, tmp_path: Path, article_date: str, due: str) -> None:
    import os
    import subprocess
    import sys

    root = make_site({"content/a.md": article("Embargo", date=article_date)})
    # Built before the article's time: it is held back and listed.
    run_build(root, now=datetime(1999, 12, 31, tzinfo=UTC))
    outputs = tmp_path / "github_output"
    env = {**os.environ, "SITE_URL": (root / "public").as_uri() + "/",
           "GITHUB_OUTPUT": str(outputs)}
    subprocess.run([sys.executable, "-c", recipe_check_script()], env=env, check=True)
    assert outputs.read_text() == f"due={due}\n"


def test_the_ci_recipe_rebuilds_when_the_schedule_cannot_be_read(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    outputs = tmp_path / "github_output"
    env = {**os.environ, "SITE_URL": (tmp_path / "nowhere").as_uri() + "/",
           "GITHUB_OUTPUT": str(outputs)}
    subprocess.run([sys.executable, "-c", recipe_check_script()], env=env, check=True)
    assert outputs.read_text() == "due=true\n"


def test_every_publishing_workflow_builds_strictly_as_the_push_build_does() -> None:
    """The scheduled build must refuse what the push build refuses (a <script> in a body):
    the recipe in docs/ and the workflows `berita init` writes, each build step."""
    import re

    import yaml

    from generator import init
    from tests.conftest import REPO

    text = (REPO / "docs/ci-schedule.md").read_text(encoding="utf-8")
    workflows = {"docs/ci-schedule.md": yaml.safe_load(
        re.search(r"```yaml\n(.*?)```", text, re.S).group(1))}
    workflows |= {name: yaml.safe_load(body) for name, body in init.skeleton_files().items()
                  if name.endswith(".yml")}
    builds = {name: [step["run"] for job in workflow["jobs"].values()
                     for step in job["steps"] if "berita build" in step.get("run", "")]
              for name, workflow in workflows.items()}
    assert builds["docs/ci-schedule.md"] and builds[".github/workflows/terbitkan.yml"]
    for name, steps in builds.items():
        for step in steps:
            assert "--strict" in step.split(), (name, step)
