#!/usr/bin/env bash
# make bench: testpmd-style comparison, then the flow-table figures (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
/usr/bin/python3 bench/bench.py --build "$build" "${@:2}"
/usr/bin/python3 bench/flows.py --build "$build"
