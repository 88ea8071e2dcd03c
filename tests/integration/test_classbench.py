#!/usr/bin/python3
"""ClassBench-derived policies through the daemon over pcap ports: the
forwarded packets are exactly, and in order, those a first-match oracle
permits (acl1, fw1, ipc1 1k sets, several seeds), plus a rule set generated
here at random in ClassBench's format (wildcards, prefixes, port ranges, TCP,
UDP, ICMP, SCTP, GRE), so a set no one has seen before is checked too."""
import os
import random
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


PROTOS = [6, 17, 1, 132, 47]


def synthetic(d, seed, n_rules=300, n_packets=3000):
    """Write a random rule file and trace in ClassBench's formats; return their paths.
    Half the packets are drawn inside a random rule, so most rules get hits."""
    rnd = random.Random(seed)

    def addr_in(v, ln):
        return v | (rnd.getrandbits(32) & ((1 << (32 - ln)) - 1) if ln < 32 else 0)

    def rng():
        k = rnd.random()
        if k < 0.4:
            return 0, 65535
        if k < 0.7:
            p = rnd.randrange(65536)
            return p, p
        lo = rnd.randrange(65536)
        return lo, min(65535, lo + rnd.randrange(2000))

    rules = []
    with open(os.path.join(d, "rules"), "w") as f:
        for _ in range(n_rules):
            # mostly specific rules, a few wildcards: an early catch-all would
            # decide nearly everything and test little
            sl = 0 if rnd.random() < 0.15 else rnd.choice([8, 16, 24, 28, 32])
            dl = 0 if rnd.random() < 0.15 else rnd.choice([8, 16, 24, 32])
            src = addr_in(0, 0) & cb.prefix(f"0.0.0.0/{sl}")[2] if sl else 0
            dst = addr_in(0, 0) & cb.prefix(f"0.0.0.0/{dl}")[2] if dl else 0
            sp, dp = rng(), rng()
            proto, mask = (rnd.choice(PROTOS), 0xff) if rnd.random() < 0.85 else (0, 0)
            rules.append((src, sl, dst, dl, sp, dp, proto, mask))
            f.write(f"@{cb.ip_str(src)}/{sl}\t{cb.ip_str(dst)}/{dl}\t{sp[0]} : {sp[1]}\t"
                    f"{dp[0]} : {dp[1]}\t0x{proto:02X}/0x{mask:02X}\t0x0000/0x0000\t\n")
    with open(os.path.join(d, "rules.trace"), "w") as f:
        for _ in range(n_packets):
            if rnd.random() < 0.5:
                src, sl, dst, dl, sp, dp, proto, mask = rnd.choice(rules)
                pkt = (addr_in(src, sl), addr_in(dst, dl), rnd.randint(*sp), rnd.randint(*dp),
                       proto if mask else rnd.choice(PROTOS))
            else:
                pkt = (rnd.getrandbits(32), rnd.getrandbits(32), rnd.randrange(65536),
                       rnd.randrange(65536), rnd.choice(PROTOS))
            f.write("\t".join(str(x) for x in pkt) + "\t0\n")
    return os.path.join(d, "rules"), os.path.join(d, "rules.trace")


def run_set(r, name, rules_path, trace_path, seed, default, count):
    d = wt.tmpdir("cb")
    rules = cb.parse_rules(rules_path)
    acts = cb.actions(rules, seed=seed)
    with open(os.path.join(d, "p.conf"), "w") as f:
        f.write(cb.to_policy(rules, acts, default))
    trace = cb.read_trace(trace_path, count)
    frames = [cb.frame(t, i) for i, t in enumerate(trace)]
    cb.write_pcap(os.path.join(d, "in.pcap"), frames)
    cb.write_pcap(os.path.join(d, "empty.pcap"), [])
    rc, out, err = wt.run_weir(
        wt.pcap_pair(d),
        os.path.join(d, "p.conf"), "cb", ["--idle-exit", "500"], timeout=600)
    if not r.check(rc == 0, f"{name}: weir exits 0 ({err.strip()[-200:] if rc else ''})"):
        return
    verdicts = [cb.oracle(rules, acts, default, t) for t in trace]
    deciding = {next((i for i, ru in enumerate(rules) if cb.matches(ru, t)), -1) for t in trace}
    want = [fr for v, fr in zip(verdicts, frames) if v == "permit"]
    got = cb.read_pcap(os.path.join(d, "out1.pcap"))
    same = got == want
    r.check(same, f"{name}: {len(rules)} rules, {len(trace)} packets: forwarded "
            f"{len(got)}, oracle permits {len(want)} ({len(deciding)} distinct rules decide), "
            f"identical and in order: {same}")
    r.check(0 < len(want) < len(trace), f"{name}: the oracle both permits and blocks")
    c = wt.conservation(out)
    r.check(c is not None and c["ok"] and c["rx"] == len(trace) and c["dropped"] == 0,
            f"{name}: conserved, nothing malformed {c}")


def main():
    r = wt.Results("classbench")
    d = wt.tmpdir("cb-gen")
    rules_path, trace_path = synthetic(d, seed=int(os.environ.get("WEIR_CLASSBENCH_SEED", "7")))
    run_set(r, "generated", rules_path, trace_path, 99, "permit", None)
    dd = data_dir()
    if dd is None:
        print("classbench: ../shared/data/classbench not found; only the generated set ran")
        return r.finish()
    for k, name in enumerate(SETS):
        run_set(r, name, os.path.join(dd, name), os.path.join(dd, name + ".trace"), 100 + k,
                "block" if k % 2 == 0 else "permit", COUNT)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
