"""A test-only way to kill a build at an exact step of its publication.

With BERITA_KILL_AT_RENAME=N in the environment, a build's process kills itself
(SIGKILL: no cleanup, as when a CI runner is stopped) just before its rename number N
(0: before the first) while staging or publishing: the fault-injection tests use it to
prove that the first build afterwards always recovers. Without the variable nothing
happens. Each staging owns its own count: no state outside it.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

VARIABLE = "BERITA_KILL_AT_RENAME"


@dataclass
class Renames:
    """The renames a staging may still make before it is killed (None: no limit)."""

    left: int | None

    def next(self) -> None:
        """Called before each rename."""
        if self.left is None:
            return
        if self.left <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        self.left -= 1


def from_environment() -> Renames:
    value = os.environ.get(VARIABLE, "")
    return Renames(int(value) if value.isdigit() else None)
