"""Shared fixtures: sample sites under tests/sites/, scratch sites in tmp_path, and
helpers that build a site and parse what it made."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import build

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
REPO = TESTS.parent
# A fixed "now" keeps tests independent of the day they run on.
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

BASIC_TOML = """\
[site]
title = "Berita Uji"
base_url = "https://uji.kpu.example/"
per_page = 10

[[offices]]
slug = "kpu-provinsi-jawa-tengah"
name = "KPU Provinsi Jawa Tengah"
level = "provinsi"
timezone = "Asia/Jakarta"

[[offices]]
slug = "kpu-kabupaten-blora"
name = "KPU Kabupaten Blora"
level = "kabupaten"
parent = "kpu-provinsi-jawa-tengah"
timezone = "Asia/Jakarta"

[[offices]]
slug = "kpu-kabupaten-luwu-timur"
name = "KPU Kabupaten Luwu Timur"
level = "kabupaten"
timezone = "Asia/Makassar"
"""


def article(title: str = "Berita Uji", date: str = "2024-09-06 10:00",
            office: str = "kpu-kabupaten-blora", body: str = "Isi berita.", **fields: str
            ) -> str:
    """The text of an article file with the given front matter."""
    lines = [f"title: {title}", f"date: {date}", f"office: {office}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """make_site({"content/a.md": text, ...}, toml=...) -> a site folder in tmp_path."""

    def make(files: dict[str, str | bytes], toml: str = BASIC_TOML) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "site.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
        (root / "content").mkdir(exist_ok=True)
        for name, data in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return root

    return make


@pytest.fixture
def copy_site(tmp_path: Path) -> Callable[[str], Path]:
    """copy_site("basic") -> a scratch copy of tests/sites/basic."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SITES / name, target, symlinks=True)
        return target

    return copy


def run_build(root: Path, out: Path | None = None, **options: object) -> build.BuildResult:
    options.setdefault("now", NOW)
    return build.run(root, out or root / "public", build.BuildOptions(**options))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree_digest(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes, for before/after comparisons."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def basic_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/basic built once per test module: its public/ folder (read only)."""
    root = tmp_path_factory.mktemp("basic") / "basic"
    shutil.copytree(SITES / "basic", root, symlinks=True)
    run_build(root)
    return root / "public"
