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

from generator.messages import DEFAULT_LANGUAGE, msg, msg_n, say

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
        return self.describe()

    def describe(self, language: str = DEFAULT_LANGUAGE) -> str:
        """`file:line: field: message (expected ...)` in `language`."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        parts = [where]
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + ": " + say(self.message, language)
        if self.expected:
            text += say(msg(" (expected {expected})", expected=self.expected), language)
        if self.severity == "warning":
            text = say(msg("warning: {problem}", problem=text), language)
        return text

    def to_dict(self, language: str = DEFAULT_LANGUAGE) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": say(self.message, language),
            "expected": say(self.expected, language) if self.expected else None,
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
        # One mistake met by many pages (a template's) is one problem.
        self.problems = sorted(set(problems), key=sort_key)
        count = len(errors(self.problems))
        self.headline = headline or msg_n(
            "Build stopped: {count} error found; the site published before is unchanged.",
            "Build stopped: {count} errors found; the site published before is unchanged.",
            count)
        self.language = DEFAULT_LANGUAGE
        """The operator's (see speak)."""
        super().__init__(self.headline)

    def speak(self, language: str) -> BuildFailed:
        """This failure, to be shown in `language`."""
        self.language = language
        return self

    def format_message(self) -> str:
        return "\n".join([*(p.describe(self.language) for p in self.problems),
                          say(self.headline, self.language)])

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True, file=file)
