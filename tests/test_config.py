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
    assert "slug (alamat) tidak sesuai aturan: 'Bad Slug'" in messages
    assert "zona waktu 'Asia/Bali' tidak dikenal" in messages


def test_missing_site_toml(tmp_path):
    loaded, problems = config.load(tmp_path)
    assert loaded is None and "site.toml not found" in problems[0].message


def test_the_cms_table_names_the_published_editors_backend(tmp_path):
    text = BASIC_TOML + '\n[cms]\nbackend = "github"\nrepo = "kpu-blora/berita"\n'
    loaded, problems = load_text(tmp_path, text)
    assert problems == []
    assert loaded.cms == config.Cms(backend="github", repo="kpu-blora/berita", branch="main")
    loaded, problems = load_text(tmp_path, BASIC_TOML)
    assert problems == [] and loaded.cms is None
    loaded, problems = load_text(tmp_path, BASIC_TOML + '\n[cms]\nbackend = "git-gateway"\n')
    assert problems == [] and loaded.cms.repo == ""  # Netlify knows the repository


def test_cms_mistakes_are_named_with_their_lines(tmp_path):
    start = BASIC_TOML.count("\n") + 2
    _, problems = load_text(tmp_path, BASIC_TOML + '\n[cms]\nbackend = "wordpress"\n')
    assert [(p.field, p.line) for p in problems] == [("cms.backend", start + 1)]
    assert "github or gitlab or git-gateway" in problems[0].expected
    _, problems = load_text(tmp_path, BASIC_TOML + '\n[cms]\nbackend = "gitlab"\n'
                            'repo = "berita"\nauth_url = "oauth.kpu.example"\nbranc = "x"\n')
    by_field = {p.field: p for p in problems}
    assert "did you mean 'branch'" in by_field["cms.branc"].message
    _, problems = load_text(tmp_path, BASIC_TOML + '\n[cms]\nbackend = "gitlab"\n'
                            'repo = "berita"\nauth_url = "oauth.kpu.example"\n')
    assert [(p.field, p.line) for p in problems] == [("cms.repo", start + 2),
                                                      ("cms.auth_url", start + 3)]
    _, problems = load_text(tmp_path, BASIC_TOML + '\n[cms]\nbackend = "github"\n')
    assert [p.field for p in problems] == ["cms.repo"]
    assert "needs the site's repository" in problems[0].message


def test_extra_fields_are_a_list_of_texts(tmp_path):
    text = BASIC_TOML.replace("per_page = 10",
                              'per_page = 10\nextra_fields = ["tagline", "draf_lama"]')
    loaded, problems = load_text(tmp_path, text)
    assert problems == []
    assert loaded.site.extra_fields == ("tagline", "draf_lama")
    loaded, problems = load_text(tmp_path, BASIC_TOML)
    assert problems == [] and loaded.site.extra_fields == ()


def test_extra_fields_of_a_wrong_type_are_named_with_their_line(tmp_path):
    for value in ('"tagline"', '["tagline", 3]', "true"):
        text = BASIC_TOML.replace("per_page = 10", f"per_page = 10\nextra_fields = {value}")
        loaded, problems = load_text(tmp_path, text)
        assert loaded is None
        assert [(p.field, p.line) for p in problems] == [("site.extra_fields", 5)]
        assert "wrong type" in problems[0].message
        assert problems[0].expected == 'a list of texts, e.g. ["tagline", "draf_lama"]'
