"""ProjectError: a project the deployer would refuse, named as the deployer names it."""

from __future__ import annotations

from pathlib import PurePath


class ProjectError(Exception):
    """An invalid project: names the file, the key path and the deployer's message."""

    def __init__(self, message: str, *, file: str | None = None, key_path: str | None = None):
        self.problem = message
        self.file = file
        self.key_path = key_path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"file {self.file}" if self.file else "",
                f"key {self.key_path}" if self.key_path else "",
            )
            if part
        )
        suffix = f" ({where})" if where else ""
        # The deployer names the file it read: project.yml, or the legacy projectConfig.yml.
        name = PurePath(self.file).name if self.file else "project.yml"
        return f"Invalid project configuration file ({name}): {self.problem}{suffix}"
