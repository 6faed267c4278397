"""The `berita` command as operators and CI call it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import main
from tests.conftest import REPO, article


def commands(group=main, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from commands(command, (*prefix, name))


@pytest.mark.parametrize("command", [(), *commands()], ids=lambda c: " ".join(c) or "berita")
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


@pytest.mark.parametrize("command", list(commands()), ids=" ".join)
def test_every_command_takes_a_site_folder(command):
    target = main
    for name in command:
        target = target.commands[name]
    if hasattr(target, "commands"):
        return
    flags = {opt for param in target.params for opt in getattr(param, "opts", [])}
    assert {"-s", "--site"} <= flags


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_build_success_and_summary(make_site, tmp_path):
    root = make_site({"content/a.md": article()})
    result = CliRunner().invoke(main, ["build", "-s", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "1 berita" in result.output
    assert (tmp_path / "out/berita/berita-uji/index.html").exists()


def test_build_errors_exit_1_without_traceback(make_site):
    root = make_site({"content/a.md": "---\ntitle: A\n---\n"})
    result = CliRunner().invoke(main, ["build", "-s", str(root)])
    assert result.exit_code == 1
    assert "content/a.md:1: date: required field is missing" in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2():
    result = CliRunner().invoke(main, ["build", "--no-such-flag"])
    assert result.exit_code == 2


def test_python_dash_m_defaults_to_the_current_folder(tmp_path):
    out = tmp_path / "public"
    done = subprocess.run([sys.executable, "-m", "generator", "build", "-q", "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert (out / "index.html").exists()
