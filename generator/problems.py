"""Problems found in an operator's input, and the one exception that reports them.

Every stage returns `Problem`s instead of raising on the first one, so an
operator sees every mistake at once; the build decides once, at the end,
whether they are fatal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import click

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    """File the problem is in, relative to the site folder (POSIX separators)."""
    line: int | None
    """1-based line in that file, or None when the whole file is meant."""
    field: str | None
    """Front-matter field or config key, or None."""
    message: str
    """What is wrong, in plain words."""
    expected: str | None = None
    """What would have been right."""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        parts = [where]
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + ": " + self.message
        if self.expected:
            text += f" (expected {self.expected})"
        if self.severity == "warning":
            text = "peringatan: " + text
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "expected": self.expected,
            "severity": self.severity,
        }


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def sort_key(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.field or "", problem.message)


class BuildFailed(click.ClickException):
    """The input has problems; nothing was published. Prints them without a traceback."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem], headline: str | None = None) -> None:
        self.problems = sorted(problems, key=sort_key)
        count = len(errors(self.problems))
        self.headline = headline or (
            f"Build dibatalkan: {count} kesalahan ditemukan; "
            "hasil terbitan sebelumnya tidak diubah."
        )
        super().__init__(self.headline)

    def format_message(self) -> str:
        return "\n".join([*(str(p) for p in self.problems), self.headline])

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True, file=file)
