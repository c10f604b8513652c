"""Helpers shared by bench/e2e/run.py and bench/conv/run.py: the machine's
description, the load other processes put on it, versions, ONNX Runtime
timing and the output file names."""

import datetime
import os
import platform
import re
import socket
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_LATHE = os.path.join(ROOT, "build", "bin", "lathe")


def machine_info():
    info = {"hostname": socket.gethostname(), "kernel": platform.release(),
            "logical_cpus": os.cpu_count()}
    text = open("/proc/cpuinfo").read()
    first = text.split("\n\n")[0]
    fields = dict(re.findall(r"^([^\t:]+)\s*:\s*(.*)$", first, re.M))
    info["cpu_model"] = fields.get("model name", "?")
    flags = set(fields.get("flags", "").split())
    info["flags"] = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
                                 "amx_tile") if f in flags]
    return info


def cpu_seconds():
    """(busy CPU seconds of the whole machine, of this process and its waited-for
    children, wall-clock seconds)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    busy = sum(fields[:8]) - idle
    t = os.times()
    return (busy / os.sysconf("SC_CLK_TCK"),
            t.user + t.system + t.children_user + t.children_system, time.monotonic())


def other_load(start, end):
    """CPUs other processes kept busy on average between two cpu_seconds()."""
    wall = end[2] - start[2]
    if wall <= 0:
        return 0.0
    return max(0.0, (end[0] - start[0]) - (end[1] - start[1])) / wall


def builds_running():
    """Command lines of running ninja/make processes (a build skews timings)."""
    try:
        out = subprocess.run(["pgrep", "-a", "-x", "ninja|make|cmake"],
                             capture_output=True, text=True).stdout
    except OSError:
        return []
    return [l.split(None, 1)[1] if " " in l else l for l in out.splitlines()]


def lathe_version(lathe):
    try:
        r = subprocess.run([lathe, "--version"], capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"
    return " ".join(r.stdout.split()).removeprefix("lathe ") if r.returncode == 0 \
        else f"unavailable ({lathe})"


def ort_session(path, threads):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def time_calls(fn, runs, budget_s, min_runs=3):
    """One warm-up call, then up to `runs` timed calls, stopping after
    `budget_s` seconds once `min_runs` are in. Returns (median_ms, min_ms, n)."""
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < runs:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= min_runs and time.perf_counter() - start > budget_s:
            break
    return statistics.median(times), min(times), len(times)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def result_stem(kind, threads, date):
    host = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())
    return f"{kind}-{host}-{date}" + (f"-t{threads}" if threads != 1 else "")


def tail(text, lines=12):
    """The last non-empty lines of a tool's output, for an error record."""
    kept = [l for l in (text or "").splitlines() if l.strip()]
    return "\n".join(kept[-lines:])


def error_text(stderr, lines=40):
    """A failed tool's stderr without LLVM's crash boilerplate (the bug-report
    request and the echoed command line), at most its last `lines` lines."""
    kept = [l for l in (stderr or "").splitlines() if l.strip() and not (
        l.startswith("PLEASE submit a bug report") or l.startswith("Stack dump:")
        or "Program arguments:" in l)]
    return "\n".join(kept[-lines:])
