"""Functions come from `packages/<pkg>/<fn>`, merged with project.yml."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

PY = "def main(args):\n    return args\n"
JS = "function main(args) { return args }\n"


def actions_by_path(project):
    return {a.path: a for a in project.actions}


def test_each_directory_under_packages_is_a_package_and_strays_are_ignored(load):
    project = load(
        {
            "packages/alpha/f.py": PY,
            "packages/beta/g.js": JS,
            "packages/stray.py": PY,
            "packages/.hidden/h.py": PY,
            "packages/.nimbella/x.py": PY,
            "packages/.deployed/x.py": PY,
            "packages/.emulator/x.py": PY,
            "README.md": "not code",
        }
    )
    assert [p.name for p in project.packages] == ["alpha", "beta"]
    assert set(actions_by_path(project)) == {"alpha/f", "beta/g"}


def test_a_file_is_a_function_named_before_its_last_dot_with_its_extensions_runtime(load):
    project = load(
        {
            "packages/p/hello.py": PY,
            "packages/p/a.b.js": JS,
            "packages/p/mod.mjs": JS,
            "packages/p/index.php": "<?php function main($a) { return $a; }\n",
            "packages/p/main.go": "package main\n",
        }
    )
    kinds = {path: a.exec.kind for path, a in actions_by_path(project).items()}
    assert kinds == {
        "p/hello": "python:3.11",
        "p/a.b": "nodejs:18",
        "p/mod": "nodejs:18",
        "p/index": "php:8.2",
        "p/main": "go:1.20",
    }
    hello = actions_by_path(project)["p/hello"]
    assert (hello.exec.source, hello.exec.binary) == (
        project.root / "packages/p/hello.py",
        False,
    )


def test_system_excluded_and_hidden_files_are_not_functions(load):
    project = load(
        {
            "packages/p/f.py": PY,
            "packages/p/.DS_Store": "x",
            "packages/p/.gitignore": "x",
            "packages/p/f.py~": "x",
            "packages/p/.f.py.swp": "x",
            "packages/p/x_tmp_y.py": PY,
            "packages/p/.#f.py": "x",
            "packages/p/.env": "A=1",
        }
    )
    assert set(actions_by_path(project)) == {"p/f"}


def test_a_file_with_an_unknown_extension_is_not_deployed_and_the_rest_is(load):
    project = load({"packages/p/script.sh": "echo hi\n", "packages/p/f.py": PY})
    assert set(actions_by_path(project)) == {"p/f"}
    assert project.warnings == (
        "Error: While deploying action 'p/script': Action 'p/script' not deployed: "
        "runtime type could not be determined",
    )


def test_a_pycache_folder_left_by_a_test_run_does_not_stop_the_project(load):
    project = load({"packages/p/f.py": PY, "packages/p/__pycache__/f.cpython-311.pyc": "x"})
    assert set(actions_by_path(project)) == {"p/f"}
    assert "'p/__pycache__' not deployed" in project.warnings[0]


def test_the_runtime_set_in_project_yml_makes_any_file_a_function(load):
    yml = "packages: [{name: p, functions: [{name: script, runtime: 'python:3.12'}]}]"
    project = load({"project.yml": yml, "packages/p/script.sh": PY})
    assert actions_by_path(project)["p/script"].exec.kind == "python:3.12"


def test_a_configured_function_without_a_runtime_is_not_deployed(load):
    yml = "packages: [{name: p, functions: [{name: script, main: run}]}]"
    project = load({"project.yml": yml, "packages/p/script.txt": "x"})
    assert actions_by_path(project) == {}
    assert "'p/script' not deployed: runtime type could not be determined" in project.warnings[0]


def test_the_same_name_as_file_and_directory_is_refused(refused):
    error = refused({"packages/p/hello.js": JS, "packages/p/hello/index.js": JS})
    assert error.problem == (
        "The action name 'hello' appears twice, once with runtime 'nodejs:default' "
        "and once as a directory"
    )
    assert error.key_path is None


def test_the_same_name_in_two_files_is_refused(refused):
    error = refused({"packages/p/hello.js": JS, "packages/p/hello.py": PY})
    assert error.problem == (
        "The action name 'hello' appears twice, once with runtime 'nodejs:default' "
        "and once with runtime 'python:default'"
    )


def test_project_yml_fields_win_over_what_the_file_system_implies(load):
    yml = """\
        packages:
          - name: p
            functions:
              - name: hello
                runtime: 'nodejs:22'
                main: greet
        """
    project = load({"project.yml": yml, "packages/p/hello.js": JS})
    (action,) = project.actions
    assert (action.exec.kind, action.exec.main) == ("nodejs:22", "greet")


def test_a_function_only_named_in_project_yml_does_not_exist(refused):
    yml = "packages: [{name: p, functions: [{name: f}, {name: ghost, runtime: 'python:default'}]}]"
    error = refused({"project.yml": yml, "packages/p/f.py": PY})
    assert error.problem == "Action is named in the config but does not exist in the project"
    assert error.key_path == "packages[0].functions[1]"


def test_a_function_of_a_package_missing_on_disk_does_not_exist(refused):
    yml = "packages: [{name: nowhere, functions: [{name: f, runtime: 'python:default'}]}]"
    error = refused({"project.yml": yml})
    assert error.problem == "Action is named in the config but does not exist in the project"
    assert error.key_path == "packages[0].functions[0]"


def test_a_package_only_in_project_yml_is_still_a_package(load):
    project = load({"project.yml": "packages: [{name: settings, parameters: {a: 1}}]"})
    assert [p.name for p in project.packages] == ["settings"]
    assert project.actions == ()


def test_a_file_named_in_project_yml_is_the_functions_code(load):
    yml = "packages: [{name: p, functions: [{name: f, file: src/handler.py}]}]"
    project = load({"project.yml": yml, "src/handler.py": PY})
    (action,) = project.actions
    assert action.exec.source == project.root / "src/handler.py"
    assert action.exec.kind == "python:3.11"


def test_a_directory_is_a_binary_function_whose_runtime_comes_from_its_files(load):
    project = load(
        {
            "packages/p/api/__main__.py": PY,
            "packages/p/api/helpers/util.py": PY,
            "packages/p/api/requirements.txt": "requests\n",
        }
    )
    (action,) = project.actions
    assert action.exec.kind == "python:3.11"
    assert action.exec.binary is True
    assert action.exec.source == project.root / "packages/p/api"


def test_a_directory_with_one_file_is_deployed_as_that_file(load):
    # What `doctl serverless init` writes: packages/sample/hello/hello.js.
    project = load({"packages/sample/hello/hello.js": JS, "packages/sample/hello/build.sh": ""})
    (action,) = project.actions
    assert action.exec.source == project.root / "packages/sample/hello/hello.js"
    assert (action.exec.binary, action.exec.kind) == (False, "nodejs:18")


def test_an_empty_directory_has_no_files(refused):
    error = refused({"packages/p/empty/": "", "packages/p/empty/sub/": ""})
    assert error.problem == "Action directory packages/p/empty has no files"
    assert error.key_path is None


def test_a_directory_with_only_an_ignore_file_has_no_files(refused):
    error = refused({"packages/p/fn/.ignore": "*.md\n"})
    assert error.problem == "Action directory packages/p/fn has no files"


def test_include_and_ignore_together_are_refused(refused):
    error = refused(
        {
            "packages/p/fn/.include": "a.py\n",
            "packages/p/fn/.ignore": "b.py\n",
            "packages/p/fn/a.py": PY,
        }
    )
    assert error.problem == (
        "In packages/p/fn: '.include' (or '.source') and '.ignore' may not both be present"
    )


def test_build_cmd_without_build_sh_is_refused_off_windows(refused):
    error = refused({"packages/p/fn/build.cmd": "echo", "packages/p/fn/a.py": PY})
    assert error.problem == (
        "In packages/p/fn: 'build.cmd' won't run on this platform and no 'build.sh' is provided"
    )


def test_ignore_rules_leave_files_out_of_the_staged_copy(load):
    project = load(
        {
            "packages/p/fn/__main__.py": PY,
            "packages/p/fn/lib/util.py": PY,
            "packages/p/fn/notes.md": "notes",
            "packages/p/fn/tests/test_x.py": PY,
            "packages/p/fn/build.sh": "true",
            "packages/p/fn/.ignore": "*.md\ntests/\n",
        }
    )
    (action,) = project.actions
    staged = project.root / ".emulator/staged/p/fn"
    assert (action.exec.source, action.exec.binary) == (staged, True)
    assert sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()) == [
        "__main__.py",
        "lib/util.py",
    ]


def test_include_lists_exactly_what_is_packaged_with_lib_items_by_basename(load):
    project = load(
        {
            "packages/p/fn/.include": "index.js\n./src/\n../../../lib/shared.js\n",
            "packages/p/fn/index.js": JS,
            "packages/p/fn/src/a.js": JS,
            "packages/p/fn/unlisted.js": JS,
            "lib/shared.js": JS,
        }
    )
    (action,) = project.actions
    staged = project.root / ".emulator/staged/p/fn"
    assert action.exec.source == staged
    assert action.exec.kind == "nodejs:18"
    assert sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()) == [
        "index.js",
        "shared.js",
        "src/a.js",
    ]


def test_an_include_of_one_file_deploys_that_file_in_place(load):
    project = load({"packages/p/fn/.include": "../../../lib/one.py\n", "lib/one.py": PY})
    (action,) = project.actions
    assert (action.exec.source, action.exec.binary) == (project.root / "lib/one.py", False)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/etc/passwd", "Absolute paths are prohibited in an '.include' file"),
        ("../other/x.py", "Illegal use of '..' in an '.include' file"),
        ("../../lib/x.py", "Illegal use of '..' in an '.include' file"),
    ],
)
def test_include_refuses_absolute_paths_and_stray_parent_references(refused, line, message):
    error = refused({"packages/p/fn/.include": f"{line}\n", "packages/p/fn/a.py": PY})
    assert (error.problem, error.key_path) == (message, None)


def test_an_include_naming_a_missing_file_is_refused(refused):
    error = refused({"packages/p/fn/.include": "gone.py\n"})
    assert error.problem == (
        "packages/p/fn/gone.py is included for 'packages/p/fn' but does not exist"
    )


def test_an_empty_include_is_refused(refused):
    error = refused({"packages/p/fn/.include": "\n\n"})
    assert error.problem == "packages/p/fn/.include is empty"


def test_ignoring_everything_leaves_no_included_files(refused):
    error = refused({"packages/default/fn/.ignore": "*\n", "packages/default/fn/a.py": PY})
    assert error.problem == "Action 'fn' has no included files"


def test_staging_is_recreated_on_every_load(load, tmp_path):
    files = {
        "packages/p/fn/.ignore": "*.md\n",
        "packages/p/fn/a.py": PY,
        "packages/p/fn/b.py": PY,
    }
    load(files)
    stale = tmp_path / ".emulator/staged/old/gone/x.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("x")
    (tmp_path / "packages/p/fn/b.py").unlink()
    (tmp_path / "packages/p/fn/c.py").write_text(PY)
    load({})
    staged = tmp_path / ".emulator/staged"
    assert sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()) == [
        "p/fn/a.py",
        "p/fn/c.py",
    ]


def test_a_plain_directory_is_not_staged(load, tmp_path):
    project = load({"packages/p/fn/a.py": PY, "packages/p/fn/b.py": PY})
    assert project.actions[0].exec.source == tmp_path / "packages/p/fn"
    assert not (tmp_path / ".emulator/staged/p").exists()


def test_a_zip_file_is_unpacked_and_its_name_may_carry_the_runtime(make_project, load, tmp_path):
    make_project({})
    archive = tmp_path / "packages/p/bundle.python-3.12.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("__main__.py", PY)
    (action,) = load({}).actions
    assert action.name == "bundle"
    assert action.exec.kind == "python:3.12"
    assert action.exec.binary is True
    assert (Path(action.exec.source) / "__main__.py").read_text() == PY


def test_a_file_named_in_project_yml_must_exist(refused):
    yml = "packages: [{name: p, functions: [{name: f, file: src/gone.py}]}]"
    error = refused({"project.yml": yml})
    assert error.problem == "Action is named in the config but does not exist in the project"
    assert error.key_path == "packages[0].functions[0].file"


def test_an_include_may_not_climb_out_of_the_project_through_lib(refused):
    error = refused({"packages/p/fn/.include": "../../../lib/../../x.py\n", "lib/": ""})
    assert error.problem == "Illegal use of '..' in an '.include' file"
