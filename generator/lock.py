"""One build at a time per site and per output folder.

Two builds at once would share the build cache and stage into the same spare and patch
folders: each would publish a mix. Every build that writes holds two advisory locks
(`fcntl.flock`): the site's, `.berita-cache/build.lock`, and the output's, a
`.<output>.lock` beside the output folder (two sites publishing into one folder are
kept apart too). The kernel drops a lock when its process ends, however it ends, so a
killed build never leaves a stale one. The file holds the pid of the build holding it,
to say who is in the way; its contents are never trusted for anything else.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from generator.messages import Text, msg

CACHE_LOCK = "build.lock"
POLL_SECONDS = 0.2


class Busy(Exception):
    """Another build holds a lock that this one needs (not a frozen dataclass: raising
    through context managers sets attributes on an exception)."""

    def __init__(self, lock: Path, holder: int | None, waited: float) -> None:
        super().__init__(lock, holder, waited)
        self.lock = lock
        self.holder = holder
        """The other build's pid, when its lock file says."""
        self.waited = waited


class Unavailable(Exception):
    """A lock file that cannot be made (a read-only folder, a file where the cache
    folder should be)."""

    def __init__(self, lock: Path, reason: str) -> None:
        super().__init__(lock, reason)
        self.lock = lock
        self.reason = reason


Waiting = Callable[[Path, int | None], None]
"""Called once when a build starts to wait: (the lock file, the other build's pid)."""


def waiting_notice(lock_file: Path, holder: int | None) -> Text:
    """What an operator reads while their build waits for another one."""
    return msg("waiting for another build of this site to end (process {pid}, {lock}) ...",
               pid=holder if holder is not None else "?", lock=lock_file)


def lock_files(root: Path, output: Path, cache_folder: str) -> tuple[Path, Path]:
    """The site's lock and the output's, in the order they are taken (always the same
    order, so two builds never hold one each while waiting for the other)."""
    output = output.absolute()
    return (root.absolute() / cache_folder / CACHE_LOCK,
            output.with_name("." + output.name + ".lock"))


@contextmanager
def exclusive(files: tuple[Path, ...], wait_seconds: float | None,
              waiting: Waiting | None = None) -> Iterator[None]:
    """Holds every lock in `files`, in order. `wait_seconds`: how long to wait for another
    build (None: as long as it takes; 0: not at all); Busy when that is not enough."""
    started = time.monotonic()
    with ExitStack() as held:
        for file in files:
            held.enter_context(_one(file, started, wait_seconds, waiting))
        yield


@contextmanager
def _one(file: Path, started: float, wait_seconds: float | None,
         waiting: Waiting | None) -> Iterator[None]:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise Unavailable(file, exc.strerror or str(exc)) from None
    try:
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if wait_seconds is not None and waited >= wait_seconds:
                    raise Busy(file, _holder(descriptor), waited) from None
                if not told and waiting is not None:
                    waiting(file, _holder(descriptor))
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _holder(descriptor: int) -> int | None:
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
