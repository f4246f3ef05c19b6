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

from emulator.project.build_failures import diagnosed, is_cause

logger = logging.getLogger(__name__)

SHELL = "/bin/bash"
# A failed build's message quotes the first and the last lines of its output, and between
# them the lines that name a cause (build_failures.is_cause): the first lines usually say
# what broke, the last what gave up.
HEAD_LINES = 10
TAIL_LINES = 10
CAUSE_LINES = 5
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
    failure, quoting the output (see `OutputExcerpt`). Each output line is logged at INFO,
    prefixed with `label`; a failure at WARNING, with its one-line hint."""
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
    excerpt = OutputExcerpt()
    try:
        assert process.stdout is not None
        async for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if not line:
                continue
            excerpt.add(line)
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
    message = failure_message(command.tag, code, directory, excerpt)
    logger.warning("%s: build failed: %s", label, diagnosed(message).hint)
    return message


class OutputExcerpt:
    """What a failure message quotes of a build's output, gathered as the lines come: the
    first lines, the lines naming a cause, the last lines."""

    def __init__(self) -> None:
        self.total = 0
        self._head: list[str] = []
        self._causes: list[tuple[int, str]] = []
        self._tail: deque[tuple[int, str]] = deque(maxlen=TAIL_LINES)

    def add(self, line: str) -> None:
        if len(self._head) < HEAD_LINES:
            self._head.append(line)
        else:
            # A cause pushed out of the tail must not be lost: it is kept on its own.
            if len(self._tail) == TAIL_LINES:
                index, leaving = self._tail[0]
                if len(self._causes) < CAUSE_LINES and is_cause(leaving):
                    self._causes.append((index, leaving))
            self._tail.append((self.total, line))
        self.total += 1

    def lines(self) -> list[str]:
        """The quoted lines in their order, with a marker where lines were left out."""
        chosen = [*enumerate(self._head), *self._causes, *self._tail]
        quoted: list[str] = []
        expected = 0
        for index, line in chosen:
            if index > expected:
                quoted.append(f"[… {index - expected} more lines …]")
            quoted.append(line)
            expected = index + 1
        return quoted

    @property
    def complete(self) -> bool:
        return self.total <= HEAD_LINES + TAIL_LINES


def failure_message(tag: str, code: int, directory: Path, excerpt: OutputExcerpt) -> str:
    """`'./build.sh' exited with code 2`, then the output, as the deployer reports it (only
    its first lines, its causes and its last lines when it is long)."""
    lines = [f"'{tag}' exited with code {code}"]
    if excerpt.total:
        quoted = excerpt.lines()
        which = "" if excerpt.complete else f" ({excerpt.total} lines, some left out)"
        lines += [f"Output of failed build in {directory}{which}:", *quoted]
    return "\n".join(lines)


def _has_build_script(package_json: Path) -> bool:
    # As the deployer: an unreadable package.json has no build script, and npm install will
    # then say what is wrong with it in words its author knows.
    try:
        scripts = json.loads(package_json.read_text(encoding="utf-8")).get("scripts")
        return bool(isinstance(scripts, dict) and scripts.get("build"))
    except (OSError, ValueError, AttributeError):
        return False
