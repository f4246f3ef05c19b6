#!/bin/bash
# DigitalOcean's recipe: dependencies go into ./virtualenv, which the Python runtime activates.
set -e
python3 -m venv --without-pip virtualenv
python3 -m pip install --quiet --disable-pip-version-check \
  --target virtualenv/lib/python3/site-packages -r requirements.txt
