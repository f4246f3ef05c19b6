"""From substituted text to the configuration dictionary, as the deployer's js-yaml reads it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from emulator.project.project_error import ProjectError

TABS = "YAML configuration may not contain tabs"
EMPTY = "configuration is empty or unparseable"

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with js-yaml's scalars: `yes`/`no`/`on`/`off` stay strings, and dates
    stay strings (js-yaml's Date objects reach the platform as JSON strings anyway)."""


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
            config = json.loads(text)
        elif "\t" in text:
            raise ProjectError(TABS)
        else:
            config = yaml.load(text, Loader=_Yaml12Loader)
    except (yaml.YAMLError, ValueError) as exc:
        raise ProjectError(EMPTY) from exc
    if not isinstance(config, dict):
        raise ProjectError(EMPTY)
    return config
