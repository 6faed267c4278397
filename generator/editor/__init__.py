"""The web editor at /admin/: Decap CMS (decap-cms 3.16.3, MIT, shipped in decap/),
configured from site.toml. `berita serve` serves it with its own local backend
(cmsbackend.py at /api/v1), so an operator needs nothing beyond `berita serve`."""

from __future__ import annotations

import html
import json
from importlib import resources
from importlib.resources.abc import Traversable

from generator.config import CONTENT_DIR, SiteConfig

DECAP_VERSION = "3.16.3"
PROXY_URL = "/api/v1"


def assets() -> Traversable:
    """The folder of Decap's files (decap-cms.js, its chunks and wasm)."""
    return resources.files("generator.editor").joinpath("decap")


def admin_page(site_title: str) -> bytes:
    """/admin/index.html: loads Decap, which reads config.yml beside it. The head is
    left open on purpose: livereload puts its script before a `</head>`, and a reload
    while an operator writes would lose what they wrote."""
    title = html.escape(f"Editor {site_title}")
    return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<body>
<script src="/admin/decap/decap-cms.js"></script>
</body>
</html>
""".encode()


def local_config(config: SiteConfig) -> str:
    """config.yml for the preview: the proxy backend of `berita serve`, one collection
    of the site's articles, photos beside each article."""
    offices = [{"label": office.name, "value": office.slug} for office in config.offices]
    settings = {
        "backend": {"name": "proxy", "proxy_url": PROXY_URL, "branch": "main"},
        "locale": "en",
        "media_folder": CONTENT_DIR,
        "collections": [{
            "name": "berita",
            "label": "Berita",
            "label_singular": "Berita",
            "folder": CONTENT_DIR,
            "extension": "md",
            "format": "frontmatter",
            "create": True,
            "path": "{{office}}/{{year}}/{{slug}}",
            "slug": "{{slug}}",
            "media_folder": "",
            "public_folder": "",
            "summary": "{{title}}",
            "fields": [
                {"label": "Judul", "name": "title", "widget": "string"},
                {"label": "Tanggal", "name": "date", "widget": "datetime",
                 "format": "YYYY-MM-DD HH:mm", "date_format": "DD-MM-YYYY",
                 "time_format": "HH:mm", "picker_utc": False},
                {"label": "Kantor", "name": "office", "widget": "select",
                 "options": offices},
                {"label": "Tag", "name": "tags", "widget": "list", "required": False},
                {"label": "Ringkasan", "name": "summary", "widget": "text",
                 "required": False},
                {"label": "Foto utama", "name": "image", "widget": "image",
                 "required": False},
                {"label": "Keterangan foto", "name": "image_caption", "widget": "string",
                 "required": False},
                {"label": "Penulis", "name": "author", "widget": "string", "required": False},
                {"label": "Sumber", "name": "source", "widget": "string", "required": False},
                {"label": "Alamat sumber", "name": "source_url", "widget": "string",
                 "required": False},
                {"label": "Draf", "name": "draft", "widget": "boolean", "default": False,
                 "required": False},
                {"label": "Isi", "name": "body", "widget": "markdown"},
            ],
        }],
    }
    # JSON is YAML: no YAML writer's quoting rules to get wrong.
    return json.dumps(settings, ensure_ascii=False, indent=2) + "\n"
