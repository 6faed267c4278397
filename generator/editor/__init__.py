"""The web editor at /admin/: Decap CMS (decap-cms 3.16.3, MIT, shipped in decap/),
configured from site.toml. Two editors, one configuration: `berita serve`'s, saving
through berita's own local backend (cmsbackend.py at /api/v1) into content/, and the one
a build publishes when site.toml has a `[cms]` table, saving through GitHub, GitLab or
Git Gateway with the editorial workflow on, so each article arrives as a pull request.

Every address in the page is relative to /admin/, so a site published under a folder
(https://x.example/berita/admin/) works as one at the root does."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.config import CONTENT_DIR, Cms, SiteConfig
from generator.i18n import zone_name

DECAP_VERSION = "3.16.3"
PROXY_URL = "/api/v1"
FOLDER = "admin"
"""Where the editor lives in a site (urls.route("editor"))."""
SCRIPTS = ("id.js", "berita.js")
"""berita's own scripts, beside the page: the Indonesian phrases of Decap's interface,
then the preview, the tag widget and the start (berita.js)."""
_PLACEHOLDERS = {"office": "{{office}}", "year": "{{year}}", "month": "{{month}}",
                 "day": "{{day}}", "slug": "{{slug}}"}


@dataclass(frozen=True)
class EditorFile:
    """One file of the editor in the built site: `path` under the output folder."""

    path: str
    data: bytes


def assets() -> Path:
    """The folder of Decap's files (decap-cms.js, its chunks and wasm, NOTICE.txt)."""
    return Path(__file__).parent / "decap"


def script(name: str) -> Path:
    """One of berita's own scripts (SCRIPTS)."""
    if name not in SCRIPTS:
        raise ValueError(f"not a script of the editor: {name!r}")
    return Path(__file__).parent / name


def asset_files() -> list[tuple[str, Path]]:
    """(output path, source) of every file the published editor copies."""
    copies = [(f"{FOLDER}/{name}", script(name)) for name in SCRIPTS]
    copies += [(f"{FOLDER}/decap/{file.name}", file)
               for file in sorted(assets().iterdir()) if file.is_file()]
    return copies


def site_files(config: SiteConfig, tags: Iterable[str], published: bool) -> list[EditorFile]:
    """The editor's page and its configuration: `published` for the `[cms]` editor,
    otherwise `berita serve`'s."""
    identity = published and config.cms is not None and config.cms.backend == "git-gateway"
    return [EditorFile(f"{FOLDER}/index.html", admin_page(config, tags, identity)),
            EditorFile(f"{FOLDER}/config.yml",
                       config_yml(config, published).encode("utf-8"))]


NETLIFY_IDENTITY = "https://identity.netlify.com/v1/netlify-identity-widget.js"
"""Netlify's sign-in for git-gateway: part of that service (it accepts the invitations
Netlify sends), so it comes from Netlify, and only on the editor's page."""


def admin_page(config: SiteConfig, tags: Iterable[str], identity: bool = False) -> bytes:
    """/admin/index.html: loads Decap, which reads config.yml beside it, and berita's
    scripts with what they need to know of the site (the tags it already has, to offer
    them; the offices, for the preview). The head is left open on purpose: livereload
    puts its script before a `</head>`, and a reload while an operator writes would
    lose what they wrote."""
    title = html.escape(f"Editor {config.site.title}")
    facts = {
        "tags": sorted(set(tags), key=str.casefold),
        "offices": {office.slug: {"name": office.name,
                                  "timezone": office.timezone or config.site.timezone,
                                  "zone": zone_name(office.timezone or config.site.timezone)}
                    for office in config.offices},
        "timezone": config.site.timezone,
        "zone": zone_name(config.site.timezone),
        "stylesheet": "../static/style.css",
    }
    # "</" cannot end the script element early once "/" is escaped.
    blob = json.dumps(facts, ensure_ascii=False).replace("</", "<\\/")
    scripts = "\n".join(f'<script src="{name}"></script>' for name in SCRIPTS)
    widget = f'<script src="{NETLIFY_IDENTITY}"></script>\n' if identity else ""
    return f"""<!doctype html>
<html lang="{html.escape(config.site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<body>
<script id="berita-editor" type="application/json">{blob}</script>
<script>window.CMS_MANUAL_INIT = true;</script>
{widget}<script src="decap/decap-cms.js"></script>
{scripts}
</body>
</html>
""".encode()


def config_yml(config: SiteConfig, published: bool) -> str:
    """Decap's config.yml for this site. JSON is YAML: no YAML writer's quoting rules
    to get wrong."""
    return json.dumps(settings(config, published), ensure_ascii=False, indent=2) + "\n"


def settings(config: SiteConfig, published: bool) -> dict[str, object]:
    """Decap's configuration: the backend, one collection of the site's articles with
    the fields berita reads, photos beside each article."""
    cms = config.cms if published else None
    result: dict[str, object] = {
        "backend": backend(cms) if cms else {"name": "proxy", "proxy_url": PROXY_URL,
                                              "branch": "main"},
        "locale": "id" if config.site.language.split("-")[0] == "id" else "en",
        "media_folder": CONTENT_DIR,
        "slug": {"encoding": "ascii", "clean_accents": True},
        "collections": [collection(config)],
    }
    if cms:
        # The local backend has no pull requests; a published one always goes through them.
        result["publish_mode"] = "editorial_workflow"
        result["site_url"] = result["display_url"] = config.site.base_url
    return result


def backend(cms: Cms) -> dict[str, object]:
    """Decap's `backend` for the `[cms]` table."""
    settings: dict[str, object] = {"name": cms.backend, "branch": cms.branch}
    if cms.backend != "git-gateway":
        settings["repo"] = cms.repo
    if cms.auth_url:
        settings["base_url"] = cms.auth_url
    if cms.auth_endpoint:
        settings["auth_endpoint"] = cms.auth_endpoint
    if cms.backend == "gitlab":
        if cms.app_id:
            settings.update(auth_type="pkce", app_id=cms.app_id)
        if cms.api_root:
            settings["api_root"] = cms.api_root
    if cms.backend != "git-gateway":
        settings["squash_merges"] = True
    return settings


def entry_path(new_article_path: str) -> str:
    """site.new_article_path ("{office}/{year}/{slug}.md") in Decap's words
    ("{{office}}/{{year}}/{{slug}}")."""
    path = re.sub(r"\.md$", "", new_article_path)
    return re.sub(r"\{(\w+)\}", lambda match: _PLACEHOLDERS.get(match[1], match[0]), path)


def collection(config: SiteConfig) -> dict[str, object]:
    """The articles: where they are, where a new one goes, the fields an operator fills."""
    offices = [{"label": office.name, "value": office.slug} for office in config.offices]
    return {
        "name": "berita",
        "label": "Berita",
        "label_singular": "Berita",
        "folder": CONTENT_DIR,
        "extension": "md",
        "format": "frontmatter",
        "create": True,
        "path": entry_path(config.site.new_article_path),
        "slug": "{{slug}}",
        # Relative: each article's photos go into its own folder, beside it.
        "media_folder": "",
        "public_folder": "",
        "summary": "{{title}}",
        "sortable_fields": ["date", "title"],
        "view_filters": [{"label": "Draf", "field": "draft", "pattern": True}],
        "fields": [
            {"label": "Judul", "name": "title", "widget": "string"},
            # berita.js's widget: the office's wall clock, not the computer's.
            {"label": "Tanggal dan jam", "name": "date", "widget": "waktu",
             "hint": "Jam setempat kantor yang menerbitkan berita ini "
                     "(WIB, WITA atau WIT menurut kantornya)."},
            {"label": "Kantor", "name": "office", "widget": "select", "options": offices,
             **({"default": offices[0]["value"]} if len(offices) == 1 else {})},
            {"label": "Tag", "label_singular": "tag", "name": "tags", "widget": "list",
             "required": False, "collapsed": False,
             "field": {"label": "Tag", "name": "tag", "widget": "tag"}},
            {"label": "Ringkasan", "name": "summary", "widget": "text", "required": False,
             "hint": "Satu atau dua kalimat untuk daftar berita dan pratinjau tautan."},
            {"label": "Foto utama", "name": "image", "widget": "image", "required": False},
            {"label": "Keterangan foto", "name": "image_caption", "widget": "string",
             "required": False},
            {"label": "Penulis", "name": "author", "widget": "string", "required": False},
            {"label": "Sumber", "name": "source", "widget": "string", "required": False},
            {"label": "Alamat sumber", "name": "source_url", "widget": "string",
             "required": False},
            {"label": "Draf (belum terbit)", "name": "draft", "widget": "boolean",
             "default": False, "required": False},
            {"label": "Isi", "name": "body", "widget": "markdown"},
        ],
    }
