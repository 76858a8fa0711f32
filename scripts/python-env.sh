#!/usr/bin/env bash
# The Python the Python worker's tests run with: a venv holding clients/python/requirements.txt, kept in a cache
# folder outside the checkout (CI's fresh clones reuse it) under a name that changes with the requirements.
# Prints the venv's python. HANDOFF_PYTHON_CACHE moves the cache (default ~/.cache/handoff).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=clients/python/requirements.txt
tag=$( (python3 --version; cat "$requirements") | sha256sum | cut -c1-12)
venv="${HANDOFF_PYTHON_CACHE:-$HOME/.cache/handoff}/python-venv-$tag"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import httpx' 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
fi
echo "$venv/bin/python"
