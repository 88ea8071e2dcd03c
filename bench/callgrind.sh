#!/usr/bin/env bash
# bench/callgrind.sh BUILD [CASE] [COPIES]: instructions per packet per stage
# of weir's data path, counted by callgrind (see bench/README.md).
#
# CASE is a ClassBench set under ../shared/data/classbench (default acl1_1k),
# converted as bench.py does (one permit filter per rule; the first 4096
# packets of its trace), the capture repeated COPIES times (default 10:
# 40,960 packets). weir reads it once from a pcap port into a net_null sink
# and leaves by --idle-exit; dpdk-testpmd (io forwarding, the bench's
# yardstick) replays the 4096 packets from memory (infinite_rx, as in
# bench.py) until it has forwarded as many, then gets SIGINT.
# Call files and the annotations stay in $CG_OUT (default: a new /tmp dir);
# CG_TESTPMD=0 skips testpmd; CG_FLOWS=1 adds a datagram-data-v4 filter
# (permit UDP) so that flows are tracked, as in bench/flows.py.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
case=${2:-acl1_1k}
copies=${3:-10}
out=${CG_OUT:-$(mktemp -d /tmp/weir-callgrind-XXXXXX)}
mkdir -p "$out"
for t in valgrind callgrind_annotate dpdk-testpmd; do
	command -v "$t" >/dev/null || { echo "callgrind.sh: $t not found" >&2; exit 1; }
done
[ -x "$build/app/weir/weir" ] || { echo "callgrind.sh: no $build/app/weir/weir (make first)" >&2; exit 1; }

/usr/bin/python3 - "$case" "$copies" "$out" "${CG_FLOWS:-0}" <<'EOF'
import os, sys
sys.path.insert(0, "bench")
import classbench as cb
case, copies, out, flows = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
data = os.path.join("..", "shared", "data", "classbench")
rules = cb.parse_rules(os.path.join(data, case))
with open(os.path.join(out, "policy.conf"), "w") as f:
    f.write(cb.to_policy(rules, ["permit"] * len(rules), "permit"))
    if flows:
        f.write("filter udp layer datagram-data-v4 action permit match ip.proto == udp\n")
tr = cb.read_trace(os.path.join(data, case + ".trace"), 4096)
frames = [cb.frame(t, i) for i, t in enumerate(tr)]
cb.write_pcap(os.path.join(out, "replay.pcap"), frames)
cb.write_pcap(os.path.join(out, "once.pcap"), frames * copies)
EOF

eal=(--no-huge -m 1024 --no-pci --log-level='*:error')
echo "callgrind.sh: weir ($build) on $case x$copies, files in $out" >&2
valgrind --tool=callgrind --callgrind-out-file="$out/weir.cg" \
	"$build/app/weir/weir" -l 0,1 "${eal[@]}" --file-prefix "weir-cg-$$" \
	--vdev "net_pcap0,rx_pcap=$out/once.pcap" --vdev net_null0,no-rx=1 \
	-- --policy "$out/policy.conf" --idle-exit 3000 >"$out/weir.log" 2>"$out/weir.err"
callgrind_annotate --inclusive=yes --tree=calling --auto=no --threshold=100 "$out/weir.cg" >"$out/weir.txt"

if [ "${CG_TESTPMD:-1}" != 0 ]; then
echo "callgrind.sh: dpdk-testpmd io forwarding" >&2
/usr/bin/python3 - "$out" "$copies" "${eal[@]}" <<'EOF'
import re, signal, subprocess, sys
out, copies, eal = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
want = 4096 * copies
cmd = ["valgrind", "--tool=callgrind", "--separate-threads=yes", "--fair-sched=yes",
       f"--callgrind-out-file={out}/testpmd.cg", "dpdk-testpmd", "-l", "0,1"] + eal + [
       "--file-prefix", f"tp-cg-{__import__('os').getpid()}",
       "--vdev", f"net_pcap0,rx_pcap={out}/replay.pcap,infinite_rx=1",
       "--vdev", "net_null0,no-rx=1", "--", "--forward-mode=io", "--auto-start",
       "--total-num-mbufs=16384", "--stats-period=1"]
log = open(f"{out}/testpmd.log", "w")
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
port = None
for line in p.stdout:
    log.write(line)
    m = re.search(r"NIC statistics for port (\d+)", line)
    if m:
        port = m.group(1)
    m = re.search(r"RX-packets:\s+(\d+)", line)
    if m and port == "0" and int(m.group(1)) >= want:
        p.send_signal(signal.SIGINT)
        port = None
log.close()
p.wait()
EOF
for f in "$out"/testpmd.cg-*; do
	callgrind_annotate --inclusive=yes --tree=calling --auto=no --threshold=100 "$f" >"$f.txt"
done
fi

/usr/bin/python3 - "$out" <<'EOF'
import glob, re, sys
out = sys.argv[1]


def incl(path):
    """function -> inclusive Ir of every call made to it (the '>' lines of
    callgrind_annotate --tree=calling, summed over callers: a function's own
    '*' line leaves out code inlined from other files), and the total"""
    fn, total = {}, 0
    for line in open(path):
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+>\s+\S*:([^:\s]+)\s+\([\d,]+x\)", line)
        if m:
            fn[m.group(2)] = fn.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
        m = re.match(r"\s*([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
    return fn, total


w, _ = incl(f"{out}/weir.txt")
log = open(f"{out}/weir.log").read()
m = re.search(r"conservation: rx (\d+)", log)
if not m:
    sys.exit("callgrind.sh: no conservation line in weir.log")
n = int(m.group(1))
g = lambda *names: sum(w.get(x, 0) for x in names)
total = g("weir_pipeline_run")
parse = g("weir_parse")
acl = g("rte_acl_classify")
# the slow path: incoming values, metadata, arbitration from the candidates
slow = g("classify_slow") or g("weir_fast_arbitrate", "weir_classify_fast",
                                     "weir_pipeline_fill", "weir_pipeline_fill_meta")
flows = g("weir_flow_lookup_or_create", "weir_flow_update_tcp", "weir_flow_classify_end",
          "weir_flow_key_v4", "weir_flow_key_v6")
rest = total - parse - acl - slow - flows

tlog = open(f"{out}/testpmd.log").read() if glob.glob(f"{out}/testpmd.log") else ""
tm = re.search(r"Forward statistics for port 0.*?RX-packets:\s+(\d+)", tlog, re.S)

print(f"weir: {n} packets (conservation line), inclusive Ir per packet")
rows = [("parse (weir_parse)", parse),
        ("rte_acl (rte_acl_classify)", acl),
        ("keys + settling + per-layer loops (the rest of weir_pipeline_run)", rest),
        ("slow path (classify_slow, or fill + fill_meta + arbitrate)", slow),
        ("flow table (weir_flow_key_*, _lookup_or_create, _update_tcp, _classify_end)", flows),
        ("total (weir_pipeline_run)", total)]
for name, v in rows:
    print(f"  {name:<68} {v / n:8.1f}")
if tm:
    k = int(tm.group(1))
    # the forwarding lcore: the thread that spent most inside the pcap PMD (its
    # RX); the main thread only probed it (testpmd has no symbols to go by)
    best = None
    for f in sorted(glob.glob(f"{out}/testpmd.cg-*.txt")):
        _, t_total = incl(f)
        rx = max([int(m.group(1).replace(",", "")) for m in re.finditer(
            r"^\s*([\d,]+)\s+\([^)]*\)\s+\*\s+.*librte_net_pcap", open(f).read(), re.M)]
            or [0])
        if best is None or rx > best[2]:
            best = (f, t_total, rx)
    if best:
        print(f"dpdk-testpmd io forwarding: {k} packets, forwarding lcore thread "
              f"({best[0].split('/')[-1]}) {best[1] / k:8.1f} Ir per packet")
else:
    print("dpdk-testpmd: no forward statistics (see testpmd.log)")
EOF
