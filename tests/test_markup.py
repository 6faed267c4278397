import markdown
from bs4 import BeautifulSoup
from hypothesis import given, settings
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


# --- the quick inline stage ---------------------------------------------------------------

_PIECES = st.sampled_from([*"ab c\n*_`[]()<>&!#;:/\\{}.^-=|~\"'1é\t\x02\x03",
    "  \n", "http://x.id", "<b>", "</b>", "&amp;", "&#65;", "[^1]", "[^1]: catatan\n",
    "\n\n", "    ", "![a](b.jpg)", "[t](/tag/)", "<https://kpu.go.id>", "**", "__",
    "<div markdown=\"1\">", "</div>", "{: .x }", "| a | b |\n|---|---|\n", "```\n", "- ",
    "1. ", "> ", "## ", "<!-- c -->", "<script>", "\\*"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_quick_inline_stage_renders_exactly_what_python_markdown_does(text: str) -> None:
    quick = markup.new_renderer()
    assert type(quick.treeprocessors["inline"]).__name__ == "_QuickInline"
    plain = markdown.Markdown(extensions=[*markup.EXTENSIONS, markup._CollectorExtension()],
                              output_format="html")
    assert quick.convert(text) == plain.convert(text)
