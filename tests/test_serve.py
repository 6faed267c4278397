"""`berita serve`: a real server in a subprocess, fetched over HTTP as a browser would."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import build, serve
from tests.conftest import REPO, SITES, article

WAIT = 20.0
"""Longest wait for the server to start or to pick up a save (not a speed requirement)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    root: Path
    url: str
    process: subprocess.Popen

    def get(self, path: str = "/") -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def until(self, path: str, check: Callable[[int, str], bool]) -> tuple[int, str]:
        """Fetches `path` until `check(status, body)` holds; fails after WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while True:
            try:
                status, body = self.get(path)
            except (urllib.error.URLError, ConnectionError):
                status, body = 0, ""
            if check(status, body):
                return status, body
            if time.monotonic() > deadline or self.process.poll() is not None:
                output = self.stop()
                pytest.fail(f"{path} never satisfied the check; last status {status}\n"
                            f"{body[:2000]}\n--- server output ---\n{output}")
            time.sleep(0.2)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            out, _ = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return out


def launch(root: Path, *args: str) -> Running:
    """Starts `berita serve` for `root` on a free port and waits until it answers."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "-s", str(root), "--port", str(port),
         *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    running = Running(root, f"http://127.0.0.1:{port}/", process)
    running.until("/", lambda status, body: status in (200, 500))
    return running


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(site: str = "basic", *args: str) -> Running:
        root = tmp_path / site
        if not root.exists():
            shutil.copytree(SITES / site, root)
        started.append(launch(root, *args))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="module")
def basic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One server over a copy of tests/sites/basic, for tests that only read."""
    root = tmp_path_factory.mktemp("serve") / "basic"
    shutil.copytree(SITES / "basic", root)
    running = launch(root)
    yield running
    running.stop()


def titles(body: str) -> list[str]:
    page = BeautifulSoup(body, "html.parser")
    return [" ".join(a.get_text().split()) for a in page.select(".card-title a")]


def test_serves_the_site_with_the_livereload_script(basic_server: Running) -> None:
    server = basic_server
    status, body = server.get("/")
    assert status == 200
    page = BeautifulSoup(body, "html.parser")
    assert page.title.get_text() == "Berita Uji: Berita Terkini"
    assert "livereload.js" in page.head.decode()
    # Links point at the preview, not at the published base_url's sub-path.
    assert page.select_one("link[rel=stylesheet]")["href"] == "/static/style.css"
    assert server.get("/static/style.css")[0] == 200
    status, body = server.get("/halaman-yang-tidak-ada/")
    assert status == 404
    assert "Halaman tidak ditemukan" in body


def test_a_saved_edit_is_served_and_a_broken_file_shows_an_error_page(start_server) -> None:
    server = start_server()
    source = server.root / "content/luwu/rakor.md"
    text = source.read_text(encoding="utf-8")
    page = "/berita/kpu-luwu-timur-gelar-rapat-koordinasi/"
    assert "Diubah Saat Pratinjau" not in server.get(page)[1]
    source.write_text(text.replace("menggelar Rapat Koordinasi",
                                   "menggelar Rapat Diubah Saat Pratinjau"), encoding="utf-8")
    server.until(page, lambda s, body: "Diubah Saat Pratinjau" in body)

    # Break the front matter: an unclosed quote.
    source.write_text(text.replace("views: 97", 'views: "97'), encoding="utf-8")
    _status, body = server.until("/", lambda s, body: s == 500)
    error = BeautifulSoup(body, "html.parser")
    assert error.h1.get_text() == "Ada kesalahan di berita Anda"
    problems = [li.get_text() for li in error.select("ol.problems li")]
    assert any(p.startswith("content/luwu/rakor.md:") and "YAML" in p for p in problems)
    assert "livereload.js" in error.head.decode()  # fixing the file will reload this page
    # Every page shows it, styles and images keep coming from the last good build.
    assert server.get("/tag/")[0] == 500
    assert server.get("/static/style.css")[0] == 200

    source.write_text(text, encoding="utf-8")
    _status, body = server.until(page, lambda s, body: s == 200)
    assert "Diubah Saat Pratinjau" not in body
    output = server.stop()
    assert "content/luwu/rakor.md:" in output  # the terminal showed the same problem
    assert "Ada kesalahan di berita Anda" in output


def test_a_template_error_shows_the_template_and_line(start_server, tmp_path: Path) -> None:
    server = start_server()
    templates = server.root / "templates"
    templates.mkdir()
    (templates / "tags.html").write_text('{% extends "base.html" %}\n{% block main %}\n'
                                         "{{ no_such_thing.attribute }}\n{% endblock %}\n",
                                         encoding="utf-8")
    _status, body = server.until("/tag/", lambda s, body: s == 500)
    problems = [li.get_text() for li in BeautifulSoup(body, "html.parser").select("ol li")]
    assert any(p.startswith("templates/tags.html:3") for p in problems), problems
    (templates / "tags.html").unlink()
    server.until("/tag/", lambda s, body: s == 200)


def test_drafts_and_scheduled_articles_are_marked_in_serve_but_not_built(
        start_server, make_site) -> None:
    files = {
        "content/draft.md": article("Sebuah Draf", draft="true"),
        "content/later.md": article("Terbit Nanti", date="2999-01-01 08:00",
                                    office="kpu-kabupaten-luwu-timur"),
        "content/now.md": article("Sudah Terbit"),
    }
    root = make_site(files)
    result = build.run(root, root / "public")
    assert {s.path for s in result.skipped} == {"content/draft.md", "content/later.md"}
    built = titles((root / "public/index.html").read_text(encoding="utf-8"))
    assert built == ["Sudah Terbit"]
    assert not (root / "public/berita/sebuah-draf").exists()

    server = start_server(root.name)
    _status, body = server.get("/")
    page = BeautifulSoup(body, "html.parser")
    marks = {" ".join(card.select_one(".card-title").get_text().split())
             for card in page.select(".card")}
    assert marks == {"DRAF Sebuah Draf", "TERJADWAL Terbit Nanti", "Sudah Terbit"}
    _status, body = server.get("/berita/terbit-nanti/")
    heading = BeautifulSoup(body, "html.parser").h1
    assert heading.select_one(".status-mark").get_text() == "TERJADWAL"


def test_the_preview_leaves_the_search_index_out_unless_asked(start_server) -> None:
    """A save in the preview costs what `berita build --no-search` does; --search puts
    the index back."""
    plain = start_server()
    assert plain.get("/pagefind/pagefind.js")[0] == 404
    searching = start_server("basic", "--search")
    assert searching.get("/pagefind/pagefind.js")[0] == 200


def post(server: Running, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + "api/v1", data=body, headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_editor_backend_answers_the_preview_only(basic_server: Running) -> None:
    info = json.dumps({"action": "info", "params": {}}).encode()
    status, body = post(basic_server, info, {"Content-Type": "application/json"})
    assert (status, body["type"]) == (200, "local_fs")
    own = basic_server.url.rstrip("/")
    assert post(basic_server, info, {"Content-Type": "application/json",
                                     "Origin": own})[0] == 200
    # A form or a page of another site cannot save into content/.
    assert post(basic_server, info, {"Content-Type": "text/plain"})[0] == 403
    assert post(basic_server, info, {"Content-Type": "application/json",
                                     "Origin": "http://jahat.example"})[0] == 403
    assert post(basic_server, info, {"Content-Type": "application/json",
                                     "Host": "jahat.example"})[0] == 403
    entry = json.dumps({"action": "getEntry", "params": {"path": "content/luwu/rakor.md"}})
    status, body = post(basic_server, entry.encode(), {"Content-Type": "application/json"})
    assert status == 200 and "Rapat Koordinasi" in body["data"]
    escape = json.dumps({"action": "getEntry", "params": {"path": "site.toml"}})
    assert post(basic_server, escape.encode(), {"Content-Type": "application/json"})[0] == 422


def test_no_drafts_serves_what_build_would_publish(start_server, make_site) -> None:
    root = make_site({"content/draft.md": article("Sebuah Draf", draft="true"),
                      "content/now.md": article("Sudah Terbit")})
    server = start_server(root.name, "--no-drafts")
    assert titles(server.get("/")[1]) == ["Sudah Terbit"]
    assert server.get("/berita/sebuah-draf/")[0] == 404


def raw_request(port: int, target: bytes) -> int:
    """Sends one GET with `target` exactly as given; returns the status code (0: closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    if not answer:
        return 0
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("target", [
    b"/../site.toml",
    b"/../../../../etc/passwd",
    b"/%2e%2e/site.toml",
    b"/%2E%2E/%2e%2e/etc/passwd",
    b"/static/..%2f..%2fsite.toml",
    b"/static%2fstyle.css",
    b"/static/%2e%2e/index.html",
    b"/index.html%00.css",
    b"/%00",
    b"//etc/passwd",
    b"/static//style.css",
    b"/..\\site.toml",
    b"/%5c..%5csite.toml",
    b"/etc/passwd",
    b"http://127.0.0.1/../site.toml",
    b"/%ff%fe",
])
def test_only_files_inside_the_built_site_are_served(basic_server: Running,
                                                    target: bytes) -> None:
    port = int(basic_server.url.rsplit(":", 1)[1].strip("/"))
    assert raw_request(port, b"/static/style.css") == 200
    status = raw_request(port, target)
    assert status == 404, (target, status)


def test_safe_request_path() -> None:
    assert serve.safe_request_path("/") == ""
    assert serve.safe_request_path("/berita/judul/") == "berita/judul"
    assert serve.safe_request_path("/media/foto%20raker.jpg") == "media/foto raker.jpg"
    for bad in ["", "x", "/..", "/a/../b", "/%2e%2e/a", "/a%2Fb", "/a\\b", "/a%00", "//a",
                "/a//b", "/./a", "/%ff", "/" + "a" * 256, "/" + "ab/" * 2000]:
        assert serve.safe_request_path(bad) is None, bad
    assert serve.safe_request_path("/" + "a" * 255) == "a" * 255


def test_a_very_long_path_is_not_found_not_an_error(make_site, tmp_path: Path) -> None:
    """Issue 20: a 10,000-character path was answered with a 500."""
    root = make_site({"content/a.md": article("Pertama")})
    preview = serve.Preview(root, tmp_path / "out" / "site",
                            build.BuildOptions(preview=True, drafts=True, future=True))
    assert preview.rebuild() is not None
    assert preview.respond("/" + "x" * 10_000).status == 404
    assert preview.respond("/berita/" + "x" * 300 + "/").status == 404


def test_a_failed_rebuild_keeps_the_last_complete_build(make_site, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("Pertama")})
    preview = serve.Preview(root, tmp_path / "out" / "site",
                            build.BuildOptions(preview=True, drafts=True, future=True))
    assert preview.rebuild() is not None
    before = {p.relative_to(preview.output) for p in preview.output.rglob("*")}
    (root / "content/a.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert preview.rebuild() is None
    assert {p.relative_to(preview.output) for p in preview.output.rglob("*")} == before
    assert preview.respond("/static/style.css").status == 200
    answer = preview.respond("/")
    assert answer.status == 500
    assert b"content/a.md:3: kesalahan penulisan YAML" in answer.body
    assert preview.respond("/berita/pertama/").status == 500  # every page
    (root / "content/a.md").write_text(article("Kedua"), encoding="utf-8")
    assert preview.rebuild() is not None
    assert preview.respond("/berita/pertama").status == 404
    assert preview.respond("/berita/kedua").location == "/berita/kedua/"
    assert b"Kedua" in preview.respond("/berita/kedua/").body


def test_the_error_page_and_terminal_speak_the_operators_language(
        make_site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/a.md": "---\ntitle: [\n---\n"})
    said = {}
    for language in ("id", "en"):
        preview = serve.Preview(root, tmp_path / language / "site",
                                build.BuildOptions(preview=True, drafts=True, future=True),
                                language=language)
        assert preview.rebuild() is None
        capsys.readouterr()
        serve.report(preview, None)
        said[language] = (BeautifulSoup(preview.respond("/").body, "html.parser"),
                          capsys.readouterr().err)
    page, terminal = said["id"]
    assert page.html["lang"] == "id" and page.h1.get_text() == "Ada kesalahan di berita Anda"
    assert "1 masalah" in page.get_text() and "Build dibatalkan" in page.get_text()
    assert "content/a.md:3: kesalahan penulisan YAML" in page.select_one("ol.problems").text
    assert "Ada kesalahan di berita Anda: Build dibatalkan" in terminal
    assert "pratinjau akan pulih sendiri" in terminal
    page, terminal = said["en"]
    assert page.html["lang"] == "en"
    assert page.h1.get_text() == "There is a mistake in your news"
    assert "1 problem" in page.get_text() and "Build stopped" in page.get_text()
    assert "content/a.md:3: YAML syntax error" in page.select_one("ol.problems").text
    assert "There is a mistake in your news: Build stopped" in terminal
    assert "the preview will recover by itself" in terminal


def test_serve_without_site_toml_fails_with_exit_1(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, ["serve", "-s", str(tmp_path), "--port", "1"])
    assert result.exit_code == 1
    assert "site.toml tidak ditemukan" in result.output
    assert "Pratinjau tidak dimulai." in result.output
    english = CliRunner().invoke(main, ["serve", "-s", str(tmp_path), "--port", "1",
                                        "--lang", "en"])
    assert english.exit_code == 1
    assert "site.toml not found" in english.output
    assert "The preview was not started." in english.output


def test_serve_previews_in_the_operators_language(make_site, monkeypatch) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    asked = []
    monkeypatch.setattr(serve, "run", lambda *args, language, **kwargs: asked.append(language))
    root = make_site({})
    assert CliRunner().invoke(main, ["serve", "-s", str(root)]).exit_code == 0
    assert CliRunner().invoke(main, ["serve", "-s", str(root), "--lang", "en"]).exit_code == 0
    assert asked == ["id", "en"]


def test_serve_help() -> None:
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for flag in ("--host", "--port", "--no-drafts", "--open", "--site"):
        assert flag in result.output


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _need_browser() -> None:
    """Skips on a developer machine without chromium; in CI a missing browser fails."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    if missing:
        message = "browser test needs " + " and ".join(missing) + "; run tests/setup.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def save_and_see_it_reloaded(page, source: Path, words: str) -> None:
    """Saves the rakor article with `words` in its first sentence; the open page must
    show them by reloading itself (not by anything this test does)."""
    page.evaluate("() => { window.notReloadedYet = true; }")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("menggelar Rapat Koordinasi", f"menggelar {words}"),
                      encoding="utf-8")
    page.wait_for_function(f"() => document.body.innerText.includes('{words}')",
                           timeout=WAIT * 1000)
    assert page.evaluate("() => window.notReloadedYet === undefined")


@pytest.mark.browser
def test_an_open_page_reloads_by_itself_after_a_save(start_server) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    server = start_server()
    source = server.root / "content/luwu/rakor.md"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url + "berita/kpu-luwu-timur-gelar-rapat-koordinasi/")
            assert "Rapat Koordinasi" in page.inner_text("h1")
            # livereload.js connects over a websocket; wait until it has loaded.
            page.wait_for_function("() => window.LiveReload !== undefined", timeout=WAIT * 1000)
            time.sleep(1)  # let the socket finish its handshake before the save
            save_and_see_it_reloaded(page, source, "Rapat Diperbarui Otomatis")
        finally:
            browser.close()


@pytest.mark.browser
def test_a_save_before_the_livereload_socket_opens_still_reloads(start_server) -> None:
    """The first save after a page opens always reloads it, even when livereload's
    socket is not connected yet (here: never, its script is blocked)."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    server = start_server()
    source = server.root / "content/luwu/rakor.md"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/livereload.js*", lambda route: route.abort())
            page.goto(server.url + "berita/kpu-luwu-timur-gelar-rapat-koordinasi/")
            save_and_see_it_reloaded(page, source, "Rapat Tanpa Soket")
            assert page.evaluate("() => window.LiveReload === undefined")
        finally:
            browser.close()


def test_every_page_knows_the_build_it_came_from(basic_server: Running) -> None:
    status, body = basic_server.get("/__berita/build")
    assert status == 200
    generation = json.loads(body)["build"]
    assert generation >= 1
    page = basic_server.get("/")[1]
    assert f"var b={generation}," in page
