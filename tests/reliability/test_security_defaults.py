"""Safe to leave running on a laptop: it listens on this machine only unless told otherwise
(and then says so loudly), every API route needs the key, keys stay out of the logs, and
functions see only what they were given."""

from __future__ import annotations

import base64
import hmac
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from emulator.api.middleware import CONTROL_PLANE_PREFIX, PROTECTED_PREFIXES
from emulator.settings import DEFAULT_AUTH, DEFAULT_HOST, Credentials, Settings
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import AUTH_HEADER, NAMESPACE

OTHER_KEY = "0b1d0e5a-6c1f-4f8e-9a55-0123456789ab:" + "Z" * 64
WRONG_KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:" + "wrongwrongwrong" * 4 + "abcd"
SECRET = "emulator-secret-9c1e4b"


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(key.encode()).decode()


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port`, from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_server_listens_on_this_machine_only_by_default(serve):
    assert Settings(project_file=Path("project.yml")).host == DEFAULT_HOST == "127.0.0.1"
    server = serve(FIXTURE_PROJECTS / "api", "--no-reload")
    # 127.0.0.1 as the kernel prints it: four little-endian bytes.
    assert listening_addresses(server.port) == {"0100007F"}
    output = server.stop()
    assert "WARNING" not in output


def test_listening_on_another_address_warns_loudly(serve):
    server = serve(FIXTURE_PROJECTS / "api", "--host", "0.0.0.0", "--no-reload")
    assert listening_addresses(server.port) == {"00000000"}
    output = server.stop()
    assert "WARNING: listening on 0.0.0.0, not only on this machine (127.0.0.1)." in output
    assert "the PUBLIC development key" in output
    assert "or an --allowed-host; other Host names get 403." in output


def protected_routes(app) -> list[tuple[str, str]]:
    """Every route of the API table under the key-protected prefixes, placeholders filled."""
    routes = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter", "")
        if route.method in ("HEAD", "OPTIONS") or not path.startswith(PROTECTED_PREFIXES):
            continue
        routes.append((route.method, re.sub(r"\{[^}]+\}", "x", path)))
    return routes


async def test_every_api_route_needs_the_key(make_client):
    client = await make_client(authorized=False)
    routes = protected_routes(client.app)
    assert len(routes) > 20
    for method, path in routes:
        if path.startswith(CONTROL_PLANE_PREFIX):
            continue
        for header in (None, basic(WRONG_KEY), "Bearer " + DEFAULT_AUTH, "Basic !!!"):
            headers = {"Authorization": header} if header else {}
            response = await client.request(method, path, headers=headers)
            assert response.status == 401, (method, path, header)
            assert response.headers["WWW-Authenticate"] == 'Basic realm="OpenWhisk secure realm"'
            expected = (
                "The resource requires authentication, which was not supplied with the request"
                if header is None
                else "The supplied authentication is invalid"
            )
            assert (await response.json())["error"] == expected


async def test_every_control_plane_route_needs_the_access_token(make_client):
    client = await make_client(authorized=False)
    routes = [r for r in protected_routes(client.app) if r[1].startswith(CONTROL_PLANE_PREFIX)]
    assert len(routes) >= 5
    for method, path in routes:
        for header in (None, "Bearer dop_v1_someone-elses", basic(WRONG_KEY), "Bearer !!!"):
            headers = {"Authorization": header} if header else {}
            response = await client.request(method, path, headers=headers)
            assert response.status == 401, (method, path, header)
            assert "WWW-Authenticate" not in response.headers
            # DigitalOcean's own body, as its live API answers a token it does not know.
            assert await response.json() == {
                "id": "Unauthorized",
                "message": "Unable to authenticate you",
            }


def test_the_key_is_compared_in_constant_time(monkeypatch):
    compared = []
    compare = hmac.compare_digest

    def recording(a, b):
        compared.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    credentials = Credentials.parse(DEFAULT_AUTH)
    assert credentials.matches_token(base64.b64encode(DEFAULT_AUTH.encode()).decode())
    assert not credentials.matches_token(base64.b64encode(WRONG_KEY.encode()).decode())
    assert compared == [
        (DEFAULT_AUTH.encode(), DEFAULT_AUTH.encode()),
        (WRONG_KEY.encode(), DEFAULT_AUTH.encode()),
    ]


async def test_a_restart_with_another_key_rotates_it(make_client, tmp_path):
    first = await make_client()
    assert (await first.get(f"/api/v1/namespaces/{NAMESPACE}/limits")).status == 200
    await first.close()
    rotated = await make_client(credentials=Credentials.parse(OTHER_KEY), authorized=False)
    namespace = "fn-" + OTHER_KEY.partition(":")[0]
    old = await rotated.get(
        f"/api/v1/namespaces/{namespace}/limits", headers={"Authorization": AUTH_HEADER}
    )
    assert old.status == 401
    new = await rotated.get(
        f"/api/v1/namespaces/{namespace}/limits", headers={"Authorization": basic(OTHER_KEY)}
    )
    assert new.status == 200


def environment_project(root: Path) -> Path:
    """Functions that answer with the environment they were started with."""
    package = root / "packages" / "env"
    package.mkdir(parents=True)
    python = "import os\n\ndef main(args):\n    return {'env': dict(os.environ)}\n"
    node = "function main() { return { env: process.env } }\nexports.main = main\n"
    (package / "plain.py").write_text(python)
    (package / "keyed.py").write_text(python)
    (package / "node.js").write_text(node)
    (root / "project.yml").write_text(
        "packages:\n"
        "  - name: env\n"
        "    environment:\n"
        "      DECLARED: 'yes'\n"
        "    functions:\n"
        "      - name: plain\n"
        "        runtime: python:3.11\n"
        "      - name: node\n"
        "        runtime: nodejs:18\n"
        "      - name: keyed\n"
        "        runtime: python:3.11\n"
        "        annotations:\n"
        "          provide-api-key: true\n"
    )
    return root


def test_functions_see_their_declared_environment_and_no_secret_of_the_emulators(serve, tmp_path):
    project = environment_project(tmp_path / "env-project")
    server = serve(
        project,
        "--no-reload",
        env={
            "FUNCTIONS_EMULATOR_AUTH": OTHER_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "DATABASE_URL": f"postgres://user:{SECRET}@db/x",
        },
    )
    token = basic(OTHER_KEY)
    environments = {}
    for name in ("plain", "node", "keyed"):
        request = urllib.request.Request(
            f"{server.url}/api/v1/namespaces/_/actions/env/{name}?blocking=true&result=true",
            data=b"{}",
            method="POST",
            headers={"Authorization": token, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            environments[name] = json.loads(response.read())["env"]
    output = server.stop()
    for name, env in environments.items():
        assert env["DECLARED"] == "yes", name
        assert "AWS_SECRET_ACCESS_KEY" not in env and "DATABASE_URL" not in env, name
        assert "FUNCTIONS_EMULATOR_AUTH" not in env, name
        assert SECRET not in json.dumps(env), name
    assert "__OW_API_KEY" not in environments["plain"]
    assert "__OW_API_KEY" not in environments["node"]
    assert environments["keyed"]["__OW_API_KEY"] == OTHER_KEY
    assert SECRET not in output


def test_keys_never_appear_in_the_logs(serve):
    """The banner shows the key on purpose (the user's own terminal, to paste into doctl);
    nothing printed after it, at any log level, does."""
    server = serve(FIXTURE_PROJECTS / "api", "--verbose", "--no-reload")
    marker = "/api/v1/after-the-banner"
    with pytest.raises(urllib.error.HTTPError) as not_found:
        urllib.request.urlopen(server.url + marker, timeout=10)
    not_found.value.close()
    for header in (AUTH_HEADER, basic(WRONG_KEY), DEFAULT_AUTH):
        for path in (
            "/api/v1/namespaces/_/actions/demo/hello?blocking=true",
            "/api/v1/namespaces/_/actions/demo/crashes?blocking=true",
            f"/api/v1/web/{NAMESPACE}/demo/hello",
        ):
            request = urllib.request.Request(
                server.url + path, data=b"{}", method="POST", headers={"Authorization": header}
            )
            try:
                urllib.request.urlopen(request, timeout=60).close()
            except urllib.error.HTTPError as error:
                error.close()
    token = AUTH_HEADER.removeprefix("Basic ")
    # Secrets in a query (a dashboard login link, a careless client) are redacted.
    for path in (f"/dashboard/login?token={token}", f"/api/v1?key={DEFAULT_AUTH}&x=1"):
        try:
            urllib.request.urlopen(server.url + path, timeout=10).close()
        except urllib.error.HTTPError as error:
            error.close()
    output = server.stop()
    banner, _, after = output.partition(marker)
    assert "/api/v1?key=***&x=1" in after
    assert DEFAULT_AUTH in banner
    # The request lines are there, each without its Authorization header.
    assert after.count('"POST /api/v1/namespaces/_/actions/demo/hello?blocking=true') == 3
    for secret in (DEFAULT_AUTH.partition(":")[2], token, WRONG_KEY.partition(":")[2]):
        assert secret not in after
    assert base64.b64encode(WRONG_KEY.encode()).decode() not in output
