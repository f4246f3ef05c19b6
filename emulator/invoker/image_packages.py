"""ImagePackages: the runtime images' packages as the invoker serves them, from the cache,
behind each function's own dependencies; installed on demand when a function fails to import
a module that its kind's image ships; or left out (`--bare-runtimes`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from emulator.invoker.installs import InstallResult, install_image
from emulator.invoker.runtime_cache import RuntimeCache
from emulator.namespace.entities import JSON
from emulator.namespace.images import Image, image_for

logger = logging.getLogger(__name__)

INSTALL_COMMAND = "functions-emulator runtimes install"
_BUNDLE = {
    "pip": "build a virtualenv/ in the function's build.sh",
    "npm": "add it to the dependencies of the function's package.json",
}


class ImagePackages:
    """`bare`: no image packages at all, as a strict test of a project's own bundling.
    `interpreter(kind)` is the program that serves a Python kind, which its packages are
    installed for. `install_on_demand=False` only says which command installs them."""

    def __init__(
        self,
        cache: RuntimeCache,
        *,
        bare: bool = False,
        interpreter: Callable[[str], str] | None = None,
        install_on_demand: bool = True,
    ) -> None:
        self.cache = cache
        self.bare = bare
        self._interpreter = interpreter
        self._on_demand = install_on_demand
        self._installing: dict[str, asyncio.Task[InstallResult]] = {}
        # Kind → package → why its install failed ("" for the whole set), in this run.
        self._failed: dict[str, dict[str, str]] = {}

    def state(self, kind: str) -> str | None:
        """How the banner shows the image packages of `kind`; None when its image has none."""
        image = image_for(kind)
        if image is None:
            return None
        if self.bare:
            return "image packages off (--bare-runtimes)"
        installed = set(self.installed(kind))
        names = [p.name for p in image.packages]
        if not installed:
            return f"image packages not installed ({INSTALL_COMMAND} {kind})"
        if installed >= set(names):
            return f"image packages installed ({len(names)})"
        have = [name for name in names if name in installed]
        return f"image packages partly installed ({', '.join(have)})"

    def installed(self, kind: str) -> tuple[str, ...]:
        """The image packages of `kind` in the cache, for the interpreter that serves it now
        (those built for another Python do not count)."""
        record = self.cache.image(kind)
        if record is None:
            return ()
        serving = self._interpreter(kind) if self._interpreter else record.program
        if kind.startswith("python:") and record.program != serving:
            return ()
        return record.packages

    def init_fields(self, kind: str) -> dict[str, JSON]:
        """What a function's init line carries: the folders of its image's packages."""
        if self.bare or not self.installed(kind):
            return {}
        image = image_for(kind)
        folder = self.cache.image_dir(kind)
        if image is None:
            return {}
        if image.manager == "npm":
            return {"image_packages": [str(folder / "node_modules")]}
        found = sorted(folder.glob("lib/python3*/site-packages"))
        return {"image_packages": [str(path) for path in found]}

    def after_missing_module(self, kind: str, module: str) -> tuple[str, ...]:
        """A function of `kind` could not import `module`: the lines its logs get (none when
        the image does not ship it), and, unless installed or off, the image's install."""
        image = image_for(kind)
        package = image.providing(module) if image else None
        if image is None or package is None:
            return ()
        shipped = f"{module} comes with DigitalOcean's {kind} image (package {package.name})"
        if self.bare:
            how = _BUNDLE[image.manager]
            return (f"Hint: {shipped}, which --bare-runtimes leaves out: {how}",)
        if package.name in self.installed(kind):
            return ()
        command = f"{INSTALL_COMMAND} {kind}"
        failed = self._failed.get(kind, {})
        why = failed.get(package.name, failed.get(""))
        if why is not None:
            return (
                f"Hint: {shipped}, but installing it failed ({why}): run "
                f"'{command}' when the package index can be reached, or bundle it",
            )
        if kind in self._installing:
            return (f"Hint: {shipped}: it is being installed (progress on the console)",)
        if not self._on_demand:
            return (f"Hint: {shipped}, which is not installed here: run '{command}'",)
        self._installing[kind] = asyncio.get_running_loop().create_task(self._install(image))
        folder = self.cache.image_dir(kind)
        return (
            f"Hint: {shipped}: installing the image's packages into {folder} now (progress on "
            "the console); the next call has them",
        )

    async def wait(self) -> None:
        """Until the installs under way are done."""
        await asyncio.gather(*self._installing.values(), return_exceptions=True)

    async def close(self) -> None:
        for task in self._installing.values():
            task.cancel()
        await self.wait()

    async def _install(self, image: Image) -> InstallResult:
        kind = image.kind
        logger.info("%s: installing the image's packages into %s", kind, self.cache.image_dir(kind))
        try:
            interpreter = self._interpreter(kind) if self._interpreter else ""
            result = await install_image(
                image,
                self.cache,
                interpreter=interpreter,
                progress=lambda line: logger.info("%s: %s", kind, line),
            )
        except Exception as error:
            self._failed[kind] = {"": str(error)}
            logger.warning("%s: installing the image's packages failed: %s", kind, error)
            raise
        finally:
            del self._installing[kind]
        if result.failed:
            self._failed[kind] = dict(result.failed)
            names = ", ".join(name for name, _ in result.failed)
            logger.warning(
                "%s: %d of the image's packages could not be installed (%s: %s); run '%s %s' "
                "to try again",
                kind,
                len(result.failed),
                names,
                result.failed[0][1],
                INSTALL_COMMAND,
                kind,
            )
        else:
            logger.info("%s: the image's %d packages are installed", kind, len(result.installed))
        return result
