"""A function's code as the platform returns it: source text, or a base64 zip for directories."""

from __future__ import annotations

import base64
import io
import zipfile

from emulator.entities import Exec


def code_of(exec_: Exec) -> str:
    if not exec_.binary:
        return exec_.source.read_text(encoding="utf-8", errors="replace")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(exec_.source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(exec_.source).as_posix())
    return base64.b64encode(buffer.getvalue()).decode()
