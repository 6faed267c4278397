"""`berita init`: a working site for one office, from flags or (with no terminal) the
defaults; the time zone follows the province; nothing is ever overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path

import frontmatter
import pytest
import yaml
from click.testing import CliRunner

from generator import build, init
from generator.cli import main
from generator.config import load


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


def test_with_no_terminal_the_defaults_make_a_site_that_builds(tmp_path: Path) -> None:
    folder = tmp_path / "situs"
    code, output = run(str(folder))
    assert code == 0, output
    assert "KPU Provinsi DKI Jakarta" in output and "WIB" in output
    config, problems = load(folder)
    assert config is not None and not problems
    [office] = config.offices
    assert (office.name, office.level, office.timezone) == \
        ("KPU Provinsi DKI Jakarta", "provinsi", "Asia/Jakarta")
    assert config.site.owner == office.slug
    assert (folder / "templates").is_dir()
    result = build.run(folder, folder / "public")  # the default build: search on
    assert result.articles == 1
    assert (folder / "public" / "pagefind" / "pagefind.js").is_file()
    assert list((folder / "public" / "berita").glob("*/index.html"))


@pytest.mark.parametrize(("province", "zone"), [
    ("Sulawesi Selatan", "Asia/Makassar"), ("papua pegunungan", "Asia/Jayapura"),
    ("Kalimantan Barat", "Asia/Pontianak"), ("Bali", "Asia/Makassar"),
    ("Yogyakarta", "Asia/Jakarta"), ("Maluku Utara", "Asia/Jayapura")])
def test_the_time_zone_follows_the_province(tmp_path: Path, province: str, zone: str) -> None:
    code, output = run(str(tmp_path), "--level", "kabupaten", "--province", province,
                       "--region", "Contoh")
    assert code == 0, output
    config = tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))
    assert config["site"]["timezone"] == zone
    assert config["offices"][0]["timezone"] == zone
    assert config["offices"][0]["name"] == "KPU Kabupaten Contoh"


def test_every_province_has_a_zone_of_the_three() -> None:
    assert len(init.PROVINCES) == 38
    assert {init.ZONE_NAMES[zone] for zone in init.PROVINCES.values()} == {"WIB", "WITA", "WIT"}


def test_a_kota_office_with_its_answers_as_flags(tmp_path: Path) -> None:
    code, output = run("-s", str(tmp_path), "--level", "kota", "--province", "Jawa Tengah",
                       "--region", "Kota Semarang", "--title", "Warta KPU Semarang",
                       "--base-url", "https://kpu-semarang.example/berita")
    assert code == 0, output
    config, problems = load(tmp_path)
    assert config is not None and not problems
    assert config.offices[0].name == "KPU Kota Semarang"
    assert config.offices[0].slug == "kpu-kota-semarang"
    assert config.site.title == "Warta KPU Semarang"
    assert config.site.base_url == "https://kpu-semarang.example/berita/"


def test_the_example_article_is_dated_in_the_office_zone(tmp_path: Path) -> None:
    code, _ = run(str(tmp_path), "--province", "Papua")
    assert code == 0
    [article] = (tmp_path / "content").rglob("*.md")
    post = frontmatter.load(article)
    assert post["office"] == "kpu-provinsi-papua"
    assert post["tags"] == ["pengumuman"]
    assert "WIT" in post.content
    assert article.parent.parent.name == "kpu-provinsi-papua"


def test_the_git_and_ci_files_come_with_it(tmp_path: Path) -> None:
    assert run(str(tmp_path))[0] == 0
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").split()
    assert {"public/", ".berita-cache/"} <= set(ignored)
    workflows = tmp_path / ".github" / "workflows"
    publish = yaml.safe_load((workflows / "terbitkan.yml").read_text(encoding="utf-8"))
    scheduled = yaml.safe_load((workflows / "terjadwal.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for step in publish["jobs"]["publish"]["steps"]]
    assert any(step.startswith("berita build") for step in steps)
    assert "schedule" in scheduled[True]  # YAML 1.1 reads the key `on` as True
    assert scheduled["jobs"]["publish"]["needs"] == "check"
    checked = yaml.safe_load((workflows / "periksa.yml").read_text(encoding="utf-8"))
    assert "pull_request" in checked[True]
    assert "berita check --strict" in [step.get("run") for step in
                                       checked["jobs"]["check"]["steps"]]


def test_a_kabupaten_needs_its_name(tmp_path: Path) -> None:
    code, output = run(str(tmp_path), "--level", "kabupaten")
    assert code == 1
    assert "--region" in output and "Gagal" in output
    assert not (tmp_path / "site.toml").exists()


def test_an_unknown_province_is_named_with_suggestions(tmp_path: Path) -> None:
    code, output = run(str(tmp_path), "--province", "Sulawesi")
    assert code == 1
    assert "tidak dikenal" in output and "Sulawesi Selatan" in output
    assert not list(tmp_path.iterdir())


def test_an_existing_site_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text("# milik operator\n", encoding="utf-8")
    code, output = run(str(tmp_path))
    assert code == 1 and "sudah ada" in output
    assert (tmp_path / "site.toml").read_text(encoding="utf-8") == "# milik operator\n"


def test_an_existing_file_stops_it_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("milik-saya/\n", encoding="utf-8")
    code, output = run(str(tmp_path))
    assert code == 1 and ".gitignore" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore"]


def test_with_a_terminal_it_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.cli.interactive", lambda: True)
    result = CliRunner().invoke(main, ["init", str(tmp_path)],
                                input="kabupaten\nAtlantis\nJawa Tengah\nBlora\n\n")
    assert result.exit_code == 0, result.output
    assert "tidak dikenal" in result.output  # Atlantis, then asked again
    config, _ = load(tmp_path)
    assert config is not None
    assert config.offices[0].name == "KPU Kabupaten Blora"
    assert config.offices[0].timezone == "Asia/Jakarta"


def test_with_cms_the_site_publishes_its_editor(tmp_path: Path) -> None:
    code, output = run(str(tmp_path), "--cms", "github", "--repo", "kpu-blora/berita")
    assert code == 0, output
    config, problems = load(tmp_path)
    assert config is not None and not problems, problems
    assert config.cms is not None
    assert (config.cms.backend, config.cms.repo, config.cms.branch) == \
        ("github", "kpu-blora/berita", "main")
    build.run(tmp_path, tmp_path / "public", build.BuildOptions(search=False))
    assert (tmp_path / "public/admin/config.yml").is_file()
    assert (tmp_path / "public/admin/decap/decap-cms.js").is_file()


def test_without_cms_no_editor_is_published(tmp_path: Path) -> None:
    assert run(str(tmp_path), "--cms", "none")[0] == 0
    config, _ = load(tmp_path)
    assert config is not None and config.cms is None


@pytest.mark.parametrize("args", [("--cms", "github"), ("--cms", "gitlab", "--repo", "berita")])
def test_a_github_or_gitlab_editor_needs_the_repository(tmp_path: Path,
                                                        args: tuple[str, ...]) -> None:
    code, output = run(str(tmp_path / "situs"), *args)
    assert code == 1 and "--repo kpu-blora/berita" in output
    assert not (tmp_path / "situs").exists()  # nothing written


def test_git_gateway_needs_no_repository(tmp_path: Path) -> None:
    assert run(str(tmp_path), "--cms", "git-gateway")[0] == 0
    config, _ = load(tmp_path)
    assert config is not None and config.cms is not None
    assert (config.cms.backend, config.cms.repo) == ("git-gateway", "")
