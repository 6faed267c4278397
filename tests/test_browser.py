"""The sample site in a real headless Chromium: phone and desktop widths, no console
errors, no request to another host, axe-core finds nothing serious, search and the
copy-link button work."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from generator import build
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve
from tests.conftest import NOW, REPO

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "tests" / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARTICLE = "berita/jelang-pilkada-kpu-tebo-gelar-bimtek-untuk-pps-dan-ppk/"
PAGES = {
    "home": "",
    "article": ARTICLE,
    "tag": "tag/pilkada-2024/",
    "search": "cari/?q=bimtek",
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    out = tmp_path_factory.mktemp("browser") / "public"
    build.run(REPO, out, build.BuildOptions(now=NOW))
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page opened at one viewport, with what went wrong on the way."""

    def __init__(self, browser: object, url: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        host = urlsplit(url).netloc
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: urlsplit(r.url).netloc not in (host, "")
                     and self.foreign.append(r.url))
        self.page.goto(url, wait_until="networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_reads_well(browser: object, site_url: str, kind: str,
                         viewport: dict[str, int]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    visit = Visit(browser, site_url + PAGES[kind], viewport)
    try:
        page = visit.page
        assert page.locator("html").get_attribute("lang") == "id"
        assert page.locator("main#isi").count() == 1
        assert page.locator("header.site-header nav a", has_text="Cari").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px"
        results = Axe().run(page)
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]])
                   for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == []
        assert visit.errors == []
        assert visit.foreign == []
        name = "phone" if viewport is PHONE else "desktop"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{kind}-{name}.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / f"{kind}-{name}-top.png"))
    finally:
        visit.close()


def test_hero_image_is_responsive_and_loads(browser: object, site_url: str) -> None:
    visit = Visit(browser, site_url + ARTICLE, PHONE)
    try:
        hero = visit.page.locator("figure.hero img")
        assert hero.get_attribute("fetchpriority") == "high"
        assert visit.page.evaluate(
            "document.querySelector('figure.hero img').naturalWidth") > 0
        chosen = visit.page.evaluate("document.querySelector('figure.hero img').currentSrc")
        assert chosen.endswith(".webp")
    finally:
        visit.close()


def test_search_finds_a_sample_article(browser: object, site_url: str) -> None:
    visit = Visit(browser, site_url + "cari/", PHONE)
    try:
        page = visit.page
        page.fill("#q", "Faktualjambi")
        result = page.locator(".search-results a").first
        result.wait_for()
        assert "KPU Tebo Gelar Bimtek" in result.inner_text()
        result.click()
        page.wait_for_url("**/" + ARTICLE)
        assert visit.errors == []
    finally:
        visit.close()


def test_search_filters_by_office(browser: object, site_url: str) -> None:
    visit = Visit(browser, site_url + "cari/", DESKTOP)
    try:
        page = visit.page
        page.locator(".search-filters").wait_for()
        page.select_option("#f-office", "KPU Kota Blitar")
        page.locator(".search-results a").first.wait_for()
        titles = page.locator(".search-results a").all_inner_texts()
        assert titles and all("Jawa Timur" in t for t in titles)
        assert "f-office" in page.inner_html("form") and "kantor=" in page.url
    finally:
        visit.close()


def test_copy_link_copies_the_article_address(browser: object, site_url: str) -> None:
    context = browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url[:-1])
    try:
        page = context.new_page()
        page.goto(site_url + ARTICLE)
        button = page.locator(".share-copy")
        expected = button.get_attribute("data-copy")
        button.click()
        page.get_by_text("Tautan disalin").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == expected
        assert expected == "https://berita.kpu.example/" + ARTICLE
        assert page.url == site_url + ARTICLE
    finally:
        context.close()


def test_share_links_work_without_javascript(browser: object, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(site_url + ARTICLE)
        hrefs = page.locator(".share a").evaluate_all("links => links.map(a => a.href)")
        assert any(h.startswith("https://wa.me/?text=") for h in hrefs)
        assert any(h.startswith("https://t.me/share/url?") for h in hrefs)
        assert page.locator(".share-native").count() == 0
    finally:
        context.close()


def test_skip_link_is_first_and_visible_on_focus(browser: object, site_url: str) -> None:
    visit = Visit(browser, site_url + ARTICLE, DESKTOP)
    try:
        page = visit.page
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip"
        box = page.locator("a.skip").bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
    finally:
        visit.close()


def test_dark_mode_changes_colours(browser: object, site_url: str) -> None:
    context = browser.new_context(color_scheme="dark")  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(site_url + ARTICLE)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)"
    finally:
        context.close()


