"""docs/configuration.md: its example project.yml is read by the real loader as the page says,
and a project the deployer refuses fails with the message the page shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from emulator.namespace.entities import Parameter
from emulator.project import load_project
from tests.support.doc_blocks import assert_output, block
from tests.support.routes import NAMESPACE

FILES = {
    "packages/shop/quote.py": "def main(args):\n    return {}\n",
    "packages/shop/checkout.js": "function main(args) { return {} }\n",
    "packages/shop/admin.py": "def main(args):\n    return {}\n",
    ".env": "CURRENCY=EUR\nADMIN_SECRET=let-me-in\n",
}


def test_the_example_project_loads_as_described(tmp_path: Path):
    (tmp_path / "project.yml").write_text(block("configuration-project-yml").text)
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    project = load_project(tmp_path / "project.yml", namespace=NAMESPACE, environ={})

    (shop,) = project.packages
    # The project's parameter and the package's environment, from .env, bind to the package.
    assert shop.parameters == (
        Parameter("region", "local"),
        Parameter("CURRENCY", "EUR", init=True),
    )
    actions = {action.path: action for action in project.actions}
    assert sorted(actions) == ["shop/admin", "shop/checkout", "shop/quote"]
    quote, checkout, admin = actions["shop/quote"], actions["shop/checkout"], actions["shop/admin"]
    assert quote.exec.kind == "python:3.11"
    assert (quote.limits.timeout, quote.limits.memory) == (5000, 256)
    assert quote.parameters == (Parameter("margin", 0.2),)
    assert checkout.exec.kind == "nodejs:18"
    assert checkout.annotations.get("raw-http") is True
    # The runtime from the file's extension: Python's default kind.
    assert admin.exec.kind == "python:3.11"
    assert admin.annotations.get("require-whisk-auth") == "let-me-in"
    assert admin.annotations.get("provide-api-key") is True
    assert project.warnings == ()


def test_a_refused_project_fails_with_the_message_shown(tmp_path: Path):
    project = tmp_path / "project"
    (project / "packages" / "p").mkdir(parents=True)
    (project / "packages" / "p" / "f.py").write_text("def main(args):\n    return {}\n")
    (project / "project.yml").write_text(
        "packages:\n  - name: p\n    functions:\n      - name: f\n"
        "        limits:\n          timeout: soon\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", str(project), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    shown = block("configuration-refusal")
    assert_output(shown, done.stderr.replace(str(project), "…"))
