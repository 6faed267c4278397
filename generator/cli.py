"""The `berita` command: parses flags, calls one function, maps errors to exit codes.

Exit codes: 0 success, 1 errors in the input, 2 usage errors (click's own).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from generator import __version__, messages
from generator.messages import msg, msg_n
from generator.problems import BuildFailed

SITE_OPTION = click.option(
    "-s", "--site", "site", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default="the current folder", help="Site folder (the one holding site.toml).",
)


def speaking(command: Callable[..., Any]) -> Callable[..., Any]:
    """Gives `command` a --lang flag and the operator's `language` (--lang, else
    site.language, else Indonesian), and says any failure of its in that language."""

    @click.option("--lang", "lang", type=click.Choice(messages.LANGUAGES),
                  help="Language of berita's messages  [default: site.language, else id]")
    @functools.wraps(command)
    def run(*args: Any, lang: str | None = None, **kwargs: Any) -> Any:
        folder = kwargs.get("folder") or kwargs.get("site")
        language = messages.site_language(folder, lang)
        try:
            return command(*args, language=language, **kwargs)
        except BuildFailed as failed:
            raise failed.speak(language) from None
        except click.ClickException as failed:
            # The modules' click exceptions (UsageError, BadParameter, ...) say msg(...) too.
            failed.message = messages.say(failed.message, language)
            raise

    return run


def say_waiting(lock_file: Path, holder: int | None, language: str) -> None:
    from generator.lock import waiting_notice

    click.echo(messages.say(waiting_notice(lock_file, holder), language), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="berita")
def main() -> None:
    """berita: static news sites for KPU offices."""


def interactive() -> bool:
    """Someone at a terminal can answer questions (else: the defaults, no waiting)."""
    return sys.stdin.isatty()


def terminal_progress(label: str, items: Sequence,
                      language: str = messages.DEFAULT_LANGUAGE) -> Iterator:
    """A progress bar on the terminal (stderr) while `items` are consumed; `label` (a
    msg) said in `language`."""
    with click.progressbar(items, length=len(items),
                           label=messages.say(label, language).ljust(18),
                           file=sys.stderr, show_pos=True) as bar:
        yield from bar


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@SITE_OPTION
@click.option("--level", type=click.Choice(["provinsi", "kabupaten", "kota"]),
              help="The office's level  [default: provinsi]")
@click.option("--province", help="The province, e.g. \"Jawa Tengah\" (it decides the time "
                                 "zone: WIB, WITA or WIT)  [default: DKI Jakarta]")
@click.option("--region", help="The kabupaten or kota, e.g. Blora (not for a provinsi office)")
@click.option("--title", help="The site's title  [default: Berita and the office's name]")
@click.option("--base-url", help="The published address  [default: an example to change]")
@click.option("--cms", type=click.Choice(["github", "gitlab", "git-gateway", "none"]),
              help="Publish the web editor at /admin/, saving through this service "
                   "(see docs/cms.md)  [default: none]")
@click.option("--repo", help="The site's repository for --cms github or gitlab, "
                             "e.g. kpu-blora/berita")
@speaking
def init(folder: Path | None, site: Path, level: str | None, province: str | None,
         region: str | None, title: str | None, base_url: str | None, cms: str | None,
         repo: str | None, language: str) -> None:
    """Create a new site for one KPU office in FOLDER (default: --site).

    Asks for each answer not given as a flag; with no terminal, takes the defaults."""
    from generator import init as init_command

    def say(text: str) -> str:
        return messages.say(text, language)

    if interactive():
        level = level or click.prompt(say(msg("Office level")),
                                      default=init_command.DEFAULT_LEVEL,
                                      type=click.Choice(["provinsi", "kabupaten", "kota"]))
        while province is None:
            answer = click.prompt(say(msg("Province")), default=init_command.DEFAULT_PROVINCE)
            try:
                province = init_command.find_province(answer)
            except init_command.InitError as exc:
                click.echo(say(exc.message), err=True)
        if level != "provinsi" and not region:
            region = click.prompt(say(msg("Name of the {level} (without the word "
                                          "'{level}')", level=level)))
        cms = cms or click.prompt(say(msg("Web editor on the published site")),
                                  default="none", type=click.Choice(
                                      ["github", "gitlab", "git-gateway", "none"]))
        if cms in ("github", "gitlab") and not repo:
            repo = click.prompt(say(msg("The site's repository (owner/name)")))
    answers = init_command.Answers(level=level or init_command.DEFAULT_LEVEL,
                                   province=province or init_command.DEFAULT_PROVINCE,
                                   region=region or "", title=title or "",
                                   base_url=base_url or "",
                                   cms="" if cms in (None, "none") else cms, repo=repo or "")
    target = folder if folder is not None else site
    try:
        created = init_command.create(target, answers)
    except init_command.InitError as exc:
        click.echo(say(msg("Failed: {error}", error=exc.message)), err=True)
        sys.exit(1)
    click.echo(say(msg("New site for {office} created in {folder} (time zone {zone}).",
                       office=created.office_name, folder=target,
                       zone=init_command.ZONE_NAMES[created.timezone])))
    here = "" if target.resolve() == Path.cwd() else f" -s {target}"
    click.echo(say(msg("Next: berita serve{here}  (preview), berita build{here}  (publish)",
                       here=here)))


@main.command()
@SITE_OPTION
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder  [default: public/ inside the site folder]")
@click.option("--drafts", is_flag=True, help="Also publish articles with draft: true.")
@click.option("--future", is_flag=True, help="Also publish articles dated in the future.")
@click.option("--base-url", help="Publish under this address instead of site.base_url.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (missing images, ...).")
@click.option("--no-search", "no_search", is_flag=True,
              help="Skip the search index (also: search = false in site.toml).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also report each page's weight (HTML + CSS + JS) against the budget.")
@click.option("--no-cache", is_flag=True,
              help="Build everything afresh, without reading or updating .berita-cache/.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Worker processes for Markdown and pages  [default: one per CPU]")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for another build of this site or output to end, or fail at once.")
@click.option("--wait-seconds", type=click.FloatRange(min=0), default=900, show_default=True,
              help="The longest wait for another build, in seconds.")
@speaking
def build(site: Path, output: Path | None, drafts: bool, future: bool, base_url: str | None,
          strict: bool, quiet: bool, no_search: bool, verbose: bool, no_cache: bool,
          jobs: int | None, wait: bool, wait_seconds: float, language: str) -> None:
    """Build the site into the output folder (all or nothing; one build at a time)."""
    from generator import build as build_command

    options = build_command.BuildOptions(drafts=drafts, future=future, base_url=base_url,
                                         strict=strict, search=not no_search,
                                         cache=not no_cache, jobs=jobs,
                                         wait_seconds=wait_seconds if wait else 0)
    progress = build_command.no_progress
    if not quiet and sys.stderr.isatty():
        progress = functools.partial(terminal_progress, language=language)
    result = build_command.run(site, output, options, progress=progress,
                               waiting=functools.partial(say_waiting, language=language))
    for problem in result.warnings:
        click.echo(problem.describe(language), err=True)
    if not quiet:
        for skipped in result.skipped:
            click.echo(messages.say(msg("skipped: {path}: {reason}", path=skipped.path,
                                        reason=skipped.reason), language))
        if result.skipped:
            click.echo(messages.say(msg("(use --drafts or --future to publish them too)"),
                                    language))
        click.echo(messages.say(msg(
            "{articles}, {pages} written ({changed} changed), {skipped} skipped, {warnings}, "
            "{seconds:.2f} seconds -> {output}",
            articles=msg_n("{count} article", "{count} articles", result.articles),
            pages=msg_n("{count} page", "{count} pages", result.pages),
            changed=result.files_changed, skipped=len(result.skipped),
            warnings=msg_n("{count} warning", "{count} warnings", len(result.warnings)),
            seconds=result.seconds, output=result.output), language))
    if verbose:
        from generator import weight

        for line in weight.report(weight.page_weights(result.output), language=language):
            click.echo(line)


@main.command()
@SITE_OPTION
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: a list of {path, line, field, message, ...}.")
@click.option("--strict", is_flag=True, help="Exit 3 when there are warnings.")
@speaking
def check(site: Path, output_format: str, strict: bool, language: str) -> None:
    """Check the site without publishing: exit 0 clean, 1 errors (broken internal links
    and missing images included), 3 warnings (--strict)."""
    from generator import check as check_command

    report = check_command.run(site, strict=strict)
    if output_format == "json":
        click.echo(report.as_json(language))
    else:
        click.echo(report.as_text(language))
    raise SystemExit(report.exit_code)


@main.command()
@SITE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the preview to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--no-drafts", is_flag=True,
              help="Show the site as `berita build` would publish it now: without drafts "
                   "and scheduled articles.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.option("--search", is_flag=True,
              help="Also build the search index (slower saves; off in the preview by "
                   "default).")
@speaking
def serve(site: Path, host: str, port: int, no_drafts: bool, open_browser: bool,
          search: bool, language: str) -> None:
    """Preview the site while you write: rebuilds and reloads the browser on every save.

    Drafts and scheduled articles are shown, marked DRAF and TERJADWAL.
    """
    from generator import serve as serve_command

    serve_command.run(site, host, port, drafts=not no_drafts, open_browser=open_browser,
                      search=search, language=language)


@main.command()
@SITE_OPTION
@click.argument("title")
@click.option("--office", help="Office slug or name  [default: the site's owner or only office]")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--date", help="Publication date, e.g. 2024-09-06 10:00  [default: now, in the "
                             "office's time zone]")
@click.option("--slug", help="Address of the article  [default: made from the title]")
@speaking
def new(site: Path, title: str, office: str | None, tags: tuple[str, ...], date: str | None,
        slug: str | None, language: str) -> None:
    """Create a new draft article TITLE under content/."""
    from generator import new as new_command

    created = new_command.create(site, title, office, tags, date, slug)
    click.echo(messages.say(msg("Created: {path}", path=created.path), language))
    click.echo(messages.say(msg("This article is still a draft: remove the line "
                                "'draft: true' to publish it."), language))


@main.group("import")
def import_group() -> None:
    """Import articles from another system."""


@import_group.command("wordpress")
@SITE_OPTION
@click.argument("export", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--office", help="Office the posts belong to  [default: the site's owner or "
                               "only office]")
@click.option("--uploads", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A copy of wp-content/uploads: images are copied beside the articles.")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the articles  [default: content/ of the site]")
@click.option("--drafts", is_flag=True, help="Also import drafts (as draft: true).")
@click.option("--force", is_flag=True, help="Overwrite articles imported before.")
@speaking
def import_wordpress(site: Path, export: Path, office: str | None, uploads: Path | None,
                     into: Path | None, drafts: bool, force: bool, language: str) -> None:
    """Import the posts of a WordPress export (WXR) EXPORT as Markdown articles."""
    from generator import migrate
    from generator.importers.wordpress import format_report

    report = migrate.wordpress(site, export, office, uploads, into, drafts, force)
    click.echo(format_report(report, language))


@main.group("views")
def views_group() -> None:
    """View counts ("Telah dilihat N kali")."""


@views_group.command("import")
@SITE_OPTION
@click.argument("logs", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "log_format", type=click.Choice(["combined"]), default="combined",
              show_default=True, help="Access log format (nginx and Apache default).")
@click.option("--dry-run", is_flag=True,
              help="Print what would be counted; write neither the articles nor "
                   "views-imported.json.")
@speaking
def views_import(site: Path, logs: tuple[Path, ...], log_format: str, dry_run: bool,
                 language: str) -> None:
    """Add page views counted in access LOGS (plain or .gz) to the articles' views.

    A request counts once however often its log is imported (access.log today, as
    access.log.1 tomorrow): views-imported.json in the site folder records what was
    counted. Commit it with the articles."""
    from generator import migrate, viewlog

    def say(text: str) -> str:
        return messages.say(text, language)

    report = migrate.views(site, logs, log_format, dry_run)
    counts = report.counts
    for problem in counts.unreadable:
        click.echo(say(msg("warning: {problem} (counted up to where it breaks off)",
                           problem=problem)), err=True)
    root = site.absolute()
    for change in report.changes:
        click.echo(say(msg("{file}: views {old} -> {new} (+{added})",
                           file=change.file.relative_to(root).as_posix(), old=change.old,
                           new=change.new, added=change.new - change.old)))
    changed = msg_n("{count} article", "{count} articles", len(report.changes))
    click.echo(say(msg(
        "{lines} log lines: {views} page views counted, {again} lines skipped as counted by "
        "an earlier import, {bots} from bots skipped, {repeats} repeat visits, {malformed} "
        "malformed lines skipped; {verdict}",
        lines=counts.lines_read, views=counts.total, again=counts.already_counted,
        bots=counts.bots_skipped, repeats=counts.repeats, malformed=counts.malformed,
        verdict=msg("would change {articles}", articles=changed) if dry_run
        else msg("changed {articles}", articles=changed))))
    if dry_run:
        click.echo(say(msg("--dry-run: nothing was written, {file} neither",
                           file=viewlog.STATE_FILE)))
    elif report.ledger_written:
        click.echo(say(msg("{file} updated: commit it with the articles",
                           file=viewlog.STATE_FILE)))
