"""RemoteBuilder: the system functions a remote build calls, as doctl's and nim's deployers call
them (functions-deployer finder-builder.ts `invokeRemoteBuilder`, deploy.ts
`processRemoteResponse`).

1. `getUploadUrl {action}` (invoked without waiting, then polled): its record's result is
   `{url, sliceName}`, the URL being this emulator's own `PUT /nimbella/builder/slices/...`.
2. The deployer PUTs the slice (a zip) to that URL.
3. `build_<kind> {toBuild: sliceName, encryptionKey?}` (without waiting, then polled): the
   slice is unpacked as a project, built by the emulator's pipeline (build.sh, npm, lib, and
   Go compiled by the local toolchain), and its function deployed into the caller's namespace
   through the API's deploy path. The record's result is what the deployer running in the
   platform's runtime prints for a slice (main.ts `displayJSONResult`): `{transcript,
   outcome}`, the outcome a DeployResponse whose failures the client deployer reports as its
   own (doctl prints the transcript, then `Error: While deploying action ...`, and exits 1).

Each call leaves an activation record in the caller's namespace, as any other does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher
from emulator.invoker.logs import format_line
from emulator.invoker.observer import ActivationObserver
from emulator.namespace.clock import Clock, IdFactory
from emulator.namespace.code_bundles import code_of
from emulator.namespace.deployments import Deployments
from emulator.namespace.entities import (
    JSON,
    Action,
    Activation,
    ActivationResponse,
    Annotations,
    StatusCode,
)
from emulator.namespace.errors import EmulatorError, NotFound, PayloadTooLarge
from emulator.namespace.invoking import Recording
from emulator.namespace.runtimes import UnknownKind, resolve_kind
from emulator.project import build_project, load_project
from emulator.project.project_error import ProjectError
from emulator.project.slices import Slice, SliceError, unpack_slice

logger = logging.getLogger(__name__)

# The platform's builder: the namespace and package doctl's deployer invokes.
BUILDER_NAMESPACE = "nimbella"
BUILDER_PACKAGE = "builder"
GET_UPLOAD_URL = "getUploadUrl"
BUILD_PREFIX = "build_"
# Where the slices are PUT: on this emulator, outside the key-protected API (the deployer
# sends no credentials with the upload, as to a presigned bucket URL).
UPLOAD_PATH = "/nimbella/builder/slices"
# slice-reader.ts MAX_SLICE_UPLOAD_SIZE.
MAX_SLICE_BYTES = 64 * 1024 * 1024
# Slices uploaded and not built yet; the oldest is dropped past this many.
MAX_PENDING_SLICES = 16
# The deployer's words when a build script fails: finder-builder.ts `build`.
FAILED_OUTPUT = "Output of failed build in "
FAILED_SCRIPT = "'./build.sh' exited with code 1"
VERSION = "0.0.1"

Compile = Callable[[Action], Awaitable[str | None]]
"""Compiles a function ahead of its first call: None, or the compiler's output on failure."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the slice's deploy says: the deployed function or the failure, and the transcript."""

    path: str
    transcript: tuple[str, ...] = ()
    deployed: Action | None = None
    failure: str | None = None


@dataclass(slots=True)
class _Uploads:
    """Slice names handed out by getUploadUrl, with what was PUT to each (None: nothing yet)."""

    slices: OrderedDict[str, bytes | None] = field(default_factory=OrderedDict)

    def expect(self, name: str) -> None:
        self.slices[name] = None
        while len(self.slices) > MAX_PENDING_SLICES:
            self.slices.popitem(last=False)

    def put(self, name: str, data: bytes) -> None:
        if name not in self.slices:
            raise NotFound()
        self.slices[name] = data

    def take(self, name: str) -> bytes | None:
        return self.slices.pop(name, None)


class RemoteBuilder:
    def __init__(
        self,
        *,
        namespace: str,
        deployments: Deployments,
        records: Recording,
        compile: Compile,
        clock: Clock,
        ids: IdFactory,
        subject: str,
        work_dir: Path,
        environ: Mapping[str, str],
        observer: ActivationObserver | None = None,
    ) -> None:
        self.namespace = namespace
        self._deployments = deployments
        self._records = records
        self._compile = compile
        self._clock = clock
        self._ids = ids
        self._subject = subject
        self._work_dir = work_dir
        self._environ = environ
        self._observer = observer
        self._uploads = _Uploads()
        self._builds: set[asyncio.Task[None]] = set()

    async def invoke(self, name: str, params: Mapping[str, JSON], *, origin: str) -> str:
        """Start the builder function `name`; its activation id. `origin` is the scheme and
        host the caller reached this emulator at, where the upload URL points."""
        if name == GET_UPLOAD_URL:
            return await self._upload_url(params, origin)
        if name.startswith(BUILD_PREFIX):
            return self._start_build(name, _runtime_of(name), params)
        raise NotFound()

    def receive(self, slice_name: str, data: bytes) -> None:
        """The PUT of a slice to the URL getUploadUrl gave for it."""
        if len(data) > MAX_SLICE_BYTES:
            raise PayloadTooLarge("Slice", len(data), MAX_SLICE_BYTES)
        self._uploads.put(slice_name, data)

    async def close(self) -> None:
        """Stop the builds under way; their folders go too."""
        for task in self._builds:
            task.cancel()
        await asyncio.gather(*self._builds, return_exceptions=True)
        await asyncio.to_thread(shutil.rmtree, self._work_dir, True)

    async def _upload_url(self, params: Mapping[str, JSON], origin: str) -> str:
        start = self._clock.now_ms()
        activation_id = self._ids.activation_id(start)
        tag = str(params.get("action") or "slice")
        slice_name = f"{tag}-{activation_id}"
        self._uploads.expect(slice_name)
        result = {"url": f"{origin}{UPLOAD_PATH}/{slice_name}", "sliceName": slice_name}
        response = ActivationResponse(StatusCode.SUCCESS, result)
        await self._record(activation_id, GET_UPLOAD_URL, "nodejs:18", start, response)
        return activation_id

    def _start_build(self, name: str, kind: str, params: Mapping[str, JSON]) -> str:
        start = self._clock.now_ms()
        activation_id = self._ids.activation_id(start)
        task = asyncio.create_task(self._build(activation_id, name, kind, params, start))
        self._builds.add(task)
        task.add_done_callback(self._builds.discard)
        return activation_id

    async def _build(
        self, activation_id: str, name: str, kind: str, params: Mapping[str, JSON], start: int
    ) -> None:
        slice_name = str(params.get("toBuild") or "")
        data = self._uploads.take(slice_name)
        if data is None:
            message = f"Error: the slice '{slice_name}' was not uploaded"
            response = ActivationResponse.error(StatusCode.APPLICATION_ERROR, message)
            await self._record(activation_id, name, kind, start, response)
            return
        key = params.get("encryptionKey")
        folder = self._work_dir / activation_id
        try:
            outcome = await self._build_slice(data, folder, key if isinstance(key, str) else None)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)
        if outcome.failure:
            logger.warning("remote build of %s failed: %s", outcome.path, outcome.failure)
        else:
            logger.info("remote build deployed %s", outcome.path)
        result = {"transcript": list(outcome.transcript), "outcome": self._response(outcome)}
        lines = (*outcome.transcript, *([outcome.failure] if outcome.failure else ()))
        response = ActivationResponse(StatusCode.SUCCESS, result)
        await self._record(activation_id, name, kind, start, response, lines)

    async def _build_slice(self, data: bytes, folder: Path, key: str | None) -> Outcome:
        """Unpack, build and deploy the slice's one function."""
        folder.mkdir(parents=True)
        try:
            unpacked = await asyncio.to_thread(unpack_slice, data, folder, encryption_key=key)
            project = await asyncio.to_thread(
                load_project,
                unpacked.config_file,
                namespace=self.namespace,
                environ=self._environ,
                now_ms=self._clock.now_ms(),
            )
        except (SliceError, ProjectError) as error:
            return Outcome("", failure=str(error))
        built = await build_project(project, environ=self._environ)
        if len(built.actions) != 1:
            return Outcome("", failure="the slice does not hold exactly one function")
        action = built.actions[0]
        failure = built.build_failures.get(action.path)
        if failure is not None:
            message, _, output = failure.partition("\n")
            return Outcome(action.path, _transcript(output.splitlines()), failure=message)
        if action.exec.kind.startswith("go:"):
            compiler = await self._compile(action)
            if compiler is not None:
                where = str(folder / "packages" / (action.package or "default") / action.name)
                lines = (FAILED_OUTPUT + "%s", where, *compiler.splitlines())
                return Outcome(action.path, lines, failure=FAILED_SCRIPT)
        try:
            deployed = await self._deploy(action, unpacked)
        except EmulatorError as error:
            return Outcome(action.path, failure=error.message)
        return Outcome(action.path, deployed=deployed)

    async def _deploy(self, action: Action, unpacked: Slice) -> Action:
        """Through the API's deploy path, with the body the slice's own deploy would PUT."""
        code = await asyncio.to_thread(code_of, action.exec)
        deployer = {**unpacked.deployer_annotation, "zipped": action.exec.binary}
        body = {
            "exec": {
                "kind": action.exec.kind,
                "code": code,
                "binary": action.exec.binary,
                "main": action.exec.main,
            },
            "annotations": action.annotations.merged({"deployer": deployer}).as_json(),
            "parameters": [
                {"key": p.key, "value": p.value, **({"init": True} if p.init else {})}
                for p in action.parameters
            ],
            "limits": action.limits.as_json(),
        }
        return await self._deployments.put_action(action.path, body, overwrite=True)

    def _response(self, outcome: Outcome) -> dict[str, JSON]:
        """The slice's DeployResponse (deploy-struct.ts), its errors as main.ts serialises them."""
        if outcome.deployed is None:
            context = f"action '{outcome.path}'" if outcome.path else "the remote build"
            return {
                "successes": [],
                "failures": [{"message": outcome.failure, "context": context}],
                "ignored": [],
                "packageVersions": {},
                "actionVersions": {},
            }
        action = outcome.deployed
        digest = hashlib.sha256(code_of(action.exec).encode()).hexdigest()[:8]
        return {
            "successes": [{"name": action.path, "kind": "action", "skipped": False}],
            "failures": [],
            "ignored": [],
            "namespace": self.namespace,
            "packageVersions": {},
            "actionVersions": {action.path: {"version": action.version, "digest": digest}},
        }

    async def _record(
        self,
        activation_id: str,
        name: str,
        kind: str,
        start: int,
        response: ActivationResponse,
        lines: tuple[str, ...] = (),
    ) -> None:
        end = self._clock.now_ms()
        stamp = self._clock.now_ns()
        activation = Activation(
            activation_id=activation_id,
            namespace=self.namespace,
            name=name,
            package=BUILDER_PACKAGE,
            version=VERSION,
            subject=self._subject,
            start=start,
            end=max(end, start),
            response=response,
            logs=tuple(format_line(stamp, "stdout", line) for line in lines),
            annotations=Annotations.of(
                {"path": f"{BUILDER_NAMESPACE}/{BUILDER_PACKAGE}/{name}", "kind": kind}
            ),
        )
        await self._records.finish(activation)
        if self._observer is not None:
            self._observer.finished(activation)


def _runtime_of(name: str) -> str:
    """`build_go_1.20` → `go:1.20`; 404 for a runtime this platform has no builder for."""
    family, _, version = name.removeprefix(BUILD_PREFIX).partition("_")
    try:
        return resolve_kind(f"{family}:{version}").name
    except UnknownKind:
        raise NotFound() from None


def _transcript(output: list[str]) -> tuple[str, ...]:
    """A failed build's output as the slice's deployer logs it: its CaptureLogger keeps the
    format string and its argument apart (`Output of failed build in %s`, then the folder)."""
    if output and output[0].startswith(FAILED_OUTPUT):
        folder = output[0].removeprefix(FAILED_OUTPUT).rstrip(":").split(" (")[0]
        return (FAILED_OUTPUT + "%s", folder, *output[1:])
    return tuple(output)


def compile_with(launchers: Mapping[str, Launcher]) -> Compile:
    """The platform's compile step for each function: Go's toolchain; nothing for the
    interpreted runtimes."""

    async def compile(action: Action) -> str | None:
        launcher = launchers.get(action.exec.kind.partition(":")[0])
        return await launcher.compile(action) if isinstance(launcher, GoLauncher) else None

    return compile
