"""Narrowing a loaded project for a test run, and the tests folder beside its packages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.namespace.entities import Parameter
from emulator.project import Project, load_project
from emulator.project.selection import UnknownFunctions, override_bindings, select_functions
from tests.support.paths import SAMPLE_PROJECT
from tests.support.routes import NAMESPACE

PROJECT = """
packages:
  - name: shop
    environment:
      CURRENCY: EUR
    functions:
      - name: price
        runtime: python:3.11
        parameters:
          rate: 2
      - name: stock
        runtime: python:3.11
        triggers:
          - name: nightly
            type: SCHEDULED
            scheduledDetails:
              cron: "0 3 * * *"
  - name: admin
    functions:
      - name: report
"""


def project_in(folder: Path) -> Project:
    files = {
        "project.yml": PROJECT,
        "packages/shop/price.py": "def main(args): return {}\n",
        "packages/shop/stock.py": "def main(args): return {}\n",
        "packages/admin/report/__main__.py": "def main(args): return {}\n",
        "packages/admin/report/build.sh": "true\n",
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text))
    return load_project(folder / "project.yml", namespace=NAMESPACE, environ={})


def paths(project: Project) -> list[str]:
    return sorted(action.path for action in project.actions)


def test_functions_are_chosen_by_path_by_package_or_by_pattern(tmp_path: Path) -> None:
    project = project_in(tmp_path)
    assert paths(select_functions(project, ["shop/price"])) == ["shop/price"]
    assert paths(select_functions(project, ["shop"])) == ["shop/price", "shop/stock"]
    assert paths(select_functions(project, ["*/st*", "admin/report"])) == [
        "admin/report",
        "shop/stock",
    ]


def test_the_functions_left_out_lose_their_triggers_and_builds(tmp_path: Path) -> None:
    project = project_in(tmp_path)
    assert [d.path for d in project.deferred] == ["admin/report"]
    chosen = select_functions(project, ["shop/price"])
    assert (chosen.triggers, chosen.deferred) == ((), ())
    assert [t.name for t in select_functions(project, ["shop/stock"]).triggers] == ["nightly"]


def test_a_name_no_function_has_is_refused_with_the_names_there_are(tmp_path: Path) -> None:
    with pytest.raises(UnknownFunctions) as refused:
        select_functions(project_in(tmp_path), ["shop/price", "shop/nope", "billing"])
    assert str(refused.value) == (
        "no function of the project matches shop/nope, billing; "
        "it has admin/report, shop/price, shop/stock"
    )


def test_overrides_replace_bound_values_and_add_new_ones_to_every_function(
    tmp_path: Path,
) -> None:
    project = override_bindings(
        project_in(tmp_path),
        parameters={"rate": 10, "debug": True},
        environment={"CURRENCY": "USD"},
    )
    price = next(a for a in project.actions if a.path == "shop/price")
    assert price.parameters == (
        Parameter("rate", 10),
        Parameter("debug", True),
        Parameter("CURRENCY", "USD", init=True),
    )
    report = next(a for a in project.actions if a.path == "admin/report")
    assert Parameter("debug", True) in report.parameters


def test_the_sample_projects_tests_folder_is_not_named_as_ignored() -> None:
    assert (SAMPLE_PROJECT / "tests").is_dir()
    project = load_project(
        SAMPLE_PROJECT / "project.yml",
        namespace=NAMESPACE,
        environ={},
        env_file=SAMPLE_PROJECT / ".env",
    )
    assert project.warnings == ()
