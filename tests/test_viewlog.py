"""`berita views import`: views counted from access logs and written into front matter
without disturbing anything else in the file."""

from __future__ import annotations

import gzip
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import frontmatter
import pytest

from generator.viewlog import (
    apply_views,
    count_views,
    is_bot,
    normalize_path,
    plan_views,
)

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 9, 6, 10, 0, tzinfo=WIB)
CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/124.0.0.0 Mobile Safari/537.36")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
CUBOT = ("Mozilla/5.0 (Linux; Android 10; CUBOT P40) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0 Mobile Safari/537.36")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def hit(ip: str, minutes: float, target: str = "/berita/rapat/", *, method: str = "GET",
        status: int = 200, agent: str = CHROME, when: datetime = T0) -> str:
    """One line of an nginx/Apache combined log."""
    moment = when + timedelta(minutes=minutes)
    stamp = (f"{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment.year}:"
             f"{moment:%H:%M:%S} +0700")
    return (f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" {status} 5120 '
            f'"https://l.facebook.com/" "{agent}"\n')


@pytest.fixture
def logs(tmp_path: Path) -> list[Path]:
    current = tmp_path / "access.log"
    current.write_text("".join([
        hit("10.0.0.1", 0),                                   # A: counted
        hit("10.0.0.1", 45),                                  # A again after 45 min: counted
        hit("10.0.0.1", 50),                                  # A reload: once
        hit("10.0.0.2", 1, "/berita/rapat/?utm_source=wa"),   # B: counted
        hit("10.0.0.1", 2, agent=FIREFOX),                    # same IP, other browser: counted
        hit("10.0.0.3", 3, "/berita/rapat/index.html"),       # C: counted, same page
        hit("10.0.0.4", 4, "/berita/rapat"),                  # D: counted, same page
        hit("10.0.0.5", 5, "/berita/%70emilu/", agent=CUBOT),  # a phone, not a robot
        hit("10.0.0.6", 6, "https://uji.kpu.example/berita/pemilu/"),
        hit("66.249.66.1", 7, agent="Mozilla/5.0 (compatible; Googlebot/2.1; "
                                    "+http://www.google.com/bot.html)"),
        hit("31.13.1.1", 8, agent="WhatsApp/2.23.20.0 A"),
        hit("31.13.1.2", 8, agent="facebookexternalhit/1.1"),
        hit("10.0.0.9", 9, agent="curl/8.5.0"),
        hit("10.0.0.9", 9, agent="-"),
        hit("10.0.0.7", 10, "/berita/tidak-ada/", status=404),
        hit("10.0.0.7", 11, "/berita/rapat/", status=304),
        hit("10.0.0.7", 12, method="POST"),
        hit("10.0.0.7", 13, method="HEAD"),
        hit("10.0.0.7", 14, "/static/app.css"),
        hit("10.0.0.7", 15, "/media/kpu/2024/foto-640.webp"),
        "ini bukan baris log\n",
        '10.0.0.8 - - [32/Foo/2024:99:00:00 +0700] "GET /berita/rapat/ HTTP/1.1" 200 1 "-" "x"\n',
        '10.0.0.8 - - [06/Sep/2024:10:20:00 +0700] "-" 400 0 "-" "-"\n',
    ]), encoding="utf-8")
    # Rotated logs, read after the current one: their reload still folds into A's view,
    # and compression is found by the bytes, whatever the name says.
    rotated = tmp_path / "access.log.2"
    with gzip.open(rotated, "wt", encoding="utf-8") as out:
        out.write(hit("10.0.0.1", 10) + hit("10.0.0.10", -60 * 24, "/berita/pemilu/"))
    plain_named_gz = tmp_path / "access.log.1.gz"
    plain_named_gz.write_text(hit("10.0.0.11", 30, "/berita/pemilu/"), encoding="utf-8")
    return [current, rotated, plain_named_gz]


def test_counts(logs):
    counts = count_views(logs)
    assert counts.counts == {"/berita/rapat/": 6, "/berita/pemilu/": 4}
    assert counts.total == 10
    assert counts.lines_read == 26
    assert counts.malformed == 2
    assert counts.bots_skipped == 5
    assert counts.not_get == 3  # POST, HEAD and the "-" request
    assert counts.not_ok == 2
    assert counts.not_pages == 2
    assert counts.repeats == 2  # A's reloads at 10 and 50 minutes
    assert counts.unreadable == ()


def test_order_of_logs_does_not_matter(logs):
    assert count_views(reversed(logs)).counts == count_views(logs).counts


def test_a_truncated_gzip_counts_what_it_has(tmp_path):
    whole = gzip.compress(("".join(hit(f"10.1.0.{i}", i) for i in range(50))).encode())
    cut = tmp_path / "access.log.3.gz"
    cut.write_bytes(whole[: len(whole) - 20])
    counts = count_views([cut])
    assert len(counts.unreadable) == 1 and str(cut) in counts.unreadable[0]
    assert 0 < counts.counts.get("/berita/rapat/", 0) <= 50


def test_unknown_format_and_missing_log(tmp_path):
    with pytest.raises(ValueError, match="expected one of: combined"):
        count_views([], fmt="w3c")
    with pytest.raises(OSError):
        count_views([tmp_path / "tidak-ada.log"])


@pytest.mark.parametrize(("target", "path"), [
    ("/berita/a/", "/berita/a/"),
    ("/berita/a", "/berita/a/"),
    ("/berita/a/index.html", "/berita/a/"),
    ("/berita/a/?fbclid=x#atas", "/berita/a/"),
    ("/berita/%E2%80%9Ca%E2%80%9D/", "/berita/“a”/"),
    ("/feed.xml", "/feed.xml"),
    ("/", "/"),
    ("*", None),
])
def test_normalize_path(target, path):
    assert normalize_path(target) == path


@pytest.mark.parametrize(("agent", "bot"), [
    (CHROME, False),
    (CUBOT, False),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
    ("Mozilla/5.0 (Linux; Android 6.0.1) Chrome/41.0 Mobile (compatible; Googlebot/2.1)", True),
    ("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
     True),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0)", True),
    ("TelegramBot (like TwitterBot)", True),
    ("python-requests/2.31.0", True),
    ("Wget/1.21.4", True),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
     True),
    ("", True),
])
def test_bots(agent, bot):
    assert is_bot(agent) is bot


def test_plan_matches_routes_to_files(logs, tmp_path):
    files = {"berita/rapat/": tmp_path / "rapat.md", "berita/pemilu/": tmp_path / "pemilu.md",
             "berita/sepi/": tmp_path / "sepi.md"}
    planned = plan_views(files, count_views(logs))
    assert [(p.route, p.file.name, p.added) for p in planned] == [
        ("berita/pemilu/", "pemilu.md", 4), ("berita/rapat/", "rapat.md", 6)]


def test_plan_under_a_sub_path(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(hit("10.0.0.1", 0, "/berita-kpu/berita/rapat/") + hit("10.0.0.2", 0),
                   encoding="utf-8")
    planned = plan_views({"berita/rapat/": tmp_path / "rapat.md"}, count_views([log]),
                         base_path="/berita-kpu/")
    assert [p.added for p in planned] == [2]  # with the prefix, and stripped by a proxy


# -- apply_views ---------------------------------------------------------------------


def without_views_line(data: bytes) -> bytes:
    """The file with the front matter's views: line taken out."""
    lines = data.splitlines(keepends=True)
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip() == b"---")
    return b"".join(line for i, line in enumerate(lines)
                    if not (i < close and line.startswith(b"views:")))


def read_meta(file: Path) -> dict:
    return frontmatter.loads(file.read_bytes().decode("utf-8-sig")).metadata


LF_ARTICLE = (
    "---\n"
    "title: 'Rapat: “Pleno” Terbuka'\n"
    "date: 2024-09-06 10:00\n"
    "office: kpu-kabupaten-blora\n"
    "views: 12    # dari WordPress\n"
    "tags: [Pemilu 2024]\n"
    "---\n"
    "\n"
    "Isi berita.\n"
    "views: 99 di badan berita tidak disentuh\n"
)


def test_only_the_views_number_changes(tmp_path):
    file = tmp_path / "rapat.md"
    file.write_bytes(LF_ARTICLE.encode())
    before = file.read_bytes()
    assert apply_views(file, 5, dry_run=False) == (12, 17)
    after = file.read_bytes()
    assert without_views_line(after) == without_views_line(before)
    assert b"views: 17    # dari WordPress\n" in after
    assert read_meta(file)["views"] == 17
    assert b"views: 99 di badan" in after


def test_crlf_and_bom_survive_with_a_views_line(tmp_path):
    file = tmp_path / "rapat.md"
    data = b"\xef\xbb\xbf" + LF_ARTICLE.replace("\n", "\r\n").encode()
    file.write_bytes(data)
    assert apply_views(file, 3, dry_run=False) == (12, 15)
    after = file.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert without_views_line(after) == without_views_line(data)
    assert b"views: 15    # dari WordPress\r\n" in after
    assert read_meta(file)["views"] == 15


def test_crlf_and_bom_without_a_views_line(tmp_path):
    file = tmp_path / "rapat.md"
    data = (b"\xef\xbb\xbf---\r\ntitle: Rapat\r\n# catatan operator\r\n"
            b"date: 2024-09-06 10:00\r\noffice: kpu-kabupaten-blora\r\n---\r\nIsi.\r\n")
    file.write_bytes(data)
    assert apply_views(file, 7, dry_run=False) == (0, 7)
    after = file.read_bytes()
    assert without_views_line(after) == data
    assert b"office: kpu-kabupaten-blora\r\nviews: 7\r\n---\r\n" in after
    assert read_meta(file)["views"] == 7


def test_a_file_without_a_views_line(tmp_path):
    file = tmp_path / "rapat.md"
    data = LF_ARTICLE.replace("views: 12    # dari WordPress\n", "").encode()
    file.write_bytes(data)
    assert apply_views(file, 4, dry_run=False) == (0, 4)
    after = file.read_bytes()
    assert without_views_line(after) == data
    lines = after.decode().split("\n")
    assert lines[lines.index("---", 1) - 1] == "views: 4"  # just before the closing ---


def test_dry_run_writes_nothing(tmp_path):
    file = tmp_path / "rapat.md"
    file.write_bytes(LF_ARTICLE.encode())
    assert apply_views(file, 5, dry_run=True) == (12, 17)
    assert file.read_bytes() == LF_ARTICLE.encode()


def test_quoted_and_empty_values(tmp_path):
    file = tmp_path / "rapat.md"
    file.write_bytes(LF_ARTICLE.replace("views: 12 ", "views: '12' ").encode())
    assert apply_views(file, 1, dry_run=False) == (12, 13)
    assert read_meta(file)["views"] == 13
    file.write_bytes(LF_ARTICLE.replace("views: 12 ", "views: ").encode())
    assert apply_views(file, 1, dry_run=False) == (0, 1)
    assert read_meta(file)["views"] == 1
    file.write_bytes(LF_ARTICLE.replace("views: 12    ", "views:").encode())
    assert apply_views(file, 2, dry_run=False) == (0, 2)
    assert read_meta(file)["views"] == 2


def test_mode_kept_and_no_temporary_files_left(tmp_path):
    file = tmp_path / "rapat.md"
    file.write_bytes(LF_ARTICLE.encode())
    os.chmod(file, 0o640)
    apply_views(file, 1, dry_run=False)
    assert stat.S_IMODE(file.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["rapat.md"]


@pytest.mark.parametrize("text", [
    "Tanpa front matter.\n",
    "---\ntitle: x\nviews: 1\n",                       # never closed
    "---\ntitle: x\nviews: 1.234\n---\n",              # thousands dot: not a number
    "---\ntitle: x\nviews: 1\nviews: 2\n---\n",        # twice
])
def test_refuses_what_it_cannot_update_safely(tmp_path, text):
    file = tmp_path / "rapat.md"
    file.write_bytes(text.encode())
    with pytest.raises(ValueError):
        apply_views(file, 1, dry_run=False)
    assert file.read_bytes() == text.encode()
