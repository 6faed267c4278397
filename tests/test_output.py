"""Confinement and atomic publish: every write lands inside the output folder, and a
failed or killed build leaves the published site exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SITES, article, run_build, tree_digest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import check
from generator.problems import BuildFailed
from generator.staging import output
from generator.staging.output import UnsafePath, safe_relative
from generator.staging.spare import SPARE_SUFFIX, SpareStaging


@pytest.mark.parametrize("path", [
    "", "/etc/passwd", "../x", "a/../../x", "a/..", "a//b", "a\\..\\b", "a\x00b", "/", "./",
])
def test_safe_relative_refuses_paths_that_leave_the_output(path: str) -> None:
    with pytest.raises(UnsafePath):
        safe_relative(path)


def test_staging_refuses_to_write_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    # A symlink planted in the spare folder (or in a published site that becomes the
    # spare) cannot carry a write elsewhere: it is replaced, never followed.
    spare = tmp_path / ".public.spare"
    spare.mkdir()
    (spare / "media").symlink_to(outside, target_is_directory=True)
    (spare / "index.html").symlink_to(outside / "index.html")
    staging = SpareStaging(tmp_path / "public", {})
    for path in ("../escape.html", "/tmp/escape.html", "media/../../escape.html"):
        with pytest.raises(UnsafePath):
            staging.write(path, b"x")
    staging.write("media/escape.html", b"x")
    staging.write("index.html", b"home")
    staging.commit()
    assert list(outside.iterdir()) == []
    assert (tmp_path / "public/media/escape.html").read_bytes() == b"x"
    assert not (tmp_path / "public/media").is_symlink()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./\\%2f\x00 ~")), max_size=14))
def test_every_accepted_path_resolves_inside_the_output(path: str) -> None:
    base = Path("/srv/public")
    try:
        pure = safe_relative(path)
    except UnsafePath:
        return
    target = Path(os.path.normpath(base.joinpath(*pure.parts)))
    assert target.is_relative_to(base) and target != base


def test_check_writes_nothing(copy_site) -> None:
    root = copy_site("basic")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    report = check.run(root)
    assert report.exit_code == 0
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert not any(p.name.endswith(SPARE_SUFFIX) for p in root.parent.iterdir())


def _break_with(root: Path, name: str, text: str) -> None:
    (root / "content" / name).write_text(text, encoding="utf-8")


def test_failed_builds_leave_the_published_output_byte_identical(copy_site) -> None:
    root = copy_site("basic")
    public = root / "public"
    run_build(root)
    before = tree_digest(public)
    inodes = {p: p.stat().st_ino for p in public.rglob("*") if p.is_file()}

    # 1. bad input
    _break_with(root, "rusak.md", "---\ntitle: Rusak\ndate: kemarin\noffice: x\n---\nIsi\n")
    with pytest.raises(BuildFailed):
        run_build(root)
    assert tree_digest(public) == before
    (root / "content/rusak.md").unlink()

    # 2. --strict with a warning (a broken internal link)
    _break_with(root, "tautan.md", "---\ntitle: Tautan\ndate: 2024-01-01\n"
                "office: kpu-kabupaten-blora\n---\n[x](/berita/tidak-ada/)\n")
    with pytest.raises(BuildFailed, match="--strict"):
        run_build(root, strict=True)
    assert tree_digest(public) == before
    assert {p: p.stat().st_ino for p in public.rglob("*") if p.is_file()} == inodes

    # 3. a template error while rendering: staging is thrown away
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text("{{ article.no_such_field.x }}")
    with pytest.raises(BuildFailed):
        run_build(root)
    assert tree_digest(public) == before
    # Nothing but the build cache and the build's lock (no output) is left beside it.
    assert [p.name for p in root.iterdir() if p.name.startswith(".")
            and p.name not in (".berita-cache", ".public" + SPARE_SUFFIX, ".public.lock")] == []


def _big_site(root: Path, count: int) -> None:
    toml = root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page = 10"),
                    encoding="utf-8")
    (root / "content/big").mkdir(parents=True)
    words = "Komisi Pemilihan Umum menggelar rapat koordinasi tahapan pemilihan. " * 30
    for n in range(count):
        (root / f"content/big/b{n:04d}.md").write_text(
            f"---\ntitle: Berita Nomor {n}\ndate: 2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n"
            f"office: kpu-kabupaten-blora\ntags: [Tag {n % 50}]\n---\n{words}\n\n{words}\n",
            encoding="utf-8")


def _build_command(root: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "-q", "-s", str(root), "-o", str(out)]


def test_a_build_killed_mid_write_leaves_old_or_new_site_never_a_mix(copy_site) -> None:
    root = copy_site("basic")
    _big_site(root, 120)
    public = root / "public"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(_build_command(root, public), check=True, env=env)
    before = tree_digest(public)

    (root / "content/blora/raker.md").write_text(
        (root / "content/blora/raker.md").read_text(encoding="utf-8")
        .replace("KPU Blora Gelar Raker", "KPU Blora Gelar Rapat"), encoding="utf-8")
    # Builds are staged in the spare copy of the site kept beside the output.
    staging = public.with_name("." + public.name + SPARE_SUFFIX)
    # Without the cache every page is rendered again: a window wide enough to kill it in.
    process = subprocess.Popen([*_build_command(root, public), "--no-cache"], env=env)
    try:
        deadline = time.monotonic() + 120
        while not (staging.is_dir() and any(staging.rglob("*.html"))):
            assert process.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert staging.exists()  # killed mid-write: the half-written tree is left beside...
    assert tree_digest(public) == before  # ...and the published site is untouched

    # The next build repairs the leftover and publishes the whole new site.
    subprocess.run(_build_command(root, public), check=True, env=env)
    after = tree_digest(public)
    reference = root.parent / "reference"
    subprocess.run(_build_command(root, reference), check=True, env=env)
    assert after == tree_digest(reference) != before


def test_discard_sink_checks_paths_and_creates_nothing(tmp_path: Path) -> None:
    sink = output.Discard(tmp_path / "public")
    sink.write("berita/x/index.html", b"abc")
    with pytest.raises(UnsafePath):
        sink.write("../x", b"")
    sink.commit()
    assert sink.sizes == {"berita/x/index.html": 3}
    assert list(tmp_path.iterdir()) == []


def test_run_build_fixture_site_publishes(tmp_path: Path) -> None:
    result = run_build(SITES / "basic", tmp_path / "out")
    assert result.articles == 4 and (tmp_path / "out/index.html").is_file()


def test_a_full_disk_is_said_and_the_next_build_succeeds(make_site, monkeypatch) -> None:
    """Issue 20: each build on a full disk ended in an OSError traceback and left its
    staging behind, so builds kept failing after space was freed."""
    import errno

    from generator.staging import spare

    root = make_site({f"content/a{n}.md": article(f"Berita {n}", slug=f"b-{n}")
                      for n in range(12)})
    run_build(root)
    before = tree_digest(root / "public")
    for n in range(12):
        (root / f"content/a{n}.md").write_text(article(f"Berita {n} (baru)", slug=f"b-{n}"))
    written = []
    plain = spare.create

    def filling(path: str, data: bytes):
        written.append(path)
        if len(written) > 5:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        return plain(path, data)

    monkeypatch.setattr(spare, "create", filling)
    with pytest.raises(BuildFailed) as failed:
        run_build(root, jobs=1)
    said = failed.value.format_message()
    assert "disk penuh" in said and "Traceback" not in said
    assert tree_digest(root / "public") == before
    assert not (root / ".public.spare").exists()  # its space given back
    monkeypatch.setattr(spare, "create", plain)
    result = run_build(root)
    assert result.articles == 12
    assert "Berita 0 (baru)" in (root / "public/berita/b-0/index.html").read_text()
