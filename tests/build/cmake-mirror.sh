#!/usr/bin/env bash
# The CMake mirror must configure and build the same library and programs.
set -euo pipefail
src=${WEIR_SOURCE_ROOT:?}
out=${WEIR_BUILD_ROOT:?}/cmake-mirror
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$out.log" 2>&1 ||
	{ cat "$out.log"; exit 1; }
cmake --build "$out" -j 2 >>"$out.log" 2>&1 || { tail -50 "$out.log"; exit 1; }
test -f "$out/libweir.so" || { echo "cmake-mirror: libweir.so not built"; exit 1; }
echo "cmake-mirror: built $(ls "$out" | grep -c '') entries"
