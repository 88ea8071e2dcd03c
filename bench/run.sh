#!/usr/bin/env bash
# make bench: testpmd-style comparison (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/bench.py --build "${1:-build}" "${@:2}"
