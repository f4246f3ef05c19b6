"""What the suite's tests share besides fixtures: paths, routes, servers, CI rules.

Test modules import these (`from tests.support.routes import ACTIONS`); the conftest files
hold only fixtures, as pytest advises under `--import-mode=importlib`.
"""
