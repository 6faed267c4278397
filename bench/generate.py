"""Writes a deterministic synthetic berita site for the benchmark (and the same corpus as a
Pelican and a Hugo project, for comparison).

    python bench/generate.py --articles 10000 --out DIR [--pelican PDIR] [--hugo HDIR]

DIR gets site.toml and content/<office>/<yyyy>/<slug>.md; PDIR gets pelicanconf.py,
pelicanconf_cached.py and content/ with the same articles in Pelican's metadata format;
HDIR gets hugo.toml, layouts/ and content/berita/<office>/<yyyy>/<slug>.md (hugo_site.py).
Article bodies are assembled from the sentences of the real sample articles (the repository's
content/ and bench/corpus.txt); the same seed and sentences give byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import hugo_site
from vocabulary import (
    ACTIVITIES,
    AUTHORS,
    ENDINGS,
    HEADINGS,
    LIST_ITEMS,
    PROVINCES,
    SUBJECTS,
    TOPIC_TAGS,
    VERBS,
)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS_FILE = BENCH / "corpus.txt"
SAMPLE_CONTENT = REPO / "content"
MANIFEST = "bench-manifest.json"

FIRST_DAY = datetime(2019, 1, 1)
LAST_DAY = datetime(2026, 6, 30)
"""Fixed, so the corpus does not depend on the day it is generated (berita skips future
articles: generating on a machine whose clock is before mid-2026 would lose some)."""
YEAR_WEIGHTS = {2019: 13, 2020: 11, 2021: 7, 2022: 8, 2023: 11, 2024: 16, 2025: 8, 2026: 5}
"""More news in election years (2019, 2024) and in the Pilkada year 2020."""
MIN_BYTES, MAX_BYTES = 2048, 5120
"""Size range of a whole article file (front matter + body), UTF-8."""
SLACK = 350
"""How far a body may run past its drawn size (so a file stays under MAX_BYTES)."""
MAX_VIEWS = 50_000

TAG_COUNT = 150
"""TOPIC_TAGS, then "Pilkada <place>" for the first kabupaten/kota until there are this many."""
TAGS_PER_ARTICLE = {1: 15, 2: 25, 3: 30, 4: 20, 5: 10}

_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"(])")
_FINAL = ("." , "!", "?", "”", "\"", ")")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Office:
    slug: str
    name: str
    level: str
    """provinsi | kabupaten | kota"""
    parent: str
    """Slug of the province office; "" for a province."""
    timezone: str

    @property
    def short(self) -> str:
        """How news titles call it: "KPU Blora", "KPU Kota Blitar", "KPU Jawa Tengah"."""
        return self.name.replace(" Provinsi", "").replace(" Kabupaten", "")


@dataclass(frozen=True)
class Corpus:
    sentences: tuple[str, ...]
    """Plain sentences of the sample articles' paragraphs."""
    quotes: tuple[str, ...]
    """Whole paragraphs that open with a quotation mark (blockquote material)."""

    @property
    def short(self) -> tuple[str, ...]:
        """Sentences short enough to end a body within SLACK."""
        return tuple(s for s in self.sentences if len(s.encode()) < SLACK - 50)

    @property
    def digest(self) -> str:
        text = "\n".join(self.sentences) + "\n\n" + "\n".join(self.quotes)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Article:
    path: str
    """Relative to content/: "<office>/<yyyy>/<slug>.md"."""
    title: str
    slug: str
    office: Office
    date: datetime
    """Aware, in the office's zone."""
    views: int
    tags: tuple[str, ...]
    author: str
    summary: str
    body: str


def slugify(text: str) -> str:
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")


def offices() -> list[Office]:
    """60 offices: 16 provinces and their kabupaten/kota, in WIB, WITA and WIT."""
    found = []
    for province, zone, children in PROVINCES:
        parent = Office(slugify(f"KPU Provinsi {province}"), f"KPU Provinsi {province}",
                        "provinsi", "", zone)
        found.append(parent)
        for child in children:
            name = f"KPU {child}" if child.startswith("Kota ") else f"KPU Kabupaten {child}"
            level = "kota" if child.startswith("Kota ") else "kabupaten"
            found.append(Office(slugify(name), name, level, parent.slug, zone))
    return found


def tags() -> list[str]:
    """TAG_COUNT tag names, the most used first."""
    places = [o.short.removeprefix("KPU ") for o in offices() if o.level != "provinsi"]
    regional = [f"Pilkada {place}" for place in places]
    return [*TOPIC_TAGS, *regional][:TAG_COUNT]


def zipf_cumulative(count: int, exponent: float) -> list[float]:
    """Cumulative weights 1/rank**exponent, for random.choices(cum_weights=...)."""
    return list(accumulate(1 / rank**exponent for rank in range(1, count + 1)))


def corpus_texts() -> list[str]:
    """bench/corpus.txt, then the bodies of the repository's sample articles, if any."""
    texts = [CORPUS_FILE.read_text(encoding="utf-8")]
    if SAMPLE_CONTENT.is_dir():
        for file in sorted(SAMPLE_CONTENT.rglob("*.md")):
            texts.append(strip_front_matter(file.read_text(encoding="utf-8")))
    return texts


def strip_front_matter(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :]
    return text


def load_corpus(texts: Sequence[str] | None = None) -> Corpus:
    """Sentences and quote paragraphs from texts (one paragraph a line; '#' lines, titles
    and other lines without final punctuation are left out)."""
    sentences: dict[str, None] = {}
    quotes: dict[str, None] = {}
    for text in corpus_texts() if texts is None else texts:
        for line in text.splitlines():
            line = line.strip()
            if len(line) < 40 or line.startswith(("#", ">", "-", "*", "!", "[")):
                continue
            if not line.endswith(_FINAL):
                continue
            if line.startswith(("“", "\"")):
                quotes[line] = None
            for sentence in _SENTENCE_END.split(line):
                if len(sentence) >= 30 and balanced(sentence):
                    sentences[sentence] = None
    return Corpus(tuple(sentences), tuple(quotes))


def balanced(sentence: str) -> bool:
    """No quotation left open or closed: not a piece of a quote split into sentences."""
    return sentence.count("“") == sentence.count("”") and sentence.count('"') % 2 == 0


def fingerprint(articles: int, seed: int, corpus: Corpus) -> str:
    """Identifies a generated corpus: same fingerprint, same bytes."""
    source = b"".join((BENCH / name).read_bytes()
                      for name in (Path(__file__).name, "vocabulary.py", "hugo_site.py"))
    key = f"{articles}\n{seed}\n{corpus.digest}\n".encode() + source
    return hashlib.sha256(key).hexdigest()


class ArticleMaker:
    """Draws articles from one seeded random generator, so a seed fixes the whole corpus."""

    def __init__(self, seed: int, corpus: Corpus) -> None:
        self.rng = random.Random(seed)
        self.corpus = corpus
        self.offices = offices()
        self.rng.shuffle(self.offices)  # which offices are the busy ones
        self.office_weights = zipf_cumulative(len(self.offices), 0.6)
        self.tags = tags()
        self.tag_weights = zipf_cumulative(len(self.tags), 1.0)
        self.slugs: set[str] = set()
        self.short = corpus.short

    def article(self) -> Article:
        rng = self.rng
        office = rng.choices(self.offices, cum_weights=self.office_weights)[0]
        date = self.date(office)
        title = self.title(office, date.year)
        slug = self.unique_slug(title)
        author = rng.choice(AUTHORS) if rng.random() < 0.4 else ""
        summary = rng.choice(self.corpus.sentences) if rng.random() < 0.2 else ""
        views = 0 if rng.random() < 0.02 else min(MAX_VIEWS, int(rng.lognormvariate(6.0, 1.6)))
        article = Article(f"{office.slug}/{date.year}/{slug}.md", title, slug, office, date,
                          views, self.pick_tags(), author, summary, "")
        drawn = rng.randint(MIN_BYTES + 100, MAX_BYTES - SLACK - 50)
        room = drawn - len(berita_front_matter(article).encode())
        return Article(**{**article.__dict__, "body": self.body(room)})

    def date(self, office: Office) -> datetime:
        rng = self.rng
        year = rng.choices(list(YEAR_WEIGHTS), weights=list(YEAR_WEIGHTS.values()))[0]
        first = max(FIRST_DAY, datetime(year, 1, 1))
        last = min(LAST_DAY, datetime(year, 12, 31))
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        moment = day.replace(hour=rng.randint(7, 21), minute=rng.randrange(0, 60, 5))
        return moment.replace(tzinfo=ZoneInfo(office.timezone))

    def title(self, office: Office, year: int) -> str:
        rng = self.rng
        subject = rng.choice(SUBJECTS).format(y=year)
        ending = rng.choice(ENDINGS).format(y=year)
        return f"{office.short} {rng.choice(VERBS)} {rng.choice(ACTIVITIES)} {subject}{ending}"

    def unique_slug(self, title: str) -> str:
        base = slug = slugify(title)
        number = 2
        while slug in self.slugs:
            slug, number = f"{base}-{number}", number + 1
        self.slugs.add(slug)
        return slug

    def pick_tags(self) -> tuple[str, ...]:
        wanted = self.rng.choices(list(TAGS_PER_ARTICLE), list(TAGS_PER_ARTICLE.values()))[0]
        chosen: dict[str, None] = {}
        while len(chosen) < wanted:
            chosen[self.rng.choices(self.tags, cum_weights=self.tag_weights)[0]] = None
        return tuple(chosen)

    def body(self, room: int) -> str:
        """Markdown blocks, paragraphs and sometimes a heading, a quote or a list, of at least
        `room` and at most `room` + SLACK bytes."""
        blocks = [self.paragraph()]
        size = len(blocks[0].encode())
        while size < room:
            block = self.block()
            if size + len(block.encode()) + 2 > room + SLACK:
                block = self.rng.choice(self.short)
                if size + len(block.encode()) + 2 > room + SLACK:
                    break
            blocks.append(block)
            size += len(block.encode()) + 2
        return "\n\n".join(blocks) + "\n"

    def block(self) -> str:
        roll = self.rng.random()
        if roll < 0.06:
            return "## " + self.rng.choice(HEADINGS)
        if roll < 0.12 and self.corpus.quotes:
            return "> " + self.rng.choice(self.corpus.quotes)
        if roll < 0.16:
            items = self.rng.sample(LIST_ITEMS, self.rng.randint(3, 5))
            return "\n".join(f"- {item}" for item in items)
        return self.paragraph()

    def paragraph(self) -> str:
        return " ".join(self.rng.sample(self.corpus.sentences, self.rng.randint(1, 3)))


def make_articles(count: int, seed: int, corpus: Corpus) -> Iterator[Article]:
    maker = ArticleMaker(seed, corpus)
    for _ in range(count):
        yield maker.article()


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def berita_front_matter(article: Article) -> str:
    lines = [
        "---",
        f"title: {quoted(article.title)}",
        f"date: {article.date:%Y-%m-%d %H:%M}",
        f"office: {article.office.slug}",
        f"views: {article.views}",
        f"tags: [{', '.join(quoted(tag) for tag in article.tags)}]",
        f"slug: {article.slug}",
    ]
    if article.author:
        lines.append(f"author: {quoted(article.author)}")
    if article.summary:
        lines.append(f"summary: {quoted(article.summary)}")
    return "\n".join([*lines, "---", ""]) + "\n"


def berita_text(article: Article) -> str:
    return berita_front_matter(article) + article.body


def pelican_text(article: Article) -> str:
    lines = [
        f"Title: {article.title}",
        f"Date: {article.date.isoformat(sep=' ', timespec='minutes')}",
        f"Category: {article.office.name}",
        f"Tags: {', '.join(article.tags)}",
        f"Slug: {article.slug}",
        f"Views: {article.views}",
    ]
    if article.author:
        lines.append(f"Author: {article.author}")
    if article.summary:
        lines.append(f"Summary: {article.summary}")
    return "\n".join(lines) + "\n\n" + article.body


def site_toml(all_offices: Sequence[Office]) -> str:
    parts = ['[site]\ntitle = "Bench KPU"\nbase_url = "https://bench.kpu.example/"\n'
             'language = "id"\ntimezone = "Asia/Jakarta"\nper_page = 10\n']
    for office in all_offices:
        parent = f'parent = "{office.parent}"\n' if office.parent else ""
        parts.append(f'[[offices]]\nslug = "{office.slug}"\nname = "{office.name}"\n'
                     f'level = "{office.level}"\n{parent}timezone = "{office.timezone}"\n')
    return "\n".join(parts)


PER_PAGE = 10
"""Articles per list page: site.toml's per_page, Pelican's DEFAULT_PAGINATION, Hugo's
paginate."""
FEED_LENGTH = 20
"""Articles per feed: berita's default `feed_length`."""
PELICAN_PERIOD_ARCHIVES = '{% extends "index.html" %}\n'
"""A year's or month's archive page, paginated like the index."""


def pelicanconf(cached: bool) -> str:
    """Pelican settings producing the pages berita produces, as far as Pelican has them:
    articles; paginated index, tag, category (= office), year and month archive pages;
    tags/categories/archives lists; an RSS and an Atom feed of the whole site and an RSS
    feed per tag and per office, each of the 20 newest articles with their full text, as
    berita's. No author pages (berita has none). `cached`: CACHE_CONTENT and
    LOAD_CONTENT_CACHE on, as Pelican users would for rebuilds."""
    return f'''# Generated by berita's bench/generate.py.
AUTHOR = "Operator website"
SITENAME = "Bench KPU"
SITEURL = "https://bench.kpu.example"
RELATIVE_URLS = False
PATH = "content"
TIMEZONE = "Asia/Jakarta"
DEFAULT_LANG = "id"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/halaman/{{number}}/", "{{base_name}}/halaman/{{number}}/index.html"),
)
ARTICLE_URL = "berita/{{slug}}/"
ARTICLE_SAVE_AS = "berita/{{slug}}/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
CATEGORY_URL = "kantor/{{slug}}/"
CATEGORY_SAVE_AS = "kantor/{{slug}}/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
YEAR_ARCHIVE_URL = "arsip/{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "arsip/{{date:%Y}}/index.html"
MONTH_ARCHIVE_URL = "arsip/{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = "arsip/{{date:%Y}}/{{date:%m}}/index.html"
PAGINATED_TEMPLATES = {{"index": None, "tag": None, "category": None, "author": None,
                       "period_archives": None}}
# The default theme's period_archives.html lists the whole period on every page; this one
# (templates/) lists the page's own articles, as berita's archive pages do.
THEME_TEMPLATES_OVERRIDES = ["templates"]
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = {FEED_LENGTH}
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "feed.xml"
CATEGORY_FEED_RSS = "kantor/{{slug}}/feed.xml"
TAG_FEED_RSS = "tag/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_PATH = "cache"
CACHE_CONTENT = {cached}
LOAD_CONTENT_CACHE = {cached}
'''


def prepare(folder: Path) -> None:
    """Empties a folder this script made before; refuses any other non-empty folder."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MANIFEST).is_file():
            sys.exit(f"{folder} is not empty and was not made by {Path(__file__).name}")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)


def write(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generate(count: int, out: Path, pelican: Path | None = None, seed: int = 1,
             hugo: Path | None = None) -> dict[str, Any]:
    """Writes the corpus; returns its manifest (also written as bench-manifest.json, with
    the article that the benchmark's edit rebuild changes: the middle one)."""
    corpus = load_corpus()
    folders = [folder for folder in (out, pelican, hugo) if folder is not None]
    texts = {out: berita_text, pelican: pelican_text, hugo: hugo_site.article_text}
    paths = {out: lambda article: article.path, pelican: lambda article: article.path,
             hugo: hugo_site.article_path}
    for folder in folders:
        prepare(folder)
    write(out / "site.toml", site_toml(offices()))
    if pelican is not None:
        write(pelican / "pelicanconf.py", pelicanconf(cached=False))
        write(pelican / "pelicanconf_cached.py", pelicanconf(cached=True))
        write(pelican / "templates" / "period_archives.html", PELICAN_PERIOD_ARCHIVES)
    manifest = {"articles": count, "seed": seed, "fingerprint": fingerprint(count, seed, corpus),
                "corpus_sentences": len(corpus.sentences), "corpus_quotes": len(corpus.quotes)}
    edited: dict[Path, dict[str, str]] = {folder: {} for folder in folders}
    archive: set[str] = set()
    for number, article in enumerate(make_articles(count, seed, corpus)):
        archive.update(hugo_site.archive_terms(article))
        for folder in folders:
            text, path = texts[folder](article), paths[folder](article)
            write(folder / "content" / path, text)
            if number == count // 2:
                edited[folder] = {"edit_article": path,
                                  "edit_article_sha256": digest(text.encode())}
    if hugo is not None:
        for name, text in hugo_site.project_files(offices(), archive, FEED_LENGTH,
                                                  PER_PAGE).items():
            write(hugo / name, text)
    for folder in folders:
        write(folder / MANIFEST, json.dumps({**manifest, **edited[folder]}, indent=2) + "\n")
    return manifest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="berita site folder to write")
    parser.add_argument("--pelican", type=Path, help="also write a Pelican project here")
    parser.add_argument("--hugo", type=Path, help="also write a Hugo project here")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    manifest = generate(args.articles, args.out, args.pelican, args.seed, args.hugo)
    others = [str(folder) for folder in (args.pelican, args.hugo) if folder]
    print(f"{manifest['articles']} articles from {manifest['corpus_sentences']} sentences "
          f"-> {args.out}" + "".join(f" and {folder}" for folder in others))


if __name__ == "__main__":
    main()
