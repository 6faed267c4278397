"""Drafts and embargoed (future-dated) articles: what is published when.

A static host cannot publish an article by itself when its time comes, so each
build writes `.berita/schedule.json`: when the next held-back article falls due.
A scheduled CI job reads it from the live site and rebuilds once that moment has
passed (see docs/ci-schedule.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from generator.content import Article

SCHEDULE_FILE = ".berita/schedule.json"

Status = Literal["", "draft", "scheduled"]


def current_time(now: datetime | None = None) -> datetime:
    """The moment that decides what is 'in the future': always aware."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("'now' must carry a time zone")
    return now


def status(article: Article, now: datetime) -> Status:
    """"draft", "scheduled" (dated after `now`), or "" for a published article."""
    if article.draft:
        return "draft"
    if article.date > now:
        return "scheduled"
    return ""


def schedule_json(held_back: Iterable[datetime]) -> bytes:
    """The machine-readable schedule: when each article this build held back for its
    date falls due, soonest first, and the soonest as "next" (null when none).

    Only times are listed, never titles or addresses: the file is public and an
    embargoed article must not leak through it.
    """
    times = [moment.isoformat() for moment in sorted(held_back, key=lambda m: m.timestamp())]
    # No build time in here: an unchanged site must give unchanged files.
    document = {
        "next": times[0] if times else None,
        "scheduled": times,
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")
