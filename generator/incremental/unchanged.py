"""The no-op build: when nothing a build reads has changed since the last build into
the same output folder, and that folder is as the build left it, there is nothing to do.

Deciding that costs reading every file under content/ once (to hash it) and listing
the output folder, with no YAML, Markdown or Jinja at all. The listing is hashed and
compared with the hash of the manifest's (cache.listing_digest), so the manifest is not
loaded, and it is made by a forked process while this one hashes the inputs
(`OutputCheck`): it is mostly the kernel's work, 35,000 system calls for a site of
17,000 pages, which the other core can do.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator.buildtypes import Skipped
from generator.config import CONTENT_DIR
from generator.incremental.cache import BuildCache, Written, code_key, folder_key, listing_digest
from generator.problems import Problem
from generator.staging.spare import listing

if TYPE_CHECKING:
    from generator.content import Article


@dataclass(frozen=True)
class Summary:
    """What a build reports, kept so that a no-op build can report the same."""

    articles: int
    pages: int
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    valid_until: datetime | None = None
    """The date of the first scheduled article: from then on the site changes."""


Signature = tuple[int, int, int, int]
"""A file's size, mtime, ctime (ns) and inode: any write changes the ctime."""
RACY_NS = 2_000_000_000
"""A file changed this recently before a build is read again by the next one: a second
write within the same clock tick would leave its signature as it was (git's "racily
clean" entries)."""


@dataclass
class FileDigests:
    """The hash of each Markdown and TOML file of the site, by path; a file whose
    signature is the one recorded by the last build is not read again."""

    known: dict[str, tuple[Signature, str]] = field(default_factory=dict)
    """From the last build: path -> (signature, hex digest)."""
    current: dict[str, tuple[Signature, str]] = field(default_factory=dict)
    """What to remember for the next build (not the files changed just now)."""
    digests: dict[str, str] = field(default_factory=dict)
    """path -> hex digest of every file hashed this build."""
    started_ns: int = field(default_factory=time.time_ns)

    def digest(self, path: str) -> str:
        info = os.stat(path)
        signature = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        hit = self.known.get(path)
        if hit is not None and hit[0] == signature:
            self.current[path] = hit
            self.digests[path] = hit[1]
            return hit[1]
        with open(path, "rb") as file:
            hexdigest = hashlib.blake2b(file.read(), digest_size=16).hexdigest()
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.started_ns - RACY_NS:
            self.current[path] = (signature, hexdigest)
        self.digests[path] = hexdigest
        return hexdigest


FILES_MEMO = "files"


def recall_files(store: BuildCache) -> FileDigests:
    """FileDigests that know the signatures and hashes the last build remembered."""
    known = store.recall(FILES_MEMO, FILES_MEMO)
    return FileDigests(known if isinstance(known, dict) else {})


def remember_files(store: BuildCache, files: FileDigests) -> None:
    """Keeps the signatures and hashes of the site's files for the next build."""
    if files.current != files.known:
        store.memorize(FILES_MEMO, FILES_MEMO, files.current)


def inputs_key(root: Path, template_dirs: list[Path], options: str, output: Path,
               files: FileDigests | None = None) -> str:
    """Hash of code, options, the theme and every file of the site folder (Markdown
    and TOML by their bytes, any other file by size and mtime), leaving out the output
    folder, hidden folders (the cache, the spare, .git) and __pycache__: whatever input
    a build reads lies in there. `files` gives and records each Markdown and TOML
    file's hash, so that an unchanged file is neither read here nor again by the
    build."""
    return inputs_keys(root, template_dirs, options, output, files)[0]


def inputs_keys(root: Path, template_dirs: list[Path], options: str, output: Path,
                files: FileDigests | None = None) -> tuple[str, str]:
    """inputs_key, and the frame: the same hash without the bytes of the Markdown files
    under content/ (their names are in it), for quick.py."""
    files = files if files is not None else FileDigests()
    inputs, frame = hashlib.blake2b(digest_size=16), hashlib.blake2b(digest_size=16)
    head = f"{code_key()}\x1f{options}\x1f{folder_key(template_dirs[-1:])}\x1f".encode()
    inputs.update(head)
    frame.update(head)
    skip = os.path.abspath(output)
    articles = os.path.join(root, CONTENT_DIR)
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                         and os.path.join(folder, d) != skip)
        in_content = folder == articles or folder.startswith(articles + os.sep)
        line = f"\x1e{folder}".encode("utf-8", "surrogateescape")
        inputs.update(line)
        frame.update(line)
        # Hidden files are no input (as hidden folders): among them the build's own
        # .public.lock, which every build writes.
        for name in sorted(name for name in names if not name.startswith(".")):
            path = os.path.join(folder, name)
            line = f"\x1f{name}\x1f".encode("utf-8", "surrogateescape")
            inputs.update(line)
            frame.update(line)
            try:
                if name.endswith((".md", ".toml")):
                    value = files.digest(path).encode()
                    if not (in_content and name.endswith(".md")):
                        frame.update(value)
                else:
                    info = os.stat(path)
                    value = f"{info.st_size}:{info.st_mtime_ns}".encode()
                    frame.update(value)
            except OSError as exc:
                value = f"unreadable {exc.errno}".encode()
                frame.update(value)
            inputs.update(value)
    return inputs.hexdigest(), frame.hexdigest()


def last_result(cache: BuildCache, output: Path, key: str, now: datetime,
                check: OutputCheck | None = None) -> Summary | None:
    """The summary of the last build when it was made from the same inputs, is still
    valid at `now`, and its output folder is untouched (`check`, when one was started,
    tells); else None."""
    summary = cache.last_build(output, key)
    if not isinstance(summary, Summary):
        return None
    if summary.valid_until is not None and now >= summary.valid_until:
        return None
    intact = check.result() if check is not None else output_intact(output, cache)
    return summary if intact else None


def first_after(articles: Iterable[Article], now: datetime) -> datetime | None:
    """The earliest article date after `now`: when a scheduled article becomes due."""
    return min((a.date for a in articles if a.date > now), default=None)


def output_intact(target: Path, cache: BuildCache) -> bool:
    """The output folder holds exactly the files the manifest says the last build wrote,
    each with the size, mtime and inode it had then."""
    expected = cache.listing(target)
    return expected is not None and output_digest(target) == expected


def output_digest(target: Path) -> str | None:
    """cache.listing_digest of the files in the output folder as they are; None when it is
    not a folder or cannot be read whole."""
    if not target.is_dir() or target.is_symlink():
        return None
    try:
        files, _ = listing(target)  # this walk is most of a no-op build
    except OSError:  # a folder removed or unreadable meanwhile: the build will see to it
        return None
    return listing_digest(files.items())


@dataclass
class OutputCheck:
    """output_intact, worked out by a forked process while this one hashes the inputs:
    listing the output is mostly the kernel's work, which the other core can do."""

    pid: int
    pipe: int
    expected: str
    done: bool = False

    @classmethod
    def start(cls, target: Path, cache: BuildCache) -> OutputCheck | None:
        """None where forking is unsafe or there is nothing to compare with (then
        output_intact does the same work in this process)."""
        expected = cache.listing(target)
        if expected is None or not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        readable, writable = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: no cleanup of the parent's objects, no stdio
            try:
                os.close(readable)
                os.write(writable, (output_digest(target) or "").encode())
            finally:
                os._exit(0)
        os.close(writable)
        return cls(pid, readable, expected)

    def result(self) -> bool:
        with os.fdopen(self.pipe, "rb") as pipe:
            found = pipe.read().decode()
        os.waitpid(self.pid, 0)
        self.done = True
        return found == self.expected

    def cancel(self) -> None:
        """Stops the check if its result was not asked for."""
        if not self.done:
            self.done = True
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.pipe)


def matches(present: dict[str, tuple[int, int, int]], manifest: dict[str, Written]) -> bool:
    """output_intact, of a listing made already (spare.listing)."""
    return len(present) == len(manifest) and all(
        present.get(file) == known[1:] for file, known in manifest.items())
