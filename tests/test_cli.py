"""The `berita` command as operators and CI call it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import main
from tests.conftest import BASIC_TOML, REPO, article

ENGLISH_TOML = BASIC_TOML.replace("[site]\n", '[site]\nlanguage = "en"\n', 1)


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
    assert "content/a.md:1: date: kolom wajib belum ada" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("toml", "flags", "english"), [
    (BASIC_TOML, [], False), (BASIC_TOML, ["--lang", "en"], True),
    (ENGLISH_TOML, [], True), (ENGLISH_TOML, ["--lang", "id"], False),
], ids=["default Indonesian", "--lang en", "site.language en", "--lang id over the site"])
def test_build_and_check_speak_the_operators_language(make_site, toml, flags, english):
    mistake = "---\ntitle: A\noffice: kpu-kabupaten-blora\n---\nIsi.\n"  # no date
    root = make_site({"content/a.md": mistake}, toml=toml)
    built = CliRunner().invoke(main, ["build", "-s", str(root), *flags])
    checked = CliRunner().invoke(main, ["check", "-s", str(root), *flags])
    assert built.exit_code == 1 and checked.exit_code == 1
    assert "Traceback" not in built.output + checked.output
    if english:
        assert "content/a.md:1: date: required field is missing" in built.output
        assert "Build stopped: 1 error found; the site published before is unchanged." \
            in built.output
        assert "content/a.md:1: date: required field is missing" in checked.output
        assert checked.output.rstrip().endswith("1 error, 0 warnings.")
        assert "kolom wajib" not in built.output + checked.output
    else:
        assert "content/a.md:1: date: kolom wajib belum ada" in built.output
        assert "Build dibatalkan: 1 kesalahan ditemukan; hasil terbitan sebelumnya tidak " \
            "diubah." in built.output
        assert "content/a.md:1: date: kolom wajib belum ada" in checked.output
        assert checked.output.rstrip().endswith("1 kesalahan, 0 peringatan.")
        assert "required field" not in built.output + checked.output


def test_the_build_summary_speaks_the_operators_language(make_site, tmp_path):
    root = make_site({"content/a.md": article(), "content/b.md": article("Draf", draft="true")})
    out = ["-o", str(tmp_path / "out")]
    english = CliRunner().invoke(main, ["build", "-s", str(root), *out, "--lang", "en"])
    assert english.exit_code == 0, english.output
    assert "skipped: content/b.md: " in english.output
    assert "(use --drafts or --future to publish them too)" in english.output
    assert re.search(r"^1 article, \d+ pages written \(\d+ changed\), 1 skipped, 0 warnings, "
                     r"\d+\.\d\d seconds -> ", english.output, re.M), english.output
    indonesian = CliRunner().invoke(main, ["build", "-s", str(root), *out])
    assert "dilewati: content/b.md: draf (draft: true)" in indonesian.output
    assert "(gunakan --drafts atau --future untuk ikut menerbitkannya)" in indonesian.output
    assert re.search(r"^1 berita, \d+ halaman ditulis \(\d+ berubah\), 1 dilewati, "
                     r"0 peringatan, \d+\.\d\d detik -> ", indonesian.output, re.M)


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
