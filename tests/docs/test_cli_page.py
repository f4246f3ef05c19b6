"""docs/cli.md: the client commands, run in a shell whose FUNCTIONS_EMULATOR_PORT names the
running emulator, print what doctl prints."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.doc_blocks import assert_output, block, run_script, user_environment
from tests.support.servers import ServerProcess

ID = "[0-9a-f]{32}"
BANNER = re.compile(rf"=== ({ID}) success \d\d/\d\d \d\d:\d\d:\d\d sample/hello:0\.0\.1")
WHEN = re.compile(r"\d\d/\d\d \d\d:\d\d:\d\d")


def run_against(server: ServerProcess, block_id: str, folder: Path) -> str:
    env = user_environment(FUNCTIONS_EMULATOR_PORT=str(server.port))
    done = run_script(block(block_id).text, cwd=folder, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_client_commands_print_what_doctl_prints(sample_server: ServerProcess, tmp_path: Path):
    out = run_against(sample_server, "cli-functions-and-activations", tmp_path)
    ada, grace, rest = out.split("}\n", 2)
    assert ada + "}" == '{\n  "body": "Hello Ada!"\n}'
    assert grace + "}" == '{\n  "body": "Hello Grace!"\n}'
    lines = rest.splitlines()
    assert lines[0] == "Latest Update     Latest Version    Runtime Kind    Function Name"
    assert {"sample/hello", "sample/hello-node", "sample/jokes"} <= {
        line.split()[-1] for line in lines[1:13]
    }
    url = f"{sample_server.url}/api/v1/web/fn-23bc46b1-71f6-4ed5-8c54-816aa4f8c502/sample/hello"
    assert url in lines
    # The newest two activations; their logs, oldest first; the newest result; the newest
    # record's logs; then the id of the call that does not wait.
    listed = lines[lines.index(url) + 1 :]
    assert listed[0].split()[:2] == ["Datetime", "Status"]
    assert [row.split()[-1] for row in listed[1:3]] == ["sample/hello", "sample/hello"]
    banners = [match.group(1) for match in BANNER.finditer(out)]
    grace_id, ada_id = (row.split()[5] for row in listed[1:3])
    assert banners == [ada_id, grace_id, grace_id, grace_id]
    assert "\ngreeted Ada\n" in out and out.count("\ngreeted Grace\n") == 2
    assert re.search(r'\{\n  "activationId": "[0-9a-f]{32}"\n\}\n$', out)


def test_the_trigger_commands_list_and_fire_the_trigger(
    trigger_server: ServerProcess, tmp_path: Path
):
    out = run_against(trigger_server, "cli-triggers", tmp_path)
    # Times are local and today's: the page shows one of them.
    assert_output(block("cli-triggers-output"), WHEN.sub("12/08 09:00:00", out))
