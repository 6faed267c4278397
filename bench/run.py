"""The berita benchmark: cold build, no-op rebuild and one-article-edit rebuild of synthetic
sites of N articles, by berita's default build (search index on) and with --no-search,
measured with the operating system's accounting, optionally beside Pelican, Hugo, and Hugo
followed by Pagefind on the same corpus. Prints a table and the issue's targets; writes JSON.

    python bench/run.py --sizes 1000,10000 --pelican --hugo

See bench/README.md for what is measured and how.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import generate
from measure import KIB_PER_MIB, Sample, measure, proc_kib
from report import Row, busy_warning, report_targets, table, targets

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
RESULTS = BENCH / "results"
PELICAN_VENV = BENCH / ".venv-pelican"
PELICAN_REQUIREMENTS = ("pelican==4.12.*", "markdown")
PAGEFIND_ARGS = ("--force-language", "id", "--quiet")
"""As berita runs Pagefind (generator/search.py), over the whole output."""
TOOLS = {
    "berita": "berita",
    "berita-no-search": "berita --no-search",
    "pelican": "pelican",
    "hugo": "hugo",
    "hugo-pagefind": "hugo+pagefind",
}
"""Names for --tools -> the tool's name in the table and the JSON, in the order they take
turns and are listed."""
CACHE_DIR = ".berita-cache"
ASIDE = "aside"
"""Per corpus: old outputs and caches moved out of the way of a cold build."""
EDIT_SENTENCE = "\nKegiatan ditutup dengan foto bersama seluruh peserta dan jajaran KPU.\n"


class BuildError(Exception):
    """A measured build exited non-zero."""


# The corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    size: int
    root: Path
    manifest: dict[str, Any]

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def pelican(self) -> Path:
        return self.root / "pelican"

    @property
    def hugo(self) -> Path:
        return self.root / "hugo"

    @property
    def edit_path(self) -> str:
        """The article the edit rebuild changes, relative to content/."""
        return str(self.manifest["edit_article"])

    @property
    def hugo_edit_path(self) -> str:
        """The same article in the Hugo project, relative to its content/."""
        return str(read_manifest(self.hugo)["edit_article"])


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / generate.MANIFEST).read_text()))
    except (OSError, ValueError):
        return {}


def is_current(folder: Path, expected: str) -> bool:
    """The folder holds the corpus with this fingerprint, its edited article restored."""
    manifest = read_manifest(folder)
    if manifest.get("fingerprint") != expected:
        return False
    article = folder / "content" / str(manifest.get("edit_article"))
    return article.is_file() and generate.digest(article.read_bytes()) == manifest.get(
        "edit_article_sha256")


def ensure_corpus(size: int, seed: int, work: Path, pelican: bool, hugo: bool = False
                  ) -> Corpus:
    """Generates the corpus of `size` articles under work/, unless already there."""
    root = work / f"n{size}-s{seed}"
    expected = generate.fingerprint(size, seed, generate.load_corpus())
    wanted = [root / "site", *([root / "pelican"] if pelican else []),
              *([root / "hugo"] if hugo else [])]
    if not all(is_current(folder, expected) for folder in wanted):
        move_aside(root / ASIDE, root / "site", root / "pelican", root / "hugo")
        print(f"generating {size} articles into {root} ...", flush=True)
        generate.generate(size, root / "site", root / "pelican" if pelican else None, seed,
                          root / "hugo" if hugo else None)
    return Corpus(size, root, read_manifest(root / "site"))


class EditedArticle:
    """One article of a corpus: appended to for the edit rebuild, restored afterwards."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.original = file.read_bytes()

    def append(self) -> None:
        with self.file.open("a", encoding="utf-8") as handle:
            handle.write(EDIT_SENTENCE)

    def restore(self) -> None:
        self.file.write_bytes(self.original)


def move_aside(aside: Path, *paths: Path) -> None:
    """Moves each existing path into the folder `aside` (same file system), rather than
    deleting it: on the reference machine, creating files after deleting thousands costs
    two to three times the kernel time (see README.md), which would land in the next
    timed build. `clear_aside` deletes them once nothing more is measured."""
    for path in paths:
        if path.exists() or path.is_symlink():
            aside.mkdir(exist_ok=True)
            path.rename(aside / f"{path.name}-{uuid.uuid4().hex[:12]}")


def clear_aside(work: Path) -> None:
    """Deletes what move_aside kept in every corpus of the work folder."""
    for aside in work.glob(f"*/{ASIDE}"):
        shutil.rmtree(aside, ignore_errors=True)

# The scenarios -------------------------------------------------------------------------


Samples = dict[str, list[Sample]]
"""Scenario name -> its runs so far."""
Runner = Callable[[str, int], None]
"""Measures one scenario (name, repetition) of one tool on one corpus into Samples."""
BERITA_SCENARIOS = ("cold", "noop", "edit")
PELICAN_SCENARIOS = ("cold", "cold+cache", "edit")
HUGO_SCENARIOS = ("cold", "edit")
SCENARIOS = {"berita": BERITA_SCENARIOS, "berita-no-search": BERITA_SCENARIOS,
             "pelican": PELICAN_SCENARIOS, "hugo": HUGO_SCENARIOS,
             "hugo-pagefind": HUGO_SCENARIOS}


def make_runner(command: Sequence[str], cwd: Path, logs: Path, interval: float,
                samples: Samples, drop_caches: bool = False,
                env: dict[str, str] | None = None) -> Runner:
    def run(scenario: str, repetition: int) -> None:
        log = logs / f"{scenario}-{repetition}.log"
        sample = measure(command, cwd, log, interval, drop_caches, env)
        samples[scenario].append(sample)
        if sample.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise BuildError(f"{shlex.join(command)} exited {sample.returncode} "
                             f"({scenario}); end of {log}:\n{tail}")
    return run


def berita_rounds(corpus: Corpus, command: Sequence[str], repeat: int, interval: float,
                  samples: Samples, extra: Sequence[str] = (), drop_caches: bool = False,
                  name: str = "berita") -> Iterator[None]:
    """Per repetition: cold (no output, no cache), no-op, one article edited; a step after
    each repetition (see `take_turns`). `name`: of the variant, for its output folder
    (public-<name>) and logs. The variants share the site, and so its content/ and its
    .berita-cache/: a round starts cold (the cache moved aside) and restores the edited
    article before its step ends, so the next variant's round starts from the same site."""
    site, out = corpus.site, corpus.root / f"public-{name}"
    full = [*command, "build", "-s", str(site), "-o", str(out), "-q", *extra]
    run = make_runner(full, Path.cwd(), corpus.root / "logs" / name, interval, samples,
                      drop_caches)
    article = EditedArticle(site / "content" / corpus.edit_path)
    try:
        for repetition in range(repeat):
            article.restore()
            # Cold: no output, no cache, and no spare copy of an earlier output either.
            move_aside(corpus.root / ASIDE, out, site / CACHE_DIR,
                       out.with_name("." + out.name + ".spare"),
                       out.with_name("." + out.name + ".staging"))
            run("cold", repetition)
            run("noop", repetition)
            article.append()
            run("edit", repetition)
            article.restore()
            yield
    finally:
        article.restore()


def pelican_rounds(corpus: Corpus, pelican: Path, repeat: int, interval: float,
                   samples: Samples, drop_caches: bool = False) -> Iterator[None]:
    """Cold builds without caching, a step after each; then one build writing Pelican's
    content cache and edit rebuilds loading it (CACHE_CONTENT + LOAD_CONTENT_CACHE, as
    Pelican users would)."""
    root, out = corpus.pelican, corpus.pelican / "out"
    logs = corpus.root / "logs" / "pelican"

    def runner(settings: str) -> Runner:
        command = [str(pelican), "content", "-s", settings, "-o", "out", "-q"]
        return make_runner(command, root, logs, interval, samples, drop_caches)

    cold, cached = runner("pelicanconf.py"), runner("pelicanconf_cached.py")
    article = EditedArticle(root / "content" / corpus.edit_path)
    try:
        for repetition in range(repeat):
            move_aside(corpus.root / ASIDE, out, root / "cache")
            cold("cold", repetition)
            yield
        move_aside(corpus.root / ASIDE, out, root / "cache")
        cached("cold+cache", 0)
        for repetition in range(repeat):
            article.restore()  # a new mtime: Pelican's cache checks mtimes
            article.append()
            cached("edit", repetition)
        yield
    finally:
        article.restore()


def hugo_rounds(corpus: Corpus, hugo: Sequence[str], repeat: int, interval: float,
                samples: Samples, pagefind: Sequence[str] | None = None,
                drop_caches: bool = False) -> Iterator[None]:
    """Per repetition: a cold build (no output, no cache dir, no resources dir), then one
    article edited and a second build with that output and cache (Hugo's CLI has no
    incremental build: the second build renders everything again); a step after each.
    With `pagefind` (the command), each build is followed by Pagefind over the output, and
    both are measured as one run (one process tree: sh, hugo, then pagefind)."""
    name = "hugo-pagefind" if pagefind else "hugo"
    root, out = corpus.hugo, corpus.root / f"public-{name}"
    cache, resources = corpus.root / f"cache-{name}", corpus.root / f"resources-{name}"
    build = [*hugo, "--source", str(root), "--destination", str(out), "--cacheDir",
             str(cache), "--quiet"]
    command = build
    if pagefind:
        index = [*pagefind, "--site", str(out), *PAGEFIND_ARGS]
        command = ["/bin/sh", "-c", f"{shlex.join(build)} && exec {shlex.join(index)}"]
    # The two variants share the project; each its own resources dir (config from env).
    env = {**os.environ, "HUGO_RESOURCEDIR": str(resources)}
    run = make_runner(command, root, corpus.root / "logs" / name, interval, samples,
                      drop_caches, env)
    article = EditedArticle(root / "content" / corpus.hugo_edit_path)
    try:
        for repetition in range(repeat):
            article.restore()
            move_aside(corpus.root / ASIDE, out, cache, resources)
            run("cold", repetition)
            article.append()
            run("edit", repetition)
            article.restore()  # before the other variant's turn
            yield
    finally:
        article.restore()


def take_turns(size: int, tools: Sequence[tuple[str, Iterator[None]]]) -> None:
    """Runs the tools' steps in turn (berita's first round, berita --no-search's, Pelican's
    first cold build, Hugo's first cold build and edit, Hugo + Pagefind's, then berita's
    second round, ...): the machine's speed drifts over minutes, and taking turns puts
    each tool's cold builds in the same stretches as the others'. A tool whose build fails
    stops; the others go on."""
    waiting = list(tools)
    turn = 0
    while waiting:
        turn += 1
        print(f"N={size:,}, turn {turn}: {', '.join(tool for tool, _ in waiting)} ...",
              flush=True)
        for tool, steps in list(waiting):
            try:
                next(steps)
            except StopIteration:
                waiting.remove((tool, steps))
            except BuildError as error:  # keeps the runs before it; its row shows FAILED
                print(error, file=sys.stderr, flush=True)
                waiting.remove((tool, steps))


def ensure_pelican(venv: Path) -> Path:
    """Pelican in the benchmark's own virtual environment, installed from PyPI if missing."""
    executable = venv / "bin" / "pelican"
    if not executable.exists():
        print(f"installing {', '.join(PELICAN_REQUIREMENTS)} into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *PELICAN_REQUIREMENTS], check=True)
    return executable

# Context of a run ----------------------------------------------------------------------


def output_of(command: Sequence[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "memory_mib": proc_kib("/proc/meminfo", "MemTotal:") // KIB_PER_MIB,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "load_average": os.getloadavg(),
    }


def git() -> dict[str, Any]:
    return {
        "commit": output_of(["git", "rev-parse", "HEAD"], REPO) or None,
        "dirty": bool(output_of(["git", "status", "--porcelain"], REPO)),
    }


def default_json(commit: str | None) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return RESULTS / f"{stamp}-{(commit or 'nogit')[:10]}.json"

# Main ----------------------------------------------------------------------------------


def default_berita() -> str:
    """The berita script installed with the Python running the benchmark, called directly
    as Pelican's is: a version manager's shim on PATH (pyenv's) costs every run ~80 ms."""
    beside = Path(sys.executable).with_name("berita")
    return shlex.quote(str(beside)) if beside.is_file() else "berita"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated article counts (default 1000,10000)")
    parser.add_argument("--pelican", action="store_true",
                        help=f"also build each corpus with {PELICAN_REQUIREMENTS[0]}")
    parser.add_argument("--hugo", action="store_true",
                        help="also build each corpus with Hugo, and with Hugo then Pagefind")
    parser.add_argument("--tools", help="comma-separated tools to run, of "
                        f"{', '.join(TOOLS)} (default: berita,berita-no-search, plus "
                        "pelican with --pelican and hugo,hugo-pagefind with --hugo)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--json", type=Path, help="where to write results "
                        "(default bench/results/<time>-<commit>.json)")
    parser.add_argument("--berita-cmd", default=default_berita(),
                        help='the berita command, e.g. "python -m generator" (default: the '
                             "berita script beside this Python, else berita on PATH)")
    parser.add_argument("--berita-args", default="",
                        help="extra flags for both berita variants' berita build; with "
                             '"--no-search" in them, only the berita-no-search variant runs')
    parser.add_argument("--hugo-cmd", default="hugo",
                        help="the Hugo command (default hugo on PATH; apt-get install hugo)")
    parser.add_argument("--pagefind-cmd", default=f"{shlex.quote(sys.executable)} -m pagefind",
                        help="the Pagefind command run after Hugo (default: python -m "
                             "pagefind with this Python, the pagefind[bin] wheel berita uses)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="corpora, outputs and logs (default bench/.work)")
    parser.add_argument("--interval", type=float, default=0.02,
                        help="memory sampling interval in seconds (default 0.02)")
    parser.add_argument("--drop-caches", action="store_true",
                        help="empty the kernel's page, dentry and inode caches before each "
                             "timed run, for both tools (needs root; see bench/README.md)")
    args = parser.parse_args(argv)
    args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    args.berita_cmd = shlex.split(args.berita_cmd)
    args.berita_args = shlex.split(args.berita_args)
    args.hugo_cmd = shlex.split(args.hugo_cmd)
    args.pagefind_cmd = shlex.split(args.pagefind_cmd)
    args.tools = select_tools(parser, args)
    if args.repeat < 1 or not args.sizes:
        parser.error("--repeat must be at least 1 and --sizes not empty")
    if args.drop_caches and not os.access("/proc/sys/vm/drop_caches", os.W_OK):
        parser.error("--drop-caches needs root (it writes /proc/sys/vm/drop_caches)")
    if any(tool.startswith("berita") for tool in args.tools) and \
            shutil.which(args.berita_cmd[0]) is None:
        parser.error(f"{args.berita_cmd[0]!r} not found (pip install -e . in the repository, "
                     "or pass --berita-cmd)")
    if any(tool.startswith("hugo") for tool in args.tools) and \
            shutil.which(args.hugo_cmd[0]) is None:
        parser.error(f"{args.hugo_cmd[0]!r} not found (apt-get install hugo, or pass "
                     "--hugo-cmd)")
    if "hugo-pagefind" in args.tools and \
            output_of([*args.pagefind_cmd, "--version"]) == "":
        parser.error(f"{shlex.join(args.pagefind_cmd)} --version failed (pip install "
                     "'pagefind[bin]', or pass --pagefind-cmd)")
    return args


def select_tools(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """--tools, or berita's two variants and what --pelican and --hugo add, in TOOLS'
    order. "--no-search" in --berita-args (the way to compare like for like before both
    variants were measured) leaves only the berita-no-search variant."""
    if args.tools:
        wanted = {tool.strip() for tool in args.tools.split(",") if tool.strip()}
        if unknown := wanted - set(TOOLS):
            parser.error(f"unknown tools {', '.join(sorted(unknown))}; choose from "
                         f"{', '.join(TOOLS)}")
    else:
        wanted = {"berita", "berita-no-search"}
    if args.pelican:
        wanted.add("pelican")
    if args.hugo:
        wanted |= {"hugo", "hugo-pagefind"}
    if "--no-search" in args.berita_args:
        args.berita_args = [arg for arg in args.berita_args if arg != "--no-search"]
        if "berita" in wanted:
            wanted = (wanted - {"berita"}) | {"berita-no-search"}
    if not wanted:
        parser.error("--tools selects nothing")
    return [tool for tool in TOOLS if tool in wanted]


def measure_size(size: int, args: argparse.Namespace, pelican: Path | None) -> list[Row]:
    hugo = any(tool.startswith("hugo") for tool in args.tools)
    corpus = ensure_corpus(size, args.seed, args.work.resolve(), pelican is not None, hugo)
    samples: dict[str, Samples] = {tool: {name: [] for name in SCENARIOS[tool]}
                                   for tool in args.tools}
    common = (args.repeat, args.interval)

    def rounds(tool: str) -> Iterator[None]:
        if tool.startswith("berita"):
            extra = [*args.berita_args, *(["--no-search"] if tool == "berita-no-search"
                                          else [])]
            return berita_rounds(corpus, args.berita_cmd, *common, samples[tool], extra,
                                 args.drop_caches, tool)
        if tool == "pelican":
            assert pelican is not None
            return pelican_rounds(corpus, pelican, *common, samples[tool], args.drop_caches)
        pagefind = args.pagefind_cmd if tool == "hugo-pagefind" else None
        return hugo_rounds(corpus, args.hugo_cmd, *common, samples[tool], pagefind,
                           args.drop_caches)

    take_turns(size, [(TOOLS[tool], rounds(tool)) for tool in args.tools])
    return [Row(size, TOOLS[tool], name, runs) for tool, by_name in samples.items()
            for name, runs in by_name.items() if runs]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    context = {"machine": machine(), "git": git()}
    pelican = ensure_pelican(PELICAN_VENV) if "pelican" in args.tools else None
    hugo = any(tool.startswith("hugo") for tool in args.tools)
    rows: list[Row] = []
    try:
        for size in args.sizes:
            rows += measure_size(size, args, pelican)
    finally:  # with what an interrupted run left: deleting it first would slow this one
        clear_aside(args.work.resolve())
    print()
    print(table(rows))
    if warning := busy_warning(rows):
        print(warning)
    size, found = targets(rows)
    print()
    print(report_targets(size, found))
    document = {
        "schema": 2,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "argv": sys.argv,
        **context,
        "load_average_end": os.getloadavg(),
        "berita": {"command": args.berita_cmd, "build_args": args.berita_args,
                   "version": output_of([*args.berita_cmd, "--version"])},
        "pelican": {"version": output_of([str(pelican), "--version"])} if pelican else None,
        "hugo": {"command": args.hugo_cmd, "version": output_of([*args.hugo_cmd, "version"])}
        if hugo else None,
        "pagefind": {"command": args.pagefind_cmd, "args": list(PAGEFIND_ARGS),
                     "version": output_of([*args.pagefind_cmd, "--version"])}
        if "hugo-pagefind" in args.tools else None,
        "options": {"sizes": args.sizes, "repeat": args.repeat, "seed": args.seed,
                    "interval": args.interval, "drop_caches": args.drop_caches,
                    "tools": [TOOLS[tool] for tool in args.tools]},
        "results": [{"size": row.size, "tool": row.tool, "scenario": row.scenario,
                     "median": {name: row.median(name) for name in asdict(row.samples[0])},
                     "samples": [asdict(sample) for sample in row.samples]} for row in rows],
        "targets": {"size": size, "checks": [asdict(target) for target in found]},
    }
    path = args.json or default_json(context["git"]["commit"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nresults: {path}")
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
