"""Internal links in article bodies are checked against what the build publishes."""

from __future__ import annotations

from conftest import run_build

HEAD = "---\ntitle: {title}\ndate: 2024-09-06\noffice: kpu-kabupaten-blora\n---\n"


def test_links_resolve_like_a_browser(make_site) -> None:
    body = ("[a](/berita/dua/) [b](/berita/dua) [c](../dua/) [d](/tag/) [e](#atas) "
            "[f](https://kpu.go.id/x) [g](mailto:a@b.c) [h](/berita/dua/#bagian)\n\n"
            "[rusak](../hilang/)\n\n[md](dua.md)\n\n[md-hilang](tiga.md)\n")
    root = make_site({"content/satu.md": HEAD.format(title="Satu") + body,
                      "content/dua.md": HEAD.format(title="Dua") + "Isi.\n"})
    result = run_build(root)
    messages = sorted((p.line, p.message, p.expected) for p in result.warnings)
    assert messages == [
        (8, "link to a page that does not exist: ../hilang/",
         "the address of a page of this site, e.g. /berita/<slug>/"),
        (10, "link to the Markdown file dua.md, not to the article's page", "/berita/dua/"),
        (12, "link to an article that does not exist or is not published: tiga.md",
         "the address of a page of this site, e.g. /berita/<slug>/"),
    ]


def test_links_under_a_sub_path_base_url(make_site) -> None:
    root = make_site({"content/satu.md": HEAD.format(title="Satu")
                      + "[ok](/sub/berita/satu/) [lain](/situs-lain/) [x](/sub/berita/x/)\n"})
    result = run_build(root, base_url="https://kpu.example/sub/")
    assert [p.message for p in result.warnings] == [
        "link to a page that does not exist: /sub/berita/x/"]


def test_link_to_a_draft_is_broken(make_site) -> None:
    root = make_site({"content/satu.md": HEAD.format(title="Satu") + "[d](/berita/draf/)\n",
                      "content/draf.md": HEAD.format(title="Draf").replace(
                          "---\n", "---\ndraft: true\n", 1) + "Isi.\n"})
    result = run_build(root)
    assert [p.message for p in result.warnings] == [
        "link to a page that does not exist: /berita/draf/"]
