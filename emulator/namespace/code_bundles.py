"""A function's code as the platform moves it: source text, or a base64 zip of a directory.

Code deployed through the API lands on disk where the invoker runs it as a project's code:
text code becomes one file named as the runtime expects (`index.js`, `__main__.py`, …); a
base64 zip (`binary`) is unpacked into a directory, run like a directory function. Each
lands in `<code dir>/<digest>/`, so a redeploy of the same code reuses it. `code_of` goes
the other way, for `GET …/actions/{name}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from emulator.namespace.entities import Exec
from emulator.namespace.errors import MalformedContent

# The file a function's text code is written to, per runtime family.
SOURCE_FILES = {
    "nodejs": "index.js",
    "python": "__main__.py",
    "go": "main.go",
    "php": "index.php",
}
# OpenWhisk's test for code that is a base64 archive (Exec.scala `isBinaryCode`).
_BASE64 = re.compile(
    r"\A(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)\Z"
)


def is_binary_code(code: str) -> bool:
    text = code.strip()
    return len(text) > 0 and len(text) % 4 == 0 and _BASE64.match(text) is not None


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
        # extractall drops absolute paths and `..` from member names.
        archive.extractall(destination)


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
