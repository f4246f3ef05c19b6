"""Settings: everything `functions-emulator serve` can be told, in one frozen value."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# OpenWhisk's public "guest" key: a development key in the platform's own format.
DEFAULT_AUTH = (
    "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:"
    "123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP"
)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3233
DEFAULT_BLOCKING_WAIT = 30.0
DEFAULT_RETENTION_HOURS = 72.0
DEFAULT_IDLE_SECONDS = 600.0
# Idle warm processes all functions together may keep; the least recently used stops first.
# A project of hundreds of functions, each called once, then does not hold hundreds of
# interpreters (gigabytes) for ten minutes.
DEFAULT_MAX_IDLE_PROCESSES = 64
# DigitalOcean's throttles per namespace (docs.digitalocean.com: functions/details/limits).
DEFAULT_INVOCATIONS_PER_MINUTE = 600
DEFAULT_CONCURRENT_INVOCATIONS = 120
STATE_DIR = ".emulator"
# DigitalOcean's token and access-key prefixes: a personal access token (the control plane's
# Bearer token) and a namespace access key (`dof_v1_<id>:<secret>`, Basic on /api/v1).
ACCESS_TOKEN_PREFIX = "dop_v1_"
ACCESS_KEY_PREFIX = "dof_v1_"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A namespace key, `uuid:key`, as OpenWhisk and DigitalOcean issue them."""

    uuid: str
    key: str

    @classmethod
    def parse(cls, text: str) -> Credentials:
        uuid, sep, key = text.partition(":")
        if not sep or not uuid or not key:
            raise ValueError("the key must have the form UUID:KEY")
        return cls(uuid, key)

    @property
    def text(self) -> str:
        return f"{self.uuid}:{self.key}"

    @property
    def token(self) -> str:
        """base64(uuid:key), the value after `Basic ` in an Authorization header."""
        return base64.b64encode(self.text.encode()).decode()

    @property
    def default_namespace(self) -> str:
        # DigitalOcean names a namespace after its key's uuid.
        return f"fn-{self.uuid}"

    @property
    def subject(self) -> str:
        """The activation record's `subject`: 40 hex characters, as DigitalOcean shows."""
        return hashlib.sha1(self.uuid.encode()).hexdigest()

    def matches_token(self, token: str) -> bool:
        decoded = _decoded(token)
        # In constant time: how long a refusal takes tells nothing of how much was right.
        return decoded is not None and hmac.compare_digest(decoded.encode(), self.text.encode())

    def matches_access_key_token(self, token: str) -> bool:
        """Whether base64(`token`) is an access key of this namespace (see `access_key`)."""
        decoded = _decoded(token)
        return decoded is not None and self.matches_access_key(decoded)

    @property
    def access_token(self) -> str:
        """The control plane's default Bearer token: derived from the key, so that another
        --auth changes it too, and nobody can work it out without the key."""
        return ACCESS_TOKEN_PREFIX + self._signed("access-token")

    def access_key(self, key_id: str) -> str:
        """The access key `dof_v1_<key_id>:<secret>`: the secret signs the id with the key, so
        any number can be issued with nothing stored, and a new --auth revokes them all."""
        return f"{ACCESS_KEY_PREFIX}{key_id}:{self._signed('access-key:' + key_id)}"

    @property
    def first_access_key(self) -> str:
        """The access key the start banner prints: the same one at every start."""
        return self.access_key(hashlib.sha256(self.uuid.encode()).hexdigest()[:32])

    def matches_access_key(self, text: str) -> bool:
        name, sep, _ = text.partition(":")
        key_id = name.removeprefix(ACCESS_KEY_PREFIX)
        if not sep or key_id == name or not key_id:
            return False
        return hmac.compare_digest(text.encode(), self.access_key(key_id).encode())

    def _signed(self, purpose: str) -> str:
        return hmac.new(self.text.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def _decoded(token: str) -> str | None:
    """The text of a Basic token, or None when it is not base64 of UTF-8."""
    try:
        return base64.b64decode(token.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


DEFAULT_CREDENTIALS = Credentials.parse(DEFAULT_AUTH)


@dataclass(frozen=True, slots=True)
class Settings:
    # project.yml or projectConfig.yml; in a folder with only `packages/`, the project.yml it
    # does not have (the deployer needs none).
    project_file: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db_path: Path | None = None
    credentials: Credentials = DEFAULT_CREDENTIALS
    namespace_name: str | None = None
    # `--access-token`: the DigitalOcean API token the control plane (`/v2`) takes; None: the
    # one derived from the key (Credentials.access_token).
    access_token: str | None = None
    blocking_wait: float = DEFAULT_BLOCKING_WAIT
    env_file: Path | None = None
    retention_hours: float = DEFAULT_RETENTION_HOURS
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    # `--max-idle-processes`: None keeps every idle process until its ten minutes are up.
    max_idle_processes: int | None = DEFAULT_MAX_IDLE_PROCESSES
    # `--no-triggers`: scheduled triggers do not fire on their own (firing on demand still works).
    no_triggers: bool = False
    # `--no-reload`: saved changes to the project are not served until the next start.
    no_reload: bool = False
    # `serve` answers before its project's builds are over (calls of the functions being
    # built wait for them); else, as the pytest plugin wants, it starts once they are.
    serve_while_building: bool = False
    # `--quiet`: no activation lines or live logs in the terminal.
    quiet: bool = False
    # `--cold`: no warm reuse, so that every call runs the function's start-up code.
    cold: bool = False
    # `--debug`: no timeouts, blocking calls wait for ever, processes start under a debugger.
    debug: bool = False
    # `--debug FUNCTION`: only these functions (`pkg/fn`) are debugged; empty: every one.
    debug_functions: tuple[str, ...] = ()
    # Where PHP functions' Xdebug connects: the port the IDE listens on (Xdebug's default).
    xdebug_port: int = 9003
    # `pytest --functions-emulator-cov`: Python functions' processes write coverage.py data
    # files named after `python_coverage` (`<it>.<suffix>`), Node.js ones V8 coverage into the
    # folder `node_coverage`; None measures nothing.
    python_coverage: Path | None = None
    node_coverage: Path | None = None
    # The platform's throttles per namespace, answered with its 429s; None turns one off
    # (benchmarks and test suites that call far more often than a namespace may).
    invocations_per_minute: int | None = DEFAULT_INVOCATIONS_PER_MINUTE
    concurrent_invocations: int | None = DEFAULT_CONCURRENT_INVOCATIONS
    # `--allowed-host`: Host names answered besides the loopback names and `host` ("*": any).
    allowed_hosts: tuple[str, ...] = ()
    # `--cors-origin`: web pages (scheme://host[:port]) whose scripts may call the API from a
    # browser ("*": any page, as the platform allows).
    cors_origins: tuple[str, ...] = ()
    # Programs to run functions with, per runtime family ("nodejs", "go", "php"); the
    # default is the one found on PATH.
    toolchains: Mapping[str, str] = field(default_factory=dict)
    # `--bare-runtimes`: none of the runtime images' packages, only what functions bundle.
    bare_runtimes: bool = False
    # The runtime cache (image packages, exact toolchains); None: FUNCTIONS_EMULATOR_CACHE_DIR
    # or the user's cache folder (emulator/invoker/runtime_cache.py).
    cache_dir: Path | None = None

    @property
    def project_root(self) -> Path:
        """The project folder: the directory of the resolved project.yml (a symlink's target's
        directory), which holds it or, in a project without one, would."""
        return self.project_file.resolve().parent

    @property
    def answer_wait(self) -> float | None:
        """How long a blocking call waits before it answers 202; None (for ever) in debug mode,
        where the developer may sit at a breakpoint far longer than 30 seconds."""
        return None if self.debug and not self.debug_functions else self.blocking_wait

    def debugs(self, path: str) -> bool:
        """Whether the function at `path` runs under a debugger, its timeouts lifted."""
        return self.debug and (not self.debug_functions or path.strip("/") in self.debug_functions)

    def answer_wait_for(self, path: str) -> float | None:
        """`answer_wait` for the function at `path`: for ever only when it is debugged."""
        return None if self.debugs(path) else self.blocking_wait

    @property
    def state_dir(self) -> Path:
        return self.project_root / STATE_DIR

    @property
    def code_dir(self) -> Path:
        """Where code deployed through the API is written: one folder per database, so that
        emulators on one project with databases of their own never remove each other's."""
        digest = hashlib.sha256(str(self.database.resolve()).encode()).hexdigest()[:12]
        return self.state_dir / "code" / digest

    @property
    def database(self) -> Path:
        return self.db_path if self.db_path is not None else self.state_dir / "activations.db"

    @property
    def namespace(self) -> str:
        return self.namespace_name or self.credentials.default_namespace

    @property
    def api_token(self) -> str:
        """The Bearer token `/v2/functions/...` accepts, as doctl sends its access token."""
        return self.access_token or self.credentials.access_token

    @property
    def api_host(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
