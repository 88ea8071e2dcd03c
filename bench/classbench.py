#!/usr/bin/python3
"""ClassBench rule sets and traces for weir: convert a rule file into a weir
policy (one filter per rule, earlier rules weigh more, so the first match
wins), turn a trace into a pcap, and compute a first-match oracle.

usage:
  classbench.py policy RULES OUT.conf [--seed N] [--default permit|block] [--actions OUT.json]
  classbench.py pcap TRACE OUT.pcap [--count N]

Ports: weir's l4 port fields exist only for TCP, UDP and SCTP. A rule that
restricts a port range therefore never matches other protocols; the oracle
here applies the same rule. The ClassBench flags column is ignored.
"""
import argparse
import json
import random
import struct
import sys


def parse_rules(path):
    rules = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("@"):
                continue
            cols = line[1:].split("\t")
            src, dst = cols[0], cols[1]
            slo, shi = (int(x) for x in cols[2].split(":"))
            dlo, dhi = (int(x) for x in cols[3].split(":"))
            pv, pm = (int(x, 16) for x in cols[4].split("/"))
            rules.append({"src": prefix(src), "dst": prefix(dst), "sport": (slo, shi),
                          "dport": (dlo, dhi), "proto": (pv, pm)})
    return rules


def prefix(s):
    a, ln = s.split("/")
    o = [int(x) for x in a.split(".")]
    v = o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3]
    ln = int(ln)
    mask = (0xffffffff << (32 - ln)) & 0xffffffff if ln else 0
    return (v & mask, ln, mask)


def ip_str(v):
    return ".".join(str(v >> s & 255) for s in (24, 16, 8, 0))


def actions(rules, seed):
    rnd = random.Random(seed)
    return ["permit" if rnd.random() < 0.5 else "block" for _ in rules]


def to_policy(rules, acts, default):
    n = len(rules)
    out = [f"# {n} ClassBench rules, first match wins (weights descend)",
           "sublayer classbench weight 0x1000"]
    for i, (r, a) in enumerate(zip(rules, acts)):
        conds = []
        if r["src"][1]:
            conds.append(f"ip.src in {ip_str(r['src'][0])}/{r['src'][1]}")
        if r["dst"][1]:
            conds.append(f"ip.dst in {ip_str(r['dst'][0])}/{r['dst'][1]}")
        if r["proto"][1] == 0xff:
            conds.append(f"ip.proto == {r['proto'][0]}")
        if r["sport"] != (0, 65535):
            conds.append(f"l4.src-port in {r['sport'][0]}-{r['sport'][1]}")
        if r["dport"] != (0, 65535):
            conds.append(f"l4.dst-port in {r['dport'][0]}-{r['dport'][1]}")
        line = (f"filter r{i} layer inbound-transport-v4 sublayer classbench "
                f"weight {n - i} action {a}")
        if conds:
            line += " match " + ", ".join(conds)
        out.append(line)
    out.append(f"default inbound-transport-v4 {default}")
    return "\n".join(out) + "\n"


def matches(r, pkt):
    src, dst, sp, dp, proto = pkt
    if src & r["src"][2] != r["src"][0] or dst & r["dst"][2] != r["dst"][0]:
        return False
    if r["proto"][1] == 0xff and proto != r["proto"][0]:
        return False
    has_ports = proto in (6, 17, 132)
    for key, v in (("sport", sp), ("dport", dp)):
        lo, hi = r[key]
        if (lo, hi) == (0, 65535):
            continue
        if not has_ports or not lo <= v <= hi:
            return False
    return True


def oracle(rules, acts, default, pkt):
    for r, a in zip(rules, acts):
        if matches(r, pkt):
            return a
    return default


def read_trace(path, count=None):
    out = []
    with open(path) as f:
        for line in f:
            c = line.split()
            if len(c) < 5:
                continue
            out.append(tuple(int(x) for x in c[:5]))
            if count and len(out) >= count:
                break
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(pkt, ident):
    src, dst, sp, dp, proto = pkt
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 5 << 4, 0x02, 8192, 0, 0)
    elif proto == 17:
        l4 = struct.pack("!HHHH", sp, dp, 8, 0)
    elif proto == 132:  # SCTP's common header: ports, verification tag, checksum
        l4 = struct.pack("!HHII", sp, dp, 0, 0)
    elif proto == 1:
        l4 = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    else:
        l4 = struct.pack("!HH", sp, dp)
    ip = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + len(l4), ident & 0xffff, 0, 64, proto, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + l4


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    out = []
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return out
        magic = struct.unpack("<I", hdr[:4])[0]
        e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            _, _, incl, _ = struct.unpack(e + "IIII", h)
            out.append(f.read(incl))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("policy")
    p.add_argument("rules")
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--default", choices=["permit", "block"], default="block")
    p.add_argument("--actions")
    q = sub.add_parser("pcap")
    q.add_argument("trace")
    q.add_argument("out")
    q.add_argument("--count", type=int)
    a = ap.parse_args()
    if a.cmd == "policy":
        rules = parse_rules(a.rules)
        acts = actions(rules, a.seed)
        with open(a.out, "w") as f:
            f.write(to_policy(rules, acts, a.default))
        if a.actions:
            with open(a.actions, "w") as f:
                json.dump(acts, f)
    else:
        tr = read_trace(a.trace, a.count)
        write_pcap(a.out, [frame(t, i) for i, t in enumerate(tr)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
