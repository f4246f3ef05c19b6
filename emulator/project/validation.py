"""The deployer's checks of project.yml, with its messages and the key path of the bad key.

As in the deployer, a key whose value is falsy (`false`, `''`, `0`, `null`) is not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.namespace.entities import (
    MAX_LOGS_MB,
    MAX_MEMORY_MB,
    MAX_TIMEOUT_MS,
    MIN_MEMORY_MB,
    MIN_TIMEOUT_MS,
)
from emulator.namespace.naming import DEFAULT_PACKAGE
from emulator.namespace.runtimes import UnknownKind, resolve_kind
from emulator.project.jsvalues import is_dictionary, is_falsy, is_number, typeof
from emulator.project.project_error import ProjectError
from emulator.project.trigger_clauses import check_triggers

# Accepted without checks only in a remote-build slice's project.yml.
SLICE_KEYS = frozenset({"credentials", "flags", "deployerAnnotation", "buildEnv"})
FORBIDDEN_ANNOTATIONS = {
    "require-whisk-auth": "webSecure",
    "web-export": 'web=true|false|"raw"',
    "raw-http": "web=raw",
}
# limit → (lowest, highest, OpenWhisk's noun, unit)
_LIMIT_RANGES = {
    "timeout": (MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, "duration", "milliseconds"),
    "memory": (MIN_MEMORY_MB, MAX_MEMORY_MB, "memory size", "MB"),
    "logs": (0, MAX_LOGS_MB, "log size", "MB"),
}


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _is_web_value(value: Any) -> bool:
    return isinstance(value, bool) or value == "raw"


def _is_sequence(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], str)


# function key → (does the value fit, the deployer's message when it does not)
_FUNCTION_SHAPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    **{
        key: (_is_string, f"'{key}' member of a function must be a string")
        for key in ("name", "file", "runtime", "main", "docker")
    },
    **{
        key: (_is_boolean, f"'{key}' member of a function must be a boolean")
        for key in ("binary", "remoteBuild", "localBuild")
    },
    "sequence": (
        _is_sequence,
        "'sequence' member of a function must be an array of one or more strings naming functions",
    ),
    "web": (_is_web_value, "web member of a function must be a boolean or the string 'raw'"),
    "webSecure": (
        _is_string,
        "'webSecure' member of a function must be a boolean false or a string",
    ),
    "environment": (is_dictionary, "environment must be a dictionary"),
    "annotations": (is_dictionary, "annotations must be a dictionary"),
    "parameters": (is_dictionary, "parameters must be a dictionary"),
}
# Function keys whose value is a clause with checks of its own.
_FUNCTION_CLAUSES = frozenset({"limits", "triggers"})


def functions_key(package: dict[str, Any]) -> str | None:
    """Which spelling holds the package's functions: `functions` wins over legacy `actions`."""
    if not is_falsy(package.get("functions")):
        return "functions"
    return "actions" if "actions" in package else None


def validate_config(config: dict[str, Any]) -> None:
    """Raise ProjectError for the first thing the deployer (or the platform) would refuse."""
    in_slice = not is_falsy(config.get("slice"))
    for key, value in config.items():
        if is_falsy(value) or key == "slice" or (key in SLICE_KEYS and in_slice):
            continue
        if key == "packages":
            if not isinstance(value, list):
                raise ProjectError("packages member must be an array", key_path=key)
            for index, package in enumerate(value):
                _check_package(package, f"packages[{index}]", in_slice)
        elif key in ("parameters", "environment"):
            if not is_dictionary(value):
                raise ProjectError(f"{key} member must be a dictionary", key_path=key)
        elif key == "targetNamespace":
            if not (isinstance(value, str) or _is_ownership(value)):
                message = (
                    f"{key} must be a string or a dictionary containing "
                    "'test' and/or 'production' members"
                )
                raise ProjectError(message, key_path=key)
        else:
            raise ProjectError(f"Invalid key '{key}' found in project.yml", key_path=key)


def _is_ownership(value: Any) -> bool:
    return is_dictionary(value) and any(
        isinstance(value.get(k), str) for k in ("test", "production")
    )


def _check_package(package: Any, path: str, in_slice: bool) -> None:
    if not is_dictionary(package):
        raise ProjectError("an individual package must be a dictionary", key_path=path)
    is_default = package.get("name") == DEFAULT_PACKAGE
    listed = functions_key(package)
    for key, value in package.items():
        if is_falsy(value) or (key == "deployedDuringBuild" and in_slice):
            continue
        if key in ("functions", "actions"):
            if key == listed:
                _check_functions(value, f"{path}.{key}")
        else:
            _check_package_key(key, value, f"{path}.{key}", is_default)
    if not package.get("name"):
        raise ProjectError("the 'name' member of a 'package' is required", key_path=path)


def _check_package_key(key: str, value: Any, path: str, is_default: bool) -> None:
    if key == "name":
        if not isinstance(value, str):
            raise ProjectError("'name' member of a 'package' must be a string", key_path=path)
    elif key == "shared":
        if not isinstance(value, bool):
            raise ProjectError("'shared' member of a 'package' must be a boolean", key_path=path)
        if is_default:
            message = "'shared' must be absent or false for the default package"
            raise ProjectError(message, key_path=path)
    elif key == "web":
        if not _is_web_value(value):
            message = "web member of an 'package' must be a boolean or the string 'raw'"
            raise ProjectError(message, key_path=path)
    elif key == "environment":
        _check_environment(value, path)
    elif key in ("parameters", "annotations"):
        _check_package_dictionary(key, value, path, is_default)
    elif key == "binding":
        _check_binding(value, path)
    else:
        message = f"Invalid key '{key}' found in 'package' in project.yml"
        raise ProjectError(message, key_path=path)


def _check_package_dictionary(key: str, value: Any, path: str, is_default: bool) -> None:
    if not is_dictionary(value):
        raise ProjectError(f"{key} must be a dictionary", key_path=path)
    if is_default and value:
        message = f"'{key}' must be absent or empty for the default package"
        raise ProjectError(message, key_path=path)


def _check_binding(value: Any, path: str) -> None:
    if not (
        is_dictionary(value)
        and isinstance(value.get("namespace"), str)
        and isinstance(value.get("name"), str)
        and value["namespace"]
        and value["name"]
    ):
        message = "binding information is incomplete: namespace and package name are both required"
        raise ProjectError(message, key_path=path)


def _check_functions(functions: Any, path: str) -> None:
    if not isinstance(functions, list):
        raise ProjectError("functions member of a 'package' must be an array", key_path=path)
    for index, function in enumerate(functions):
        _check_function(function, f"{path}[{index}]")


def _check_function(function: Any, path: str) -> None:
    if not is_dictionary(function):
        raise ProjectError("an individual function must be a dictionary", key_path=path)
    for key, value in function.items():
        if not is_falsy(value):
            _check_function_key(key, value, f"{path}.{key}")
    if not function.get("name"):
        raise ProjectError("the 'name' member of a function is required", key_path=path)
    if function.get("remoteBuild") and function.get("localBuild"):
        message = f"Local and remote building cannot both be required (function {function['name']})"
        raise ProjectError(message, key_path=path)


def _check_function_key(key: str, value: Any, path: str) -> None:
    if key not in _FUNCTION_SHAPES and key not in _FUNCTION_CLAUSES:
        message = f"Invalid key '{key}' found in 'functions' clause in project.yml"
        raise ProjectError(message, key_path=path)
    if key == "environment":
        _check_environment(value, path)
    shape = _FUNCTION_SHAPES.get(key)
    if shape is not None and not shape[0](value):
        raise ProjectError(shape[1], key_path=path)
    if key == "runtime":
        _check_runtime(value, path)
    elif key in ("environment", "annotations"):
        # The deployer screens environment names for the forbidden annotations too.
        _screen_annotations(value, path)
    elif key == "limits":
        _check_limits(value, path)
    elif key == "triggers":
        check_triggers(value, path)


def _check_runtime(runtime: str, path: str) -> None:
    try:
        resolve_kind(runtime)
    except UnknownKind:
        raise ProjectError(f"'{runtime}' is not a valid runtime value", key_path=path) from None


def _check_environment(environment: Any, path: str) -> None:
    if not is_dictionary(environment):
        raise ProjectError("the environment clause must be a dictionary", key_path=path)
    for name, value in environment.items():
        if not isinstance(value, str):
            message = (
                f"All environment values must be strings but '{name}' has type '{typeof(value)}'"
            )
            raise ProjectError(message, key_path=f"{path}.{name}")


def _screen_annotations(annotations: dict[str, Any], path: str) -> None:
    for name in annotations:
        instead = FORBIDDEN_ANNOTATIONS.get(name)
        if instead:
            message = f"the '{name}' annotation may not be set explicitly; use '{instead}'"
            raise ProjectError(message, key_path=f"{path}.{name}")


def _check_limits(limits: Any, path: str) -> None:
    if not is_dictionary(limits):
        raise ProjectError("limits must be a dictionary", key_path=path)
    for name, value in limits.items():
        at = f"{path}.{name}"
        if name not in _LIMIT_RANGES:
            message = f"Invalid key '{name}' found in 'limits' clause in project.yml"
            raise ProjectError(message, key_path=at)
        if not is_number(value):
            message = f"'{name}' member of a 'limits' clause must be a number"
            raise ProjectError(message, key_path=at)
        _check_limit_range(name, value, at)


def _check_limit_range(name: str, value: float, path: str) -> None:
    """The platform's own refusal (OpenWhisk's wording), which a deploy would meet."""
    low, high, noun, unit = _LIMIT_RANGES[name]
    shown = int(value) if float(value).is_integer() else value
    if value < low:
        message = f"{noun} {shown} {unit} below allowed threshold of {low} {unit}"
        raise ProjectError(message, key_path=path)
    if not value <= high:  # NaN included
        message = f"{noun} {shown} {unit} exceeds allowed threshold of {high} {unit}"
        raise ProjectError(message, key_path=path)
