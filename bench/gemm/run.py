"""GEMM benchmark: measured FMA peak, OpenBLAS, Halide (autoscheduled) and Lathe.

Measures, in one run and with one thread count (--threads, default 1):
  peak      the machine's FP32 FMA peak, from a microbenchmark (fma_peak.c)
            running independent FMA chains in vector registers (AVX-512 if
            the CPU has it, else AVX2), best of several repetitions;
  OpenBLAS  cblas_sgemm from libopenblas (OPENBLAS_NUM_THREADS = threads);
  Halide    Halide 14's C = A*B, scheduled for this machine by the Adams2019
            autoscheduler (--halide-scheduler), compiled ahead of time;
  Lathe     a one-node ONNX MatMul model per shape (A and B both graph
            inputs, so no weights are baked in), compiled with `lathe compile`
            and called through its C ABI with ctypes.
Each is timed the same way (warm-up, then samples; the median time per call),
GFLOP/s = 2*B*M*N*K / time. Halide's and Lathe's outputs are checked against
OpenBLAS's (OpenBLAS against numpy in float64); a result over --tolerance is
reported as wrong, never as a speed. Each implementation runs in its own
process (bench/gemm/measure.py).

Writes bench/results/gemm-<host>-<date>.json and .md (-t<N> before the
extension when --threads is not 1) and prints the table. docs/bench.md
explains the columns.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HALIDE_LIB_DIR = "/usr/lib/x86_64-linux-gnu/halide14"
HALIDE_INCLUDE = "/usr/include/halide14"
HALIDE_SCHEDULERS = {  # name -> plugin file
    "Adams2019": "libautoschedule_adams2019.so",
    "Mullapudi2016": "libautoschedule_mullapudi2016.so",
    "Li2018": "libautoschedule_li2018.so",
}
CC, CXX = "clang-19", "clang++-19"

# Named shapes: (name, batch, M, N, K). batch 0 is a plain matrix product.
SQUARE = [(str(s), 0, s, s, s) for s in (256, 512, 1024, 2048)]
BERT = [  # BERT-base, sequence 128, hidden 768, 12 heads of 64
    ("bert.qkv", 0, 128, 768, 768),
    ("bert.attn_out", 0, 128, 768, 768),
    ("bert.ffn_up", 0, 128, 3072, 768),
    ("bert.ffn_down", 0, 128, 768, 3072),
    ("bert.scores(12 heads)", 12, 128, 128, 64),
    ("bert.context(12 heads)", 12, 128, 64, 128),
]
GROUPS = {"square": SQUARE, "bert": BERT}


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1,
                   help="threads for the peak, OpenBLAS, Halide and Lathe (default 1); "
                        "Lathe runs a shape on threads only where its schedule has "
                        "thread tiles")
    p.add_argument("--shapes", default="square,bert",
                   help="comma-separated: 'square' (256,512,1024,2048 cubed), 'bert' "
                        "(BERT-base GEMMs at sequence 128), a name from those groups "
                        "(e.g. 512, bert.ffn_up), MxNxK, or BxMxNxK for B batched "
                        "products (default: square,bert)")
    p.add_argument("--lathe-max-size", type=int, default=0,
                   help="run Lathe only on shapes with at most the FLOPs of an "
                        "S x S x S GEMM, S = this, to keep a smoke run short "
                        "(default 0: no limit)")
    p.add_argument("--repeats", type=int, default=20,
                   help="most timed samples per measurement (default 20)")
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds after which a measurement stops taking samples; "
                        "it always takes at least one (default 2.0)")
    p.add_argument("--warmup", type=int, default=1,
                   help="untimed calls before timing; short calls also warm up "
                        "for 50 ms (default 1)")
    p.add_argument("--sample-ms", type=float, default=5.0,
                   help="a sample repeats the call until it lasts about this long, "
                        "so call overhead does not count (default 5)")
    p.add_argument("--tolerance", type=float, default=1e-4,
                   help="largest accepted max|C - C_ref| / max|C_ref| (default 1e-4)")
    p.add_argument("--halide-scheduler", choices=list(HALIDE_SCHEDULERS),
                   default="Adams2019",
                   help="Halide autoscheduler (default Adams2019); if its plugin is "
                        "missing or fails, the others are tried in turn and the "
                        "output says which one ran")
    p.add_argument("--impls", default="openblas,halide,lathe",
                   help="implementations to run, comma-separated (default all; "
                        "Halide and Lathe need OpenBLAS's outputs to be checked)")
    p.add_argument("--lathe", default=os.path.join(ROOT, "build", "bin", "lathe"),
                   help="the lathe binary (default build/bin/lathe)")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "bench", "build", "gemm"),
                   help="where the C/C++ pieces, models and references are built "
                        "(default bench/build/gemm; Halide objects are reused)")
    p.add_argument("--out-dir", default=None,
                   help="where the .json and .md results go (default bench/results; "
                        "with --quick, <build-dir>/results)")
    p.add_argument("--seed", type=int, default=0, help="inputs' seed (default 0)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: shape 256 only, 3 repeats, 0.5 s budget, "
                        "results in the build dir (under a minute)")
    p.add_argument("--no-save", action="store_true",
                   help="print the table only, write no result files")
    args = p.parse_args()
    if args.quick:
        args.shapes, args.repeats, args.budget = "256", 3, 0.5
    if args.threads < 1 or args.repeats < 1 or args.budget < 0 or args.warmup < 0:
        p.error("--threads and --repeats must be at least 1, --budget and --warmup >= 0")
    args.impls = [i.strip() for i in args.impls.split(",") if i.strip()]
    for i in args.impls:
        if i not in ("openblas", "halide", "lathe"):
            p.error(f"--impls: unknown implementation '{i}'")
    try:
        args.cases = parse_shapes(args.shapes)
    except ValueError as e:
        p.error(f"--shapes: {e}")
    return args


def parse_shapes(text):
    known = {name: row for rows in GROUPS.values() for row in rows for name in [row[0]]}
    rows = []
    for tok in [t.strip() for t in text.split(",") if t.strip()]:
        if tok in GROUPS:
            rows += GROUPS[tok]
        elif tok in known:
            rows.append(known[tok])
        elif tok in ("bert.scores", "bert.context"):
            rows.append(known[tok + "(12 heads)"])
        elif re.fullmatch(r"\d+(x\d+){2,3}", tok):
            dims = [int(d) for d in tok.split("x")]
            if min(dims) < 1:
                raise ValueError(f"'{tok}': dimensions must be positive")
            rows.append((tok,) + ((0,) + tuple(dims) if len(dims) == 3 else tuple(dims)))
        else:
            raise ValueError(f"'{tok}' is not square, bert, a known name or MxNxK")
    if not rows:
        raise ValueError("no shapes")
    return rows


def key_of(batch, m, n, k):
    return (f"b{batch}_" if batch else "") + f"{m}x{n}x{k}"


def sh(cmd, **kw):
    """Runs a command; returns (returncode, stdout+stderr)."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    return r.returncode, r.stdout


def build(cmd, output, sources):
    """Runs a build command unless output is newer than every source."""
    if os.path.exists(output) and all(
            os.path.getmtime(output) >= os.path.getmtime(s) for s in sources):
        return
    rc, log = sh(cmd)
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{log}")


def machine_info(threads):
    info = {"hostname": socket.gethostname(), "kernel": platform.release(),
            "logical_cpus": os.cpu_count(), "threads": threads}
    text = open("/proc/cpuinfo").read()
    first = text.split("\n\n")[0]
    fields = dict(re.findall(r"^([^\t:]+)\s*:\s*(.*)$", first, re.M))
    info["cpu_model"] = fields.get("model name", "?")
    ids = set(re.findall(r"^physical id\s*:\s*(\d+)", text, re.M))
    cores = fields.get("cpu cores")
    if cores:
        info["physical_cores"] = int(cores) * max(len(ids), 1)
    flags = set(fields.get("flags", "").split())
    wanted = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw",
              "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile",
              "amx_bf16", "ht"]
    info["flags"] = [f for f in wanted if f in flags]
    caches = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    for idx in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        try:
            lvl = open(f"{base}/{idx}/level").read().strip()
            typ = open(f"{base}/{idx}/type").read().strip()
            size = open(f"{base}/{idx}/size").read().strip()
        except OSError:
            continue
        name = f"L{lvl}" + ("d" if typ == "Data" else "i" if typ == "Instruction" else "")
        caches[name] = size
    info["caches"] = caches
    return info


def cpu_seconds():
    """(busy CPU seconds of the whole machine, of this process and its waited-for
    children, wall-clock seconds)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    t = os.times()
    return (busy / os.sysconf("SC_CLK_TCK"),
            t.user + t.system + t.children_user + t.children_system, time.monotonic())


def dpkg_version(pkg):
    rc, out = sh(["dpkg-query", "-W", "-f=${Version}", pkg])
    return out.strip() if rc == 0 else None


def run_child(impl, spec, build_dir, env_extra):
    spec_path = os.path.join(build_dir, f"spec-{impl}.json")
    out_path = os.path.join(build_dir, f"out-{impl}.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=1)
    if os.path.exists(out_path):
        os.remove(out_path)
    env = dict(os.environ, **env_extra)
    r = subprocess.run([sys.executable, os.path.join(HERE, "measure.py"),
                        spec_path, out_path], env=env)
    out = {"info": {}, "results": []}
    if os.path.exists(out_path):
        with open(out_path) as f:
            out = json.load(f)
    if r.returncode != 0:
        how = (f"killed by signal {-r.returncode}" if r.returncode < 0
               else f"exit status {r.returncode}")
        done = {res["key"] for res in out["results"]}
        for case in spec["cases"]:
            if case["key"] not in done:
                out["results"].append({"key": case["key"], "ok": False,
                                       "note": f"crashed ({how})"})
                how = "not run after the crash"
    return out


# --- building the pieces ---------------------------------------------------

def build_peak(bdir):
    exe = os.path.join(bdir, "fma_peak")
    src = os.path.join(HERE, "fma_peak.c")
    build([CC, "-O3", "-march=native", "-pthread", "-Wno-invalid-feature-combination",
           src, "-o", exe], exe, [src])
    return exe


def build_openblas(bdir):
    lib = os.path.join(bdir, "libgemm_openblas.so")
    src = os.path.join(HERE, "openblas_gemm.c")
    build([CC, "-O2", "-shared", "-fPIC", src, "-o", lib, "-lopenblas"], lib, [src])
    return lib


def halide_tool(bdir, name):
    exe = os.path.join(bdir, "halide", name)
    src = os.path.join(HERE, name + ".cpp")
    build([CXX, "-O1", "-std=c++17", "-frtti", "-fexceptions", "-DHALIDE_ENABLE_RTTI",
           "-DHALIDE_WITH_EXCEPTIONS", "-I" + HALIDE_INCLUDE, src, "-o", exe,
           "-L/usr/lib/x86_64-linux-gnu", "-l:libHalide14.so.0", "-lpthread", "-ldl"],
          exe, [src])
    return exe


def build_halide(bdir, cases, args, log):
    """Compiles each case's pipeline; returns (library, {key: info})."""
    hdir = os.path.join(bdir, "halide")
    os.makedirs(hdir, exist_ok=True)
    gen = halide_tool(bdir, "halide_gemm")
    rt_tool = halide_tool(bdir, "halide_runtime")
    rc, host = sh([os.path.join(HALIDE_LIB_DIR, "get_host_target")])
    host = host.strip() if rc == 0 and host.strip() else "host"
    runtime = os.path.join(hdir, f"runtime-{host}.o")
    build([rt_tool, host, runtime], runtime, [rt_tool])
    order = [args.halide_scheduler] + [s for s in HALIDE_SCHEDULERS
                                       if s != args.halide_scheduler]
    objects, infos = [], {}
    for key, (batch, m, n, k) in cases.items():
        fn = "hl_gemm_" + key
        info = {"symbol": fn, "target": host, "tried": []}
        for sched in order:
            plugin = os.path.join(HALIDE_LIB_DIR, HALIDE_SCHEDULERS[sched])
            tag = hashlib.sha1(host.encode()).hexdigest()[:8]  # objects are per target
            prefix = os.path.join(hdir, f"{sched}-{tag}-p{args.threads}-{key}")
            if not os.path.exists(plugin):
                info["tried"].append(f"{sched}: plugin {plugin} not found")
                continue
            try:
                build([gen, plugin, sched, host + "-no_runtime", str(args.threads),
                       str(batch), str(m), str(n), str(k), fn, prefix],
                      prefix + ".o", [gen, plugin])
            except RuntimeError as e:
                last = [l for l in str(e).splitlines() if l.strip()][-1:]
                info["tried"].append(f"{sched}: failed: {' '.join(last)}")
                continue
            info["scheduler"] = sched
            with open(prefix + ".schedule.h") as f:
                info["schedule"] = f.read()  # the autoscheduler's choice, as Halide C++
            objects.append(prefix + ".o")
            break
        if "scheduler" not in info:
            info["error"] = "; ".join(info["tried"])
        elif info["scheduler"] != args.halide_scheduler:
            log(f"halide: {key}: {args.halide_scheduler} unavailable, used "
                f"{info['scheduler']} ({'; '.join(info['tried'])})")
        infos[key] = info
    lib = os.path.join(hdir, f"libhalide_gemm-{os.getpid()}.so")
    if objects:
        rc, out = sh([CC, "-O2", "-shared", "-fPIC", "-I" + HALIDE_INCLUDE,
                      os.path.join(HERE, "halide_call.c"), runtime] + objects +
                     ["-o", lib, "-lpthread", "-ldl", "-lm"])
        if rc != 0:
            raise RuntimeError(f"linking the Halide library failed:\n{out}")
    return lib, infos


def write_model(path, batch, m, n, k):
    import onnx
    from onnx import TensorProto, helper
    lead = [batch] if batch else []
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["A", "B"], ["C"], name="matmul")], "gemm",
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, lead + [m, k]),
         helper.make_tensor_value_info("B", TensorProto.FLOAT, lead + [k, n])],
        [helper.make_tensor_value_info("C", TensorProto.FLOAT, lead + [m, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def too_big_for_lathe(args, batch, m, n, k):
    return args.lathe_max_size and max(batch, 1) * m * n * k > args.lathe_max_size ** 3


def build_lathe(bdir, cases, args):
    ldir = os.path.join(bdir, "lathe")
    os.makedirs(ldir, exist_ok=True)
    infos = {}
    for key, (batch, m, n, k) in cases.items():
        info = infos[key] = {}
        if too_big_for_lathe(args, batch, m, n, k):
            info["skip"] = f"skipped: more FLOPs than {args.lathe_max_size}³ (--lathe-max-size)"
            continue
        name = "gemm_" + key
        onnx_path = os.path.join(ldir, name + ".onnx")
        so = os.path.join(ldir, name + ".so")
        write_model(onnx_path, batch, m, n, k)
        rc, out = sh([args.lathe, "compile", onnx_path, "-o", so, "--model-name", name,
                      "--threads", str(args.threads)])
        if rc != 0:
            info["error"] = "lathe compile failed: " + out.strip().splitlines()[-1:][0] \
                if out.strip() else f"lathe compile exited with {rc}"
            continue
        with open(so, "rb") as f:
            # Parallel loops call into libomp; without them the code is sequential.
            threaded = b"__kmpc_fork_call" in f.read()
        info.update(lib=so, symbol=f"lathe_{name}_run", threaded=threaded,
                    model="B is a graph input (no weights baked in)")
    return infos


# --- report ------------------------------------------------------------------

def fmt_cell(res, peak, blas=None, skip=None):
    if skip:
        return skip
    if res is None:
        return "not run"
    if not res.get("ok"):
        return res.get("note") or "failed"
    g = res["gflops"]
    extra = []
    if peak:
        pct = 100 * g / peak
        extra.append(f"{pct:.0f}%" if pct >= 10 else f"{pct:.1f}%")
    if blas:
        extra.append(f"{g / blas:.2g}× OpenBLAS")
    return f"{g:.1f}" + (f" ({', '.join(extra)})" if extra else "")


def markdown(report):
    m = report["machine"]
    peak = report["peak"]
    p = peak.get("peak_gflops") if peak else None
    lines = [f"# GEMM, {m['hostname']}, {report['date']}", "",
             f"- CPU: {m['cpu_model']}, {m['logical_cpus']} logical CPUs"
             + (f", {m['physical_cores']} physical core(s)" if "physical_cores" in m else "")
             + f"; flags: {' '.join(m['flags'])}; caches: "
             + ", ".join(f"{k} {v}" for k, v in m["caches"].items()),
             f"- threads: {report['threads']}",
             (f"- FMA peak (measured, {peak['isa']}): {peak['peak_gflops']:.1f} GFLOP/s, "
              f"{peak['peak_gflops_per_thread']:.1f} per thread"
              + (f"; AVX2: {peak['avx2']['gflops']:.1f}" if "avx2" in peak else "")
              if peak else "- FMA peak: not measured"),
             "- versions: " + "; ".join(f"{k} {v}" for k, v in report["versions"].items()),
             ]
    lines += [f"- note: {n}" for n in report["notes"]]
    sched = report["versions"].get("halide_scheduler")
    lines += ["", "| shape | M×N×K | peak GFLOP/s | OpenBLAS GFLOP/s (% peak) | "
              f"Halide{f' ({sched})' if sched else ''} GFLOP/s (% peak) | "
              "Lathe GFLOP/s (% peak, × OpenBLAS) |",
              "| --- | --- | ---: | ---: | ---: | ---: |"]
    for row in report["rows"]:
        b = row["batch"]
        dims = (f"{b}×" if b else "") + f"{row['m']}×{row['n']}×{row['k']}"
        r = row["results"]
        blas = r.get("openblas")
        blas_g = blas["gflops"] if blas and blas.get("ok") else None
        lines.append(f"| {row['name']} | {dims} | {p:.1f} | " if p else f"| {row['name']} | {dims} | – | ")
        lines[-1] += " | ".join([
            fmt_cell(blas, p, skip=row["skip"].get("openblas")),
            fmt_cell(r.get("halide"), p, skip=row["skip"].get("halide")),
            fmt_cell(r.get("lathe"), p, blas_g, skip=row["skip"].get("lathe"))]) + " |"
    return "\n".join(lines) + "\n"


def main():
    args = parse_args()
    bdir = os.path.abspath(args.build_dir)
    os.makedirs(bdir, exist_ok=True)
    refdir = os.path.join(bdir, "ref")
    os.makedirs(refdir, exist_ok=True)
    for f in os.listdir(refdir):  # never check against an earlier run's outputs
        os.remove(os.path.join(refdir, f))
    notes = []

    def log(msg):
        print(msg, flush=True)
        notes.append(msg)

    # Unique cases (bert.qkv and bert.attn_out share one).
    cases = {}
    for _, batch, m, n, k in args.cases:
        cases.setdefault(key_of(batch, m, n, k), (batch, m, n, k))

    report = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
              "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(
                  timespec="seconds"),
              "threads": args.threads, "machine": machine_info(args.threads),
              "settings": {k: getattr(args, k) for k in (
                  "shapes", "lathe_max_size", "repeats", "budget", "warmup", "sample_ms",
                  "tolerance", "halide_scheduler", "seed", "quick")},
              "versions": {}, "notes": notes, "peak": None, "halide": {},
              "lathe": {}, "rows": []}
    versions = report["versions"]
    versions["clang"] = sh([CC, "--version"])[1].splitlines()[0]

    peak_exe = build_peak(bdir)
    report["load_average"] = {"start": os.getloadavg()}
    cpu_start = cpu_seconds()

    def measure_peak(when):
        print(f"== FMA peak ({when}, {args.threads} thread"
              f"{'s' if args.threads > 1 else ''})", flush=True)
        # Many short repetitions: the best one is likelier to catch a quiet moment.
        rc, out = sh([peak_exe, str(args.threads), "10", "0.1"])
        if rc != 0:
            log(f"fma_peak failed: {out.strip()}")
            return
        peak = json.loads(out)
        peak["when"] = when
        report["peak_runs"].append(peak)
        print(f"  {peak['peak_gflops']:.1f} GFLOP/s ({peak['isa']}), "
              f"{peak['peak_gflops_per_thread']:.1f} per thread", flush=True)
        # The peak is the best of the runs: other load only ever lowers it.
        if not report["peak"] or peak["peak_gflops"] > report["peak"]["peak_gflops"]:
            report["peak"] = peak

    report["peak_runs"] = []
    measure_peak("start")
    if args.threads > os.cpu_count():
        log(f"--threads {args.threads} exceeds the {os.cpu_count()} logical CPUs")

    common = {"seed": args.seed, "warmup": args.warmup, "repeats": args.repeats,
              "budget_s": args.budget, "sample_s": args.sample_ms / 1e3,
              "tolerance": args.tolerance, "refdir": refdir}
    results = {}  # impl -> key -> result
    skips = {"openblas": {}, "halide": {}, "lathe": {}}

    if "openblas" in args.impls:
        print("== OpenBLAS", flush=True)
        versions["openblas"] = dpkg_version("libopenblas0-pthread") or dpkg_version(
            "libopenblas0")
        spec = dict(common, impl="openblas", lib=build_openblas(bdir),
                    cases=[dict(key=k, batch=v[0], m=v[1], n=v[2], k=v[3])
                           for k, v in cases.items()])
        out = run_child("openblas", spec, bdir, {"OPENBLAS_NUM_THREADS": str(args.threads)})
        versions["openblas_config"] = out["info"].get("config")
        results["openblas"] = {r["key"]: r for r in out["results"]}
        if out["info"].get("threads") != args.threads:
            log(f"OpenBLAS reports {out['info'].get('threads')} threads, "
                f"asked for {args.threads}")

    if "halide" in args.impls:
        print(f"== Halide ({args.halide_scheduler})", flush=True)
        versions["halide"] = dpkg_version("libhalide14-0-dev")
        try:
            lib, infos = build_halide(bdir, cases, args, log)
            report["halide"] = infos
            todo = {k: i for k, i in infos.items() if "error" not in i}
            for k, i in infos.items():
                if "error" in i:
                    skips["halide"][k] = "failed: " + i["error"]
            if todo:
                spec = dict(common, impl="halide", lib=lib,
                            cases=[dict(key=k, batch=cases[k][0], m=cases[k][1],
                                        n=cases[k][2], k=cases[k][3], symbol=i["symbol"])
                                   for k, i in todo.items()])
                out = run_child("halide", spec, bdir, {"HL_NUM_THREADS": str(args.threads)})
                results["halide"] = {r["key"]: r for r in out["results"]}
            if os.path.exists(lib):
                os.remove(lib)
            used = sorted({i.get("scheduler") for i in infos.values() if i.get("scheduler")})
            versions["halide_scheduler"] = ", ".join(used) or "none"
        except RuntimeError as e:
            log(f"halide: {e}")
            for k in cases:
                skips["halide"].setdefault(k, "build failed")

    if "lathe" in args.impls:
        print("== Lathe", flush=True)
        rc, out = sh([args.lathe, "--version"])
        versions["lathe"] = (" ".join(out.split()).removeprefix("lathe ") if rc == 0
                             else f"unavailable ({args.lathe})")
        if any(too_big_for_lathe(args, *v) for v in cases.values()):
            s = args.lathe_max_size
            log(f"Lathe ran only on shapes of at most {s}x{s}x{s}'s FLOPs "
                "(--lathe-max-size; 0 runs all)")
        infos = build_lathe(bdir, cases, args) if rc == 0 else {
            k: {"error": "no lathe binary"} for k in cases}
        sequential = [k for k, i in infos.items() if "lib" in i and not i["threaded"]]
        if args.threads != 1 and sequential:
            log(f"Lathe ran {', '.join(sequential)} on 1 thread (their schedules hand no "
                "tiles to threads); their % of peak is against the full peak of "
                f"{args.threads} threads")
        report["lathe"] = {k: {f: os.path.relpath(v, ROOT) if f == "lib" else v
                               for f, v in i.items()} for k, i in infos.items()}
        todo = {}
        for k, i in infos.items():
            if "skip" in i:
                skips["lathe"][k] = f"skipped (> {args.lathe_max_size}³ FLOPs)"
            elif "error" in i:
                skips["lathe"][k] = i["error"]
            else:
                todo[k] = i
        if todo:
            spec = dict(common, impl="lathe",
                        cases=[dict(key=k, batch=cases[k][0], m=cases[k][1], n=cases[k][2],
                                    k=cases[k][3], lib=i["lib"], symbol=i["symbol"])
                               for k, i in todo.items()])
            out = run_child("lathe", spec, bdir, {"OPENBLAS_NUM_THREADS": "1"})
            results["lathe"] = {r["key"]: r for r in out["results"]}

    measure_peak("end")
    report["load_average"]["end"] = os.getloadavg()
    # CPU time the rest of the machine used while we ran: all busy time minus
    # this process's and its children's (the 1-minute load average would
    # count the benchmark itself).
    cpu_end = cpu_seconds()
    wall = cpu_end[2] - cpu_start[2]
    others = max(0.0, (cpu_end[0] - cpu_start[0]) - (cpu_end[1] - cpu_start[1])) / wall
    report["other_load_cpus"] = round(others, 2)
    if others > 0.2:
        log(f"other processes kept {others:.1f} of the {os.cpu_count()} logical CPUs "
            "busy on average during the run: expect noisy, low numbers")

    if "openblas" not in args.impls:
        log("OpenBLAS not run: Halide and Lathe outputs could not be checked")

    for name, batch, m, n, k in args.cases:
        key = key_of(batch, m, n, k)
        report["rows"].append({
            "name": name, "key": key, "batch": batch, "m": m, "n": n, "k": k,
            "flops": 2.0 * max(batch, 1) * m * n * k,
            "results": {impl: results.get(impl, {}).get(key) for impl in
                        ("openblas", "halide", "lathe")},
            "skip": {impl: skips[impl].get(key) for impl in skips
                     if skips[impl].get(key)}})

    peak = report["peak"]["peak_gflops"] if report["peak"] else None
    over = [f"{impl} on {row['name']}" for row in report["rows"]
            for impl, r in row["results"].items()
            if peak and r and r.get("ok") and r["gflops"] > peak]
    if over:
        log(f"faster than the measured peak: {', '.join(over)}; the peak runs were "
            "disturbed by other load, so the % of peak figures are too high")
    md = markdown(report)
    print()
    print(md)
    if not args.no_save:
        out_dir = args.out_dir or (os.path.join(bdir, "results") if args.quick
                                   else os.path.join(ROOT, "bench", "results"))
        os.makedirs(out_dir, exist_ok=True)
        host = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())
        stem = f"gemm-{host}-{report['date']}" + (f"-t{args.threads}"
                                                  if args.threads != 1 else "")
        with open(os.path.join(out_dir, stem + ".json"), "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
        with open(os.path.join(out_dir, stem + ".md"), "w") as f:
            f.write(md)
        print(f"wrote {os.path.join(out_dir, stem)}.json and .md")
    bad = [r for row in report["rows"] for r in row["results"].values()
           if r is not None and not r.get("ok")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
