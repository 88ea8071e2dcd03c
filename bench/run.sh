#!/usr/bin/env bash
# make bench: testpmd-style comparison, then the flow-table figures (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
/usr/bin/python3 bench/bench.py --build "$build" "${@:2}"
/usr/bin/python3 bench/flows.py --build "$build"
for n in 10000 50000; do
	"$build/bench/update_latency" -l 0 --no-huge -m 4096 --no-pci --file-prefix "weir-ul-$n-$$" \
		--log-level='*:error' -- "$n" 5
done
