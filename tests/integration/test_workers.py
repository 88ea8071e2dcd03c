#!/usr/bin/python3
"""Two worker lcores over ports with a single TX queue each (pcap): the
workers share those queues safely (a worker used its own index as the TX
queue id and crashed the pcap PMD before), traffic flows both ways, and
packets are conserved."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402
from scapy.all import Ether, IP, TCP, UDP, rdpcap, wrpcap  # noqa: E402


def main():
    r = wt.Results("workers")
    d = wt.tmpdir("workers")
    frames = [Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=23 if i % 4 == 0 else 80)
              for i in range(100)]
    frames += [Ether() / IP(src="10.0.0.3", dst="10.0.0.4") / UDP(dport=53) for _ in range(50)]
    wrpcap(os.path.join(d, "a.pcap"), frames)
    wrpcap(os.path.join(d, "b.pcap"), frames[::-1])
    with open(os.path.join(d, "p.conf"), "w") as f:
        f.write("filter t layer inbound-transport-v4 action block "
                "match ip.proto == tcp, l4.dst-port == 23\n")
    cmd_eal = ["--lcores", "0@0,1@1,2@1", "--no-huge", "-m", "512", "--no-pci",
               "--file-prefix", f"workers-{os.getpid()}", "--log-level=*:error"]
    import subprocess
    p = subprocess.run([wt.WEIR] + cmd_eal +
                       ["--vdev", f"net_pcap0,rx_pcap={d}/a.pcap,tx_pcap={d}/out0.pcap",
                        "--vdev", f"net_pcap1,rx_pcap={d}/b.pcap,tx_pcap={d}/out1.pcap",
                        "--", "--policy", os.path.join(d, "p.conf"), "--idle-exit", "400"],
                       capture_output=True, text=True, timeout=120)
    r.check(p.returncode == 0, f"weir with 2 workers exits 0 (rc {p.returncode}) "
            f"{p.stderr.strip()[-200:]}")
    r.check("running on 2 worker lcore(s)" in p.stdout, "two workers started")
    # both ports of the pair are polled by one worker, so it alone sends on
    # their single TX queues: no queue is shared, no lock is taken
    r.check(p.stdout.count("1 TX queue(s), 0 shared under a lock") == 2,
            "pcap TX queues have one writer each (no lock)")
    c = wt.conservation(p.stdout)
    r.check(c is not None and c["ok"] and c["rx"] == 2 * len(frames), f"conserved {c}")
    for port, out in ((0, "out1.pcap"), (1, "out0.pcap")):
        n = len(rdpcap(os.path.join(d, out))) if os.path.exists(os.path.join(d, out)) else -1
        r.check(n == len(frames) - 25, f"port {port}'s permitted traffic left on its pair ({n})")
    # both directions of a flow, arriving on the two ports of a pair, meet in
    # one worker's flow table: ale-flow-established runs once per flow
    mod = os.path.abspath(os.path.join(wt.BUILD, "tests", "integration", "modules", "flowmod.so"))
    fw = [Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=2000 + f, dport=5000 + f)
          for f in range(20)]
    bw = [Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=5000 + f, dport=2000 + f)
          for f in range(20)]
    wrpcap(os.path.join(d, "fa.pcap"), fw)
    wrpcap(os.path.join(d, "fb.pcap"), bw)
    with open(os.path.join(d, "f.conf"), "w") as f:
        f.write(wt.flowmod_policy(mod))
    p = subprocess.run([wt.WEIR] + cmd_eal[:-3] + ["--file-prefix", f"workers-f-{os.getpid()}",
                                                  "--log-level=*:error"] +
                       ["--vdev", f"net_pcap0,rx_pcap={d}/fa.pcap,tx_pcap={d}/fo0.pcap",
                        "--vdev", f"net_pcap1,rx_pcap={d}/fb.pcap,tx_pcap={d}/fo1.pcap",
                        "--", "--policy", os.path.join(d, "f.conf"), "--idle-exit", "400",
                        "--flows", "4096"],
                       capture_output=True, text=True, timeout=120)
    import re
    m = re.search(r"flowmod ale=(\d+)", p.stdout)
    r.check(p.returncode == 0 and m is not None and int(m.group(1)) == 20,
            f"two directions on two ports, two workers: one flow each "
            f"(ale-flow-established {m and m.group(1)} times for 20 flows)")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
