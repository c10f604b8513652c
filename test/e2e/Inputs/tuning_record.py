"""Tuning records for the e2e tests, from `lathe inspect --kernels --json`.

    tuning_record.py record KERNELS.json KERNEL CONFIG OUT.jsonl
        writes an Ok tuning record (JSON lines, docs/tuning-database.md)
        for kernel KERNEL of the report: its workload key, the report's
        tuning_target and the #sched.config text CONFIG; and the same
        record for the target "e2e-test" (for lathe-opt, whose tests cannot
        name the host's key).
    tuning_record.py tuned KERNELS.json
        prints "<kernel> tuned|default" for each kernel of the report.
"""

import json
import sys


def main(argv):
    if len(argv) == 6 and argv[1] == "record":
        report = json.load(open(argv[2]))
        kernel = next(k for k in report["kernels"] if k["name"] == argv[3])
        record = {"compiler_version": "test", "config": argv[4],
                  "features_version": 1, "max_us": 12.0, "median_us": 10.0,
                  "min_us": 9.0, "note": "", "repeats": 5, "status": "ok",
                  "target": report["tuning_target"], "unix_time": 1700000000,
                  "workload_key": kernel["workload"]}
        with open(argv[5], "w") as out:
            out.write(json.dumps(record, sort_keys=True) + "\n")
            record["target"] = "e2e-test"
            out.write(json.dumps(record, sort_keys=True) + "\n")
        return 0
    if len(argv) == 3 and argv[1] == "tuned":
        report = json.load(open(argv[2]))
        for k in report["kernels"]:
            print(k["name"], "tuned" if k["tuned"] else "default")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
