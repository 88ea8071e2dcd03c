"""Shared helpers of the integration tests: run the daemon over vdevs and
read what it printed and transmitted."""
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

BUILD = os.environ.get("WEIR_BUILD_ROOT", "build")
SRC = os.environ.get("WEIR_SOURCE_ROOT", ".")
WEIR = os.path.join(BUILD, "app", "weir", "weir")


class Results:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}")
        sys.stdout.flush()
        return ok

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        if self.failed:
            for d in _tmpdirs:
                print(f"kept for inspection: {d}")
        else:
            for d in _tmpdirs:
                shutil.rmtree(d, ignore_errors=True)
        return 1 if self.failed else 0


_tmpdirs = []


def tmpdir(tag):
    """A fresh directory, removed when the test passes (kept when it fails)."""
    d = tempfile.mkdtemp(prefix=f"weir-{tag}-")
    _tmpdirs.append(d)
    return d


def eal(prefix, lcores="0,1", mem=512):
    return ["-l", lcores, "--no-huge", "-m", str(mem), "--no-pci",
            "--file-prefix", f"{prefix}-{os.getpid()}", "--log-level=*:error"]


def run_weir(vdevs, policy, prefix, extra=(), timeout=120, mem=512):
    cmd = [WEIR] + eal(prefix, mem=mem)
    for v in vdevs:
        cmd += ["--vdev", v]
    cmd += ["--", "--policy", policy] + list(extra)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def flowmod_policy(mod):
    """A policy for the flowmod test module mod: inspection callouts at
    ale-flow-established-v4 (every flow) and datagram-data-v4 (UDP)."""
    return f"""callout ale key 5eed0002-1111-4222-8333-444455556601 layer ale-flow-established-v4
callout dg key 5eed0003-1111-4222-8333-444455556602 layer datagram-data-v4
module "{mod}"
filter a layer ale-flow-established-v4 action callout-inspection ale
filter d layer datagram-data-v4 action callout-inspection dg match ip.proto == udp
"""


def pcap_pair(d, rx="in.pcap", tx0="out0.pcap", tx1="out1.pcap"):
    """vdevs of two pcap ports in d: port 0 replays rx, port 1 reads empty.pcap;
    each writes what it transmits to its tx file."""
    return [f"net_pcap0,rx_pcap={d}/{rx},tx_pcap={d}/{tx0}",
            f"net_pcap1,rx_pcap={d}/empty.pcap,tx_pcap={d}/{tx1}"]


def interrupt(p, timeout=60):
    """SIGINT a running process and collect (stdout, stderr); kill it if it
    does not exit within timeout seconds."""
    p.send_signal(signal.SIGINT)
    try:
        return p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.communicate()


def conservation(out):
    m = re.search(r"conservation: rx (\d+) = tx (\d+) \+ blocked (\d+) \+ dropped (\d+)"
                  r" \+ absorbed (\d+): (\w+)", out)
    if not m:
        return None
    rx, tx, bl, dr, ab = map(int, m.groups()[:5])
    return {"rx": rx, "tx": tx, "blocked": bl, "dropped": dr, "absorbed": ab,
            "ok": m.group(6) == "ok" and rx == tx + bl + dr + ab}


def port_stat(out, port, key):
    blocks = out.split("NIC statistics for port ")
    for b in blocks[1:]:
        if b.startswith(f"{port} "):
            m = re.search(key + r":\s+(\d+)", b)
            return int(m.group(1)) if m else None
    return None
