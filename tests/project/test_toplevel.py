"""A project folder's top level: which configuration counts, the deployer's warnings about it,
and the one line naming the strays a deploy ignores."""

from __future__ import annotations

import os

import pytest

from emulator.project import load_project
from emulator.project.project_error import ProjectError
from emulator.project.toplevel import IGNORED, LEGACY_WARNING, config_file_in

PY = "def main(args):\n    return {}\n"
YML = "packages: [{name: p, functions: [{name: f, web: false}]}]"


def _warnings(config_file, **options):
    return load_project(config_file, namespace="fn-test", environ={}, **options).warnings


def test_a_project_with_only_what_the_deployer_reads_has_no_warning(make_project):
    assert _warnings(make_project({"project.yml": YML, "packages/p/f.py": PY, "lib/": ""})) == ()


def test_hidden_system_and_state_entries_are_not_strays(make_project):
    files = {
        "packages/p/f.py": PY,
        ".gitignore": ".emulator/\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        ".DS_Store": "",
        ".env": "A=1\n",
        ".emulator/activations.db": "",
        ".deployed/versions.json": "{}",
        ".nimbella/credentials.json": "{}",
        "notes.txt~": "",
    }
    assert _warnings(make_project(files)) == ()


def test_every_other_entry_is_named_in_one_line_directories_with_a_slash(make_project):
    files = {
        "project.yml": YML,
        "packages/p/f.py": PY,
        "packages/README.md": "# Packages\n",
        ".do/app.yaml": "name: shop\n",
        ".vscode/settings.json": "{}",
        "docs/index.md": "# Docs\n",
        "Makefile": "deploy:\n",
        "lib": "a file, not the lib folder",
    }
    assert _warnings(make_project(files)) == (
        f"{IGNORED}: .do/, .vscode/, Makefile, docs/, lib, packages/README.md",
    )


def test_project_config_yml_is_read_with_the_deprecation_warning(make_project):
    config_file = make_project({"projectConfig.yml": YML, "packages/p/f.py": PY})
    project = load_project(config_file, namespace="fn-test", environ={})
    assert project.config_file.name == "projectConfig.yml"
    assert project.actions[0].annotations.get("web-export") is False
    assert project.warnings == (LEGACY_WARNING,)


def test_project_config_yml_beside_project_yml_is_a_stray(make_project):
    files = {"project.yml": YML, "projectConfig.yml": "packages: oops", "packages/p/f.py": PY}
    config_file = make_project(files)
    assert _warnings(config_file) == (f"{IGNORED}: projectConfig.yml",)


def test_a_refused_project_config_yml_is_the_file_named(make_project):
    config_file = make_project({"projectConfig.yml": "packages: oops"})
    with pytest.raises(ProjectError, match="packages member must be an array") as caught:
        load_project(config_file, namespace="fn-test", environ={})
    assert caught.value.file == str(config_file.with_name("projectConfig.yml").resolve())


def test_without_project_yml_the_last_yaml_file_is_named_in_the_deployers_warning(make_project):
    files = {"packages/p/f.py": PY, "app.yaml": "", "docker-compose.yml": ""}
    assert _warnings(make_project(files)) == (
        "Warning: found docker-compose.yml but no project.yml",
        f"{IGNORED}: app.yaml, docker-compose.yml",
    )


def test_the_env_file_given_is_not_a_stray(make_project, tmp_path):
    config_file = make_project({"packages/p/f.py": PY, "local.env": "A=1\n"})
    assert _warnings(config_file, env_file=tmp_path / "local.env") == ()


def test_the_target_of_a_linked_project_yml_is_not_a_stray(make_project, tmp_path):
    make_project({"real/project.yml": YML, "real/packages/p/f.py": PY})
    os.symlink(tmp_path / "real/project.yml", tmp_path / "project.yml")
    assert _warnings(tmp_path / "project.yml") == ()


@pytest.mark.parametrize(
    ("files", "found"),
    [
        ({"project.yml": YML, "projectConfig.yml": YML}, "project.yml"),
        ({"projectConfig.yml": YML}, "projectConfig.yml"),
        ({"packages/p/f.py": PY}, "project.yml"),
        ({"README.md": "", "app.yml": ""}, None),
        ({"packages": "a file"}, None),
    ],
)
def test_a_folder_is_a_project_with_a_configuration_or_a_packages_folder(
    make_project, tmp_path, files, found
):
    make_project(files)
    assert config_file_in(tmp_path) == (tmp_path / found if found else None)
