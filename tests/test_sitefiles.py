"""sitefiles: the site-wide files every path of a build writes (schedule, redirects,
search), in one function."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator import schedule, sitefiles
from generator.buildtypes import Skipped
from generator.problems import BuildFailed, Problem
from generator.staging.output import Discard
from generator.urls import Links


def files(aliases: tuple[sitefiles.Alias, ...] = (),
          held_back: tuple[datetime, ...] = ()) -> sitefiles.SiteFiles:
    return sitefiles.SiteFiles(schedule.schedule_json(held_back), aliases, "KPU Contoh",
                               "https://kpu.example/", (), None, 1)


def test_the_schedule_and_the_redirects_are_written() -> None:
    sink = Discard(Path("public"))
    due = datetime(2027, 1, 2, 3, 4, tzinfo=UTC)
    sitefiles.write(sink, files((sitefiles.Alias("/2019/05/lama/", "/berita/baru/",
                                                 "content/baru.md"),), (due,)))
    assert schedule.SCHEDULE_FILE in sink.written
    assert "2019/05/lama/index.html" in sink.written
    assert json.loads(files(held_back=(due,)).schedule)["next"]


def test_an_old_address_that_is_a_page_now_is_kept_with_a_warning() -> None:
    sink = Discard(Path("public"))
    sink.write("tentang/index.html", b"<p>halaman</p>")
    seen: list[list[Problem]] = []
    sitefiles.write(sink, files((sitefiles.Alias("/tentang/", "/berita/baru/",
                                                 "content/baru.md"),)),
                    lambda written, found: seen.append(found))
    [[problem]] = seen
    assert (problem.path, problem.field, problem.severity) == \
        ("content/baru.md", "aliases", "warning")


def test_the_check_runs_before_the_index_and_can_stop_the_build(tmp_path: Path) -> None:
    def refuse(written: set[str], found: list[Problem]) -> None:
        raise BuildFailed([Problem("content/a.md", 3, "body", "broken link", "a page")])

    searched = sitefiles.SiteFiles(b"{}", (), "KPU", "https://kpu.example/",
                                   ("berita/a/index.html",), tmp_path / "never", 1)
    with pytest.raises(BuildFailed):
        sitefiles.write(Discard(tmp_path), searched, refuse)
    assert not (tmp_path / "never").exists()  # the indexer never ran


def test_plan_holds_back_only_articles_with_a_date() -> None:
    due = datetime(2027, 1, 2, tzinfo=UTC)
    planned = sitefiles.plan([], [Skipped("content/a.md", "draf"),
                                  Skipped("content/b.md", "terjadwal", due)],
                             Links("https://kpu.example/"), "KPU", None, 2)
    assert json.loads(planned.schedule)["next"] is not None
    assert planned.searched == () and planned.aliases == ()
