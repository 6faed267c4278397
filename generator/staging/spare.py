"""Staging by bringing a spare copy of the site up to date, then swapping it in whole.

Building each new site in a fresh folder and deleting the old one costs, for a
site of 15,000 pages in 10,000 folders that is 10,000 mkdir and 10,000 rmdir calls on
every build, seconds even when one article changed. Here the folder the last swap
pushed out is kept as `.<output>.spare` and becomes the next staging folder: files
that are the very same file as in the live output (same inode: hard links) are left as
they are, the others are linked or written, files the new site lacks are removed, and
then the spare and the output are exchanged in one step (renameat2 RENAME_EXCHANGE), so
readers still see either the old site or the new one, never a mix. A failed build
only ever touched the spare, which nobody serves.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from generator.staging import faults
from generator.staging.output import (
    OLD_SUFFIX,
    create,
    create_copy,
    discard,
    exchange,
    live_has,
    make_folder,
    safe_relative,
)

SPARE_SUFFIX = ".spare"
TEMPORARY_SUFFIX = ".berita-tmp"
"""A file being written; renamed to its own name once whole."""


def spare_folder(output: Path) -> Path:
    output = output.absolute()
    return output.with_name("." + output.name + SPARE_SUFFIX)


def listing(folder: Path) -> tuple[dict[str, tuple[int, int, int]], set[str]]:
    """Every file under folder -> (size, mtime_ns, inode), and every sub-folder;
    symbolic links count as files and are never followed."""
    files: dict[str, tuple[int, int, int]] = {}
    folders: set[str] = set()
    if not folder.is_dir() or folder.is_symlink():
        return files, folders
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(name)
                    pending.append((name + "/", entry.path))
                else:
                    info = entry.stat(follow_symlinks=False)
                    files[name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return files, folders


class SpareStaging:
    """An output folder under construction in the spare: every write checked with
    output.safe_relative, links and files where a folder must be replaced, never
    followed."""

    def __init__(self, output: Path, present: dict[str, tuple[int, int, int]]) -> None:
        self.output = output.absolute()
        self.present = present
        """The live output's files (see `listing`)."""
        self.root = spare_folder(self.output)
        if self.root.is_symlink() or self.root.is_file():
            self.root.unlink()
        self.root.mkdir(parents=True, exist_ok=True)
        self.spare, self.folders = listing(self.root)
        # A build killed between writing a temporary file and renaming it left it here:
        # it is no page of any site, and it must not be published with the next swap.
        for file in [file for file in self.spare if file.endswith(TEMPORARY_SUFFIX)]:
            os.unlink(os.path.join(self.root, file))
            del self.spare[file]
        self.written: set[str] = set()
        self.staged: set[str] = set()
        """Files written with new bytes (the others are links to the live output)."""
        self.changed = 0
        self.stats: dict[str, tuple[int, int, int]] = {}
        """(size, mtime_ns, inode) of each staged file, for the manifest."""
        self.renames = faults.from_environment()

    def _path(self, file: str) -> str:
        parts = safe_relative(file).parts
        folder = ""
        for part in parts[:-1]:
            folder = f"{folder}/{part}" if folder else part
            if folder not in self.folders:
                if folder in self.spare:  # a file or link where a folder must be
                    os.unlink(os.path.join(self.root, folder))
                    del self.spare[folder]
                make_folder(os.path.join(self.root, folder))
                self.folders.add(folder)
        if file in self.folders:  # a folder where a file must be
            shutil.rmtree(os.path.join(self.root, file))
            self.folders = {f for f in self.folders if f != file and
                            not f.startswith(file + "/")}
        self.written.add(file)
        return os.path.join(self.root, *parts)

    def _replace(self, file: str, target: str,
                 make: Callable[[str], os.stat_result | None]) -> None:
        info = None
        made = False
        if file not in self.spare:
            # Nothing there (a fresh spare): no hard link to the live site can be hit,
            # so make the file in place and save a rename per file.
            try:
                info = make(target)
                made = True
            except FileExistsError:
                pass
        if not made:
            # A spare file may be a hard link to the live site's file: never write
            # through it, replace it.
            temporary = target + TEMPORARY_SUFFIX
            if os.path.lexists(temporary):
                os.unlink(temporary)
            info = make(temporary)  # a rename keeps size, mtime and inode
            self.renames.next()
            os.replace(temporary, target)
        if info is None:
            info = os.lstat(target)
        self.stats[file] = (info.st_size, info.st_mtime_ns, info.st_ino)

    def keep(self, file: str) -> bool:
        """The live output's file, unchanged (the same inode, so the same mtime)."""
        live = self.present.get(file)
        if live is None:
            return False
        target = self._path(file)
        if self.spare.get(file, (0, 0, -1))[2] != live[2]:
            source = os.path.join(self.output, file)
            try:
                self._replace(file, target, lambda tmp: os.link(source, tmp))
            except OSError:
                return False
        self.stats[file] = live
        return True

    def write(self, file: str, data: bytes) -> None:
        if not (live_has(self.present, self.output, file, len(data), lambda: data)
                and self.keep(file)):
            self._stage(file, lambda tmp: create(tmp, data))

    def copy(self, file: str, source: Path) -> None:
        if not (live_has(self.present, self.output, file, source.stat().st_size,
                         source.read_bytes) and self.keep(file)):
            self._stage(file, lambda tmp: create_copy(tmp, source))

    def read(self, file: str) -> bytes:
        """The bytes the file will have once published."""
        return self.path(file).read_bytes()

    def size(self, file: str) -> int:
        """Bytes of a file the site will have (written or kept)."""
        return self.stats[file][0]

    def path(self, file: str) -> Path:
        """Where the staged file is now."""
        return Path(self.root, file)

    def _stage(self, file: str, make: Callable[[str], os.stat_result]) -> None:
        target = self._path(file)
        self.changed += 1
        self.staged.add(file)
        self._replace(file, target, make)

    def commit(self) -> None:
        """Drops what the new site lacks, then swaps the spare in as the output."""
        for file in self.spare:
            if file not in self.written:
                # Gone already with a folder that had to become a file.
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.root, file))
        needed = {"/".join(f.split("/")[:i]) for f in self.written
                  for i in range(1, f.count("/") + 1)}
        for folder in sorted(self.folders - needed, key=len):
            path = os.path.join(self.root, folder)
            if os.path.isdir(path):
                shutil.rmtree(path)
        if not self.output.exists() and not self.output.is_symlink():
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.renames.next()
            os.rename(self.root, self.output)
            return
        if not self.output.is_dir() or self.output.is_symlink():
            raise FileExistsError(f"{self.output} exists and is not a folder")
        self.renames.next()
        if not exchange(self.root, self.output):
            old = self.output.with_name("." + self.output.name + OLD_SUFFIX)
            discard(old)
            os.rename(self.output, old)
            self.renames.next()
            os.rename(self.root, self.output)
            self.renames.next()
            os.rename(old, self.root)

    def rollback(self) -> None:
        """Nothing to undo: only the spare was touched, and the next build repairs it."""
