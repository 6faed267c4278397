"""`berita import wordpress`: WXR exports -> Markdown articles, checked by reading the
files back as an operator's tools would (python-frontmatter, Markdown -> HTML)."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import frontmatter
import markdown
import pytest
from bs4 import BeautifulSoup

from generator import config, content
from generator.importers.uploads import upload_file
from generator.importers.wordpress import ExportError, format_report, import_wordpress
from generator.importers.wp_markup import Media, to_markdown
from generator.importers.wpautop import wpautop
from tests.conftest import SITES, run_build

THEME_DATA = Path(__file__).parent / "data" / "wordpress" / "themeunittestdata.wordpress.xml"
OFFICE = "kpu-kabupaten-blora"
ZONE = "Asia/Jakarta"
KEY_ORDER = ["title", "date", "office", "views", "tags", "slug", "author", "summary", "image",
             "image_caption", "draft", "aliases"]


def html_of(markdown_text: str) -> BeautifulSoup:
    """Markdown as the site renders it (the same extensions as generator.markup)."""
    md = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists", "fenced_code"])
    return BeautifulSoup(md.convert(markdown_text), "html.parser")


def read(path: Path) -> frontmatter.Post:
    return frontmatter.load(str(path))


def assert_key_order(post: frontmatter.Post) -> None:
    keys = list(post.metadata)
    assert keys == [k for k in KEY_ORDER if k in keys], keys


# -- a WXR file built by the test -------------------------------------------------------


AUTHOR = ("<wp:author><wp:author_id>1</wp:author_id>"
          "<wp:author_login><![CDATA[operator]]></wp:author_login>"
          "<wp:author_display_name><![CDATA[Operator Website]]></wp:author_display_name>"
          "</wp:author>\n")


def wxr(*items: str, version: str = "1.2", scheme: str = "http") -> str:
    ns = f"{scheme}://wordpress.org/export/{version}/"
    return textwrap.dedent(f"""\
        <?xml version="1.0" encoding="UTF-8" ?>
        <rss version="2.0"
            xmlns:excerpt="{ns}excerpt/"
            xmlns:content="http://purl.org/rss/1.0/modules/content/"
            xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:wp="{ns}">
        <channel>
        <title>KPU Kabupaten Blora</title>
        <link>https://kpu-blora.go.id</link>
        <wp:wxr_version>{version}</wp:wxr_version>
        """) + AUTHOR + "".join(items) + "</channel>\n</rss>\n"


def item(post_id: int, title: str, body: str = "", *, status: str = "publish",
         post_type: str = "post", name: str | None = None, link: str | None = None,
         date: str = "2024-09-06 10:00:00", gmt: str = "2024-09-06 03:00:00",
         terms: tuple[tuple[str, str, str], ...] = (), meta: tuple[tuple[str, str], ...] = (),
         excerpt: str = "", creator: str = "operator", parent: int = 0, url: str = "",
         password: str = "") -> str:
    name = f"berita-{post_id}" if name is None else name
    link = link or f"https://kpu-blora.go.id/{date[:10].replace('-', '/')}/{name}/"
    categories = "".join(f'<category domain="{d}" nicename="{n}"><![CDATA[{t}]]></category>'
                         for d, n, t in terms)
    metas = "".join(f"<wp:postmeta><wp:meta_key><![CDATA[{k}]]></wp:meta_key>"
                    f"<wp:meta_value><![CDATA[{v}]]></wp:meta_value></wp:postmeta>"
                    for k, v in meta)
    return f"""<item>
<title>{title}</title>
<link>{link}</link>
<dc:creator><![CDATA[{creator}]]></dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date><![CDATA[{date}]]></wp:post_date>
<wp:post_date_gmt><![CDATA[{gmt}]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{name}]]></wp:post_name>
<wp:status><![CDATA[{status}]]></wp:status>
<wp:post_parent>{parent}</wp:post_parent>
<wp:menu_order>0</wp:menu_order>
<wp:post_type><![CDATA[{post_type}]]></wp:post_type>
<wp:post_password><![CDATA[{password}]]></wp:post_password>
{f"<wp:attachment_url><![CDATA[{url}]]></wp:attachment_url>" if url else ""}
{categories}{metas}
</item>
"""


UPLOADS = "https://kpu-blora.go.id/wp-content/uploads"
CAPTION = (
    f'[caption id="attachment_20" align="aligncenter" width="300"]'
    f'<a href="{UPLOADS}/2024/09/rapat-kpu.jpg"><img class="size-medium wp-image-20" '
    f'src="{UPLOADS}/2024/09/rapat-kpu-300x200.jpg" alt="Rapat KPU Blora" width="300" '
    'height="200" /></a> Suasana "rapat" di aula KPU[/caption]'
)
RAPAT_BODY = f"""Rapat koordinasi KPU &amp; Bawaslu membahas &#8220;Pemilu&#8221; serentak.
Baris kedua — tahapan “pencocokan” dan penelitian (coklit) ‘selesai’.

Paragraf kedua: anggaran Rp 1.000.000 … di Kecamatan Cepu.

{CAPTION}

[Foto: Humas KPU Blora]

[embed]https://www.youtube.com/watch?v=abc123[/embed]

[contact-form-7 id="3" title="Kontak"]

<img src="{UPLOADS}/2024/09/tidak-ada.jpg" alt="Hilang" />

[poll id="7"]"""


def indonesian_export() -> str:
    return wxr(
        item(10, "Rapat Koordinasi: Persiapan &#8220;Pilkada&#8221; 2024 &amp; Sosialisasi",
             RAPAT_BODY, name="rapat-koordinasi-persiapan-pilkada",
             terms=(("category", "berita", "Berita"),
                    ("category", "uncategorized", "Uncategorized"),
                    ("post_tag", "pilkada-2024", "Pilkada 2024"),
                    ("post_tag", "sosialisasi", "Sosialisasi"),
                    ("post_format", "post-format-image", "Image")),
             meta=(("post_views_count", "1234"), ("_thumbnail_id", "20"),
                   ("_wp_old_slug", "rapat-koordinasi")),
             excerpt="Ringkasan rapat &amp; <em>sosialisasi</em> tahapan."),
        item(11, "Draf Jadwal Kampanye", "Isi draf.", status="draft", name="",
             link="https://kpu-blora.go.id/?p=11", date="2024-09-07 08:00:00",
             gmt="0000-00-00 00:00:00"),
        item(12, "Pengumuman Penetapan Calon", "Isi pengumuman.", status="future",
             date="2030-01-02 09:00:00", gmt="2030-01-02 02:00:00", name="penetapan-calon",
             meta=(("views", "0"),)),
        item(13, "Profil KPU", "Halaman profil.", post_type="page", name="profil"),
        item(14, "Pemilu Damai", "Satu.", name="%e2%80%9cpemilu%e2%80%9d-damai",
             date="2023-01-05 10:00:00", gmt="2023-01-05 03:00:00", creator="tamu"),
        item(15, "Pemilu Damai", "Dua.", name="pemilu-damai", date="2023-01-06 10:00:00",
             gmt="2023-01-06 03:00:00", meta=(("views", "banyak"),)),
        item(16, "Dibuang", "Sampah.", status="trash"),
        item(17, "Rahasia", "Isi rahasia.", password="kpu123"),
        item(20, "rapat-kpu", "", post_type="attachment", status="inherit", parent=10,
             url=f"{UPLOADS}/2024/09/rapat-kpu.jpg", excerpt="Suasana rapat di aula",
             meta=(("_wp_attachment_image_alt", "Rapat KPU Blora"),)),
    )


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(indonesian_export(), encoding="utf-8")
    return path


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    (folder / "2024" / "09").mkdir(parents=True)
    photo = (SITES / "basic" / "content" / "blora" / "foto-raker.jpg").read_bytes()
    (folder / "2024" / "09" / "rapat-kpu.jpg").write_bytes(photo)
    (folder / "2024" / "09" / "rapat-kpu-300x200.jpg").write_bytes(photo)
    return folder


def test_every_field_of_an_imported_post(export, uploads, tmp_path):
    into = tmp_path / "content"
    report = import_wordpress(export, into, OFFICE, ZONE, uploads=uploads)
    file = into / OFFICE / "2024" / "rapat-koordinasi-persiapan-pilkada.md"
    post = read(file)
    assert post.metadata == {
        "title": "Rapat Koordinasi: Persiapan “Pilkada” 2024 & Sosialisasi",
        "date": "2024-09-06 10:00",
        "office": OFFICE,
        "views": 1234,
        "tags": ["Berita", "Pilkada 2024", "Sosialisasi"],
        "slug": "rapat-koordinasi-persiapan-pilkada",
        "author": "Operator Website",
        "summary": "Ringkasan rapat & sosialisasi tahapan.",
        "image": "rapat-kpu.jpg",
        "image_caption": "Suasana rapat di aula",
        "aliases": ["/2024/09/06/rapat-koordinasi-persiapan-pilkada/",
                    "/2024/09/06/rapat-koordinasi/", "/?p=10"],
    }
    assert_key_order(post)
    folder = file.parent
    assert (folder / "rapat-kpu.jpg").read_bytes() == (uploads / "2024/09/rapat-kpu.jpg"
                                                       ).read_bytes()
    assert (folder / "rapat-kpu-300x200.jpg").read_bytes() == (
        uploads / "2024/09/rapat-kpu-300x200.jpg").read_bytes()
    assert set(report.images) == {folder / "rapat-kpu.jpg", folder / "rapat-kpu-300x200.jpg"}

    page = html_of(post.content)
    paragraphs = [p.get_text() for p in page.find_all("p")]
    # wpautop: a blank line is a new paragraph, a single newline a line break.
    assert paragraphs[0].startswith("Rapat koordinasi KPU & Bawaslu membahas “Pemilu” serentak.")
    assert page.find("p").find("br") is not None
    assert "‘selesai’" in paragraphs[0]
    assert paragraphs[1] == "Paragraf kedua: anggaran Rp 1.000.000 … di Kecamatan Cepu."
    caption = page.find("img", alt="Rapat KPU Blora")
    assert caption["src"] == "rapat-kpu-300x200.jpg"  # the local copy, beside the article
    assert caption["title"] == "Suasana “rapat” di aula KPU"
    assert caption.find_parent("a") is None
    assert "[Foto: Humas KPU Blora]" in paragraphs
    assert page.find("a", href="https://www.youtube.com/watch?v=abc123") is not None
    assert "contact-form-7" not in page.get_text()
    missing = page.find("img", alt="Hilang")
    assert missing["src"] == f"{UPLOADS}/2024/09/tidak-ada.jpg"  # not in uploads: link kept
    assert "[poll id=\"7\"]" in page.get_text()

    notes = [n.message for n in report.notes if n.post_id == 10]
    assert any("tidak-ada.jpg" in n for n in notes)
    assert "shortcode [poll] kept as text" in notes


def test_which_posts_arrive_and_why_others_do_not(export, tmp_path):
    into = tmp_path / "content"
    report = import_wordpress(export, into, OFFICE, ZONE)
    assert {i.post_id for i in report.imported} == {10, 12, 14, 15}
    reasons = {s.post_id: s.reason for s in report.skipped}
    assert set(reasons) == {11, 13, 16, 17, 20}
    assert "--drafts" in reasons[11]
    assert "page" in reasons[13]
    assert "trash" in reasons[16]
    assert "password" in reasons[17]
    assert "attachment" in reasons[20]
    files = sorted(p.relative_to(into).as_posix() for p in into.rglob("*.md"))
    assert files == [f"{OFFICE}/2023/pemilu-damai-2.md", f"{OFFICE}/2023/pemilu-damai.md",
                     f"{OFFICE}/2024/rapat-koordinasi-persiapan-pilkada.md",
                     f"{OFFICE}/2030/penetapan-calon.md"]
    text = format_report(report)
    assert text.splitlines()[0] == "4 tulisan diimpor (1 terjadwal, 0 draf), 0 gambar disalin"
    assert "tulisan 17 'Rahasia': dilindungi kata sandi" in text
    english = format_report(report, "en")
    assert english.splitlines()[0] == "imported 4 posts (1 scheduled, 0 drafts), copied 0 images"
    assert "post 17 'Rahasia': password-protected" in english


def test_without_uploads_images_stay_links(export, tmp_path):
    into = tmp_path / "content"
    report = import_wordpress(export, into, OFFICE, ZONE)
    post = read(into / OFFICE / "2024" / "rapat-koordinasi-persiapan-pilkada.md")
    assert post["image"] == f"{UPLOADS}/2024/09/rapat-kpu.jpg"
    img = html_of(post.content).find("img", alt="Rapat KPU Blora")
    assert img["src"] == f"{UPLOADS}/2024/09/rapat-kpu-300x200.jpg"
    assert report.images == ()
    assert not list(into.rglob("*.jpg"))


def test_scheduled_post_is_future_dated_and_not_a_draft(export, tmp_path):
    into = tmp_path / "content"
    report = import_wordpress(export, into, OFFICE, ZONE)
    post = read(into / OFFICE / "2030" / "penetapan-calon.md")
    assert post["date"] == "2030-01-02 09:00"
    assert post["views"] == 0
    assert "draft" not in post.metadata
    assert [i.scheduled for i in report.imported if i.post_id == 12] == [True]


def test_dates_follow_the_office_zone(export, tmp_path):
    into = tmp_path / "content"
    import_wordpress(export, into, "kpu-kabupaten-luwu-timur", "Asia/Makassar")
    post = read(into / "kpu-kabupaten-luwu-timur" / "2024" /
                "rapat-koordinasi-persiapan-pilkada.md")
    assert post["date"] == "2024-09-06 11:00"  # 03:00 UTC is 11.00 WITA


def test_drafts_on_request(export, tmp_path):
    into = tmp_path / "content"
    report = import_wordpress(export, into, OFFICE, ZONE, drafts=True)
    post = read(into / OFFICE / "2024" / "draf-jadwal-kampanye.md")
    assert post["draft"] is True
    assert post["date"] == "2024-09-07 08:00"  # no GMT date: the local one, as written
    assert post["slug"] == "draf-jadwal-kampanye"  # no WordPress slug yet: from the title
    assert post["aliases"] == ["/?p=11"]
    assert_key_order(post)
    assert [i.draft for i in report.imported if i.post_id == 11] == [True]


def test_slugs_are_decoded_slugified_and_unique(export, tmp_path):
    into = tmp_path / "content"
    report = import_wordpress(export, into, OFFICE, ZONE)
    first = read(into / OFFICE / "2023" / "pemilu-damai.md")
    second = read(into / OFFICE / "2023" / "pemilu-damai-2.md")
    assert (first["slug"], second["slug"]) == ("pemilu-damai", "pemilu-damai-2")
    assert first["author"] == "tamu"  # no wp:author entry: the login
    assert first["aliases"] == ["/2023/01/05/%e2%80%9cpemilu%e2%80%9d-damai/", "/?p=14"]
    assert "views" not in second.metadata
    assert any("banyak" in n.message for n in report.notes if n.post_id == 15)


def test_reimport_refuses_to_overwrite_and_force_does(export, uploads, tmp_path):
    into = tmp_path / "content"
    import_wordpress(export, into, OFFICE, ZONE, uploads=uploads)
    file = into / OFFICE / "2024" / "rapat-koordinasi-persiapan-pilkada.md"
    original = file.read_bytes()
    file.write_text("diubah operator", encoding="utf-8")
    # An operator's own picture that happens to share a name is never replaced.
    (file.parent / "rapat-kpu.jpg").write_bytes(b"foto lain")

    again = import_wordpress(export, into, OFFICE, ZONE, uploads=uploads)
    assert again.imported == ()
    assert all("already exists" in s.reason for s in again.skipped if s.post_type == "post"
               and s.post_id in (10, 12, 14, 15))
    assert file.read_text(encoding="utf-8") == "diubah operator"

    forced = import_wordpress(export, into, OFFICE, ZONE, uploads=uploads, force=True)
    assert {i.post_id for i in forced.imported} == {10, 12, 14, 15}
    post = read(file)
    assert post["image"] == "rapat-kpu-2.jpg"
    assert (file.parent / "rapat-kpu.jpg").read_bytes() == b"foto lain"
    assert (file.parent / "rapat-kpu-2.jpg").read_bytes() == (uploads / "2024/09/rapat-kpu.jpg"
                                                              ).read_bytes()
    # The unchanged small copy from the first import is reused, not duplicated.
    assert not (file.parent / "rapat-kpu-300x200-2.jpg").exists()
    assert file.read_bytes() != original  # the image name changed, the rest is the same
    assert file.read_bytes().replace(b"rapat-kpu-2.jpg", b"rapat-kpu.jpg") == original


def test_imported_site_builds(export, uploads, make_site):
    root = make_site({})
    import_wordpress(export, root / "content", OFFICE, ZONE, uploads=uploads)
    result = run_build(root)
    assert result.warnings == []
    page = BeautifulSoup((root / "public/berita/rapat-koordinasi-persiapan-pilkada/index.html"
                          ).read_text(encoding="utf-8"), "html.parser")
    caption = page.find("figcaption", string="Suasana “rapat” di aula KPU")
    assert caption is not None
    img = caption.find_parent("figure").find("img")
    assert img["alt"] == "Rapat KPU Blora"
    assert img["src"].startswith("/media/kpu-kabupaten-blora/2024/rapat-kpu-300x200")


@pytest.mark.parametrize(("version", "scheme"), [("1.0", "http"), ("1.1", "http"),
                                                 ("1.2", "http"), ("1.2", "https")])
def test_every_wxr_version(version, scheme, tmp_path):
    export = tmp_path / "export.xml"
    terms = (("tag", "pemilu", "Pemilu"), ("category", "berita", "Berita"))
    export.write_text(wxr(item(1, "Berita Satu", "Isi.", terms=terms), version=version,
                          scheme=scheme), encoding="utf-8")
    report = import_wordpress(export, tmp_path / "c", OFFICE, ZONE)
    assert [i.post_id for i in report.imported] == [1]
    post = read(tmp_path / "c" / OFFICE / "2024" / "berita-1.md")
    assert post["tags"] == ["Berita", "Pemilu"]
    assert post["author"] == "Operator Website"


def test_control_characters_pasted_from_word_do_not_stop_the_import(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(wxr(item(1, "Berita", "Teks\x0b dengan\x1f karakter.")), encoding="utf-8")
    import_wordpress(export, tmp_path / "c", OFFICE, ZONE)
    post = read(tmp_path / "c" / OFFICE / "2024" / "berita-1.md")
    assert html_of(post.content).get_text().strip() == "Teks dengan karakter."


def test_malformed_xml_names_the_line(tmp_path):
    export = tmp_path / "rusak.xml"
    text = wxr(item(1, "Berita", "Isi."))
    lines = text.splitlines()
    broken = next(i for i, line in enumerate(lines) if line.startswith("<title>Berita"))
    lines[broken] = "<title>Berita & Kabar</title>"  # a bare & is not XML
    export.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        import_wordpress(export, tmp_path / "c", OFFICE, ZONE)
    assert caught.value.line == broken + 1
    assert str(caught.value).startswith(f"{export}:{broken + 1}: malformed XML")
    assert not (tmp_path / "c").exists()


def test_unreadable_or_foreign_files_are_clear_errors(tmp_path):
    with pytest.raises(ExportError, match="cannot read the export"):
        import_wordpress(tmp_path / "tidak-ada.xml", tmp_path / "c", OFFICE, ZONE)
    rss = tmp_path / "feed.xml"
    rss.write_text("<rss><channel><item><title>x</title></item></channel></rss>")
    with pytest.raises(ExportError, match="not a WordPress export"):
        import_wordpress(rss, tmp_path / "c", OFFICE, ZONE)
    empty = tmp_path / "empty.xml"
    empty.write_text("")
    with pytest.raises(ExportError, match="malformed XML"):
        import_wordpress(empty, tmp_path / "c", OFFICE, ZONE)


def test_bad_office_or_zone(export, tmp_path):
    with pytest.raises(ValueError, match="office slug"):
        import_wordpress(export, tmp_path / "c", "../luar", ZONE)
    with pytest.raises(ValueError, match="time zone"):
        import_wordpress(export, tmp_path / "c", OFFICE, "Asia/Atlantis")


def test_upload_urls_cannot_leave_the_uploads_folder(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (tmp_path / "rahasia.jpg").write_bytes(b"x")
    assert upload_file("https://x.id/wp-content/uploads/../rahasia.jpg", uploads) is None
    assert upload_file("https://x.id/wp-content/uploads/%2e%2e/rahasia.jpg", uploads) is None
    (uploads / "2024").mkdir()
    (uploads / "2024" / "foto.jpg").write_bytes(b"x")
    found = upload_file("https://x.id/wp-content/uploads/2024/foto-1024x768.jpg?w=300",
                        uploads)
    assert found == uploads / "2024" / "foto.jpg"  # resized copy missing: the original


# -- the theme unit test export --------------------------------------------------------

WP = "{https://wordpress.org/export/1.2/}"


@pytest.fixture(scope="module")
def theme_items() -> list[ET.Element]:
    return list(ET.parse(THEME_DATA).getroot().iter("item"))


@pytest.fixture(scope="module")
def theme_import(tmp_path_factory, theme_items):
    into = tmp_path_factory.mktemp("theme") / "content"
    report = import_wordpress(THEME_DATA, into, OFFICE, ZONE)
    return into, report


def by_title(into: Path, title: str) -> frontmatter.Post:
    for file in into.rglob("*.md"):
        post = read(file)
        if post["title"] == title:
            return post
    raise AssertionError(f"no article titled {title!r}")


def test_theme_data_every_published_post_arrives(theme_import, theme_items):
    into, report = theme_import
    published = {int(i.findtext(WP + "post_id")) for i in theme_items
                 if i.findtext(WP + "post_type") == "post"
                 and i.findtext(WP + "status") in ("publish", "future")
                 and not (i.findtext(WP + "post_password") or "")}
    assert len(published) > 50
    assert {i.post_id for i in report.imported} == published
    files = list(into.rglob("*.md"))
    assert len(files) == len(published)
    slugs = set()
    for file in files:
        post = read(file)
        assert_key_order(post)
        assert post["office"] == OFFICE
        assert post["slug"] == file.stem
        assert file.parent.name == post["date"][:4]
        assert post["aliases"][-1].startswith("/?p=")
        slugs.add(post["slug"])
    assert len(slugs) == len(files)


def test_theme_data_nothing_but_posts(theme_import, theme_items):
    into, report = theme_import
    kinds = {i.findtext(WP + "post_type") for i in theme_items} - {"post"}
    assert {"page", "attachment", "nav_menu_item"} <= kinds
    skipped = {s.post_id: s for s in report.skipped}
    for element in theme_items:
        if element.findtext(WP + "post_type") != "post":
            entry = skipped[int(element.findtext(WP + "post_id"))]
            assert "only posts are imported" in entry.reason
    page_slugs = {i.findtext(WP + "post_name") for i in theme_items
                  if i.findtext(WP + "post_type") == "page"}
    assert not {f.stem for f in into.rglob("*.md")} & (page_slugs - {
        i.findtext(WP + "post_name") for i in theme_items
        if i.findtext(WP + "post_type") == "post"})


def test_theme_data_known_posts(theme_import, theme_items):
    into, _ = theme_import
    special = by_title(into, "Markup: Title With Special Characters "
                             "~`!@#$%^&*()-_=+{}[]/\\;:'\"?,.>")
    assert special["slug"] == "title-with-special-characters"
    assert special["date"] == "2013-01-06 01:00"  # 2013-01-05 18:00 UTC in WIB
    assert special["tags"] == ["Classic", "Markup", "html", "post", "title"]
    assert special["aliases"] == ["/2013/01/05/title-with-special-characters/", "/?p=1174"]

    marked_up = by_title(into, "Markup: Title With Markup")  # tags in titles dropped
    assert marked_up["slug"] == "markup-title-with-markup"

    scheduled = by_title(into, "Scheduled")
    assert scheduled["date"] == "2030-01-02 02:00"
    assert "draft" not in scheduled.metadata

    sticky = by_title(into, "Template: Sticky")
    assert "Uncategorized" not in sticky["tags"]
    assert sticky["tags"] == ["Classic", "sticky", "template"]

    columns = by_title(into, "Block: Columns")
    assert columns["slug"] == "column-blocks"
    assert (into / OFFICE / "2018" / "column-blocks.md").is_file()

    no_title = by_title(into, "Edge case no title")
    assert no_title["slug"] == "edge-case-no-title"

    excerpt = by_title(into, "Template: Excerpt (Defined)")
    assert excerpt["summary"].startswith("This is a user-defined post excerpt.")


def test_theme_data_featured_images_and_captions(theme_import, theme_items):
    into, _ = theme_import
    urls = {i.findtext(WP + "post_id"): i.findtext(WP + "attachment_url") for i in theme_items
            if i.findtext(WP + "post_type") == "attachment"}
    horizontal = next(i for i in theme_items
                      if i.findtext("title") == "Template: Featured Image (Horizontal)")
    thumbnail = next(m.findtext(WP + "meta_value") for m in horizontal.iter(WP + "postmeta")
                     if m.findtext(WP + "meta_key") == "_thumbnail_id")
    assert by_title(into, "Template: Featured Image (Horizontal)")["image"] == urls[thumbnail]

    caption_post = by_title(into, "Post Format: Image (Caption)")
    img = html_of(caption_post.content).find("img")
    assert img["title"] == "Bell on wharf in San Francisco"
    assert img["alt"] == "Bell on Wharf"


def test_theme_data_is_valid_content(theme_import, make_site):
    into, _ = theme_import
    root = make_site({})
    site, problems = config.load(root)
    assert problems == []
    for file in into.rglob("*.md"):
        article, problems = content.parse(file.read_bytes(), "content/x.md", site)
        assert article is not None, (file, problems)
        # The export's "Edge Case: No Content" post is empty on purpose.
        expected = ["the article has no text below the front matter"] \
            if article.title == "Edge Case: No Content" else []
        assert [p.message for p in problems] == expected, file


# -- body conversion --------------------------------------------------------------------


def test_wpautop_paragraphs_breaks_and_blocks():
    out = BeautifulSoup(wpautop("Satu\nbaris\n\nDua\n<ul>\n<li>a</li>\n</ul>\n"
                                "<pre>kode\n\n  tetap</pre>"), "html.parser")
    assert [p.get_text() for p in out.find_all("p")] == ["Satu\nbaris", "Dua"]
    assert out.find("p").find("br") is not None
    assert out.find("ul").find_parent("p") is None
    assert out.find("pre").get_text() == "kode\n\n  tetap"


def test_block_editor_posts_are_not_autopd():
    text = "<!-- wp:paragraph -->\n<p>Satu\ndua</p>\n<!-- /wp:paragraph -->"
    page = html_of(to_markdown(text).markdown)
    assert page.find("br") is None
    assert page.get_text().strip() == "Satu\ndua"


def test_gallery_shows_the_attachments():
    media = {5: Media("https://x.id/a.jpg", "A", "Foto A"), 6: Media("https://x.id/b.jpg")}
    listed = html_of(to_markdown('[gallery ids="6,5"]', media=media).markdown).find_all("img")
    assert [i["src"] for i in listed] == ["https://x.id/b.jpg", "https://x.id/a.jpg"]
    assert listed[1]["title"] == "Foto A"
    nothing = to_markdown("[gallery]")
    assert nothing.markdown == "" and "no images" in nothing.notes[0]
    own = html_of(to_markdown("[gallery columns=2]", media=media, own_media=[5]).markdown)
    assert [i["src"] for i in own.find_all("img")] == ["https://x.id/a.jpg"]


def test_caption_as_an_attribute():
    text = ('[caption id="a" caption="Ketua &amp; anggota &#8220;KPU&#8221;"]'
            '<img src="https://x.id/k.jpg" alt="Ketua" />[/caption]')
    img = html_of(to_markdown(text).markdown).find("img")
    assert (img["src"], img["alt"], img["title"]) == ("https://x.id/k.jpg", "Ketua",
                                                      "Ketua & anggota “KPU”")


def test_shortcode_odds_and_ends():
    converted = to_markdown("[[gallery]]\n\nhttps://www.youtube.com/watch?v=x\n\n"
                            '[audio mp3="https://x.id/s.mp3"][/audio]\n\n'
                            "[vc_row][vc_column]Isi kolom[/vc_column][/vc_row]")
    page = html_of(converted.markdown)
    assert "[gallery]" in page.get_text()  # escaped: shown as written
    assert page.find("a", href="https://www.youtube.com/watch?v=x") is not None
    assert page.find("a", href="https://x.id/s.mp3") is not None
    assert "Isi kolom" in page.get_text() and "vc_" not in page.get_text()
    assert converted.notes == ()


def test_tables_lists_and_markdown_characters_survive():
    text = ("<table><tr><td>a | b</td><td>c</td></tr><tr><td>1</td><td>2</td></tr></table>\n"
            "<ol><li>satu<ul><li>dua</li></ul></li></ol>\n\nnama_file *bintang*")
    page = html_of(to_markdown(text).markdown)
    assert [td.get_text() for td in page.find_all(["td", "th"])] == ["a | b", "c", "1", "2"]
    assert page.select_one("ol > li > ul > li").get_text() == "dua"
    assert "nama_file *bintang*" in page.get_text()
    assert page.find("em") is None


def test_lazy_images_iframes_and_image_titles():
    text = ('<img src="data:image/gif;base64,R0lG" data-lazy-src="https://x.id/f.jpg" '
            'alt="F" title="f" />\n\n<iframe src="//www.youtube.com/embed/x"></iframe>')
    page = html_of(to_markdown(text).markdown)
    img = page.find("img")
    assert img["src"] == "https://x.id/f.jpg"
    assert not img.get("title")  # WordPress's file-name tooltip is not a caption
    assert page.find("a", href="https://www.youtube.com/embed/x") is not None
