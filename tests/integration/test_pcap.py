#!/usr/bin/python3
"""pcap ports end to end: in.pcap -> weir -> out.pcap, compared packet by
packet, in order, with what the policy permits; malformed frames are dropped
with a counted reason and packets are conserved."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402
from scapy.all import (Ether, Dot1Q, IP, IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,  # noqa: E402
                       TCP, UDP, ICMP, ICMPv6EchoRequest, Raw, rdpcap, wrpcap)

A, B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"

POLICY = """
sublayer edge weight 100
filter telnet  layer inbound-transport-v4 sublayer edge action block \\
       match ip.proto == tcp, l4.dst-port == 23
filter v6-telnet layer inbound-transport-v6 sublayer edge action block \\
       match ip.proto == tcp, l4.dst-port == 23
filter lan-only layer inbound-ippacket-v4 action block match ip.src in 198.51.100.0/24
filter vlan7 layer inbound-mac-frame action block match vlan.id == 7
filter syn-only layer inbound-transport-v4 action block \\
       match ip.proto == tcp, l4.dst-port == 8080, tcp.flags flags-none syn
filter echo layer datagram-data-v4 action block match ip.proto == icmp, icmp.type == 13
filter v6-range layer inbound-transport-v6 action block \\
       match ip.proto == udp, l4.dst-port in 6000-6010
default outbound-mac-frame permit
"""


def cases():
    """(frame, permitted?) in capture order."""
    e = Ether(src=A, dst=B)
    c = []
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=80), True))
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=23), False))
    c.append((e / IP(src="198.51.100.9", dst="10.0.0.2") / UDP(dport=53), False))
    c.append((e / IP(src="10.0.0.3", dst="10.0.0.2", options=b"\x01\x01\x01\x00") /
              TCP(dport=23), False))
    c.append((e / Dot1Q(vlan=7) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(dport=1), False))
    c.append((e / Dot1Q(vlan=8) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=23), False))
    c.append((e / Dot1Q(vlan=8) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=22), True))
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=8080, flags="S"), True))
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=8080, flags="A"), False))
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(type=8), True))
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(type=13), False))
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(dport=23), False))
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(dport=443), True))
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrHopByHop() /
              TCP(dport=23), False))
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(dport=6005), False))
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(dport=6011), True))
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(), True))
    # a non-first fragment has no transport header: the port filter cannot see it
    c.append((e / IPv6(src="2001:db8::1", dst="2001:db8::2") /
              IPv6ExtHdrFragment(offset=100, nh=6) / Raw(b"x" * 16), True))
    c.append((e / IP(src="10.0.0.1", dst="10.0.0.2", flags=0, frag=50, proto=6) /
              Raw(b"y" * 16), True))
    # not IP: mac-frame layers only
    c.append((Ether(src=A, dst=B, type=0x0806) / Raw(b"\x00" * 28), True))
    return c


def malformed():
    """Frames the parser must drop with a reason."""
    good = bytes(Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=80))
    bad = [good[:10],                     # truncated Ethernet
           good[:14 + 12],                # truncated IPv4 header
           good[:14 + 20 + 8],            # truncated TCP header (total length says more)
           good[:14] + bytes([0x45 & 0x0f | 0x70]) + good[15:],  # IP version 7
           good[:14] + bytes([0x41]) + good[15:],                # IHL 4 (< 20 bytes)
           bytes(Ether(src=A, dst=B) / IPv6(src="::1", dst="::2", nh=0) / Raw(b"\x06"))]
    return [Raw(b) for b in bad]


def main():
    r = wt.Results("pcap")
    d = wt.tmpdir("pcap")
    cs = cases()
    bad = malformed()
    frames = [f for f, _ in cs] + bad
    wrpcap(os.path.join(d, "in.pcap"), frames, linktype=1)
    wrpcap(os.path.join(d, "empty.pcap"), [], linktype=1)
    with open(os.path.join(d, "p.conf"), "w") as f:
        f.write(POLICY)
    rc, out, err = wt.run_weir(
        wt.pcap_pair(d),
        os.path.join(d, "p.conf"), "pcap", ["--idle-exit", "400"])
    r.check(rc == 0, f"weir exits 0 (rc {rc}{': ' + err.strip()[-300:] if rc else ''})")
    got = [bytes(p) for p in rdpcap(os.path.join(d, "out1.pcap"))]
    want = [bytes(f) for f, ok in cs if ok]
    r.check(got == want, f"port 1 carries exactly the permitted frames, in order "
            f"({len(got)} of {len(want)})")
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                print(f"  first difference at {i}: got {Ether(g).summary()} "
                      f"want {Ether(w).summary()}")
                break
    r.check(len(rdpcap(os.path.join(d, "out0.pcap"))) == 0, "nothing goes back out port 0")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"], f"packets conserved: {c}")
    if c:
        r.check(c["rx"] == len(frames), f"every frame received ({c['rx']} of {len(frames)})")
        r.check(c["dropped"] == len(bad), f"malformed frames dropped with a reason "
                f"({c['dropped']} of {len(bad)})")
        r.check(c["blocked"] == sum(1 for _, ok in cs if not ok), "blocked count")
    r.check(all(x in out for x in ("truncated-l2", "truncated-l3", "bad-ip-version",
                                   "bad-ip-header", "bad-ip-length")), "drop reasons named")
    r.check(wt.port_stat(out, 0, "RX-packets") == len(frames), "testpmd-style RX-packets")

    # no filter at all: nothing reads the headers, every frame passes unread
    with open(os.path.join(d, "none.conf"), "w") as f:
        f.write("# no filters\n")
    rc, out, err = wt.run_weir(
        wt.pcap_pair(d, tx0="e0.pcap", tx1="e1.pcap"),
        os.path.join(d, "none.conf"), "pcap-empty", ["--idle-exit", "400"])
    r.check(rc == 0, f"empty policy: weir exits 0 (rc {rc})")
    got = [bytes(p) for p in rdpcap(os.path.join(d, "e1.pcap"))]
    r.check(got == [bytes(f) for f in frames],
            f"empty policy: every frame passes unread, malformed ones too ({len(got)} of "
            f"{len(frames)})")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"] and c["dropped"] == 0 and c["tx"] == len(frames),
            f"empty policy: conserved, nothing dropped: {c}")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
