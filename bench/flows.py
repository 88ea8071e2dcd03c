#!/usr/bin/python3
"""Flow-table benchmark (one worker lcore): new flows per second, and Mpps
through established flows with N flows in the table.

usage: flows.py [--build build] [--flows 1048576] [--seconds 8] [--out bench/results]

- new flows/s: one pass over a capture of N distinct UDP flows read from
  the pcap file (libpcap on the RX path bounds it: a lower bound);
- established: the same capture replayed from memory (infinite_rx) after
  the first pass filled the table; rate from two runs of different length.
A datagram-data filter keeps flow tracking on.
"""
import argparse
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import classbench as cb  # noqa: E402

POLICY = "filter udp layer datagram-data-v4 action permit match ip.proto == udp\n"


def make_pcap(path, n):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            fr = cb.frame((0x0a000000 | (i >> 16), 0x0b000000 | (i & 0xffff), 1024 + (i & 0x3ff),
                           53, 17), i)
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)))
            f.write(fr)


def weir_cmd(build, pcap, pol, prefix, infinite, flows, mbufs, extra=()):
    rx = f"net_pcap0,rx_pcap={pcap}" + (",infinite_rx=1" if infinite else "")
    return [os.path.join(build, "app", "weir", "weir"), "-l", "0,1", "--no-huge", "-m", "8192",
            "--no-pci", "--file-prefix", prefix, "--log-level=*:error", "--vdev", rx,
            "--vdev", "net_null0,no-rx=1", "--", "--policy", pol, "--flows", str(flows),
            "--mbufs", str(mbufs)] + list(extra)


def timed(cmd, seconds):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    m = re.search(r"conservation: rx (\d+) ", out)
    return (int(m.group(1)) if m else 0), out, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--flows", type=int, default=1 << 20)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="weir-flows-")
    pcap, pol = os.path.join(d, "flows.pcap"), os.path.join(d, "p.conf")
    open(pol, "w").write(POLICY)
    make_pcap(pcap, a.flows)
    cap = a.flows
    mbufs = a.flows + 65536
    p = subprocess.run(weir_cmd(a.build, pcap, pol, "wf-new", False, cap, 65536,
                                ["--idle-exit", "300"]), capture_output=True, text=True,
                       timeout=600)
    m1 = re.search(r"stopping after ([\d.]+) s", p.stdout)
    m2 = re.search(r"flows established\s+(\d+)", p.stdout)
    new = int(m2.group(1)) if m2 else 0
    el = float(m1.group(1)) - 0.3 if m1 else 0
    new_rate = new / el if el > 0 else 0
    print(f"new flows: {new} in {el:.2f} s: {new_rate / 1e6:.3f} M flows/s (lower bound)")
    short = a.seconds / 2
    c1, o1, e1 = timed(weir_cmd(a.build, pcap, pol, "wf-e1", True, cap, mbufs), short)
    c2, o2, e2 = timed(weir_cmd(a.build, pcap, pol, "wf-e2", True, cap, mbufs), a.seconds)
    est = max(0.0, (c2 - c1) / (a.seconds - short))
    print(f"established, {a.flows} flows in the table: {est / 1e6:.3f} Mpps")
    if c1 == 0 or c2 == 0:
        print((e1 + e2)[-500:])
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, time.strftime("flows-%Y%m%d-%H%M%S.json"))
    json.dump({"flows": a.flows, "new_flows_per_s": new_rate, "established_pps": est,
               "method": __doc__.strip()}, open(path, "w"), indent=1)
    print(f"flows: results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
