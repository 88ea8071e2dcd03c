#!/usr/bin/env bash
# The CMake mirror must configure and build the same library and programs,
# with the same exports and the callout modules not linked to libweir.so.
set -euo pipefail
src=${WEIR_SOURCE_ROOT:?}
out=${WEIR_BUILD_ROOT:?}/cmake-mirror
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$out.log" 2>&1 ||
	{ cat "$out.log"; exit 1; }
cmake --build "$out" -j 2 >>"$out.log" 2>&1 || { tail -50 "$out.log"; exit 1; }
test -f "$out/libweir.so" || { echo "cmake-mirror: libweir.so not built"; exit 1; }
# the same public API as meson's libweir.so, nothing else
want=$(/usr/bin/python3 "$src/scripts/gen-exports.py" --list "$src"/lib/include/weir/*.h | LC_ALL=C sort -u)
got=$(nm -D --defined-only "$out/libweir.so" | awk '{print $3}' | sed 's/@.*//' | LC_ALL=C sort -u)
if [ "$want" != "$got" ]; then
	echo "cmake-mirror: libweir.so exports differ from the public headers:"
	diff <(echo "$want") <(echo "$got") | head -20
	exit 1
fi
for m in "$out"/*.so; do
	[ "$(basename "$m")" = libweir.so ] && continue
	if readelf -d "$m" | grep -q 'NEEDED.*\[libweir\.so'; then
		echo "cmake-mirror: $(basename "$m") is linked to libweir.so"
		exit 1
	fi
done
echo "cmake-mirror: built $(ls "$out" | grep -c '') entries"
