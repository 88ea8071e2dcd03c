#!/usr/bin/python3
"""Soak: traffic replays without end (pcap infinite_rx -> net_null) while the
policy changes 100 times a second (filter add/delete through the management
API) and is reloaded with SIGHUP; afterwards packets are conserved exactly:
received = transmitted + blocked + dropped + absorbed."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402

POLICY_A = """filter web layer inbound-transport-v4 action permit match ip.proto == tcp, l4.dst-port == 80
filter telnet layer inbound-transport-v4 action block match ip.proto == tcp, l4.dst-port == 23
"""
POLICY_B = """filter telnet layer inbound-transport-v4 action block match ip.proto == tcp, l4.dst-port == 23
filter dns layer inbound-transport-v4 action block match ip.proto == udp, l4.dst-port == 53
"""
SECONDS = float(os.environ.get("WEIR_SOAK_SECONDS", "4"))


def main():
    r = wt.Results("soak")
    d = wt.tmpdir("soak")
    subprocess.run(["/usr/bin/python3", os.path.join(wt.SRC, "scripts", "gen-sample-pcap.py"),
                    os.path.join(d, "in.pcap")], check=True)
    pol = os.path.join(d, "p.conf")
    with open(pol, "w") as f:
        f.write(POLICY_A)
    cmd = [wt.WEIR] + wt.eal("soak") + [
        "--vdev", f"net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/out0.pcap,infinite_rx=1",
        "--vdev", "net_null0,no-rx=1",
        "--", "--policy", pol, "--churn", "100", "--stats-period", "1"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    reloads = 0
    while time.time() - t0 < SECONDS and p.poll() is None:
        time.sleep(0.5)
        with open(pol, "w") as f:
            f.write(POLICY_B if reloads % 2 == 0 else POLICY_A)
        p.send_signal(signal.SIGHUP)
        reloads += 1
    out, err = wt.interrupt(p)
    r.check(p.returncode == 0, f"weir exits 0 on SIGINT (rc {p.returncode}) {err.strip()[-300:]}")
    m = re.search(r"(\d+) policy updates under traffic", out)
    n_upd = int(m.group(1)) if m else 0
    r.check(n_upd >= 50 * SECONDS, f"{n_upd} filter add/delete updates in {SECONDS:.0f} s")
    n_rel = out.count("weir: reloaded")
    r.check(n_rel >= reloads - 1, f"{n_rel} of {reloads} SIGHUP reloads applied")
    r.check("churn add" not in err and "churn delete" not in err, "every update succeeded")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"], f"packets conserved exactly: {c}")
    r.check(c is not None and c["rx"] > 10000, f"traffic flowed ({c['rx'] if c else 0} packets)")
    r.check(c is not None and c["blocked"] > 0, "the policy blocked some of it")
    r.check("Rx-pps:" in out and "Tx-pps:" in out, "periodic statistics printed")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
