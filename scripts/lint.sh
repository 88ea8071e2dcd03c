#!/usr/bin/env bash
# clang-format check over every C source of the project (--fix rewrites them).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(--dry-run --Werror)
[ "${1:-}" = "--fix" ] && mode=(-i)
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
	'lib/*.c' 'lib/*.h' 'app/*.c' 'app/*.h' 'callouts/*.c' 'callouts/*.h' \
	'tests/*.c' 'tests/*.h' 'bench/*.c' 'bench/*.h' | sort -u)
[ ${#files[@]} -eq 0 ] && { echo "lint: no files"; exit 0; }
existing=()
for f in "${files[@]}"; do [ -f "$f" ] && existing+=("$f"); done
clang-format "${mode[@]}" "${existing[@]}"
echo "lint: ${#existing[@]} files clean"
