"""build_project runs the deployer's local builds, then selects the built functions' files:
real bash and npm, no mocks."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil

import pytest

from emulator.project import build_project, load_project
from tests.support.ci import require
from tests.support.servers import process_alive

PY = "def main(args):\n    return args\n"
NAMESPACE = "fn-test"


def actions_by_path(project):
    return {a.path: a for a in project.actions}


def run_count(path):
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture
def npm():
    """npm from the machine; only a developer without it skips (CI must have it)."""
    require(shutil.which("npm") is not None, "npm is not installed")


# --- build.sh -------------------------------------------------------------------------------


def test_build_sh_runs_in_the_function_directory_before_its_files_are_selected(load, tmp_path):
    project = load(
        {
            "packages/p/fn/__main__.py": PY,
            "packages/p/fn/build.sh": "#!/bin/bash\npwd > where.txt\n",
        }
    )
    fn = tmp_path / "packages/p/fn"
    assert (fn / "where.txt").read_text().strip() == str(fn)
    (action,) = project.actions
    # Three files after the build (__main__.py, build.sh, where.txt): the directory itself.
    assert (action.exec.source, action.exec.binary) == (fn, True)
    assert project.build_failures == {}


def test_a_failed_build_breaks_only_its_function_and_quotes_the_deployer(load, tmp_path):
    project = load(
        {
            "packages/p/bad/__main__.py": PY,
            "packages/p/bad/build.sh": "#!/bin/bash\necho one\necho two >&2\nexit 2\n",
            "packages/p/good/__main__.py": PY,
            "packages/p/good/build.sh": "#!/bin/bash\ntrue\n",
        }
    )
    assert set(actions_by_path(project)) == {"p/bad", "p/good"}
    assert project.build_failures == {
        "p/bad": (
            "'./build.sh' exited with code 2\n"
            f"Output of failed build in {tmp_path / 'packages/p/bad'}:\n"
            "one\n"
            "two"
        )
    }


def test_a_failure_quotes_the_first_and_last_lines_of_a_long_output(load):
    project = load(
        {"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": "seq 1 50\nexit 1\n"}
    )
    lines = project.build_failures["p/fn"].splitlines()
    assert lines[0] == "'./build.sh' exited with code 1"
    assert lines[1].endswith("packages/p/fn (50 lines, some left out):")
    assert lines[2:] == [
        *(str(n) for n in range(1, 11)),
        "[… 30 more lines …]",
        *(str(n) for n in range(41, 51)),
    ]


def test_a_long_output_keeps_the_line_that_names_the_cause(load):
    script = "seq 1 30\nnot-installed-tool --flag\nseq 31 60\nexit 1\n"
    project = load({"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": script})
    lines = project.build_failures["p/fn"].splitlines()
    assert lines[12:17] == [
        "[… 20 more lines …]",
        "./build.sh: line 2: not-installed-tool: command not found",
        "[… 20 more lines …]",
        "51",
        "52",
    ]


def test_a_build_sh_without_its_execute_bit_fails_as_on_the_platform(make_project, tmp_path):
    # The deployer runs `./build.sh` through bash: the script itself must be executable.
    config_file = make_project({"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": "true"})
    (tmp_path / "packages/p/fn/build.sh").chmod(0o644)
    project = asyncio.run(build_project(_loaded(config_file), environ=os.environ))
    failure = project.build_failures["p/fn"]
    assert failure.startswith("'./build.sh' exited with code 126\n")
    assert failure.endswith("./build.sh: Permission denied")


def test_build_cmd_without_build_sh_refuses_the_project(refused):
    error = refused({"packages/p/fn/build.cmd": "echo hi", "packages/p/fn/__main__.py": PY})
    assert error.problem == (
        "In packages/p/fn: 'build.cmd' won't run on this platform and no 'build.sh' is provided"
    )


def test_an_include_selects_what_the_build_made(load, tmp_path):
    project = load(
        {
            "packages/p/fn/.include": "__main__.py\nout/\n",
            "packages/p/fn/__main__.py": PY,
            "packages/p/fn/build.sh": "mkdir -p out && echo a > out/a.txt && echo b > out/b.txt",
        }
    )
    (action,) = project.actions
    staged = tmp_path / ".emulator/staged/p/fn"
    assert (action.exec.source, action.exec.binary) == (staged, True)
    assert sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()) == [
        "__main__.py",
        "out/a.txt",
        "out/b.txt",
    ]


def test_an_include_naming_what_the_build_did_not_make_breaks_only_that_function(load):
    project = load(
        {
            "packages/p/fn/.include": "dist/\n",
            "packages/p/fn/index.js": "exports.main = () => ({})\n",
            "packages/p/fn/build.sh": "true",
            "packages/p/other.py": PY,
        }
    )
    assert project.build_failures == {
        "p/fn": "packages/p/fn/dist is included for 'packages/p/fn' but does not exist"
    }
    assert {a.path for a in project.actions} == {"p/fn", "p/other"}


def test_the_built_files_decide_the_runtime_unless_project_yml_names_it(load, tmp_path):
    generate = "import os\nos.makedirs('dist', exist_ok=True)\n" + (
        "open('dist/index.js', 'w').write('exports.main = () => ({})')\n"
    )
    files = {
        "packages/p/fn/gen.py": generate,
        "packages/p/fn/build.sh": "python3 gen.py",
        "packages/p/fn/.include": "dist/index.js\n",
    }
    (action,) = load(files).actions
    assert action.exec.source == tmp_path / "packages/p/fn/dist/index.js"
    assert (action.exec.kind, action.exec.binary) == ("nodejs:18", False)
    assert action.annotations.get("exec") == "nodejs:18"
    yml = "packages: [{name: p, functions: [{name: fn, runtime: 'nodejs:22'}]}]"
    (action,) = load({"project.yml": yml}).actions
    assert action.exec.kind == "nodejs:22"


# --- lib/ ------------------------------------------------------------------------------------


def test_lib_is_built_once_before_the_functions(load, tmp_path):
    copy_shared = "#!/bin/bash\nset -e\ncp ../../../lib/shared.txt .\n"
    project = load(
        {
            "lib/build.sh": "#!/bin/bash\necho run >> count.txt\necho shared > shared.txt\n",
            "packages/p/a/__main__.py": PY,
            "packages/p/a/build.sh": copy_shared,
            "packages/p/b/__main__.py": PY,
            "packages/p/b/build.sh": copy_shared,
        }
    )
    assert project.build_failures == {}
    assert run_count(tmp_path / "lib/count.txt") == 1
    assert (tmp_path / "packages/p/a/shared.txt").read_text() == "shared\n"
    assert (tmp_path / "packages/p/b/shared.txt").read_text() == "shared\n"


def test_a_function_may_include_what_libs_build_made(load, tmp_path):
    project = load(
        {
            "lib/build.sh": "echo 'def helper(): return 1' > made.py",
            "packages/p/fn/.include": "__main__.py\n../../../lib/made.py\n",
            "packages/p/fn/__main__.py": PY,
        }
    )
    (action,) = project.actions
    staged = tmp_path / ".emulator/staged/p/fn"
    assert action.exec.source == staged
    assert sorted(p.name for p in staged.iterdir()) == ["__main__.py", "made.py"]


def test_a_failed_lib_build_breaks_the_directory_functions_only(load):
    project = load(
        {
            "lib/build.sh": "echo no lib\nexit 3\n",
            "packages/p/dir/__main__.py": PY,
            "packages/p/dir/helper.py": PY,
            "packages/p/file.py": PY,
        }
    )
    assert list(project.build_failures) == ["p/dir"]
    assert project.build_failures["p/dir"].startswith("'./build.sh' exited with code 3\n")
    assert project.build_failures["p/dir"].endswith("/lib:\nno lib")


def test_lib_may_not_have_an_include(refused):
    error = refused({"lib/.include": "x\n", "lib/x.py": PY, "packages/p/f.py": PY})
    assert error.problem == "'.include' and '.ignore' are not supported in the 'lib' directory"


# --- the digest cache -----------------------------------------------------------------------


def test_a_build_runs_again_only_when_its_inputs_change(load, tmp_path):
    files = {
        "packages/p/fn/__main__.py": PY,
        "packages/p/fn/build.sh": "echo run >> ../../../runs.txt\nmkdir -p virtualenv\n",
    }
    load(files)
    load({})
    assert run_count(tmp_path / "runs.txt") == 1
    # Its own output (virtualenv/) is not an input; an edited source is.
    (tmp_path / "packages/p/fn/virtualenv/marker").write_text("x")
    load({})
    assert run_count(tmp_path / "runs.txt") == 1
    (tmp_path / "packages/p/fn/__main__.py").write_text(PY + "# edited\n")
    load({})
    assert run_count(tmp_path / "runs.txt") == 2
    # Deleting what the build made brings the build back.
    shutil.rmtree(tmp_path / "packages/p/fn/virtualenv")
    load({})
    assert run_count(tmp_path / "runs.txt") == 3
    assert (tmp_path / "packages/p/fn/virtualenv").is_dir()


def test_a_changed_lib_builds_the_functions_again(load, tmp_path):
    files = {
        "lib/build.sh": "echo run >> ../lib-runs.txt\n",
        "lib/shared.txt": "one",
        "packages/p/fn/__main__.py": PY,
        "packages/p/fn/build.sh": "echo run >> ../../../fn-runs.txt\n",
    }
    load(files)
    load({})
    assert (run_count(tmp_path / "lib-runs.txt"), run_count(tmp_path / "fn-runs.txt")) == (1, 1)
    (tmp_path / "lib/shared.txt").write_text("two")
    load({})
    assert (run_count(tmp_path / "lib-runs.txt"), run_count(tmp_path / "fn-runs.txt")) == (2, 2)


def test_a_changed_lib_without_a_build_of_its_own_builds_the_functions_again(load, tmp_path):
    files = {
        "lib/shared.txt": "one",
        "packages/p/fn/__main__.py": PY,
        "packages/p/fn/build.sh": "cp ../../../lib/shared.txt .\necho run >> ../../../runs.txt\n",
    }
    load(files)
    load({})
    (tmp_path / "lib/shared.txt").write_text("two")
    load({})
    assert run_count(tmp_path / "runs.txt") == 2
    assert (tmp_path / "packages/p/fn/shared.txt").read_text() == "two"


def test_a_failed_build_is_tried_again_on_the_next_start(load, tmp_path):
    files = {
        "packages/p/fn/__main__.py": PY,
        "packages/p/fn/build.sh": "echo run >> ../../../runs.txt\nexit 1\n",
    }
    assert "p/fn" in load(files).build_failures
    assert "p/fn" in load({}).build_failures
    assert run_count(tmp_path / "runs.txt") == 2


def test_the_cache_lives_in_the_projects_emulator_folder(load, tmp_path):
    load({"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": "true"})
    cached = json.loads((tmp_path / ".emulator/builds.json").read_text())
    assert list(cached) == ["packages/p/fn"]


# --- how builds run -------------------------------------------------------------------------


def test_builds_see_the_emulators_environment(make_project, tmp_path):
    config_file = make_project(
        {"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": 'echo "$BUILD_FLAVOUR" > f'}
    )
    environ = {**os.environ, "BUILD_FLAVOUR": "spicy"}
    asyncio.run(build_project(_loaded(config_file), environ=environ))
    assert (tmp_path / "packages/p/fn/f").read_text() == "spicy\n"


async def test_build_output_is_logged_line_by_line_under_the_function_path(make_project, caplog):
    caplog.set_level(logging.INFO)
    config_file = make_project(
        {"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": "echo first\necho second"}
    )
    await build_project(_loaded(config_file), environ=os.environ)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("emulator.project")]
    assert "p/fn: first" in messages
    assert messages.index("p/fn: first") + 1 == messages.index("p/fn: second")


async def test_stopping_during_a_build_stops_the_build(make_project, tmp_path):
    config_file = make_project(
        {
            "packages/p/fn/__main__.py": PY,
            "packages/p/fn/build.sh": "echo $$ > ../../../pid.txt\nsleep 60 & wait\n",
        }
    )
    task = asyncio.create_task(build_project(_loaded(config_file), environ=os.environ))
    pid_file = tmp_path / "pid.txt"
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.05)
    pid = int(pid_file.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not process_alive(pid)
    assert not (tmp_path / ".emulator/builds.json").exists()


def test_a_built_project_is_not_built_again(make_project, tmp_path):
    config_file = make_project(
        {"packages/p/fn/__main__.py": PY, "packages/p/fn/build.sh": "echo run >> ../../../r"}
    )
    built = asyncio.run(build_project(_loaded(config_file), environ=os.environ))
    assert asyncio.run(build_project(built, environ=os.environ)) is built
    assert run_count(tmp_path / "r") == 1


# --- package.json ---------------------------------------------------------------------------


def test_npm_install_production_installs_the_dependencies_only(npm, load, tmp_path):
    package = {
        "name": "fn",
        "version": "1.0.0",
        "dependencies": {"is-number": "7.0.0"},
        "devDependencies": {"isarray": "2.0.5"},
    }
    project = load(
        {
            "packages/p/fn/package.json": json.dumps(package),
            "packages/p/fn/index.js": "exports.main = () => ({})\n",
        }
    )
    assert project.build_failures == {}
    modules = tmp_path / "packages/p/fn/node_modules"
    assert (modules / "is-number/package.json").is_file()
    assert not (modules / "isarray").exists()
    (action,) = project.actions
    assert (action.exec.source, action.exec.kind) == (tmp_path / "packages/p/fn", "nodejs:18")


def test_a_build_script_runs_after_npm_install(npm, load, tmp_path):
    package = {
        "name": "fn",
        "version": "1.0.0",
        "scripts": {"build": "mkdir -p dist && cp src/*.js dist/"},
    }
    project = load(
        {
            "packages/p/fn/package.json": json.dumps(package),
            "packages/p/fn/src/index.js": "exports.main = () => ({})\n",
            "packages/p/fn/src/util.js": "exports.x = 1\n",
            "packages/p/fn/.include": "package.json\ndist/\n",
        }
    )
    assert project.build_failures == {}
    staged = tmp_path / ".emulator/staged/p/fn"
    assert project.actions[0].exec.source == staged
    assert sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()) == [
        "dist/index.js",
        "dist/util.js",
        "package.json",
    ]


def test_an_npm_failure_is_tagged_npm_install(npm, load):
    project = load({"packages/p/fn/package.json": "{ not json", "packages/p/fn/index.js": "x"})
    assert project.build_failures["p/fn"].startswith("'npm install' exited with code ")


# --- requirements.txt -----------------------------------------------------------------------


async def test_a_requirements_txt_alone_installs_nothing_and_is_warned_about(
    make_project, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    config_file = make_project(
        {
            "packages/p/needs/__main__.py": "import requests\n" + PY,
            "packages/p/needs/requirements.txt": "requests\n",
            "packages/p/ready/__main__.py": PY,
            "packages/p/ready/requirements.txt": "requests\n",
            "packages/p/ready/virtualenv/lib/python3.11/site-packages/x.py": "",
        }
    )
    project = await build_project(_loaded(config_file), environ=os.environ)
    assert project.build_failures == {}
    assert not (tmp_path / "packages/p/needs/virtualenv").exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "p/needs: requirements.txt is not installed: DigitalOcean installs nothing from it and "
        "the function has no virtualenv/ folder; add a build.sh that runs "
        "'virtualenv virtualenv && virtualenv/bin/pip install -r requirements.txt' "
        "(see https://docs.digitalocean.com/products/functions/reference/build-process/)"
    ]


def _loaded(config_file):
    return load_project(config_file, namespace=NAMESPACE, environ={})
