from pathlib import Path

from generator import config
from tests.conftest import BASIC_TOML, REPO


def load_text(tmp_path: Path, text: str | bytes):
    file = tmp_path / "site.toml"
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    return config.load(tmp_path)


def test_sample_site_config_loads():
    loaded, problems = config.load(REPO)
    assert problems == []
    assert loaded.site.title
    zones = {o.slug: o.timezone for o in loaded.offices}
    assert zones["kpu-kabupaten-luwu-timur"] == "Asia/Makassar"
    assert zones["kpu-provinsi-kalimantan-utara"] == "Asia/Makassar"
    assert zones["kpu-kabupaten-blora"] == "Asia/Jakarta"
    for office in loaded.offices:
        if office.level != "provinsi":
            assert loaded.office_by_slug[office.parent].level == "provinsi"


def test_valid_config_is_typed_and_frozen(tmp_path):
    loaded, problems = load_text(tmp_path, BASIC_TOML)
    assert problems == []
    assert loaded.site.per_page == 10
    assert loaded.site.base_url == "https://uji.kpu.example/"
    assert loaded.find_office("KPU  Kabupaten blora").slug == "kpu-kabupaten-blora"
    assert loaded.office_zone(loaded.office_by_slug["kpu-kabupaten-luwu-timur"]).key == \
        "Asia/Makassar"


def test_every_problem_is_reported_at_once_with_lines(tmp_path):
    text = BASIC_TOML.replace('per_page = 10', 'per_page = "sepuluh"\ncolour = "red"')
    text = text.replace('level = "kabupaten"\nparent', 'level = "desa"\nparent', 1)
    _, problems = load_text(tmp_path, text)
    by_field = {p.field: p for p in problems}
    assert by_field["site.per_page"].line == 4
    assert "whole number" in by_field["site.per_page"].expected
    assert by_field["site.colour"].line == 5
    assert "unknown key" in by_field["site.colour"].message
    assert "provinsi" in by_field["offices.level"].expected
    assert all(p.path == "site.toml" for p in problems)


def test_bom_is_accepted_and_syntax_errors_have_a_line(tmp_path):
    loaded, problems = load_text(tmp_path, b"\xef\xbb\xbf" + BASIC_TOML.encode())
    assert problems == [] and loaded is not None
    _, problems = load_text(tmp_path, BASIC_TOML.replace('title = "Berita Uji"', 'title = "x'))
    assert problems[0].line == 2 and "TOML" in problems[0].message


def test_offices_are_checked(tmp_path):
    text = BASIC_TOML.replace('parent = "kpu-provinsi-jawa-tengah"', 'parent = "kpu-nowhere"')
    text += '\n[[offices]]\nslug = "Bad Slug"\nname = "KPU Kota X"\nlevel = "kota"\n'
    text += 'timezone = "Asia/Bali"\n'
    _, problems = load_text(tmp_path, text)
    messages = " | ".join(str(p) for p in problems)
    assert "offices.parent" in messages and "kpu-nowhere" in messages
    assert "not a clean slug" in messages
    assert "unknown time zone" in messages


def test_missing_site_toml(tmp_path):
    loaded, problems = config.load(tmp_path)
    assert loaded is None and "site.toml not found" in problems[0].message
