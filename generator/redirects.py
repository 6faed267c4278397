"""Old addresses -> redirects to the articles that replaced them.

An article's `aliases:` lists paths from the site root where it used to live
("/2019/11/08/rapat-koordinasi/", and WordPress's "/?p=123"). For each path this
module makes a small page at that path that sends the reader on (any static
host serves it); for hosts that read one, a `_redirects` file (Netlify, Cloudflare
Pages) does the same with a real 301. A query string never reaches a static
file, so "/?p=123" aliases go to `redirects.json`, read by a tiny script on the
home page (`query_redirect_script`), and to Netlify query rules.

Aliases come from imported files, so every one is checked: nothing outside the
output folder, nothing absolute, and no alias may replace the page it points to.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from generator.messages import Text, msg
from generator.urls import Links, output_file

QUERY_KEYS = ("p", "page_id")
"""WordPress's numeric short links: /?p=ID for posts, /?page_id=ID for pages."""

REDIRECTS_FILE = "_redirects"
JSON_FILE = "redirects.json"
_QUERY = re.compile(r"^/?\?(p|page_id)=(\d+)$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_FILE_PAGE = re.compile(r"\.html?$", re.IGNORECASE)


class AliasError(ValueError):
    """A bad alias, or aliases that clash. `message` says so to the operator (str(error)
    is its English)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PathAlias:
    alias: str
    """As written, e.g. "/2019/11/08/rapat-koordinasi/"."""
    route: str
    """Decoded site-relative route, e.g. "2019/11/08/rapat-koordinasi/"."""
    file: str
    """Output file that answers it, e.g. "2019/11/08/rapat-koordinasi/index.html"."""


@dataclass(frozen=True)
class QueryAlias:
    alias: str
    key: str
    """"p" or "page_id"."""
    id: str


def parse_alias(alias: str) -> PathAlias | QueryAlias:
    """Checks one alias; raises AliasError (a ValueError) saying what is wrong with it.

    Paths are percent-decoded segment by segment (WordPress permalinks carry
    %-encoded UTF-8); a path ending in .html/.htm is that file, any other path a
    folder with an index.html.
    """
    if not isinstance(alias, str) or not alias.strip():
        raise AliasError(msg("empty alias (expected a path like /2019/11/08/judul/)"))
    text = alias.strip()
    query = _QUERY.match(text)
    if query:
        return QueryAlias(alias, query.group(1), query.group(2))
    if _SCHEME.match(text) or text.startswith("//"):
        raise AliasError(msg("alias {alias!r} is an absolute URL (expected a path from the "
                             "site root, like /2019/11/08/judul/)", alias=alias))
    if "?" in text or "#" in text:
        raise AliasError(msg("alias {alias!r} has a query or fragment (only /?p=ID and "
                             "/?page_id=ID are supported)", alias=alias))
    if "\\" in text or "\x00" in text:
        raise AliasError(msg("alias {alias!r} contains a backslash or NUL", alias=alias))
    raw_segments = text.strip("/").split("/")
    if raw_segments == [""]:
        raise AliasError(msg("alias {alias!r} is the home page; it cannot redirect",
                             alias=alias))
    segments = []
    for raw in raw_segments:
        try:
            segment = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise AliasError(msg("alias {alias!r} has a percent-escape that is not UTF-8",
                                 alias=alias)) from None
        if segment in ("", ".", ".."):
            raise AliasError(msg("alias {alias!r} has an empty, '.' or '..' segment",
                                 alias=alias))
        # "%" too: a decoded "%" could not be told from an escape when written back.
        if any(c in "/\\%" or ord(c) < 32 or c == "\x7f" for c in segment):
            raise AliasError(msg("alias {alias!r} has an encoded slash, backslash, '%' or "
                                 "control character", alias=alias))
        segments.append(segment)
    route = "/".join(segments)
    if _FILE_PAGE.search(segments[-1]) and not text.endswith("/"):
        return PathAlias(alias, route, route)
    return PathAlias(alias, route + "/", route + "/index.html")


def alias_output_path(alias: str) -> str:
    """The output file a path alias writes, so a build can check it against its pages."""
    parsed = parse_alias(alias)
    if isinstance(parsed, QueryAlias):
        raise AliasError(msg("alias {alias!r} is a query; it has no file of its own",
                             alias=alias))
    return parsed.file


def redirect_files(aliases: Iterable[tuple[str, str]], links: Links,
                   site_title: str) -> dict[str, bytes]:
    """(alias, target route) pairs -> output files: site-relative path -> bytes.

    Raises AliasError for a bad alias, or one alias sent to two different places.
    An alias that is its target's own address is left out (it would loop).
    """
    pages: dict[str, tuple[PathAlias, str]] = {}
    queries: dict[str, dict[str, str]] = {}
    for alias, target in aliases:
        target = target.lstrip("/")
        parsed = parse_alias(alias)
        if isinstance(parsed, QueryAlias):
            seen = queries.setdefault(parsed.key, {}).setdefault(parsed.id, target)
            if seen != target:
                raise AliasError(msg("alias {alias!r} points to both /{seen} and /{target}",
                                     alias=alias, seen=seen, target=target))
            continue
        if parsed.file == output_file(target):
            continue
        if parsed.file in (REDIRECTS_FILE, JSON_FILE) or \
                parsed.file.split("/")[0] in (REDIRECTS_FILE, JSON_FILE):
            raise AliasError(msg("alias {alias!r} would replace {file}", alias=alias,
                                 file=parsed.file))
        seen_alias, seen_target = pages.setdefault(parsed.file, (parsed, target))
        if seen_target != target:
            raise AliasError(msg("aliases {first!r} and {alias!r} both use {file}, for "
                                 "/{seen} and /{target}", first=seen_alias.alias,
                                 alias=alias, file=parsed.file, seen=seen_target,
                                 target=target))
    if not pages and not queries:
        return {}
    files = {file: redirect_page(links, target, site_title) for file, (_, target) in
             sorted(pages.items())}
    rules = [f"{links.href(p.route)} {links.href(target)} 301"
             for p, target in sorted(pages.values(), key=lambda pair: pair[0].route)]
    # Netlify only. "!" because the home page exists and would otherwise win.
    rules += [f"{links.href('')} {key}={id_} {links.href(target)} 301!"
              for key in sorted(queries) for id_, target in sorted(queries[key].items(),
                                                                    key=lambda i: int(i[0]))]
    files[REDIRECTS_FILE] = ("\n".join(rules) + "\n").encode()
    mapping = {key: {id_: links.href(target) for id_, target in sorted(
        queries[key].items(), key=lambda i: int(i[0]))} for key in sorted(queries)}
    files[JSON_FILE] = (json.dumps(mapping, ensure_ascii=False, indent=1) + "\n").encode()
    return files


def redirect_page(links: Links, target: str, site_title: str) -> bytes:
    """A page that sends readers (at once) and search engines (canonical) to `target`."""
    href = html.escape(links.href(target))
    absolute = html.escape(links.absolute(target))
    title = html.escape(site_title)
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Halaman dipindahkan · {title}</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="{absolute}">
<meta http-equiv="refresh" content="0; url={href}">
</head>
<body>
<p>Halaman ini sudah pindah ke <a href="{href}">{absolute}</a>.</p>
</body>
</html>
""".encode()


def query_redirect_script(json_href: str = JSON_FILE,
                          inline: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """JavaScript for the home page: "/?p=123" -> location.replace(the article).

    Looks the id up in `inline` (the `redirects.json` mapping) when given, else
    fetches `json_href` (relative to the page, or a root-relative href), only when
    the address has ?p= or ?page_id=. Safe to put inside a <script> element.
    """
    table = _script_json(inline) if inline is not None else "null"
    source = _script_json(json_href)
    return (
        "(function () {\n"
        "  var q = new URLSearchParams(location.search);\n"
        '  var key = q.has("p") ? "p" : q.has("page_id") ? "page_id" : "";\n'
        "  var id = key && q.get(key);\n"
        "  if (!id || !/^[0-9]+$/.test(id)) return;\n"
        "  function go(map) {\n"
        "    var ids = map && Object.prototype.hasOwnProperty.call(map, key) && map[key];\n"
        "    var to = ids && Object.prototype.hasOwnProperty.call(ids, id) && ids[id];\n"
        '    if (typeof to === "string" && /^\\/(?![\\/\\\\])/.test(to)) location.replace(to);\n'
        "  }\n"
        f"  var inline = {table};\n"
        "  if (inline) { go(inline); return; }\n"
        f"  fetch({source}, {{credentials: \"same-origin\"}})\n"
        "    .then(function (r) { return r.ok ? r.json() : null; })\n"
        "    .then(go, function () {});\n"
        "})();\n"
    )


def _script_json(value: object) -> str:
    """JSON that cannot end a <script> element or open an HTML comment."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

