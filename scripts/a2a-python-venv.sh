#!/usr/bin/env bash
# Creates, once, the Python virtualenv the A2A tests run Python's official SDK (a2a-sdk) in:
# .cache/a2a-python, with test/support/a2a-python-requirements.txt. It is made again only when
# that file changes. Without it test/api/a2a-python-peer.test.ts is skipped (it says so).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/a2a-python
REQUIREMENTS=test/support/a2a-python-requirements.txt
if [ -x "$VENV/bin/python" ] && cmp -s "$REQUIREMENTS" "$VENV/requirements.txt"; then
  exit 0
fi
echo "creating $VENV (a2a-sdk for the A2A peer tests)"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
cp "$REQUIREMENTS" "$VENV/requirements.txt"
