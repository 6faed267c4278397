"""`Page`: one file of output, as planned.

A module of its own, below pages.py, feeds.py and crawlers.py: feeds and crawlers make
Pages, and pages.plan asks them for theirs (beside the HTML pages it makes), so Page
cannot live in pages.py without an import cycle. The stages that render, fingerprint
and publish pages (render, incremental, publish, quick, lean) need only this type, not
the planning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Page"]


@dataclass(frozen=True)
class Page:
    """One file of output: a route, the template that renders it, and its data."""

    route: str
    template: str
    context: dict[str, Any] = field(repr=False)
