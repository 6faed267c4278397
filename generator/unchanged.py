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


def inputs_key(root: Path, template_dirs: list[Path], options: str) -> str:
    """Hash of code, options, site.toml, templates and every file under content/
    (article files by their bytes, images and other files by size and mtime)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{code_key()}\x1f{options}\x1f{folder_key(template_dirs)}\x1f".encode())
    try:
        h.update((root / "site.toml").read_bytes())
    except OSError:
        h.update(b"\x00no site.toml")
    content = root / "content"
    for folder, dirs, files in os.walk(content):
        dirs.sort()
        h.update(f"\x1e{folder}".encode("utf-8", "surrogateescape"))
        for name in sorted(files):
            path = os.path.join(folder, name)
            h.update(f"\x1f{name}\x1f".encode("utf-8", "surrogateescape"))
            try:
                if name.endswith(".md"):
                    with open(path, "rb") as file:
                        h.update(hashlib.blake2b(file.read(), digest_size=16).digest())
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
