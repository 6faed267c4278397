"""The web editor at /admin/: the real Decap CMS in Chromium against `berita serve`,
saving through berita's own local backend into content/."""

from __future__ import annotations

import shutil
from pathlib import Path

import frontmatter
import pytest

from generator import build, editor
from generator.config import load
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import NOW, SITES
from tests.test_serve import WAIT, Running, launch


def test_the_config_offers_the_offices_and_keeps_photos_beside_articles() -> None:
    import json

    config, _ = load(SITES / "basic")
    assert config is not None
    settings = json.loads(editor.local_config(config))  # JSON is YAML
    assert settings["backend"] == {"name": "proxy", "proxy_url": "/api/v1", "branch": "main"}
    [collection] = settings["collections"]
    assert collection["folder"] == "content" and collection["media_folder"] == ""
    office = next(f for f in collection["fields"] if f["name"] == "office")
    assert {o["value"] for o in office["options"]} == {o.slug for o in config.offices}
    assert b"</head>" not in editor.admin_page("Uji")  # livereload must not reload it


def test_the_editor_ships_with_berita() -> None:
    script = editor.assets().joinpath("decap-cms.js")
    assert script.is_file() and len(script.read_bytes()) > 1_000_000
    notice = editor.assets().joinpath("NOTICE.txt").read_text(encoding="utf-8")
    assert f"decap-cms@{editor.DECAP_VERSION}" in notice and "MIT" in notice


@pytest.fixture
def editing(tmp_path: Path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    root = tmp_path / "basic"
    shutil.copytree(SITES / "basic", root)
    server = launch(root)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT * 1000)
        page.goto(server.url + "admin/")
        page.get_by_role("button", name="Login").click()  # the local backend: no password
        try:
            yield server, page
        finally:
            browser.close()
            server.stop()


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
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Publish now").click()
    page.wait_for_function("() => !document.body.innerText.includes('UNSAVED CHANGES')")
    after = frontmatter.load(file)
    assert after["title"] == "KPU Luwu Timur Gelar Rapat Koordinasi Ulang"
    assert after["views"] == before["views"] == 97  # not a field of the editor: kept
    assert {k: v for k, v in after.metadata.items() if k != "title"} == \
        {k: v for k, v in before.metadata.items() if k != "title"}
    assert after.content.strip() == before.content.strip()
    result = build.run(server.root, server.root / "built",
                       build.BuildOptions(now=NOW, search=False))
    assert result.articles == 4
