#!/usr/bin/env bash
# Re-resolves requirements.in into requirements.lock (exact versions + sha256 hashes) with uv.
# uv is used only to resolve; installation (scripts/setup.sh) uses pip with --require-hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip install -q uv
.venv/bin/python -m uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.lock "$@"
