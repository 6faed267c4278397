"""Every kind of page the sample site has passes the Nu Html Checker (vnu) without
errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from generator import build
from tests.browser_support import VNU_JAR, require_vnu
from tests.conftest import NOW, REPO

PAGE_KINDS = {
    "home": "index.html",
    "article": "berita/jelang-pilkada-kpu-tebo-gelar-bimtek-untuk-pps-dan-ppk/index.html",
    "article with body images": "berita/rapat-koordinasi-sosialisasi-pemilihan-2020/index.html",
    "tags": "tag/index.html",
    "tag": "tag/pilkada-2024/index.html",
    "offices": "kantor/index.html",
    "office": "kantor/kpu-provinsi-jawa-tengah/index.html",
    "archives": "arsip/index.html",
    "archive year": "arsip/2024/index.html",
    "archive month": "arsip/2024/11/index.html",
    "search": "cari/index.html",
    "not found": "404.html",
}


def test_every_page_kind_is_valid_html(tmp_path: Path) -> None:
    require_vnu()
    out = tmp_path / "public"
    build.run(REPO, out, build.BuildOptions(now=NOW))
    files = [str(out / page) for page in PAGE_KINDS.values()]
    assert all(Path(f).is_file() for f in files)
    done = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                           *files], capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors = [(m.get("url", "").split("/public/")[-1], m.get("lastLine"), m["message"])
              for m in messages if m["type"] == "error"]
    assert errors == []
