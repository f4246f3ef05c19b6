"""The hint after `Invalid function: No module named …` looks at the function's own build:
its build.sh and its `.ignore`, not only at the files that were deployed."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.support.routes import ACTIONS, ACTIVATIONS

IMPORTS_A_REQUIREMENT = (
    "import emulator_test_dependency_not_installed\n\ndef main(args):\n    return {}\n"
)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        if path.name == "build.sh":
            path.chmod(0o755)
    return root


async def failed_init_logs(make_client, root: Path, function: str) -> list[str]:
    client = await make_client(root, bare_runtimes=True)
    response = await client.post(f"{ACTIONS}/{function}?blocking=true")
    assert response.status == 502
    activation_id = (await response.json())["activationId"]
    record = await (await client.get(f"{ACTIVATIONS}/{activation_id}")).json()
    return [line.split(" ", 2)[2] for line in record["logs"]]


async def test_a_build_whose_virtualenv_the_ignore_drops_is_told_the_ignore_line(
    make_client, tmp_path
):
    root = write(
        tmp_path,
        {
            "packages/demo/fn/__main__.py": IMPORTS_A_REQUIREMENT,
            "packages/demo/fn/requirements.txt": "emulator-test-dependency-not-installed\n",
            "packages/demo/fn/build.sh": "mkdir -p virtualenv/bin && touch virtualenv/made\n",
            "packages/demo/fn/.ignore": "# local things\n*.pyc\nvirtualenv/\n",
        },
    )
    logs = await failed_init_logs(make_client, root, "demo/fn")
    assert logs[:2] == [
        "Invalid function: No module named 'emulator_test_dependency_not_installed'",
        "Hint: build.sh makes virtualenv/, but line 3 of .ignore ('virtualenv/') leaves it "
        "out of the function: remove that line",
    ]


async def test_a_build_that_makes_no_virtualenv_is_told_so(make_client, tmp_path):
    root = write(
        tmp_path,
        {
            "packages/demo/fn/__main__.py": IMPORTS_A_REQUIREMENT,
            "packages/demo/fn/requirements.txt": "emulator-test-dependency-not-installed\n",
            "packages/demo/fn/build.sh": "echo nothing to do\n",
        },
    )
    logs = await failed_init_logs(make_client, root, "demo/fn")
    assert logs[1].startswith("Hint: build.sh made no virtualenv/ folder in the function")
