#!/usr/bin/env bash
# libweir.so exports exactly the public API (what lib/include/weir/*.h
# declares), and every process has one engine: callout modules are not linked
# to libweir.so (they bind to their host's engine), unit tests link the engine
# statically and do not load libweir.so, the programs use libweir.so.
set -euo pipefail
src=${WEIR_SOURCE_ROOT:?}
build=${WEIR_BUILD_ROOT:?}
lib=$build/lib/libweir.so
fail=0
bad() {
	echo "exports: $*"
	fail=1
}

public=$(/usr/bin/python3 "$src/scripts/gen-exports.py" --list "$src"/lib/include/weir/*.h)
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | LC_ALL=C sort -u)
public=$(echo "$public" | LC_ALL=C sort -u)

extra=$(LC_ALL=C comm -23 <(echo "$exported") <(echo "$public"))
[ -z "$extra" ] || bad "libweir.so exports symbols no public header declares:" $extra
missing=$(LC_ALL=C comm -13 <(echo "$exported") <(echo "$public"))
[ -z "$missing" ] || bad "public headers declare symbols libweir.so does not export:" $missing

# The same check by the headers' text (any weir_/Fwp* name they mention).
named=$(cat "$src"/lib/include/weir/*.h | grep -oE '\b(weir_[A-Za-z0-9_]+|Fwp[a-z][A-Za-z0-9_]+)\b' |
	LC_ALL=C sort -u)
loose=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -E '^(weir_|Fwp)' |
	LC_ALL=C sort -u | LC_ALL=C comm -23 - <(echo "$named"))
[ -z "$loose" ] || bad "libweir.so exports names no public header mentions:" $loose

modules=0
while IFS= read -r m; do
	modules=$((modules + 1))
	if readelf -d "$m" | grep -q 'NEEDED.*\[libweir\.so'; then
		bad "${m#"$build"/}: linked to libweir.so (a module must bind to its host's engine)"
	fi
	# nor does it carry a copy of the engine (linked statically)
	copy=$(nm -D --defined-only "$m" | awk '$2 !~ /^[VvWw]$/ {print $3}' | sed 's/@.*//' |
		LC_ALL=C sort -u | LC_ALL=C comm -12 - <(echo "$exported") | grep . || true)
	[ -z "$copy" ] || bad "${m#"$build"/}: defines engine symbols (a copy of the engine):" $copy
	# every engine symbol a module calls is public
	calls=$(nm -D --undefined-only "$m" | awk '{print $2}' | sed 's/@.*//' |
		grep -E '^(weir_|Fwp|FWPM_|WEIR_)' | LC_ALL=C sort -u || true)
	hidden=$(LC_ALL=C comm -23 <(echo "$calls") <(echo "$exported") | grep . || true)
	[ -z "$hidden" ] || bad "${m#"$build"/}: calls symbols libweir.so does not export:" $hidden
done < <(find "$build/callouts" "$build/bench" "$build/tests" -name '*.so' -type f 2>/dev/null | sort)
[ "$modules" -gt 0 ] || bad "no callout modules found under $build"

units=0
while IFS= read -r t; do
	units=$((units + 1))
	if readelf -d "$t" | grep -q 'NEEDED.*\[libweir\.so'; then
		bad "${t#"$build"/}: a unit test must link the engine statically, not libweir.so"
	fi
done < <(find "$build/tests/unit" -name 'test_*' -type f -perm -u+x | sort)
[ "$units" -gt 0 ] || bad "no unit tests found under $build/tests/unit"

for p in app/weir/weir app/weirctl/weirctl; do
	readelf -d "$build/$p" | grep -q 'NEEDED.*\[libweir\.so' || bad "$p: not linked to libweir.so"
done

[ $fail -eq 0 ] || exit 1
echo "exports: $(echo "$exported" | grep -c .) public symbols exported; $modules modules" \
	"and $units unit tests checked"
