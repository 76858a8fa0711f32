#!/usr/bin/env bash
# The Python the A2A peer tests run Python's official A2A SDK (a2a-sdk) with: a venv holding
# test/support/a2a-python-requirements.txt, kept in a cache folder outside the checkout (CI's fresh clones reuse
# it) under a name that changes with the requirements, as scripts/python-env.sh keeps the worker's.
# Prints the venv's python. HANDOFF_PYTHON_CACHE moves the cache (default ~/.cache/handoff).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=test/support/a2a-python-requirements.txt
tag=$( (python3 --version; cat "$requirements") | sha256sum | cut -c1-12)
venv="${HANDOFF_PYTHON_CACHE:-$HOME/.cache/handoff}/a2a-venv-$tag"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import a2a, uvicorn' 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
fi
echo "$venv/bin/python"
