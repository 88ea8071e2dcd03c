#!/usr/bin/python3
"""testpmd-style benchmark: dpdk-testpmd io forwarding and weir on the same
vdevs and lcores (pcap replay with infinite_rx -> net_null sink), measured
alternately in one run; reports the median Rx-pps of each and their ratio.

usage: bench.py [--build build] [--seconds 4] [--runs 3] [--cases a,b,...] [--out bench/results]
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import classbench as cb  # noqa: E402
import weirtest as wt  # noqa: E402

CASES = ["empty", "inspect1", "inspect3", "acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k",
         "ipc1_10k"]

INSPECT = {
    1: [("inbound-transport-v4", "be7c0002-0000-4000-8000-000000000002")],
    3: [("inbound-ippacket-v4", "be7c0001-0000-4000-8000-000000000001"),
        ("inbound-transport-v4", "be7c0002-0000-4000-8000-000000000002"),
        ("outbound-ippacket-v4", "be7c0003-0000-4000-8000-000000000003")],
}


def eal(prefix):
    return ["-l", "0,1", "--no-huge", "-m", "1024", "--no-pci", "--file-prefix", prefix,
            "--log-level=*:error"]


def vdevs(pcap):
    return ["--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--vdev", "net_null0,no-rx=1"]


def rx_pps(out):
    """Median of the per-period Rx-pps of port 0, skipping the first period."""
    vals = []
    for block in out.split("NIC statistics for port ")[1:]:
        if not block.startswith("0 "):
            continue
        m = re.search(r"Rx-pps:\s+(\d+)", block)
        if m:
            vals.append(int(m.group(1)))
    vals = [v for v in vals[1:] if v > 0] or vals
    return statistics.median(vals) if vals else 0


def run(cmd, seconds):
    # stdin stays open: testpmd stops forwarding at EOF on stdin
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(seconds)
    return wt.interrupt(p)


def testpmd_count(pcap, seconds, tag):
    cmd = ["dpdk-testpmd"] + eal(f"bench-tp-{tag}") + vdevs(pcap) + [
        "--", "--forward-mode=io", "--auto-start", "--total-num-mbufs=16384"]
    out, _ = run(cmd, seconds)
    m = re.search(r"Forward statistics for port 0.*?RX-packets:\s+(\d+)", out, re.S)
    return int(m.group(1)) if m else 0, True, ""


def weir_count(build, pcap, policy, seconds, tag):
    cmd = [os.path.join(build, "app", "weir", "weir")] + eal(f"bench-w-{tag}") + vdevs(pcap) + [
        "--", "--policy", policy]
    out, err = run(cmd, seconds)
    m = re.search(r"conservation: rx (\d+) .*: ok", out)
    return (int(m.group(1)) if m else 0), m is not None, err


def rate(counter, seconds, *args):
    """Packets per second from two runs of different length: start-up cancels out."""
    short = max(1.0, seconds / 3)
    c1, ok1, e1 = counter(*args[:-1], short, args[-1] + "a")
    c2, ok2, e2 = counter(*args[:-1], seconds, args[-1] + "b")
    return max(0.0, (c2 - c1) / (seconds - short)), ok1 and ok2, e1 or e2


def prepare(case, d, build):
    """policy file and pcap for a case"""
    data = os.path.join(SRC, "..", "shared", "data", "classbench")
    pol = os.path.join(d, case + ".conf")
    pcap = os.path.join(d, case + ".pcap")
    if case.startswith("inspect"):
        mod = os.path.abspath(os.path.join(build, "bench", "inspect3.so"))
        lines = []
        for i, (layer, key) in enumerate(INSPECT[int(case[-1])]):
            lines.append(f"callout c{i} key {key} layer {layer}")
            lines.append(f"filter f{i} layer {layer} action callout-inspection c{i}")
        lines.append(f'module "{mod}"')
        open(pol, "w").write("\n".join(lines) + "\n")
        subprocess.run(["/usr/bin/python3", os.path.join(SRC, "scripts", "gen-sample-pcap.py"),
                        pcap], check=True)
        return pol, pcap
    if case == "empty":
        open(pol, "w").write("# empty policy\n")
        subprocess.run(["/usr/bin/python3", os.path.join(SRC, "scripts", "gen-sample-pcap.py"),
                        pcap], check=True)
        return pol, pcap
    rules = cb.parse_rules(os.path.join(data, case))
    acts = ["permit"] * len(rules)  # forward everything the rules classify
    open(pol, "w").write(cb.to_policy(rules, acts, "permit"))
    tr = cb.read_trace(os.path.join(data, case + ".trace"), 4096)
    cb.write_pcap(pcap, [cb.frame(t, i) for i, t in enumerate(tr)])
    return pol, pcap


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args()
    if not shutil.which("dpdk-testpmd"):
        print("bench: dpdk-testpmd not found (apt-get install dpdk-dev)")
        return 1
    d = tempfile.mkdtemp(prefix="weir-bench-")
    results = []
    print(f"{'case':<12} {'testpmd Mpps':>13} {'weir Mpps':>10} {'ratio':>6}")
    for case in a.cases.split(","):
        pol, pcap = prepare(case, d, a.build)
        tp, w = [], []
        # a 10k policy compiles for seconds before traffic starts: longer runs
        secs = a.seconds * (2.5 if "10k" in case else 1)
        for i in range(a.runs):  # alternate so drift hits both alike
            tp.append(rate(testpmd_count, secs, pcap, f"{case}-{i}")[0])
            pps, ok, err = rate(lambda p, s, t: weir_count(a.build, p, pol, s, t), secs,
                                pcap, f"{case}-{i}")
            if not ok:
                # a run cut short before traffic started gives no rate
                print(f"bench: weir run failed for {case}: {err.strip()[-300:]}")
                continue
            w.append(pps)
        mt, mw = statistics.median(tp), (statistics.median(w) if w else 0)
        ratio = mw / mt if mt else 0
        results.append({"case": case, "testpmd_pps": mt, "weir_pps": mw, "ratio": ratio,
                        "testpmd_runs": tp, "weir_runs": w})
        print(f"{case:<12} {mt / 1e6:>13.3f} {mw / 1e6:>10.3f} {ratio:>6.2f}")
        sys.stdout.flush()
    os.makedirs(a.out, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    rep = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "processor": platform.processor()},
           "method": (f"{a.runs} alternating runs per tool; each rate = (packets after {a.seconds} s - "
                      f"packets after {a.seconds / 3:.1f} s) / difference, so start-up cancels; medians"),
           "results": results}
    path = os.path.join(a.out, f"bench-{stamp}.json")
    with open(path, "w") as f:
        json.dump(rep, f, indent=1)
    print(f"bench: results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
