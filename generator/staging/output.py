"""Where a build's files may go, and the one-step swap that publishes them.

`safe_relative` is the check every write passes: no path may leave the output
folder. The build stages the whole site beside the output (spare.SpareStaging)
and swaps it in with `exchange`; `berita check` renders into `Discard`, which
writes nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

OLD_SUFFIX = ".old"


class Sink(Protocol):
    """Where a build puts its files: spare.SpareStaging or Discard."""

    written: set[str]

    def write(self, path: str, data: bytes) -> None: ...

    def copy(self, path: str, source: Path) -> None: ...

    def size(self, path: str) -> int:
        """Bytes of a file the site will have (written or kept)."""
        ...

    def read(self, path: str) -> bytes:
        """The bytes a file will have once published."""
        ...


class UnsafePath(ValueError):
    """A path that would land outside the output folder."""


def safe_relative(path: str) -> PurePosixPath:
    """Validates a site-relative output path: no absolute paths, no '..', no NUL."""
    check_relative(path)
    return PurePosixPath(path)


def check_relative(path: str) -> list[str]:
    """safe_relative's check alone; returns the path's parts."""
    if not path or "\x00" in path or "\\" in path:
        raise UnsafePath(f"refusing to write {path!r}")
    # Judge the string itself: PurePosixPath would quietly fold "a//b" and "./".
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(f"refusing to write outside the output folder: {path!r}")
    return parts


@dataclass
class Discard:
    """A sink with Staging's interface that writes nothing: `berita check` renders
    every page into it, so every path is still checked but no folder is created."""

    output: Path
    keep_over: int | None = None
    """Pages (.html) bigger than this many bytes are kept, for read(): the page-weight
    check reads the pages that could weigh too much, and only those."""
    written: set[str] = field(default_factory=set, init=False)
    sizes: dict[str, int] = field(default_factory=dict, init=False)
    """Bytes of each file that would be published, for checks such as a page budget."""
    changed: int = field(default=0, init=False)
    kept: dict[str, bytes | Path] = field(default_factory=dict, init=False, repr=False)

    def write(self, path: str, data: bytes) -> None:
        safe_relative(path)
        self.written.add(path)
        self.sizes[path] = len(data)
        if self.keep_over is not None and path.endswith(".html") and \
                len(data) > self.keep_over:
            self.kept[path] = data

    def copy(self, path: str, source: Path) -> None:
        safe_relative(path)
        self.written.add(path)
        self.sizes[path] = source.stat().st_size
        self.kept[path] = source

    def size(self, path: str) -> int:
        return self.sizes[path]

    def read(self, path: str) -> bytes:
        """A copied file, or a page kept (see keep_over); KeyError for the others."""
        kept = self.kept[path]
        return kept.read_bytes() if isinstance(kept, Path) else kept

    def commit(self) -> None:
        """Nothing to publish."""

    def rollback(self) -> None:
        """Nothing to undo."""


def live_has(present: dict[str, tuple[int, int, int]], output: Path, file: str, size: int,
             read: Callable[[], bytes]) -> bool:
    """The live output's `file` (listed in `present`) already has these bytes: a stager
    then keeps it as it is, so its mtime stays."""
    live = present.get(file)
    if live is None or live[0] != size:
        return False
    try:
        return Path(output, file).read_bytes() == read()
    except OSError:
        return False


def create(path: str, data: bytes) -> os.stat_result:
    """Writes a new file; FileExistsError rather than write through an existing one.
    Returns the new file's status."""
    # os.open and fstat: no buffered file object, no second lookup of the path (a site
    # writes tens of thousands of files).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd)
    finally:
        os.close(fd)


def create_copy(path: str, source: Path) -> os.stat_result:
    """Copies `source` to a new file, as `create`."""
    with open(source, "rb") as original, open(path, "xb") as handle:
        shutil.copyfileobj(original, handle)
        handle.flush()
        return os.fstat(handle.fileno())


def make_folder(path: str) -> None:
    """os.makedirs(path, exist_ok=True), one system call when the parent exists."""
    try:
        os.mkdir(path)
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        if not os.path.isdir(path):
            raise


def discard(folder: Path) -> None:
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Atomically swaps two paths (Linux renameat2); False where unsupported."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
