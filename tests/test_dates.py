"""Front-matter dates as Indonesian operators write them (issue 17): day first, month
names, day names, `pukul 10.00`, in offices of each of the three zones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import BASIC_TOML, REPO, article, run_build, soup

from generator import config, content
from generator.fields import DATE_EXPECTED, _read_date_text, parse_date, wrong_weekday
from generator.problems import BuildFailed

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
OFFICES = {WIB: "kpu-kabupaten-blora", WITA: "kpu-kabupaten-luwu-timur",
           WIT: "kpu-kota-jayapura"}
TOML = BASIC_TOML + """
[[offices]]
slug = "kpu-kota-jayapura"
name = "KPU Kota Jayapura"
level = "kota"
timezone = "Asia/Jayapura"
"""


def at(zone: timezone | ZoneInfo, day: int = 14, hour: int = 0, minute: int = 0,
       second: int = 0, month: int = 11) -> datetime:
    return datetime(2024, month, day, hour, minute, second, tzinfo=zone)


# (as written after "date: ", the office's zone, the moment, has a time)
ACCEPTED: list[tuple[str, ZoneInfo, datetime, bool]] = [
    # ISO, as before
    ("2024-11-14", WIB, at(WIB), False),
    ("2024-11-14 10:00", WITA, at(WITA, hour=10), True),
    ("2024-11-14 10:00:00", WIT, at(WIT, hour=10), True),
    ("2024-11-14T10:00:00+08:00", WIB, at(timezone(timedelta(hours=8)), hour=10), True),
    ("2024-11-14T10:00+0800", WIB, at(timezone(timedelta(hours=8)), hour=10), True),
    ("2024-11-14 10.00 WIT", WIB, at(WIT, hour=10), True),
    ("2024-11-14 02:00:00Z", WITA, at(UTC, hour=2), True),
    ('"2024-11-14 10:00:00"', WITA, at(WITA, hour=10), True),
    ("2024-11-14 pukul 10.00", WIB, at(WIB, hour=10), True),
    # year first with / or .
    ("2024/11/14", WIT, at(WIT), False),
    ("2024.11.14", WIB, at(WIB), False),
    ("2024/11/14 10:00 +08:00", WIB, at(timezone(timedelta(hours=8)), hour=10), True),
    # day first, numbers
    ("14/11/2024", WIB, at(WIB), False),
    ("14-11-2024", WITA, at(WITA), False),
    ("14.11.2024", WIT, at(WIT), False),
    ("4/1/2024", WIB, at(WIB, day=4, month=1), False),
    ("04/01/2024", WITA, at(WITA, day=4, month=1), False),
    ("4-1-2024", WIT, at(WIT, day=4, month=1), False),
    ("'14/11/2024'", WIB, at(WIB), False),
    # day first, month names in any case
    ("14 November 2024", WIB, at(WIB), False),
    ("14 Nov 2024", WITA, at(WITA), False),
    ("14 nov. 2024", WIT, at(WIT), False),
    ("14-Nov-2024", WIB, at(WIB), False),
    ("14 NOVEMBER 2024", WIB, at(WIB), False),
    ("7 Nopember 2024", WIB, at(WIB, day=7), False),
    ("2 Januari 2024", WIB, at(WIB, day=2, month=1), False),
    ("2 Jan 2024", WITA, at(WITA, day=2, month=1), False),
    ("29 Februari 2024", WIB, at(WIB, day=29, month=2), False),
    ("29 Feb 2024", WITA, at(WITA, day=29, month=2), False),
    ("29 Pebruari 2024", WIT, at(WIT, day=29, month=2), False),
    ("5 Maret 2024", WIB, at(WIB, day=5, month=3), False),
    ("5 April 2024", WIB, at(WIB, day=5, month=4), False),
    ("1 Mei 2024", WITA, at(WITA, day=1, month=5), False),
    ("1 May 2024", WIT, at(WIT, day=1, month=5), False),
    ("6 Juni 2024", WIB, at(WIB, day=6, month=6), False),
    ("6 Juli 2024", WIB, at(WIB, day=6, month=7), False),
    ("14 Agustus 2024", WIB, at(WIB, month=8), False),
    ("14 Agu 2024", WITA, at(WITA, month=8), False),
    ("14 Agt 2024", WIT, at(WIT, month=8), False),
    ("14 ags 2024", WIB, at(WIB, month=8), False),
    ("14 August 2024", WIB, at(WIB, month=8), False),
    ("9 Sept 2024", WIB, at(WIB, day=9, month=9), False),
    ("3 Oktober 2024", WIB, at(WIB, day=3, month=10), False),
    ("3 Okt 2024", WITA, at(WITA, day=3, month=10), False),
    ("3 October 2024", WIT, at(WIT, day=3, month=10), False),
    ("25 Desember 2024", WIB, at(WIB, day=25, month=12), False),
    ("25 Des 2024", WITA, at(WITA, day=25, month=12), False),
    ("25 December 2024", WIT, at(WIT, day=25, month=12), False),
    # after the day name, with or without a comma
    ("Kamis, 14 November 2024", WIB, at(WIB), False),
    ("kamis 14 november 2024", WITA, at(WITA), False),
    ("KAMIS,14/11/2024", WIT, at(WIT), False),
    ("Jumat, 15 November 2024", WIB, at(WIB, day=15), False),
    ("Jum'at, 15 November 2024", WIB, at(WIB, day=15), False),
    ("Jum’at 15 November 2024", WITA, at(WITA, day=15), False),
    ("Sabtu, 16 November 2024", WIB, at(WIB, day=16), False),
    ("Minggu, 17 November 2024", WIB, at(WIB, day=17), False),
    ("Ahad, 17 November 2024", WIT, at(WIT, day=17), False),
    ("Senin, 18 November 2024", WIB, at(WIB, day=18), False),
    ("Selasa, 19 November 2024", WIB, at(WIB, day=19), False),
    ("Rabu, 20 November 2024", WIB, at(WIB, day=20), False),
    ("Kamis, 2024-11-14", WIB, at(WIB), False),
    # times: colon or dot, seconds optional, pukul / jam / pkl., then a zone
    ("14/11/2024 10.00", WIB, at(WIB, hour=10), True),
    ("14/11/2024 10:00", WITA, at(WITA, hour=10), True),
    ("14/11/2024 10:00:30", WIT, at(WIT, hour=10, second=30), True),
    ("14.11.2024 10.00.30", WIB, at(WIB, hour=10, second=30), True),
    ("4/1/2024 9.05", WIB, at(WIB, day=4, month=1, hour=9, minute=5), True),
    ("14 November 2024 pukul 10.00 WIB", WITA, at(WIB, hour=10), True),
    ("14 November 2024, 10.00 WITA", WIB, at(WITA, hour=10), True),
    ("14 November 2024 jam 9.05", WIT, at(WIT, hour=9, minute=5), True),
    ("14 Nov 2024 pkl. 09.05 WIT", WIB, at(WIT, hour=9, minute=5), True),
    ("14/11/2024 23:59 wit", WITA, at(WIT, hour=23, minute=59), True),
    ("14-11-2024 02:00 Z", WIB, at(UTC, hour=2), True),
    ("Kamis, 14 November 2024 pukul 10.00 WITA", WIB, at(WITA, hour=10), True),
    ("kamis 14/11/2024 pukul 10:00:00 wib", WIT, at(WIB, hour=10), True),
    ("14 November 2024 WITA", WIB, at(WITA), False),
]

REJECTED = [
    "31/02/2024",                       # no such day
    "29/02/2023",                       # not a leap year
    "14/13/2024",                       # month 13
    "2024/13/14",
    "32 Januari 2024",
    "0 Januari 2024",
    "14/11/2024 25:00",                 # hour 25
    "14/11/2024 24.00",
    "14/11/2024 10.60",
    "14/11/2024 10.00.61",
    "14 Foo 2024",                      # no such month
    "14 Nopemberr 2024",
    "Senin, 14 November 2024",          # 14 November 2024 is a Kamis
    "Jumat, 14/11/2024",
    "Hari, 14 November 2024",           # not a day name
    "14/11/24",                         # two-digit year
    "14 November 24",
    "14/11-2024",                       # two separators
    "2024/11-14",
    "November 14, 2024",                # month first
    "14 November",
    "14/11/2024 10",                    # hour without minutes
    "14/11/2024 pukul",
    "14 November 2024 10.00 WIBB",
    "14 November 202410.00",
    "besok",
]


def office_config(make_site) -> config.SiteConfig:
    loaded, problems = config.load(make_site({}, toml=TOML))
    assert problems == []
    return loaded


def parse(text: str, site_config: config.SiteConfig):
    return content.parse(text.encode(), "content/a.md", site_config)


def same_moment(moment: datetime, expected: datetime) -> bool:
    """Equal instants and equal wall clocks: the page shows the zone too."""
    return moment == expected and moment.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(("written", "zone", "expected", "has_time"), ACCEPTED)
def test_every_accepted_form_through_the_front_matter_loader(make_site, written, zone,
                                                             expected, has_time):
    loaded, problems = parse(article(date=written, office=OFFICES[zone], updated=written),
                             office_config(make_site))
    assert problems == []
    assert same_moment(loaded.date, expected), loaded.date
    assert loaded.has_time is has_time
    assert same_moment(loaded.updated, expected)


@pytest.mark.parametrize(("written", "zone", "expected", "has_time"), ACCEPTED)
def test_every_accepted_form_as_text(written, zone, expected, has_time):
    # What berita new --date and the editor hand to parse_date: text, never YAML's types.
    moment, with_time = parse_date(written.strip("'\""), zone)
    assert same_moment(moment, expected), moment
    assert with_time is has_time


@pytest.mark.parametrize(("written", "kind"), [
    ("2024-11-14", date),
    ("2024-11-14 10:00:00", datetime),
    ("2024-11-14T10:00:00+08:00", datetime),
    ("2024-11-14 10:00", str),
    ("14/11/2024", str),
    ("14-11-2024", str),
    ("14.11.2024", str),
    ("2024/11/14", str),
    ("2024.11.14", str),
    ("14 November 2024", str),
    ("Kamis, 14 November 2024 pukul 10.00 WITA", str),
    ("Jum'at, 15 November 2024", str),
    ("14/11/2024 10.00", str),
    ("14/11/2024 10:00:00", str),
    ("14-11-2024 10:00:00", str),
    ("2024-11-14 10:00:00 WIB", str),
])
def test_what_yaml_hands_over(written, kind):
    """The loader turns only ISO dates and ISO date-times with seconds into date objects:
    everything else reaches parse_date as text."""
    meta, _, problems = content.read_front_matter(f"date: {written}\n", "content/a.md", 2)
    assert problems == []
    assert type(meta["date"]) is kind


@pytest.mark.parametrize("written", REJECTED)
def test_rejected_forms_are_errors_at_their_line(make_site, written):
    assert parse_date(written, WIB) is None
    loaded, problems = parse(article(date=written), office_config(make_site))
    assert loaded is None
    [problem] = problems
    assert (problem.line, problem.field, problem.severity) == (3, "date", "error")
    if (wrong := wrong_weekday(written, WIB)) is not None:  # says which day it really is
        assert problem.message == f"{written}: 14/11/2024 is a Kamis, not a {wrong.written}"
        return
    assert problem.message == f"cannot read {written} as a date"
    assert problem.expected == DATE_EXPECTED


def test_a_day_name_that_contradicts_the_date_is_explained(make_site):
    with pytest.raises(ValueError, match=r"^2024-11-14 is a Kamis, not a Senin$"):
        _read_date_text("Senin, 14 November 2024", WIB)
    assert "the day it falls on" in DATE_EXPECTED
    _, [problem] = parse(article(date="Senin, 14 November 2024"), office_config(make_site))
    assert problem.message == "Senin, 14 November 2024: 14/11/2024 is a Kamis, not a Senin"
    assert "Kamis" in problem.expected


def test_the_expected_text_gives_an_example_of_each_form():
    examples = ["2024-09-06", "2024/09/06", "6/9/2024", "06-09-2024", "6.9.2024",
                "6 September 2024", "6 Sep 2024", "Jumat, 6 September 2024",
                "6/9/2024 10:00", "6/9/2024 10.00", "6/9/2024 10:00:30",
                "6/9/2024 pukul 10.00", "6/9/2024 10:00 WIB", "6/9/2024 10:00 WITA",
                "6/9/2024 10:00 WIT", "6/9/2024 10:00 +08:00", "2024-09-06T02:00Z"]
    for example in examples:
        assert parse_date(example, WIB) is not None, example
    for part in ("2024-09-06", "2024/09/06", "6/9/2024", "06-09-2024", "6.9.2024",
                 "6 September 2024", "6 Sep 2024", "Jumat, 6 September 2024", "10:00",
                 "10.00", "10:00:30", "pukul 10.00", "WIB/WITA/WIT", "+08:00",
                 "2024-09-06T02:00Z"):
        assert part in DATE_EXPECTED, part
    assert len(DATE_EXPECTED) < 300


def test_the_readme_examples_are_what_the_code_reads():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Writing the date\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    prose = section.split("\nMonth names", 1)[1]
    accepted = [e for row in rows for e in re.findall(r"`([^`]+)`", row.split(" | ")[-1])
                if not e.startswith("...")]
    assert len(accepted) >= 20
    for example in accepted:
        assert parse_date(example, WIB) is not None, example
    rejected = re.findall(r"`([^`]+)`", prose)
    assert len(rejected) == 5
    for example in rejected:
        assert parse_date(example, WIB) is None, example


def test_the_article_page_shows_the_date_in_indonesian(make_site):
    root = make_site({"content/a.md": article(
        title="Rapat Pleno", date="Kamis, 14 November 2024 pukul 10.00 WITA",
        office="kpu-kabupaten-luwu-timur")}, toml=TOML)
    run_build(root)
    page = soup(root / "public/berita/rapat-pleno/index.html")
    shown = page.select_one("article time") or page.find("time")
    assert shown.get_text() == "Kamis, 14 November 2024 10.00 WITA"
    assert shown["datetime"].startswith("2024-11-14T10:00:00+08:00")


def test_a_build_with_an_impossible_date_fails_at_its_line(make_site):
    root = make_site({"content/a.md": article(date="31/02/2024 10.00")}, toml=TOML)
    with pytest.raises(BuildFailed) as failure:
        run_build(root)
    assert ("content/a.md:3: date: 31/02/2024 10.00 tidak dapat dibaca sebagai tanggal (yang "
            "diharapkan tanggal seperti 2024-09-06") in failure.value.format_message()
    assert ("content/a.md:3: date: cannot read 31/02/2024 10.00 as a date (expected a date "
            "like 2024-09-06") in failure.value.speak("en").format_message()
