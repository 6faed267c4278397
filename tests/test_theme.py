"""The default theme's page frame: landmarks, language, skip link, footer contact."""

from __future__ import annotations

from tests.conftest import BASIC_TOML, article, run_build, soup

OWNER = BASIC_TOML.replace("per_page = 10", 'per_page = 10\nowner = "kpu-kabupaten-blora"') \
    .replace('parent = "kpu-provinsi-jawa-tengah"\n', 'parent = "kpu-provinsi-jawa-tengah"\n'
             'address = "Jl. Contoh No. 1, Blora"\nphone = "(0296) 000-000"\n'
             'email = "humas@contoh.example"\nwebsite = "https://contoh.example/"\n', 1)


def test_footer_shows_the_owner_office_contact(make_site) -> None:
    root = make_site({"content/a.md": article()}, toml=OWNER)
    run_build(root)
    page = soup(root / "public" / "berita" / "berita-uji" / "index.html")
    footer = page.select_one("footer.site-footer")
    assert footer.h2.text == "KPU Kabupaten Blora"
    address = footer.address
    assert "Jl. Contoh No. 1, Blora" in address.text
    assert address.select_one("a[href^=tel]")["href"] == "tel:(0296)000000"
    assert address.select_one("a[href^=mailto]")["href"] == "mailto:humas@contoh.example"
    assert address.select_one("a[href='https://contoh.example/']").text == "contoh.example"


def test_every_page_has_language_landmarks_and_a_skip_link(make_site) -> None:
    root = make_site({"content/a.md": article(tags="[Pemilu]")})
    run_build(root)
    for file in ["index.html", "berita/berita-uji/index.html", "tag/pemilu/index.html",
                 "cari/index.html", "404.html"]:
        page = soup(root / "public" / file)
        assert page.html["lang"] == "id"
        skip = page.body.find("a")
        assert skip["class"] == ["skip"] and skip["href"] == "#isi"
        assert page.select_one("main#isi") is not None
        assert page.select_one("header.site-header nav[aria-label]") is not None
        assert page.select_one("footer.site-footer") is not None
