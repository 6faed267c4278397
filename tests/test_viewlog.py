"""`berita views import`: views counted from access logs and written into front matter
without disturbing anything else in the file."""

from __future__ import annotations

import gzip
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import frontmatter
import pytest
from click.testing import CliRunner

from generator import viewlog
from generator.cli import main
from generator.viewlog import (
    DETAIL_SECONDS,
    EDGE_SECONDS,
    STATE_FILE,
    Ledger,
    LedgerError,
    apply_views,
    count_views,
    import_views,
    is_bot,
    ledger_json,
    load_ledger,
    log_stream,
    normalize_path,
    plan_views,
    save_ledger,
)
from tests.conftest import article

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


# -- importing again: the ledger (views-imported.json) -------------------------------

DAY = 24 * 60  # minutes


def visits(first: int, count: int, start: float, target: str = "/berita/rapat/",
           step: float = 1) -> str:
    """`count` different visitors reading `target`, one every `step` minutes from `start`."""
    return "".join(hit(f"10.2.{(first + i) // 250}.{(first + i) % 250}", start + i * step,
                       target) for i in range(count))


def rotate(folder: Path) -> None:
    """What a daily logrotate with delaycompress does to folder/access.log and its elders."""
    for n in sorted((int(p.name.split(".")[2]) for p in folder.glob("access.log.*.gz")),
                    reverse=True):
        (folder / f"access.log.{n}.gz").rename(folder / f"access.log.{n + 1}.gz")
    one = folder / "access.log.1"
    if one.exists():
        (folder / "access.log.2.gz").write_bytes(gzip.compress(one.read_bytes()))
        one.unlink()
    (folder / "access.log").rename(one)


def append(log: Path, text: str) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(text)


@pytest.mark.parametrize(("name", "stream"), [
    ("access.log", "access.log"),
    ("access.log.1", "access.log"),
    ("access.log.2.gz", "access.log"),
    ("access.log-20240906.gz", "access.log"),
    ("other.log", "other.log"),
    ("kpu-blora.access.log.14.gz", "kpu-blora.access.log"),
])
def test_rotated_logs_are_one_stream(name, stream):
    assert log_stream(Path("/var/log/nginx") / name) == stream


def test_the_same_logs_again_count_nothing(logs):
    first = count_views(logs)
    again = count_views(logs, ledger=first.ledger)
    assert again.counts == {} and again.repeats == 0
    assert again.already_counted == first.lines_read - first.malformed  # every dated line
    assert again.bots_skipped == again.not_get == again.not_ok == again.not_pages == 0
    assert again.malformed == first.malformed  # they carry no time: reported every time
    assert ledger_json(again.ledger) == ledger_json(first.ledger)


def test_a_growing_log_counts_only_its_new_lines(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(visits(0, 5, 0), encoding="utf-8")
    first = count_views([log])
    # Two more requests in the very second the import read last, and one after it.
    append(log, visits(5, 2, 4, step=0) + visits(7, 1, 6))
    second = count_views([log], ledger=first.ledger)
    assert second.counts == {"/berita/rapat/": 3}
    assert second.already_counted == 5
    assert count_views([log], ledger=second.ledger).counts == {}


def test_an_older_log_imported_after_a_newer_one_still_counts(tmp_path):
    older, newer = tmp_path / "access.log.1", tmp_path / "access.log"
    older.write_text(visits(0, 4, -DAY), encoding="utf-8")
    newer.write_text(visits(10, 3, 0), encoding="utf-8")
    first = count_views([newer])
    second = count_views([older], ledger=first.ledger)
    assert second.counts == {"/berita/rapat/": 4} and second.already_counted == 0
    third = count_views([older, newer], ledger=second.ledger)
    assert third.counts == {} and third.already_counted == 7


@pytest.mark.parametrize("order", ["morning first", "noon first", "together"])
def test_overlapping_logs_count_each_request_once(tmp_path, order):
    """Copies of one log fetched at different times, into different folders."""
    lines = [hit(f"10.4.0.{i}", i * 7) for i in range(30)]  # 10:00 to 13:23
    (tmp_path / "pagi").mkdir()
    (tmp_path / "siang").mkdir()
    morning, noon = tmp_path / "pagi/access.log", tmp_path / "siang/access.log"
    morning.write_text("".join(lines[:20]), encoding="utf-8")
    noon.write_text("".join(lines[10:]), encoding="utf-8")
    if order == "together":
        runs = [[morning, noon, morning]]
    else:
        runs = [[morning], [noon]] if order == "morning first" else [[noon], [morning]]
    ledger, total = Ledger(), 0
    for run in [*runs, *runs]:
        counts = count_views(run, ledger=ledger)
        ledger, total = counts.ledger, total + counts.total
    assert total == 30


def test_lines_out_of_time_order_count_once(tmp_path):
    # Apache stamps a request with when it began: a slow one is written after quicker ones.
    log = tmp_path / "access.log"
    minutes = [0, 2, 1, 6, 3, 12, 11, 20, 19.5, 17]
    log.write_text("".join(hit(f"10.5.0.{i}", m) for i, m in enumerate(minutes)),
                   encoding="utf-8")
    first = count_views([log])
    assert first.total == 10
    assert count_views([log], ledger=first.ledger).total == 0
    edge = EDGE_SECONDS / 60
    append(log, hit("10.5.1.1", 20 - edge + 0.5)  # began before the last line read
           + hit("10.5.1.2", 20) + hit("10.5.1.3", 25))
    second = count_views([log], ledger=first.ledger)
    assert second.total == 3 and second.already_counted == 10
    assert count_views([log], ledger=second.ledger).total == 0
    # Later still than EDGE_SECONDS it is taken as read: the only loss, and only for a
    # request that was under way for that long when the import ran.
    append(log, hit("10.5.1.4", 25 - edge - 1))
    assert count_views([log], ledger=second.ledger).already_counted == 14


def test_a_reload_just_after_an_import_stays_a_repeat(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(hit("10.6.0.1", 0) + hit("10.6.0.2", 20), encoding="utf-8")
    first = count_views([log])
    append(log, hit("10.6.0.1", 25) + hit("10.6.0.1", 31))
    second = count_views([log], ledger=first.ledger)
    assert (second.total, second.repeats) == (1, 1)  # 25 reloads 0; 31 is a new view
    assert first.total + second.total == count_views([log]).total


def test_two_servers_logs_interleave_as_two_streams(tmp_path):
    web1, web2 = tmp_path / "web1-access.log", tmp_path / "web2-access.log"
    web1.write_text(visits(0, 10, 0, step=2), encoding="utf-8")
    web2.write_text(visits(100, 10, 1, step=2), encoding="utf-8")
    first = count_views([web1])
    second = count_views([web2], ledger=first.ledger)
    assert (first.total, second.total) == (10, 10)
    assert sorted(second.ledger.streams) == ["web1-access.log", "web2-access.log"]
    assert count_views([web2, web1], ledger=second.ledger).total == 0


def test_old_stretches_fold_into_counted_until(tmp_path):
    old, new = tmp_path / "access.log.9", tmp_path / "access.log"
    old.write_text(visits(0, 3, -40 * DAY), encoding="utf-8")
    new.write_text(visits(10, 3, 0), encoding="utf-8")
    ledger = count_views([old, new]).ledger
    stream = ledger.streams["access.log"]
    assert len(stream.spans) == 1 and stream.spans[0].last - stream.counted_until > DETAIL_SECONDS
    assert count_views([new, old], ledger=ledger).already_counted == 6


def test_the_ledger_is_deterministic_and_holds_no_addresses(logs, tmp_path):
    ledger = count_views(logs).ledger
    assert ledger_json(count_views(list(reversed(logs))).ledger) == ledger_json(ledger)
    state = tmp_path / STATE_FILE
    assert save_ledger(state, ledger) is True
    assert save_ledger(state, count_views(logs[::-1]).ledger) is False  # the same: kept
    text = state.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1,
                              sort_keys=True) + "\n"
    assert ledger_json(load_ledger(state)) == text
    assert "10.0.0.1" not in text and "Mozilla" not in text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert load_ledger(tmp_path / "tidak-ada.json") == Ledger()


def test_a_corrupt_ledger_is_refused_and_left_alone(tmp_path):
    state = tmp_path / STATE_FILE
    state.write_text('{"version": 1, "streams": {"access.log": {"spans": [{"first": 3}]}}}',
                     encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text(hit("10.7.0.1", 0, "/berita/a/"), encoding="utf-8")
    with pytest.raises(LedgerError, match=r"views-imported\.json: streams\.access\.log\."
                                          r"spans\[0\]\.first: 3 is not a time"):
        import_views({"berita/a/": tmp_path / "a.md"}, [log], state)
    assert state.read_text(encoding="utf-8").startswith('{"version": 1,')


def test_an_article_that_cannot_be_updated_stops_the_import_first(tmp_path):
    good, bad = tmp_path / "a.md", tmp_path / "b.md"
    good.write_text(LF_ARTICLE, encoding="utf-8")
    bad.write_text(LF_ARTICLE.replace("views: 12", "views: 1.234"), encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text(hit("10.7.0.1", 0, "/berita/a/") + hit("10.7.0.1", 0, "/berita/b/"),
                   encoding="utf-8")
    with pytest.raises(ValueError, match="not a whole number"):
        import_views({"berita/a/": good, "berita/b/": bad}, [log], tmp_path / STATE_FILE)
    assert good.read_text(encoding="utf-8") == LF_ARTICLE
    assert not (tmp_path / STATE_FILE).exists()


def test_a_failed_write_puts_the_articles_back(tmp_path, monkeypatch):
    files = {f"berita/{n}/": tmp_path / f"{n}.md" for n in "ab"}
    for file in files.values():
        file.write_text(LF_ARTICLE, encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text(hit("10.7.0.1", 0, "/berita/a/") + hit("10.7.0.1", 0, "/berita/b/"),
                   encoding="utf-8")

    def disk_full(path: Path, ledger: Ledger) -> bool:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(viewlog, "save_ledger", disk_full)
    with pytest.raises(OSError):
        import_views(files, [log], tmp_path / STATE_FILE)
    assert all(f.read_text(encoding="utf-8") == LF_ARTICLE for f in files.values())


# -- `berita views import`, as an operator runs it ------------------------------------


@pytest.fixture
def site(make_site) -> Path:
    return make_site({"content/rapat.md": article(title="Rapat", views="1234573"),
                      "content/pemilu.md": article(title="Pemilu")})


def import_logs(root: Path, *logs: Path, dry_run: bool = False) -> str:
    result = CliRunner().invoke(main, ["views", "import", *map(str, logs), "-s", str(root),
                                       *(["--dry-run"] if dry_run else [])])
    assert result.exit_code == 0, result.output
    return result.output


def views_of(root: Path, name: str) -> int:
    return read_meta(root / "content" / f"{name}.md").get("views", 0)


def snapshot(root: Path) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_cli_the_same_log_twice_counts_once(site, tmp_path):
    log = tmp_path / "access.log"
    log.write_text(visits(0, 6, 0) + visits(10, 2, 3, "/berita/pemilu/")
                   + hit("10.9.9.9", 1, agent="Googlebot/2.1"), encoding="utf-8")
    out = import_logs(site, log)
    assert "content/rapat.md: views 1234573 -> 1234579 (+6)" in out
    assert f"{STATE_FILE} diperbarui: commit berkas ini bersama berita-beritanya" in out
    state = (site / STATE_FILE).read_bytes()
    again = import_logs(site, log)
    assert (views_of(site, "rapat"), views_of(site, "pemilu")) == (1234579, 2)
    assert ("0 tayangan halaman dihitung, 9 baris dilewati karena sudah dihitung oleh impor "
            "sebelumnya") in again
    assert "; 0 berita diubah" in again and "diperbarui" not in again
    assert (site / STATE_FILE).read_bytes() == state


@pytest.mark.parametrize("order", ["access.log.1 first", "access.log.2.gz first"])
def test_cli_rotated_logs_count_each_request_once(site, tmp_path, order):
    nginx = tmp_path / "nginx"
    nginx.mkdir()
    current = nginx / "access.log"
    current.write_text(visits(0, 5, 0), encoding="utf-8")  # Friday 10:00-10:04
    import_logs(site, current)
    # Written after that import: a visitor, one stamped before the last line read (Apache
    # stamps a request when it began) and a reload that stays one view.
    append(current, hit("10.3.0.1", 30) + hit("10.3.0.2", 3.5) + hit("10.2.0.0", 10))
    rotate(nginx)
    current.write_text(visits(20, 4, DAY, "/berita/pemilu/"), encoding="utf-8")  # Saturday
    rotate(nginx)
    current.write_text(visits(40, 2, 2 * DAY), encoding="utf-8")  # Sunday
    rotated = [nginx / "access.log.1", nginx / "access.log.2.gz"]
    if order != "access.log.1 first":
        rotated.reverse()
    out = import_logs(site, *rotated)
    assert "content/rapat.md: views 1234578 -> 1234580 (+2)" in out
    assert "content/pemilu.md: views 0 -> 4 (+4)" in out
    for _ in range(2):
        assert "0 tayangan halaman dihitung" in import_logs(site, *reversed(rotated))
    everything = sorted(nginx.iterdir())  # then the daily cron over access.log*
    assert "content/rapat.md: views 1234580 -> 1234582 (+2)" in import_logs(site, *everything)
    assert "; 0 berita diubah" in import_logs(site, *everything)
    at_once = count_views(everything).counts
    assert views_of(site, "rapat") == 1234573 + at_once["/berita/rapat/"]
    assert views_of(site, "pemilu") == at_once["/berita/pemilu/"]


def test_cli_dry_run_reports_and_writes_nothing(site, tmp_path):
    log = tmp_path / "access.log"
    log.write_text(visits(0, 3, 0), encoding="utf-8")
    before = snapshot(site)
    dry = import_logs(site, log, dry_run=True)
    assert "content/rapat.md: views 1234573 -> 1234576 (+3)" in dry
    assert "1 berita akan diubah" in dry
    assert f"--dry-run: tidak ada yang ditulis, {STATE_FILE} juga tidak" in dry
    assert snapshot(site) == before
    import_logs(site, log)
    append(log, visits(10, 2, 5))
    before = snapshot(site)
    dry = import_logs(site, log, dry_run=True)
    assert "content/rapat.md: views 1234576 -> 1234578 (+2)" in dry
    assert ("2 tayangan halaman dihitung, 3 baris dilewati karena sudah dihitung oleh impor "
            "sebelumnya") in dry
    assert snapshot(site) == before
    assert "content/rapat.md: views 1234576 -> 1234578 (+2)" in import_logs(site, log)


@pytest.mark.parametrize(("data", "says"), [
    (b'{"version": 1, "streams": {"access.log": {"spans": [{"first": "2024-09-06T03',
     (f"{STATE_FILE}:1: bukan JSON yang sah", f"{STATE_FILE}:1: not valid JSON")),
    (b"<<<<<<< HEAD\n", ("bukan JSON yang sah", "not valid JSON")),
    (b"\xff\xfe{}", ("bukan teks UTF-8", "not UTF-8 text")),
    (b"[]", ("bukan catatan log yang sudah diimpor", "not a record of imported logs")),
    (b'{"version": 9, "streams": {}}', ("ditulis oleh berita yang lebih baru (versi 9)",
                                        "written by a newer berita (version 9)")),
    (b'{"version": 1, "streams": {"access.log": {"spans": [{"first": "kemarin", '
     b'"last": "2024-09-06T03:00:00Z"}]}}}',
     ("streams.access.log.spans[0].first: 'kemarin' bukan waktu seperti",
      "streams.access.log.spans[0].first: 'kemarin' is not a time like")),
])
def test_cli_a_corrupt_ledger_is_an_error_naming_it(site, tmp_path, data, says):
    log = tmp_path / "access.log"
    log.write_text(visits(0, 3, 0), encoding="utf-8")
    (site / STATE_FILE).write_bytes(data)
    before = snapshot(site)
    unchanged = ("Tidak ada jumlah tayangan yang diubah", "No view count was changed")
    for dry_run in ([], ["--dry-run"]):
        for language, (what, nothing) in zip(["id", "en"], zip(says, unchanged, strict=True),
                                             strict=True):
            result = CliRunner().invoke(main, ["views", "import", str(log), "-s", str(site),
                                               "--lang", language, *dry_run])
            assert result.exit_code == 1
            assert str(site / STATE_FILE) in result.output and what in result.output
            assert nothing in result.output and f"git checkout -- {STATE_FILE}" in result.output
            assert "Traceback" not in result.output
            assert snapshot(site) == before


def test_cli_reports_a_log_it_could_not_read_whole(site, tmp_path):
    whole = gzip.compress(visits(0, 40, 0).encode())
    cut = tmp_path / "access.log.2.gz"
    cut.write_bytes(whole[: len(whole) - 20])
    out = import_logs(site, cut)
    assert f"peringatan: {cut}: " in out and "dihitung sampai bagian yang terputus" in out
    assert views_of(site, "rapat") > 1234573


@pytest.mark.parametrize("stamp", ["31/Feb/2024:10:00:00 +0700", "30/Feb/2023:10:00:00 +0700",
                                   "29/Feb/2023:10:00:00 +0700", "06/Sep/2024:24:00:00 +0700",
                                   "06/Sep/2024:10:61:00 +0700", "00/Sep/2024:10:00:00 +0700"])
def test_an_impossible_time_is_malformed_not_a_view(tmp_path: Path, stamp: str) -> None:
    """Issue 20: 31/Feb/2024 was counted (as 2 March)."""
    log = tmp_path / "access.log"
    log.write_text(f'10.0.0.1 - - [{stamp}] "GET /berita/rapat/ HTTP/1.1" 200 512 "-" '
                   f'"{CHROME}"\n', encoding="utf-8")
    counts = count_views([log])
    assert counts.total == 0 and counts.malformed == 1
    leap = tmp_path / "leap.log"
    leap.write_text(f'10.0.0.1 - - [29/Feb/2024:10:00:00 +0700] "GET /berita/rapat/ '
                    f'HTTP/1.1" 200 512 "-" "{CHROME}"\n', encoding="utf-8")
    assert count_views([leap]).total == 1
