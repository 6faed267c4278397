from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import config, content
from tests.conftest import BASIC_TOML, article


@pytest.fixture
def site_config(make_site):
    loaded, problems = config.load(make_site({}))
    assert problems == []
    return loaded


def parse(text: str | bytes, site_config, path="content/a.md"):
    data = text.encode() if isinstance(text, str) else text
    return content.parse(data, path, site_config)


def test_a_complete_article(site_config):
    text = article(title="KPU Blora Gelar Raker", views="1234",
                   tags="[Pilkada 2024, Sosialisasi]", author="Operator website",
                   updated="2024-09-07 08:00", extra_key="kept")
    loaded, problems = parse(text, site_config)
    assert problems == []
    assert loaded.title == "KPU Blora Gelar Raker"
    assert loaded.date == datetime(2024, 9, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert loaded.has_time
    assert loaded.slug == "kpu-blora-gelar-raker"
    assert loaded.views == 1234
    assert [t.name for t in loaded.tags] == ["Pilkada 2024", "Sosialisasi"]
    assert loaded.updated.hour == 8
    assert loaded.extra == {"extra_key": "kept"}
    assert loaded.body_line == 11


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-09-06 10:00", datetime(2024, 9, 6, 10, tzinfo=ZoneInfo("Asia/Makassar"))),
    ("2024-09-06T10:00:00+07:00", datetime(2024, 9, 6, 11, tzinfo=ZoneInfo("Asia/Makassar"))),
    ("2024-09-06 10:00 WIB", datetime(2024, 9, 6, 11, tzinfo=ZoneInfo("Asia/Makassar"))),
    ("2024-09-06 10.00 WIT", datetime(2024, 9, 6, 9, tzinfo=ZoneInfo("Asia/Makassar"))),
    ("2024-09-06 02:00:00Z", datetime(2024, 9, 6, 10, tzinfo=ZoneInfo("Asia/Makassar"))),
])
def test_dates_without_offset_are_in_the_office_zone(site_config, value, expected):
    text = article(date=value, office="kpu-kabupaten-luwu-timur")
    loaded, problems = parse(text, site_config)
    assert problems == []
    assert loaded.date == expected


def test_a_date_without_time(site_config):
    loaded, _ = parse(article(date="2023-11-22"), site_config)
    assert not loaded.has_time
    assert loaded.date.date().isoformat() == "2023-11-22"


def test_office_by_name_and_single_tag(site_config):
    loaded, problems = parse(article(office="KPU Kabupaten Blora", tags="Pemilu 2024"),
                             site_config)
    assert problems == []
    assert loaded.office == "kpu-kabupaten-blora"
    assert [t.slug for t in loaded.tags] == ["pemilu-2024"]


def test_every_problem_of_a_file_with_its_line(site_config):
    text = "---\ntitle:\ndate: kemarin\noffice: kpu-kabupaten-blorra\nviews: -3\n---\nIsi\n"
    loaded, problems = parse(text, site_config)
    assert loaded is None
    found = {p.field: p for p in problems}
    assert found["title"].line == 2 and "empty" in found["title"].message
    assert found["date"].line == 3 and "2024-09-06" in found["date"].expected
    assert found["office"].line == 4 and "did you mean 'kpu-kabupaten-blora'" in \
        found["office"].message
    assert found["views"].line == 5
    assert str(found["date"]).startswith("content/a.md:3: date: ")


def test_thousands_dot_in_views_is_explained(site_config):
    _, problems = parse(article(views="1.234"), site_config)
    assert "write views: 1234" in problems[0].message


def test_missing_required_fields(site_config):
    _, problems = parse("---\nviews: 3\n---\nIsi\n", site_config)
    assert {p.field for p in problems} == {"title", "date", "office"}
    assert all("missing" in p.message for p in problems)


def test_yaml_errors_point_at_file_lines(site_config):
    _, problems = parse('---\ntitle: "Tanpa penutup\ndate: 2024-01-01\n---\n', site_config)
    assert problems[0].line >= 2 and "opened on line 2" in problems[0].message
    _, problems = parse("---\ntitle: A\ntags:\n\t- x\n---\n", site_config)
    assert problems[0].line == 4 and "tab" in problems[0].message


def test_crlf_and_bom_keep_line_numbers(site_config):
    text = "\ufeff---\r\ntitle: A\r\ndate: 2024-01-01\r\noffice: nope\r\n---\r\nIsi\r\n"
    _, problems = parse(text, site_config)
    assert [(p.field, p.line) for p in problems] == [("office", 4)]


def test_not_utf8_names_the_line(site_config):
    data = article().encode().replace(b"Isi berita.", b"Isi\n\xe9t\xe9")
    _, problems = parse(data, site_config)
    assert problems[0].line == 7 and "UTF-8" in problems[0].message


def test_load_walks_content_and_skips_editor_files(make_site):
    root = make_site({
        "content/a/b/deep.md": article(title="Dalam"),
        "content/.#lock.md": "x", "content/backup.md~": "x", "content/x.md.swp": "x",
        "content/.hidden/h.md": article(title="Tersembunyi"),
        "content/notes.txt": "not an article",
    }, toml=BASIC_TOML)
    loaded_config, _ = config.load(root)
    articles, problems = content.load(loaded_config)
    assert problems == []
    assert [a.title for a in articles] == ["Dalam"]
    assert articles[0].path == "content/a/b/deep.md"


_KEYS = st.sampled_from(["title: ", "date: ", "tags: ", "views: ", "a: ", "a: &x ", "b: ",
                         "<<: ", "? ", "1: ", "!!str 2: ", "[k]: ", "- "])
_VALUES = st.sampled_from([
    '"Judul"', "'kutip'", "teks biasa", "12", "-3", "0x1f", "12.500", "1_000", ".inf",
    "true", "No", "null", "~", "", "2024-01-05", "2024-01-05 10:00:00", "2024-13-45",
    "2024-09-06 10:00", "[a, 1, null, 2024-01-05]", "[[a]]", "{a: 1}", "*x", "!!str 5",
    "!!int x", "!!float 1", "!!binary aGk=", "!!set {a}", "!custom v", "[*x, b]",
    "\n  - a\n  - 2", "\n  b: 1", "[a, b", '"a\\tb"', "|\n  blok\n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_KEYS, _VALUES).map("".join), min_size=1, max_size=6)
       .map("\n".join))
@example("a: &x 2024-01-05\nb: *x")
@example("a: &x [1, 2]\nb: *x")
def test_quick_construct_builds_what_construct_document_does(text: str) -> None:
    def node_of(loader):
        try:
            return loader.get_single_node()
        except yaml.YAMLError:
            return None

    quick_loader, loader = content._YAML_LOADER(text), content._YAML_LOADER(text)
    node, same_node = node_of(quick_loader), node_of(loader)
    if not isinstance(node, yaml.MappingNode):
        return
    quick = content._quick_construct(quick_loader, node)
    try:
        expected = loader.construct_document(same_node)
    except Exception:
        assert quick is None
        return
    if quick is not None:
        assert repr(quick) == repr(expected)
        assert [type(v) for v in quick.values()] == [type(v) for v in expected.values()]
        # the same objects shared (an alias), as pickling keeps sharing
        assert [[a is b for b in quick.values()] for a in quick.values()] == \
            [[a is b for b in expected.values()] for a in expected.values()]
