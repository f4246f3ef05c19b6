"""The legacy and empty forms real project.yml files contain: accepted where the deployer
accepts them, refused with its message where it refuses them."""

from __future__ import annotations

import pytest

PY = "def main(args):\n    return {}\n"


def _function(**keys: str) -> dict[str, str]:
    entries = ", ".join(f"{key}: {value}" for key, value in keys.items())
    yml = f"packages: [{{name: p, functions: [{{name: f, {entries}}}]}}]"
    return {"project.yml": yml, "packages/p/f.py": PY}


def _only(project):
    (action,) = project.actions
    return action


def test_actions_is_the_legacy_spelling_of_functions(load):
    yml = "packages: [{name: p, actions: [{name: f, web: false, parameters: {n: 1}}]}]"
    action = _only(load({"project.yml": yml, "packages/p/f.py": PY}))
    assert action.annotations.get("web-export") is False
    assert action.parameters[0].value == 1


def test_functions_wins_over_actions_when_both_are_there(load):
    yml = (
        "packages: [{name: p, functions: [{name: f, web: false}], "
        "actions: [{name: f, web: raw, bogus: 1}]}]"
    )
    action = _only(load({"project.yml": yml, "packages/p/f.py": PY}))
    assert action.annotations.get("web-export") is False


def test_actions_is_used_when_functions_is_null(load):
    yml = "packages: [{name: p, functions: null, actions: [{name: f, web: false}]}]"
    action = _only(load({"project.yml": yml, "packages/p/f.py": PY}))
    assert action.annotations.get("web-export") is False


def test_an_empty_main_and_runtime_leave_the_defaults(load):
    exec_ = _only(load(_function(main="''", runtime="''", binary="false"))).exec
    assert (exec_.kind, exec_.main, exec_.binary) == ("python:3.11", "main", False)


@pytest.mark.parametrize("empty", ["{}", "null", "''", "false"])
@pytest.mark.parametrize("key", ["parameters", "environment", "annotations", "limits"])
def test_empty_or_falsy_dictionaries_of_a_function_bind_nothing(load, key, empty):
    action = _only(load(_function(**{key: empty})))
    assert action.parameters == ()
    assert action.limits.timeout == 3000


@pytest.mark.parametrize("empty", ["{}", "null"])
def test_empty_dictionaries_of_a_package_and_the_project_are_accepted(load, empty):
    yml = (
        f"parameters: {empty}\nenvironment: {empty}\n"
        f"packages: [{{name: p, parameters: {empty}, environment: {empty}, "
        f"annotations: {empty}}}, {{name: default, parameters: {empty}, "
        f"environment: {empty}, annotations: {empty}}}]"
    )
    project = load({"project.yml": yml, "packages/p/f.py": PY, "packages/default/top.py": PY})
    assert sorted(a.path for a in project.actions) == ["p/f", "top"]
    assert project.packages[0].parameters == ()


@pytest.mark.parametrize(
    "yml",
    [
        "cleanNamespace: false\nbucket: ''\ntargetNamespace: ''\nactionWrapPackage: ''\n"
        "packages: [{name: p}]",
        "packages: [{name: p, clean: false, shared: false, binding: null}]",
        "packages: [{name: p, functions: [{name: f, clean: false, webSecure: false, docker: ''}]}]",
    ],
    ids=["project", "package", "function"],
)
def test_falsy_legacy_keys_are_skipped(load, yml):
    assert [a.path for a in load({"project.yml": yml, "packages/p/f.py": PY}).actions] == ["p/f"]


@pytest.mark.parametrize(
    ("yml", "message", "key_path"),
    [
        (
            "cleanNamespace: true",
            "Invalid key 'cleanNamespace' found in project.yml",
            "cleanNamespace",
        ),
        ("bucket: {strip: 1}", "Invalid key 'bucket' found in project.yml", "bucket"),
        (
            "packages: [{name: p, clean: true}]",
            "Invalid key 'clean' found in 'package' in project.yml",
            "packages[0].clean",
        ),
        (
            "packages: [{name: p, actions: [{name: f, clean: true}]}]",
            "Invalid key 'clean' found in 'functions' clause in project.yml",
            "packages[0].actions[0].clean",
        ),
        (
            "packages: [{name: p, actions: [{name: f, binary: 'no'}]}]",
            "'binary' member of a function must be a boolean",
            "packages[0].actions[0].binary",
        ),
        (
            "packages: [{name: p, actions: [{name: f, limits: {timeout: null}}]}]",
            "'timeout' member of a 'limits' clause must be a number",
            "packages[0].actions[0].limits.timeout",
        ),
        (
            "packages: [{name: p, actions: [{name: f, parameters: []}]}]",
            "parameters must be a dictionary",
            "packages[0].actions[0].parameters",
        ),
        (
            "packages: [{name: p, actions: {name: f}}]",
            "functions member of a 'package' must be an array",
            "packages[0].actions",
        ),
    ],
)
def test_truthy_legacy_keys_and_wrong_types_are_refused_with_the_deployers_message(
    refused, yml, message, key_path
):
    error = refused({"project.yml": yml, "packages/p/f.py": PY})
    assert (error.problem, error.key_path) == (message, key_path)


def test_a_null_web_makes_a_function_private_as_the_deployer_does(load):
    # The deployer gives the package's (or the default) web only to an absent `web`.
    action = _only(load(_function(web="null")))
    assert action.annotations.get("web-export") is False
