"""Decap CMS's local backend, answered by `berita serve`: the JSON protocol of
`decap-server`'s file-system mode (`POST /api/v1` with `{action, params}`), over the
site's `content/` folder only.

Decap's proxy backend (`backend: {name: proxy, proxy_url: /api/v1}`) sends these
actions; each answer is what decap-server's localFs middleware gives, so the editor
cannot tell the two apart. A path that leaves `content/` (absolute, `..`, a symlink out,
a NUL) is refused with an error, never followed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from generator.config import CONTENT_DIR


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    """What goes back as JSON."""


class Refused(ValueError):
    """A request berita will not carry out (the message says why)."""


def answer(root: Path, request: Any) -> Answer:
    """The answer to one request of Decap's proxy backend for the site in `root`."""
    if not isinstance(request, dict) or not isinstance(request.get("action"), str):
        return Answer(422, {"error": "permintaan tanpa 'action'"})
    params = request.get("params") or {}
    if not isinstance(params, dict):
        return Answer(422, {"error": "'params' harus berupa objek"})
    handler = _ACTIONS.get(request["action"])
    if handler is None:
        return Answer(422, {"error": f"Unknown action {request['action']}"})
    try:
        return Answer(200, handler(root, params))
    except Refused as exc:
        return Answer(422, {"error": str(exc)})
    except OSError as exc:
        return Answer(500, {"error": f"berkas tidak dapat dibaca atau ditulis: {exc.strerror}"})


def content_path(root: Path, path: Any) -> Path:
    """The file `path` (relative to the site, as Decap sends it) names, inside content/;
    Refused for anything else."""
    if not isinstance(path, str) or not path or "\0" in path or "\\" in path:
        raise Refused(f"alamat berkas tidak sah: {path!r}")
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or \
            relative.parts[:1] != (CONTENT_DIR,) or len(relative.parts) < 2:
        raise Refused(f"hanya berkas di dalam {CONTENT_DIR}/ yang boleh diubah: {path}")
    folder = (root / CONTENT_DIR).resolve()
    target = (root / relative).resolve()
    if target != folder and folder not in target.parents:
        raise Refused(f"berkas ini berada di luar {CONTENT_DIR}/: {path}")
    return root / relative


def _site_relative(root: Path, file: Path) -> str:
    return file.relative_to(root).as_posix()


def _entry(root: Path, path: str, label: Any = None) -> dict[str, Any]:
    file = content_path(root, path)
    try:
        data = file.read_bytes()
    except OSError:
        return {"data": None, "file": {"path": path, "label": label, "id": None}}
    return {"data": data.decode("utf-8", errors="replace"),
            "file": {"path": path, "label": label, "id": hashlib.sha256(data).hexdigest()}}


def _listing(root: Path, folder: str, extension: str, depth: int) -> list[str]:
    start = content_path(root, folder) if folder not in (CONTENT_DIR, CONTENT_DIR + "/") \
        else root / CONTENT_DIR
    found: list[str] = []

    def walk(directory: Path, left: int) -> None:
        if left <= 0:
            return
        try:
            children = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        for child in children:
            if child.is_dir(follow_symlinks=False):
                walk(Path(child.path), left - 1)
            elif child.is_file(follow_symlinks=False) and child.name.endswith(extension):
                found.append(_site_relative(root, Path(child.path)))

    walk(start, depth)
    return found


def _entries_by_folder(root: Path, params: dict[str, Any]) -> list[dict[str, Any]]:
    extension = str(params.get("extension") or "")
    if extension and not extension.startswith("."):
        extension = "." + extension
    depth = params.get("depth", 1)
    depth = depth if isinstance(depth, int) and depth > 0 else 1
    return [_entry(root, path) for path in
            _listing(root, str(params.get("folder", "")), extension, min(depth, 100))]


def _entries_by_files(root: Path, params: dict[str, Any]) -> list[dict[str, Any]]:
    files = params.get("files") or []
    if not isinstance(files, list):
        raise Refused("'files' harus berupa daftar")
    return [_entry(root, item.get("path") if isinstance(item, dict) else None,
                   item.get("label") if isinstance(item, dict) else None) for item in files]


def _get_entry(root: Path, params: dict[str, Any]) -> dict[str, Any]:
    return _entry(root, params.get("path"))


def _write(file: Path, data: bytes) -> None:
    """Writes the whole file or nothing: a half-written article never reaches a build."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.berita-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, file)


def _asset_bytes(root: Path, asset: Any) -> tuple[Path, bytes]:
    if not isinstance(asset, dict):
        raise Refused("berkas unggahan tidak sah")
    file = content_path(root, asset.get("path"))
    content = asset.get("content")
    if not isinstance(content, str):
        raise Refused(f"isi berkas unggahan kosong: {asset.get('path')}")
    if asset.get("encoding", "base64") != "base64":
        raise Refused(f"pengodean {asset.get('encoding')!r} tidak didukung (hanya base64)")
    try:
        return file, base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refused(f"isi berkas unggahan rusak (base64): {asset.get('path')}") from exc


def _persist_entry(root: Path, params: dict[str, Any]) -> dict[str, str]:
    entry = params.get("entry")
    data_files = params.get("dataFiles") or ([entry] if entry else [])
    if not isinstance(data_files, list) or not data_files:
        raise Refused("tidak ada berita untuk disimpan")
    writes: list[tuple[Path, bytes]] = []
    moves: list[tuple[Path, Path]] = []
    for data_file in data_files:
        if not isinstance(data_file, dict) or not isinstance(data_file.get("raw"), str):
            raise Refused("berita tanpa isi")
        file = content_path(root, data_file.get("path"))
        writes.append((file, data_file["raw"].encode("utf-8")))
        if data_file.get("newPath"):
            moves.append((file, content_path(root, data_file["newPath"])))
    assets = params.get("assets") or []
    if not isinstance(assets, list):
        raise Refused("'assets' harus berupa daftar")
    writes += [_asset_bytes(root, asset) for asset in assets]  # every check before a write
    for file, data in writes:
        _write(file, data)
    for old, new in moves:
        new.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, new)
    return {"message": "entry persisted"}


def _media_file(root: Path, path: str) -> dict[str, Any]:
    data = content_path(root, path).read_bytes()
    return {"id": hashlib.sha256(data).hexdigest(),
            "content": base64.b64encode(data).decode("ascii"), "encoding": "base64",
            "path": path, "name": PurePosixPath(path).name}


def _get_media(root: Path, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [_media_file(root, path)
            for path in _listing(root, str(params.get("mediaFolder", "")), "", 1)]


def _get_media_file(root: Path, params: dict[str, Any]) -> dict[str, Any]:
    return _media_file(root, params.get("path"))  # type: ignore[arg-type]


def _persist_media(root: Path, params: dict[str, Any]) -> dict[str, Any]:
    asset = params.get("asset")
    file, data = _asset_bytes(root, asset)
    _write(file, data)
    return _media_file(root, _site_relative(root, file))


def _delete_file(root: Path, params: dict[str, Any]) -> dict[str, str]:
    path = params.get("path")
    content_path(root, path).unlink(missing_ok=True)
    return {"message": f"deleted file {path}"}


def _delete_files(root: Path, params: dict[str, Any]) -> dict[str, str]:
    paths = params.get("paths") or []
    if not isinstance(paths, list):
        raise Refused("'paths' harus berupa daftar")
    files = [content_path(root, path) for path in paths]
    for file in files:
        file.unlink(missing_ok=True)
    return {"message": "deleted files " + ", ".join(map(str, paths))}


def _info(root: Path, params: dict[str, Any]) -> dict[str, Any]:
    return {"repo": root.name, "publish_modes": ["simple"], "type": "local_fs"}


_ACTIONS = {
    "info": _info,
    "entriesByFolder": _entries_by_folder,
    "entriesByFiles": _entries_by_files,
    "getEntry": _get_entry,
    "persistEntry": _persist_entry,
    "getMedia": _get_media,
    "getMediaFile": _get_media_file,
    "persistMedia": _persist_media,
    "deleteFile": _delete_file,
    "deleteFiles": _delete_files,
    "getDeployPreview": lambda root, params: None,
}
