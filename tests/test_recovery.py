"""Builds that never collide and always recover: two builds of one site at once end as
one clean build, and a build killed at any step of its staging or publication is
followed by a build that succeeds and publishes exactly what a clean build would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.staging import faults
from tests.conftest import BASIC_TOML, REPO, article

SEARCH_OFF = BASIC_TOML.replace("per_page = 10", "per_page = 10\nsearch = false")
ARTICLES = 40
EDITIONS = {"base": 0, "many": ARTICLES - 4, "again": ARTICLES - 6}
"""How many articles each edition retitles: from "many" to "again" is a build that swaps
a whole spare in over the spare the last one left (full of hard links to replace);
"many" with three texts edited, a build applied in place from a journal."""


def write_site(root: Path, edition: str, edited: int = 0, count: int = ARTICLES) -> Path:
    """The site of `edition`, the texts of its first `edited` articles changed."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(SEARCH_OFF, encoding="utf-8")
    for n in range(count):
        title = f"Rapat Pleno {n}" + (f" ({edition})" if n < EDITIONS[edition] else "")
        # A paragraph more, not another first one: the summary in the lists stays.
        body = "Isi berita.\n\nParagraf tambahan." if n < edited else "Isi berita."
        (root / "content" / f"a{n:02d}.md").write_text(
            article(title, date=f"2024-09-{n % 28 + 1:02d} 10:00", slug=f"rapat-{n}",
                    tags="[Pemilu 2024]", body=body),
            encoding="utf-8")
    return root


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str


def berita(root: Path, *args: str, kill_at: int | None = None) -> Run:
    """`berita build` in a process of its own; its output goes to a file, never a pipe
    (a killed build's helpers must not be able to hold the test up)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(faults.VARIABLE, None)
    if kill_at is not None:
        env[faults.VARIABLE] = str(kill_at)
    log = root.with_name(root.name + ".log")
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "build", "-s", str(root), "-q", *args],
            env=env, stdout=out, stderr=subprocess.STDOUT, timeout=120, check=False)
    return Run(done.returncode, log.read_text())


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def clean_build(tmp_path: Path, edition: str, edited: int = 0,
                count: int = ARTICLES) -> dict[str, bytes]:
    root = write_site(tmp_path / f"clean-{edition}-{edited}-{count}", edition, edited, count)
    done = berita(root, "--no-cache")
    assert done.returncode == 0, done.output
    return tree(root / "public")


def no_litter(root: Path) -> None:
    assert not [name for name in tree(root / "public") if name.endswith(".berita-tmp")]


@pytest.mark.parametrize(("edition", "edited", "count"),
                         [("again", 0, ARTICLES), ("many", 2, 150)])
def test_a_build_killed_at_any_rename_is_recovered_by_the_next(
        tmp_path: Path, edition: str, edited: int, count: int) -> None:
    """("again", 0): a whole spare swapped in over the last one; ("many", 2) of a bigger
    site: two articles' pages moved in place from a journal."""
    expected = clean_build(tmp_path, edition, edited, count)
    old = clean_build(tmp_path, "many", 0, count)
    killed = 0
    for kill_at in [0, 1, 3, 21]:
        root = write_site(tmp_path / f"site-{kill_at}", "base", count=count)
        assert berita(root).returncode == 0
        assert berita(write_site(root, "many", count=count)).returncode == 0
        write_site(root, edition, edited, count)
        first = berita(root, kill_at=kill_at)
        if first.returncode == 0:  # fewer renames than that: it simply finished
            assert tree(root / "public") == expected
            continue
        killed += 1
        assert first.returncode == -signal.SIGKILL, first.output
        # What readers see is the old site or the new one; between the moves of a
        # journal (milliseconds), each page is whole, the old one or the new one.
        seen = tree(root / "public")
        if seen not in (old, expected):
            assert edited and all(data in (old.get(name), expected.get(name))
                                  for name, data in seen.items()), kill_at
        after = berita(root)
        assert after.returncode == 0 and "Traceback" not in after.output, \
            (kill_at, after.output)
        assert tree(root / "public") == expected, kill_at
        no_litter(root)
    assert killed >= 2


def test_two_builds_at_once_end_as_one_clean_build(tmp_path: Path) -> None:
    expected = clean_build(tmp_path, "many")
    root = write_site(tmp_path / "site", "base")
    assert berita(root).returncode == 0
    write_site(root, "many")
    shutil.rmtree(root / ".berita-cache")
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(berita, root)
        time.sleep(0.3)
        second = pool.submit(berita, root)
        runs = [first.result(), second.result()]
    assert [run.returncode for run in runs] == [0, 0], [run.output for run in runs]
    assert tree(root / "public") == expected
    no_litter(root)


def test_no_wait_refuses_at_once_naming_the_other_build(tmp_path: Path) -> None:
    from generator import lock

    root = write_site(tmp_path / "site", "base")
    files = lock.lock_files(root, root / "public", ".berita-cache")
    with lock.exclusive(files, 0):
        started = time.monotonic()
        refused = berita(root, "--no-wait")
        assert refused.returncode == 1, refused.output
        assert time.monotonic() - started < 30
        assert str(os.getpid()) in refused.output and "Traceback" not in refused.output
        waited = berita(root, "--wait-seconds", "1")
        assert waited.returncode == 1
    assert berita(root).returncode == 0  # the lock went with its holder


def test_an_abandoned_edit_is_never_published_by_a_later_build(tmp_path: Path) -> None:
    """Issue 20: killed right after its journal was written, an edit's build left the
    journal; the edit was reverted (a no-op build followed), then a build with a broken
    template applied the journal before failing: pages with the reverted title went out."""
    from generator.staging import patch

    # Big enough that an edit of one article is applied in place, from a journal.
    root = write_site(tmp_path / "site", "many", count=150)
    assert berita(root).returncode == 0
    published = tree(root / "public")
    write_site(root, "many", edited=1, count=150)
    killed = berita(root, kill_at=0)  # the journal is written, no move made
    assert killed.returncode == -signal.SIGKILL, killed.output
    assert (patch.patch_folder(root / "public") / patch.JOURNAL).is_file()
    write_site(root, "many", count=150)  # reverted
    assert berita(root).returncode == 0
    assert tree(root / "public") == published
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text("{{ article.nope.x }}", encoding="utf-8")
    assert berita(root).returncode == 1
    assert tree(root / "public") == published
