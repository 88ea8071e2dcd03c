#!/usr/bin/python3
"""A callout module through the data path (the seed documents' rules).
With the module: its verdicts apply (BLOCK, PERMIT, CONTINUE to a lower
filter, ABSORB) and classifyFn runs exactly once per packet matching its
filter. Without it: terminating/unknown filters block unless
permit-if-callout-unregistered; inspection filters are skipped."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402
from scapy.all import Ether, IP, UDP, rdpcap, wrpcap  # noqa: E402

MODULE = os.path.join(wt.BUILD, "tests", "integration", "modules", "verdict.so")
# port -> (callout action, context): context is the module's verdict
FILTERS = [
    (1001, "callout-terminating", 1, ""),    # BLOCK
    (1002, "callout-terminating", 2, ""),    # PERMIT
    (1003, "callout-unknown", 3, ""),        # CONTINUE -> lower static block
    (1004, "callout-inspection", 3, ""),     # CONTINUE -> lower static permit
    (1005, "callout-terminating", 4, ""),    # ABSORB
    (1006, "callout-terminating", 1, "flags permit-if-callout-unregistered"),
    (1007, "callout-unknown", 2, "flags permit-if-callout-unregistered"),
]
PER_PORT = 5


def policy(with_module):
    lines = ["callout verdict key 5eed0001-1111-4222-8333-444455556666 layer inbound-transport-v4"]
    if with_module:
        lines.append(f'module "{os.path.abspath(MODULE)}"')
    for port, action, ctx, extra in FILTERS:
        lines.append(f"filter c{port} layer inbound-transport-v4 weight 100 action {action} verdict "
                     f"context {ctx} {extra} match ip.proto == udp, l4.dst-port == {port}")
    lines.append("filter low-block layer inbound-transport-v4 weight 10 action block "
                 "match ip.proto == udp, l4.dst-port == 1003")
    lines.append("filter low-permit layer inbound-transport-v4 weight 10 action permit "
                 "match ip.proto == udp, l4.dst-port == 1004")
    lines.append("default inbound-transport-v4 block")
    return "\n".join(lines) + "\n"


def run(r, with_module, expect):
    d = wt.tmpdir("callout")
    frames = []
    for port, *_ in FILTERS:
        for i in range(PER_PORT):
            frames.append(Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=i + 1, dport=port))
    wrpcap(os.path.join(d, "in.pcap"), frames)
    wrpcap(os.path.join(d, "empty.pcap"), [], linktype=1)
    with open(os.path.join(d, "p.conf"), "w") as f:
        f.write(policy(with_module))
    rc, out, err = wt.run_weir(
        wt.pcap_pair(d),
        os.path.join(d, "p.conf"), "callout", ["--idle-exit", "400"])
    tag = "module loaded" if with_module else "module absent"
    r.check(rc == 0, f"{tag}: weir exits 0 {err.strip()[-300:]}")
    got = sorted({p[UDP].dport for p in rdpcap(os.path.join(d, "out1.pcap"))})
    r.check(got == expect, f"{tag}: forwarded ports {got}, expected {expect}")
    counts = [p[UDP].dport for p in rdpcap(os.path.join(d, "out1.pcap"))]
    r.check(all(counts.count(p) == PER_PORT for p in expect), f"{tag}: all {PER_PORT} of each")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"], f"{tag}: conserved {c}")
    if with_module:
        r.check(c is not None and c["absorbed"] == PER_PORT, f"{tag}: {PER_PORT} absorbed")
        m = re.search(r"verdict-calls 1=(\d+) 2=(\d+) 3=(\d+) 4=(\d+)", out)
        calls = tuple(int(x) for x in m.groups()) if m else None
        # ctx1: ports 1001, 1006; ctx2: 1002, 1007; ctx3: 1003, 1004; ctx4: 1005
        want = (2 * PER_PORT, 2 * PER_PORT, 2 * PER_PORT, PER_PORT)
        r.check(calls == want, f"{tag}: classifyFn once per matching packet: {calls} == {want}")


def main():
    r = wt.Results("callout")
    # loaded: 1002 PERMIT, 1004 continue->permit, 1007 PERMIT
    run(r, True, [1002, 1004, 1007])
    # absent: terminating/unknown block unless permit-if-unregistered (1006, 1007);
    # inspection skipped (1004 -> lower permit)
    run(r, False, [1004, 1006, 1007])
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
