import pytest

from generator.urls import Links, is_clean_slug, output_file, route, route_of_file, slugify


@pytest.mark.parametrize(("text", "slug"), [
    ("KPU Blora Gelar Raker Pilkada 2024", "kpu-blora-gelar-raker-pilkada-2024"),
    ("Bimtek PPK: Ayo Sukseskan Pilkada!", "bimtek-ppk-ayo-sukseskan-pilkada"),
    ("“Kutipan” & Über café", "kutipan-uber-cafe"),
    ("Pemilu 2024", "pemilu-2024"),
    ("pemilu-2024", "pemilu-2024"),
    ("  PEMILU   2024 ", "pemilu-2024"),
    ("!!!", ""),
])
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert slug == "" or is_clean_slug(slug)


def test_routes_follow_the_design():
    assert route("home") == ""
    assert route("home", page=2) == "halaman/2/"
    assert route("article", slug="x") == "berita/x/"
    assert route("tag", slug="pemilu-2024", page=3) == "tag/pemilu-2024/halaman/3/"
    assert route("office", slug="kpu-kota-blitar") == "kantor/kpu-kota-blitar/"
    assert route("archive_month", year=2024, month=9) == "arsip/2024/09/"
    with pytest.raises(ValueError):
        route("article", slug="x", page=2)


def test_output_file_round_trip():
    for path in ("", "berita/x/", "feed.xml", "tag/a/halaman/2/"):
        assert route_of_file(output_file(path)) == path
    assert output_file("berita/x/") == "berita/x/index.html"


def test_links_under_a_sub_path():
    links = Links("https://x.github.io/berita/")
    assert links.base_path == "/berita/"
    assert links.url("article", slug="a") == "/berita/berita/a/"
    assert links.abs_url("tag", slug="t") == "https://x.github.io/berita/tag/t/"
    assert Links("https://kpu.example/").url("home") == "/"
