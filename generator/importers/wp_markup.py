"""A WordPress post body -> clean Markdown.

The steps follow how WordPress itself turns the stored text into a page:
shortcodes become HTML, classic-editor text gets `wpautop` (block-editor posts
are HTML already), the HTML is tidied, then `markdownify` writes Markdown.

What happens to shortcodes:

- `[caption ...]<img .../> Text[/caption]` -> `![alt](src "Text")`, which the
  site shows as a figure with that caption (a link around the image is dropped);
- `[gallery ids="1,2"]` -> one image per attachment, captions as titles; without
  ids, the post's own attachments, as WordPress does;
- `[embed]URL[/embed]`, and a URL alone on its line (WordPress's auto-embed) -> a link;
- `[audio ...]`, `[video ...]` -> a link to the media file;
- page-builder wrappers (`vc_*`, `et_pb_*`, `fusion_*`, `su_*`, ...) -> the tags go,
  their content stays;
- forms, playlists and share buttons, which have no text of their own -> dropped;
- anything else -> kept as written (WordPress itself shows an unknown shortcode as
  text, and "[Foto: Humas]" is common in news) and named in the import notes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from bs4 import BeautifulSoup, Comment, Tag
from markdownify import MarkdownConverter

from generator.importers.wpautop import wpautop
from generator.messages import msg

_BUILDER_PREFIXES = ("vc_", "et_pb_", "fusion_", "su_", "av_", "cs_", "themify_", "tie_",
                     "td_", "ux_", "mk_", "kc_", "elementor")
_DROPPED = ("playlist", "contact-form-7", "contact-form", "wpforms", "ninja_form",
            "ninja_forms", "gravityform", "mc4wp_form", "addtoany", "ssba", "sharethis",
            "jetpack_subscription_form", "wp_ad_camp", "adinserter", "toc", "ez-toc")
_MEDIA_ATTRIBUTES = ("src", "mp3", "m4a", "ogg", "wav", "wma", "mp4", "m4v", "webm", "ogv",
                     "flv", "wmv")
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
_LONE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"'\[\]]+)[ \t]*$", re.M)
_SHORTCODE_LIKE = re.compile(r"\[(/?)([A-Za-z][\w-]*)((?:\s[^\]]*)?)\]")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp)$", re.I)
_LAZY_SOURCES = ("data-lazy-src", "data-src", "data-original", "data-orig-file")
_CAPTION_ATTRIBUTE = "data-berita-caption"
_BLANK_LINES = re.compile(r"\n{3,}")
_BREAKS = re.compile(r"<br\s*/?>|</?(?:p|div|li|h[1-6]|blockquote|tr|td|th)\b[^>]*>", re.I)


@dataclass(frozen=True)
class Media:
    """An attachment a gallery can show."""

    url: str
    alt: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Converted:
    markdown: str
    notes: tuple[str, ...]
    """Things an operator may want to check, e.g. a shortcode kept as text (msg texts)."""


def to_markdown(content: str, *, media: Mapping[int, Media] | None = None,
                own_media: Sequence[int] = (),
                image_src: Callable[[str], str | None] | None = None) -> Converted:
    """The stored body of a post -> Markdown.

    `media` maps attachment ids to files for galleries; `own_media` are the
    post's own attachments, shown by a gallery without ids; `image_src` may
    return a new source for an image URL (a local copy), or None to keep it.
    """
    notes: list[str] = []
    text = _shortcodes(content, media or {}, own_media, notes)
    text = _LONE_URL.sub(lambda m: _link_paragraph(m.group(1)), text)
    if "<!-- wp:" not in text:  # block-editor posts never went through wpautop
        text = wpautop(text)
    soup = _tidy(text, image_src or (lambda url: None))
    markdown = _Converter(heading_style="ATX", bullets="-", table_infer_header=True,
                          keep_inline_images_in=["td", "th"]).convert_soup(soup)
    return Converted(_clean_whitespace(markdown), tuple(dict.fromkeys(notes)))


def plain_text(fragment: str) -> str:
    """HTML (a title, an excerpt, a caption) -> one line of text, entities decoded."""
    if "<" in fragment:
        # Blocks and line breaks separate words; inline markup ("Mark<sup>up</sup>") does not.
        fragment = _BREAKS.sub(" ", fragment)
        text = BeautifulSoup(fragment, "html.parser").get_text()
    else:
        text = html.unescape(fragment)
    return " ".join(text.split())


# -- shortcodes -----------------------------------------------------------------------


def _shortcode(names: str) -> re.Pattern[str]:
    """WordPress's get_shortcode_regex() for the given names (an alternation)."""
    return re.compile(
        r"\[(\[?)(" + names + r")(?![\w-])"  # [[name]] is an escaped shortcode
        r"([^\]/]*(?:/(?!\])[^\]/]*)*?)"  # attributes
        r"(?:(/)\]|\](?:((?:(?!\[/\2\]).)*?)\[/\2\])?)"  # self-closing, or content + closing
        r"(\]?)",
        re.S,
    )


_CAPTION = _shortcode("caption|wp_caption")
_GALLERY = _shortcode("gallery")
_EMBED = _shortcode("embed")
_AUDIO_VIDEO = _shortcode("audio|video")
_DROP = _shortcode("|".join(re.escape(name) for name in _DROPPED))
_BUILDER_TAG = re.compile(
    r"\[/?(?:" + "|".join(re.escape(p) for p in _BUILDER_PREFIXES) + r")[\w-]*(?:\s[^\]]*)?/?\]"
)


def attributes(text: str) -> dict[str, str]:
    """WordPress's shortcode_parse_atts(): named values by lower-case name."""
    text = text.replace("\xa0", " ").replace("\u200b", " ")
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        groups = match.groups()
        for name_group in (0, 2, 4):
            if groups[name_group]:
                found[groups[name_group].lower()] = groups[name_group + 1]
                break
    return found


def _shortcodes(text: str, media: Mapping[int, Media], own_media: Sequence[int],
                notes: list[str]) -> str:
    text = _BUILDER_TAG.sub("", text)

    def handler(render: Callable[[dict[str, str], str], str]) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            if match.group(1) == "[" and match.group(6) == "]":
                return match.group(0)[1:-1]  # escaped: [[gallery]] shows "[gallery]"
            return render(attributes(match.group(3)), match.group(5) or "")
        return replace

    def caption(attrs: dict[str, str], inner: str) -> str:
        soup = BeautifulSoup(inner, "html.parser")
        img = soup.find("img")
        if not isinstance(img, Tag):
            return inner
        wrapper = img.parent if isinstance(img.parent, Tag) and img.parent.name == "a" else img
        wrapper.extract()
        text = plain_text(attrs.get("caption", "")) or plain_text(str(soup))
        return _image_paragraph(str(img.get("src", "")), str(img.get("alt", "")), text)

    def gallery(attrs: dict[str, str], inner: str) -> str:
        listed = attrs.get("ids") or attrs.get("include") or ""
        ids = [int(i) for i in re.findall(r"\d+", listed)] if listed else list(own_media)
        shown = [media[i] for i in ids if i in media]
        if not shown:
            notes.append(msg("a [gallery] with no images in the export was left out"))
        return "".join(_image_paragraph(m.url, m.alt, m.caption) for m in shown)

    def embed(attrs: dict[str, str], inner: str) -> str:
        url = plain_text(inner) or attrs.get("src", "")
        return _link_paragraph(url) if url else ""

    def audio_video(attrs: dict[str, str], inner: str) -> str:
        url = next((attrs[a] for a in _MEDIA_ATTRIBUTES if attrs.get(a)), "")
        return _link_paragraph(url) if url else inner

    text = _CAPTION.sub(handler(caption), text)
    text = _GALLERY.sub(handler(gallery), text)
    text = _EMBED.sub(handler(embed), text)
    text = _AUDIO_VIDEO.sub(handler(audio_video), text)
    text = _DROP.sub(handler(lambda attrs, inner: ""), text)
    for match in _SHORTCODE_LIKE.finditer(text):
        closing, name, rest = match.groups()
        # Only a closing tag or name="value" marks a shortcode; "[Foto: Humas]" is prose.
        if closing or "=" in rest:
            notes.append(msg("shortcode [{name}] kept as text", name=name))
    return text


def _image_paragraph(src: str, alt: str, caption: str) -> str:
    attrs = f'src="{html.escape(src)}" alt="{html.escape(alt)}"'
    if caption:
        attrs += f' {_CAPTION_ATTRIBUTE}="{html.escape(caption)}"'
    return f"\n\n<p><img {attrs} /></p>\n\n"


def _link_paragraph(url: str) -> str:
    url = html.escape(url)
    return f'\n\n<p><a href="{url}">{url}</a></p>\n\n'


# -- HTML -> Markdown -------------------------------------------------------------------


def _tidy(text: str, image_src: Callable[[str], str | None]) -> BeautifulSoup:
    soup = BeautifulSoup(text, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(["script", "style", "noscript", "form", "object", "embed"]):
        tag.decompose()
    for figure in soup.find_all("figure"):
        imgs, captions = figure.find_all("img"), figure.find_all("figcaption")
        if len(imgs) == 1 and len(captions) == 1:
            imgs[0][_CAPTION_ATTRIBUTE] = plain_text(captions[0].decode_contents())
            captions[0].decompose()
    for frame in soup.find_all(["iframe", "video", "audio"]):
        source = frame.get("src")
        if not source and isinstance(inner := frame.find("source"), Tag):
            source = inner.get("src")
        if isinstance(source, str) and source:
            url = "https:" + source if source.startswith("//") else source
            frame.replace_with(BeautifulSoup(_link_paragraph(url), "html.parser"))
        else:
            frame.decompose()
    for img in soup.find_all("img"):
        _tidy_image(img, image_src)
    for a in soup.find_all("a"):
        if not a.get("href"):
            a.unwrap()
        else:
            a["href"] = _safe_url(a["href"])
    return soup


def _tidy_image(img: Tag, image_src: Callable[[str], str | None]) -> None:
    src = str(img.get("src") or "")
    lazy = next((str(img[a]) for a in _LAZY_SOURCES if img.get(a)), "")
    if lazy and (not src or src.startswith("data:")):
        src = lazy  # lazy-load plugins keep the real address aside
    if not src or src.startswith("data:"):
        img.decompose()
        return
    local = image_src(src)
    if local:
        parent = img.parent
        href = str(parent.get("href", "")) if isinstance(parent, Tag) and parent.name == "a" else ""
        # A link around an image usually opens the same picture bigger on the old site;
        # once the picture is local, that link would lead back to the site being left.
        if href and (_IMAGE_FILE.search(href.split("?")[0]) or "attachment" in href) \
                and not parent.get_text(strip=True):
            parent.unwrap()
    img["src"] = local or _safe_url(src)
    # Only a caption becomes the Markdown title (shown under the picture); the title
    # attribute WordPress puts on every image is just its file name as a tooltip.
    caption = img.attrs.pop(_CAPTION_ATTRIBUTE, "")
    img.attrs.pop("title", None)
    if caption:
        img["title"] = caption
    if img.get("alt"):
        img["alt"] = " ".join(str(img["alt"]).split()).replace("[", "(").replace("]", ")")


def _safe_url(url: str) -> str:
    """Spaces and parentheses would end a Markdown link early."""
    return quote(url.strip(), safe="/:?#[]@!$&'*+,;=%~")


class _Converter(MarkdownConverter):
    """markdownify, with output Python-Markdown (generator.markup) reads as intended."""

    def convert_img(self, el, text, parent_tags):
        title = el.get("title")
        if title and '"' in title:
            # A title is quoted in Markdown; curly quotes, as WordPress showed them, need
            # no escaping in any Markdown dialect.
            parts = title.split('"')
            el["title"] = parts[0] + "".join(
                ("“" if i % 2 == 0 else "”") + part for i, part in enumerate(parts[1:]))
        return super().convert_img(el, text, parent_tags)

    def convert_li(self, el, text, parent_tags):
        # Python-Markdown wants what belongs to an item, nested lists included, indented
        # by four spaces; markdownify indents by the bullet's width.
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start", ""))
            number = (int(start) if start.isdigit() else 1) + len(el.find_previous_siblings("li"))
            bullet = f"{number}."
        else:
            bullet = "-"
        first, *rest = text.split("\n")
        rest = ["    " + line if line.strip() else "" for line in rest]
        return "\n".join([f"{bullet} {first}", *rest]) + "\n"

    def convert_td(self, el, text, parent_tags):
        return super().convert_td(el, text.replace("|", "\\|"), parent_tags)

    def convert_th(self, el, text, parent_tags):
        return super().convert_th(el, text.replace("|", "\\|"), parent_tags)


def _clean_whitespace(markdown: str) -> str:
    lines = ["" if not line.strip() else line for line in markdown.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""
