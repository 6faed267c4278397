"""The search index: Pagefind run over the staged pages, before they are published.

Pages opt in with `data-pagefind-body` (articles that are not drafts), so lists, the
search page itself and draft previews are never indexed. A failing indexer raises
BuildFailed while the pages are still in staging: the published output stays as it was.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from generator.output import Staging
from generator.problems import BuildFailed, Problem

BUNDLE = "pagefind"
"""Folder of the index inside the output: /pagefind/pagefind.js and its fragments."""
LANGUAGE = "id"


def command(site: Path, bundle: Path) -> list[str]:
    """The Pagefind command line (the binary bundled by the `pagefind[bin]` wheel)."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path",
            str(bundle), "--force-language", LANGUAGE, "--quiet"]


def index(staging: Staging) -> int:
    """Indexes the staged HTML and stages the bundle under /pagefind/; returns how many
    files the bundle has."""
    with tempfile.TemporaryDirectory(prefix="berita-pagefind-") as folder:
        bundle = Path(folder) / BUNDLE
        try:
            done = subprocess.run(command(staging.root, bundle), capture_output=True,
                                  text=True, check=False)
        except OSError as exc:
            raise BuildFailed([_problem(f"cannot run Pagefind: {exc}")]) from exc
        if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
            output = (done.stderr or done.stdout).strip().splitlines()
            detail = output[-1] if output else f"exit code {done.returncode}"
            raise BuildFailed([_problem(f"Pagefind failed: {detail}")])
        files = sorted(p for p in bundle.rglob("*") if p.is_file())
        for file in files:
            staging.copy(f"{BUNDLE}/{file.relative_to(bundle).as_posix()}", file)
        return len(files)


def _problem(message: str) -> Problem:
    return Problem("site.toml", None, "site.search", message,
                   'pip install "pagefind[bin]", or search = false / --no-search')
