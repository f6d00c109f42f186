"""The code's shape: no import circles, and no package reaching into another's private module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("data", "objectives", "studies", "benchmarks")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports() -> dict[str, set[str]]:
    """Each project module -> the project modules it imports (anywhere in the file)."""
    modules = {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from package import submodule`` imports the submodule, not a name of the
                # package's __init__.
                submodules = [f"{node.module}.{alias.name}" for alias in node.names]
                names = [alias for alias in submodules if alias not in modules]
                targets = [m for m in submodules if m in modules] + ([node.module] if names else [])
            else:
                continue
            found.update(target for target in targets if target in modules)
        graph[name] = found - {name}
    return graph


def test_no_module_imports_a_private_module_of_another_package() -> None:
    offences = []
    for module, targets in imports().items():
        own = module if (ROOT / module.replace(".", "/")).is_dir() else module.rsplit(".", 1)[0]
        for target in targets:
            parts = target.split(".")
            private = [i for i, part in enumerate(parts) if part.startswith("_")]
            if private and ".".join(parts[: private[0]]) != own:
                offences.append(f"{module} imports {target}")
    assert not offences, offences


def test_no_import_circles() -> None:
    graph = imports()
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        seen[module] = len(stack)
        stack.append(module)
        for target in graph.get(module, ()):
            if target in stack:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in seen:
                visit(target)
        stack.pop()

    for module in sorted(graph):
        if module not in seen:
            visit(module)
    assert not cycles, cycles


#: The folders from the bottom up (docs/design.md, "The folders"): a module imports from its own
#: layer or the layers below it, never from a layer above. A name is a package or module prefix.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("objectives",),
    ("data",),
    ("studies.trials", "studies.choices"),
    ("studies.cli",),
    ("studies.settings",),
    ("studies.saved",),
    ("studies.run",),
    ("studies.report",),
    ("studies._command", "studies.flags", "studies.heart", "studies.tabular", "studies.predict",
     "studies.export", "studies.dashboard", "studies"),
    ("benchmarks",),
)  # fmt: skip

#: Inside the report, from the bottom up: the stored studies read once and the figure registry;
#: the tables; the plots (each an info function and two drawers); the sentences; the report's
#: contents computed; the page; and on top the folder's owned files, the dashboard notes and
#: what writes them all.
REPORT_LAYERS: tuple[tuple[str, ...], ...] = (
    ("studies.report.views", "studies.report.figures"),
    ("studies.report.tables",),
    ("studies.report.plots",),
    ("studies.report.words",),
    ("studies.report.contents",),
    ("studies.report.page",),
    ("studies.report",),
)


def layer_of(module: str, layers: tuple[tuple[str, ...], ...]) -> int | None:
    """The layer whose longest name is a prefix of ``module`` (None: no layer names it)."""
    found = [
        (len(name), index)
        for index, names in enumerate(layers)
        for name in names
        if module == name or module.startswith(f"{name}.")
    ]
    return max(found)[1] if found else None


def upward(layers: tuple[tuple[str, ...], ...]) -> list[str]:
    offences = []
    for module, targets in imports().items():
        mine = layer_of(module, layers)
        for target in targets:
            theirs = layer_of(target, layers)
            if mine is not None and theirs is not None and theirs > mine:
                offences.append(f"{module} imports {target}, a layer above it")
    return offences


def test_nothing_imports_upward() -> None:
    assert not upward(LAYERS)


def test_the_report_composes_from_the_bottom_up() -> None:
    assert not upward(REPORT_LAYERS)


def test_every_module_is_in_a_layer() -> None:
    assert [m for m in imports() if layer_of(m, LAYERS) is None] == []
