"""`functions-emulator runtimes`: the runtime cache of the platform's images, `install` (their
packages, and the exact toolchains a registry ships) and `list` (what serves each kind)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from emulator.app import discover_launchers, image_packages, runtime_cache
from emulator.invoker.exact_toolchains import WHEELS
from emulator.invoker.installs import InstallError, InstallResult, install_image, install_toolchain
from emulator.invoker.launchers.python import PythonLauncher
from emulator.invoker.runtime_cache import RuntimeCache
from emulator.namespace.images import image_for
from emulator.namespace.runtimes import KINDS
from emulator.settings import Settings


@click.group()
def runtimes() -> None:
    """The platform's runtime images here: their packages and exact toolchains."""


def _settings() -> Settings:
    # No project is served: the cache is the user's, wherever the command runs.
    return Settings(project_file=Path("project.yml"))


def _kinds(given: tuple[str, ...]) -> list[str]:
    unknown = [kind for kind in given if kind not in KINDS]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)}: not a kind (one of {', '.join(KINDS)})", param_hint="KIND"
        )
    return list(given) or [k for k in KINDS if image_for(k) or k in WHEELS]


@runtimes.command()
@click.argument("kinds", nargs=-1, metavar="[KIND]...")
@click.option(
    "--package",
    "packages",
    multiple=True,
    metavar="NAME",
    help="Only this package of each kind's image (repeatable), e.g. what a project imports; "
    "no toolchain then.",
)
def install(kinds: tuple[str, ...], packages: tuple[str, ...]) -> None:
    """Install each KIND's image packages and exact toolchain into the runtime cache
    [default: every kind that has one]."""
    settings = _settings()
    cache = runtime_cache(settings)
    python = PythonLauncher.discover()
    failures: list[str] = []
    for kind in _kinds(kinds):
        for result in asyncio.run(_install(kind, cache, python, packages)):
            for name, why in result.failed:
                failures.append(f"{kind}: {name}: {why}")
            if result.installed:
                click.echo(f"{kind}: installed {', '.join(result.installed)}")
    click.echo(f"Runtime cache: {cache.root}")
    if failures:
        raise click.ClickException("Not installed:\n" + "\n".join(failures))


async def _install(
    kind: str, cache: RuntimeCache, python: PythonLauncher, packages: tuple[str, ...]
) -> list[InstallResult]:
    def progress(line: str) -> None:
        click.echo(f"{kind}: {line}")

    results: list[InstallResult] = []
    wheel = WHEELS.get(kind)
    if wheel is not None and not packages:
        progress(f"fetching {wheel.package}{wheel.version} into {cache.toolchain_dir(kind)}")
        results.append(await install_toolchain(wheel, cache, progress=progress))
    image = image_for(kind)
    if image is not None:
        progress(f"installing the image's packages into {cache.image_dir(kind)}")
        try:
            results.append(
                await install_image(
                    image,
                    cache,
                    interpreter=python.interpreter(kind).path,
                    progress=progress,
                    only=packages,
                )
            )
        except InstallError as error:
            raise click.ClickException(str(error)) from None
    return results


@runtimes.command(name="list")
def list_runtimes() -> None:
    """Each kind: the program that serves it, exact or stand-in, and its image packages."""
    settings = _settings()
    launchers = discover_launchers(settings)
    images = image_packages(settings, launchers)
    for kind in KINDS.values():
        line = launchers[kind.family].describe(kind.name)
        state = images.state(kind.name)
        click.echo(f"{line}; {state}" if state else line)
    click.echo(f"Runtime cache: {images.cache.root}")
