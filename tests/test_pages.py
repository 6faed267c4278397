from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator.content import Article
from generator.pages import paginate

START = datetime(2024, 1, 1, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_pagination_covers_every_item_once():
    items = [Article(path=f"{n}", title="t", date=START + timedelta(n), has_time=True,
                     office="o", slug=f"s{n}") for n in range(23)]
    pages = list(paginate(items, 10, "tag", slug="x"))
    assert [p.number for _, p in pages] == [1, 2, 3]
    seen = [a for chunk, _ in pages for a in chunk]
    assert seen == items
    first, last = pages[0][1], pages[-1][1]
    assert not first.has_previous and first.has_next and first.next_route == "tag/x/halaman/2/"
    assert last.previous_route == "tag/x/halaman/2/" and not last.has_next


def test_an_empty_list_has_one_page():
    pages = list(paginate([], 10, "home"))
    assert len(pages) == 1 and pages[0][1].count == 1
