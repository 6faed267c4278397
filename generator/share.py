"""Share previews: what WhatsApp, Facebook, X and search engines read from an article's
head (Open Graph, Twitter card, JSON-LD NewsArticle), computed as plain data for
templates/_meta.html.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from markupsafe import Markup

from generator.config import Office, Site
from generator.content import Article
from generator.urls import Links, media_route, route

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element;
# JSON lets any character be written as \uXXXX, so these never appear literally.
_SCRIPT_ESCAPES = {
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
}


@dataclass(frozen=True)
class Preview:
    """Everything an article's head says about it to crawlers and share dialogs."""

    url: str
    """The article's own absolute URL on this site (what share buttons share)."""
    canonical: str
    """source_url for a syndicated article, otherwise `url`."""
    title: str
    description: str
    image: str
    """Absolute URL of the article's image, else the site's default image, else ""."""
    image_alt: str
    published: str
    """RFC 3339 with the office's offset."""
    modified: str
    tags: tuple[str, ...]
    locale: str
    """Open Graph locale, e.g. "id_ID"."""
    site_name: str
    json_ld: dict[str, Any]
    """A schema.org NewsArticle, for `json_script`."""


def og_locale(language: str) -> str:
    """BCP 47 language of site.toml -> Open Graph's language_TERRITORY."""
    if "-" in language or "_" in language:
        language, territory = language.replace("_", "-").split("-", 1)
        return f"{language.lower()}_{territory.upper()}"
    return {"id": "id_ID", "en": "en_US", "jv": "jv_ID"}.get(language.lower(), language)


def site_image(site: Site, links: Links) -> str:
    """Absolute URL of site.default_image (a path under static/, or a URL), "" if unset."""
    image = site.default_image
    if not image or "://" in image:
        return image
    return links.abs_url("static", slug=image.lstrip("/"))


def first_body_image(article: Article, links: Links) -> str:
    """Absolute URL of the first image the article's body shows, "" if none."""
    if "<img" not in article.html:
        return ""
    img = lxml.html.fragment_fromstring(article.html, create_parent="div").find(".//img")
    src = (img.get("src") or "").strip() if img is not None else ""
    return urljoin(links.absolute(route("article", slug=article.slug)), src) if src else ""


def article_image(article: Article, site: Site, links: Links) -> str:
    """The article's own image, else the first image in its body, else the site's default."""
    if article.image:
        if "://" in article.image:
            return article.image
        return links.absolute(media_route(article.image))
    return first_body_image(article, links) or site_image(site, links)


def _rfc3339(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def preview(article: Article, office: Office, site: Site, links: Links) -> Preview:
    url = links.abs_url("article", slug=article.slug)
    canonical = article.source_url or url
    image = article_image(article, site, links)
    published = _rfc3339(article.date)
    modified = _rfc3339(article.updated or article.date)
    office_url = office.website or links.abs_url("office", slug=office.slug)
    publisher: dict[str, Any] = {"@type": "GovernmentOrganization", "name": office.name,
                                 "url": office_url}
    logo = site_image(site, links)
    if logo:
        publisher["logo"] = {"@type": "ImageObject", "url": logo}
    author = ({"@type": "Person", "name": article.author} if article.author
              else {"@type": "GovernmentOrganization", "name": office.name, "url": office_url})
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": published,
        "dateModified": modified,
        "author": [author],
        "publisher": publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": url,
        "inLanguage": site.language,
    }
    if image:
        data["image"] = [image]
    if article.tags:
        data["keywords"] = [tag.name for tag in article.tags]
    if article.source_url:
        data["isBasedOn"] = article.source_url
    return Preview(
        url=url, canonical=canonical, title=article.title, description=article.summary,
        image=image, image_alt=article.image_caption or article.title,
        published=published, modified=modified, tags=tuple(t.name for t in article.tags),
        locale=og_locale(site.language), site_name=site.title, json_ld=data,
    )


def json_script(data: Any) -> Markup:
    """JSON for inside a <script> element: no text in `data` can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    for char, escaped in _SCRIPT_ESCAPES.items():  # far faster than str.translate
        text = text.replace(char, escaped)
    return Markup(text)
