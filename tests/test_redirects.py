"""Old WordPress addresses -> redirect pages, `_redirects`, `redirects.json` and the
home-page script; parsed as a browser, a host and a script would read them."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from generator.redirects import (
    alias_output_path,
    parse_alias,
    query_redirect_script,
    redirect_files,
)
from generator.urls import Links
from tests.conftest import article, run_build

LINKS = Links("https://uji.kpu.example/")
SUB_PATH = Links("https://kpu.github.io/berita-kpu/")
TITLE = 'Berita <KPU> & "Blora"'
ALIASES = [
    ("/2019/11/08/rapat-koordinasi/", "berita/rapat-koordinasi/"),
    ("/?p=123", "berita/rapat-koordinasi/"),
    ("/?page_id=7", "berita/profil-kpu/"),
    ("/2019/11/%e2%80%9cpemilu%e2%80%9d-damai/", "berita/pemilu-damai/"),
    ("/arsip/lama.html", "berita/pemilu-damai/"),
    ("/2019/11/tanpa-garis", "berita/pemilu-damai/"),
]


def page(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path].decode("utf-8"), "html.parser")


def refresh_url(soup: BeautifulSoup) -> str:
    content = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
    delay, _, url = content.partition(";")
    assert delay.strip() == "0"
    key, _, value = url.strip().partition("=")
    assert key.lower() == "url"
    return value


def test_a_redirect_page_sends_readers_and_search_engines_on():
    files = redirect_files(ALIASES, LINKS, TITLE)
    soup = page(files, "2019/11/08/rapat-koordinasi/index.html")
    assert refresh_url(soup) == "/berita/rapat-koordinasi/"
    assert soup.find("link", rel="canonical")["href"] == \
        "https://uji.kpu.example/berita/rapat-koordinasi/"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    link = soup.find("body").find("a")
    assert link["href"] == "/berita/rapat-koordinasi/"
    assert link.get_text() == "https://uji.kpu.example/berita/rapat-koordinasi/"
    assert TITLE in soup.title.get_text()  # escaped in the source, intact when parsed


def test_every_path_alias_gets_its_file():
    files = redirect_files(ALIASES, LINKS, TITLE)
    assert set(files) == {
        "2019/11/08/rapat-koordinasi/index.html",
        "2019/11/“pemilu”-damai/index.html",  # percent-decoded, as the server looks it up
        "arsip/lama.html",
        "2019/11/tanpa-garis/index.html",
        "_redirects",
        "redirects.json",
    }
    soup = page(files, "arsip/lama.html")
    assert refresh_url(soup) == "/berita/pemilu-damai/"


def test_host_rules_and_the_id_map():
    files = redirect_files(ALIASES, LINKS, TITLE)
    rules = [line.split() for line in files["_redirects"].decode().splitlines()]
    assert ["/2019/11/08/rapat-koordinasi/", "/berita/rapat-koordinasi/", "301"] in rules
    assert ["/2019/11/%E2%80%9Cpemilu%E2%80%9D-damai/", "/berita/pemilu-damai/", "301"] in rules
    assert ["/", "p=123", "/berita/rapat-koordinasi/", "301!"] in rules
    assert ["/", "page_id=7", "/berita/profil-kpu/", "301!"] in rules
    assert len(rules) == 6
    assert json.loads(files["redirects.json"]) == {
        "p": {"123": "/berita/rapat-koordinasi/"},
        "page_id": {"7": "/berita/profil-kpu/"},
    }


def test_a_sub_path_site():
    files = redirect_files(ALIASES, SUB_PATH, TITLE)
    soup = page(files, "2019/11/08/rapat-koordinasi/index.html")
    assert refresh_url(soup) == "/berita-kpu/berita/rapat-koordinasi/"
    assert soup.find("link", rel="canonical")["href"] == \
        "https://kpu.github.io/berita-kpu/berita/rapat-koordinasi/"
    assert json.loads(files["redirects.json"])["p"] == {
        "123": "/berita-kpu/berita/rapat-koordinasi/"}


def test_no_aliases_no_files():
    assert redirect_files([], LINKS, TITLE) == {}


def test_an_alias_of_its_own_target_is_left_out():
    files = redirect_files([("/berita/sama/", "berita/sama/"), ("/berita/sama", "berita/sama/")],
                           LINKS, TITLE)
    assert files == {}  # a redirect to itself would loop; the article is already there


def test_duplicates_merge_and_conflicts_are_errors():
    files = redirect_files([("/a/", "berita/x/"), ("/a/", "berita/x/"), ("/?p=1", "berita/x/"),
                            ("/?p=1", "berita/x/")], LINKS, TITLE)
    assert [f for f in files if f.endswith("index.html")] == ["a/index.html"]
    with pytest.raises(ValueError, match="both"):
        redirect_files([("/a/", "berita/x/"), ("/a/index.html", "berita/y/")], LINKS, TITLE)
    with pytest.raises(ValueError, match="both"):
        redirect_files([("/?p=1", "berita/x/"), ("/?p=1", "berita/y/")], LINKS, TITLE)
    with pytest.raises(ValueError, match="replace"):
        redirect_files([("/redirects.json", "berita/x/")], LINKS, TITLE)


@pytest.mark.parametrize("alias", [
    "https://jahat.example/x/",
    "//jahat.example/x/",
    "javascript:alert(1)",
    "/../../etc/passwd",
    "/a/../../b/",
    "/a/%2e%2e/%2e%2e/b/",
    "/a/..%2f..%2fb/",
    "/a%2fb/",
    "/a\\b/",
    "/a%5cb/",
    "/a\x00b/",
    "/a%00b/",
    "/a%0a/",
    "/a//b/",
    "/./a/",
    "/a/%ff/",
    "/a/%25/",
    "/",
    "",
    "   ",
    "/a/?utm=x",
    "/a/#bagian",
    "/?p=abc",
])
def test_hostile_aliases_are_rejected(alias):
    with pytest.raises(ValueError):
        parse_alias(alias)
    with pytest.raises(ValueError):
        redirect_files([(alias, "berita/x/")], LINKS, TITLE)


def test_alias_output_path():
    assert alias_output_path("/2019/11/08/x/") == "2019/11/08/x/index.html"
    assert alias_output_path("2019/11/08/x") == "2019/11/08/x/index.html"
    assert alias_output_path("/lama.htm") == "lama.htm"
    with pytest.raises(ValueError):
        alias_output_path("/?p=1")


def test_script_is_safe_inside_a_script_element():
    script = query_redirect_script(inline={"p": {"1": "/berita/</script><b>/"}})
    assert "</script" not in script.lower()
    assert "<!--" not in script


node = pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the script")


def run_script(search: str, script: str, served: object = None) -> list[str]:
    """Runs the script with a fake location and fetch; returns what it did."""
    harness = f"""
    const calls = [];
    globalThis.location = {{search: {json.dumps(search)},
                           replace: (url) => calls.push("replace " + url)}};
    globalThis.fetch = (url) => {{
      calls.push("fetch " + url);
      return Promise.resolve({{ok: true, json: () => Promise.resolve({json.dumps(served)})}});
    }};
    {script}
    setTimeout(() => console.log(JSON.stringify(calls)), 20);
    """
    done = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=30,
                          check=True)
    return json.loads(done.stdout)


@node
def test_script_with_an_inline_map():
    script = query_redirect_script(inline={"p": {"123": "/berita/x/"}, "page_id": {"7": "/p/"}})
    assert run_script("?p=123", script) == ["replace /berita/x/"]
    assert run_script("?page_id=7&utm_source=wa", script) == ["replace /p/"]
    assert run_script("?p=999", script) == []
    assert run_script("", script) == []
    assert run_script("?p=1%3Cx", script) == []


@node
def test_script_fetches_the_map_only_when_asked():
    script = query_redirect_script("/berita-kpu/redirects.json")
    served = {"p": {"5": "/berita-kpu/berita/y/"}}
    assert run_script("?p=5", script, served) == ["fetch /berita-kpu/redirects.json",
                                                  "replace /berita-kpu/berita/y/"]
    assert run_script("?s=pemilu", script, served) == []


@node
def test_script_never_leaves_the_site():
    script = query_redirect_script(inline={"p": {"1": "//jahat.example/", "2": "https://j.example/",
                                                 "3": "/\\jahat.example/"}})
    for number in "123":
        assert run_script(f"?p={number}", script) == []


@pytest.mark.parametrize("address", ["/feed.xml", "/atom.xml", "/sitemap.xml",
                                     "/robots.txt", "/static/style.css",
                                     "/.berita/schedule.json", "/tag/pemilu/feed.xml"])
def test_an_old_address_on_a_generated_file_is_an_error_at_its_line(
        make_site, address: str) -> None:
    """Issue 20: such an alias was a FileExistsError, then a feed.xml/ redirect folder."""
    from generator import check
    from generator.problems import BuildFailed

    root = make_site({"content/a.md": article("Satu", tags="[Pemilu]",
                                              aliases=f'["{address}", "/lama/satu/"]')})
    [problem] = check.run(root).problems
    assert (problem.path, problem.line, problem.field, problem.severity) == \
        ("content/a.md", 6, "aliases", "error")
    assert address in problem.message and "cannot be a redirect" in problem.message
    with pytest.raises(BuildFailed):
        run_build(root)
    assert not (root / "public").exists()
    # Without it, the feed is the feed, and the other old address still redirects.
    (root / "content/a.md").write_text(article("Satu", tags="[Pemilu]",
                                               aliases='["/lama/satu/"]'))
    run_build(root)
    assert (root / "public/feed.xml").is_file() and (root / "public/lama/satu/index.html").is_file()
