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


def test_a_site_card_replaces_the_theme_card_in_every_list(make_site) -> None:
    root = make_site({"content/a.md": article(tags="[Pemilu]"),
                      "templates/_card.html": '<div class="kartu">{{ item.title }} {{ kind }}'
                                              '</div>\n'})
    run_build(root)
    for file, kind in [("index.html", "home"), ("tag/pemilu/index.html", "tag")]:
        page = soup(root / "public" / file)
        assert [c.text for c in page.select(".cards .kartu")] == [f"Berita Uji {kind}"]
        assert page.select("article.card") == []


def test_a_site_list_including_the_theme_card_gets_one_card_each(make_site) -> None:
    list_html = ('{% extends "base.html" %}{% block main %}'
                 '{% for item in articles %}<li>{% include "_card.html" %}</li>{% endfor %}'
                 '{% endblock %}')
    root = make_site({"content/a.md": article(),
                      "content/b.md": article(title="Berita Dua", date="2024-09-07 10:00"),
                      "templates/list.html": list_html})
    run_build(root)
    cards = soup(root / "public" / "index.html").select("main li > article.card")
    assert [c.select_one(".card-title a").text for c in cards] == ["Berita Dua", "Berita Uji"]
