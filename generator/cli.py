"""The `berita` command: parses flags, calls one function, maps errors to exit codes.

Exit codes: 0 success, 1 errors in the input, 2 usage errors (click's own).
"""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__

SITE_OPTION = click.option(
    "-s", "--site", "site", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default="the current folder", help="Site folder (the one holding site.toml).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="berita")
def main() -> None:
    """berita: static news sites for KPU offices."""


@main.command()
@SITE_OPTION
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder  [default: public/ inside the site folder]")
@click.option("--drafts", is_flag=True, help="Also publish articles with draft: true.")
@click.option("--future", is_flag=True, help="Also publish articles dated in the future.")
@click.option("--base-url", help="Publish under this address instead of site.base_url.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (missing images, ...).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
@click.option("--no-cache", is_flag=True,
              help="Build everything afresh, without reading or updating .berita-cache/.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Worker processes for Markdown and pages  [default: one per CPU]")
def build(site: Path, output: Path | None, drafts: bool, future: bool, base_url: str | None,
          strict: bool, quiet: bool, no_cache: bool, jobs: int | None) -> None:
    """Build the site into the output folder (all or nothing)."""
    from generator import build as build_command

    options = build_command.BuildOptions(drafts=drafts, future=future, base_url=base_url,
                                         strict=strict, cache=not no_cache, jobs=jobs)
    result = build_command.run(site, output, options)
    for problem in result.warnings:
        click.echo(str(problem), err=True)
    if not quiet:
        for skipped in result.skipped:
            click.echo(f"dilewati: {skipped.path} ({skipped.reason})")
        click.echo(
            f"{result.articles} berita, {result.pages} halaman ditulis "
            f"({result.files_changed} berubah), {len(result.skipped)} dilewati, "
            f"{len(result.warnings)} peringatan, {result.seconds:.2f} detik -> {result.output}"
        )
