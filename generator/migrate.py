"""Moving an office's site to berita: `berita import wordpress` and `berita views import`.

Both resolve what they need from the site (its config, its articles) and hand plain
values to the importer and the log counter, which know nothing of the pipeline. Their
failures are click exceptions whose messages are msg(...) texts, said by the CLI in the
operator's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from generator import config as config_stage
from generator import content, viewlog
from generator.importers.wordpress import ExportError, ImportReport, import_wordpress
from generator.messages import msg
from generator.new import choose_office
from generator.problems import BuildFailed
from generator.urls import Links, route


def _load_config(root: Path) -> config_stage.SiteConfig:
    loaded, problems = config_stage.load(root.absolute())
    if loaded is None:
        raise BuildFailed(problems, msg("site.toml has errors: nothing was imported."))
    return loaded


def wordpress(root: Path, export: Path, office_key: str | None, uploads: Path | None,
              into: Path | None, drafts: bool, force: bool) -> ImportReport:
    """Imports a WXR export into the site's content/ (or `into`) for one office."""
    site = _load_config(root)
    office = choose_office(site, office_key)
    try:
        return import_wordpress(export, into or site.root / content.CONTENT_DIR, office.slug,
                                office.timezone or site.site.timezone, uploads=uploads,
                                drafts=drafts, force=force)
    except ExportError as exc:
        raise click.ClickException(msg("cannot import: {where}: {problem}", where=exc.where,
                                       problem=exc.message)) from exc
    except OSError as exc:
        raise click.ClickException(msg("cannot import {export}: {error}", export=export,
                                       error=exc.strerror or exc)) from exc


def views(root: Path, logs: Iterable[Path], log_format: str = "combined",
          dry_run: bool = False) -> viewlog.ViewsImport:
    """Adds the page views counted in access logs to each article's `views:`, none that an
    earlier import counted (viewlog.import_views, with the record in the site folder)."""
    site = _load_config(root)
    articles, problems = content.load(site)
    if any(p.severity == "error" for p in problems):
        raise BuildFailed(problems, msg("Fix these articles first: no view count was "
                                        "changed."))
    files = {route("article", slug=a.slug): site.root / a.path for a in articles}
    try:
        return viewlog.import_views(files, logs, site.root / viewlog.STATE_FILE,
                                    base_path=Links(site.site.base_url).base_path,
                                    fmt=log_format, dry_run=dry_run)
    except viewlog.LedgerError as exc:
        raise click.ClickException(msg(
            "{problem}\nNo view count was changed. Restore the file from git (git checkout -- "
            "{file}): without it every log given would be counted again.",
            problem=_said(exc), file=viewlog.STATE_FILE)) from exc
    except ValueError as exc:
        raise click.ClickException(msg("{problem}\nNo view count was changed.",
                                       problem=_said(exc))) from exc
    except OSError as exc:
        raise click.ClickException(msg("cannot read or write {file}: {error}\nNo view count "
                                       "was changed.", file=exc.filename,
                                       error=exc.strerror or exc)) from exc


def _said(exc: Exception) -> str:
    """What `exc` says: its msg(...) when it was raised with one (str() loses it)."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
