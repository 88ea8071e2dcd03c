#!/usr/bin/python3
"""A callout module loaded and unloaded 100 times by SIGHUP reloads while
traffic flows: every reload succeeds, no packet is lost (exact
conservation), and the module's callout is called while it is loaded. Run
under `make asan` this also shows that nothing leaks or is used after
dlclose."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402

RELOADS = int(os.environ.get("WEIR_MODULE_RELOADS", "100"))


def main():
    r = wt.Results("module-reload")
    d = wt.tmpdir("modreload")
    mod = os.path.abspath(os.path.join(wt.BUILD, "callouts", "count", "count.so"))
    subprocess.run(["/usr/bin/python3", os.path.join(wt.SRC, "scripts", "gen-sample-pcap.py"),
                    os.path.join(d, "in.pcap")], check=True)
    base = ("callout count key ce02b058-b7d0-4837-9d2e-482401d2a90e layer inbound-transport-v4\n"
            "filter c layer inbound-transport-v4 action callout-inspection count "
            "match ip.proto == tcp\n"
            "filter t layer inbound-transport-v4 action block match ip.proto == tcp, "
            "l4.dst-port == 23\n")
    with_mod = base + f'module "{mod}" args "quiet"\n'
    pol = os.path.join(d, "p.conf")
    with open(pol, "w") as f:
        f.write(with_mod)
    cmd = [wt.WEIR] + wt.eal("modreload") + [
        "--vdev", f"net_pcap0,rx_pcap={d}/in.pcap,infinite_rx=1",
        "--vdev", "net_null0,no-rx=1", "--", "--policy", pol]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    for i in range(RELOADS):
        with open(pol, "w") as f:
            f.write(base if i % 2 == 0 else with_mod)
        p.send_signal(signal.SIGHUP)
        time.sleep(0.03)
    time.sleep(0.3)
    out, err = wt.interrupt(p)
    r.check(p.returncode == 0, f"weir exits 0 (rc {p.returncode}) {err.strip()[-300:]}")
    ok = out.count("weir: reloaded")
    failed = out.count("reload failed")
    # SIGHUPs that arrive while one reload runs coalesce into one
    r.check(failed == 0 and ok >= RELOADS // 2, f"{ok} reloads applied, {failed} failed "
            f"({RELOADS} signals)")
    loads = len(re.findall(r"count: \d+ packets", out))
    r.check(loads >= ok // 2, f"the module was unloaded {loads} times and printed its counts")
    counted = sum(int(x) for x in re.findall(r"count: (\d+) packets", out))
    r.check(counted > 0, f"its classifyFn ran while loaded ({counted} packets)")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"] and c["rx"] > 0, f"no packet lost: {c}")
    r.check("AddressSanitizer" not in err and "LeakSanitizer" not in err and
            "runtime error" not in err, "sanitizers quiet")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
