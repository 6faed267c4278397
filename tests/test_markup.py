import markdown
from bs4 import BeautifulSoup
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import markup
from generator.content import Article
from generator.urls import Links

LINKS = Links("https://kpu.example/sub/")


def render(body: str, path: str = "content/kpu/2024/a.md", summary: str = ""):
    article = Article(path=path, title="T", date=None, has_time=True, office="o", slug="t",
                      body=body, summary=summary)
    return markup.render(markup.new_renderer(), article, LINKS)


def test_image_alone_becomes_a_figure_with_caption():
    result = render('Teks.\n\n![Peserta rapat](foto.jpg "Peserta Rapat")\n')
    html = BeautifulSoup(result.html, "html.parser")
    figure = html.find("figure")
    assert figure.img["src"] == "/sub/media/kpu/2024/foto.jpg"
    assert figure.img["alt"] == "Peserta rapat"
    assert figure.figcaption.get_text() == "Peserta Rapat"
    assert result.images == ("kpu/2024/foto.jpg",)


def test_news_extensions():
    body = "| A | B |\n|---|---|\n| 1 | 2 |\n\nCatatan.[^1]\n\n[^1]: Sumber.\n\n" \
           "Paragraf {: .lead }\n\n1. satu\n2. dua\n"
    html = BeautifulSoup(render(body).html, "html.parser")
    assert html.find("table").find_all("td")[1].get_text() == "2"
    assert html.find("div", class_="footnote")
    assert html.find("ol").find_all("li")[0].get_text() == "satu"


def test_summary_is_the_first_paragraph_as_plain_text():
    result = render("![x](a.jpg)\n\nKPU **Blora** menggelar [rapat](/x/).\n\nKedua.")
    assert result.summary == "KPU Blora menggelar rapat."
    assert render("Isi.", summary="Ringkasan sendiri").summary == "Ringkasan sendiri"
    long = render(" ".join(["kata"] * 200)).summary
    assert len(long) <= markup.SUMMARY_LENGTH + 1 and long.endswith("…")


def test_one_renderer_many_documents_do_not_leak():
    md = markup.new_renderer()
    a = Article(path="content/a.md", title="A", date=None, has_time=True, office="o",
                slug="a", body="Satu.[^1]\n\n[^1]: catatan")
    b = Article(path="content/b.md", title="B", date=None, has_time=True, office="o",
                slug="b", body="Dua.")
    markup.render(md, a, LINKS)
    assert "footnote" not in markup.render(md, b, LINKS).html


# --- the quick stages ---------------------------------------------------------------------

_PIECES = st.sampled_from([*"ab c\n*_`[]()<>&!#;:/\\{}.^-=|~\"'1é\t\x02\x03\r+٣",
    "  \n", "http://x.id", "<b>", "</b>", "&amp;", "&#65;", "&amp", "&#65", "&#x41z", "& ", "[^1]",
    "[^1]: catatan\n", "\n\n", "    ", " \n", "![a](b.jpg)", "[t](/tag/)", "[x]: /y\n",
    "<https://kpu.go.id>", "**", "__", "<div markdown=\"1\">", "</div>", "{: .x }",
    "| a | b |\n|---|---|\n", "```\n", "~~~\n", "- ", "* ", "1. ", "> ", "## ", "===\n",
    "---\n", "***\n", "<!-- c -->", "<script>", "\\*", "\\{", "<hr/>", "Kalimat biasa. "])


def _plain_renderer() -> markdown.Markdown:
    return markdown.Markdown(extensions=[*markup.EXTENSIONS, markup._CollectorExtension()],
                             output_format="html")


def test_every_quick_stage_is_installed_on_a_verified_markdown(monkeypatch) -> None:
    monkeypatch.setattr(markup, "VERIFIED_MARKDOWN", set())
    other = markup.new_renderer()  # another version: its own stages only
    assert type(other.parser).__name__ == "BlockParser"
    assert "_Quick" not in repr([type(p) for p in [*other.preprocessors,
                                                   *other.treeprocessors]])
    monkeypatch.setattr(markup, "VERIFIED_MARKDOWN", {markdown.__version_info__[:2]})
    quick = markup.new_renderer()
    assert type(quick.treeprocessors["inline"]).__name__ == "_QuickInline"
    assert type(quick.parser).__name__ == "_QuickBlockParser"
    assert [type(p).__name__ for p in quick.preprocessors] == \
        ["_QuickWhitespace", "_QuickFenced", "_QuickHtmlBlock"]
    assert type(quick.treeprocessors["attr_list"]).__name__ == "_QuickAttrList"
    assert type(quick.treeprocessors["unescape"]).__name__ == "_QuickUnescape"


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=40).map("".join), min_size=1, max_size=3))
@example(["Baris satu  \nbaris dua\n\nParagraf  \n  \nlagi"])
@example(["Teks\n- a\n- b  \nc\n\n> kutip\nlanjut"])
def test_quick_stages_render_exactly_what_python_markdown_does(texts: list[str]) -> None:
    # One renderer for several documents, as a build uses it: no state may leak.
    quick, plain = markup.new_renderer(), _plain_renderer()
    for text in texts:
        quick.reset()
        plain.reset()
        assert quick.convert(text) == plain.convert(text)
        assert quick.treeprocessors["berita_collector"].summary == \
            plain.treeprocessors["berita_collector"].summary
