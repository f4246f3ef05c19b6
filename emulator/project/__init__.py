"""The project model: project.yml and `packages/`, read as DigitalOcean's deployer reads them.

`load_project` reads and checks (nothing on disk changes); `build_project` then runs the
builds, selects the built functions' files and stages the copies."""

from emulator.project.builds import build_project
from emulator.project.loader import Project, load_project

__all__ = ["Project", "build_project", "load_project"]
