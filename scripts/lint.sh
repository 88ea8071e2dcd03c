#!/usr/bin/env bash
# clang-format check (--dry-run --Werror) over every C source and header under
# lib app callouts tests bench: tracked and untracked files git does not ignore.
# --fix rewrites them in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(--dry-run --Werror)
[ "${1:-}" = "--fix" ] && mode=(-i)
dirs=(lib app callouts tests bench)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	pathspecs=()
	for d in "${dirs[@]}"; do pathspecs+=("$d/*.c" "$d/*.h"); done
	mapfile -t files < <(git ls-files --cached --others --exclude-standard -- "${pathspecs[@]}" | sort -u)
else
	mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)
fi
existing=()
for f in "${files[@]}"; do [ -f "$f" ] && existing+=("$f"); done
[ ${#existing[@]} -eq 0 ] && { echo "lint: no files"; exit 0; }
clang-format "${mode[@]}" "${existing[@]}"
if [ "${mode[0]}" = -i ]; then echo "lint: ${#existing[@]} files formatted"; else echo "lint: ${#existing[@]} files clean"; fi
