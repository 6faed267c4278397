"""unchanged.FileDigests: a file is read again exactly when it may have changed."""

from __future__ import annotations

import hashlib
import os
import time

from generator.unchanged import RACY_NS, FileDigests


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
