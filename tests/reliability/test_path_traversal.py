"""Nothing a client sends or a project holds writes or reads outside the project and the
emulator's cache: not function names, not web paths, not `.include` lines, not the member
names of a zip (zip slip)."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from yarl import URL

from emulator.project import build_project, load_project
from emulator.project.project_error import ProjectError
from tests.support.routes import ACTIONS, NAMESPACE

MAIN = "def main(args):\n    return {'body': 'inside'}\n"
# Member names that would land outside the folder they are unpacked into, were they obeyed.
ESCAPES = (
    "../escaped-1.txt",
    "../../escaped-2.txt",
    "/tmp/escaped-3.txt",
    "sub/../../escaped-4.txt",
    "..\\escaped-5.txt",
)


def evil_zip(*, symlink_to: str = "/etc/passwd") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("__main__.py", MAIN)
        for name in ESCAPES:
            archive.writestr(name, "escaped")
        # A member marked as a symbolic link: unpacked, it must not become one.
        link = zipfile.ZipInfo("link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, symlink_to)
    return buffer.getvalue()


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def assert_nothing_escaped(top: Path, inside: Path) -> None:
    """Every file the archive made is under `inside`; none anywhere else under `top`."""
    for path in files_under(top):
        if "escaped" in path.name:
            assert path.resolve().is_relative_to(inside.resolve()), path
    assert not Path("/tmp/escaped-3.txt").exists()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "deep" / "er" / "project"
    (root / "packages" / "demo").mkdir(parents=True)
    (root / "packages" / "demo" / "hello.py").write_text(MAIN)
    (root / "project.yml").write_text(
        "packages:\n  - name: demo\n    functions:\n"
        "      - name: hello\n        runtime: python:3.11\n"
    )
    return root


async def test_a_deployed_zip_cannot_write_outside_the_code_cache(make_client, project, tmp_path):
    client = await make_client(project)
    code = base64.b64encode(evil_zip()).decode()
    response = await client.put(
        f"{ACTIONS}/zipped", json={"exec": {"kind": "python:3.11", "code": code}}
    )
    assert response.status == 200
    cache = project / ".emulator" / "code"
    assert_nothing_escaped(tmp_path, cache)
    unpacked = [p for p in files_under(cache) if p.name == "link"]
    assert unpacked and all(not p.is_symlink() for p in unpacked)
    # The function itself is whole and runs.
    invoked = await client.post(f"{ACTIONS}/zipped?blocking=true&result=true")
    assert (invoked.status, await invoked.json()) == (200, {"body": "inside"})


def test_a_zip_in_the_project_cannot_write_outside_its_staging_folder(project, tmp_path):
    (project / "packages" / "demo" / "bundle.python-3.11.zip").write_bytes(evil_zip())
    loaded = load_project(project / "project.yml", namespace=NAMESPACE, environ={})
    built = asyncio.run(build_project(loaded, environ=os.environ))
    bundle = next(a for a in built.actions if a.name == "bundle")
    staged = Path(bundle.exec.source)
    assert staged.resolve().is_relative_to((project / ".emulator").resolve())
    assert_nothing_escaped(tmp_path, staged)
    assert not (staged / "link").is_symlink()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("../../../../outside.py", "Illegal use of '..' in an '.include' file"),
        ("../../../lib/../../outside.py", "Illegal use of '..' in an '.include' file"),
        ("./../hello.py", "Illegal use of '..' in an '.include' file"),
        (f"{os.sep}etc{os.sep}passwd", "Absolute paths are prohibited in an '.include' file"),
        ("\\etc\\passwd", "Absolute paths are prohibited in an '.include' file"),
    ],
)
def test_an_include_line_cannot_reach_outside_the_project(project, tmp_path, line, message):
    (tmp_path / "outside.py").write_text("SECRET = 1\n")
    function = project / "packages" / "demo" / "multi"
    function.mkdir()
    (function / "__main__.py").write_text(MAIN)
    (function / ".include").write_text(f"__main__.py\n{line}\n")
    with pytest.raises(ProjectError) as refused:
        load_project(project / "project.yml", namespace=NAMESPACE, environ={})
    assert refused.value.problem == message


@pytest.mark.parametrize(
    "name",
    ["%2e%2e%2f%2e%2e%2fproject.yml", "..%2fproject.yml", "demo%2f..%2f..%2fproject.yml"],
)
async def test_a_function_name_cannot_read_or_write_a_file(make_client, project, name):
    client = await make_client(project)
    before = (project / "project.yml").read_text()
    path = URL(f"{ACTIONS}/{name}", encoded=True)
    got = await client.get(path)
    assert got.status == 400
    put = await client.put(path, json={"exec": {"kind": "python:3.11", "code": "x = 1"}})
    assert put.status == 400
    assert (project / "project.yml").read_text() == before
    assert "packages" not in await got.text()


async def test_a_web_path_cannot_reach_a_file(make_client, project):
    client = await make_client(project, authorized=False)
    for path in (
        f"/api/v1/web/{NAMESPACE}/demo/%2e%2e%2f%2e%2e%2fproject.yml",
        f"/api/v1/web/{NAMESPACE}/%2e%2e/%2e%2e/project.yml",
        "/api/v1/web/%2e%2e/%2e%2e/%2e%2e/project.yml",
    ):
        response = await client.get(URL(path, encoded=True))
        assert response.status == 404, path
        assert "packages" not in await response.text()
    # Past the function's name, a path is only data for the function (`__ow_path`).
    extra = f"/api/v1/web/{NAMESPACE}/demo/hello/..%2f..%2f..%2fproject.yml"
    response = await client.get(URL(extra, encoded=True))
    assert (response.status, await response.text()) == (200, "inside")
