"""Staging a small change: new files beside the output, then moved into it by a journal.

The spare (spare.SpareStaging) publishes any build in one atomic swap, but bringing it
up to date costs a directory entry per page of the site, and after a cold build it
holds nothing: on this kind of disk that is seconds for a one-article edit of a
10,000-article site. When a build changes only a few files, they are staged here
instead: written as flat files in `.<output>.patch/`, checked like any build, and only
then moved into the live output one rename at a time (each page is replaced whole, and
the whole set within milliseconds). Before the first rename the list of moves is
written to a journal; a build killed in those milliseconds leaves the journal, and the
next build finishes the moves before anything else, so the output always ends up as
one build made it. A failed build only ever wrote into the patch folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from generator.staging import faults
from generator.staging.output import (
    UnsafePath,
    check_relative,
    create,
    create_copy,
    discard,
    live_has,
    safe_relative,
)

PATCH_SUFFIX = ".patch"
JOURNAL = "journal"
"""Lines of "<staged name>\\t<output path>" (a move) or "-\\t<output path>" (a removal)."""


def patch_folder(output: Path) -> Path:
    output = output.absolute()
    return output.with_name("." + output.name + PATCH_SUFFIX)


def finish_interrupted(output: Path) -> None:
    """Completes the moves of a build killed while applying its journal; removes what a
    failed or killed build left in the patch folder otherwise.

    A journal none of whose moves was made yet is dropped, not applied: the output is
    still exactly what the last finished build published, and the inputs may have
    changed back since (an edit reverted): applying it would publish what nobody asked
    for any more, even from a build that then fails."""
    folder = patch_folder(output)
    journal = folder / JOURNAL
    if journal.is_file() and not journal.is_symlink():
        text = journal.read_text(encoding="utf-8")
        if _begun(output.absolute(), folder, text):
            _apply(output.absolute(), folder, text, faults.Renames(None))
    discard(folder)


def _begun(output: Path, folder: Path, journal: str) -> bool:
    """Whether any move or removal of `journal` was made (see _apply's order)."""
    for line in journal.splitlines():
        name, _, file = line.partition("\t")
        if not file:
            continue
        if name == "-":
            try:
                target = os.path.join(output, *safe_relative(file).parts)
            except UnsafePath:
                continue
            if not os.path.lexists(target):
                return True
        elif not os.path.lexists(os.path.join(folder, name)):
            return True
    return False


def free_space(output: Path) -> None:
    """Removes what builds keep beside the output to be faster (the spare copy, a patch
    folder without a journal to finish), to give a full disk its space back."""
    from generator.staging.spare import spare_folder

    discard(spare_folder(output))
    folder = patch_folder(output)
    if not (folder / JOURNAL).is_file():
        discard(folder)


class PatchStaging:
    """Staging with SpareStaging's interface for a build that changes few files."""

    def __init__(self, output: Path, present: dict[str, tuple[int, int, int]]) -> None:
        self.output = output.absolute()
        self.present = present
        """The live output's files (see spare.listing)."""
        self.root = patch_folder(self.output)
        discard(self.root)
        self.root.mkdir(parents=True)
        self.written: set[str] = set()
        self.staged: set[str] = set()
        """Files with new bytes, waiting in the patch folder."""
        self.changed = 0
        self.stats: dict[str, tuple[int, int, int]] = {}

    def keep(self, file: str) -> bool:
        """The live file stays as it is."""
        live = self.present.get(file)
        if live is None:
            return False
        check_relative(file)
        self.written.add(file)
        self.stats[file] = live
        return True

    def write(self, file: str, data: bytes) -> None:
        if not (live_has(self.present, self.output, file, len(data), lambda: data)
                and self.keep(file)):
            self._stage(file, lambda path: create(path, data))

    def copy(self, file: str, source: Path) -> None:
        if not (live_has(self.present, self.output, file, source.stat().st_size,
                         source.read_bytes) and self.keep(file)):
            self._stage(file, lambda path: create_copy(path, source))

    def read(self, file: str) -> bytes:
        """The bytes the file will have once published."""
        return self.path(file).read_bytes()

    def size(self, file: str) -> int:
        """Bytes of a file the site will have (written or kept)."""
        return self.stats[file][0]

    def path(self, file: str) -> Path:
        """Where the file's bytes to publish are now: the patch folder, or the output."""
        if file in self.staged:
            return Path(self.root, staged_name(file))
        return Path(self.output, file)

    def _stage(self, file: str, make: Callable[[str], object]) -> None:
        check_relative(file)
        path = os.path.join(self.root, staged_name(file))
        if os.path.lexists(path):
            os.unlink(path)
        make(path)
        info = os.lstat(path)
        self.stats[file] = (info.st_size, info.st_mtime_ns, info.st_ino)
        self.written.add(file)
        self.staged.add(file)
        self.changed += 1

    def commit(self) -> None:
        """Writes the journal, then moves the staged files in and removes the files the
        new site lacks."""
        lines = [f"{staged_name(file)}\t{file}" for file in sorted(self.staged)]
        lines += [f"-\t{file}" for file in sorted(set(self.present) - self.written)]
        journal = self.root / JOURNAL
        with open(journal, "x", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _apply(self.output, self.root, journal.read_text(encoding="utf-8"),
               faults.from_environment())
        discard(self.root)

    def rollback(self) -> None:
        discard(self.root)


def staged_name(file: str) -> str:
    """A flat, fixed-length name for an output path (paths may be long or nested)."""
    return hashlib.blake2b(file.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _apply(output: Path, folder: Path, journal: str, renames: faults.Renames) -> None:
    """Carries out a journal; safe to repeat (a move already done is skipped)."""
    removed_from: set[str] = set()
    for line in journal.splitlines():
        name, _, file = line.partition("\t")
        if not file:
            continue
        try:
            relative = safe_relative(file)
        except UnsafePath:
            continue  # never written by a build: a journal tampered with
        target = os.path.join(output, *relative.parts)
        if name == "-":
            if os.path.lexists(target) and not os.path.isdir(target):
                os.unlink(target)
                removed_from.add(os.path.dirname(target))
            continue
        staged = os.path.join(folder, name)
        if not os.path.lexists(staged):
            continue  # moved before the interruption
        _make_parents(output, relative.parts[:-1])
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)  # a folder where the file must be
        renames.next()
        os.replace(staged, target)
    for parent in sorted(removed_from, key=len, reverse=True):
        _remove_empty(output, parent)


def _make_parents(output: Path, parts: tuple[str, ...]) -> None:
    """Creates the folders under the output; a file or link in the way is replaced,
    never followed."""
    path = str(output)
    for part in parts:
        path = os.path.join(path, part)
        if os.path.islink(path) or os.path.isfile(path):
            os.unlink(path)
        if not os.path.isdir(path):
            os.mkdir(path)


def _remove_empty(output: Path, folder: str) -> None:
    """Removes folders left empty by removals, up to (not including) the output."""
    top = str(output)
    while folder.startswith(top + os.sep):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = os.path.dirname(folder)
