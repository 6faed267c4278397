"""WordPress's `wpautop()` in Python: bare newlines in post content -> <p> and <br />.

WordPress stores classic-editor posts with blank lines meaning paragraphs and
single newlines meaning line breaks, and adds the HTML only when it shows a post.
This is a line-by-line port of wp-includes/formatting.php `wpautop()` (without the
<option>/<object> special cases, which do not occur in news posts), so a post
reads here the way it read on the old site.
"""

from __future__ import annotations

import re

_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_NEWLINE = " <!-- wpnl --> "


def wpautop(text: str) -> str:
    if not text.strip():
        return ""
    text += "\n"
    pre_tags: dict[str, str] = {}
    if "<pre" in text:
        # <pre> keeps its newlines: set each aside and put it back at the end.
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for index, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:
                text += part + "</pre>"
                continue
            name = f"<pre wp-pre-tag-{index}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += last

    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(r"(<" + _BLOCKS + r"[\s/>])", r"\n\n\1", text)
    text = re.sub(r"(</" + _BLOCKS + r">)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A newline inside a tag is not a line break: hide it from what follows.
    text = _TAG_OR_COMMENT.sub(lambda m: m.group(0).replace("\n", _NEWLINE), text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)

    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)", r"\1", text)
    text = re.sub(r"(</?" + _BLOCKS + r"[^>]*>)\s*</p>", r"\1", text)

    text = re.sub(r"<(script|style|svg|math).*?</\1>",
                  lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"), text, flags=re.S)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = re.sub(r"(</?" + _BLOCKS + r"[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)

    for name, pre in pre_tags.items():
        text = text.replace(name, pre)
    return text.replace(_NEWLINE, "\n").replace(_NEWLINE.strip(), "\n")
