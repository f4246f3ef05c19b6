"""A function's code as the platform moves it: source text, or a base64 zip of a directory.

Code deployed through the API lands on disk where the invoker runs it as a project's code:
text code becomes one file named as the runtime expects (`index.js`, `__main__.py`, …); a
base64 zip (`binary`) is unpacked into a directory, run like a directory function. Each
lands in `<code dir>/<digest>/`, so a redeploy of the same code reuses it. `code_of` goes
the other way, for `GET …/actions/{name}`.

An archive is unpacked only within bounds (its total size and number of files, ten times
what the platform's 48 MB code limit could hold) and only if every member can be a file
here; `CodeFolders` does all of it off the event loop, one deploy at a time, and removes the
folders that no deployed version uses any more.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from emulator.namespace.entities import MAX_EXEC_BYTES, Exec
from emulator.namespace.errors import BadRequest, MalformedContent

# An archive may unpack to ten times the platform's code limit, in at most this many files:
# a zip bomb of a megabyte does not fill the disk.
MAX_UNPACKED_BYTES = 10 * MAX_EXEC_BYTES
MAX_ARCHIVE_FILES = 50_000
# What a file system here takes: a name of 255 bytes, and a path we keep well under PATH_MAX.
MAX_NAME_BYTES = 255
MAX_MEMBER_PATH_BYTES = 1024

# The file a function's text code is written to, per runtime family.
SOURCE_FILES = {
    "nodejs": "index.js",
    "python": "__main__.py",
    "go": "main.go",
    "php": "index.php",
}
# OpenWhisk's test for code that is a base64 archive (Exec.scala `isBinaryCode`): groups of
# four base64 characters, the last one padded. Written as one character class and a length
# check, which match the same strings a dozen times faster (48 MB: 0.1 s, not 1.2 s).
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def is_binary_code(code: str) -> bool:
    text = code.strip()
    return len(text) > 0 and len(text) % 4 == 0 and _BASE64.fullmatch(text) is not None


def write_code(code_dir: Path, family: str, code: str, *, binary: bool) -> Path:
    """Where the code now lies: its file, or the directory its archive was unpacked into."""
    digest = hashlib.sha256(f"{family}\0{int(binary)}\0{code}".encode()).hexdigest()[:32]
    folder = code_dir / digest
    target = folder if binary else folder / SOURCE_FILES[family]
    if target.exists():
        return target
    code_dir.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed into place: a reader never sees half the files.
    staging = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=code_dir))
    try:
        if binary:
            _unpack(code, staging)
        else:
            (staging / SOURCE_FILES[family]).write_text(code, encoding="utf-8")
        try:
            os.rename(staging, folder)
        except OSError:
            if not folder.exists():
                raise
            # Another deploy of the same code got there first.
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _unpack(code: str, destination: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(code.strip(), validate=True)))
    except (binascii.Error, zipfile.BadZipFile, ValueError):
        raise MalformedContent("'code' is base64 but not a zip archive") from None
    with archive:
        members = archive.infolist()
        check_members(members)
        try:
            for member in members:
                # extract drops absolute paths and `..` from member names; and it writes no
                # more than the size the member declares, which check_members bounded.
                archive.extract(member, destination)
        except (OSError, zipfile.BadZipFile, EOFError) as error:
            raise ArchiveRefused(str(error)) from None


def check_members(members: Iterable[zipfile.ZipInfo]) -> None:
    """BadRequest unless the members fit the bounds and each can be a file or folder here."""
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    size = 0
    for member in members:
        parts = _member_parts(member.filename)
        if not parts:
            continue
        if len("/".join(parts).encode()) > MAX_MEMBER_PATH_BYTES or any(
            len(part.encode()) > MAX_NAME_BYTES for part in parts
        ):
            raise ArchiveRefused(f"the member name '{member.filename[:80]}…' is too long")
        folders.update(parts[:i] for i in range(1, len(parts)))
        if member.is_dir():
            folders.add(parts)
            continue
        files.add(parts)
        size += member.file_size
        if len(files) > MAX_ARCHIVE_FILES:
            raise ArchiveRefused(
                f"it holds more files than allowed: more than {MAX_ARCHIVE_FILES} files"
            )
        if size > MAX_UNPACKED_BYTES:
            raise ArchiveRefused(
                f"it unpacks larger than allowed: more than {MAX_UNPACKED_BYTES} bytes"
            )
    both = sorted(files & folders)
    if both:
        name = "/".join(both[0])
        raise ArchiveRefused(f"the member '{name}' is both a file and a folder")


class ArchiveRefused(BadRequest):
    """A zip in `code` that is not unpacked here."""

    def __init__(self, why: str) -> None:
        super().__init__(f"The zip archive in 'code' cannot be deployed: {why}.")


def _member_parts(name: str) -> tuple[str, ...]:
    """The path a member is unpacked to, as zipfile's extract sanitizes it."""
    name = os.path.splitdrive(name.replace("/", os.sep))[1]
    return tuple(part for part in name.split(os.sep) if part not in ("", os.curdir, os.pardir))


def folder_of(code_dir: Path, source: Path) -> str | None:
    """The folder under `code_dir` that holds `source` (a file in it, or the folder)."""
    if not source.is_relative_to(code_dir) or source == code_dir:
        return None
    return source.relative_to(code_dir).parts[0]


def remove_unused(code_dir: Path, used: Iterable[str]) -> int:
    """Remove every folder under `code_dir` but the `used` ones (and a failed deploy's
    leftovers); how many went."""
    keep = set(used)
    removed = 0
    try:
        entries = list(os.scandir(code_dir))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name in keep:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
        removed += 1
    return removed


class CodeFolders:
    """Where code deployed through the API lies: written off the event loop, one deploy at
    a time; a folder is removed only when no deploy under way holds it and no deployed or
    running version lies in it."""

    def __init__(self, code_dir: Path) -> None:
        self._code_dir = code_dir
        self._lock = asyncio.Lock()
        # Folders written for deploys still under way: kept until `release`.
        self._held: Counter[str] = Counter()

    async def write(self, family: str, code: str, *, binary: bool) -> Path:
        """Where the code now lies; held (never removed) until `release(path)`."""
        async with self._lock:
            source = await asyncio.to_thread(
                write_code, self._code_dir, family, code, binary=binary
            )
            self._held[folder_of(self._code_dir, source) or ""] += 1
            return source

    def release(self, source: Path) -> None:
        """The deploy that wrote `source` is over: served from now on, or refused."""
        folder = folder_of(self._code_dir, source) or ""
        self._held[folder] -= 1
        if self._held[folder] <= 0:
            del self._held[folder]

    async def remove_unused(self, in_use: Iterable[Path]) -> int:
        """Remove the folders that none of the sources `in_use` lies in, nor a deploy holds."""
        used = {folder for source in in_use if (folder := folder_of(self._code_dir, source))}
        async with self._lock:
            return await asyncio.to_thread(remove_unused, self._code_dir, used | set(self._held))


async def read_code(exec_: Exec) -> str:
    """`code_of`, off the event loop: zipping a large folder takes seconds."""
    return await asyncio.to_thread(code_of, exec_)


def code_of(exec_: Exec) -> str:
    """The code as `GET …/actions/{name}` returns it: the text, or a base64 zip."""
    if not exec_.binary:
        return exec_.source.read_text(encoding="utf-8", errors="replace")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(exec_.source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(exec_.source).as_posix())
    return base64.b64encode(buffer.getvalue()).decode()
