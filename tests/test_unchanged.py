"""unchanged.FileDigests: a file is read again exactly when it may have changed; the
output check of a no-op build sees any change to the output."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from generator.incremental.cache import BuildCache, listing_digest
from generator.incremental.unchanged import RACY_NS, FileDigests, OutputCheck, output_intact
from tests.conftest import article, run_build


def _signature(path) -> tuple[int, int, int, int]:
    info = os.stat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def test_a_file_with_its_recorded_signature_is_not_read(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("isi", encoding="utf-8")
    files = FileDigests({str(page): (_signature(page), "recorded")})
    assert files.digest(str(page)) == "recorded"  # not read: the recorded hash
    assert files.digests == {str(page): "recorded"}


def test_a_rewrite_that_keeps_size_and_mtime_is_still_seen(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("isi lama", encoding="utf-8")
    before = os.stat(page)
    files = FileDigests({str(page): (_signature(page), "recorded")},
                        started_ns=before.st_ctime_ns + 10 * RACY_NS)
    time.sleep(0.05)  # past the file system's clock tick
    page.write_text("isi baru", encoding="utf-8")  # same size
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime
    assert files.digest(str(page)) == hashlib.blake2b(b"isi baru", digest_size=16).hexdigest()


def test_a_file_changed_just_before_the_build_is_read_again_next_time(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("isi", encoding="utf-8")
    fresh = FileDigests()  # starts now: the file is "racily clean"
    fresh.digest(str(page))
    assert fresh.current == {}
    later = FileDigests(started_ns=os.stat(page).st_ctime_ns + RACY_NS + 1)
    digest = later.digest(str(page))
    assert later.current == {str(page): (_signature(page), digest)}


# The output check of a no-op build -----------------------------------------------------


@pytest.fixture
def built(make_site) -> tuple[Path, BuildCache]:
    root = make_site({f"content/kpu-kabupaten-blora/2024/berita-{n}.md":
                      article(f"Berita {n}", f"2024-03-0{n + 1} 10:00") for n in range(3)})
    run_build(root)
    store = BuildCache.open(root)
    yield root / "public", store
    store.close()


def _checked(public: Path, store: BuildCache) -> tuple[bool, bool]:
    """What output_intact says, and what the check in a forked process says."""
    check = OutputCheck.start(public, store)
    assert check is not None
    return output_intact(public, store), check.result()


def test_the_output_as_built_is_intact_in_both_checks(built):
    assert _checked(*built) == (True, True)


@pytest.mark.parametrize("tamper", ["extra file", "extra folder with a file", "removed",
                                    "rewritten", "renamed"])
def test_any_change_to_the_output_is_seen_by_both_checks(built, tamper):
    public, store = built
    page = public / "berita" / "berita-0" / "index.html"
    if tamper == "extra file":
        (public / "berita" / "catatan.txt").write_text("x", encoding="utf-8")
    elif tamper == "extra folder with a file":
        (public / "baru").mkdir()
        (public / "baru" / "index.html").write_text("x", encoding="utf-8")
    elif tamper == "removed":
        page.unlink()
    elif tamper == "rewritten":
        page.write_bytes(page.read_bytes().replace(b"Berita 0", b"Berita 9"))
    else:
        page.rename(page.with_name("indeks.html"))
    assert _checked(public, store) == (False, False)


def test_a_check_not_asked_for_is_stopped_and_reaped(built):
    check = OutputCheck.start(*built)
    assert check is not None
    check.cancel()
    with pytest.raises(ChildProcessError):  # no zombie left
        os.waitpid(check.pid, 0)


def test_the_listing_digest_ignores_order():
    files = [("a/index.html", (10, 1, 7)), ("index.html", (3, 2, 8)), ("b/c.xml", (5, 3, 9))]
    assert listing_digest(files) == listing_digest(reversed(files))
    assert listing_digest(files) != listing_digest(files[:2])


def test_an_unreadable_output_folder_is_not_intact(built, monkeypatch):
    public, store = built
    scandir = os.scandir

    def refusing(path):
        if str(path).endswith("berita-0"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)  # the forked check inherits it
    assert _checked(public, store) == (False, False)
