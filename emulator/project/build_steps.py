"""One build step run as the deployer runs it (functions-deployer finder-builder.ts `build`):
through /bin/bash in the built directory, with the emulator's environment, its output streamed
to the log line by line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SHELL = "/bin/bash"
TAIL_LINES = 20  # how much of a failed build's output its message quotes
_LINE_LIMIT = 1024 * 1024  # longest output line read whole


@dataclass(frozen=True, slots=True)
class Command:
    line: str  # what `bash -c` runs
    tag: str  # how a failure names it: `'<tag>' exited with code N`


def command_for(step: str, directory: Path) -> Command:
    """The deployer's command for a `build.sh`, `build.cmd` or `package.json` directory."""
    if step == "package.json":
        if _has_build_script(directory / "package.json"):
            return Command("npm install && npm run build", "npm install")
        return Command("npm install --production", "npm install")
    # The deployer spawns `./build.sh` through the shell: the script needs its execute bit.
    script = "./build.sh" if step == "build.sh" else step
    return Command(script, script)


async def run_step(
    step: str, directory: Path, *, label: str, environ: Mapping[str, str]
) -> str | None:
    """Run `step` in `directory`: None when it succeeds, else the deployer's message for the
    failure, quoting the last lines of the output. Each output line is logged at INFO,
    prefixed with `label`."""
    command = command_for(step, directory)
    logger.info("%s: started running %s in %s", label, command.line, directory)
    try:
        process = await asyncio.create_subprocess_exec(
            SHELL,
            "-c",
            command.line,
            cwd=directory,
            env=dict(environ),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole if we are
            limit=_LINE_LIMIT,
        )
    except OSError as error:
        return f"'{command.tag}' could not be started: {error}"
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    try:
        lines = 0
        assert process.stdout is not None
        async for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if not line:
                continue
            tail.append(line)
            lines += 1
            logger.info("%s: %s", label, line)
        code = await process.wait()
    except BaseException:
        # Cancelled (the emulator is stopping): the build and its children go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await asyncio.shield(process.wait())
        raise
    if code == 0:
        logger.info("%s: finished running %s", label, command.line)
        return None
    message = failure_message(command.tag, code, directory, list(tail), truncated=lines > len(tail))
    logger.warning("%s: %s", label, message)
    return message


def failure_message(
    tag: str, code: int, directory: Path, tail: list[str], *, truncated: bool = False
) -> str:
    """`'./build.sh' exited with code 2`, then the output, as the deployer reports it."""
    lines = [f"'{tag}' exited with code {code}"]
    if tail:
        which = f" (last {len(tail)} lines)" if truncated else ""
        lines += [f"Output of failed build in {directory}{which}:", *tail]
    return "\n".join(lines)


def _has_build_script(package_json: Path) -> bool:
    # As the deployer: an unreadable package.json has no build script, and npm install will
    # then say what is wrong with it in words its author knows.
    try:
        scripts = json.loads(package_json.read_text(encoding="utf-8")).get("scripts")
        return bool(isinstance(scripts, dict) and scripts.get("build"))
    except (OSError, ValueError, AttributeError):
        return False
