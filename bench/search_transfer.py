"""What a search costs a phone: the bytes Chromium fetches for a search on /cari/, with the
site's sharded index and with one Pagefind bundle of the same pages, side by side.

    python bench/search_transfer.py --site bench/.work/SITE [--query "pemilu 2024" ...]

The site is built first if it has no public/. The single bundle is made by running
Pagefind once over every indexed article page (slow and memory-hungry at 10,000 pages:
that is why berita shards). Each query runs in a fresh browser context (a cold cache),
on a 390x844 phone viewport, until the results are shown and the network is idle.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import bundles, search  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

QUERIES = ["pemilu 2024", "rapat koordinasi", "daftar pemilih", "sosialisasi tahapan"]


def single_bundle(public: Path, into: Path) -> Path:
    """A copy of `public` (hard links) whose search is one Pagefind bundle."""
    if into.exists():
        shutil.rmtree(into)
    subprocess.run(["cp", "-al", str(public), str(into)], check=True)
    shutil.rmtree(into / "pagefind")
    with tempfile.TemporaryDirectory(prefix="single-", dir=into.parent) as scratch:
        site = Path(scratch, "site")
        for page in sorted((public / "berita").glob("*/index.html")):
            if b"data-pagefind-body" not in page.read_bytes():
                continue
            target = site / page.relative_to(public)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(page, target)
        started = time.perf_counter()
        subprocess.run(search.command(site, into / "pagefind"), check=True)
        print(f"single bundle: Pagefind over {len(list(site.rglob('*.html')))} pages in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        bundles.canonical(into / "pagefind")
    form = into / "cari" / "index.html"
    html = form.read_text(encoding="utf-8")
    start = html.index('data-shards="')
    end = html.index('"', start + len('data-shards="'))
    form.unlink()  # a hard link to the sharded site's page: never write through it
    form.write_text(html[:start] + 'data-shards=""' + html[end + 1:], encoding="utf-8")
    return into


class Tally:
    """Bytes and requests a server has answered (the search's worker fetches too, which
    the page's own network events do not show)."""

    def __init__(self) -> None:
        self.bytes = 0
        self.requests = 0
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.bytes = self.requests = 0


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    tally: Tally

    def log_message(self, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[override]
        data = source.read()
        outputfile.write(data)
        with self.tally.lock:
            self.tally.bytes += len(data)
            self.tally.requests += 1


@contextmanager
def counted(folder: Path) -> Iterator[tuple[str, Tally]]:
    tally = Tally()
    handler = type("Handler", (_CountingHandler,), {"tally": tally})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", tally
    finally:
        server.shutdown()
        server.server_close()


def transferred(browser: object, url: str, tally: Tally) -> tuple[int, int, int]:
    """(bytes, requests, results shown) of one search from a cold cache: the response
    bodies the server sent (no HTTP compression: Pagefind's index files are gzip'd
    already, its script and WebAssembly are not)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore
    page = context.new_page()
    tally.reset()
    page.goto(url, wait_until="load")
    page.wait_for_function("document.querySelector('.search-status').textContent"
                           ".indexOf('ditemukan') > 0 || document.querySelector("
                           "'.search-status').textContent.indexOf('Tidak ada') == 0",
                           timeout=120_000)
    page.wait_for_load_state("networkidle")
    shown = page.locator(".search-results li").count()
    context.close()
    return tally.bytes, tally.requests, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--query", action="append", help="a query (repeatable)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    site = args.site.resolve()
    public = site / "public"
    if not (public / "cari" / "index.html").is_file():
        subprocess.run([sys.executable, "-m", "generator", "build", "-q", "-s", str(site)],
                       check=True, cwd=REPO)
    single = single_bundle(public, site / "public-single")
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        with counted(public) as (sharded_url, many_tally), \
                counted(single) as (single_url, one_tally):
            for query in args.query or QUERIES:
                path = "cari/?q=" + query.replace(" ", "+")
                one = transferred(browser, single_url + path, one_tally)
                many = transferred(browser, sharded_url + path, many_tally)
                rows.append({"query": query, "single_bytes": one[0], "single_requests": one[1],
                             "sharded_bytes": many[0], "sharded_requests": many[1],
                             "shown": [one[2], many[2]], "ratio": many[0] / one[0]})
        browser.close()
    shards_count = len([p for p in (public / "pagefind").iterdir() if p.name.isdigit()]) + 1
    print(f"{shards_count} shards; bytes fetched for one search on /cari/ (phone, cold cache)")
    print("| query | one bundle | shards | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['query']} | {row['single_bytes'] / 1024:.1f} KB "
              f"({row['single_requests']} requests) | {row['sharded_bytes'] / 1024:.1f} KB "
              f"({row['sharded_requests']} requests) | {row['ratio']:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
