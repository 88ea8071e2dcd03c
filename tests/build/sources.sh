#!/usr/bin/env bash
# meson lists sources and folders explicitly: every C source in the tree must
# be compiled by some target, so a file nobody listed is caught here.
set -euo pipefail
src=${WEIR_SOURCE_ROOT:?}
build=${WEIR_BUILD_ROOT:?}
compiled=$(/usr/bin/python3 - "$build/compile_commands.json" "$src" <<'EOF'
import json, os, sys
src = os.path.realpath(sys.argv[2])
for e in json.load(open(sys.argv[1])):
    f = os.path.realpath(os.path.join(e["directory"], e["file"]))
    if f.startswith(src + os.sep):
        print(os.path.relpath(f, src))
EOF
)
cd "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	tree=$(git ls-files --cached --others --exclude-standard -- 'lib/*.c' 'app/*.c' 'callouts/*.c' \
		'bench/*.c' 'tests/*.c')
else
	tree=$(find lib app callouts bench tests -name '*.c' -type f)
fi
# compiled by scripts of their own, not by meson
tree=$(echo "$tree" | grep -v '^tests/build/pkgconfig_client\.c$' | LC_ALL=C sort -u)
unlisted=$(LC_ALL=C comm -23 <(echo "$tree") <(echo "$compiled" | LC_ALL=C sort -u) | grep . || true)
if [ -n "$unlisted" ]; then
	echo "sources: C files no meson.build lists (add each to its folder's list):"
	echo "$unlisted" | sed 's/^/  /'
	exit 1
fi
echo "sources: $(echo "$tree" | grep -c .) C files, all listed"
