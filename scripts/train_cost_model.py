#!/usr/bin/env python3
"""Make the pretrained cost model Lathe ships (cost_model/pretrained).

    .venv/bin/python scripts/train_cost_model.py                 # the shipped model
    .venv/bin/python scripts/train_cost_model.py --models small_cnn --time 15s \\
        --db /tmp/cm/tuning.db --out /tmp/cm/xgboost-x86_64.json   # a smoke run

Run it on a quiet machine of the class the model is for (nothing else
running: the timings are the training labels). It takes about --time per
model plus compile time.

  1. Tunes each model into a fresh tuning database (--db; it must not exist,
     unless --resume continues an interrupted run in it) with the analytical
     cost model, so that no earlier model steers the search:
         lathe tune MODEL --db DB --time T --cost-model analytical --quiet
     Every measured trial records its feature vector (TuningRecord::features).
     The default models are MobileNetV2 and BERT-base, as
     bench/models/export.py writes them to bench/build/models (make them
     with `python bench/models/export.py --models mobilenet_v2,bert_base`),
     and the small CNN of examples/models/make_small_cnn.py, written next to
     the database. ResNet-50 is refused: it is the model the tuner is
     evaluated on, so it must not be in the training data.
  2. Trains the model on the database, whole workloads held out for the
     accuracy, and saves the model trained on all of them to --out:
         lathe db train --db DB -o OUT --holdout 0.2 --seed 0
  3. Exports the records, gzipped JSON lines, next to the model
     (records.jsonl.gz), so the training data ships with it.
  4. Writes README.md next to the model: what it is, its feature version,
     the machine it was trained on (lscpu, the records' target keys), the
     commands that made it and the accuracy of step 2.
"""

import argparse
import datetime
import gzip
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = ("mobilenet_v2", "bert_base", "small_cnn")
# The tuner's evaluation model: never training data.
EVALUATION_MODELS = ("resnet50",)
PRETRAINED = os.path.join(ROOT, "cost_model", "pretrained")


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(DEFAULT_MODELS),
                   help="comma-separated models to tune: small_cnn (made by "
                        "examples/models/make_small_cnn.py), a name of "
                        "<model-dir>/<name>.onnx, or a path to an .onnx file "
                        f"(default {','.join(DEFAULT_MODELS)})")
    p.add_argument("--model-dir", default=os.path.join(ROOT, "bench", "build", "models"),
                   help="where bench/models/export.py wrote the models "
                        "(default bench/build/models)")
    p.add_argument("--time", default="1h",
                   help="lathe tune --time for each model (default 1h)")
    p.add_argument("--threads", type=int, default=1,
                   help="lathe tune --threads (default 1)")
    p.add_argument("--db", default=os.path.join(ROOT, "build", "cost-model", "tuning.db"),
                   help="the tuning database to fill; must not exist unless "
                        "--resume (default build/cost-model/tuning.db)")
    p.add_argument("--resume", action="store_true",
                   help="add to an existing --db (an interrupted run): lathe "
                        "tune reuses the workloads that have records")
    p.add_argument("--lathe", default=os.path.join(ROOT, "build", "bin", "lathe"),
                   help="the lathe binary (default build/bin/lathe)")
    p.add_argument("--out", default=os.path.join(PRETRAINED, "xgboost-x86_64.json"),
                   help="the model to write; records.jsonl.gz and README.md go "
                        "beside it (default cost_model/pretrained/xgboost-x86_64.json)")
    p.add_argument("--holdout", type=float, default=0.2,
                   help="lathe db train --holdout (default 0.2)")
    p.add_argument("--seed", type=int, default=0,
                   help="lathe db train --seed (default 0)")
    args = p.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    return args


def rel(path):
    """`path` relative to the repository when inside it, for the README."""
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def fail(message):
    print(f"train_cost_model.py: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd, capture=False):
    """Runs `cmd`, echoing it; its output goes to ours (and is returned when
    `capture`). A failure ends the script."""
    print("$ " + shlex.join(cmd), flush=True)
    if capture:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
    else:
        proc = subprocess.run(cmd)
    if proc.returncode != 0:
        fail(f"'{shlex.join(cmd)}' failed (exit code {proc.returncode})")
    return proc.stdout if capture else None


def model_paths(args, work_dir):
    """(name, .onnx path) of each model, making the small CNN; refuses the
    evaluation model and says how to make a missing bench model."""
    if not args.models:
        fail("--models: no model given")
    for m in args.models:
        name = os.path.splitext(os.path.basename(m))[0]
        if name in EVALUATION_MODELS:
            fail(f"{m}: {name} is the tuner's evaluation model and must not be "
                 "in the cost model's training data")
    paths = []
    for m in args.models:
        name = os.path.splitext(os.path.basename(m))[0]
        if m == "small_cnn":
            path = os.path.join(work_dir, "small_cnn.onnx")
            run([sys.executable, os.path.join(ROOT, "examples", "models",
                                              "make_small_cnn.py"), path])
        elif m.endswith(".onnx"):
            path = m
            if not os.path.exists(path):
                fail(f"{path}: no such model")
        else:
            path = os.path.join(args.model_dir, m + ".onnx")
            if not os.path.exists(path):
                fail(f"{path} does not exist: make it with "
                     f"`python bench/models/export.py --models {m}` "
                     "(bench/models/export.py explains the setup)")
        paths.append((name, os.path.abspath(path)))
    return paths


def lscpu():
    """lscpu's fields of interest, or {} when it is missing."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return {}
    fields = dict(re.findall(r"^([^:\n]+):\s*(.*)$", out, re.M))
    info = {k: fields[k] for k in ("Architecture", "Model name", "CPU(s)",
                                   "Thread(s) per core", "Core(s) per socket",
                                   "Socket(s)", "L1d cache", "L2 cache",
                                   "L3 cache", "Hypervisor vendor")
            if k in fields}
    flags = set(fields.get("Flags", "").split())
    info["vector flags"] = " ".join(
        f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
                    "avx512_fp16", "amx_tile") if f in flags) or "-"
    return info


def duration(seconds):
    """`seconds` as "42 s", "17 min" or "3.2 h"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def parse_report(report):
    """The figures of `lathe db train`'s report."""
    r = {}
    m = re.search(r": (\d+) records?.* in (\d+) groups?.*features of version "
                  r"(\d+) \((\d+) values\)", report)
    if m:
        r.update(records=int(m[1]), groups=int(m[2]), version=int(m[3]),
                 features=int(m[4]))
    m = re.search(r"train on (\d+) groups? \((\d+) records?\), hold out (\d+) "
                  r"\((\d+) records?\)", report)
    if m:
        r.update(train_groups=int(m[1]), train_records=int(m[2]),
                 held_groups=int(m[3]), held_records=int(m[4]))
    for model in ("xgboost", "analytical"):
        m = re.search(rf"^\s+{model}\b.*?\s+(\S+)\s+(\S+)$", report, re.M)
        if m:
            r[model] = (m[1], m[2])
    m = re.search(r"^\s+skipped: (.*)$", report, re.M)
    if m:
        r["skipped"] = m[1]
    return r


def write_readme(path, args, report, figures, tune_cmds, train_cmd, export_cmd,
                 targets, tune_seconds, version):
    cpu = lscpu()
    out_name = os.path.basename(args.out)
    lines = [
        "# The pretrained cost model",
        "",
        f"`{out_name}` is the XGBoost ranker (`rank:pairwise`, "
        "cost_model/XGBoostModel.h) that `lathe tune` starts from by default "
        "(`--cost-model pretrained`) until it has trained its own on the "
        "kernel it tunes. It ranks candidate schedules of one kernel by "
        "their feature vectors (cost_model/Features.h, docs/cost-model.md); "
        "it was trained with `lathe db train` on the measurements of "
        "`lathe tune` on the models below, on the machine below.",
        "",
        "This file, the model and `records.jsonl.gz` (the training records, "
        "JSON lines as `lathe db export` writes them, docs/tuning-database.md) "
        f"were written by `scripts/train_cost_model.py` on "
        f"{datetime.date.today().isoformat()}, with {version}.",
        "",
        "## The model",
        "",
        f"- features: version {figures.get('version', '?')} "
        f"({figures.get('features', '?')} values); a Lathe whose "
        "`KernelFeatures::kVersion` differs refuses the model: retrain it "
        "with the script.",
        f"- training data: {figures.get('records', '?')} measured schedules "
        f"of {figures.get('groups', '?')} kernels (workload and target), "
        f"from {', '.join(n for n, _ in args.model_paths)}, each tuned for "
        f"{args.time} (`--threads {args.threads}`); "
        f"{duration(tune_seconds)} of tuning in all. Skipped: "
        f"{figures.get('skipped', '?')}.",
        "- ResNet-50 is not in the training data: the tuner is evaluated on it.",
        "",
        "## Accuracy",
        "",
        "Pairwise ranking accuracy: the fraction of pairs of schedules of one "
        "kernel, with different latencies, that the model orders like the "
        "measurements (0.5 is chance). The held-out kernels are whole "
        f"workloads the model did not see (`--holdout {args.holdout}`, "
        f"`--seed {args.seed}`: {figures.get('train_groups', '?')} kernels "
        f"({figures.get('train_records', '?')} records) to train on, "
        f"{figures.get('held_groups', '?')} "
        f"({figures.get('held_records', '?')} records) held out); the shipped "
        "model was then trained again on all of them.",
        "",
        "| model | train | held out |",
        "| --- | --- | --- |",
        "| xgboost | {} | {} |".format(*figures.get("xgboost", ("?", "?"))),
        "| analytical (roofline, the baseline) | {} | {} |".format(
            *figures.get("analytical", ("?", "?"))),
        "",
        "## The machine",
        "",
        "Target keys of the records (`<triple>/<cpu>/<vector bits>`, "
        "codegen's tuningKey): " + (", ".join(f"`{t}`" for t in targets) or "-")
        + ". The model suits machines of the same class; on another one "
        "`lathe tune` soon retrains on its own measurements.",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in cpu.items()] or ["- (lscpu not available)"]
    lines += [
        "",
        "## How it was made",
        "",
        "```sh",
        shlex.join(["python", "scripts/train_cost_model.py"] + [
            a if not os.path.isabs(a) else rel(a) for a in sys.argv[1:]]),
        "```",
        "",
        "which ran",
        "",
        "```sh",
    ]
    lines += tune_cmds + [train_cmd, export_cmd, "```", "",
                          "and `lathe db train` reported", "", "```"]
    lines += report.rstrip("\n").splitlines() + ["```", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    args = parse_args()
    args.lathe = os.path.abspath(args.lathe)
    if not os.access(args.lathe, os.X_OK):
        fail(f"{args.lathe}: no lathe binary (build it: scripts/build.sh lathe; "
             "or pass --lathe)")
    args.db = os.path.abspath(args.db)
    args.out = os.path.abspath(args.out)
    if os.path.exists(args.db) and not args.resume:
        fail(f"{args.db} exists: the model is trained on a fresh database; "
             "delete it, choose another --db, or pass --resume to continue "
             "an interrupted run in it")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    work_dir = os.path.dirname(args.db)
    os.makedirs(work_dir, exist_ok=True)
    args.model_paths = model_paths(args, work_dir)

    version = subprocess.run([args.lathe, "--version"], capture_output=True,
                             text=True).stdout.splitlines()
    version = version[0] if version else "lathe (unknown version)"

    tune_cmds = []
    start = time.monotonic()
    for name, path in args.model_paths:
        cmd = [args.lathe, "tune", path, "--db", args.db, "--time", args.time,
               "--threads", str(args.threads), "--cost-model", "analytical",
               "--quiet"]
        print(f"== tuning {name} for {args.time}", flush=True)
        run(cmd)
        tune_cmds.append(shlex.join(["lathe", "tune", rel(path), "--db",
                                     rel(args.db)] + cmd[5:]))
    tune_seconds = time.monotonic() - start

    print("== training", flush=True)
    train = [args.lathe, "db", "train", "--db", args.db, "-o", args.out,
             "--holdout", str(args.holdout), "--seed", str(args.seed)]
    report = run(train, capture=True)
    figures = parse_report(report)

    records = os.path.join(os.path.dirname(args.out), "records.jsonl.gz")
    export = [args.lathe, "db", "export", "--db", args.db]
    print("$ " + shlex.join(export) + " | gzip > " + records, flush=True)
    proc = subprocess.run(export, stdout=subprocess.PIPE)
    if proc.returncode != 0:
        fail(f"'{shlex.join(export)}' failed (exit code {proc.returncode})")
    # mtime 0: the same records give the same bytes.
    with open(records, "wb") as raw, gzip.GzipFile(
            filename="records.jsonl", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(proc.stdout)
    targets = sorted({m for m in re.findall(rb'"target":"([^"]*)"', proc.stdout)})
    targets = [t.decode() for t in targets]

    readme = os.path.join(os.path.dirname(args.out), "README.md")
    write_readme(readme, args, report, figures, tune_cmds,
                 shlex.join(["lathe", "db", "train", "--db", rel(args.db), "-o",
                             rel(args.out)] + train[7:]),
                 shlex.join(["lathe", "db", "export", "--db", rel(args.db)])
                 + " | gzip > " + rel(records),
                 targets, tune_seconds, version)
    print(f"== wrote {rel(args.out)}, {rel(records)} and {rel(readme)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
