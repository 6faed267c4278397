"""How long an operator waits in the preview: from an article file's write to the reload
of the page showing it, in Chromium, with `berita serve` over a synthetic site.

    python bench/serve_latency.py --sizes 2000,10000 [--saves 5]

For each size the corpus is generated (as bench/run.py does, into bench/.work/), a
preview is started, the article's page is opened and, once livereload's socket is
open, the article is saved `--saves` times, each a new sentence; the time of each save
is from the write to the new page's `load` event. Prints the median and the worst, and
the targets (at most 1 s at 2,000 articles, 2 s at 10,000).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import run as bench_run  # noqa: E402

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TARGETS = {2000: 1.0, 10000: 2.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, limit: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise SystemExit(f"berita serve ended:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {limit} s")


def article_route(file: Path) -> str:
    """The article's address, as the preview serves it (the slug of its title)."""
    from generator.urls import slugify

    text = file.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    return f"berita/{slugify(title.split(':', 1)[1].strip().strip(chr(34)))}/"


def measure(size: int, saves: int, work: Path) -> dict:
    from playwright.sync_api import sync_playwright

    corpus = bench_run.ensure_corpus(size, 1, work, pelican=False)
    site = corpus.root / "site"
    file = site / "content" / corpus.edit_path
    original = file.read_bytes()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "-s", str(site),
                                "--port", str(port)], cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    times: list[float] = []
    try:
        first = wait_until_up(url, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url + article_route(file))
            for number in range(saves):
                page.wait_for_function("() => window.LiveReload !== undefined")
                time.sleep(1.5)  # the socket's handshake, and the page's own first checks
                marker = f"Kalimat uji pratinjau {number} {time.time_ns()}"
                with page.expect_event("load", timeout=120_000):
                    started = time.perf_counter()
                    file.write_bytes(original + f"\n{marker}.\n".encode())
                times.append(time.perf_counter() - started)
                if marker not in page.inner_text("body"):
                    raise SystemExit(f"the reloaded page does not show save {number}")
            browser.close()
    finally:
        file.write_bytes(original)
        process.terminate()
        process.wait(timeout=30)
    return {"size": size, "first_build_s": round(first, 2), "saves_s": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3), "worst_s": round(max(times), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / ".work")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    results = [measure(int(size), options.saves, options.work)
               for size in options.sizes.split(",")]
    print("| articles | first build | save to reload, median | worst | target |")
    print("|---|---|---|---|---|")
    for result in results:
        target = TARGETS.get(result["size"])
        verdict = "" if target is None else \
            f"{'PASS' if result['median_s'] <= target else 'FAIL'} (≤ {target:g} s)"
        print(f"| {result['size']:,} | {result['first_build_s']} s | {result['median_s']} s "
              f"| {result['worst_s']} s | {verdict} |")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
