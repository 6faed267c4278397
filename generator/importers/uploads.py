"""A local copy of a WordPress wp-content/uploads tree -> images beside the articles.

An upload URL ("https://kpu.example/wp-content/uploads/2019/11/rapat-300x200.jpg")
names a file under the tree; it is copied next to the article that shows it,
under a clean file name, and the article refers to it by that name. An existing
file is never overwritten: the same picture is reused, a different one gets a
new name.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.messages import msg
from generator.urls import slugify

_UPLOADS = "/wp-content/uploads/"
_SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled)$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def upload_file(url: str, uploads: Path) -> Path | None:
    """The file in a local wp-content/uploads tree that an upload URL names, if present.

    Falls back to the original upload when a resized copy ("-300x200") is missing.
    """
    parts = urlsplit(url)
    path = unquote(parts.path)
    if _UPLOADS in path:
        relative = path.split(_UPLOADS, 1)[1]
    elif parts.netloc.endswith(".files.wordpress.com"):  # WordPress.com-hosted sites
        relative = path
    else:
        return None
    segments = [s for s in relative.split("/") if s]
    if not segments or any(s in (".", "..") or "\\" in s or "\x00" in s for s in segments):
        return None  # an export never needs these; a crafted one must not escape uploads/
    candidate = uploads.joinpath(*segments)
    if candidate.is_file():
        return candidate
    original = candidate.with_name(_SIZE_SUFFIX.sub("", candidate.stem) + candidate.suffix)
    return original if original != candidate and original.is_file() else None


def image_copier(uploads: Path | None, folder: Path, claimed: dict[Path, Path],
                 copied: list[Path], note: Callable[[str], None]
                 ) -> Callable[[str], str | None]:
    """url -> file name of a copy in `folder`, or None to keep the URL.

    `claimed` (target -> source) and `copied` are shared by all posts of one import,
    so two pictures with one name in different upload months both survive.
    """

    def copy(url: str) -> str | None:
        if uploads is None:
            return None
        source = upload_file(url, uploads)
        if source is None:
            if _UPLOADS in url or ".files.wordpress.com/" in url:
                note(msg("image not in the uploads folder, kept as a link: {url}", url=url))
            return None
        stem = slugify(source.stem) or "gambar"
        suffix = source.suffix.lower() if _SUFFIX.match(source.suffix.lower()) else ""
        number = 1
        while True:
            name = f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}"
            target = folder / name
            if claimed.get(target) == source:
                return name
            if target not in claimed:
                if not target.exists():
                    _copy_atomic(source, target)
                    copied.append(target)
                    claimed[target] = source
                    return name
                if filecmp.cmp(source, target, shallow=False):
                    claimed[target] = source  # the same picture from an earlier import
                    return name
            number += 1  # a different picture by that name: never overwrite it

    return copy


def _copy_atomic(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
