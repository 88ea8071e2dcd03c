#!/usr/bin/python3
"""ClassBench-derived policies through the daemon over pcap ports: the
forwarded packets are exactly, and in order, those a first-match oracle
permits (acl1, fw1, ipc1 1k sets, several seeds)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import weirtest as wt  # noqa: E402

sys.path.insert(0, os.path.join(wt.SRC, "bench"))
import classbench as cb  # noqa: E402

SETS = ["acl1_1k", "fw1_1k", "ipc1_1k"]
COUNT = int(os.environ.get("WEIR_CLASSBENCH_PACKETS", "8000"))


def data_dir():
    for d in (os.path.join(wt.SRC, "..", "shared", "data", "classbench"),
              os.environ.get("WEIR_CLASSBENCH_DIR", "")):
        if d and os.path.isdir(d):
            return d
    return None


def main():
    r = wt.Results("classbench")
    dd = data_dir()
    if dd is None:
        print("classbench: ../shared/data/classbench not found; skipping")
        return 77
    for k, name in enumerate(SETS):
        d = wt.tmpdir("cb")
        rules = cb.parse_rules(os.path.join(dd, name))
        acts = cb.actions(rules, seed=100 + k)
        default = "block" if k % 2 == 0 else "permit"
        with open(os.path.join(d, "p.conf"), "w") as f:
            f.write(cb.to_policy(rules, acts, default))
        trace = cb.read_trace(os.path.join(dd, name + ".trace"), COUNT)
        frames = [cb.frame(t, i) for i, t in enumerate(trace)]
        cb.write_pcap(os.path.join(d, "in.pcap"), frames)
        cb.write_pcap(os.path.join(d, "empty.pcap"), [])
        rc, out, err = wt.run_weir(
            [f"net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/out0.pcap",
             f"net_pcap1,rx_pcap={d}/empty.pcap,tx_pcap={d}/out1.pcap"],
            os.path.join(d, "p.conf"), "cb", ["--idle-exit", "500"], timeout=600)
        if not r.check(rc == 0, f"{name}: weir exits 0 ({err.strip()[-200:] if rc else ''})"):
            continue
        want = [fr for t, fr in zip(trace, frames) if cb.oracle(rules, acts, default, t) == "permit"]
        got = cb.read_pcap(os.path.join(d, "out1.pcap"))
        same = got == want
        r.check(same, f"{name}: {len(rules)} rules, {len(trace)} packets: forwarded "
                f"{len(got)}, oracle permits {len(want)}, identical and in order: {same}")
        c = wt.conservation(out)
        r.check(c is not None and c["ok"] and c["rx"] == len(trace), f"{name}: conserved {c}")
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
