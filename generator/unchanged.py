"""The no-op build: when nothing a build reads has changed since the last build into
the same output folder, and that folder is as the build left it, there is nothing to do.

Deciding that costs reading every file under content/ once (to hash it) and listing
the output folder, with no YAML, Markdown or Jinja at all.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.cache import BuildCache, code_key, folder_key
from generator.content import Article
from generator.problems import Problem


@dataclass(frozen=True)
class Summary:
    """What a build reports, kept so that a no-op build can report the same."""

    articles: int
    pages: int
    skipped: list = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    valid_until: datetime | None = None
    """The date of the first scheduled article: from then on the site changes."""


def inputs_key(root: Path, template_dirs: list[Path], options: str, output: Path,
               digests: dict[str, str] | None = None) -> str:
    """Hash of code, options, the theme and every file of the site folder (Markdown
    by its bytes, any other file by size and mtime), leaving out the output folder,
    hidden folders (the cache, the spare, .git) and __pycache__: whatever input a
    build reads lies in there. `digests` receives each Markdown file's hash by path,
    so that the build need not read the file again."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{code_key()}\x1f{options}\x1f{folder_key(template_dirs[-1:])}\x1f".encode())
    skip = os.path.abspath(output)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                         and os.path.join(folder, d) != skip)
        h.update(f"\x1e{folder}".encode("utf-8", "surrogateescape"))
        for name in sorted(files):
            path = os.path.join(folder, name)
            h.update(f"\x1f{name}\x1f".encode("utf-8", "surrogateescape"))
            try:
                if name.endswith((".md", ".toml")):
                    with open(path, "rb") as file:
                        file_hash = hashlib.blake2b(file.read(), digest_size=16)
                    h.update(file_hash.digest())
                    if digests is not None:
                        digests[path] = file_hash.hexdigest()
                else:
                    info = os.stat(path)
                    h.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
            except OSError as exc:
                h.update(f"unreadable {exc.errno}".encode())
    return h.hexdigest()


def last_result(cache: BuildCache, output: Path, key: str, now: datetime) -> Summary | None:
    """The summary of the last build when it was made from the same inputs, is still
    valid at `now`, and its output folder is untouched; else None."""
    from generator.publish import output_intact

    summary = cache.last_build(output, key)
    if not isinstance(summary, Summary):
        return None
    if summary.valid_until is not None and now >= summary.valid_until:
        return None
    return summary if output_intact(output, cache) else None


def first_after(articles: Iterable[Article], now: datetime) -> datetime | None:
    """The earliest article date after `now`: when a scheduled article becomes due."""
    return min((a.date for a in articles if a.date > now), default=None)
