"""The benchmark's table and the issue's targets, from the measured samples."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from measure import Sample

TARGET_SIZE = 10_000
"""The article count the issue's targets are set at."""
BERITA = "berita"
"""berita's default build (search index on): the headline."""
NO_SEARCH = "berita --no-search"
PELICAN = "pelican"
HUGO_PAGEFIND = "hugo+pagefind"


@dataclass
class Row:
    size: int
    tool: str
    scenario: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(sample.returncode != 0 for sample in self.samples)

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(sample, name) for sample in self.samples))


@dataclass
class Target:
    name: str
    value: str
    passed: bool | None
    """None: not measured in this run."""
    tool: str = BERITA
    """The berita variant it is about."""


def find(rows: Sequence[Row], size: int, tool: str, scenario: str) -> Row | None:
    """The row of a scenario, if it was measured and did not fail."""
    for row in rows:
        if (row.size, row.tool, row.scenario) == (size, tool, scenario) and not row.failed:
            return row
    return None


def ratio_cells(rows: Sequence[Row], row: Row) -> list[str]:
    """vs the same tool's cold build; Pelican's time / this row's (same scenario); this
    row's peak / Pelican's cold peak."""
    cold = find(rows, row.size, row.tool, "cold")
    pelican = find(rows, row.size, PELICAN, row.scenario)
    pelican_cold = find(rows, row.size, PELICAN, "cold")
    vs_cold = f"{row.median('wall_s') / cold.median('wall_s'):.1%}" if cold else ""
    speedup = memory = ""
    if row.tool != PELICAN and pelican:
        speedup = f"{pelican.median('wall_s') / row.median('wall_s'):.2f}x"
    if row.tool != PELICAN and pelican_cold:
        memory = f"{row.median('peak_mib') / pelican_cold.median('peak_mib'):.2f}"
    return [vs_cold, speedup, memory]


TABLE_HEAD = ("size", "tool", "scenario", "runs", "wall s", "CPU s", "peak MiB", "PSS MiB",
              "largest MiB", "others", "vs cold", "Pelican/this", "mem vs Pelican")
BUSY = 0.25
"""CPUs' worth of other work during a run above which wall times are flagged unreliable."""


def table(rows: Sequence[Row]) -> str:
    lines: list[tuple[str, ...]] = [TABLE_HEAD]
    for row in rows:
        if row.failed:
            code = next(s.returncode for s in row.samples if s.returncode)
            lines.append((f"{row.size}", row.tool, row.scenario, "", f"FAILED ({code})",
                          *[""] * 8))
            continue
        values = [f"{row.median(name):.2f}" for name in ("wall_s", "cpu_s")]
        values += [f"{row.median(name):.1f}"
                   for name in ("peak_mib", "peak_pss_mib", "max_single_mib")]
        values.append(f"{others(row):.2f}")
        lines.append((f"{row.size}", row.tool, row.scenario, f"{len(row.samples)}", *values,
                      *ratio_cells(rows, row)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(TABLE_HEAD))]
    return "\n".join("  ".join(cell.rjust(width) if i not in (1, 2) else cell.ljust(width)
                               for i, (cell, width) in enumerate(zip(line, widths, strict=True)))
                     for line in lines)


def others(row: Row) -> float:
    """Median CPUs' worth of other work on the machine during the row's runs."""
    return float(statistics.median(s.other_cpu_s / s.wall_s for s in row.samples if s.wall_s))


def busy_warning(rows: Sequence[Row]) -> str:
    busy = [row for row in rows if not row.failed and others(row) > BUSY]
    if not busy:
        return ""
    return (f"Warning: other work used more than {BUSY} CPUs during {len(busy)} of "
            f"{len(rows)} rows (column 'others'); their wall times are inflated. Compare "
            "CPU s, or run again on an idle machine.")


def target_size(rows: Sequence[Row]) -> int | None:
    """10,000 if measured, otherwise the largest size measured (reported as such)."""
    sizes = {row.size for row in rows if row.tool in (BERITA, NO_SEARCH) and not row.failed}
    if TARGET_SIZE in sizes:
        return TARGET_SIZE
    return max((size for size in sizes if size < 100_000), default=None)


def ratio_target(name: str, numerator: Row | None, denominator: Row | None,
                 limit: float, field_name: str = "wall_s", tool: str = BERITA) -> Target:
    """Passes when numerator / denominator <= limit."""
    if not numerator or not denominator:
        return Target(name, "not measured", None, tool)
    value = numerator.median(field_name) / denominator.median(field_name)
    detail = f"{numerator.median(field_name):.2f} / {denominator.median(field_name):.2f}"
    return Target(name, f"{value:.3f} ({detail})", value <= limit, tool)


def speed_target(berita: Row | None, other: Row | None, factor: float, name: str,
                 other_name: str, tool: str = BERITA) -> Target:
    """Passes when the other tool's cold wall time / berita's is at least `factor` (above
    it, for factor 1: strictly faster)."""
    if not berita or not other:
        return Target(name, "not measured", None, tool)
    value = other.median("wall_s") / berita.median("wall_s")
    detail = (f"{other_name} {other.median('wall_s'):.2f} s / {tool} "
              f"{berita.median('wall_s'):.2f} s")
    passed = value > factor if factor == 1 else value >= factor
    return Target(name, f"{value:.2f}x ({detail})", passed, tool)


def memory_target(rows: Sequence[Row], size: int, tool: str = BERITA,
                  factor: float = 1.0) -> Target:
    """The variant's largest peak (RSS sum of the process tree) over its scenarios against
    `factor` times Pelican's largest over its own; PSS shown beside it."""
    name = ("peak memory at most Pelican's" if factor == 1
            else f"peak memory at most {factor:g}x Pelican's")
    berita = [r for r in rows if (r.size, r.tool) == (size, tool)]
    pelican = [r for r in rows if (r.size, r.tool) == (size, PELICAN)]
    if not berita or not pelican or any(row.failed for row in [*berita, *pelican]):
        return Target(name, "not measured", None, tool)
    ours, theirs = (max(row.median("peak_mib") for row in group) for group in (berita, pelican))
    pss = [max(row.median("peak_pss_mib") for row in group) for group in (berita, pelican)]
    value = (f"{ours / theirs:.2f}x (berita {ours:.1f} MiB, Pelican {theirs:.1f} MiB; "
             f"PSS {pss[0]:.1f} / {pss[1]:.1f})")
    return Target(name, value, ours <= factor * theirs, tool)


def variant_targets(rows: Sequence[Row], size: int, tool: str) -> list[Target]:
    """The checks of one berita variant. The default build (search on) against Pelican
    (4x faster, 2x the memory at most) and Hugo + Pagefind (faster); --no-search against
    Pelican alone (4x faster, no more memory) and its growth from 1,000 to 10,000."""
    cold = find(rows, size, tool, "cold")
    pelican_cold = find(rows, size, PELICAN, "cold")
    found = [speed_target(cold, pelican_cold, 4, "cold build at least 4x faster than Pelican",
                          "Pelican", tool)]
    if tool == BERITA:
        found.append(speed_target(cold, find(rows, size, HUGO_PAGEFIND, "cold"), 1,
                                  "cold build faster than Hugo + Pagefind's",
                                  "Hugo + Pagefind", tool))
    found += [
        ratio_target("no-op rebuild at most 5% of the cold build",
                     find(rows, size, tool, "noop"), cold, 0.05, tool=tool),
        ratio_target("one-article edit rebuild at most 10% of the cold build",
                     find(rows, size, tool, "edit"), cold, 0.10, tool=tool),
        memory_target(rows, size, tool, 2.0 if tool == BERITA else 1.0),
    ]
    if tool == NO_SEARCH:
        small, large = find(rows, 1000, tool, "cold"), find(rows, 10_000, tool, "cold")
        for field_name, what in (("wall_s", "time"), ("cpu_s", "CPU time"),
                                 ("peak_mib", "memory")):
            found.append(ratio_target(
                f"cold build {what} grows at most 11x from 1,000 to 10,000",
                large, small, 11, field_name, tool))
    if any(row.size == 100_000 and row.tool == tool for row in rows):
        huge = find(rows, 100_000, tool, "cold")
        value = (f"{huge.median('wall_s'):.1f} s, {huge.median('peak_mib'):.0f} MiB" if huge
                 else "did not complete")
        found.append(Target("100,000 articles build to completion", value, huge is not None,
                            tool))
    return found


def targets(rows: Sequence[Row]) -> tuple[int | None, list[Target]]:
    """The checks of each berita variant measured, the default build's first."""
    size = target_size(rows)
    if size is None:
        return None, []
    measured = {row.tool for row in rows}
    return size, [target for tool in (BERITA, NO_SEARCH) if tool in measured
                  for target in variant_targets(rows, size, tool)]


VARIANT_TITLES = {BERITA: "berita, default build (search index on)",
                  NO_SEARCH: "berita --no-search"}


def report_targets(size: int | None, found: Sequence[Target]) -> str:
    if size is None:
        return "Targets: nothing measured."
    note = "" if size == TARGET_SIZE else (
        f" -- measured at N={size:,}; the targets are set at N={TARGET_SIZE:,}")
    lines = [f"Targets (N={size:,}, medians, ratios from this run{note}):"]
    tool = None
    for target in found:
        if target.tool != tool:
            tool = target.tool
            lines.append(f"  {VARIANT_TITLES.get(tool, tool)}:")
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[target.passed]
        lines.append(f"    {verdict}  {target.name}: {target.value}")
    return "\n".join(lines)
