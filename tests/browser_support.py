"""Helpers for the browser tests: the built sample site served on 127.0.0.1 and a
headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VNU_JAR = Path(__file__).parent / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


def require(available: bool, what: str) -> None:
    """Skips when a tool is missing on a developer machine; in CI a missing tool fails."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI (tests/setup.sh installs it)")
    pytest.skip(f"{what} is not installed (run tests/setup.sh)")


def require_chromium() -> None:
    require(CHROMIUM.is_file(), str(CHROMIUM))


def require_vnu() -> None:
    require(shutil.which("java") is not None and VNU_JAR.is_file(), "java + vnu.jar")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serves `folder` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
