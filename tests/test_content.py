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


# --- What an operator types that is not what they meant: said, never silent.

def _typos(key: str) -> dict[str, str]:
    """One deletion, one substitution, one swap of neighbours and a change of case."""
    middle = len(key) // 2
    swap = next(i for i in range(middle - 1, -1, -1) if key[i] != key[i + 1])
    other = "x" if key[middle] != "x" else "q"
    return {
        "deletion": key[:middle] + key[middle + 1:],
        "substitution": key[:middle] + other + key[middle + 1:],
        "transposition": key[:swap] + key[swap + 1] + key[swap] + key[swap + 2:],
        "case": key.capitalize() if key != key.capitalize() else key.upper(),
    }


_KEY_TYPOS = [(key, kind, typo) for key in sorted(content.KNOWN_FIELDS)
              for kind, typo in _typos(key).items()]


def unknown_key_warnings(problems):
    return [p for p in problems if "unknown key" in p.message]


@pytest.mark.parametrize(("key", "kind", "typo"), _KEY_TYPOS,
                         ids=[f"{key}-{kind}" for key, kind, _ in _KEY_TYPOS])
def test_a_misspelt_key_is_a_warning_naming_the_key_meant(site_config, key, kind, typo):
    assert typo not in content.KNOWN_FIELDS
    loaded, problems = parse(article(**{typo: "x"}), site_config)
    warned = unknown_key_warnings(problems)
    assert [(p.field, p.line, p.severity) for p in warned] == [(typo, 5, "warning")]
    assert warned[0].message == f"unknown key `{typo}`; did you mean `{key}`?"
    assert str(warned[0]) == (f"peringatan: content/a.md:5: {typo}: kunci `{typo}` tidak "
                              f"dikenal; maksud Anda `{key}`? (yang diharapkan `{key}`, atau "
                              f"`{typo}` dicantumkan di extra_fields pada tabel [site] di "
                              "site.toml bila templat situs memakainya)")
    assert loaded.extra == {typo: "x"}  # still kept for templates, as before


@pytest.mark.parametrize(("word", "meant"), [
    ("draf", "draft"), ("tag", "tags"), ("tanggal", "date"), ("kantor", "office"),
    ("judul", "title"), ("ringkasan", "summary"), ("penulis", "author"),
    ("gambar", "image"), ("foto", "image"), ("sumber", "source"),
    ("Judul", "title"), ("Tanggal", "date"), ("tangal", "date"),
])
def test_an_indonesian_word_for_a_key_is_a_warning(site_config, word, meant):
    _, problems = parse(article(**{word: "x"}), site_config)
    assert [p.message for p in unknown_key_warnings(problems)] == \
        [f"unknown key `{word}`; did you mean `{meant}`?"]


@pytest.mark.parametrize(("key", "meant"), [
    ("image-caption", "image_caption"), ("Image Caption", "image_caption"),
    ("SOURCE_URL", "source_url"), ("source-url", "source_url"), ("imagecaption", "image_caption"),
])
def test_case_and_separators_of_a_key_are_named(site_config, key, meant):
    _, problems = parse(article(**{key: "x"}), site_config)
    assert [p.message for p in unknown_key_warnings(problems)] == \
        [f"unknown key `{key}`; did you mean `{meant}`?"]


@pytest.mark.parametrize("key", ["tagline", "extra_key", "layout", "id", "nama", "seri"])
def test_a_key_close_to_no_known_key_is_kept_quietly(site_config, key):
    loaded, problems = parse(article(**{key: "x"}), site_config)
    assert problems == []
    assert loaded.extra == {key: "x"}


def test_the_reported_mistakes_each_warn(site_config):
    """The exact lines operators wrote, each once quietly wrong."""
    loaded, problems = parse(article(draf="true"), site_config)
    assert loaded.draft is False and loaded.extra["draf"] is True
    assert "did you mean `draft`?" in unknown_key_warnings(problems)[0].message

    loaded, problems = parse(article(tag="[Pemilu 2024, Sosialisasi]"), site_config)
    assert loaded.tags == ()
    assert "did you mean `tags`?" in unknown_key_warnings(problems)[0].message

    loaded, problems = parse(article(tags="Pemilu 2024, Sosialisasi"), site_config)
    assert [t.name for t in loaded.tags] == ["Pemilu 2024", "Sosialisasi"]
    assert [(p.field, p.line, p.severity) for p in problems] == [("tags", 5, "warning")]
    assert problems[0].message == (
        "tags written as one text with commas; read as 2 tags: Pemilu 2024, Sosialisasi; "
        "write them as a list: [Pemilu 2024, Sosialisasi]")

    loaded, problems = parse(article(title='Tab dan "kutip" #1 pilihan'), site_config)
    assert loaded.title == 'Tab dan "kutip"'  # what YAML makes of it
    assert [(p.field, p.line, p.severity) for p in problems] == [("title", 2, "warning")]
    assert "the text after # was read as a comment and dropped (`#1 pilihan`)" in \
        problems[0].message
    assert "quote the value" in problems[0].message
    assert "title: 'Tab dan \"kutip\" #1 pilihan'" in problems[0].expected


def test_tags_split_at_commas_keep_their_spelling_and_drop_empty_parts(site_config):
    loaded, problems = parse(article(tags="'Pilkada  2024, , PPK,'"), site_config)
    assert [t.name for t in loaded.tags] == ["Pilkada 2024", "PPK"]
    assert "read as 2 tags: Pilkada 2024, PPK;" in problems[0].message
    loaded, problems = parse(article(tags="Sosialisasi,"), site_config)
    assert [t.name for t in loaded.tags] == ["Sosialisasi"]
    assert "read as 1 tag: Sosialisasi;" in problems[0].message
    # A list is never split: a tag may hold a comma when it is written as a list.
    loaded, problems = parse(article(tags='["Jakarta, Indonesia"]'), site_config)
    assert [t.name for t in loaded.tags] == ["Jakarta, Indonesia"] and problems == []


@pytest.mark.parametrize(("line", "dropped"), [
    ("views: 12 # dilihat", "# dilihat"),
    ("summary: Rapat pleno #2 tahun ini", "#2 tahun ini"),
    ("author: #operator", "#operator"),
])
def test_a_value_cut_by_a_comment_is_a_warning_on_its_line(site_config, line, dropped):
    key = line.split(":")[0]
    text = article().replace("---\nIsi", line + "\n---\nIsi")
    _, problems = parse(text, site_config)
    cut = [p for p in problems if "comment" in p.message]
    assert [(p.field, p.line, p.severity) for p in cut] == [(key, 5, "warning")]
    assert f"(`{dropped}`)" in cut[0].message


@pytest.mark.parametrize("line", [
    "title: 'Tab dan \"kutip\" #1 pilihan'", 'title: "Nomor #1" # catatan',
    "source_url: https://kpu.example/berita#bagian", "title: Nomor#1",
    "summary: |\n  Baris # satu\n  dua", "tags: [Pemilu 2024] # daftar",
])
def test_quoted_values_block_text_and_hashes_inside_words_are_kept(site_config, line):
    text = "---\ndate: 2024-09-06\noffice: kpu-kabupaten-blora\n" + \
        ("title: Judul\n" if not line.startswith("title") else "") + line + "\n---\nIsi\n"
    loaded, problems = parse(text, site_config)
    assert problems == [], problems
    assert "#" in loaded.title + loaded.summary + loaded.source_url or "tags" in line


def test_declared_extra_fields_raise_nothing(make_site):
    toml = BASIC_TOML.replace("per_page = 10",
                              'per_page = 10\nextra_fields = ["tagline", "draf_lama", "draf"]')
    loaded_config, problems = config.load(make_site({}, toml=toml))
    assert problems == [] and loaded_config.site.extra_fields == ("tagline", "draf_lama", "draf")
    loaded, problems = parse(article(tagline="x", draf_lama="true", draf="ya"), loaded_config)
    assert problems == []
    assert loaded.extra == {"tagline": "x", "draf_lama": True, "draf": "ya"}
    # A typo of a declared field is named too.
    _, problems = parse(article(taglin="x"), loaded_config)
    assert [p.message for p in problems] == ["unknown key `taglin`; did you mean `tagline`?"]


_STRICT_CASES = {
    "draf": ("draf: true", 5, "draf"),
    "tag": ("tag: [Pemilu 2024]", 5, "tag"),
    "comma-tags": ("tags: Pemilu 2024, Sosialisasi", 5, "tags"),
    "comment": ('title: Tab dan "kutip" #1 pilihan', 2, "title"),
}


@pytest.mark.parametrize("case", sorted(_STRICT_CASES))
def test_check_strict_fails_on_each_mistake(make_site, case):
    from click.testing import CliRunner

    from generator import check
    from generator.cli import main

    line, number, field = _STRICT_CASES[case]
    text = article()
    text = text.replace("title: Berita Uji", line) if line.startswith("title") else \
        text.replace("---\nIsi", line + "\n---\nIsi")
    root = make_site({"content/a.md": text})
    runner = CliRunner()
    relaxed = runner.invoke(main, ["check", "-s", str(root)])
    assert relaxed.exit_code == check.EXIT_CLEAN, relaxed.output
    strict = runner.invoke(main, ["check", "-s", str(root), "--strict"])
    assert strict.exit_code == check.EXIT_STRICT_WARNINGS, strict.output
    assert f"content/a.md:{number}: {field}: " in strict.output
    assert not (root / "public").exists()


def test_declaring_a_field_takes_effect_on_the_next_cached_build(make_site):
    from tests.conftest import run_build

    root = make_site({"content/a.md": article(draf="lama")})
    assert [p.message for p in run_build(root).warnings if "unknown key" in p.message] == \
        ["unknown key `draf`; did you mean `draft`?"]
    toml = BASIC_TOML.replace("per_page = 10", 'per_page = 10\nextra_fields = ["draf"]')
    (root / "site.toml").write_text(toml, encoding="utf-8")
    assert [p for p in run_build(root).warnings if "unknown key" in p.message] == []


def test_an_office_written_with_a_look_alike_letter_is_not_that_office(make_site) -> None:
    """Issue 20: "kpu-kabupaten-blоra" with a Cyrillic о was taken as Blora in silence."""
    from generator import check

    root = make_site({"content/a.md": article(office="kpu-kabupaten-bl\u043era")})
    [problem] = check.run(root).problems
    assert (problem.field, problem.severity, problem.line) == ("office", "error", 4)
    assert "kpu-kabupaten-blora" in problem.message  # the suggestion names the real one
