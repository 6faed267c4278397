"""bundles.py on real Pagefind bundles: canonical bytes, the words they hold, and a
bundle completed with words it lacks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator import bundles, search
from tests.conftest import tree_digest

PAGE = """<!doctype html><html lang="id"><head><title>{title}</title></head><body>
<article data-pagefind-body><h1>{title}</h1><p data-pagefind-filter="tag">{tag}</p>
<p>{text}</p></article></body></html>"""


def _bundle(folder: Path, pages: dict[str, tuple[str, str]]) -> Path:
    site = folder / "site"
    for slug, (text, tag) in pages.items():
        page = site / "berita" / slug / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(title=slug, tag=tag, text=text), encoding="utf-8")
    subprocess.run(search.command(site, folder / "bundle"), check=True)
    bundles.canonical(folder / "bundle")
    return folder / "bundle"


PAGES = {f"berita-{i}": (f"rapat koordinasi tahapan {word}", tag)
         for i, (word, tag) in enumerate([("logistik", "Pemilu"), ("kampanye", "Pilkada"),
                                          ("rekapitulasi", "Pemilu"), ("debat", "Sosialisasi"),
                                          ("verifikasi", "Pilkada"), ("pencalonan", "PPK")])}


def test_canonical_bundles_are_byte_identical(tmp_path: Path) -> None:
    one = _bundle(tmp_path / "one", PAGES)
    two = _bundle(tmp_path / "two", PAGES)
    assert tree_digest(one) == tree_digest(two)


def test_words_and_missing_words(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, PAGES)
    words = bundles.words(bundle)
    assert {"rapat", "koordinasi", "logistik"} <= set(words) and words == sorted(words)
    assert bundles.missing_words(words, sorted({*words, "logis", "zebra", "pemilih"})) == [
        "pemilih", "zebra"]  # "logis" starts "logistik": matched there already


def test_a_completed_bundle_holds_the_extra_words_on_no_page(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, PAGES)
    completed = tmp_path / "completed"
    extra = ["aaa", "mmmkata", "zzz"]
    bundles.complete(bundle, completed, extra)
    files = bundles.files(completed)
    assert bundles.OVERLAY not in files
    view = tmp_path / "view"
    for name, file in files.items():
        (view / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, view / name)
    words = bundles.words(view)
    assert set(extra) <= set(words)
    assert set(words) - set(extra) == set(bundles.words(bundle))
    # The bundle itself is untouched, and the fragments are the bundle's own.
    assert files["fragment/" + next((bundle / "fragment").iterdir()).name].parent.parent == bundle
    meta = bundles.read_cbor(next(view.glob("*.pf_meta")))
    ranges = [(chunk[0], chunk[1]) for chunk in meta[bundles.META_CHUNKS]]
    assert ranges == sorted(ranges) and all(a <= b for a, b in ranges)
    # Each extra word lies in the range of a chunk, so a search for it loads that chunk.
    assert all(any(lo <= word <= hi for lo, hi in ranges) for word in extra)


@pytest.mark.parametrize("name", ["pagefind-entry.json"])
def test_the_entry_names_the_new_metadata(tmp_path: Path, name: str) -> None:
    bundle = _bundle(tmp_path, PAGES)
    bundles.complete(bundle, tmp_path / "completed", ["zzz"])
    entry = (tmp_path / "completed" / name).read_text(encoding="utf-8")
    meta = next((tmp_path / "completed").glob("*.pf_meta")).name
    assert meta.removeprefix("pagefind.").removesuffix(".pf_meta") in entry
