"""Invoker: starts activations, runs them in warm processes and records every one of them."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from emulator.invoker import messages
from emulator.invoker.code_versions import CodeVersions
from emulator.invoker.compiles_ahead import CompilesAhead
from emulator.invoker.debugging import DebugScope
from emulator.invoker.image_packages import ImagePackages
from emulator.invoker.invocation import Invocation, PendingMarker
from emulator.invoker.lanes import Lanes
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher
from emulator.invoker.observer import ActivationObserver
from emulator.invoker.outcome import Verdict, judge_init, judge_run, missing_module
from emulator.invoker.pool import WarmPool
from emulator.invoker.process import WarmProcess
from emulator.namespace.clock import Clock, IdFactory
from emulator.namespace.entities import (
    JSON,
    MAX_PAYLOAD_BYTES,
    Action,
    Activation,
    ActivationResponse,
    Annotations,
    PendingActivation,
    StatusCode,
)
from emulator.namespace.errors import EmulatorError
from emulator.namespace.parameters import Binding, bind
from emulator.namespace.recordings import RecordedRequest
from emulator.namespace.registry import Registry
from emulator.store.activation_store import ActivationStore

logger = logging.getLogger(__name__)

# The platform gives initialisation at least this long, even to a function with a shorter timeout.
MIN_INIT_TIMEOUT_MS = 10_000
# What a function's process may see of the emulator's own environment.
HOST_VARIABLES = ("PATH", "HOME", "LANG", "TZ")
# A blocking activation still running after this long gets its pending marker written; a
# quicker one only ever writes its record (its id reaches no client before that commits).
MARKER_DELAY_SECONDS = 0.05


class CodeGate(Protocol):
    """What hot reload knows of the files functions are started from."""

    async def settled(self, action: Action) -> Action:
        """The version to start a process of: `action` while its file is as deployed, else
        the one deployed from the saved file once it is."""
        ...

    def unchanged(self, action: Action) -> bool:
        """Whether `action`'s file is still as it was deployed."""
        ...


class _CodeChanged(Exception):
    """A function's file changed while a new process of it loaded the file."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the activations run as: the namespace, its key and the API host functions see."""

    namespace: str
    api_key: str
    subject: str
    api_host: str


@dataclass(frozen=True, slots=True)
class _Run:
    """Everything one activation needs, gathered before it starts."""

    action: Action
    binding: Binding
    pending: PendingActivation
    marker: PendingMarker
    request_id: str
    received: float  # monotonic seconds
    # Annotations the caller adds to the record, after the platform's (the web marker).
    extra_annotations: tuple[tuple[str, JSON], ...] = ()
    # What the activation was invoked with, kept beside its record for replays.
    request: RecordedRequest | None = None
    # Invoked while its function's start-up build ran: it runs the version the build deploys.
    after_build: bool = False


@dataclass(frozen=True, slots=True)
class _Timing:
    start_ms: int
    wait_ms: int
    init_ms: int | None


@dataclass(slots=True)
class _Progress:
    """How far a running activation got: what its record keeps if the emulator stops it."""

    process: WarmProcess | None = None
    timing: _Timing | None = None
    # Still initialising (a cold start whose function has not loaded yet).
    initialising: bool = False


class Invoker:
    def __init__(
        self,
        *,
        registry: Registry,
        store: ActivationStore,
        pool: WarmPool,
        launchers: Mapping[str, Launcher],
        identity: Identity,
        host_environ: Mapping[str, str],
        clock: Clock,
        ids: IdFactory,
        observer: ActivationObserver | None = None,
        enforce_timeouts: bool = True,
        debug: DebugScope | None = None,
        code_versions: CodeVersions | None = None,
        images: ImagePackages | None = None,
    ) -> None:
        """`enforce_timeouts=False` (the `--debug` mode) lets a function sit at a breakpoint
        for as long as the developer needs; `debug` does so for the functions it covers.
        `code_versions` digests (and keeps) the code each recorded activation ran; `images`:
        the runtime images' packages that functions get behind their own (None: none)."""
        self._registry = registry
        self._store = store
        self._pool = pool
        self._launchers = launchers
        self._identity = identity
        self._host_env = {k: host_environ[k] for k in HOST_VARIABLES if k in host_environ}
        self._clock = clock
        self._ids = ids
        self._observer = observer
        self._debug = debug or DebugScope(enabled=not enforce_timeouts)
        self._code_versions = code_versions or CodeVersions(None)
        self._images = images
        # Blocking activations, each a task its caller waits on; non-blocking ones wait in
        # their function's lane for one of its runners.
        self._tasks: set[asyncio.Task[Activation]] = set()
        self._lanes: Lanes[_Run, Activation] = Lanes(self._activate)
        self._ahead = CompilesAhead(self._compile)
        # The functions whose start-up build is still running, and its end.
        self._unbuilt: frozenset[str] = frozenset()
        self._built = asyncio.Event()
        self._built.set()
        # Hot reload's watch on files being saved: no process starts from one half written.
        self.code_gate: CodeGate | None = None

    @property
    def code_versions(self) -> CodeVersions:
        return self._code_versions

    @property
    def launchers(self) -> dict[str, Launcher]:
        return dict(self._launchers)

    @property
    def images(self) -> ImagePackages | None:
        return self._images

    @property
    def running(self) -> int:
        return len(self._tasks) + self._lanes.in_flight

    async def invoke(
        self,
        path: str,
        params: Mapping[str, JSON],
        *,
        request_id: str,
        cause: str | None = None,
        check_final: bool = True,
        annotations: Mapping[str, JSON] | None = None,
        blocking: bool = False,
        request: RecordedRequest | None = None,
        code: Path | None = None,
    ) -> Invocation:
        """Start an activation of the function at `path`; its record is written when it ends.

        `check_final=False` lets the request redefine a `final` function's bound parameters;
        `annotations` are added to the record's. Unless `blocking`, the activation's pending
        marker is committed before this returns, so its id may be handed out at once; a
        blocking caller gets that guarantee from `Invocation.wait` returning None.

        `request` is what the record keeps as the activation's request (by default `params`);
        `code` runs the function from another copy of its code (a replay's recorded one)."""
        action = self._registry.action(path)
        if code is not None:
            action = _with_code(action, code)
        elif self.code_gate is not None and not self._pool.warm_count(action):
            action = await self.code_gate.settled(action)
        package = self._registry.package(action.package)
        binding = bind(action, package, params, check_final=check_final)
        extra = tuple((annotations or {}).items())
        pending = PendingActivation(
            activation_id=self._ids.activation_id(),
            namespace=self._identity.namespace,
            name=action.name,
            package=action.package,
            version=action.version,
            subject=self._identity.subject,
            start=self._clock.now_ms(),
            annotations=self._base_annotations(action).merged(extra),
            cause=cause,
        )
        received = self._clock.monotonic()
        # The pending row makes a killed emulator's unfinished activations recoverable.
        marker = PendingMarker(self._store, pending)
        if blocking:
            marker.write_after(MARKER_DELAY_SECONDS)
        else:
            await marker.write()
        recorded = request if request is not None else RecordedRequest(params=dict(params))
        run = _Run(
            action,
            binding,
            pending,
            marker,
            request_id,
            received,
            extra,
            recorded,
            after_build=action.path in self._unbuilt,
        )
        done: asyncio.Future[Activation]
        if blocking:
            done = task = asyncio.create_task(
                self._activate(run), name=f"activation {pending.activation_id}"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            done = self._lanes.submit(action.qualified_name, run)
        done.add_done_callback(functools.partial(_report_failure, pending.activation_id))
        if self._observer is not None:
            self._observer.started(pending.activation_id, action.path, params)
        return Invocation(pending.activation_id, done, marker)

    async def recover(self) -> int:
        """Record activations a previous emulator left unfinished as developer errors."""
        interrupted = await self._store.interrupted()
        for pending in interrupted:
            response = ActivationResponse.error(
                StatusCode.DEVELOPER_ERROR, messages.EMULATOR_STOPPED
            )
            await self._store.finish(pending.finished(pending.start, response))
        return len(interrupted)

    async def close(self) -> None:
        """Stop running activations, and those still waiting to run; each is recorded as
        stopped by the shutdown."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(
            *tasks, self._lanes.close(self._never_run), self._ahead.close(), return_exceptions=True
        )

    def building(self, paths: Iterable[str]) -> None:
        """The functions at `paths` are still being built: their activations wait for
        `built()` (outside their timeouts, counted in their initTime), then run the version it
        deployed."""
        self._unbuilt = frozenset(paths)
        self._built = asyncio.Event()

    @property
    def unbuilt(self) -> frozenset[str]:
        """The functions whose start-up build is still running."""
        return self._unbuilt

    def built(self) -> None:
        """The start-up builds are over and what they made is deployed."""
        self._unbuilt = frozenset()
        self._built.set()

    async def _after_build(self, run: _Run) -> tuple[_Run, int]:
        """`run` with the version of its function its build deployed, and how many ms it
        waited for that build."""
        began = self._clock.monotonic()
        await self._built.wait()
        waited_ms = int((self._clock.monotonic() - began) * 1000)
        try:
            action = self._registry.action(run.action.path)
        except EmulatorError:
            return run, waited_ms  # gone with the build: it answers as its old version
        pending = dataclasses.replace(run.pending, version=action.version)
        return dataclasses.replace(run, action=action, pending=pending), waited_ms

    def compile_ahead(self, actions: Iterable[Action]) -> None:
        """Compile these functions in the background (those of a compiled runtime that can
        run here), so that their first calls only start them."""
        self._ahead.start(
            action
            for action in actions
            if isinstance(self._launchers.get(_family(action)), GoLauncher)
            and self.problem(action) is None
            and action.path not in self._unbuilt
            # A debugged function is built for its debugger, in its own process.
            and not self._debug.covers(action.path)
        )

    async def _compile(self, action: Action) -> str | None:
        launcher = self._launchers.get(_family(action))
        return await launcher.compile(action) if isinstance(launcher, GoLauncher) else None

    async def _never_run(self, run: _Run) -> None:
        await self._finish(run, self._interrupted(run, _Progress()))

    async def _activate(self, run: _Run) -> Activation:
        progress = _Progress()
        try:
            try:
                waited_ms = 0
                if run.after_build:
                    run, waited_ms = await self._after_build(run)
                verdict, logs, timing = await self._execute(run, progress, waited_ms=waited_ms)
            except _CodeChanged:
                # Its file changed while the process loaded it: once more, with the version
                # deployed from the saved file.
                run = await self._settled_run(run)
                progress = _Progress()
                verdict, logs, timing = await self._execute(run, progress, recheck=False)
        except asyncio.CancelledError:
            await self._finish(run, self._interrupted(run, progress))
            raise
        except Exception:
            logger.exception("activation %s failed inside the emulator", run.pending.activation_id)
            failed = ActivationResponse.error(StatusCode.INTERNAL_ERROR, messages.INTERNAL_ERROR)
            verdict, logs, timing = Verdict(failed, keep_warm=False), (), self._timing(run)
        activation = self._record(run, verdict, logs, timing)
        await self._finish(run, activation)
        if self._observer is not None:
            self._observer.finished(activation)
        return activation

    async def _finish(self, run: _Run, activation: Activation) -> None:
        request = run.request
        if request is not None:
            digest = await self._code_versions.digest(run.action)
            request = dataclasses.replace(request, code=digest)
        run.marker.finish()
        queued = run.marker.queued
        await self._store.finish(
            activation, marker=queued, marked=queued is not None, request=request
        )

    def _interrupted(self, run: _Run, progress: _Progress) -> Activation:
        """The record of an activation the emulator's shutdown stopped: what it had printed
        (already shown live) and its timings, as far as it got."""
        response = ActivationResponse.error(StatusCode.DEVELOPER_ERROR, messages.EMULATOR_STOPPED)
        timing = progress.timing
        if timing is None:
            return run.pending.finished(self._clock.now_ms(), response)
        if progress.initialising:
            timing = dataclasses.replace(timing, init_ms=self._clock.now_ms() - timing.start_ms)
        process = progress.process
        logs = process.logs.take(messages.LOGS_MIGHT_BE_MISSING) if process else ()
        return self._record(run, Verdict(response, keep_warm=False), logs, timing)

    async def _settled_run(self, run: _Run) -> _Run:
        assert self.code_gate is not None
        action = await self.code_gate.settled(run.action)
        pending = dataclasses.replace(run.pending, version=action.version)
        return dataclasses.replace(run, action=action, pending=pending)

    async def _execute(
        self, run: _Run, progress: _Progress, *, recheck: bool = True, waited_ms: int = 0
    ) -> tuple[Verdict, tuple[str, ...], _Timing]:
        """`recheck`: _CodeChanged when the function's file changed while a new process
        loaded it (that process is stopped). `waited_ms`: how long the activation already
        waited for its function's build, part of its initialisation."""
        action = run.action
        launcher = self._launchers.get(_family(action))
        problem = self.problem(action)
        if problem is not None or launcher is None:
            failed = ActivationResponse.error(StatusCode.DEVELOPER_ERROR, problem)
            return (
                Verdict(failed, keep_warm=False),
                (),
                self._timing(run, initialised_for_ms=waited_ms),
            )
        process = await self._pool.acquire(action)
        starting = cold = process is None
        load: dict[str, JSON] | None = None
        verdict: Verdict | None = None
        try:
            if process is None:
                # A compile ahead still running: its first call waits for it, outside its
                # timeout; the wait counts as its initialisation.
                began = self._clock.monotonic()
                await self._ahead.ready(action)
                waited_ms += int((self._clock.monotonic() - began) * 1000)
                process, load = self._cold_process(launcher, run)
                progress.process = process
                if load is None:
                    await process.spawn()
            progress.process = process
            timing = progress.timing = self._timing(run, initialised_for_ms=waited_ms)
            notes: tuple[str, ...] = ()
            if cold:
                progress.initialising = True
                verdict, notes = await self._initialise(process, action, load)
                timing = dataclasses.replace(timing, init_ms=self._clock.now_ms() - timing.start_ms)
                progress.timing, progress.initialising = timing, False
                starting = False
                self._pool.started(action)
                gate = self.code_gate
                if recheck and gate is not None and not gate.unchanged(action):
                    verdict = None  # the process may hold half of the file: never reused
                    raise _CodeChanged()
            if verdict is None:
                verdict = await self._run(process, run)
            complete = await process.settle_logs(verdict.keep_warm)
            return verdict, process.logs.take(*notes, *_log_notes(verdict, complete)), timing
        finally:
            if starting:
                self._pool.started(action)
            if process is not None:
                healthy = verdict is not None and verdict.keep_warm
                if not healthy:
                    await process.kill()
                await self._pool.release(action, process, healthy=healthy)

    def _cold_process(
        self, launcher: Launcher, run: _Run
    ) -> tuple[WarmProcess, dict[str, JSON] | None]:
        """A process for a cold start, now busy: a prelaunched one if one is ready, with what
        its load must apply first (the function's environment and directory); else a new one,
        still to be spawned."""
        action = run.action
        env = self._spawn_environment(run)
        generic = launcher.prelaunch(action.exec.kind, env)
        if generic is not None and not self._debug.covers(action.path):
            observer = self._observer
            process = self._pool.take_prelaunched(
                generic,
                action,
                log_limit=action.limits.log_bytes,
                memory_mb=action.limits.memory,
                on_line=functools.partial(observer.log_line, action.path) if observer else None,
            )
            if process is not None:
                spec = launcher.spec(action, env)
                return process, {"env": dict(spec.env), "cwd": str(spec.cwd)}
        process = self._new_process(launcher, action, env)
        self._pool.track(action, process)
        return process, None

    def prelaunch(self, actions: Sequence[Action]) -> None:
        """Start generic processes for the runtimes these functions use, ahead of their first
        calls (more start as cold starts take them)."""
        for action in actions:
            launcher = self._launchers.get(_family(action))
            if launcher is None or self.problem(action) is not None:
                continue
            generic = launcher.prelaunch(action.exec.kind, self._host_env)
            if generic is not None:
                self._pool.prelaunch(generic)

    def _new_process(
        self, launcher: Launcher, action: Action, env: Mapping[str, str]
    ) -> WarmProcess:
        spec = launcher.spec(action, env)
        observer = self._observer
        if spec.notice is not None:
            if observer is not None:
                observer.notice(action.path, spec.notice)
            else:
                logger.warning("%s: %s", action.path, spec.notice)
        return WarmProcess(
            spec,
            clock=self._clock,
            log_limit=action.limits.log_bytes,
            memory_mb=action.limits.memory,
            on_line=functools.partial(observer.log_line, action.path) if observer else None,
            confinement=self._pool.confinement,
        )

    def problem(self, action: Action) -> str | None:
        """Why `action` cannot run at all: a failed build, or no way to run its kind here."""
        failure = self._registry.build_failure(action.path)
        if failure is not None:
            return failure
        launcher = self._launchers.get(_family(action))
        if launcher is None:
            return messages.runtime_unavailable(action.exec.kind)
        return launcher.problem(action.exec.kind)

    async def _initialise(
        self, process: WarmProcess, action: Action, load: Mapping[str, JSON] | None
    ) -> tuple[Verdict | None, tuple[str, ...]]:
        """None when the function loaded, else the failure; and the lines its logs get
        about it (the image package it could not import)."""
        timeout_ms = max(action.limits.timeout, MIN_INIT_TIMEOUT_MS)
        kind = action.exec.kind
        image = self._images.init_fields(kind) if self._images else {}
        init = {
            "value": {
                "name": action.qualified_name,
                "main": action.exec.main,
                "code": str(action.exec.source),
                "binary": action.exec.binary,
                **({"origin": str(action.exec.origin)} if action.exec.origin else {}),
                **image,
                **(load or {}),
            }
        }
        reply = await process.exchange(
            init, timeout=self._seconds(timeout_ms, action), keep=MAX_PAYLOAD_BYTES
        )
        verdict = judge_init(reply, timeout_ms=timeout_ms)
        module = missing_module(reply) if verdict is not None else None
        if module is None or self._images is None:
            return verdict, ()
        return verdict, self._images.after_missing_module(kind, module)

    async def _run(self, process: WarmProcess, run: _Run) -> Verdict:
        timeout_ms = run.action.limits.timeout
        message = {"value": run.binding.event, **self._run_fields(run)}
        reply = await process.exchange(
            message, timeout=self._seconds(timeout_ms, run.action), keep=MAX_PAYLOAD_BYTES
        )
        return judge_run(reply, timeout_ms=timeout_ms)

    def _seconds(self, timeout_ms: int, action: Action) -> float | None:
        return None if self._debug.covers(action.path) else timeout_ms / 1000

    def _run_fields(self, run: _Run) -> dict[str, str]:
        """The per-run fields every runtime exports as `__OW_<KEY>`."""
        fields = {
            "namespace": self._identity.namespace,
            "action_name": run.action.qualified_name,
            "action_version": run.action.version,
            "activation_id": run.pending.activation_id,
            "transaction_id": run.request_id,
            "deadline": str(self._clock.now_ms() + run.action.limits.timeout),
        }
        if run.action.annotations.get("provide-api-key") is True:
            fields["api_key"] = self._identity.api_key
        return fields

    def _spawn_environment(self, run: _Run) -> dict[str, str]:
        # As a container: the host basics, the API host, the first activation's context,
        # then the function's declared environment over all of it.
        context = {f"__OW_{k.upper()}": v for k, v in self._run_fields(run).items()}
        return {
            **self._host_env,
            "__OW_API_HOST": self._identity.api_host,
            **context,
            **run.binding.environment,
        }

    def _timing(self, run: _Run, *, initialised_for_ms: int = 0) -> _Timing:
        """The activation starts now: at its init when cold, at its run when warm; or, when
        its initialisation began `initialised_for_ms` ago (the wait for its compile), then."""
        wait_ms = int((self._clock.monotonic() - run.received) * 1000) - initialised_for_ms
        start_ms = self._clock.now_ms() - initialised_for_ms
        return _Timing(start_ms, max(wait_ms, 0), None)

    def _record(
        self, run: _Run, verdict: Verdict, logs: tuple[str, ...], timing: _Timing
    ) -> Activation:
        annotations = [
            ("limits", run.action.limits.as_json()),
            ("path", f"{self._identity.namespace}/{run.action.path}"),
            ("kind", run.action.exec.kind),
            ("timeout", verdict.timed_out),
        ]
        if timing.init_ms is not None:
            annotations.append(("initTime", timing.init_ms))
        annotations += [("waitTime", timing.wait_ms), ("entry", run.action.exec.main)]
        annotations += run.extra_annotations
        activation = run.pending.finished(self._clock.now_ms(), verdict.response, logs)
        return dataclasses.replace(
            activation, start=timing.start_ms, annotations=Annotations.of(annotations)
        )

    def _base_annotations(self, action: Action) -> Annotations:
        return Annotations.of(
            [
                ("limits", action.limits.as_json()),
                ("path", f"{self._identity.namespace}/{action.path}"),
                ("kind", action.exec.kind),
                ("entry", action.exec.main),
            ]
        )


def _family(action: Action) -> str:
    return action.exec.kind.partition(":")[0]


def _with_code(action: Action, code: Path) -> Action:
    """`action` run from `code`, in processes of its own (never its current code's)."""
    other = dataclasses.replace(action.exec, source=code)
    # A pool key no deployed version has: negative, from the copy's path.
    updated = -1 - int(hashlib.sha256(str(code).encode()).hexdigest()[:12], 16)
    return dataclasses.replace(action, exec=other, updated=updated)


def _report_failure(activation_id: str, done: asyncio.Future[Activation]) -> None:
    # A record that could not be written, for an activation nobody waits for (non-blocking).
    if not done.cancelled() and (error := done.exception()) is not None:
        logger.error("activation %s was not recorded: %s", activation_id, error)


def _log_notes(verdict: Verdict, complete: bool) -> tuple[str, ...]:
    if not verdict.keep_warm:
        return (messages.LOGS_MIGHT_BE_MISSING,)
    if not complete:
        return (messages.LOG_COLLECTION_ISSUE,)
    return ()
