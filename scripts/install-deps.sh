#!/usr/bin/env bash
# Install the Debian 12 packages weir needs to build, test and run. Idempotent:
# a quick no-op when everything is already installed.
set -euo pipefail

pkgs=(build-essential gcc make pkg-config meson ninja-build cmake clang clang-format
	libdpdk-dev dpdk dpdk-dev libnuma-dev libpcap-dev libcmocka-dev libbsd-dev
	libjansson-dev python3 python3-scapy tcpdump valgrind libclang-rt-14-dev
	iproute2 procps)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
