#!/usr/bin/python3
"""virtio-user <-> vhost: weir on net_vhost (plus a net_null sink as its
pair), dpdk-testpmd in txonly mode on net_virtio_user in a second process.
weir must receive what testpmd sent and conserve every packet."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402

POLICY = "filter udp9 layer inbound-transport-v4 action block match ip.proto == udp, l4.dst-port == 9\n"


def main():
    r = wt.Results("vhost")
    testpmd = shutil.which("dpdk-testpmd")
    if not testpmd:
        print("vhost: dpdk-testpmd not installed; skipping")
        return 77
    d = wt.tmpdir("vhost")
    sock = os.path.join(d, "vhost.sock")
    pol = os.path.join(d, "p.conf")
    with open(pol, "w") as f:
        f.write(POLICY)
    weir = subprocess.Popen(
        [wt.WEIR] + wt.eal("vhost-weir") +
        ["--vdev", f"net_vhost0,iface={sock},queues=1", "--vdev", "net_null0,no-rx=1",
         "--", "--policy", pol, "--idle-exit", "8000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    r.check(os.path.exists(sock), "weir's vhost socket exists")
    tp = subprocess.Popen(
        [testpmd, "-l", "0,1", "--no-huge", "-m", "512", "--single-file-segments", "--no-pci",
         "--file-prefix", f"vhost-tp-{os.getpid()}", "--log-level=*:error",
         "--vdev", f"net_virtio_user0,path={sock},queues=1",
         "--", "--forward-mode=txonly", "--auto-start", "--total-num-mbufs=8192",
         "--txpkts=64"],
        # stdin stays open: testpmd stops forwarding at EOF on stdin
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    tout, terr = wt.interrupt(tp, 30)
    wout, werr = wt.interrupt(weir, 30)
    m = re.findall(r"TX-packets:\s+(\d+)", tout)
    sent = int(m[-1]) if m else 0
    r.check(sent > 0, f"testpmd sent {sent} packets over virtio-user")
    got = wt.port_stat(wout, 0, "RX-packets")
    r.check(got == sent, f"weir received them on net_vhost ({got} of {sent})")
    c = wt.conservation(wout)
    r.check(c is not None and c["ok"] and c["rx"] == sent, f"packets conserved: {c}")
    r.check(weir.returncode == 0, f"weir exits 0 (rc {weir.returncode}) {werr.strip()[-200:]}")
    r.check(not os.path.exists(sock), "ports closed at exit: the vhost socket is gone")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
