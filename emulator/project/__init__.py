"""The project model: project.yml and `packages/`, read as DigitalOcean's deployer reads them."""

from emulator.project.loader import Project, load_project

__all__ = ["Project", "load_project"]
