"""shards.py: how many shards, and which one indexes each page."""

from __future__ import annotations

import pytest

from generator import shards


@pytest.mark.parametrize(("pages", "count"), [(0, 1), (1, 1), (500, 1), (501, 2), (1000, 2),
                                              (1001, 4), (10_000, 32), (100_000, 256)])
def test_the_count_doubles_as_the_site_grows(pages: int, count: int) -> None:
    assert shards.count_for(pages) == count


def test_a_page_keeps_its_shard_when_others_come_and_go() -> None:
    files = [f"berita/b{i}/index.html" for i in range(900)]
    before = {file: n for n, group in shards.layout(files).items() for file in group}
    after = {file: n for n, group in shards.layout([*files[10:], "berita/new/index.html"])
             .items() for file in group}
    assert all(after[file] == before[file] for file in files[10:])


def test_shards_are_near_even_and_cover_every_page_once() -> None:
    files = [f"berita/b{i}/index.html" for i in range(10_000)]
    layout = shards.layout(files)
    assert sorted(f for group in layout.values() for f in group) == sorted(files)
    sizes = [len(group) for group in layout.values()]
    assert len(sizes) == 32 and max(sizes) <= 400 and min(sizes) >= 230


def test_the_first_shard_is_the_bundle_at_the_root() -> None:
    assert shards.folders([3, 5, 9]) == ["pagefind/", "pagefind/5/", "pagefind/9/"]
