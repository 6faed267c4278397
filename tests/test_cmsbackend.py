"""cmsbackend: Decap CMS's local-backend protocol over content/, as decap-server's
file-system mode answers it, and nothing outside content/."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator import build, cmsbackend
from tests.conftest import NOW, SITES


def _jpeg() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


PHOTO = _jpeg()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "basic"
    shutil.copytree(SITES / "basic", root)
    return root


def ask(root: Path, action: str, **params: object) -> cmsbackend.Answer:
    return cmsbackend.answer(root, {"action": action, "params": params,
                                    "branch": "main"})


def test_info_names_the_file_system_backend(site: Path) -> None:
    found = ask(site, "info")
    assert found.status == 200
    assert found.body == {"repo": "basic", "publish_modes": ["simple"], "type": "local_fs"}


def test_entries_of_a_folder_come_with_their_text_and_hash(site: Path) -> None:
    found = ask(site, "entriesByFolder", folder="content/luwu", extension="md", depth=1)
    assert found.status == 200
    [entry] = [e for e in found.body if e["file"]["path"] == "content/luwu/rakor.md"]
    data = (site / "content/luwu/rakor.md").read_bytes()
    assert entry["data"] == data.decode("utf-8")
    assert entry["file"]["id"] == hashlib.sha256(data).hexdigest()
    deeper = ask(site, "entriesByFolder", folder="content", extension="md", depth=3)
    assert len(deeper.body) >= len(found.body)
    assert all(e["file"]["path"].endswith(".md") for e in deeper.body)


def test_a_missing_entry_has_no_data(site: Path) -> None:
    found = ask(site, "getEntry", path="content/luwu/tidak-ada.md")
    assert found.status == 200 and found.body["data"] is None and found.body["file"]["id"] is None


def test_a_saved_article_with_a_photo_is_on_disk_and_builds(site: Path) -> None:
    raw = ("---\ntitle: Rapat Pleno Terbuka\ndate: 2024-03-05 10:00\noffice: "
           + _office(site) + "\ntags:\n  - pleno\nimage: foto-pleno.jpg\n---\n"
           "Isi berita pleno.\n")
    found = ask(site, "persistEntry",
                entry={"path": "content/baru/pleno.md", "raw": raw, "slug": "pleno"},
                assets=[{"path": "content/baru/foto-pleno.jpg", "content": PHOTO,
                         "encoding": "base64"}],
                options={"collectionName": "berita"})
    assert found.status == 200, found.body
    assert (site / "content/baru/pleno.md").read_text(encoding="utf-8") == raw
    assert (site / "content/baru/foto-pleno.jpg").read_bytes() == base64.b64decode(PHOTO)
    assert not list(site.rglob("*.berita-tmp"))
    result = build.run(site, site / "public", build.BuildOptions(now=NOW, search=False))
    assert result.articles >= 1
    page = (site / "public" / "berita" / "rapat-pleno-terbuka" / "index.html").read_text(
        encoding="utf-8")
    assert "foto-pleno" in page  # the uploaded photo is the article's image


def _office(site: Path) -> str:
    import tomllib
    return tomllib.loads((site / "site.toml").read_text(encoding="utf-8"))["offices"][0]["slug"]


def test_media_round_trip(site: Path) -> None:
    saved = ask(site, "persistMedia", asset={"path": "content/luwu/foto.jpg",
                                            "content": PHOTO, "encoding": "base64"})
    assert saved.status == 200
    assert saved.body["name"] == "foto.jpg" and saved.body["content"] == PHOTO
    listed = ask(site, "getMedia", mediaFolder="content/luwu")
    assert "content/luwu/foto.jpg" in [item["path"] for item in listed.body]
    assert ask(site, "getMediaFile", path="content/luwu/foto.jpg").body["id"] == \
        saved.body["id"]
    assert ask(site, "deleteFile", path="content/luwu/foto.jpg").status == 200
    assert not (site / "content/luwu/foto.jpg").exists()


@pytest.mark.parametrize("path", [
    "site.toml", "/etc/passwd", "content/../site.toml", "content/luwu/../../site.toml",
    "templates/base.html", "content", "content/a\0b.md", "content\\luwu\\x.md", "", None])
def test_nothing_outside_content_is_read_or_written(site: Path, path: object) -> None:
    before = (site / "site.toml").read_bytes()
    for action, params in [
            ("getEntry", {"path": path}),
            ("persistEntry", {"entry": {"path": path, "raw": "x"}, "assets": []}),
            ("persistMedia", {"asset": {"path": path, "content": PHOTO}}),
            ("deleteFile", {"path": path})]:
        found = cmsbackend.answer(site, {"action": action, "params": params})
        assert found.status == 422, (action, path, found)
        assert "error" in found.body
    assert (site / "site.toml").read_bytes() == before


def test_a_symlink_out_of_content_is_refused(site: Path, tmp_path: Path) -> None:
    outside = tmp_path / "di-luar"
    outside.mkdir()
    (site / "content" / "tautan").symlink_to(outside)
    found = ask(site, "persistMedia", asset={"path": "content/tautan/x.jpg", "content": PHOTO})
    assert found.status == 422
    assert not list(outside.iterdir())


def test_a_bad_upload_writes_nothing_at_all(site: Path) -> None:
    found = ask(site, "persistEntry",
                entry={"path": "content/baru/x.md", "raw": "---\ntitle: X\n---\n"},
                assets=[{"path": "content/baru/x.jpg", "content": "bukan base64!!"}])
    assert found.status == 422 and "base64" in found.body["error"]
    assert not (site / "content/baru").exists()


def test_unknown_and_malformed_requests(site: Path) -> None:
    assert cmsbackend.answer(site, {"action": "hapusSemua"}).status == 422
    assert cmsbackend.answer(site, ["info"]).status == 422
    assert cmsbackend.answer(site, {"action": "info", "params": "x"}).status == 422
    assert ask(site, "getDeployPreview").body is None
