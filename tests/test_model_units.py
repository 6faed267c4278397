from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator import config, model
from generator.content import Article, Tag
from generator.urls import slugify
from tests.conftest import BASIC_TOML

START = datetime(2024, 1, 1, tzinfo=ZoneInfo("Asia/Jakarta"))


def make(n: int, tags: list[str], **fields) -> Article:
    return Article(path=f"content/{n}.md", title=f"A{n}", date=START + timedelta(days=n),
                   has_time=True, office=fields.pop("office", "kpu-kabupaten-blora"),
                   slug=f"a{n}", tags=tuple(Tag(" ".join(t.split()), slugify(t)) for t in tags),
                   **fields)


def site_config(tmp_path):
    (tmp_path / "site.toml").write_text(BASIC_TOML)
    loaded, _ = config.load(tmp_path)
    return loaded


def test_tags_differing_in_case_and_spacing_are_one(tmp_path):
    articles = [make(1, ["Pemilu 2024"]), make(2, ["pemilu-2024"]), make(3, ["Pemilu  2024"])]
    site = model.build(articles, site_config(tmp_path))
    assert list(site.tags) == ["pemilu-2024"]
    assert site.tags["pemilu-2024"].tag.name == "Pemilu 2024"
    assert [a.slug for a in site.tags["pemilu-2024"].articles] == ["a3", "a2", "a1"]


def test_related_most_shared_tags_first_then_newest():
    a = make(1, ["x", "y", "z"])
    b = make(2, ["x"])
    c = make(3, ["x", "y"])
    d = make(4, ["q"])
    e = make(5, ["x", "y", "z"])
    related = model.related_articles(model.newest_first([a, b, c, d, e]))
    assert [r.slug for r in related[a.path]] == ["a5", "a3", "a2"]
    assert related[d.path] == ()


def test_lists_and_neighbours(tmp_path):
    articles = [make(n, ["x"], views=n * 10) for n in range(1, 8)]
    articles.append(make(8, [], office="kpu-provinsi-jawa-tengah"))
    site = model.build(articles, site_config(tmp_path))
    assert [a.slug for a in site.articles][:2] == ["a8", "a7"]
    assert [a.slug for a in site.popular] == ["a7", "a6", "a5", "a4", "a3"]
    assert site.previous["content/7.md"].slug == "a6"
    assert site.following["content/7.md"].slug == "a8"
    province = site.offices["kpu-provinsi-jawa-tengah"]
    assert [a.slug for a in province.articles] == ["a8"]
    assert [o.slug for o in province.children] == ["kpu-kabupaten-blora"]
    assert [a.slug for a in province.region_latest] == [f"a{n}" for n in range(7, 0, -1)]


def test_collisions_are_case_folded():
    a = make(1, [])
    b = Article(path="content/z.md", title="Z", date=START, has_time=True, office="o",
                slug="A1")
    problems = model.collisions([a, b])
    assert {p.path for p in problems} == {"content/1.md", "content/z.md"}
    assert "content/1.md, content/z.md" in problems[0].message


def test_syndicated_story_listed_once(tmp_path):
    first = make(1, ["x"], source_url="https://kpu.go.id/rilis")
    repost = make(2, ["x"], source_url="https://kpu.go.id/rilis")
    site = model.build([first, repost, make(3, ["x"])], site_config(tmp_path))
    assert [a.slug for a in site.listed] == ["a3", "a1"]
    assert len(site.articles) == 3
