#!/usr/bin/python3
"""The sample callouts in the daemon over pcap ports: rate-limit blocks a
source over its rate and spares a quiet one; conntrack-log writes a start
and an end line for every flow; flow-monitor copies out the payloads of
the flows it picked, and only theirs."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402
from scapy.all import Ether, IP, TCP, UDP, Raw, rdpcap, wrpcap  # noqa: E402

CALLOUTS = os.path.join(wt.BUILD, "callouts")


def sample(name, tag):
    """A fresh directory for tag and the path of sample callout name's module."""
    return wt.tmpdir(tag), os.path.abspath(os.path.join(CALLOUTS, name, name + ".so"))


def all_through(r, name, d, frames):
    r.check(len(rdpcap(os.path.join(d, "out1.pcap"))) == len(frames),
            f"{name}: inspection lets every packet through")


def run(r, name, d, policy, frames, tag):
    """Run the daemon over frames with policy; check it exits 0; (stdout, stderr)."""
    wrpcap(os.path.join(d, "in.pcap"), frames)
    wrpcap(os.path.join(d, "empty.pcap"), [], linktype=1)
    with open(os.path.join(d, "p.conf"), "w") as f:
        f.write(policy)
    rc, out, err = wt.run_weir(wt.pcap_pair(d), os.path.join(d, "p.conf"), tag,
                               ["--idle-exit", "400", "--flows", "4096"])
    r.check(rc == 0, f"{name}: weir exits 0 {err.strip()[-300:]}")
    return out, err


def rate_limit(r):
    d, mod = sample("rate-limit", "ratelimit")
    pkt = lambda src, i: (Ether() / IP(src=src, dst="10.0.0.2") /  # noqa: E731
                          UDP(sport=1000 + i, dport=53) / Raw(b"x" * 58))  # 100-byte frames
    frames = []
    for i in range(200):
        frames.append(pkt("10.9.9.9", i))       # a flood: 20 kB at once
        if i % 50 == 0:
            frames.append(pkt("10.1.1.1", i))   # a quiet source: 4 packets
    policy = (f'callout rl key 9a7b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d layer inbound-transport-v4\n'
              f'module "{mod}" args "cir=1000 cbs=2000"\n'
              f'filter limit layer inbound-transport-v4 action callout-terminating rl '
              f'match ip.proto == udp\n')
    out, err = run(r, "rate-limit", d, policy, frames, "rl")
    got = rdpcap(os.path.join(d, "out1.pcap"))
    flood = sum(1 for p in got if p[IP].src == "10.9.9.9")
    quiet = sum(1 for p in got if p[IP].src == "10.1.1.1")
    # a 2000-byte burst lets about 20 of the 100-byte frames through
    r.check(15 <= flood <= 25, f"rate-limit: flood cut to its burst ({flood} of 200 passed)")
    r.check(quiet == 4, f"rate-limit: the quiet source untouched ({quiet} of 4)")
    m = re.search(r"rate-limit: passed (\d+), blocked (\d+)", out)
    r.check(m is not None and int(m.group(1)) == flood + quiet and
            int(m.group(2)) == 200 - flood, f"rate-limit: its own counters agree ({m and m.group(0)})")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"], f"rate-limit: conserved {c}")


def conntrack(r):
    d, mod = sample("conntrack-log", "conntrack")
    log = os.path.join(d, "flows.jsonl")
    frames = []
    for rep in range(3):
        for f in range(6):
            frames.append(Ether() / IP(src="10.0.0.1", dst="10.0.0.2") /
                          UDP(sport=3000 + f, dport=53))
    policy = (f'callout ct key 4c0ffee0-1d2e-4f3a-9b4c-5d6e7f8a9b0c layer ale-flow-established-v4\n'
              f'module "{mod}" args "path={log}"\n'
              f'filter log layer ale-flow-established-v4 action callout-inspection ct\n')
    out, err = run(r, "conntrack-log", d, policy, frames, "ct")
    try:
        lines = [json.loads(x) for x in open(log)]
    except (OSError, ValueError) as e:
        r.check(False, f"conntrack-log: log readable ({e})")
        return
    starts = [x for x in lines if x["event"] == "start"]
    ends = [x for x in lines if x["event"] == "end"]
    r.check(len(starts) == 6, f"conntrack-log: one start line per flow ({len(starts)})")
    r.check(sorted(x["flow"] for x in ends) == sorted(x["flow"] for x in starts),
            "conntrack-log: every flow's end line (flowDeleteFn at shutdown)")
    r.check(sorted(x["sport"] for x in starts) == list(range(3000, 3006)) and
            all(x["proto"] == 17 and x["dst"] == "10.0.0.2" for x in starts),
            "conntrack-log: the flows' addresses and ports")
    all_through(r, "conntrack-log", d, frames)


def flow_monitor(r):
    d, mod = sample("flow-monitor", "flowmon")
    log = os.path.join(d, "payloads.txt")
    frames = []
    for f in range(4):
        for rep in range(2):
            dport = 53 if f < 2 else 123
            frames.append(Ether() / IP(src="10.0.0.1", dst="10.0.0.2") /
                          UDP(sport=4000 + f, dport=dport) / Raw(bytes([f, rep, 0xab])))
    policy = (f'callout fa key 6f10a000-0001-4a00-8b00-000000000001 layer ale-flow-established-v4\n'
              f'callout fd key 6f10a000-0002-4a00-8b00-000000000002 layer datagram-data-v4\n'
              f'module "{mod}" args "path={log} port=53"\n'
              f'filter pick layer ale-flow-established-v4 action callout-inspection fa\n'
              f'filter copy layer datagram-data-v4 action callout-inspection fd\n')
    out, err = run(r, "flow-monitor", d, policy, frames, "fm")
    try:
        lines = [x.split() for x in open(log)]
    except OSError as e:
        r.check(False, f"flow-monitor: payload file ({e})")
        return
    payloads = sorted(x[2] for x in lines)
    want = sorted(bytes([f, rep, 0xab]).hex() for f in range(2) for rep in range(2))
    r.check(payloads == want, f"flow-monitor: exactly the watched flows' payloads ({payloads})")
    r.check(len({x[0] for x in lines}) == 2, "flow-monitor: two flows, one context each")
    r.check("flow-monitor: 2 flows, 4 payloads copied" in err, "flow-monitor: its counts")
    all_through(r, "flow-monitor", d, frames)


def redirect(r):
    d, mod = sample("redirect", "redirect")
    frames = []
    for i in range(10):
        dport = 53 if i % 2 == 0 else 80
        frames.append(Ether() / IP(src="10.0.0.1", dst="10.0.0.2") /
                      UDP(sport=7000 + i, dport=dport) / Raw(bytes([i] * 8)))
    policy = (f'callout rd key d0d0a001-0001-4001-8001-000000000001 layer datagram-data-v4\n'
              f'module "{mod}" args "match=10.0.0.2:53 to=10.0.0.53:5353"\n'
              f'filter proxy layer datagram-data-v4 action callout-terminating rd '
              f'match ip.proto == udp\n')
    out, err = run(r, "redirect", d, policy, frames, "rd")
    got = rdpcap(os.path.join(d, "out1.pcap"))
    moved = [p for p in got if p[IP].dst == "10.0.0.53"]
    kept = [p for p in got if p[IP].dst == "10.0.0.2"]
    r.check(len(moved) == 5 and all(p[UDP].dport == 5353 for p in moved),
            f"redirect: the 5 packets to 10.0.0.2:53 leave rewritten to 10.0.0.53:5353 ({len(moved)})")
    r.check(len(kept) == 5 and all(p[UDP].dport == 80 for p in kept),
            f"redirect: the others are permitted unchanged ({len(kept)})")
    def cksum_ok(p):
        q = IP(bytes(p[IP]))
        want = q.chksum
        del q.chksum
        return IP(bytes(q)).chksum == want

    r.check(all(cksum_ok(p) for p in moved), "redirect: IPv4 header checksums are right")
    r.check(sorted(bytes(p[UDP].payload)[0] for p in moved) == [0, 2, 4, 6, 8],
            "redirect: payloads kept")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"] and c["absorbed"] == 5, f"redirect: conserved {c}")
    r.check(re.search(r"injected by callouts\s+5 \(not sent: 0\)", out) is not None,
            "redirect: 5 injected, counted apart")
    r.check("redirect: 5 redirected, 0 not injected" in out, "redirect: its own counts")


def inspect(r):
    d, mod = sample("inspect", "inspect")
    frames = []
    for i in range(12):
        if i % 3 == 2:
            l4 = UDP(sport=9000 + i, dport=23)          # not TCP: not pended
        else:
            l4 = TCP(sport=9000 + i, dport=23 if i % 3 == 1 else 80)
        frames.append(Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / l4)
    policy = (f'callout in key 1a5e0c70-0001-4c70-8c70-000000000001 layer inbound-transport-v4\n'
              f'module "{mod}" args "block=23 delay_ms=20"\n'
              f'filter pend layer inbound-transport-v4 action callout-terminating in '
              f'match ip.proto == tcp\n')
    out, err = run(r, "inspect", d, policy, frames, "in")
    got = rdpcap(os.path.join(d, "out1.pcap"))
    tcp80 = [p for p in got if p.haslayer(TCP) and p[TCP].dport == 80]
    tcp23 = [p for p in got if p.haslayer(TCP) and p[TCP].dport == 23]
    udp = [p for p in got if p.haslayer(UDP)]
    r.check(len(tcp80) == 4, f"inspect: pended TCP/80 re-injected after the decision ({len(tcp80)} of 4)")
    r.check(len(tcp23) == 0, "inspect: pended TCP/23 dropped by the decision")
    r.check(len(udp) == 4, f"inspect: UDP never pended ({len(udp)} of 4)")
    m = re.search(r"inspect: (\d+) pended, (\d+) re-injected, (\d+) dropped", out)
    r.check(m is not None and m.groups() == ("8", "4", "4"), f"inspect: its counts ({m and m.group(0)})")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"] and c["absorbed"] == 8, f"inspect: conserved {c}")


def main():
    r = wt.Results("samples")
    rate_limit(r)
    conntrack(r)
    flow_monitor(r)
    redirect(r)
    inspect(r)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
