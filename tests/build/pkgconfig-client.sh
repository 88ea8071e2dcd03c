#!/usr/bin/env bash
# A client compiled only with the uninstalled pkg-config file links and runs.
set -euo pipefail
build=${WEIR_BUILD_ROOT:?}
src=${WEIR_SOURCE_ROOT:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=$(PKG_CONFIG_PATH="$build/meson-uninstalled" pkg-config --cflags --libs libweir)
cc -std=gnu11 -Wall -Werror -o "$tmp/client" "$src/tests/build/pkgconfig_client.c" $flags
LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/client"
