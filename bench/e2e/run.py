"""End-to-end latency of whole models: Lathe against ONNX Runtime.

    .venv/bin/python bench/e2e/run.py                     # all models, 1 thread
    .venv/bin/python bench/e2e/run.py --models mobilenet_v2 --runs 5 --no-save

The models are bench/build/models/<name>.onnx as bench/models/export.py
writes them (resnet50, mobilenet_v2, bert_base; --model-dir). For each, in
one run of this script:
  1. inputs: seeded random .npy files (images N(0, 1); BERT's input_ids
     uniform in the vocabulary, an attention_mask whose last quarter is
     padding, token_type_ids 0 then 1), written to bench/build/e2e/<name>/;
  2. ONNX Runtime (CPUExecutionProvider, ORT_ENABLE_ALL, intra-op threads =
     --threads, inter-op 1) runs them: its outputs are the reference, and
     one warm-up then up to --runs timed session.run calls give its median;
  3. `lathe run MODEL --input NAME=FILE... --output-dir DIR --bench RUNS
     --json` compiles the model once, runs it on the same inputs (its outputs
     are written as .npy and compared with ORT's) and then times one warm-up
     and RUNS more runs: its median latency, on --threads threads (the
     parallel loops of its kernels, through OpenMP).
The check: every output must satisfy |lathe - ort| <= atol + rtol * |ort|
elementwise (numpy.allclose; --rtol 1e-3, --atol 1e-4); the max abs error
and the normwise relative error max|lathe - ort| / max|ort| are reported.
A model Lathe cannot import, compile or run gets its error text recorded
and the run goes on with the next.

Writes bench/results/e2e-<host>-<UTC date>.json and .md (-t<N> before the
extension when --threads is not 1) and prints the table. docs/bench.md
explains the columns. The exit status is 1 when a model failed or was wrong.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
MODELS = ("resnet50", "mobilenet_v2", "bert_base")
BERT_VOCAB = 30522


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated model names, <model-dir>/<name>.onnx "
                        f"(default {','.join(MODELS)})")
    p.add_argument("--model-dir", default=os.path.join(ROOT, "bench", "build", "models"),
                   help="where the exported models are (default bench/build/models)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads of both: ONNX Runtime's intra-op threads and "
                        "lathe run --threads (default 1)")
    p.add_argument("--runs", type=int, default=20,
                   help="timed runs for each (default 20), after one warm-up")
    p.add_argument("--ort-budget", type=float, default=10.0,
                   help="seconds after which ORT stops taking timed runs, once it "
                        "has 3 (default 10)")
    p.add_argument("--rtol", type=float, default=1e-3, help="relative tolerance (1e-3)")
    p.add_argument("--atol", type=float, default=1e-4, help="absolute tolerance (1e-4)")
    p.add_argument("--seed", type=int, default=0, help="inputs' seed (default 0)")
    p.add_argument("--lathe", default=benchlib.DEFAULT_LATHE,
                   help="the lathe binary (default build/bin/lathe)")
    p.add_argument("--db", default=None,
                   help="tuning database whose records `lathe run` uses (lathe run --db); "
                        "default: none (--no-db), so the figures are the default configs'")
    p.add_argument("--lathe-timeout", type=float, default=1800,
                   help="seconds one `lathe run` may take, compile included (1800)")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "bench", "build", "e2e"),
                   help="inputs and outputs go here (default bench/build/e2e)")
    p.add_argument("--out-dir", default=os.path.join(ROOT, "bench", "results"),
                   help="where the .json and .md go (default bench/results)")
    p.add_argument("--no-save", action="store_true", help="print the table only")
    args = p.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.threads < 1 or args.runs < 1:
        p.error("--threads and --runs must be at least 1")
    if not args.models:
        p.error("--models is empty")
    return args


def make_inputs(session, seed):
    """Seeded inputs for the session's graph inputs, by name and type."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for i in session.get_inputs():
        if not all(isinstance(d, int) for d in i.shape):
            raise ValueError(f"input '{i.name}' has a symbolic shape {i.shape}")
        shape = tuple(i.shape)
        if i.type == "tensor(float)":
            feeds[i.name] = rng.standard_normal(shape).astype(np.float32)
        elif i.type == "tensor(int64)":
            seq = shape[-1]
            if i.name == "input_ids":
                v = rng.integers(0, BERT_VOCAB, shape)
            elif i.name == "attention_mask":
                v = np.ones(shape)
                v[..., seq - seq // 4:] = 0  # the last quarter is padding
            elif i.name == "token_type_ids":
                v = np.zeros(shape)
                v[..., seq // 2:] = 1
            else:
                v = np.zeros(shape)
            feeds[i.name] = v.astype(np.int64)
        else:
            raise ValueError(f"input '{i.name}' is {i.type}: not handled")
    return feeds


def compare(lathe_out, ref, rtol, atol):
    diff = np.abs(lathe_out.astype(np.float64) - ref.astype(np.float64))
    ref_max = float(np.max(np.abs(ref))) if ref.size else 0.0
    max_abs = float(np.max(diff)) if diff.size else 0.0
    ok = bool(np.all(np.isfinite(lathe_out))) and bool(
        np.allclose(lathe_out, ref, rtol=rtol, atol=atol))
    worst = float(np.max(diff - rtol * np.abs(ref))) if diff.size else 0.0
    return {"max_abs_err": max_abs, "ref_max_abs": ref_max,
            "rel_err": max_abs / ref_max if ref_max else max_abs,
            "worst_excess_over_rtol": worst, "rtol": rtol, "atol": atol, "ok": ok}


def run_lathe(args, model, feeds, work):
    """Runs `lathe run` once: outputs, then the timed runs. Returns its JSON
    report or raises RuntimeError with the error text."""
    indir, outdir = os.path.join(work, "inputs"), os.path.join(work, "lathe")
    os.makedirs(indir, exist_ok=True)
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):  # never compare against an earlier run's outputs
        os.remove(os.path.join(outdir, f))
    cmd = [args.lathe, "run", model, "--output-dir", outdir, "--bench", str(args.runs),
           "--threads", str(args.threads), "--json"]
    cmd += ["--db", args.db] if args.db else ["--no-db"]
    for name, value in feeds.items():
        path = os.path.join(indir, name + ".npy")
        np.save(path, value)
        cmd += ["--input", f"{name}={path}"]
    print("  + " + " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c
                             for c in cmd), flush=True)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.lathe_timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"lathe run timed out after {args.lathe_timeout:.0f} s")
    except OSError as e:
        raise RuntimeError(f"lathe could not be started: {e}")
    if r.returncode != 0:
        how = f"exit {r.returncode}" if r.returncode > 0 else f"signal {-r.returncode}"
        raise RuntimeError(f"lathe run failed ({how}): "
                           + (benchlib.error_text(r.stderr) or benchlib.tail(r.stdout)))
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        raise RuntimeError("lathe run printed no JSON: " + benchlib.tail(r.stdout))
    report["stderr"] = benchlib.tail(r.stderr)
    return report


def measure(args, name):
    import onnxruntime  # noqa: F401

    row = {"model": name, "path": os.path.join(args.model_dir, name + ".onnx")}
    path = row["path"]
    if not os.path.exists(path):
        row["error"] = (f"{os.path.relpath(path, ROOT)} not found: run "
                        "bench/models/export.py first")
        return row
    row["model_mb"] = round(os.path.getsize(path) / 1e6, 1)
    work = os.path.join(args.build_dir, name)
    session = benchlib.ort_session(path, args.threads)
    feeds = make_inputs(session, args.seed)
    row["inputs"] = {k: {"shape": list(v.shape), "dtype": str(v.dtype)}
                     for k, v in feeds.items()}
    out_names = [o.name for o in session.get_outputs()]
    ref = dict(zip(out_names, session.run(None, feeds)))

    print("  onnxruntime", flush=True)
    med, mn, n = benchlib.time_calls(lambda: session.run(None, feeds), args.runs,
                                     args.ort_budget)
    row["ort"] = {"median_ms": med, "min_ms": mn, "runs": n, "threads": args.threads}
    print(f"    median {med:.2f} ms, min {mn:.2f} ms over {n} runs", flush=True)
    del session

    print("  lathe", flush=True)
    start = time.monotonic()
    try:
        rep = run_lathe(args, path, feeds, work)
    except RuntimeError as e:
        row["lathe_error"] = str(e)
        print(f"    FAILED: {e}", flush=True)
        return row
    bench = rep.get("bench") or {}
    row["lathe"] = {"median_ms": bench.get("median_ms"), "min_ms": bench.get("min_ms"),
                    "mean_ms": bench.get("mean_ms"), "runs": bench.get("runs"),
                    "compile_ms": rep.get("compile_ms"), "threads": rep.get("threads"),
                    "wall_s": round(time.monotonic() - start, 1)}
    if rep.get("stderr"):
        row["lathe"]["stderr"] = rep["stderr"]
    print(f"    median {bench.get('median_ms', float('nan')):.2f} ms, compile "
          f"{(rep.get('compile_ms') or 0) / 1e3:.1f} s", flush=True)

    atol = args.atol
    checks = {}
    saved = {o["name"]: o.get("saved_to") for o in rep.get("outputs", [])}
    for oname, expected in ref.items():
        f = saved.get(oname) or os.path.join(work, "lathe", oname + ".npy")
        if not os.path.exists(f):
            checks[oname] = {"ok": False, "error": "lathe wrote no such output"}
            continue
        got = np.load(f)
        if got.shape != expected.shape:
            checks[oname] = {"ok": False, "error": f"shape {list(got.shape)}, ORT's is "
                                                   f"{list(expected.shape)}"}
            continue
        checks[oname] = compare(got, expected, args.rtol, atol)
        c = checks[oname]
        print(f"    {oname}: max abs err {c['max_abs_err']:.3g} (max |ort| "
              f"{c['ref_max_abs']:.3g}, rel {c['rel_err']:.2g}) "
              f"{'ok' if c['ok'] else 'WRONG'}", flush=True)
    row["check"] = checks
    row["ok"] = all(c["ok"] for c in checks.values())
    if row["lathe"]["median_ms"] and row["ort"]["median_ms"]:
        row["ratio"] = row["lathe"]["median_ms"] / row["ort"]["median_ms"]
    return row


def markdown(report):
    m = report["machine"]
    lines = [f"# End-to-end models, {m['hostname']}, {report['date']}", "",
             f"- CPU: {m['cpu_model']}, {m['logical_cpus']} logical CPUs; "
             f"flags: {' '.join(m['flags'])}",
             f"- threads: ONNX Runtime {report['threads']}, Lathe {report['threads']}",
             "- versions: " + "; ".join(f"{k} {v}" for k, v in report["versions"].items()),
             f"- timing: median of {report['settings']['runs']} runs after one "
             "warm-up; Lathe's is `lathe run --bench`'s (its own process), "
             "ORT's is session.run timed from this script's Python process",
             ]
    lines += [f"- note: {n}" for n in report["notes"]]
    lines += ["", "| model | Lathe ms | ORT ms | Lathe ms / ORT ms | max abs err (max abs ORT) | "
              "check | Lathe compile s |",
              "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for row in report["rows"]:
        ort = row.get("ort", {}).get("median_ms")
        ort_s = f"{ort:.2f}" if ort else "–"
        if "error" in row:
            lines.append(f"| {row['model']} | – | – | – | – | {row['error']} | – |")
            continue
        if "lathe_error" in row:
            msg = row["lathe_error"].replace("\n", " ⏎ ").replace("|", "\\|")
            if len(msg) > 400:
                msg = msg[:400] + " …"
            lines.append(f"| {row['model']} | failed | {ort_s} | – | – | {msg} | – |")
            continue
        lat = row["lathe"]
        errs = [f"{k}: {c['max_abs_err']:.2g} ({c['ref_max_abs']:.2g})"
                if "max_abs_err" in c else f"{k}: {c['error']}"
                for k, c in row["check"].items()]
        check = "ok" if row["ok"] else "**wrong**: " + ", ".join(
            k for k, c in row["check"].items() if not c["ok"])
        ratio = f"{row['ratio']:.2f}×" if row.get("ratio") else "–"
        lines.append(f"| {row['model']} | {lat['median_ms']:.2f} | {ort_s} | {ratio} | "
                     f"{'; '.join(errs)} | {check} | "
                     f"{(lat.get('compile_ms') or 0) / 1e3:.1f} |")
    return "\n".join(lines) + "\n"


def main():
    args = parse_args()
    import onnxruntime as ort

    now = benchlib.utc_now()
    notes = []
    report = {"date": now.strftime("%Y-%m-%d"),
              "time_utc": now.isoformat(timespec="seconds"),
              "threads": args.threads, "machine": benchlib.machine_info(),
              "settings": {k: getattr(args, k) for k in (
                  "models", "runs", "ort_budget", "rtol", "atol", "seed", "db")},
              "versions": {"lathe": benchlib.lathe_version(args.lathe),
                           "onnxruntime": ort.__version__, "numpy": np.__version__},
              "notes": notes, "rows": []}
    builds = benchlib.builds_running()
    report["builds_running_at_start"] = builds
    report["load_average"] = {"start": os.getloadavg()}
    cpu_start = benchlib.cpu_seconds()
    for name in args.models:
        print(f"== {name}", flush=True)
        try:
            row = measure(args, name)
        except Exception as e:  # ORT or the inputs: record and go on
            row = {"model": name, "error": f"{type(e).__name__}: {e}"}
            print(f"  FAILED: {row['error']}", flush=True)
        report["rows"].append(row)
    others = benchlib.other_load(cpu_start, benchlib.cpu_seconds())
    report["other_load_cpus"] = round(others, 2)
    report["load_average"]["end"] = os.getloadavg()
    builds_end = benchlib.builds_running()
    report["builds_running_at_end"] = builds_end
    if builds or builds_end:
        notes.append("a build was running during the run (" + "; ".join(
            sorted(set(builds + builds_end))) + "): timings are noisy")
    if others > 0.2:
        notes.append(f"other processes kept {others:.1f} of the {os.cpu_count()} logical "
                     "CPUs busy on average during the run: expect noisy, slow numbers")

    md = markdown(report)
    print()
    print(md)
    if not args.no_save:
        os.makedirs(args.out_dir, exist_ok=True)
        kind = "e2e-tuned" if args.db else "e2e"
        stem = os.path.join(args.out_dir,
                            benchlib.result_stem(kind, args.threads, report["date"]))
        for row in report["rows"]:
            row["path"] = os.path.relpath(row["path"], ROOT) if "path" in row else None
        with open(stem + ".json", "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
        with open(stem + ".md", "w") as f:
            f.write(md)
        print(f"wrote {stem}.json and .md")
    bad = [r for r in report["rows"] if "error" in r or "lathe_error" in r or
           not r.get("ok")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
