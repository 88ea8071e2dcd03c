#!/usr/bin/python3
"""Flows through the data path with a module written only against
<weir/fwpsk.h>: ale-flow-established runs exactly once per flow; contexts
associated there reach a CONDITIONAL_ON_FLOW datagram-data callout (a second
association is OBJECT_NAME_EXISTS); that callout runs only for flows with a
context and gets it; flowDeleteFn runs once per context when the flows end
at shutdown, and the callout's unregister then succeeds."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402
from scapy.all import Ether, IP, UDP, wrpcap  # noqa: E402

MODULE = os.path.join(wt.BUILD, "tests", "integration", "modules", "flowmod.so")
FLOWS, PER_FLOW = 10, 3


def main():
    r = wt.Results("flow")
    d = wt.tmpdir("flow")
    frames = []
    for rep in range(PER_FLOW):
        for f in range(FLOWS):
            frames.append(Ether() / IP(src="10.0.0.1", dst="10.0.0.2") /
                          UDP(sport=2000 + f, dport=5000 + f))
            # the reply direction belongs to the same flow
            if rep == 1:
                frames.append(Ether() / IP(src="10.0.0.2", dst="10.0.0.1") /
                              UDP(sport=5000 + f, dport=2000 + f))
    wrpcap(os.path.join(d, "in.pcap"), frames)
    wrpcap(os.path.join(d, "empty.pcap"), [], linktype=1)
    with open(os.path.join(d, "p.conf"), "w") as fh:
        fh.write(wt.flowmod_policy(os.path.abspath(MODULE)))
    rc, out, err = wt.run_weir(
        wt.pcap_pair(d),
        os.path.join(d, "p.conf"), "flow", ["--idle-exit", "400", "--flows", "4096"])
    r.check(rc == 0, f"weir exits 0 {err.strip()[-300:]}")
    m = re.search(r"flowmod ale=(\d+) assoc=(\d+) exists=(\d+) other=(\d+) dgram=(\d+) "
                  r"mismatch=(\d+) deletes=(\d+) unregister=(\w+),(\w+)", out)
    if not r.check(m is not None, "module reported"):
        print(out[-2000:])
        return r.finish()
    ale, assoc, exists, other, dgram, mism, dels = (int(x) for x in m.groups()[:7])
    even = FLOWS // 2
    r.check(ale == FLOWS, f"ale-flow-established once per flow ({ale} of {FLOWS})")
    r.check(assoc == even and other == 0, f"contexts associated across layers ({assoc})")
    r.check(exists == even, f"second association: OBJECT_NAME_EXISTS ({exists})")
    want = even * (PER_FLOW + 1)  # the reply packet of each flow counts too
    r.check(dgram == want, f"CONDITIONAL_ON_FLOW callout only for flows with a context "
            f"({dgram} calls, expected {want})")
    r.check(mism == 0, "it always got its flow's context")
    r.check(dels == even, f"flowDeleteFn once per context at shutdown ({dels})")
    r.check(m.group(8) == "0x00000000" and m.group(9) == "0x00000000",
            "unregister succeeds after the flows ended")
    r.check("flows established" in out and f" {FLOWS}," in out, "flow counters printed")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"], f"conserved {c}")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
