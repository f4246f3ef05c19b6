"""project.yml is parsed and checked as the deployer does, with its messages and the key path
of the offending key."""

from __future__ import annotations

import textwrap

import pytest

from emulator.namespace.cron import is_valid_cron
from emulator.project import load_project
from emulator.project.project_error import ProjectError

ON_DISK = {"packages/p/f.py": "def main(args):\n    return {}\n"}


def in_package(body: str) -> str:
    return "packages:\n  - name: p\n" + textwrap.indent(textwrap.dedent(body), "    ")


def in_function(body: str) -> str:
    return in_package("functions:\n  - name: f\n" + textwrap.indent(textwrap.dedent(body), "    "))


def trigger(body: str) -> str:
    return in_function("triggers:\n  - " + textwrap.indent(textwrap.dedent(body), "    ").lstrip())


FN = "packages[0].functions[0]"
TRIGGER = f"{FN}.triggers[0]"

REFUSALS = [
    # top level
    ("packages: {a: 1}", "packages member must be an array", "packages"),
    ("parameters: [1]", "parameters member must be a dictionary", "parameters"),
    ("environment: text", "environment member must be a dictionary", "environment"),
    ("bucket: {strip: 1}", "Invalid key 'bucket' found in project.yml", "bucket"),
    ("cleanNamespace: true", "Invalid key 'cleanNamespace' found in project.yml", "cleanNamespace"),
    ("credentials: {a: 1}", "Invalid key 'credentials' found in project.yml", "credentials"),
    (
        "targetNamespace: [ns]",
        "targetNamespace must be a string or a dictionary containing 'test' and/or 'production' "
        "members",
        "targetNamespace",
    ),
    # packages
    ("packages: [text]", "an individual package must be a dictionary", "packages[0]"),
    ("packages: [{shared: true}]", "the 'name' member of a 'package' is required", "packages[0]"),
    ("packages: [{name: 5}]", "'name' member of a 'package' must be a string", "packages[0].name"),
    (
        in_package("functions: {f: 1}"),
        "functions member of a 'package' must be an array",
        "packages[0].functions",
    ),
    (
        in_package("actions: 5"),
        "functions member of a 'package' must be an array",
        "packages[0].actions",
    ),
    (
        in_package("shared: 'yes'"),
        "'shared' member of a 'package' must be a boolean",
        "packages[0].shared",
    ),
    (
        "packages: [{name: default, shared: true}]",
        "'shared' must be absent or false for the default package",
        "packages[0].shared",
    ),
    (
        in_package("web: sometimes"),
        "web member of an 'package' must be a boolean or the string 'raw'",
        "packages[0].web",
    ),
    (
        in_package("environment: [A]"),
        "the environment clause must be a dictionary",
        "packages[0].environment",
    ),
    (
        in_package("environment: {N: 5}"),
        "All environment values must be strings but 'N' has type 'number'",
        "packages[0].environment.N",
    ),
    (in_package("parameters: [1]"), "parameters must be a dictionary", "packages[0].parameters"),
    (
        in_package("annotations: text"),
        "annotations must be a dictionary",
        "packages[0].annotations",
    ),
    (
        "packages: [{name: default, parameters: {a: 1}}]",
        "'parameters' must be absent or empty for the default package",
        "packages[0].parameters",
    ),
    (
        "packages: [{name: default, annotations: {a: 1}}]",
        "'annotations' must be absent or empty for the default package",
        "packages[0].annotations",
    ),
    (
        in_package("binding: {namespace: other}"),
        "binding information is incomplete: namespace and package name are both required",
        "packages[0].binding",
    ),
    (
        in_package("clean: true"),
        "Invalid key 'clean' found in 'package' in project.yml",
        "packages[0].clean",
    ),
    # functions
    (in_package("functions: [f]"), "an individual function must be a dictionary", FN),
    (in_package("functions: [{web: true}]"), "the 'name' member of a function is required", FN),
    (in_function("runtime: 5"), "'runtime' member of a function must be a string", f"{FN}.runtime"),
    (in_function("main: [m]"), "'main' member of a function must be a string", f"{FN}.main"),
    (in_function("runtime: xyz"), "'xyz' is not a valid runtime value", f"{FN}.runtime"),
    (
        in_function("runtime: 'python:2.7'"),
        "'python:2.7' is not a valid runtime value",
        f"{FN}.runtime",
    ),
    (
        in_function("runtime: 'cobol:default'"),
        "'cobol:default' is not a valid runtime value",
        f"{FN}.runtime",
    ),
    (
        in_function("binary: 'yes'"),
        "'binary' member of a function must be a boolean",
        f"{FN}.binary",
    ),
    (
        in_function("web: yes"),  # YAML 1.2, as js-yaml reads it: `yes` is a string
        "web member of a function must be a boolean or the string 'raw'",
        f"{FN}.web",
    ),
    (
        in_function("webSecure: true"),
        "'webSecure' member of a function must be a boolean false or a string",
        f"{FN}.webSecure",
    ),
    (in_function("parameters: [1]"), "parameters must be a dictionary", f"{FN}.parameters"),
    (in_function("annotations: [1]"), "annotations must be a dictionary", f"{FN}.annotations"),
    (
        in_function("annotations: {raw-http: true}"),
        "the 'raw-http' annotation may not be set explicitly; use 'web=raw'",
        f"{FN}.annotations.raw-http",
    ),
    (
        in_function("annotations: {web-export: true}"),
        "the 'web-export' annotation may not be set explicitly; use 'web=true|false|\"raw\"'",
        f"{FN}.annotations.web-export",
    ),
    (
        in_function("annotations: {require-whisk-auth: secret}"),
        "the 'require-whisk-auth' annotation may not be set explicitly; use 'webSecure'",
        f"{FN}.annotations.require-whisk-auth",
    ),
    (
        in_function("environment: text"),
        "the environment clause must be a dictionary",
        f"{FN}.environment",
    ),
    (
        in_function("environment: {PORT: 8080}"),
        "All environment values must be strings but 'PORT' has type 'number'",
        f"{FN}.environment.PORT",
    ),
    (
        in_function("environment: {DEBUG: true}"),
        "All environment values must be strings but 'DEBUG' has type 'boolean'",
        f"{FN}.environment.DEBUG",
    ),
    (
        in_function("environment: {NOTHING: null}"),
        "All environment values must be strings but 'NOTHING' has type 'object'",
        f"{FN}.environment.NOTHING",
    ),
    (
        in_function("sequence: []"),
        "'sequence' member of a function must be an array of one or more strings naming functions",
        f"{FN}.sequence",
    ),
    (
        in_function("limits: {cpu: 1}"),
        "Invalid key 'cpu' found in 'limits' clause in project.yml",
        f"{FN}.limits.cpu",
    ),
    (
        in_function("limits: {timeout: 5s}"),
        "'timeout' member of a 'limits' clause must be a number",
        f"{FN}.limits.timeout",
    ),
    (
        in_function("limits: {memory: true}"),
        "'memory' member of a 'limits' clause must be a number",
        f"{FN}.limits.memory",
    ),
    (in_function("limits: 5"), "limits must be a dictionary", f"{FN}.limits"),
    (
        in_function("limits: {timeout: 950000}"),
        "duration 950000 milliseconds exceeds allowed threshold of 900000 milliseconds",
        f"{FN}.limits.timeout",
    ),
    (
        in_function("limits: {timeout: 50}"),
        "duration 50 milliseconds below allowed threshold of 100 milliseconds",
        f"{FN}.limits.timeout",
    ),
    (
        in_function("limits: {memory: 2048}"),
        "memory size 2048 MB exceeds allowed threshold of 1024 MB",
        f"{FN}.limits.memory",
    ),
    (
        in_function("limits: {memory: 64}"),
        "memory size 64 MB below allowed threshold of 128 MB",
        f"{FN}.limits.memory",
    ),
    (
        in_function("limits: {logs: 20}"),
        "log size 20 MB exceeds allowed threshold of 16 MB",
        f"{FN}.limits.logs",
    ),
    (
        in_function("limits: {logs: -1}"),
        "log size -1 MB below allowed threshold of 0 MB",
        f"{FN}.limits.logs",
    ),
    (
        in_function("clean: true"),
        "Invalid key 'clean' found in 'functions' clause in project.yml",
        f"{FN}.clean",
    ),
    (
        in_function("remoteBuild: true\nlocalBuild: true"),
        "Local and remote building cannot both be required (function f)",
        FN,
    ),
    # triggers
    (in_function("triggers: {t: 1}"), "a 'triggers' clause must be an array", f"{FN}.triggers"),
    (in_function("triggers: [t]"), "an individual trigger must be a dictionary", TRIGGER),
    (
        trigger("type: scheduled\nscheduledDetails: {cron: '* * * * *'}"),
        "the 'name' field of a trigger is required",
        TRIGGER,
    ),
    (
        trigger("name: 5"),
        "a trigger name must be a string but the provided type is'number'",
        f"{TRIGGER}.name",
    ),
    (
        trigger("name: t\ntype: cron"),
        "the trigger 'type' field must be 'SCHEDULED'",
        f"{TRIGGER}.type",
    ),
    (
        trigger("name: t\nsourceType: alarms"),
        "the trigger 'type' field must be 'SCHEDULED'",
        f"{TRIGGER}.sourceType",
    ),
    (
        trigger("name: t\nscheduledDetails: {cron: '* * * * *'}"),
        "the trigger 'type' field must be 'SCHEDULED'",
        TRIGGER,
    ),
    (
        trigger("name: t\ntype: SCHEDULED"),
        "the 'scheduledDetails' property of a trigger is required for type=\"SCHEDULED\"",
        TRIGGER,
    ),
    (
        trigger("name: t\ntype: scheduled\ninvalid: value"),
        "Invalid key 'invalid' found in 'triggers' clause in project.yml",
        f"{TRIGGER}.invalid",
    ),
    (
        trigger("name: t\ntype: scheduled\nenabled: 'no'"),
        "the 'enabled' property of a trigger must be boolean'",
        f"{TRIGGER}.enabled",
    ),
    (
        trigger("name: t\ntype: scheduled\nscheduledDetails: every minute"),
        "the 'scheduledDetails' property of a trigger must be a dictionary",
        f"{TRIGGER}.scheduledDetails",
    ),
    (
        trigger("name: t\ntype: scheduled\nscheduledDetails: {cron: '* * * *'}"),
        "the cron expression '* * * *' is not valid crontab syntax",
        f"{TRIGGER}.scheduledDetails.cron",
    ),
    (
        trigger("name: t\ntype: scheduled\nscheduledDetails: {body: {}}"),
        "the 'cron' member of scheduledDetails is required",
        f"{TRIGGER}.scheduledDetails",
    ),
    (
        trigger("name: t\ntype: scheduled\nscheduledDetails: {cron: '* * * * *', body: text}"),
        "the 'body' member of scheduledDetails must be a dictionary",
        f"{TRIGGER}.scheduledDetails.body",
    ),
    (
        trigger(
            "name: t\nsourceType: scheduler\nsourceDetails: {cron: '* * * * *', withBody: [1]}"
        ),
        "the 'body' member of scheduledDetails must be a dictionary",
        f"{TRIGGER}.sourceDetails.withBody",
    ),
    (
        trigger("name: t\ntype: scheduled\nscheduledDetails: {cron: '* * * * *', every: 5}"),
        "Invalid key 'every' found in scheduledDetails in project.yml",
        f"{TRIGGER}.scheduledDetails.every",
    ),
]


@pytest.mark.parametrize(
    ("yml", "message", "key_path"),
    REFUSALS,
    ids=[f"{key_path}: {message}" for _, message, key_path in REFUSALS],
)
def test_each_bad_value_is_refused_with_the_deployers_message_and_its_key_path(
    refused, yml, message, key_path
):
    error = refused({"project.yml": yml, **ON_DISK})
    assert (error.problem, error.key_path) == (message, key_path)
    assert str(error).startswith(f"Invalid project configuration file (project.yml): {message}")


def test_the_first_problem_is_the_one_reported(refused):
    yml = in_function("runtime: xyz\nmain: 5")
    assert refused({"project.yml": yml, **ON_DISK}).key_path == f"{FN}.runtime"


@pytest.mark.parametrize(
    "yml",
    [
        "cleanNamespace: false\nbucket: null\npackages:\n  - name: p\n    clean: false\n",
        in_function("clean: false\nmain: ''\nruntime: ''\nbinary: 0\nsequence: null"),
        in_function("webSecure: false\nweb: false"),
        "slice: true\ncredentials: {token: x}\nflags: {}\n"
        "packages: [{name: p, deployedDuringBuild: true}]",
        "targetNamespace: {production: fn-abc}\npackages: [{name: default, shared: false}]",
        in_package("binding: {namespace: other, name: shared}"),
    ],
    ids=[
        "legacy-falsy-keys",
        "empty-function-keys",
        "web-off",
        "slice-keys",
        "ownership",
        "binding",
    ],
)
def test_falsy_values_and_accepted_keys_pass(load, yml):
    load({"project.yml": yml, **ON_DISK})


def test_legacy_actions_and_current_functions_are_both_read(load):
    yml = """\
        packages:
          - name: p
            actions: [{name: f, limits: {timeout: 1000}}]
          - name: q
            functions: [{name: g, limits: {timeout: 2000}}]
        """
    files = {"project.yml": yml, **ON_DISK, "packages/q/g.py": "def main(a): return a\n"}
    timeouts = {a.path: a.limits.timeout for a in load(files).actions}
    assert timeouts == {"p/f": 1000, "q/g": 2000}


def test_a_tab_is_refused(refused):
    error = refused({"project.yml": "packages:\n\t- name: p\n"})
    assert (error.problem, error.key_path) == ("YAML configuration may not contain tabs", None)


@pytest.mark.parametrize(
    "text", ["", "# only a comment\n", "packages: [\n", "just a string\n", "- a list\n"]
)
def test_an_empty_or_unparseable_configuration_is_refused(refused, text):
    error = refused({"project.yml": text})
    assert (error.problem, error.key_path) == ("configuration is empty or unparseable", None)


def test_anchors_and_merge_keys_work(load):
    yml = """\
        packages:
          - name: p
            functions:
              - &base
                name: f
                limits: {timeout: 5000}
              - <<: *base
                name: g
        """
    files = {"project.yml": yml, **ON_DISK, "packages/p/g.py": "def main(a): return a\n"}
    assert {a.name: a.limits.timeout for a in load(files).actions} == {"f": 5000, "g": 5000}


def test_a_json_file_is_parsed_as_json_and_may_contain_tabs(make_project):
    config = '{\n\t"packages": [{"name": "p", "functions": [{"name": "f", "main": "run"}]}]\n}'
    config_file = make_project({"project.json": config, **ON_DISK}).with_name("project.json")
    project = load_project(config_file, namespace="fn-test", environ={})
    assert [a.exec.main for a in project.actions] == ["run"]


def test_invalid_json_is_unparseable(make_project):
    config_file = make_project({"project.json": "{packages: []}"}).with_name("project.json")
    with pytest.raises(ProjectError) as caught:
        load_project(config_file, namespace="fn-test", environ={})
    assert caught.value.problem == "configuration is empty or unparseable"


def test_validation_comes_before_unresolved_substitutions(refused):
    yml = in_function("runtime: xyz\nmain: ${NOPE}")
    assert refused({"project.yml": yml, **ON_DISK}).problem == "'xyz' is not a valid runtime value"


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * *",
        "*/5 * * * *",
        "0 0 1 1 0",
        "0-59/15 0-23 1-31 1-12 0-6",
        "5,10,15 1-3 * * 1-5",
        "59 23 31 12 6",
        "  0   12 * * *  ",
        "7/10 * * * *",
    ],
)
def test_standard_crontab_expressions_are_valid(expression):
    assert is_valid_cron(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "* * * *",
        "0 * * * * *",
        "@hourly",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 0 *",
        "* * * 13 *",
        "* * * * 7",
        "* * * jan *",
        "* * * * mon",
        "? * * * *",
        "5-1 * * * *",
        "1-2-3 * * * *",
        "*/ * * * *",
        "*/0 * * * *",
        "1/2/3 * * * *",
        "1,,2 * * * *",
        "L * * * *",
    ],
)
def test_aliases_seconds_and_out_of_range_values_are_not_valid_cron(expression):
    assert not is_valid_cron(expression)
