"""The package's layers: imports point down, never up, and no module imports itself back.

Read from the source with `ast`, so every import counts: those inside functions and those
under TYPE_CHECKING too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO

PACKAGE = REPO / "emulator"
# Lowest first. A module may import its own layer's modules and those of lower layers.
LAYERS: dict[str, int] = {
    "emulator": 0,  # the package's face: its version
    "emulator.settings": 0,
    "emulator.namespace": 0,  # the emulated platform: values, rules, services
    "emulator.store": 1,
    "emulator.project": 1,
    "emulator.web_functions": 1,
    "emulator.invoker": 2,
    "emulator.builder": 3,  # the platform's builder functions: project, invoker and namespace
    "emulator.services": 3,
    "emulator.replay": 3,  # replaying activations: over the services, below HTTP
    "emulator.metrics": 3,  # the figures: over the services, below HTTP
    "emulator.reloader": 4,
    "emulator.api": 4,
    "emulator.dashboard": 5,
    "emulator.app": 6,
    "emulator.client": 6,
    "emulator.cli": 7,
    "emulator.pytest_plugin": 7,
    "emulator.__main__": 8,
}
# Layers that must not reach one another although neither is above the other.
STRANGERS = [
    ("emulator.store", "emulator.project"),
    ("emulator.store", "emulator.web_functions"),
    ("emulator.project", "emulator.web_functions"),
    ("emulator.reloader", "emulator.api"),
    ("emulator.app", "emulator.client"),
    ("emulator.cli", "emulator.pytest_plugin"),
]
# The emulated platform knows nothing of HTTP, SQL or the terminal.
NAMESPACE_FORBIDS = ("aiohttp", "aiosqlite", "sqlite3", "click", "watchfiles", "yaml")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "shims" in path.parts:  # run inside the function's process, import nothing of ours
            continue
        yield module_name(path), path


def imported(name: str, path: Path) -> set[str]:
    """Every module `path` imports, absolute, as written."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from emulator.cli import doctl_output` imports a module too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    ours = dict(modules())
    return {
        name: {target for target in imported(name, path) if target in ours and target != name}
        for name, path in ours.items()
    }


def layer(module: str) -> str:
    return max((prefix for prefix in LAYERS if _within(module, prefix)), key=len)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_every_module_belongs_to_a_layer():
    assert [name for name, _ in modules() if not any(_within(name, p) for p in LAYERS)] == []


def test_no_module_imports_one_that_imports_it_back():
    edges = graph()
    cycles = _strongly_connected(edges)
    assert cycles == [], f"import cycles: {cycles}"


def test_imports_point_down_the_layers():
    upward = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if LAYERS[layer(target)] > LAYERS[layer(source)]
    ]
    assert upward == []


@pytest.mark.parametrize(("one", "other"), STRANGERS)
def test_sibling_layers_do_not_import_each_other(one: str, other: str):
    crossing = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if {layer(source), layer(target)} == {one, other}
    ]
    assert crossing == []


def test_the_namespace_has_no_http_sql_or_terminal_in_it():
    offending = [
        f"{name} imports {target}"
        for name, path in modules()
        if _within(name, "emulator.namespace")
        for target in imported(name, path)
        if target.split(".")[0] in NAMESPACE_FORBIDS
    ]
    assert offending == []


def test_the_checks_see_a_cycle_and_an_upward_import_when_there_is_one():
    # The detector itself: a made-up graph with both faults.
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [
        ["a", "b", "c"]
    ]
    assert LAYERS[layer("emulator.cli.banner")] > LAYERS[layer("emulator.store.codecs")]


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of two or more modules that reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups
