"""load_project gives the packages, actions and triggers a deploy leaves on the platform."""

from __future__ import annotations

import os

import pytest

from emulator.namespace.entities import (
    DEFAULT_LOGS_MB,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_MS,
    Limits,
    Parameter,
    ScheduledTrigger,
)
from emulator.project import Project, load_project
from emulator.project.project_error import ProjectError

PY = "def main(args):\n    return args\n"
NOW = 1_700_000_000_000


def only_action(project: Project):
    (action,) = project.actions
    return action


def test_a_real_package_carries_project_and_package_parameters_and_environment(load):
    yml = """\
        parameters: {region: ams3, level: project}
        environment: {TOKEN: from-project, MODE: project}
        packages:
          - name: api
            shared: true
            parameters: {level: package}
            environment: {MODE: package}
            annotations: {owner: team}
        """
    project = load({"project.yml": yml, "packages/api/f.py": PY}, now_ms=NOW)
    (package,) = project.packages
    assert (package.namespace, package.name, package.publish, package.updated) == (
        "fn-test",
        "api",
        True,
        NOW,
    )
    assert package.parameters == (
        Parameter("region", "ams3"),
        Parameter("level", "package"),
        Parameter("TOKEN", "from-project", init=True),
        Parameter("MODE", "package", init=True),
    )
    assert package.annotations.as_json() == [{"key": "owner", "value": "team"}]
    # Package values stay on the package; the platform merges them at invoke time.
    assert only_action(project).parameters == ()


def test_a_package_found_only_on_disk_is_private_and_bare(load):
    (package,) = load({"packages/p/f.py": PY}).packages
    assert (package.publish, package.parameters, package.annotations.items) == (False, (), ())


def test_an_action_is_what_the_platform_stores_after_a_deploy(load):
    yml = """\
        packages:
          - name: p
            functions:
              - name: f
                parameters: {greeting: hello, count: 2}
                environment: {API_KEY: k}
        """
    action = only_action(load({"project.yml": yml, "packages/p/f.py": PY}, now_ms=NOW))
    assert (action.namespace, action.package, action.name, action.version, action.updated) == (
        "fn-test",
        "p",
        "f",
        "0.0.1",
        NOW,
    )
    assert (action.exec.kind, action.exec.main, action.exec.binary) == (
        "python:3.11",
        "main",
        False,
    )
    assert action.parameters == (
        Parameter("greeting", "hello"),
        Parameter("count", 2),
        Parameter("API_KEY", "k", init=True),
    )
    assert action.limits == Limits(DEFAULT_TIMEOUT_MS, DEFAULT_MEMORY_MB, DEFAULT_LOGS_MB)


def test_limits_in_project_yml_override_the_defaults(load):
    yml = "packages: [{name: p, functions: [{name: f, limits: {timeout: 60000, logs: 0}}]}]"
    action = only_action(load({"project.yml": yml, "packages/p/f.py": PY}))
    assert action.limits == Limits(timeout=60000, memory=DEFAULT_MEMORY_MB, logs=0)


def test_annotations_are_the_functions_own_then_the_deployers_then_the_controllers(load):
    yml = """\
        packages:
          - name: p
            functions:
              - name: f
                annotations: {description: greets, final: false}
        """
    action = only_action(load({"project.yml": yml, "packages/p/f.py": PY}))
    assert action.annotations.items == (
        ("description", "greets"),
        ("final", True),
        ("web-export", True),
        ("raw-http", False),
        ("require-whisk-auth", False),
        ("exec", "python:3.11"),
        ("provide-api-key", False),
    )
    assert action.is_final


def test_provide_api_key_set_by_the_function_is_kept(load):
    yml = "packages: [{name: p, functions: [{name: f, annotations: {provide-api-key: true}}]}]"
    action = only_action(load({"project.yml": yml, "packages/p/f.py": PY}))
    assert action.annotations.get("provide-api-key") is True
    assert action.annotations.items[0] == ("provide-api-key", True)


def web_annotations(load, function: str, package: str = "") -> tuple[object, object, object]:
    yml = f"packages: [{{name: p, {package} functions: [{{name: f, {function}}}]}}]"
    action = only_action(load({"project.yml": yml, "packages/p/f.py": PY}))
    return tuple(
        action.annotations.get(k) for k in ("web-export", "raw-http", "require-whisk-auth")
    )


def test_web_true_raw_and_false_set_web_export_and_raw_http(load):
    assert web_annotations(load, "web: true") == (True, False, False)
    assert web_annotations(load, "web: raw") == (True, True, False)
    assert web_annotations(load, "web: false") == (False, False, False)
    assert web_annotations(load, "web: null") == (False, False, False)


def test_a_function_without_web_takes_its_packages(load):
    assert web_annotations(load, "main: main", package="web: raw,") == (True, True, False)
    assert web_annotations(load, "main: main", package="web: false,") == (False, False, False)
    assert web_annotations(load, "web: true", package="web: false,") == (True, False, False)


def test_web_secure_becomes_require_whisk_auth(load):
    assert web_annotations(load, "webSecure: s3cret") == (True, False, "s3cret")


def test_the_default_package_is_never_a_package_and_holds_functions_without_one(load):
    yml = "packages: [{name: p, parameters: {a: 1}}]"
    project = load({"project.yml": yml, "packages/default/hello.py": PY, "packages/p/f.py": PY})
    assert [p.name for p in project.packages] == ["p"]
    hello = {a.name: a for a in project.actions}["hello"]
    assert (hello.package, hello.path, hello.qualified_name) == (None, "hello", "/fn-test/hello")
    assert hello.parameters == ()


def test_the_default_package_refuses_attached_environment(refused):
    yml = "packages: [{name: default, environment: {A: b}}]"
    error = refused({"project.yml": yml, "packages/default/hello.py": PY})
    assert error.problem == (
        "The default package does not support attaching environment, parameters, or binding"
    )
    assert error.key_path == "packages[0].environment"


def test_project_parameters_with_default_package_functions_are_refused(refused):
    error = refused({"project.yml": "parameters: {a: 1}", "packages/default/hello.py": PY})
    assert error.problem == (
        "The default package does not support attaching environment, parameters, or binding"
    )
    assert error.key_path == "parameters"


def test_project_parameters_are_fine_when_the_default_package_is_empty(load):
    project = load(
        {"project.yml": "parameters: {a: 1}", "packages/p/f.py": PY, "packages/default/": ""}
    )
    assert project.packages[0].parameters == (Parameter("a", 1),)


def test_triggers_are_read_in_both_spellings_and_disabled_ones_are_kept(load):
    yml = """\
        packages:
          - name: p
            functions:
              - name: f
                triggers:
                  - name: legacy
                    sourceType: scheduler
                    sourceDetails: {cron: "*/5 * * * *", withBody: {name: tester}}
                  - name: current
                    type: scheduled
                    enabled: false
                    scheduledDetails: {cron: "0 9 * * 1-5", body: {}}
          - name: default
            functions:
              - name: g
                triggers: [{name: bare, type: SCHEDULED, scheduledDetails: {cron: "0 0 * * *"}}]
        """
    files = {"project.yml": yml, "packages/p/f.py": PY, "packages/default/g.py": PY}
    assert load(files).triggers == (
        ScheduledTrigger("bare", "g", "0 0 * * *", {}, enabled=True),
        ScheduledTrigger("legacy", "p/f", "*/5 * * * *", {"name": "tester"}, enabled=True),
        ScheduledTrigger("current", "p/f", "0 9 * * 1-5", {}, enabled=False),
    )


def test_a_trigger_name_may_be_used_once(refused):
    yml = """\
        packages:
          - name: p
            functions:
              - name: f
                triggers: [{name: t, type: scheduled, scheduledDetails: {cron: "* * * * *"}}]
              - name: g
                triggers: [{name: t, type: scheduled, scheduledDetails: {cron: "* * * * *"}}]
        """
    error = refused({"project.yml": yml, "packages/p/f.py": PY, "packages/p/g.py": PY})
    assert error.problem == "the trigger name 't' is used more than once"
    assert error.key_path == "packages[0].functions[1].triggers[0]"


def test_sequences_are_checked_then_skipped_with_a_warning(load):
    yml = "packages: [{name: p, functions: [{name: both, sequence: [p/f]}]}]"
    project = load({"project.yml": yml, "packages/p/f.py": PY})
    assert [a.name for a in project.actions] == ["f"]
    assert project.warnings == ("Sequence 'p/both' is not supported by the emulator; skipped",)


def test_a_sequence_may_not_also_be_a_file(refused):
    yml = "packages: [{name: p, functions: [{name: f, sequence: [p/g]}]}]"
    error = refused({"project.yml": yml, "packages/p/f.py": PY})
    assert error.problem == (
        "An action cannot be a sequence and also exist in the project directory structure"
    )


def test_a_sequence_may_not_have_a_runtime(refused):
    yml = "packages: [{name: p, functions: [{name: s, sequence: [p/g], runtime: 'nodejs:18'}]}]"
    error = refused({"project.yml": yml})
    assert error.problem == (
        "An action cannot be a sequence and also have the runtime, binary, or main attributes"
    )
    assert error.key_path == "packages[0].functions[0]"


def test_a_refused_project_leaves_the_staged_copies_alone(load, make_project, tmp_path):
    files = {"packages/p/fn/.ignore": "*.md\n", "packages/p/fn/a.py": PY, "packages/p/fn/b.py": PY}
    load(files)
    config_file = make_project({})
    (tmp_path / "project.yml").write_text("packages: [{name: p, functions: [{name: ghost}]}]")
    with pytest.raises(ProjectError):
        load_project(config_file, namespace="fn-test", environ={})
    assert (tmp_path / ".emulator/staged/p/fn/a.py").exists()


def test_loading_alone_changes_nothing_on_disk(make_project, tmp_path):
    files = {"packages/p/fn/.ignore": "*.md\n", "packages/p/fn/a.py": PY, "packages/p/fn/b.py": PY}
    project = load_project(make_project(files), namespace="fn-test", environ={})
    assert not (tmp_path / ".emulator").exists()
    assert project.built is False
    assert [step.target.name for step in project.staging] == ["a.py", "b.py"]


def test_a_project_without_project_yml_is_read_from_its_directories(make_project):
    config_file = make_project({"packages/p/f.py": PY})
    project = load_project(config_file, namespace="fn-test", environ={})
    assert [a.path for a in project.actions] == ["p/f"]
    assert project.config_file == config_file


def test_the_root_is_the_directory_of_the_resolved_project_yml(make_project, tmp_path):
    make_project({"real/project.yml": "packages: [{name: p}]", "real/packages/p/f.py": PY})
    link = tmp_path / "project.yml"
    os.symlink(tmp_path / "real/project.yml", link)
    project = load_project(link, namespace="fn-test", environ={})
    assert project.root == (tmp_path / "real").resolve()
    assert [a.path for a in project.actions] == ["p/f"]


def test_docker_functions_are_skipped_with_a_warning(load):
    yml = "packages: [{name: p, functions: [{name: img, docker: 'me/image:1'}]}]"
    project = load({"project.yml": yml, "packages/p/f.py": PY})
    assert [a.name for a in project.actions] == ["f"]
    assert project.warnings == ("Function 'p/img' runs a docker image; skipped",)


def test_a_bound_package_is_loaded_with_a_warning(load):
    yml = "packages: [{name: p, binding: {namespace: other, name: shared}}]"
    project = load({"project.yml": yml})
    assert [p.name for p in project.packages] == ["p"]
    assert project.warnings == (
        "Package 'p' is bound to '/other/shared'; the emulator does not follow package bindings",
    )
