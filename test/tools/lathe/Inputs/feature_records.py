"""Tuning records with cost-model features, for `lathe db train` tests.

    feature_records.py unusable OUT.jsonl
        writes records `lathe db train` cannot learn from: a crashed trial,
        an Ok one without features and an Ok one with features of another
        version (0).
    feature_records.py synthetic (--features N | --count-from FILE)
                       [--version V] [--workloads W] [--schedules S]
                       [--seed SEED] OUT.jsonl
        writes W workloads of S schedules each on the target
        "x86_64-test/a/256", workload w0 again on "x86_64-test/b/256", and one
        workload with a single record ("single"), as JSON lines
        (docs/tuning-database.md). Every feature vector is N uniform random
        values in [0, 1); the median latency of a schedule is its workload's
        base latency * exp(2 * f[3] - f[5]) with 2% noise, so faster schedules
        are those with a small feature 3 and a large feature 5, on every
        workload: a ranker can learn that and rank held-out workloads.
        --count-from reads N and V from the error `lathe db train` prints for
        a database without usable records ("... features of version V (N
        values) ..."), so the vectors always have the length this Lathe's
        KernelFeatures has.
"""

import argparse
import json
import math
import random
import re
import sys


def record(workload, target, median, features=None, version=1,
           status="ok", note=""):
    r = {"compiler_version": "test", "config": "#sched.config<>",
         "features_version": version, "max_us": median * 1.1,
         "median_us": median, "min_us": median * 0.9, "note": note,
         "repeats": 5, "status": status, "target": target,
         "unix_time": 1700000000, "workload_key": workload}
    if status != "ok":
        r.update(max_us=0, median_us=0, min_us=0, repeats=0)
    if features is not None:
        r["features"] = features
    return r


def write(path, records):
    with open(path, "w") as out:
        for r in records:
            out.write(json.dumps(r, sort_keys=True) + "\n")


def unusable(args):
    target = "x86_64-test/a/256"
    write(args.out, [
        record("crashed", target, 0, status="crash", note="spilled"),
        record("nofeatures", target, 10.0),
        record("oldversion", target, 10.0, features=[1.0, 2.0, 3.0],
               version=0),
    ])
    return 0


def synthetic(args):
    version, count = args.version, args.features
    if args.count_from:
        text = open(args.count_from).read()
        m = re.search(r"features of version (\d+) \((\d+) values\)", text)
        if not m:
            print(f"{args.count_from}: no 'features of version V (N values)'",
                  file=sys.stderr)
            return 1
        version, count = int(m.group(1)), int(m.group(2))
    if not count or count < 6:
        print("need --features N (at least 6) or --count-from", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    records = []

    def workload(key, target, base):
        for _ in range(args.schedules):
            f = [round(rng.random(), 4) for _ in range(count)]
            median = base * math.exp(2 * f[3] - f[5]) * rng.uniform(0.98, 1.02)
            records.append(record(key, target, round(median, 3), f, version))

    for w in range(args.workloads):
        workload(f"w{w}", "x86_64-test/a/256", 10.0 * (w + 1))
    workload("w0", "x86_64-test/b/256", 7.0)
    records.append(record("single", "x86_64-test/a/256", 5.0,
                          [0.5] * count, version))
    write(args.out, records)
    return 0


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("unusable", "synthetic"))
    p.add_argument("out")
    p.add_argument("--features", type=int, help="length of the vectors")
    p.add_argument("--version", type=int, default=1,
                   help="features_version (default 1)")
    p.add_argument("--count-from", help="a file holding lathe db train's "
                   "'no records with features of version V (N values)' error")
    p.add_argument("--workloads", type=int, default=12)
    p.add_argument("--schedules", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    return unusable(args) if args.mode == "unusable" else synthetic(args)


if __name__ == "__main__":
    sys.exit(main())
