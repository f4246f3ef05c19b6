"""A remote-build slice, unpacked as the project it is.

For each function it builds remotely, the deployer (functions-deployer finder-builder.ts
`doRemoteActionBuild`) zips a one-function project: the function's files at their project
paths, `lib/` when the project has a build there, and a project.yml of that function alone
with `slice: true` (util.ts `encryptProjectConfig` encrypts it; nim's older deployer does not).
A function that is built remotely by default (Go, without a build script of its own) gets a
two-line `build.sh` that runs the runtime image's `/bin/defaultBuild <main>`: here that script
is taken out again, and the function is compiled the emulator's way instead.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from emulator.project.slice_cipher import SliceDecryptionError, decrypt_config

CONFIG_FILE = "project.yml"
# finder-builder.ts CANNED_REMOTE_BUILD, with the function's `main` in place of %MAIN%.
DEFAULT_BUILD = re.compile(r"\A#!/bin/bash\nset -e\n/bin/defaultBuild \S+\n\Z")
# The slice's own fields that nothing here reads and that must not be written out in clear:
# the namespace key and the DigitalOcean token the deployer puts in.
_SECRET_FIELDS = ("credentials",)


class SliceError(Exception):
    """The upload is not a slice the deployer makes: its message says why."""


@dataclass(frozen=True, slots=True)
class Slice:
    root: Path  # the project folder the slice was unpacked into
    config_file: Path
    config: dict[str, Any]  # the slice's project.yml, without its credentials
    default_build: bool  # its function came with the canned `/bin/defaultBuild` script

    @property
    def deployer_annotation(self) -> dict[str, Any]:
        """The `deployer` annotation the slice's deploy puts on the function."""
        annotation = self.config.get("deployerAnnotation") or {}
        return {k: v for k, v in annotation.items() if k != "newSliceHandling"}


def unpack_slice(data: bytes, root: Path, *, encryption_key: str | None) -> Slice:
    """Unpack the uploaded zip into `root` (an empty folder): its files, with their modes, and
    its project.yml decrypted with `encryption_key` (none: the file is plain YAML)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SliceError("the upload is not a zip archive") from None
    with archive:
        raw_config = _extract(archive, root)
    if raw_config is None:
        raise SliceError(f"the slice has no {CONFIG_FILE}")
    config = _config(raw_config, encryption_key)
    default_build = _remove_default_builds(root)
    config_file = root / CONFIG_FILE
    cleared = {k: v for k, v in config.items() if k not in _SECRET_FIELDS}
    config_file.write_text(yaml.safe_dump(cleared, sort_keys=False), encoding="utf-8")
    return Slice(root, config_file, cleared, default_build)


def _extract(archive: zipfile.ZipFile, root: Path) -> str | None:
    """Write every member but project.yml under `root` (never outside it); project.yml's text."""
    config: str | None = None
    for member in archive.infolist():
        parts = PurePosixPath(member.filename).parts
        if member.is_dir() or not parts or parts[0] in ("/", "..") or ".." in parts:
            continue
        if member.filename == CONFIG_FILE:
            config = archive.read(member).decode("utf-8", errors="replace")
            continue
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(member))
        # The deployer keeps each file's mode: a build.sh must stay executable.
        mode = stat.S_IMODE(member.external_attr >> 16)
        if mode:
            target.chmod(mode | stat.S_IRUSR | stat.S_IWUSR)
    return config


def _config(text: str, encryption_key: str | None) -> dict[str, Any]:
    if encryption_key:
        try:
            text = decrypt_config(text, encryption_key)
        except SliceDecryptionError as error:
            raise SliceError(str(error)) from None
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SliceError(f"the slice's {CONFIG_FILE} is not YAML: {error}") from None
    if not isinstance(config, dict) or not config.get("slice"):
        raise SliceError(f"the slice's {CONFIG_FILE} is not a slice's")
    return config


def _remove_default_builds(root: Path) -> bool:
    """Take out the canned `/bin/defaultBuild` scripts; whether there was one."""
    found = False
    for script in root.glob("packages/*/*/build.sh"):
        if DEFAULT_BUILD.match(script.read_text(encoding="utf-8", errors="replace")):
            script.unlink()
            found = True
    return found
