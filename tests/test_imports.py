"""The modules of generator/ import one another without cycles, and a no-op build does not
import the heavy libraries.

The graph is read from the source with `ast`, not from an import: an import inside a
function counts as much as one at the top of a module (it is a cycle all the same, only
a later one), and so does the implicit import of a module's package. An import under
`if TYPE_CHECKING:` does not count: it never runs.
"""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = "generator"
ROOT = Path(__file__).parent.parent / PACKAGE

Graph = dict[str, dict[str, int]]
"""module -> {imported module: line of its first import}."""


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> source file of every module of the package under `root`."""
    found = {}
    for file in sorted(root.rglob("*.py")):
        parts = list(file.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = file
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` blocks (not their `else:`)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            for statement in node.body:
                skipped.update(id(inner) for inner in ast.walk(statement))
    return skipped


def import_graph(root: Path = ROOT) -> Graph:
    """Every module's imports of other modules of the package, wherever they are made."""
    modules = module_files(root)

    def owner(name: str) -> str | None:
        """The module `name` is, or is in (for `from generator.x import y`)."""
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: Graph = {}
    for name, file in modules.items():
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        skipped = _type_checking_only(tree)
        package = name if file.name == "__init__.py" else name.rpartition(".")[0]
        edges: dict[str, int] = {}

        def add(target: str | None, line: int, edges: dict[str, int] = edges) -> None:
            # Importing a.b.c runs a/__init__ and a/b/__init__ first.
            while target:
                edges.setdefault(target, line)
                target = target.rpartition(".")[0]

        # Being imported, a module's packages are imported first.
        add(package if package != name else name.rpartition(".")[0], 0)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == PACKAGE:
                        add(owner(alias.name), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if source.split(".")[0] != PACKAGE:
                    continue
                add(owner(source), node.lineno)
                for alias in node.names:  # `from generator import make` imports a module
                    if f"{source}.{alias.name}" in modules:
                        add(f"{source}.{alias.name}", node.lineno)
        edges.pop(name, None)
        graph[name] = edges
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle of the graph, as [a, b, ..., a], or None when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.get(module, {})):
            if state.get(imported) == 1:
                return [*path[path.index(imported):], imported]
            if imported not in state and (found := visit(imported)) is not None:
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


def describe(cycle: list[str], graph: Graph) -> str:
    return "\n".join(f"  {a} imports {b} (line {graph[a][b]})"
                     for a, b in itertools.pairwise(cycle))


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle) + "\n" + describe(cycle, graph)


def test_the_graph_sees_imports_inside_functions() -> None:
    """The lazy import of make in build._run is an edge: so make may not import build."""
    graph = import_graph()
    assert "generator.make" in graph["generator.build"]
    assert "generator.build" not in graph["generator.make"]


def test_a_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from generator import b\n")
    (package / "b.py").write_text("def f():\n    from generator.sub.c import g\n")
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from generator import b\n"
        "def g():\n    from .. import a\n")
    graph = import_graph(package)
    cycle = find_cycle(graph)
    assert cycle == ["generator.a", "generator.b", "generator.sub.c", "generator.a"], cycle
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from generator import a\n")
    assert find_cycle(import_graph(package)) is None


@pytest.mark.parametrize("module", ["generator.build", "generator.cli"])
def test_a_no_op_build_imports_no_heavy_library(module: str) -> None:
    """What a no-op build runs needs neither Jinja, Markdown, lxml nor Pillow (build._run
    imports make, and so them, only when there is something to build)."""
    heavy = ("jinja2", "markdown", "lxml", "PIL", "generator.make")
    code = (f"import sys, {module}\n"
            f"print(' '.join(sorted(m for m in sys.modules if m.startswith({heavy!r}))))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT.parent, check=True,
                            capture_output=True, text=True).stdout.split()
    assert loaded == []


STAGES = ("content", "markup", "model", "pages", "render")
MACHINERY = ("generator.incremental", "generator.staging", "generator.make",
             "generator.build")


@pytest.mark.parametrize("stage", STAGES)
def test_the_stages_know_nothing_of_caching(stage: str) -> None:
    """A stage imports neither the machinery that skips work nor the one that stages the
    output, not even through another module: a cold build is the stages with every memo
    missing."""
    graph = import_graph()
    reached, todo = set(), [f"{PACKAGE}.{stage}"]
    while todo:
        module = todo.pop()
        for imported in graph.get(module, {}):
            if imported not in reached:
                reached.add(imported)
                todo.append(imported)
    assert not {m for m in reached if m.startswith(MACHINERY)}


def test_the_build_shows_its_stage_order_in_one_function() -> None:
    """make.make: one call a stage, short enough to read at once."""
    import inspect

    from generator import make

    assert len(inspect.getsource(make.make).splitlines()) <= 60
