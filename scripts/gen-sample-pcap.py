#!/usr/bin/python3
"""Write the sample capture `make run` replays: TCP, UDP and ICMP over IPv4 and
IPv6, deterministic, with some packets config/weir.conf blocks.

usage: gen-sample-pcap.py OUT.pcap [EMPTY.pcap]
"""
import logging
import random
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, ICMP, IP, IPv6, ICMPv6EchoRequest, TCP, UDP, Raw, wrpcap  # noqa: E402

A, B = "02:00:00:00:00:01", "02:00:00:00:00:02"


def packets(seed=7, n=300):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        k = i % 10
        cli4, srv4 = f"192.0.2.{1 + i % 200}", f"10.0.{i % 4}.{1 + i % 50}"
        cli6, srv6 = f"2001:db8:1::{1 + i % 500:x}", f"2001:db8:2::{1 + i % 40:x}"
        pay = Raw(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 64))))
        if k == 0:  # telnet: blocked
            p = IP(src=cli4, dst=srv4) / TCP(sport=40000 + i, dport=23, flags="S")
        elif k == 1:  # web
            p = IP(src=cli4, dst=srv4) / TCP(sport=40000 + i, dport=80, flags="PA") / pay
        elif k == 2:  # dns
            p = IP(src=cli4, dst=srv4) / UDP(sport=50000 + i, dport=53) / pay
        elif k == 3:  # ping
            p = IP(src=cli4, dst=srv4) / ICMP(type=8, id=i, seq=i) / pay
        elif k == 4:  # bogon source: blocked
            p = IP(src=f"127.0.0.{1 + i % 200}", dst=srv4) / UDP(sport=9999, dport=53)
        elif k == 5:  # web over IPv6
            p = IPv6(src=cli6, dst=srv6) / TCP(sport=40000 + i, dport=443, flags="S")
        elif k == 6:  # telnet over IPv6: blocked
            p = IPv6(src=cli6, dst=srv6) / TCP(sport=40000 + i, dport=23, flags="S")
        elif k == 7:  # ping over IPv6
            p = IPv6(src=cli6, dst=srv6) / ICMPv6EchoRequest(id=i, seq=i)
        elif k == 8:  # documentation prefix source: blocked
            p = IPv6(src=f"2001:db8:dead::{1 + i:x}", dst=srv6) / UDP(sport=1, dport=2)
        else:  # discard port: blocked
            p = IP(src=cli4, dst=srv4) / UDP(sport=40000 + i, dport=9) / pay
        out.append(Ether(src=A, dst=B) / p)
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    wrpcap(sys.argv[1], packets())
    if len(sys.argv) > 2:
        wrpcap(sys.argv[2], [], linktype=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
