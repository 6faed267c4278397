"""What a build is asked to do and what it reports: `BuildOptions`, `BuildResult` and
`Skipped`.

A module of their own, below every stage: build.py (the no-op check), make.py (the
stages), unchanged.py (the summary a no-op build reports again), cli.py, serve.py and
check.py all speak of them, and make.py must not import build.py, which imports make.py
(lazily, once the no-op check has failed). It imports nothing of the build machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.problems import Problem

__all__ = ["BuildOptions", "BuildResult", "Skipped"]


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    """Publish articles with draft: true."""
    future: bool = False
    """Publish articles dated after `now`."""
    base_url: str | None = None
    """Overrides site.base_url (e.g. for a preview deployment)."""
    search: bool = True
    """Build the Pagefind index (also needs site.search); --no-search turns it off."""
    strict: bool = False
    """Fail on warnings too."""
    now: datetime | None = None
    """The moment that decides what is 'in the future'; default: the real now."""
    preview: bool = False
    """A preview for `berita serve`: drafts and scheduled articles are marked as such."""
    cache: bool = True
    """Reuse and update the build cache in <site>/.berita-cache/ (safe to delete)."""
    jobs: int | None = None
    """Worker processes for Markdown and pages; default: one per CPU."""
    wait_seconds: float | None = None
    """How long to wait for another build of the same site or output (see lock.py);
    None: as long as it takes, 0: not at all."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    until: datetime | None = None
    """For an article held back for its date: when it falls due."""


@dataclass
class BuildResult:
    output: Path
    articles: int = 0
    pages: int = 0
    files_changed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    """Every problem found (errors too, for a dry run)."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Bytes of each file a dry run would have published."""
    rendered: int = 0
    """Pages rendered this time; the others were unchanged and reused."""
