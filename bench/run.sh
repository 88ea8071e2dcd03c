#!/usr/bin/env bash
# make bench: testpmd-style comparison, the flow-table figures and the
# rule-update latencies (see bench/README.md); JSON under bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
/usr/bin/python3 bench/bench.py --build "$build" "${@:2}"
/usr/bin/python3 bench/flows.py --build "$build"
out="bench/results/update-latency-$(date +%Y%m%d-%H%M%S).json"
{
	echo "["
	sep=""
	for n in 10000 50000; do
		line=$("$build/bench/update_latency" -l 0 --no-huge -m 4096 --no-pci \
			--file-prefix "weir-ul-$n-$$" --log-level='*:error' -- "$n" 5)
		echo "$line" >&2
		printf '%s  %s\n' "$sep" "$line"
		sep=","
	done
	echo "]"
} > "$out"
echo "update latency: results in $out"
