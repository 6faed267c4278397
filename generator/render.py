"""Page -> bytes with Jinja2: site templates first, then the default theme."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

import jinja2

from generator import crawlers, feeds, i18n, share
from generator.config import SiteConfig
from generator.content import Article
from generator.images import ImageSet, picture_function
from generator.messages import msg
from generator.page import Page
from generator.problems import Problem
from generator.templatedirs import template_dirs
from generator.urls import Links, route

DATA_RENDERERS = {**feeds.RENDERERS, **crawlers.RENDERERS}
"""Page templates named "@..." that Python renders instead of Jinja."""
THEME_PREFIX = "!theme"
"""`{% extends "!theme/base.html" %}` reaches the default theme from a site template."""


def overridden_templates(dirs: list[Path]) -> tuple[str, ...]:
    """Names of the templates a site's own folder provides in place of the theme's, e.g.
    ("_card.html",); the theme renders some partials faster when they are its own."""
    if len(dirs) < 2:
        return ()
    own, theme = dirs[0], dirs[-1]
    names = (path.relative_to(own).as_posix() for path in own.rglob("*") if path.is_file())
    return tuple(sorted(name for name in names
                        if not name.startswith("static/") and (theme / name).is_file()))


def share_links(url: str, title: str) -> list[tuple[str, str, str]]:
    """(network key, label, href) for each share target; every part percent-encoded."""
    # What urlencode(..., quote_via=quote) gives, quoting each text once: percent-encoding
    # goes character by character, so the "title url" text is the two quoted parts joined.
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        ("whatsapp", "WhatsApp", f"https://wa.me/?text={t}%20{u}"),
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("x", "X", f"https://x.com/intent/tweet?url={u}&text={t}"),
        ("telegram", "Telegram", f"https://t.me/share/url?url={u}&text={t}"),
    ]


def make_environment(config: SiteConfig, links: Links,
                     pictures: Mapping[str, ImageSet] | None = None,
                     compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of a build. `compiled`: a folder where compiled templates
    are kept for the next build (see compiled_folder)."""
    dirs = template_dirs(config.root)
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({THEME_PREFIX: jinja2.FileSystemLoader(str(dirs[-1]))}),
        jinja2.FileSystemLoader([str(d) for d in dirs]),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Each build makes its own environment, so templates cannot change under it; with
        # auto_reload every get_template (each page, each include) would stat the file.
        auto_reload=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
    )
    env.filters.update(
        when=lambda a: i18n.format_when(a.date, a.has_time) if isinstance(a, Article)
        else i18n.format_when(a),
        short_date=i18n.format_short_date,
        number=i18n.format_number,
        month_name=i18n.month_name,
        isoformat=lambda moment: moment.isoformat(),
        json_script=share.json_script,
        # Also filters, as the theme writes them (`'latest'|t`, `'tag'|url(slug=s)`): a
        # filter is called directly, where a global function goes through Context.call,
        # and Jinja runs one on constants once, when it compiles the template, keeping the
        # escaped text. (So compiled templates are kept only under a key of what they
        # fold in: see compiled_folder.)
        t=i18n.t,
        url=links.url,
        abs_url=links.abs_url,
        href=links.href,
        absolute=links.absolute,
    )
    env.globals.update(
        site=config.site,
        offices=config.office_by_slug,
        owner=config.office_by_slug.get(config.site.owner),
        links=links,
        url=links.url,
        abs_url=links.abs_url,
        href=links.href,
        absolute=links.absolute,
        route=route,
        t=i18n.t,
        zone_name=i18n.zone_name,
        share_links=share_links,
        quote=quote,
        share_preview=share.preview,
        og_locale=share.og_locale,
        site_image=share.site_image,
        picture=picture_function(pictures or {}, links),
        overridden=overridden_templates(dirs),
    )
    return env


def template_problem(exc: Exception, page: Page, dirs: Iterable[Path]) -> Problem:
    """Points at the template line that failed, for the operator or theme author."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(_template_path(exc.filename or exc.name or "?", dirs), exc.lineno,
                       None, msg("template syntax error: {error}", error=exc.message))
    where, line = "templates", None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt", ".js", ".json")):
            where, line = _template_path(name, dirs), lineno
    return Problem(where, line, None,
                   msg("template error while making /{page}: {kind}: {error}",
                       page=page.route, kind=type(exc).__name__, error=str(exc)))


def _template_path(name: str, dirs: Iterable[Path]) -> str:
    path = Path(name)
    for folder in dirs:
        if path.is_relative_to(folder):
            return "templates/" + path.relative_to(folder).as_posix()
    return name


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    if page.template in DATA_RENDERERS:  # feeds, sitemap: built as XML, not templated
        return DATA_RENDERERS[page.template](page.context)
    template = env.get_template(page.template)
    # Template.render, less its copy of the globals key by key out of a ChainMap (a tenth
    # of a page's time): a shared context takes this dict as it is.
    context = template.new_context({**env.globals, "page_route": page.route, **page.context},
                                   shared=True)
    try:
        return env.concat(template.root_render_func(context)).encode("utf-8")
    except Exception:
        env.handle_exception()  # re-raises, the traceback pointing at template lines


def render_all(env: jinja2.Environment, pages: Iterable[Page], dirs: list[Path]
               ) -> Iterator[tuple[Page, bytes | Problem]]:
    """Renders each page; a failing page yields its Problem instead of bytes."""
    for page in pages:
        try:
            yield page, render_page(env, page)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            yield page, template_problem(exc, page, dirs)


RenderOne = Callable[[Page], "bytes | Problem"]


def jinja_renderer(env: jinja2.Environment, dirs: list[Path]) -> RenderOne:
    """render_all's per-page behaviour as a function of one page."""
    def render_one(page: Page) -> bytes | Problem:
        for _, result in render_all(env, [page], dirs):
            return result
        raise AssertionError("render_all yields one result per page")

    return render_one

