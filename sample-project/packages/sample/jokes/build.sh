#!/bin/bash
# DigitalOcean's recipe: the `virtualenv` tool makes ./virtualenv, with the activate_this.py
# that the Python runtime runs, and the dependencies are installed into its site-packages.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore
rm -rf virtualenv
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m pip install --quiet --disable-pip-version-check --target "$tools" virtualenv
PYTHONPATH="$tools" python3 -m virtualenv --quiet --without-pip virtualenv
site=$(virtualenv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
python3 -m pip install --quiet --disable-pip-version-check --target "$site" -r requirements.txt
