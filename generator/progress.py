"""How the long stages report how far they are."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

Progress = Callable[[str, Sequence], Iterable]
"""progress(label, items) -> the same items, reporting as they are consumed."""


def no_progress(label: str, items: Sequence) -> Iterable:
    return items
