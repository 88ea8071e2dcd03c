#!/usr/bin/env bash
# make run: the embedded default. Two pcap ports over a generated sample
# capture, the example policy and the count callout; exits when the capture
# is consumed and says where the output is.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=$build/run
mkdir -p "$out"
/usr/bin/python3 scripts/gen-sample-pcap.py "$out/in.pcap" "$out/empty.pcap"
rm -f "$out/out0.pcap" "$out/out1.pcap"
"$build/app/weir/weir" -l 0,1 --no-huge -m 1024 --no-pci --file-prefix "weir-run-$$" \
	--log-level='*:warning' \
	--vdev "net_pcap0,rx_pcap=$out/in.pcap,tx_pcap=$out/out0.pcap" \
	--vdev "net_pcap1,rx_pcap=$out/empty.pcap,tx_pcap=$out/out1.pcap" \
	-- --policy config/weir.conf --idle-exit 500
echo
echo "weir: input  $out/in.pcap ($(stat -c %s "$out/in.pcap") bytes)"
echo "weir: output $out/out1.pcap (what port 0 permitted, sent on port 1)"
