"""create_app: the aiohttp application and the lifecycle of everything it owns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from emulator.api.bodies import SERVER_BODY_LIMIT
from emulator.api.middleware import ORIGINS, front_door
from emulator.api.origins import Origins
from emulator.api.routes import setup_routes
from emulator.builder.remote_builds import RemoteBuilder, compile_with
from emulator.dashboard import DASHBOARD, setup_dashboard
from emulator.invoker.code_versions import CodeVersions
from emulator.invoker.confinement import Confinement
from emulator.invoker.debugging import DebugScope
from emulator.invoker.exact_toolchains import installed_programs
from emulator.invoker.image_packages import ImagePackages
from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher
from emulator.invoker.launchers.node import NodeLauncher
from emulator.invoker.launchers.php import PhpLauncher
from emulator.invoker.launchers.python import PythonLauncher
from emulator.invoker.observer import ActivationObserver, Observers
from emulator.invoker.pool import WarmPool
from emulator.invoker.runtime_cache import RuntimeCache, default_cache_dir
from emulator.invoker.toolchain_probes import ToolchainProbes
from emulator.metrics.figures import METRICS, EmulatorMetrics
from emulator.namespace.clock import Clock, IdFactory, SystemClock
from emulator.namespace.deployments import Deployments
from emulator.namespace.registry import Registry
from emulator.namespace.rules import Rules
from emulator.namespace.runtimes import KINDS
from emulator.namespace.scheduler import Scheduler, Sleep
from emulator.namespace.throttling import Throttle
from emulator.project import Project, load_project
from emulator.project.builds import finish_build, run_builds, while_building
from emulator.reloader import Reloader
from emulator.services import SERVICES, Services
from emulator.settings import Settings
from emulator.store.activation_store import ActivationStore
from emulator.store.entity_store import EntityStore
from emulator.store.file_watch import watch_database
from emulator.store.retention import prune_periodically

logger = logging.getLogger(__name__)

# A start's builds over within this long (their inputs unchanged since they last ran) are
# served complete, build failures in the banner; longer ones go on behind a serving API.
QUICK_BUILD_SECONDS = 0.25


def debug_scope(settings: Settings) -> DebugScope:
    """Which functions `--debug` covers, and where PHP's Xdebug connects."""
    return DebugScope(
        enabled=settings.debug,
        only=frozenset(settings.debug_functions),
        xdebug_port=settings.xdebug_port,
    )


def runtime_cache(settings: Settings) -> RuntimeCache:
    """Where the runtime images' packages and the exact toolchains are installed."""
    return RuntimeCache(settings.cache_dir or default_cache_dir(os.environ))


def discover_launchers(settings: Settings) -> dict[str, Launcher]:
    """One launcher per runtime family, each finding its toolchains on this machine and in
    the runtime cache; side by side, and from what the toolchains said at earlier starts
    while they are unchanged (each probe starts a program: 0.5 s of a start, one by one)."""
    debug = debug_scope(settings)
    cache = runtime_cache(settings)
    exact = installed_programs(cache, KINDS)
    probes = ToolchainProbes.in_cache(cache.root)
    found: dict[str, Callable[[], Launcher]] = {
        "python": lambda: PythonLauncher.discover(
            debug=debug, coverage=settings.python_coverage, probes=probes
        ),
        "nodejs": lambda: NodeLauncher.discover(
            settings.toolchains.get("nodejs"),
            debug=debug,
            coverage=settings.node_coverage,
            exact=exact,
            probes=probes,
        ),
        "php": lambda: PhpLauncher.discover(
            settings.toolchains.get("php"), debug=debug, probes=probes
        ),
        "go": lambda: GoLauncher.discover(
            settings.toolchains.get("go"),
            cache_dir=settings.state_dir / "go",
            debug=debug,
            exact=exact,
            probes=probes,
        ),
    }
    with ThreadPoolExecutor(max_workers=len(found)) as pool:
        made = pool.map(lambda discover: discover(), found.values())
        launchers = dict(zip(found, made, strict=True))
    probes.save()
    return launchers


def image_packages(settings: Settings, launchers: dict[str, Launcher]) -> ImagePackages:
    """The runtime images' packages, installed for the interpreter that serves each kind."""
    python = launchers.get("python")
    return ImagePackages(
        runtime_cache(settings),
        bare=settings.bare_runtimes,
        interpreter=(
            (lambda kind: python.interpreter(kind).path)
            if isinstance(python, PythonLauncher)
            else None
        ),
    )


def read_project(settings: Settings, clock: Clock) -> Project:
    """Load the settings' project as a deploy would, at the clock's time."""
    return load_project(
        settings.project_file,
        namespace=settings.namespace,
        environ=os.environ,
        env_file=settings.env_file,
        now_ms=clock.now_ms(),
    )


def create_app(
    settings: Settings,
    *,
    project: Project | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    launchers: Callable[[Settings], dict[str, Launcher]] = discover_launchers,
    sleep: Sleep = asyncio.sleep,
    observer: ActivationObserver | None = None,
) -> web.Application:
    """The emulator as an aiohttp application; its services start with the app.

    `sleep` is how the scheduler waits for its next firing, on `clock`'s time; `observer`
    hears of every activation and log line (the terminal's live logs)."""
    app = web.Application(
        middlewares=[front_door],
        client_max_size=SERVER_BODY_LIMIT,
    )
    app[ORIGINS] = Origins.of(settings.host, settings.allowed_hosts, settings.cors_origins)
    clock = clock or SystemClock()
    ids = ids or IdFactory()
    # The dashboard's live list hears every activation, as the terminal and the metrics do.
    hub = setup_dashboard(app, clock=clock, login_token=ids.login_token())
    figures = app[METRICS] = EmulatorMetrics()
    app.cleanup_ctx.append(
        _services_context(
            settings,
            project,
            clock,
            ids,
            launchers,
            sleep,
            Observers(observer, hub, figures),
        )
    )
    app.on_shutdown.append(_stop_activations)
    setup_routes(app)
    return app


def _services_context(
    settings: Settings,
    project: Project | None,
    clock: Clock,
    ids: IdFactory,
    launchers: Callable[[Settings], dict[str, Launcher]],
    sleep: Sleep,
    observer: ActivationObserver | None,
) -> Callable[[web.Application], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def services_context(app: web.Application) -> AsyncIterator[None]:
        # Whatever is opened is closed, in reverse order, at the stop or at once when a later
        # step of the start fails: a failed start leaves no store, task or process behind.
        async with contextlib.AsyncExitStack() as opened:
            await _start(app, opened)
            yield

    async def _start(app: web.Application, opened: contextlib.AsyncExitStack) -> None:
        # 1. the project (a deploy), before anything is opened, so that a bad one opens nothing
        loaded = project or read_project(settings, clock)
        #    then built as the deployer builds it (a failed build breaks only its function),
        #    while the toolchains are looked for
        discovering = asyncio.create_task(asyncio.to_thread(launchers, settings))
        opened.push_async_callback(_cancelled, discovering)
        building: asyncio.Task[dict[str, str]] | None = None
        if not loaded.built:
            building = asyncio.create_task(run_builds(loaded, environ=os.environ))
            opened.push_async_callback(_cancelled, building)
            await asyncio.wait(
                {building}, timeout=QUICK_BUILD_SECONDS if settings.serve_while_building else None
            )
            if building.done():
                loaded, building = await finish_build(loaded, building.result()), None
            else:
                loaded = await while_building(loaded)
        registry = Registry(settings.namespace)
        # 2. the store, and the activations a killed emulator left unfinished
        store = await ActivationStore.open(settings.database)
        opened.push_async_callback(store.close)
        #    and what was deployed through the API, which the deploy lays over the project's
        entities = await EntityStore.open(settings.database)
        opened.push_async_callback(entities.close)
        confinement = Confinement.detect()
        pool = WarmPool(
            clock,
            idle_seconds=settings.idle_seconds,
            reuse=not settings.cold,
            confinement=confinement,
            max_idle=settings.max_idle_processes,
            # A process of a version no longer served is stopped when it comes back.
            current=registry.find_action,
        )
        opened.push_async_callback(pool.close)
        deployments = Deployments(
            registry=registry,
            archive=entities,
            # Processes of the function's earlier versions never serve it again; those of
            # the version now deployed do.
            retire=lambda action: pool.retire_function(
                action.qualified_name, serving=registry.find_action(action.path)
            ),
            code_dir=settings.code_dir,
            clock=clock,
            running=pool.running,
        )
        found = await discovering
        images = image_packages(settings, found)
        opened.push_async_callback(images.close)
        invoker = Invoker(
            registry=registry,
            store=store,
            pool=pool,
            launchers=found,
            images=images,
            identity=Identity(
                namespace=settings.namespace,
                api_key=settings.credentials.text,
                subject=settings.credentials.subject,
                api_host=settings.api_host,
            ),
            host_environ=os.environ,
            clock=clock,
            ids=ids,
            observer=observer,
            debug=debug_scope(settings),
            code_versions=CodeVersions(settings.state_dir / "code-history"),
        )
        opened.push_async_callback(invoker.close)
        rules = Rules(
            registry=registry,
            invoker=invoker,
            store=store,
            subject=settings.credentials.subject,
            clock=clock,
            ids=ids,
        )
        scheduler = Scheduler(
            invoker=invoker, clock=clock, ids=ids, sleep=sleep, firing=not settings.no_triggers
        )
        builder = RemoteBuilder(
            namespace=settings.namespace,
            deployments=deployments,
            records=store,
            compile=compile_with(invoker.launchers),
            clock=clock,
            ids=ids,
            subject=settings.credentials.subject,
            work_dir=settings.state_dir / "remote-builds",
            environ=os.environ,
            observer=observer,
        )
        opened.push_async_callback(builder.close)
        services = Services(
            settings,
            loaded,
            registry,
            store,
            pool,
            invoker,
            invoker.launchers,
            clock,
            ids,
            deployments,
            rules,
            entities,
            scheduler,
            throttle=Throttle(
                per_minute=settings.invocations_per_minute,
                concurrent=settings.concurrent_invocations,
                clock=clock,
            ),
            builder=builder,
            started_ms=clock.now_ms(),
        )
        await services.deploy(loaded)
        if building is not None:
            invoker.building(d.path for d in loaded.deferred)
            logger.info(
                "serving while %d functions build: their calls wait for their builds",
                len(services.building),
            )
        stopped = await asyncio.to_thread(confinement.reap_leftovers)
        if stopped:
            logger.warning("stopped %d function processes a killed emulator left running", stopped)
        recovered = await invoker.recover()
        if recovered:
            logger.warning("recorded %d activations interrupted by the last stop", recovered)
        # 3. background upkeep: toolchain warm-ups, idle processes, record retention, and a
        #    watch on the database file itself
        #    and generic processes for the runtimes in use, so a first call only loads its code
        invoker.prelaunch(loaded.actions)
        upkeep = [
            *(
                asyncio.create_task(launcher.warm_up(loaded.actions))
                for launcher in services.launchers.values()
            ),
            asyncio.create_task(pool.evict_periodically()),
            asyncio.create_task(watch_database(settings.database)),
            asyncio.create_task(
                prune_periodically(
                    store, retention_ms=int(settings.retention_hours * 3_600_000), clock=clock
                )
            ),
        ]
        opened.push_async_callback(_cancelled, *upkeep)
        #    then the firings of scheduled triggers (stopped before the activations are)
        scheduling = asyncio.create_task(scheduler.run())
        opened.push_async_callback(_cancelled, scheduling)
        #    and, unless turned off, the project watched: a saved change is served at once
        reloader = Reloader(services, lambda: read_project(settings, clock), environ=os.environ)
        app[DASHBOARD].reload_failure = lambda: reloader.failure
        if building is None:
            await _watch(reloader, invoker, settings, opened)
        else:
            #    once the builds still running are over: what they made served, then watched
            finishing = asyncio.create_task(
                _serve_built(loaded, building, services, reloader, settings, opened)
            )
            opened.push_async_callback(_cancelled, finishing)
        app[SERVICES] = services
        app[METRICS].watch(services)

    return services_context


async def _watch(
    reloader: Reloader, invoker: Invoker, settings: Settings, opened: contextlib.AsyncExitStack
) -> None:
    """Unless turned off, the project watched: a saved change is served at once."""
    if settings.no_reload:
        return
    await reloader.start()
    opened.push_async_callback(reloader.stop)
    invoker.code_gate = reloader


async def _serve_built(
    loaded: Project,
    building: asyncio.Task[dict[str, str]],
    services: Services,
    reloader: Reloader,
    settings: Settings,
    opened: contextlib.AsyncExitStack,
) -> None:
    """Deploy what the start's builds made, once they are over; the calls waiting for them
    then run it. A file saved meanwhile is read by one reload at once."""
    try:
        built = await finish_build(loaded, await building)
        await services.deploy(built)
    except Exception:
        logger.exception("the start's builds failed; their functions stay unbuilt")
    finally:
        services.invoker.built()
    for problem in services.problems():
        if problem.build:
            logger.warning("%s", " ".join(problem.lines()))
    logger.info("the start's builds are over")
    await _watch(reloader, services.invoker, settings, opened)
    if not settings.no_reload:
        try:
            await reloader.reload()
        except Exception:
            logger.exception("reload failed; still serving the last good version")


async def _cancelled(*tasks: asyncio.Task[object]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _stop_activations(app: web.Application) -> None:
    # Runs before handlers are cancelled: blocking callers get their stopped activation.
    if SERVICES in app:
        await app[SERVICES].invoker.close()
