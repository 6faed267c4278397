"""Moving an office's site to berita: `berita import wordpress` and `berita views import`.

Both resolve what they need from the site (its config, its articles) and hand plain
values to the importer and the log counter, which know nothing of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from generator import config as config_stage
from generator import content, viewlog
from generator.importers.wordpress import ExportError, ImportReport, import_wordpress
from generator.new import choose_office
from generator.problems import BuildFailed
from generator.urls import Links, route


def _load_config(root: Path) -> config_stage.SiteConfig:
    loaded, problems = config_stage.load(root.absolute())
    if loaded is None:
        raise BuildFailed(problems, "site.toml has errors: nothing was imported.")
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
        raise click.ClickException(f"cannot import: {exc}") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot import {export}: {exc.strerror}") from exc


@dataclass(frozen=True)
class ViewsReport:
    counts: viewlog.ViewCounts
    changes: tuple[tuple[str, int, int], ...]
    """(article file relative to the site, old views, new views)."""


def views(root: Path, logs: list[Path], log_format: str, dry_run: bool) -> ViewsReport:
    """Adds page views counted in access logs to each article's `views:`."""
    site = _load_config(root)
    articles, problems = content.load(site)
    if any(p.severity == "error" for p in problems):
        raise BuildFailed(problems, "Fix these articles first: no view count was changed.")
    try:
        counts = viewlog.count_views(logs, log_format)
    except OSError as exc:
        raise click.ClickException(f"cannot read {exc.filename}: {exc.strerror}") from exc
    files = {route("article", slug=a.slug): site.root / a.path for a in articles}
    base_path = Links(site.site.base_url).base_path
    changes = []
    for planned in viewlog.plan_views(files, counts, base_path):
        try:
            old, new = viewlog.apply_views(planned.file, planned.added, dry_run=dry_run)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        changes.append((planned.file.relative_to(site.root).as_posix(), old, new))
    return ViewsReport(counts, tuple(changes))
