"""Writes the site into a staging folder beside the output, then swaps it in whole.

A failed or killed build leaves the published folder exactly as it was: the
staging folder is the only thing it ever wrote to. Files whose bytes did not
change are hard-linked from the previous output, so they keep their mtime
(rsync and CDNs see no change) and cost no write.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

STAGING_SUFFIX = ".staging"
OLD_SUFFIX = ".old"


class Sink(Protocol):
    """Where a build puts its files: Staging, spare.SpareStaging, or Discard."""

    written: set[str]

    def write(self, path: str, data: bytes) -> None: ...

    def copy(self, path: str, source: Path) -> None: ...


class UnsafePath(ValueError):
    """A path that would land outside the output folder."""


def safe_relative(path: str) -> PurePosixPath:
    """Validates a site-relative output path: no absolute paths, no '..', no NUL."""
    if not path or "\x00" in path or "\\" in path:
        raise UnsafePath(f"refusing to write {path!r}")
    # Judge the string itself: PurePosixPath would quietly fold "a//b" and "./".
    if path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
        raise UnsafePath(f"refusing to write outside the output folder: {path!r}")
    return PurePosixPath(path)


@dataclass
class Staging:
    """An output folder under construction."""

    output: Path
    root: Path = field(init=False)
    previous: Path | None = field(init=False)
    written: set[str] = field(default_factory=set, init=False)
    changed: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.output = self.output.absolute()
        self.root = self.output.with_name("." + self.output.name + STAGING_SUFFIX)
        self.previous = self.output if self.output.is_dir() else None
        discard(self.root)
        discard(self.output.with_name("." + self.output.name + OLD_SUFFIX))
        self.root.mkdir(parents=True)

    def _target(self, path: str) -> tuple[Path, Path | None]:
        relative = safe_relative(path)
        target = self.root.joinpath(*relative.parts)
        # A symlinked folder inside staging could still lead elsewhere.
        if not target.parent.resolve().is_relative_to(self.root.resolve()):
            raise UnsafePath(f"refusing to write outside the output folder: {path!r}")
        old = self.previous.joinpath(*relative.parts) if self.previous else None
        return target, old

    def write(self, path: str, data: bytes) -> None:
        target, old = self._target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.add(path)
        if old is not None and _same_bytes(old, data) and _link(old, target):
            return
        self.changed += 1
        target.write_bytes(data)

    def copy(self, path: str, source: Path) -> None:
        target, old = self._target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.add(path)
        if old is not None and _same_file(old, source) and _link(old, target):
            return
        self.changed += 1
        shutil.copyfile(source, target)

    def commit(self) -> None:
        """Makes the staged folder the output, in one step where the OS allows."""
        if self.previous is None:
            if self.output.exists() or self.output.is_symlink():
                raise FileExistsError(f"{self.output} exists and is not a folder")
            self.output.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self.root, self.output)
            return
        if not _exchange(self.root, self.output):
            old = self.output.with_name("." + self.output.name + OLD_SUFFIX)
            os.rename(self.output, old)
            os.rename(self.root, self.output)
            self.root = old
        discard(self.root)

    def rollback(self) -> None:
        discard(self.root)


@dataclass
class Discard:
    """A sink with Staging's interface that writes nothing: `berita check` renders
    every page into it, so every path is still checked but no folder is created."""

    output: Path
    written: set[str] = field(default_factory=set, init=False)
    sizes: dict[str, int] = field(default_factory=dict, init=False)
    """Bytes of each file that would be published, for checks such as a page budget."""
    changed: int = field(default=0, init=False)

    def write(self, path: str, data: bytes) -> None:
        safe_relative(path)
        self.written.add(path)
        self.sizes[path] = len(data)

    def copy(self, path: str, source: Path) -> None:
        safe_relative(path)
        self.written.add(path)
        self.sizes[path] = source.stat().st_size

    def commit(self) -> None:
        """Nothing to publish."""

    def rollback(self) -> None:
        """Nothing to undo."""


def discard(folder: Path) -> None:
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)


def _same_bytes(old: Path, data: bytes) -> bool:
    try:
        if old.is_symlink() or old.stat().st_size != len(data):
            return False
        return old.read_bytes() == data
    except OSError:
        return False


def _same_file(old: Path, source: Path) -> bool:
    try:
        a, b = old.stat(), source.stat()
    except OSError:
        return False
    if a.st_size != b.st_size or old.is_symlink():
        return False
    return old.read_bytes() == source.read_bytes()


def _link(old: Path, target: Path) -> bool:
    try:
        os.link(old, target)
        return True
    except OSError:
        return False


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
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
