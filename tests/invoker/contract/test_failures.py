"""What every runtime does when a function fails to run: a process that dies, a timeout, and
an initialisation that fails, each reported with the platform's message."""

from __future__ import annotations

import pytest

from emulator.invoker import messages
from emulator.namespace.entities import Limits, StatusCode
from tests.support.invoking import annotation, messages_of, run
from tests.support.servers import process_alive

# Says "leaving", then dies the way `die` names.
DIES = {
    "python": """
        import os, signal, sys
        def main(args):
            way = args.get("die")
            if way:
                print("leaving")
            if way == "exit":
                sys.exit(3)
            if way == "hard-exit":
                os._exit(1)
            if way == "signal":
                os.kill(os.getpid(), signal.SIGSEGV)
            return {}
    """,
    "nodejs": """
        function main(args) {
          if (args.die) console.log('leaving');
          if (args.die === 'exit') process.exit(1);
          if (args.die === 'signal') process.kill(process.pid, 'SIGSEGV');
          return {};
        }
    """,
    "go": """
        package main

        import (
            "fmt"
            "os"
            "syscall"
            "time"
        )

        func Main(args map[string]interface{}) map[string]interface{} {
            way, _ := args["die"].(string)
            if way != "" {
                fmt.Println("leaving")
            }
            switch way {
            case "exit":
                os.Exit(1)
            case "signal":
                // Go answers a SIGSEGV with a crash report of its own: SIGKILL is as quiet
                // as the other runtimes' SIGSEGV.
                syscall.Kill(os.Getpid(), syscall.SIGKILL)
                time.Sleep(time.Minute)
            }
            return map[string]interface{}{}
        }
    """,
    "php": """
        <?php
        function main(array $event): array
        {
            $way = $event['die'] ?? '';
            if ($way !== '') {
                echo "leaving\\n";
            }
            if ($way === 'exit') {
                exit(1);
            }
            if ($way === 'signal') {
                posix_kill(getmypid(), SIGSEGV);
            }
            return [];
        }
    """,
}
WAYS_TO_DIE = {
    "python": ["exit", "hard-exit", "signal"],
    "nodejs": ["exit", "signal"],
    "go": ["exit", "signal"],
    "php": ["exit", "signal"],
}


@pytest.mark.parametrize(
    ("runtime", "way"),
    [(family, way) for family, ways in WAYS_TO_DIE.items() for way in ways],
    ids=[f"{family}-{way}" for family, ways in WAYS_TO_DIE.items() for way in ways],
    indirect=["runtime"],
)
async def test_a_process_that_dies_is_a_developer_error_and_the_next_call_is_cold(
    runtime, invoker, functions, way
):
    runtime.add(functions, "dies", DIES[runtime.family])
    activation = await run(invoker, "pkg/dies", {"die": way})
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}
    assert messages_of(activation) == [
        "stdout: leaving",
        f"stderr: {messages.LOGS_MIGHT_BE_MISSING}",
    ]
    after = await run(invoker, "pkg/dies")
    assert after.response.success
    assert annotation(after, "initTime") is not None


# With a `hang` parameter: says "started", starts a child that would sleep for a minute,
# writes its pid to the file `hang` names, and never answers.
HANGS = {
    "python": """
        import subprocess, time
        def main(args):
            if "hang" in args:
                print("started")
                child = subprocess.Popen(["sleep", "60"])
                with open(args["hang"], "w") as marker:
                    marker.write(str(child.pid))
                time.sleep(60)
            return {}
    """,
    "nodejs": """
        const {spawn} = require('child_process');
        const fs = require('fs');
        function main(args) {
          if (!args.hang) return {};
          console.log('started');
          const child = spawn('sleep', ['60']);
          fs.writeFileSync(args.hang, String(child.pid));
          return new Promise(() => {});
        }
    """,
    "go": """
        package main

        import (
            "fmt"
            "os"
            "os/exec"
            "strconv"
            "time"
        )

        func Main(args map[string]interface{}) map[string]interface{} {
            if marker, ok := args["hang"].(string); ok {
                fmt.Println("started")
                child := exec.Command("sleep", "60")
                if err := child.Start(); err != nil {
                    panic(err)
                }
                os.WriteFile(marker, []byte(strconv.Itoa(child.Process.Pid)), 0o644)
                time.Sleep(time.Minute)
            }
            return map[string]interface{}{}
        }
    """,
    "php": """
        <?php
        function main(array $event): array
        {
            if (isset($event['hang'])) {
                echo "started\\n";
                $child = proc_open(['sleep', '60'], [], $pipes);
                file_put_contents($event['hang'], (string)proc_get_status($child)['pid']);
                sleep(60);
            }
            return [];
        }
    """,
}


@pytest.mark.parametrize("runtime", HANGS, indirect=True)
async def test_a_timeout_kills_the_process_and_its_children_and_the_next_call_is_cold(
    runtime, invoker, functions, tmp_path
):
    marker = tmp_path / "child.pid"
    # The same code twice: a compiled runtime builds it in the patient function's first call,
    # and the hasty function starts from that build at once.
    runtime.add(functions, "patient", HANGS[runtime.family])
    assert (await run(invoker, "pkg/patient")).response.success
    runtime.add(functions, "hasty", HANGS[runtime.family], limits=Limits(timeout=1000))
    activation = await run(invoker, "pkg/hasty", {"hang": str(marker)})
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.timed_out(1000)}
    assert annotation(activation, "timeout") is True
    assert messages_of(activation)[0] == "stdout: started"
    assert not process_alive(int(marker.read_text()))
    after = await run(invoker, "pkg/hasty")
    assert after.response.success
    assert annotation(after, "initTime") is not None


# A function whose code defines `handler` but no `main`; the first log line of each runtime.
NO_MAIN = {
    "python": (
        "def handler():\n    return {}\n",
        "Invalid function: module 'main__' has no attribute 'main'",
    ),
    "nodejs": (
        "function handler() {\n  return {};\n}\n",
        "Initialization has failed due to: Function entrypoint 'main' is not a function.",
    ),
    "php": (
        "<?php\nfunction handler(array $event): array { return []; }\n",
        "Invalid function: {source} does not define a function named 'main'.",
    ),
}


@pytest.mark.parametrize("runtime", NO_MAIN, indirect=True)
async def test_a_missing_main_fails_to_initialise(runtime, invoker, functions):
    code, cause = NO_MAIN[runtime.family]
    action = runtime.add(functions, "nomain", code)
    activation = await run(invoker, "pkg/nomain")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert messages_of(activation)[0] == "stderr: " + cause.format(source=action.exec.source)


# A function that needs a module which is not there; the first log line of each runtime.
MISSING_MODULE = {
    "python": (
        "import no_such_module\ndef main():\n    return {}\n",
        "Invalid function: No module named 'no_such_module'",
    ),
    "nodejs": (
        "require('no-such-module');\nfunction main() {\n  return {};\n}\n",
        "Initialization has failed due to: Error: Cannot find module 'no-such-module'",
    ),
}


@pytest.mark.parametrize("runtime", MISSING_MODULE, indirect=True)
async def test_a_missing_module_fails_to_initialise_with_the_cause_in_the_logs(
    runtime, invoker, functions
):
    code, cause = MISSING_MODULE[runtime.family]
    runtime.add(functions, "broken", code)
    activation = await run(invoker, "pkg/broken")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert messages_of(activation)[0] == "stderr: " + cause


# A directory function without the file its runtime starts from, and the runtime's words.
NO_ENTRY_FILE = {
    "python": ({"other.py": "x = 1\n"}, "Zip file does not include '__main__.py'."),
    "nodejs": (
        {"other.js": "exports.main = () => ({});\n"},
        "Initialization has failed due to: "
        "Zipped functions must contain either package.json or index.[m]js at the root.",
    ),
    "php": ({"main.php": "<?php function main() {}\n"}, "Zip file does not include 'index.php'."),
}


@pytest.mark.parametrize("runtime", NO_ENTRY_FILE, indirect=True)
async def test_a_directory_function_without_its_entry_file_fails_to_initialise(
    runtime, invoker, functions
):
    files, cause = NO_ENTRY_FILE[runtime.family]
    runtime.add(functions, "empty", "", files=files)
    activation = await run(invoker, "pkg/empty")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert messages_of(activation)[0] == "stderr: " + cause
