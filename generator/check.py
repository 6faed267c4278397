"""`berita check`: every stage of a build, published nowhere; every problem reported.

The build runs as a dry run (pages rendered into `output.Discard`, so no folder is
created or touched), then each check in `CHECKS` looks at what would have been
published. A broken internal link or a missing image is a warning to `berita build`
(the news still goes out) but an error here: `check` is what CI runs to stop them.
Exit codes: 0 clean (warnings alone do not fail), 1 errors, 3 warnings under --strict
(2 stays click's: a mistake on the command line).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import build
from generator.messages import DEFAULT_LANGUAGE, msg, msg_n, say
from generator.problems import BuildFailed, Problem, errors, sort_key, warnings

EXIT_CLEAN, EXIT_ERRORS, EXIT_STRICT_WARNINGS = 0, 1, 3
FAILING = frozenset({"link", "image"})
"""Fields of the warnings that are errors to `check`: a dead link, a missing image."""


@dataclass(frozen=True)
class Inspection:
    """What a check receives: the site folder and the finished dry run."""

    root: Path
    result: build.BuildResult
    """result.sizes holds the bytes of every file that would be published."""


Check = Callable[[Inspection], list[Problem]]

CHECKS: tuple[Check, ...] = ()
"""Checks over the finished dry run, beyond the ones every build makes (content,
config, templates, internal links, images, script in bodies). A check that needs the
rendered output (a page-weight budget, say) is a function Inspection -> [Problem]
added here."""


@dataclass(frozen=True)
class Report:
    problems: list[Problem]
    strict: bool

    @property
    def exit_code(self) -> int:
        if errors(self.problems):
            return EXIT_ERRORS
        if self.strict and warnings(self.problems):
            return EXIT_STRICT_WARNINGS
        return EXIT_CLEAN

    def as_json(self, language: str = DEFAULT_LANGUAGE) -> str:
        return json.dumps([p.to_dict(language) for p in self.problems], ensure_ascii=False,
                          indent=2)

    def as_text(self, language: str = DEFAULT_LANGUAGE) -> str:
        lines = [p.describe(language) for p in self.problems]
        count_errors, count_warnings = len(errors(self.problems)), len(warnings(self.problems))
        if not self.problems:
            lines.append(say(msg("No problems found."), language))
        else:
            lines.append(say(msg("{errors}, {warnings}.",
                                 errors=msg_n("{count} error", "{count} errors", count_errors),
                                 warnings=msg_n("{count} warning", "{count} warnings",
                                                count_warnings)), language))
        return "\n".join(lines)


def run(root: Path, strict: bool = False, checks: Sequence[Check] = CHECKS,
        options: build.BuildOptions | None = None) -> Report:
    """Checks the site in `root` without writing anything."""
    options = options or build.BuildOptions(strict=strict)
    try:
        result = build.run(root, None, options, dry_run=True)
    except BuildFailed as failed:  # site.toml unusable: nothing further can be checked
        return Report(failed.problems, strict)
    problems = [dataclasses.replace(p, severity="error") if p.field in FAILING else p
                for p in result.problems]
    inspection = Inspection(root.absolute(), result)
    for check in checks:
        problems += check(inspection)
    return Report(sorted(set(problems), key=sort_key), strict)
