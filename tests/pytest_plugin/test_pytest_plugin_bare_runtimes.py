"""`--functions-emulator-bare-runtimes`: a project's own test suite, served without the
runtime images' packages, as a strict test that its functions bundle what they import."""

from __future__ import annotations

from typing import Any

from tests.support.ci import require

PROJECT = {
    "project.yml": """
        packages:
          - name: demo
            functions:
              - name: fetch
                runtime: python:3.12
    """,
    "packages/demo/fetch.py": """
        import requests


        def main(args):
            return {"requests": requests.__version__}
    """,
    "tests/test_fetch.py": """
        def test_fetch_bundles_what_it_imports(functions_emulator):
            activation = functions_emulator.invoke("demo/fetch")
            assert activation.result == {"error": "The function did not initialize properly."}
            assert any(
                "requests comes with DigitalOcean's python:3.12 image" in line
                and "--bare-runtimes leaves out" in line
                for line in activation.logs
            ), activation.logs
    """,
}


def test_the_flag_serves_the_project_without_the_images_packages(user_project: Any, launchers):
    require(launchers["python"].is_exact("python:3.12"), "python3.12 is not installed")
    user_project.write(PROJECT)
    result = user_project.run_tests("--functions-emulator-bare-runtimes")
    result.assert_outcomes(passed=1)
