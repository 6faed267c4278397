"""The web editor at /admin/: the real Decap CMS in Chromium against `berita serve`,
saving through berita's own local backend into content/."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import frontmatter
import pytest

from generator import build, editor
from generator.config import load
from generator.fields import parse_date
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import NOW, SITES
from tests.test_serve import WAIT, Running, launch


def test_the_config_offers_the_offices_and_keeps_photos_beside_articles() -> None:
    import json

    config, _ = load(SITES / "basic")
    assert config is not None
    settings = json.loads(editor.config_yml(config, published=False))  # JSON is YAML
    assert settings["backend"] == {"name": "proxy", "proxy_url": "/api/v1", "branch": "main"}
    assert "publish_mode" not in settings  # the local backend has no pull requests
    [collection] = settings["collections"]
    assert collection["folder"] == "content" and collection["media_folder"] == ""
    assert collection["path"] == "{{office}}/{{year}}/{{slug}}"  # site.new_article_path
    office = next(f for f in collection["fields"] if f["name"] == "office")
    assert {o["value"] for o in office["options"]} == {o.slug for o in config.offices}
    assert b"</head>" not in editor.admin_page(config, ())  # livereload must not reload it


def test_the_editor_ships_with_berita() -> None:
    script = editor.assets().joinpath("decap-cms.js")
    assert script.is_file() and len(script.read_bytes()) > 1_000_000
    notice = editor.assets().joinpath("NOTICE.txt").read_text(encoding="utf-8")
    assert f"decap-cms@{editor.DECAP_VERSION}" in notice and "MIT" in notice


@contextlib.contextmanager
def chromium_page() -> Iterator[Any]:
    """A page of a headless Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(WAIT * 1000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def editing(tmp_path: Path):
    require_chromium()
    root = tmp_path / "basic"
    shutil.copytree(SITES / "basic", root)
    server = launch(root)
    try:
        with chromium_page() as page:
            page.goto(server.url + "admin/")
            page.get_by_role("button", name="Masuk").click()  # the local backend: no password
            yield server, page
    finally:
        server.stop()


PHOTO = SITES / "basic/content/blora/foto-raker.jpg"


def publish(page) -> None:
    """Saves the entry open in the editor ("Terbitkan" -> "Terbitkan sekarang") and waits
    until Decap says it is saved."""
    page.get_by_role("button", name="Terbitkan", exact=True).click()
    page.get_by_text("Terbitkan sekarang").click()
    page.wait_for_function("() => !document.body.innerText.includes('BELUM DISIMPAN')")


def preview_frame(page):
    """The preview pane: a frame of its own, in Decap's page."""
    handle = page.locator("iframe").element_handle()
    return handle.content_frame()


@pytest.mark.browser
def test_the_editor_lists_the_sites_articles(editing: tuple[Running, object]) -> None:
    _, page = editing
    for title in ("KPU Luwu Timur Gelar Rapat Koordinasi", "Jadwal Sosialisasi di Malili",
                  "KPU Blora Gelar Raker Sosialisasi Pilkada 2024"):
        page.get_by_text(title).wait_for()


@pytest.mark.browser
def test_an_edit_in_the_editor_keeps_every_key_it_does_not_show(
        editing: tuple[Running, object]) -> None:
    server, page = editing
    file = server.root / "content/luwu/rakor.md"
    before = frontmatter.load(file)
    page.get_by_text("KPU Luwu Timur Gelar Rapat Koordinasi").click()
    title = page.locator("input[id^='title-field']")
    title.wait_for()
    title.fill("KPU Luwu Timur Gelar Rapat Koordinasi Ulang")
    publish(page)
    after = frontmatter.load(file)
    assert after["title"] == "KPU Luwu Timur Gelar Rapat Koordinasi Ulang"
    assert after["views"] == before["views"] == 97  # not a field of the editor: kept
    assert {k: v for k, v in after.metadata.items() if k != "title"} == \
        {k: v for k, v in before.metadata.items() if k != "title"}
    assert after.content.strip() == before.content.strip()
    # Likely while the preview still rebuilds after the save: the site's lock makes this
    # build wait its turn (before it, the two shared .berita-cache and one failed).
    result = build.run(server.root, server.root / "built",
                       build.BuildOptions(now=NOW, search=False))
    assert result.articles == 4


def write_new_article(page, title: str, office: str | None, caption: str) -> None:
    """What an operator does: ＋ Berita, the fields, a photo uploaded, the body, saved."""
    page.get_by_text("＋ Berita").click()
    page.locator("input[id^='title-field']").fill(title)
    if office is not None:
        page.locator("[id^='office-field']").click()
        page.get_by_text(office, exact=True).click()
    page.get_by_text("Tambah tag").click()
    page.locator("input[list='berita-tags']").first.fill("Sosialisasi")
    page.locator("textarea[id^='summary-field']").fill("KPU menyapa pemilih pemula.")
    page.get_by_text("Pilih gambar").click()
    page.locator("input[type=file]").set_input_files(str(PHOTO))
    page.get_by_text("Gunakan yang dipilih").click()
    page.locator("input[id^='image_caption-field']").fill(caption)
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("KPU menggelar sosialisasi bagi pemilih pemula.")
    publish(page)


@pytest.mark.browser
def test_a_new_article_with_a_photo_is_written_beside_it_and_builds(
        editing: tuple[Running, object]) -> None:
    server, page = editing
    write_new_article(page, "Sosialisasi Pemilih Pemula di Blora", "KPU Kabupaten Blora",
                      "Sosialisasi di SMA 1 Blora")

    [file] = (server.root / "content/kpu-kabupaten-blora").rglob("*.md")
    written = frontmatter.load(file)
    assert file.name == "sosialisasi-pemilih-pemula-di-blora.md"
    assert written["title"] == "Sosialisasi Pemilih Pemula di Blora"
    assert written["office"] == "kpu-kabupaten-blora"
    assert written["tags"] == ["Sosialisasi"]
    assert written["summary"] == "KPU menyapa pemilih pemula."
    assert written["image_caption"] == "Sosialisasi di SMA 1 Blora"
    assert written["draft"] is False
    assert "pemilih pemula" in written.content
    # The photo beside the article, byte for byte, named as the article names it.
    assert (file.parent / written["image"]).read_bytes() == PHOTO.read_bytes()
    # The office's wall clock (WIB for Blora), whatever the computer's zone, as berita
    # reads dates: "YYYY-MM-DD HH:MM" in the office's zone.
    zone = ZoneInfo("Asia/Jakarta")
    parsed = parse_date(written["date"], zone)
    assert parsed is not None and parsed[1], written["date"]
    assert abs(parsed[0] - datetime.now(zone)) < timedelta(minutes=5)
    assert file.parent.name == f"{parsed[0].year}"  # site.new_article_path

    # The preview shows it once its rebuild is done (the operator sees it at once).
    server.until("/berita/sosialisasi-pemilih-pemula-di-blora/",
                 lambda status, body: status == 200 and "Sosialisasi di SMA 1 Blora" in body)
    result = build.run(server.root, server.root / "built",
                       build.BuildOptions(now=datetime.now(zone), search=False))
    assert result.articles == 5 and not result.warnings


@pytest.mark.browser
def test_the_preview_wears_the_sites_stylesheet_and_tags_are_offered(
        editing: tuple[Running, object]) -> None:
    _, page = editing
    page.get_by_text("KPU Blora Gelar Raker Sosialisasi Pilkada 2024").click()
    page.locator("input[id^='title-field']").first.wait_for()
    frame = preview_frame(page)
    frame.locator("article.article h1").wait_for()
    assert frame.locator("article.article h1").inner_text().endswith(
        "KPU Blora Gelar Raker Sosialisasi Pilkada 2024")
    assert frame.locator(".kicker").text_content() == "KPU Kabupaten Blora"
    assert frame.locator("time").inner_text() == "Jumat, 6 September 2024 10.00 WIB"
    sheets = frame.eval_on_selector_all("link[rel=stylesheet]", "links => links.map(l => l.href)")
    assert sheets == [page.url.split("/admin/")[0] + "/static/style.css"]
    # The site's own styles apply: the tags are the site's pills, not a bare list.
    assert frame.locator(".tags li a").first.evaluate(
        "a => getComputedStyle(a).borderRadius") not in ("", "0px")
    offered = page.eval_on_selector_all("#berita-tags option", "items => items.map(i => i.value)")
    assert {"Pilkada 2024", "Pemilu 2024", "Sosialisasi", "PPK"} <= set(offered)
    assert len(offered) == len({name.casefold() for name in offered})


CMS_TABLE = '\n[cms]\nbackend = "github"\nrepo = "kpu-blora/berita"\nbranch = "utama"\n' \
    'auth_url = "https://oauth.kpu.example"\n'


def test_the_published_editor_goes_through_pull_requests(tmp_path: Path) -> None:
    import yaml

    config, _ = load(SITES / "basic")
    assert config is not None
    github = editor.settings(dataclasses.replace(config, cms=_cms(
        backend="github", repo="kpu-blora/berita", branch="utama",
        auth_url="https://oauth.kpu.example")), published=True)
    assert github["backend"] == {"name": "github", "repo": "kpu-blora/berita",
                                 "branch": "utama", "base_url": "https://oauth.kpu.example",
                                 "squash_merges": True}
    assert github["publish_mode"] == "editorial_workflow"
    assert github["site_url"] == config.site.base_url
    gitlab = editor.backend(_cms(backend="gitlab", repo="kpu/berita", app_id="abc",
                                 api_root="https://gitlab.kpu.example/api/v4"))
    assert gitlab["auth_type"] == "pkce" and gitlab["app_id"] == "abc"
    assert gitlab["api_root"] == "https://gitlab.kpu.example/api/v4"
    assert editor.backend(_cms(backend="git-gateway")) == {"name": "git-gateway",
                                                            "branch": "main"}
    # Written as JSON, read by Decap as YAML: the same settings either way.
    assert yaml.safe_load(editor.config_yml(config, published=False)) == \
        editor.settings(config, published=False)


def _cms(**values: str):
    from generator.config import Cms
    return Cms(**values)  # type: ignore[arg-type]


def test_a_build_publishes_the_editor_only_for_a_site_with_a_cms_table(tmp_path: Path) -> None:
    import yaml

    root = tmp_path / "basic"
    shutil.copytree(SITES / "basic", root)
    build.run(root, root / "public", build.BuildOptions(now=NOW, search=False))
    assert not (root / "public/admin").exists()

    with (root / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write(CMS_TABLE)
    build.run(root, root / "public", build.BuildOptions(now=NOW, search=False))
    admin = root / "public/admin"
    settings = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert settings["backend"]["name"] == "github"
    assert settings["publish_mode"] == "editorial_workflow"
    page = (admin / "index.html").read_text(encoding="utf-8")
    for script in ("decap/decap-cms.js", "id.js", "berita.js"):
        assert f'src="{script}"' in page  # relative: the site lives under /berita/
        assert (admin / script).is_file()
    assert (admin / "decap/decap-cms.js").read_bytes() == \
        (editor.assets() / "decap-cms.js").read_bytes()
    assert len(list((admin / "decap").iterdir())) == len(list(editor.assets().iterdir()))
    assert '"Pemilu 2024"' in page  # the tags it offers

    again = build.run(root, root / "public", build.BuildOptions(now=NOW, search=False))
    assert again.files_changed == 0


@pytest.mark.browser
def test_the_published_editor_asks_operators_to_sign_in(tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    require_chromium()
    root = tmp_path / "basic"
    shutil.copytree(SITES / "basic", root)
    with (root / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write(CMS_TABLE)
    build.run(root, root / "public", build.BuildOptions(now=NOW, search=False))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(root / "public"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with chromium_page() as page:
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"http://127.0.0.1:{httpd.server_port}/admin/")
            # Decap read the configuration and offers GitHub's sign-in, in Indonesian.
            page.get_by_role("button", name="Masuk dengan GitHub").wait_for()
            assert "Gagal memuat konfigurasi" not in page.content()
            assert errors == []
    finally:
        httpd.shutdown()


@pytest.mark.browser
def test_a_new_office_writes_its_first_article_in_the_browser(tmp_path: Path) -> None:
    """The operator's whole first day: berita init, berita serve, an article with a photo
    written in the editor, seen in the preview."""
    from click.testing import CliRunner

    from generator.cli import main

    require_chromium()
    root = tmp_path / "situs"
    created = CliRunner().invoke(main, ["init", str(root), "--level", "kabupaten",
                                        "--province", "Sulawesi Selatan",
                                        "--region", "Luwu Timur"])
    assert created.exit_code == 0, created.output
    server = launch(root)
    try:
        with chromium_page() as page:
            page.goto(server.url + "admin/")
            page.get_by_role("button", name="Masuk").click()
            page.get_by_text("Selamat").first.wait_for()  # the example article is listed
            # One office: it is chosen already.
            write_new_article(page, "Rapat Pleno Terbuka", None, "Suasana rapat pleno")
            page.goto(server.url + "berita/rapat-pleno-terbuka/")
            page.get_by_text("Suasana rapat pleno").wait_for()
            assert page.locator("h1").inner_text().endswith("Rapat Pleno Terbuka")
            assert "WITA" in page.locator(".meta time").inner_text()
            assert page.locator(".hero img").evaluate("img => img.naturalWidth") > 0
    finally:
        server.stop()
    [file] = root.glob("content/kpu-kabupaten-luwu-timur/*/rapat-pleno-terbuka.md")
    assert frontmatter.load(file)["office"] == "kpu-kabupaten-luwu-timur"
