"""From substituted text to the configuration dictionary, as the deployer's js-yaml reads it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from emulator.namespace import nesting
from emulator.namespace.nesting import MAX_DEPTH
from emulator.project.project_error import ProjectError
from emulator.project.yaml_bounds import check_nodes

TABS = "YAML configuration may not contain tabs"
EMPTY = "configuration is empty or unparseable"
TOO_DEEP = f"the configuration nests deeper than {MAX_DEPTH} levels"

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with js-yaml's scalars: `yes`/`no`/`on`/`off` stay strings, and dates
    stay strings (js-yaml's Date objects reach the platform as JSON strings anyway). And, as
    js-yaml's safeLoad, it refuses a mapping that names a key twice (a merge key `<<` may
    bring keys that the mapping then names itself)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _check_unique_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> None:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            mark = key_node.start_mark
            # js-yaml's words, without the excerpt it prints under them.
            raise ProjectError(
                f"duplicated mapping key at line {mark.line + 1}, column {mark.column + 1}"
            )
        seen.add(key)


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_config(text: str, config_file: Path) -> dict[str, Any]:
    """The configuration as a dictionary; a `.json` file name means JSON."""
    try:
        if config_file.name.endswith(".json"):
            config = nesting.loads(text)
        elif "\t" in text:
            raise ProjectError(TABS)
        else:
            config = _load_yaml(text)
    except nesting.TooDeep:
        raise ProjectError(TOO_DEEP) from None
    except RecursionError:
        # The YAML reader recurses once per level: far past MAX_DEPTH it gives up first.
        raise ProjectError(TOO_DEEP) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise ProjectError(EMPTY) from exc
    if not isinstance(config, dict):
        raise ProjectError(EMPTY)
    return config


def _load_yaml(text: str) -> Any:
    """The document, checked as composed nodes before any value is built of them."""
    loader = _Yaml12Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node, loader)
        return loader.construct_document(node)
    finally:
        loader.dispose()
