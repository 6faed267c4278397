"""Pagefind bundles as files: made canonical, read for their words, and completed with
the words of the other shards.

A bundle's metadata (`pagefind.<hash>.pf_meta`), filters (`filter/*.pf_filter`) and word
index chunks (`index/*.pf_index`) are gzip'd CBOR behind a fixed prefix, each named by a
hash that the entry (`pagefind-entry.json`) and the metadata refer to. What is rewritten
here keeps that layout (Pagefind 1.5's own, read by its WebAssembly).
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import cbor2

COMPRESSED_PREFIX = b"pagefind_dcd"
"""What Pagefind puts before the CBOR inside each of its gzip files."""
ENTRY = "pagefind-entry.json"
OVERLAY = "berita-overlay.json"
"""In a completed bundle: the bundle it completes and the files it replaces."""
# Positions in Pagefind's CBOR records.
META_CHUNKS, META_FILTERS = 2, 3
CHUNK_FROM, CHUNK_TO, CHUNK_HASH = 0, 1, 2


def canonical(bundle: Path) -> None:
    """Rewrites a bundle's filter files, metadata and entry so that their bytes depend
    only on what was indexed (Pagefind 1.5 writes its filter lists in hash order, which
    differs from run to run): the filters and their values sorted, each file named by a
    hash of its content, compressed without a timestamp."""
    entry = _entry(bundle)
    for language, about in entry["languages"].items():
        meta_file = bundle / f"pagefind.{about['hash']}.pf_meta"
        meta = read_cbor(meta_file)
        filters = []
        for name, old in sorted(meta[META_FILTERS]):
            filter_file = bundle / "filter" / f"{old}.pf_filter"
            values = read_cbor(filter_file)
            values[1] = sorted([value, sorted(pages)] for value, pages in values[1])
            filter_file.unlink()
            filters.append([name, write_cbor(bundle / "filter", language, values,
                                             ".pf_filter")])
        meta[META_FILTERS] = filters
        meta_file.unlink()
        about["hash"] = write_cbor(bundle, language, meta, ".pf_meta", "pagefind.")
    _write_entry(bundle, entry)


def words(bundle: Path) -> list[str]:
    """Every word a bundle's index holds, sorted."""
    found: list[str] = []
    for about in _entry(bundle)["languages"].values():
        meta = read_cbor(bundle / f"pagefind.{about['hash']}.pf_meta")
        for chunk in meta[META_CHUNKS]:
            index = read_cbor(bundle / "index" / f"{chunk[CHUNK_HASH]}.pf_index")
            found.extend(word[0] for word in index[0])
    return sorted(set(found))


def missing_words(own: Sequence[str], site: Iterable[str]) -> list[str]:
    """The words of `site` (sorted) that `own` (sorted) has nothing to match: no word of
    its own is or starts with them. Searched in that shard, Pagefind would drop such a
    word from the query ("daftar pemilih" as "pemilih") or take the longest word of the
    shard that it starts with, and so match pages that one bundle would not."""
    missing = []
    for word in site:
        at = bisect.bisect_left(own, word)
        if at == len(own) or not own[at].startswith(word):
            missing.append(word)
    return missing


def complete(bundle: Path, target: Path, extra: Sequence[str]) -> None:
    """Writes into `target` what `bundle` becomes once its index also holds `extra`
    (sorted words), each on no page, so that searching for one, or for the start of one,
    matches nothing in this shard: the rewritten index chunks, metadata and entry, and
    OVERLAY, which names the bundle and the files of it they replace (see `files`)."""
    target.mkdir(parents=True)
    (target / "index").mkdir()
    entry = _entry(bundle)
    replaced = [ENTRY]
    for language, about in entry["languages"].items():
        meta_name = f"pagefind.{about['hash']}.pf_meta"
        meta = read_cbor(bundle / meta_name)
        replaced.append(meta_name)
        chunks = meta[META_CHUNKS]
        starts = [chunk[CHUNK_FROM] for chunk in chunks]
        placed: dict[int, list[str]] = {}
        for word in extra:
            # The chunk whose range holds the word, else the one before the gap it falls
            # in (whose range then grows to hold it): every word between a search term
            # and its extra word is an extra word too, so they share one chunk.
            position = max(0, bisect.bisect_right(starts, word) - 1)
            placed.setdefault(position, []).append(word)
        for position, added in placed.items():
            chunk = chunks[position]
            name = f"index/{chunk[CHUNK_HASH]}.pf_index"
            index = read_cbor(bundle / name)
            replaced.append(name)
            index[0] = sorted([*index[0], *([word, [], []] for word in added)],
                              key=lambda packed: packed[0])
            chunk[CHUNK_FROM] = min(chunk[CHUNK_FROM], added[0])
            chunk[CHUNK_TO] = max(chunk[CHUNK_TO], added[-1])
            chunk[CHUNK_HASH] = write_cbor(target / "index", language, index, ".pf_index")
        about["hash"] = write_cbor(target, language, meta, ".pf_meta", "pagefind.")
    _write_entry(target, entry)
    (target / OVERLAY).write_text(json.dumps({"base": bundle.name, "replaces": replaced}),
                                  encoding="utf-8")


def files(bundle: Path, base_files: Callable[[Path], dict[str, Path]] | None = None
          ) -> dict[str, Path]:
    """Path in the bundle -> the file holding it, for a bundle or a completed one.
    `base_files(base bundle)`: how the files of the bundle a completed one completes are
    found (default: this function)."""
    overlay = bundle / OVERLAY
    found: dict[str, Path] = {}
    if overlay.is_file():
        about = json.loads(overlay.read_text(encoding="utf-8"))
        found = dict((base_files or files)(bundle.parent / about["base"]))
        for name in about["replaces"]:
            found.pop(name, None)
    prefix = len(str(bundle)) + 1
    for folder, _, names in os.walk(bundle):
        for name in names:
            if name != OVERLAY:
                file = os.path.join(folder, name)
                found[file[prefix:].replace(os.sep, "/")] = Path(file)
    return dict(sorted(found.items()))


def read_cbor(file: Path) -> list:
    data = gzip.decompress(file.read_bytes())
    if not data.startswith(COMPRESSED_PREFIX):
        raise ValueError(f"{file}: not a Pagefind file")
    value = cbor2.loads(data[len(COMPRESSED_PREFIX):])
    if not isinstance(value, list):
        raise ValueError(f"{file}: unexpected content")
    return value


def write_cbor(folder: Path, language: str, value: list, suffix: str,
               prefix: str = "") -> str:
    """Writes `value` as Pagefind does, named by a hash of its bytes; returns the name."""
    data = COMPRESSED_PREFIX + cbor2.dumps(value)
    name = f"{language}_{hashlib.blake2b(data, digest_size=8).hexdigest()}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzip.compress(data, 9, mtime=0))
    return name


def _entry(bundle: Path) -> dict:
    return json.loads((bundle / ENTRY).read_text(encoding="utf-8"))


def _write_entry(bundle: Path, entry: dict) -> None:
    entry["languages"] = {name: entry["languages"][name] for name in sorted(entry["languages"])}
    (bundle / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                encoding="utf-8")
