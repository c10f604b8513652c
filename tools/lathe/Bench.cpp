//===- Bench.cpp - lathe bench --------------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe bench`: the model is compiled as `lathe run`
// compiles it, and so is each of its kernels on its own (a module holding
// the kernel and a function that calls it); each is timed with the JIT, and
// each kernel's achieved GFLOP/s is set against the machine's FP32 FMA
// peak, measured here with independent FMA chains in vector registers: one
// roofline line per kernel.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"
#include "tools/lathe/TuningDB.h"

#include "passes/Pipelines.h"
#include "passes/fusion/Fusion.h"
#include "runtime/JIT.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

using namespace llvm;

namespace lathe::cli {

namespace {
using Clock = std::chrono::steady_clock;

/// Independent FMA chains, enough to cover the FMA latency on every port.
constexpr int kChains = 12;
constexpr int64_t kPeakIterations = 1 << 20;

#if defined(__x86_64__)
__attribute__((target("avx512f"))) float fmaChains512() {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(static_cast<float>(c));
  __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < kPeakIterations; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  float sum = 0;
  for (int c = 0; c < kChains; ++c)
    sum += _mm512_reduce_add_ps(acc[c]);
  return sum;
}

__attribute__((target("avx2,fma"))) float fmaChains256() {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm256_set1_ps(static_cast<float>(c));
  __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < kPeakIterations; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  alignas(32) float lanes[8];
  float sum = 0;
  for (int c = 0; c < kChains; ++c) {
    _mm256_store_ps(lanes, acc[c]);
    for (float v : lanes)
      sum += v;
  }
  return sum;
}
#elif defined(__aarch64__)
float fmaChains128() {
  float32x4_t acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = vdupq_n_f32(static_cast<float>(c));
  float32x4_t a = vdupq_n_f32(0.999999f), b = vdupq_n_f32(1e-6f);
  for (int64_t i = 0; i < kPeakIterations; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = vfmaq_f32(b, acc[c], a);
  float sum = 0;
  for (int c = 0; c < kChains; ++c)
    sum += vaddvq_f32(acc[c]);
  return sum;
}
#endif

} // namespace

std::pair<double, int> measureFmaPeak() {
  float (*chains)() = nullptr;
  int bits = 0;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    chains = fmaChains512;
    bits = 512;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    chains = fmaChains256;
    bits = 256;
  }
#elif defined(__aarch64__)
  chains = fmaChains128;
  bits = 128;
#endif
  if (!chains)
    return {0.0, 0};
  double best = 0;
  volatile float sink = 0;
  for (int rep = 0; rep < 5; ++rep) {
    Clock::time_point start = Clock::now();
    sink = sink + chains();
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    double flops = 2.0 * kChains * (bits / 32) * kPeakIterations;
    best = std::max(best, flops / seconds / 1e9);
  }
  return {best, bits};
}

std::string pretrainedCostModelPath() { return LATHE_PRETRAINED_COST_MODEL; }

namespace {

/// The options of `lathe bench`.
struct BenchOptions {
  BenchOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)),
        runs("runs",
             cl::desc("Timed runs of the model and of each kernel, after one "
                      "warm-up run; the median is reported (default 20)"),
             cl::init(20), cl::sub(sub), cl::cat(category)),
        threads("threads",
                cl::desc("Threads that run the parallel loops of kernels "
                         "(default 1); % peak is then of N times the "
                         "one-thread FMA peak"),
                cl::value_desc("N"), cl::init(1), cl::sub(sub),
                cl::cat(category)),
        json("json",
             cl::desc("Print the report as one JSON object (nothing else on "
                      "stdout)"),
             cl::init(false), cl::sub(sub), cl::cat(category)),
        tuning(sub, category) {}

  cl::list<std::string> inputShapes;
  cl::opt<unsigned> runs;
  cl::opt<unsigned> threads;
  cl::opt<bool> json;
  TuningDBOptions tuning;
};

/// Median seconds of `runs` runs of `model` (after one warm-up) on zeroed
/// inputs.
Expected<double> timeModel(JITModel &model, unsigned runs) {
  std::vector<std::vector<uint8_t>> in, out;
  for (const TensorSpec &spec : model.inputs())
    in.emplace_back(spec.numBytes(), 0);
  for (const TensorSpec &spec : model.outputs())
    out.emplace_back(spec.numBytes(), 0);
  std::vector<const void *> inPtrs;
  std::vector<void *> outPtrs;
  for (auto &b : in)
    inPtrs.push_back(b.data());
  for (auto &b : out)
    outPtrs.push_back(b.data());
  if (Error err = model.run(inPtrs, outPtrs))
    return std::move(err);
  std::vector<double> times;
  for (unsigned i = 0; i < std::max(1u, runs); ++i) {
    Clock::time_point start = Clock::now();
    if (Error err = model.run(inPtrs, outPtrs))
      return std::move(err);
    times.push_back(
        std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// One line of the report.
struct KernelTiming {
  fusion::KernelSummary summary;
  double seconds = 0;
};

int runBench(const BenchOptions &o, StringRef modelPath) {
  mlir::DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto module = importModel("bench", modelPath, o.inputShapes, ctx);
  if (failed(module))
    return 1;
  auto fail = [&](const Twine &message) {
    errs() << "lathe bench: " << modelPath << ": " << message << "\n";
    return 1;
  };

  // The kernels, as `lathe compile` forms them for the host.
  CPUPipelineOptions options;
  setHostScheduleTarget(options);
  mlir::OwningOpRef<mlir::ModuleOp> fused = (**module).clone();
  {
    mlir::PassManager pm(&ctx);
    buildCPUGraphPipeline(pm, options);
    buildFusionPipeline(pm);
    if (failed(pm.run(*fused)))
      return fail("kernel fusion failed");
  }
  auto main = fused->lookupSymbol<mlir::func::FuncOp>("main");
  if (!main)
    return fail("the imported module has no @main");
  SmallVector<mlir::func::FuncOp> kernels = fusion::getCalledKernels(main);

  if (o.threads < 1)
    return fail("--threads must be at least 1, got " +
                Twine(unsigned(o.threads)));
  mlir::FailureOr<std::string> tuningDB = resolveTuningDB(o.tuning, "bench");
  if (failed(tuningDB))
    return 1;
  JITOptions jitOptions;
  jitOptions.threads = o.threads.getValue();
  jitOptions.tuningDB = *tuningDB;

  // The peak of the threads the kernels may use: N times one core's (the
  // FMA loop runs on one thread).
  auto [threadPeak, peakBits] = measureFmaPeak();
  double peak = threadPeak * o.threads;

  // The whole model.
  mlir::OwningOpRef<mlir::ModuleOp> whole = (**module).clone();
  auto model = JITModel::compile(*whole, "main", jitOptions);
  if (!model)
    return fail(toString(model.takeError()));
  auto modelSeconds = timeModel(**model, o.runs);
  if (!modelSeconds)
    return fail(toString(modelSeconds.takeError()));

  SmallVector<KernelTiming> timings;
  for (mlir::func::FuncOp kernel : kernels) {
    KernelTiming timing;
    FailureOr<fusion::KernelSummary> summary = fusion::summarizeKernel(kernel);
    if (failed(summary))
      continue;
    timing.summary = std::move(*summary);
    mlir::OwningOpRef<mlir::ModuleOp> single =
        fusion::buildKernelModule(kernel);
    auto compiled = JITModel::compile(*single, "main", jitOptions);
    if (!compiled)
      return fail("kernel " + timing.summary.name + ": " +
                  toString(compiled.takeError()));
    auto seconds = timeModel(**compiled, o.runs);
    if (!seconds)
      return fail("kernel " + timing.summary.name + ": " +
                  toString(seconds.takeError()));
    timing.seconds = *seconds;
    timings.push_back(std::move(timing));
  }

  double kernelSum = 0;
  for (const KernelTiming &t : timings)
    kernelSum += t.seconds;
  auto gflops = [](int64_t flops, double seconds) {
    return seconds > 0 ? flops / seconds / 1e9 : 0.0;
  };

  if (o.json) {
    json::Array rows;
    for (const KernelTiming &t : timings) {
      json::Array ops;
      for (const std::string &op : t.summary.ops)
        ops.push_back(op);
      double g = gflops(t.summary.flops, t.seconds);
      rows.push_back(
          json::Object{{"name", t.summary.name},
                       {"workload", t.summary.workload},
                       {"ops", std::move(ops)},
                       {"flops", t.summary.flops},
                       {"bytes", t.summary.bytes},
                       {"median_us", t.seconds * 1e6},
                       {"gflops", g},
                       {"percent_of_peak", peak > 0 ? 100 * g / peak : 0.0}});
    }
    printJSON(json::Object{{"model", modelPath},
                           {"threads", int64_t(o.threads)},
                           {"fma_peak_gflops", peak},
                           {"fma_peak_gflops_per_thread", threadPeak},
                           {"fma_peak_vector_bits", peakBits},
                           {"model_median_ms", *modelSeconds * 1e3},
                           {"kernels_sum_ms", kernelSum * 1e3},
                           {"kernels", std::move(rows)}});
    return 0;
  }

  raw_ostream &os = outs();
  os << "model: " << modelPath << "\n";
  os << "FMA peak (measured, 1 thread, " << peakBits
     << "-bit vectors): " << format("%.1f", threadPeak) << " GFLOP/s";
  if (o.threads > 1)
    os << "; " << o.threads << " threads: " << format("%.1f", peak)
       << " GFLOP/s";
  os << "\n";
  os << "model: median " << format("%.3f", *modelSeconds * 1e3) << " ms over "
     << o.runs << " runs; its " << timings.size()
     << " kernels alone: " << format("%.3f", kernelSum * 1e3) << " ms\n\n";
  SmallVector<SmallVector<std::string>> table;
  table.push_back(
      {"#", "kernel", "median us", "FLOPs", "GFLOP/s", "% peak", "ops"});
  for (auto [i, t] : llvm::enumerate(timings)) {
    double g = gflops(t.summary.flops, t.seconds);
    table.push_back({std::to_string(i), t.summary.name,
                     formatv("{0:F1}", t.seconds * 1e6).str(),
                     std::to_string(t.summary.flops),
                     formatv("{0:F2}", g).str(),
                     formatv("{0:F1}", peak > 0 ? 100 * g / peak : 0.0).str(),
                     llvm::join(t.summary.ops, " + ")});
  }
  printTable(os, table, {true, false, true, true, true, true, false});
  return 0;
}
} // namespace

Runner declareBench(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<BenchOptions>(sub, category);
  return [options](StringRef model) { return runBench(*options, model); };
}

} // namespace lathe::cli
