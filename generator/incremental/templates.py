"""Compiled templates kept between builds (Jinja's bytecode cache), under a key of what
the compiled code folds in."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2

from generator.incremental.cache import code_key, digest
from generator.urls import Links


def compiled_folder(cache_dir: Path, links: Links) -> Path:
    """Where compiled templates are kept between builds: compiling the theme costs a
    fresh process more than rendering a few pages. Jinja checks each template's source
    itself; what the compiled code holds besides (interface strings and links worked
    out at compile time, Jinja's own version) is in the folder's name. Folders of other
    keys are removed."""
    key = digest(code_key(), jinja2.__version__, links.base_url)
    parent = cache_dir / "templates"
    folder = parent / key
    if parent.is_dir():
        for old in parent.iterdir():
            if old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
