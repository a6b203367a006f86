"""The package's layout: stages in order (data -> forecast -> assess -> report), no import circle,
modules of one job (about 500 lines at most), notebooks importing only what they use."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
STAGES = ("data", "forecast", "assess", "report")
MAX_LINES = 500


def module_name(path: Path) -> str:
    """Return the dotted module name of a file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path, top_level_only: bool) -> set[str]:
    """Return the analysis modules a file imports (module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("analysis"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("analysis")}
        elif isinstance(node, ast.If) and top_level_only:  # `if TYPE_CHECKING:` imports are not run
            continue
    return found


def stage_of(module: str) -> int:
    """Return the stage index of a module (the command line and package root come after every stage)."""
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else len(STAGES)


def test_every_module_belongs_to_a_stage_or_is_the_command_line() -> None:
    loose = [m for m in MODULES if stage_of(m) == len(STAGES) and m not in ("analysis", "analysis.cli", "analysis.__main__")]
    assert loose == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_stage_imports_only_itself_and_earlier_stages(module: str) -> None:
    later = sorted(m for m in imported_modules(MODULES[module], top_level_only=False) if stage_of(m) > stage_of(module))
    assert later == [], f"{module} (stage {stage_of(module)}) imports a later stage: {later}"


def test_no_import_circle_among_module_level_imports() -> None:
    graph = {m: {d for d in imported_modules(p, top_level_only=True) if d in MODULES and d != m} for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 1:
            raise AssertionError("import circle: " + " -> ".join(path + [node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in sorted(graph[node]):
            visit(dep, path + [node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small_and_say_what_they_do(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    generated = "do not edit by hand" in (ast.get_docstring(ast.parse(text)) or "")  # data written by a fit, not code
    assert generated or text.count("\n") <= MAX_LINES, f"{module}: {text.count(chr(10))} lines"
    assert ast.get_docstring(ast.parse(text)), f"{module} has no docstring"


def notebook_code(path: Path) -> list[str]:
    """Return the source of each code cell of a notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_import_only_what_they_use(notebook: Path) -> None:
    trees = [ast.parse(code) for code in notebook_code(notebook)]
    imported = {(a.asname or a.name).split(".")[0] for tree in trees for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
    used = {n.id for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert sorted(imported - used) == []
