"""What a project.yml may not be, however valid its YAML: a document that refers to itself,
expands past any real configuration through aliases (the "billion laughs"), nests deeper
than JSON may (emulator.namespace.nesting), or holds a number no JavaScript number can be.

Checked on the composed nodes, before anything is built of them: an alias is one node met
twice, so the expanded size is counted without expanding it, and a line number is at hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import yaml

from emulator.namespace.nesting import MAX_DEPTH
from emulator.project.project_error import ProjectError

# Far more values than any project holds (a thousand functions are some tens of thousands),
# far fewer than aliases nested a few levels deep can make.
MAX_VALUES = 1_000_000
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass(slots=True)
class _Extent:
    values: int
    depth: int


def check_nodes(root: yaml.Node, loader: yaml.constructor.SafeConstructor) -> None:
    """ProjectError for the first thing about the document that no deploy could carry."""
    done: dict[int, _Extent] = {}
    # Iterative, children before parents: (node, whether its children are done).
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            done[key] = _extent(node, done)
            _check_extent(done[key], node)
            continue
        if key in done:
            continue
        if key in on_path:
            raise ProjectError(f"an alias refers to a value that holds it {_at(node)}")
        if isinstance(node, yaml.ScalarNode):
            _check_number(node, loader)
            done[key] = _Extent(1, 0)
            continue
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _extent(node: yaml.Node, done: dict[int, _Extent]) -> _Extent:
    children = [done[id(child)] for child in _children(node)]
    return _Extent(
        1 + sum(child.values for child in children),
        1 + max((child.depth for child in children), default=0),
    )


def _check_extent(extent: _Extent, node: yaml.Node) -> None:
    if extent.depth > MAX_DEPTH:
        raise ProjectError(f"the configuration nests deeper than {MAX_DEPTH} levels")
    if extent.values > MAX_VALUES:
        raise ProjectError(
            f"aliases expand the configuration to more than {MAX_VALUES} values {_at(node)}"
        )


def _check_number(node: yaml.ScalarNode, loader: yaml.constructor.SafeConstructor) -> None:
    """A number the deployer's JavaScript would read as Infinity (or NaN) cannot be sent."""
    if node.tag not in (_INT_TAG, _FLOAT_TAG):
        return
    value = loader.construct_object(node)
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        shown = node.value if len(node.value) <= 20 else f"{node.value[:20]}…"
        raise ProjectError(
            f"the number {shown} {_at(node)} is not one JSON can carry "
            "(JavaScript reads it as Infinity or NaN)"
        )


def _at(node: yaml.Node) -> str:
    mark = node.start_mark
    return f"at line {mark.line + 1}, column {mark.column + 1}"
