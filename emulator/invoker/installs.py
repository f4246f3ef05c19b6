"""Installing into the runtime cache: a kind's image packages (pip with the kind's own
interpreter, into a virtual environment of the cache; npm for Node.js) and the exact
toolchains of exact_toolchains.py (pip, into a folder of the cache). Each output line goes to
`progress` as it comes."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.exact_toolchains import ToolchainWheel
from emulator.invoker.runtime_cache import Installed, RuntimeCache
from emulator.namespace.images import Image
from emulator.project.build_failures import offline

Progress = Callable[[str], None]
PIP_OPTIONS = ("--disable-pip-version-check", "--no-input", "--progress-bar", "off")


@dataclass(frozen=True, slots=True)
class InstallResult:
    kind: str
    installed: tuple[str, ...]
    failed: tuple[tuple[str, str], ...] = ()  # (package, why)

    @property
    def ok(self) -> bool:
        return not self.failed


class InstallError(Exception):
    """A step failed: why, in one line."""


async def install_image(
    image: Image,
    cache: RuntimeCache,
    *,
    interpreter: str,
    progress: Progress,
    only: Sequence[str] = (),
) -> InstallResult:
    """Install the image's packages (or those of `only`) into the cache, next to what is
    there already. A set that fails as a whole is tried package by package, so that one
    package without a build for this machine does not keep out the others."""
    wanted = [p for p in image.packages if not only or p.name in only]
    unknown = sorted(set(only) - {p.name for p in image.packages})
    if unknown:
        raise InstallError(f"{image.kind}'s image has no package {', '.join(unknown)}")
    folder = cache.image_dir(image.kind)
    folder.mkdir(parents=True, exist_ok=True)
    async with _locked(folder):
        before = cache.image(image.kind) or Installed()
        try:
            install, fresh = await _installer(image, folder, interpreter, before, progress)
        except InstallError as error:
            return InstallResult(image.kind, (), tuple((p.name, str(error)) for p in wanted))
        requirements = [image.requirement(p) for p in wanted]
        failed: list[tuple[str, str]] = []
        why = await install(requirements)
        if why is not None and len(wanted) > 1:
            progress(f"installing {len(wanted)} packages at once failed; one at a time now")
            for package in wanted:
                reason = await install([image.requirement(package)])
                if reason is not None:
                    failed.append((package.name, reason))
        elif why is not None:
            failed.append((wanted[0].name, why))
        lost = {name for name, _ in failed}
        done = tuple(p.name for p in wanted if p.name not in lost)
        program = interpreter if image.manager == "pip" else "npm"
        kept = () if fresh else before.packages
        cache.record_image(image.kind, Installed(tuple({*kept, *done}), program))
        return InstallResult(image.kind, done, tuple(failed))


async def install_toolchain(
    wheel: ToolchainWheel, cache: RuntimeCache, *, progress: Progress
) -> InstallResult:
    """pip-install the toolchain's wheel into its folder of the cache (a fresh one)."""
    folder = cache.toolchain_dir(wheel.kind)
    folder.parent.mkdir(parents=True, exist_ok=True)
    async with _locked(folder):
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        requirement = f"{wheel.package}{wheel.version}"
        argv = [sys.executable, "-m", "pip", "install", *PIP_OPTIONS, "--target", str(partial)]
        code, lines = await run_streamed([*argv, requirement], progress=progress)
        if code != 0:
            shutil.rmtree(partial, ignore_errors=True)
            return InstallResult(wheel.kind, (), ((wheel.package, _reason("pip", lines)),))
        shutil.rmtree(folder, ignore_errors=True)
        partial.replace(folder)
        version = next((p.name.split("-")[1] for p in folder.glob("*.dist-info")), wheel.version)
        cache.record_toolchain(wheel.kind, Installed((wheel.package,), wheel.program, version))
        return InstallResult(wheel.kind, (f"{wheel.package} {version}",))


async def _installer(
    image: Image, folder: Path, interpreter: str, before: Installed, progress: Progress
) -> tuple[Callable[[list[str]], Awaitable[str | None]], bool]:
    """How to install requirements into `folder` (None, or why it failed), and whether the
    folder was made anew (what it held before is gone)."""
    if image.manager == "npm":
        npm = shutil.which("npm")
        if npm is None:
            raise InstallError("npm is not installed (it comes with Node.js)")
        argv = [npm, "install", "--prefix", str(folder), "--no-package-lock", "--omit=dev"]
        argv += ["--no-audit", "--no-fund", "--no-save"]

        async def npm_install(requirements: list[str]) -> str | None:
            code, lines = await run_streamed([*argv, *requirements], progress=progress)
            return None if code == 0 else _reason("npm", lines)

        return npm_install, False
    python = folder / "bin" / "python"
    fresh = not python.exists() or before.program != interpreter
    if fresh:
        # A new interpreter for the kind: its packages are built for it from scratch.
        shutil.rmtree(folder, ignore_errors=True)
        progress(f"creating a virtual environment with {interpreter} in {folder}")
        code, lines = await run_streamed(
            [interpreter, "-m", "venv", str(folder)], progress=progress
        )
        if code != 0:
            raise InstallError(f"{interpreter} -m venv failed: {_reason('venv', lines)}")

    async def pip_install(requirements: list[str]) -> str | None:
        argv = [str(python), "-m", "pip", "install", *PIP_OPTIONS, *requirements]
        code, lines = await run_streamed(argv, progress=progress)
        return None if code == 0 else _reason("pip", lines)

    return pip_install, fresh


async def run_streamed(argv: Sequence[str], *, progress: Progress) -> tuple[int, list[str]]:
    """Run `argv`, each output line to `progress`: its exit code and its last lines."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        return 127, [f"{argv[0]}: {error}"]
    lines: list[str] = []
    assert process.stdout is not None
    try:
        async for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                lines = [*lines[-199:], line]
                progress(line)
        return await process.wait(), lines
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await asyncio.shield(process.wait())
        raise


def _reason(tool: str, lines: Sequence[str]) -> str:
    """One line on why `tool` failed: no network, or its last error line."""
    for line in lines:
        cause = offline(line)
        if cause is not None:
            return cause
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or list(lines) or [f"{tool} failed"])[-1].strip()


@contextlib.asynccontextmanager
async def _locked(folder: Path) -> AsyncIterator[None]:
    """One install at a time into `folder`, across processes (a CLI install and a serve)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
