//===- Tuner.cpp - Tuning a model's kernel schedules ----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements tuneModel. One round of a task:
//  1. a population: the task's best measured configs, its default, and in
//     its first round the best configs of similar workloads in the database
//     (same anchor op, valid in this task's space);
//  2. candidates: mutations and crossovers of the population and random
//     points of the space, never one measured before;
//  3. each candidate is scheduled and bufferized, its features extracted
//     and scored by the cost model;
//  4. the best-scored candidates are measured, plus a random share of the
//     rest (epsilon-greedy), each compiled by the JIT and run in a child
//     process, its output checked against the default schedule's;
//  5. every measurement becomes a database record, and the cost model is
//     retrained on all measurements with features.
// The scheduler gives every task one round, then the next round to the
// task with the largest expected gain: uses x best latency x potential,
// where potential is the relative gain of its last two rounds, at least
// 0.1 / its rounds so far, capped by the gap to its FMA roofline. A
// candidate is timed alone, and again when it seems the task's fastest.
//
//===----------------------------------------------------------------------===//

#include "autotune/Tuner.h"
#include "autotune/SearchSpace.h"

#include "codegen/Target.h"
#include "codegen/cpu/CPUCodegen.h"
#include "cost_model/AnalyticalModel.h"
#include "cost_model/XGBoostModel.h"
#include "dialects/nn/NNDialect.h"
#include "dialects/sched/SchedDialect.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"
#include "passes/fusion/Fusion.h"
#include "passes/schedule/Schedule.h"
#include "runtime/JIT.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

using namespace mlir;
using namespace lathe;
using namespace lathe::autotune;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace {
using Clock = std::chrono::steady_clock;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Output tolerance of a candidate against the default schedule: a tiled
/// reduction sums in another order.
constexpr double kRelativeTolerance = 1e-3;

Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string printConfig(sched::ConfigAttr config) {
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::Attribute(config).print(os);
  return text;
}

/// One workload of the model.
struct Task {
  TaskReport report;
  std::string kernelName;
  int64_t flops = 0;
  /// The kernel alone (buildKernelModule), on nn ops, as MLIR bytecode:
  /// each round works in a context of its own (Workspace).
  std::string bytecode;
  std::optional<SearchSpace> space;
  std::string defaultText;
  /// Inputs the kernel is run on, and the default schedule's outputs with
  /// the largest magnitude of each (f32; else 0).
  std::vector<std::vector<uint8_t>> inputs, reference;
  std::vector<double> referencePeaks;
  std::vector<TensorSpec> outputSpecs;
  /// Configs tried (text), failed ones included.
  std::set<std::string> tried;
  /// Ok measurements, fastest first: (median µs, config).
  std::vector<std::pair<double, std::string>> ranked;
  /// Configs of similar workloads to try first.
  std::vector<sched::ConfigAttr> seeds;
  int rounds = 0;
  /// Best latency after each round.
  std::vector<double> history;
  bool exhausted = false;

  double best() const {
    double b = report.defaultUs;
    if (!ranked.empty())
      b = std::min(b, ranked.front().first);
    return b;
  }
  bool active() const { return report.tunable && !report.reused && !exhausted; }
};

/// Random inputs of `specs`: floats uniform in [-1, 1], other types zero
/// (an index input must stay in range).
std::vector<std::vector<uint8_t>> makeInputs(llvm::ArrayRef<TensorSpec> specs,
                                             std::mt19937_64 &rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<std::vector<uint8_t>> buffers;
  for (const TensorSpec &spec : specs) {
    std::vector<uint8_t> bytes(spec.numBytes(), 0);
    if (spec.dtype == DType::f32) {
      auto *data = reinterpret_cast<float *>(bytes.data());
      for (int64_t i = 0; i < spec.numElements(); ++i)
        data[i] = uniform(rng);
    } else if (spec.dtype == DType::f64) {
      auto *data = reinterpret_cast<double *>(bytes.data());
      for (int64_t i = 0; i < spec.numElements(); ++i)
        data[i] = uniform(rng);
    }
    buffers.push_back(std::move(bytes));
  }
  return buffers;
}

/// A task's kernel in a context of its own, on nn ops and lowered to linalg
/// (unscheduled). Every candidate's packed weights are new attributes,
/// which a context keeps until it is destroyed: a workspace lives for one
/// round, so the tuner's memory does not grow with its trials.
struct Workspace {
  /// The bytecode the kernel was read from: its weights' blobs may point
  /// into it, so it lives as long as the context (declared first, it is
  /// destroyed last).
  std::unique_ptr<llvm::SourceMgr> source;
  std::unique_ptr<MLIRContext> ctx;
  OwningOpRef<ModuleOp> kernel, linalg;
};

class Tuner {
public:
  Tuner(ModuleOp model, TuningDatabase &db, const TuneOptions &options)
      : model(model), ctx(model.getContext()), db(db), options(options),
        rng(options.seed), host(codegen::detectHost()),
        targetKey(codegen::tuningKey(host)) {}

  Expected<TuneReport> run();

private:
  Error formTasks();
  Expected<Workspace> openWorkspace(const Task &task);
  Error prepareTask(Task &task);
  Error loadCostModel();
  Error runRound(Task &task);
  Task *nextTask();

  /// Compiles `task` with `config` (empty: the default schedule) and
  /// measures it; a config that does not compile is a CompileError.
  Expected<Measurement> measure(Task &task, Workspace &ws,
                                const std::string &config);
  /// Adds the record of one measurement of `config` (its status and note
  /// as given) to the database, keeps an Ok one with features as training
  /// data, and counts the trial.
  Error record(Task &task, const std::string &config,
               const Measurement &measured, TrialStatus status,
               const std::string &note,
               const std::optional<cost_model::KernelFeatures> &features);
  /// Measures and records one candidate of `task`.
  Error trial(Task &task, Workspace &ws, sched::ConfigAttr config,
              std::optional<cost_model::KernelFeatures> features);
  /// The features of `task` scheduled with `config`.
  Expected<cost_model::KernelFeatures> featuresOf(Task &task, Workspace &ws,
                                                  const std::string &config);
  Error retrain();

  double estimateUs(bool best) const;
  bool budgetLeft() const;
  double elapsed() const {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
  void log(const std::string &line) const {
    if (options.log)
      options.log(line);
  }
  void reportProgress(const Task &task);

  ModuleOp model;
  MLIRContext *ctx;
  TuningDatabase &db;
  const TuneOptions &options;
  std::mt19937_64 rng;
  codegen::TargetSpec host;
  std::string targetKey;
  Clock::time_point start;

  std::vector<Task> tasks;
  std::unique_ptr<cost_model::CostModel> costModel;
  std::string costModelName;
  std::vector<cost_model::RankingRecord> training;
  size_t trainedOn = 0;
  TuneReport result;
};

Error Tuner::formTasks() {
  CPUPipelineOptions pipeline;
  codegen::cpu::setScheduleTarget(pipeline, host);
  OwningOpRef<ModuleOp> fused = model.clone();
  {
    PassManager pm(ctx);
    buildCPUGraphPipeline(pm, pipeline);
    buildFusionPipeline(pm);
    if (failed(pm.run(*fused)))
      return makeError("kernel fusion failed");
  }
  auto main = fused->lookupSymbol<func::FuncOp>("main");
  if (!main)
    return makeError("the model has no @main");
  // The selected workloads: those of the kernels named (every kernel of
  // such a workload counts as a use).
  std::set<std::string> selected;
  for (func::FuncOp kernel : fusion::getCalledKernels(main))
    if (FailureOr<fusion::KernelSummary> summary =
            fusion::summarizeKernel(kernel);
        succeeded(summary) &&
        (llvm::is_contained(options.onlyKernels, summary->name) ||
         llvm::is_contained(options.onlyKernels, summary->workload)))
      selected.insert(summary->workload);
  std::map<std::string, size_t> byWorkload;
  for (func::FuncOp kernel : fusion::getCalledKernels(main)) {
    FailureOr<fusion::KernelSummary> summary = fusion::summarizeKernel(kernel);
    if (failed(summary) || summary->workload.empty())
      continue;
    if (!options.onlyKernels.empty() && !selected.count(summary->workload))
      continue;
    auto [it, inserted] =
        byWorkload.try_emplace(summary->workload, tasks.size());
    if (!inserted) {
      ++tasks[it->second].report.uses;
      continue;
    }
    Task task;
    task.report.kernel = summary->name;
    task.report.workload = summary->workload;
    task.report.ops = llvm::join(summary->ops, " + ");
    task.report.uses = 1;
    task.kernelName = summary->name;
    task.flops = summary->flops;
    OwningOpRef<ModuleOp> alone = fusion::buildKernelModule(kernel);
    {
      llvm::raw_string_ostream os(task.bytecode);
      if (failed(writeBytecodeToFile(*alone, os)))
        return makeError("kernel " + task.kernelName +
                         " could not be written as bytecode");
      os.flush();
    }
    tasks.push_back(std::move(task));
  }
  return Error::success();
}

Expected<Workspace> Tuner::openWorkspace(const Task &task) {
  Workspace ws;
  DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  registry.insert<nn::NNDialect, sched::SchedDialect>();
  ws.ctx =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  ws.ctx->loadAllAvailableDialects();
  ParserConfig config(ws.ctx.get());
  // Bytecode aligns the weights' blobs to the start of its buffer, which
  // must itself be aligned.
  std::unique_ptr<llvm::WritableMemoryBuffer> buffer =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(
          task.bytecode.size(), task.kernelName, llvm::Align(4096));
  llvm::copy(task.bytecode, buffer->getBufferStart());
  ws.source = std::make_unique<llvm::SourceMgr>();
  ws.source->AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  ws.kernel = parseSourceFile<ModuleOp>(*ws.source, config);
  if (!ws.kernel)
    return makeError("kernel " + task.kernelName + " could not be read back");
  ws.linalg = ws.kernel->clone();
  CPUPipelineOptions pipeline;
  codegen::cpu::setScheduleTarget(pipeline, host);
  ScopedDiagnosticHandler quiet(ws.ctx.get(),
                                [](Diagnostic &) { return success(); });
  PassManager pm(ws.ctx.get());
  buildNNToLinalgPipeline(pm, pipeline.im2colMinFilters);
  if (failed(pm.run(*ws.linalg)))
    return makeError("kernel " + task.kernelName +
                     " could not be lowered to linalg");
  return ws;
}

Error Tuner::prepareTask(Task &task) {
  TaskReport &report = task.report;
  report.defaultUs = report.bestUs = std::nan("");

  // The anchor and its default config, from the kernel lowered to linalg.
  Expected<Workspace> opened = openWorkspace(task);
  if (!opened)
    return opened.takeError();
  Workspace &ws = *opened;
  CPUPipelineOptions pipeline;
  codegen::cpu::setScheduleTarget(pipeline, host);
  OwningOpRef<ModuleOp> scheduled = ws.linalg->clone();
  {
    PassManager pm(ws.ctx.get());
    addDefaultSchedulePass(pm, pipeline);
    if (failed(pm.run(*scheduled)))
      return makeError("the default schedule failed on " + task.kernelName);
  }
  auto kernel = scheduled->lookupSymbol<func::FuncOp>(task.kernelName);
  linalg::LinalgOp anchor =
      kernel ? schedule::getTunableAnchor(kernel) : linalg::LinalgOp();
  auto config =
      anchor
          ? anchor->getAttrOfType<sched::ConfigAttr>(schedule::kConfigAttrName)
          : sched::ConfigAttr();
  std::optional<AnchorInfo> info =
      anchor ? AnchorInfo::of(anchor) : std::nullopt;
  if (!anchor)
    report.note = "no op with a reduction: not tuned";
  else if (!config)
    report.note =
        "no default config for " + anchor->getName().getStringRef().str();
  else if (!info)
    report.note = "dynamic loops";
  // The space lives in the tuner's context, beyond this workspace.
  if (config)
    config = dyn_cast_or_null<sched::ConfigAttr>(
        parseAttribute(printConfig(config), ctx));
  if (anchor && config && info) {
    SpaceTarget target;
    target.vectorBits = pipeline.vectorBits;
    target.vectorRegisters = pipeline.vectorRegisters;
    target.cores = options.threads;
    task.space.emplace(*info, config, target);
    if (std::optional<std::string> why = task.space->check(config)) {
      report.note = "the default config is outside the search space: " + *why;
      task.space.reset();
    } else if (task.space->numKnobs() == 0) {
      report.note = "nothing to tune";
      task.space.reset();
    }
  }
  report.tunable = task.space.has_value();
  if (report.tunable)
    task.defaultText = printConfig(task.space->getDefault());

  // Workloads with records are reused as they are.
  if (report.tunable && !options.retune) {
    auto records = db.records(report.workload, targetKey);
    if (!records)
      return records.takeError();
    for (const TuningRecord &r : *records) {
      if (r.status != TrialStatus::Ok)
        continue;
      report.reused = true;
      if (r.config == task.defaultText)
        report.defaultUs = std::isnan(report.defaultUs)
                               ? r.medianUs
                               : std::min(report.defaultUs, r.medianUs);
      report.bestUs = std::isnan(report.bestUs)
                          ? r.medianUs
                          : std::min(report.bestUs, r.medianUs);
    }
    if (report.reused) {
      report.note = "reused " + std::to_string(records->size()) +
                    (records->size() == 1 ? " record" : " records") +
                    " of earlier runs";
      return Error::success();
    }
  }

  // The default schedule: the reference output and the first measurement.
  Expected<Measurement> measured = measure(task, ws, "");
  if (!measured)
    return measured.takeError();
  if (measured->status != TrialStatus::Ok) {
    report.note = "the default schedule failed: " + measured->note;
    report.tunable = false;
    return Error::success();
  }
  report.defaultUs = report.bestUs = measured->medianUs;
  task.reference = std::move(measured->outputs);
  for (auto [spec, bytes] : llvm::zip(task.outputSpecs, task.reference)) {
    double peak = 0;
    if (spec.dtype == DType::f32) {
      const auto *ref = reinterpret_cast<const float *>(bytes.data());
      for (int64_t e = 0; e < spec.numElements(); ++e)
        peak = std::max(peak, double(std::abs(ref[e])));
    }
    task.referencePeaks.push_back(peak);
  }
  // Retuning goes on from the workload's earlier records: none is measured
  // again, and the best are the first round's parents.
  if (report.tunable && options.retune) {
    auto records = db.records(report.workload, targetKey);
    if (!records)
      return records.takeError();
    for (const TuningRecord &r : *records) {
      task.tried.insert(r.config);
      if (r.status == TrialStatus::Ok && r.config != task.defaultText)
        task.ranked.insert(
            llvm::lower_bound(task.ranked,
                              std::make_pair(r.medianUs, r.config)),
            {r.medianUs, r.config});
    }
  }
  if (report.tunable) {
    task.tried.insert(task.defaultText);
    std::optional<cost_model::KernelFeatures> features;
    if (Expected<cost_model::KernelFeatures> f =
            featuresOf(task, ws, task.defaultText))
      features = *f;
    else
      llvm::consumeError(f.takeError());
    if (Error err = record(task, task.defaultText, *measured, TrialStatus::Ok,
                           "default schedule", features))
      return err;
  }
  return Error::success();
}

Expected<Measurement> Tuner::measure(Task &task, Workspace &ws,
                                     const std::string &config) {
  OwningOpRef<ModuleOp> module = ws.kernel->clone();
  JITOptions jit;
  jit.threads = options.threads;
  if (!config.empty())
    jit.configs[task.report.workload] = config;
  Expected<std::unique_ptr<JITModel>> compiled = [&] {
    ScopedDiagnosticHandler quiet(ws.ctx.get(),
                                  [](Diagnostic &) { return success(); });
    return JITModel::compile(*module, "main", jit);
  }();
  if (!compiled) {
    Measurement failed;
    failed.status = TrialStatus::CompileError;
    failed.note = llvm::toString(compiled.takeError());
    return failed;
  }
  std::unique_ptr<JITModel> kernel = std::move(*compiled);
  if (task.inputs.empty() && !kernel->inputs().empty())
    task.inputs = makeInputs(kernel->inputs(), rng);
  task.outputSpecs.assign(kernel->outputs().begin(), kernel->outputs().end());
  std::vector<const void *> inPtrs;
  for (auto &b : task.inputs)
    inPtrs.push_back(b.data());
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<void *> outPtrs;
  for (const TensorSpec &spec : kernel->outputs())
    outputs.emplace_back(spec.numBytes(), 0);
  for (auto &b : outputs)
    outPtrs.push_back(b.data());
  std::vector<llvm::MutableArrayRef<uint8_t>> outRefs(outputs.begin(),
                                                      outputs.end());
  MeasureOptions measureOptions = options.measure;
  if (options.coldCaches)
    measureOptions.flushBytes = 4 * host.l2Bytes;

  // A candidate that seems faster than the task's best is timed again in a
  // new child and keeps the slower of the two medians: medians drift +-8%
  // between processes, and the fastest of many is an optimistic pick.
  auto timeAlone = [&] {
    return measureInChild([&] { return kernel->run(inPtrs, outPtrs); }, outRefs,
                          measureOptions);
  };
  Expected<Measurement> measured = timeAlone();
  if (config.empty() || !measured || measured->status != TrialStatus::Ok ||
      measured->medianUs >= task.best())
    return measured;
  Expected<Measurement> again = timeAlone();
  if (!again || again->status != TrialStatus::Ok)
    return again;
  if (again->medianUs > measured->medianUs) {
    again->minUs = std::min(again->minUs, measured->minUs);
    again->maxUs = std::max(again->maxUs, measured->maxUs);
    return again;
  }
  return measured;
}

Expected<cost_model::KernelFeatures>
Tuner::featuresOf(Task &task, Workspace &ws, const std::string &config) {
  OwningOpRef<ModuleOp> module = ws.linalg->clone();
  CPUPipelineOptions pipeline;
  codegen::cpu::setScheduleTarget(pipeline, host);
  pipeline.givenConfigs = std::make_shared<std::map<std::string, std::string>>(
      std::map<std::string, std::string>{{task.report.workload, config}});
  std::string diagnostics;
  {
    ScopedDiagnosticHandler capture(ws.ctx.get(), [&](Diagnostic &diag) {
      if (diagnostics.empty())
        diagnostics = diag.str();
      return success();
    });
    PassManager pm(ws.ctx.get());
    buildCPUKernelLoweringPipeline(pm, pipeline);
    if (failed(pm.run(*module)))
      return makeError("the schedule failed: " + diagnostics);
  }
  auto kernel = module->lookupSymbol<func::FuncOp>(task.kernelName);
  if (!kernel)
    return makeError("the kernel is gone after lowering");
  cost_model::CacheModel caches;
  caches.l1Bytes = host.l1Bytes;
  caches.l2Bytes = host.l2Bytes;
  caches.l3Bytes = host.l3Bytes;
  caches.vectorBits = host.vectorBits;
  caches.cores = options.threads;
  return cost_model::extractFeatures(kernel, caches);
}

Error Tuner::trial(Task &task, Workspace &ws, sched::ConfigAttr config,
                   std::optional<cost_model::KernelFeatures> features) {
  std::string text = printConfig(config);
  task.tried.insert(text);
  Expected<Measurement> measured = measure(task, ws, text);
  if (!measured)
    return measured.takeError();
  TrialStatus status = measured->status;
  std::string note = measured->note;
  if (status == TrialStatus::Ok) {
    // The output must be the default schedule's.
    for (size_t i = 0; i < task.reference.size(); ++i) {
      if (i >= measured->outputs.size()) {
        status = TrialStatus::WrongResult;
        note = "output " + std::to_string(i) + " is missing";
        break;
      }
      const TensorSpec &spec = task.outputSpecs[i];
      CompareOptions compare;
      compare.isFloat = spec.dtype == DType::f32 || spec.dtype == DType::f64 ||
                        spec.dtype == DType::f16;
      compare.elementBits = dtypeSize(spec.dtype) * 8;
      compare.rtol = kRelativeTolerance;
      // Elements near zero: an absolute tolerance of the output's scale.
      compare.atol = 1e-4 * task.referencePeaks[i] + 1e-6;
      if (std::optional<std::string> mismatch = compareOutput(
              i, measured->outputs[i], task.reference[i], compare)) {
        status = TrialStatus::WrongResult;
        note = *mismatch;
        break;
      }
    }
  }
  if (status == TrialStatus::Ok)
    task.ranked.insert(
        llvm::lower_bound(task.ranked,
                          std::make_pair(measured->medianUs, text)),
        {measured->medianUs, text});
  else
    ++task.report.failed;
  if (Error err = record(task, text, *measured, status, note, features))
    return err;
  result.curve.push_back({result.trials, estimateUs(/*best=*/true)});
  reportProgress(task);
  return Error::success();
}

Error Tuner::record(Task &task, const std::string &config,
                    const Measurement &measured, TrialStatus status,
                    const std::string &note,
                    const std::optional<cost_model::KernelFeatures> &features) {
  TuningRecord record;
  record.workloadKey = task.report.workload;
  record.target = targetKey;
  record.config = config;
  record.status = status;
  record.note = note;
  if (status == TrialStatus::Ok) {
    record.medianUs = measured.medianUs;
    record.minUs = measured.minUs;
    record.maxUs = measured.maxUs;
    record.repeats = measured.repeats;
  }
  record.featuresVersion = cost_model::KernelFeatures::kVersion;
  if (features)
    record.features = features->toVector();
  record.compilerVersion = options.compilerVersion;
  record.unixTime = std::time(nullptr);
  if (Expected<int64_t> id = db.add(record); !id)
    return id.takeError();
  if (status == TrialStatus::Ok && features)
    training.push_back({task.report.workload, record.features,
                        cost_model::throughputOfLatency(measured.medianUs)});
  ++task.report.trials;
  ++result.trials;
  return Error::success();
}

Error Tuner::loadCostModel() {
  cost_model::MachineModel machine;
  machine.cores = options.threads;
  Expected<std::unique_ptr<cost_model::CostModel>> loaded =
      cost_model::createCostModel(options.costModelPath, machine);
  if (!loaded)
    return loaded.takeError();
  costModel = std::move(*loaded);
  costModelName = options.costModelPath.empty()
                      ? std::string("analytical")
                      : "xgboost (" + options.costModelPath + ")";
  log("cost model: " + costModelName);

  // Earlier measurements with features of this version train the model too.
  auto records = db.allRecords();
  if (!records)
    return records.takeError();
  for (const TuningRecord &r : *records)
    if (r.target == targetKey && r.status == TrialStatus::Ok &&
        r.featuresVersion == cost_model::KernelFeatures::kVersion &&
        r.features.size() == cost_model::KernelFeatures::size())
      training.push_back({r.workloadKey, r.features,
                          cost_model::throughputOfLatency(r.medianUs)});
  return Error::success();
}

Error Tuner::retrain() {
  if (training.size() < options.minTrainingRecords ||
      training.size() == trainedOn)
    return Error::success();
  cost_model::XGBoostParams params;
  params.rounds = 50;
  params.seed = int(options.seed);
  Expected<std::unique_ptr<cost_model::XGBoostModel>> trained =
      cost_model::XGBoostModel::train(training, params);
  if (!trained)
    return trained.takeError();
  costModel = std::move(*trained);
  if (trainedOn == 0)
    log("cost model: xgboost, trained online (from " +
        std::to_string(training.size()) + " measurements)");
  costModelName = "xgboost (trained online on " +
                  std::to_string(training.size()) + " measurements)";
  trainedOn = training.size();
  return Error::success();
}

Error Tuner::runRound(Task &task) {
  const SearchSpace &space = *task.space;
  Expected<Workspace> opened = openWorkspace(task);
  if (!opened)
    return opened.takeError();
  Workspace &ws = *opened;
  // The population: the best measured configs, the default, and in the
  // first round similar workloads' best configs.
  std::vector<sched::ConfigAttr> population;
  auto parse = [&](const std::string &text) {
    return dyn_cast_or_null<sched::ConfigAttr>(parseAttribute(text, ctx));
  };
  for (size_t i = 0; i < task.ranked.size() && i < 8; ++i)
    if (sched::ConfigAttr c = parse(task.ranked[i].second))
      population.push_back(c);
  population.push_back(space.getDefault());

  // Candidates, never one tried before.
  std::vector<sched::ConfigAttr> candidates;
  std::set<std::string> seen(task.tried);
  auto add = [&](sched::ConfigAttr c) {
    std::string text = printConfig(c);
    if (seen.insert(text).second)
      candidates.push_back(c);
  };
  if (task.rounds == 0)
    for (sched::ConfigAttr seed : task.seeds)
      add(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  // Parents are biased to the fastest: the index is the smaller of two draws.
  auto parent = [&]() {
    std::uniform_int_distribution<size_t> index(0, population.size() - 1);
    return population[std::min(index(rng), index(rng))];
  };
  for (unsigned attempt = 0; candidates.size() < options.candidatesPerRound &&
                             attempt < 8 * options.candidatesPerRound;
       ++attempt) {
    double r = unit(rng);
    if (r < 0.6)
      add(space.mutate(parent(), rng));
    else if (r < 0.85)
      add(space.crossover(parent(), parent(), rng));
    else
      add(space.sample(rng));
  }
  if (candidates.empty()) {
    task.exhausted = true;
    task.report.note = "search space exhausted";
    return Error::success();
  }

  // Rank them.
  Clock::time_point featureStart = Clock::now();
  // Features on every core, each thread in a workspace of its own (the
  // candidates' texts printed here: the space's attributes live in the
  // tuner's context).
  std::vector<std::string> texts;
  for (sched::ConfigAttr c : candidates)
    texts.push_back(printConfig(c));
  std::vector<std::optional<cost_model::KernelFeatures>> extracted(
      candidates.size());
  std::vector<std::string> refusals(candidates.size());
  auto extract = [&](Workspace &w, size_t first, size_t step) {
    for (size_t i = first; i < texts.size() && budgetLeft(); i += step) {
      Expected<cost_model::KernelFeatures> f = featuresOf(task, w, texts[i]);
      if (f)
        extracted[i] = *f;
      else
        refusals[i] = llvm::toString(f.takeError());
    }
  };
  unsigned workers = std::max(
      1u, std::min<unsigned>(options.featureThreads, candidates.size()));
  std::vector<Workspace> helpers;
  for (unsigned w = 1; w < workers; ++w) {
    Expected<Workspace> extra = openWorkspace(task);
    if (!extra)
      return extra.takeError();
    helpers.push_back(std::move(*extra));
  }
  {
    std::vector<std::thread> threads;
    for (unsigned w = 1; w < workers; ++w)
      threads.emplace_back(extract, std::ref(helpers[w - 1]), w, workers);
    extract(ws, 0, workers);
    for (std::thread &t : threads)
      t.join();
  }
  if (!budgetLeft())
    return Error::success();
  std::vector<cost_model::KernelFeatures> features;
  std::vector<sched::ConfigAttr> ranked;
  std::string firstRefusal;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!extracted[i]) {
      // A config the schedule passes refuse: a measured failure is not
      // worth a trial.
      if (firstRefusal.empty())
        firstRefusal = texts[i] + ": " + refusals[i];
      task.tried.insert(texts[i]);
      continue;
    }
    features.push_back(*extracted[i]);
    ranked.push_back(candidates[i]);
  }
  result.featureSeconds +=
      std::chrono::duration<double>(Clock::now() - featureStart).count();
  result.candidatesRanked += ranked.size();
  if (ranked.empty()) {
    log("kernel " + task.kernelName + ": the schedule refused all " +
        std::to_string(candidates.size()) + " candidates of this round, e.g. " +
        firstRefusal);
    return Error::success();
  }
  Expected<std::vector<double>> scores = costModel->score(features);
  if (!scores)
    return scores.takeError();
  std::vector<size_t> order(ranked.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  // Seeds of similar workloads go first in the first round, then the
  // best-scored.
  std::set<std::string> seedTexts;
  if (task.rounds == 0)
    for (sched::ConfigAttr seed : task.seeds)
      seedTexts.insert(printConfig(seed));
  auto isSeed = [&](size_t i) {
    return seedTexts.count(printConfig(ranked[i])) != 0;
  };
  auto rest = std::stable_partition(order.begin(), order.end(), isSeed);
  std::stable_sort(rest, order.end(), [&](size_t a, size_t b) {
    return (*scores)[a] > (*scores)[b];
  });
  size_t measureCount =
      std::min<size_t>(options.measurementsPerRound, ranked.size());
  size_t explore = size_t(std::round(options.epsilon * measureCount));
  size_t exploit = measureCount - explore;
  // Exploration: random picks among the rest.
  if (order.size() > exploit) {
    std::shuffle(order.begin() + exploit, order.end(), rng);
  }
  for (size_t i = 0; i < measureCount; ++i) {
    if (!budgetLeft())
      break;
    size_t c = order[i];
    if (Error err = trial(task, ws, ranked[c], features[c]))
      return err;
  }
  ++task.rounds;
  task.history.push_back(task.best());
  return retrain();
}

Task *Tuner::nextTask() {
  // Every task's first round, the largest share of the latency first.
  Task *next = nullptr;
  for (Task &task : tasks)
    if (task.active() && task.rounds == 0 &&
        (!next ||
         task.report.uses * task.best() > next->report.uses * next->best()))
      next = &task;
  if (next)
    return next;
  // Then the largest expected gain.
  double bestGain = -1;
  double peak = options.peakGflops * 1e9;
  for (Task &task : tasks) {
    if (!task.active())
      continue;
    double best = task.best();
    double potential = 1.0;
    if (task.history.size() >= 2) {
      double before = task.history.size() >= 3
                          ? task.history[task.history.size() - 3]
                          : task.report.defaultUs;
      // What its last two rounds gained, or, where they gained little, an
      // allowance that shrinks with every round it has had: a kernel that
      // stopped improving yields to those tried less.
      potential = std::max(0.1 / task.rounds, (before - best) / best);
    }
    double roofline = peak > 0 ? task.flops / peak * 1e6 : 0;
    if (roofline > 0 && best > 0)
      potential = std::min(potential, std::max(0.0, 1.0 - roofline / best));
    double gain = task.report.uses * best * potential;
    if (gain > bestGain) {
      bestGain = gain;
      next = &task;
    }
  }
  return next;
}

double Tuner::estimateUs(bool best) const {
  double sum = 0;
  for (const Task &task : tasks) {
    double us = best ? (task.report.reused ? task.report.bestUs : task.best())
                     : task.report.defaultUs;
    if (!std::isnan(us))
      sum += task.report.uses * us;
  }
  return sum;
}

bool Tuner::budgetLeft() const {
  if (options.timeBudgetSeconds > 0 && elapsed() >= options.timeBudgetSeconds)
    return false;
  if (options.trialBudget > 0 && result.trials >= options.trialBudget)
    return false;
  return true;
}

void Tuner::reportProgress(const Task &task) {
  if (!options.progress)
    return;
  TuneProgress p;
  p.trials = result.trials;
  p.bestEstimateUs = estimateUs(true);
  p.defaultEstimateUs = estimateUs(false);
  p.elapsedSeconds = elapsed();
  double eta = kInf;
  if (options.timeBudgetSeconds > 0)
    eta = std::max(0.0, options.timeBudgetSeconds - p.elapsedSeconds);
  if (options.trialBudget > 0 && result.trials > 0)
    eta = std::min(
        eta, p.elapsedSeconds / result.trials *
                 std::max<int64_t>(0, options.trialBudget - result.trials));
  p.etaSeconds = eta;
  p.kernel = task.kernelName;
  options.progress(p);
}

Expected<TuneReport> Tuner::run() {
  if (options.timeBudgetSeconds <= 0 && options.trialBudget <= 0)
    return makeError("no budget: give a time or a trial count");
  start = Clock::now();
  ctx->getOrLoadDialect<sched::SchedDialect>();
  if (Error err = formTasks())
    return std::move(err);
  if (tasks.empty())
    return makeError(options.onlyKernels.empty()
                         ? "the model has no kernels"
                         : "no kernel of the model has the given names or "
                           "workload keys");
  if (Error err = loadCostModel())
    return std::move(err);

  // Similar workloads: the best config of every workload in the database.
  std::map<std::string, std::pair<double, std::string>> bestByWorkload;
  if (auto records = db.allRecords()) {
    for (const TuningRecord &r : *records)
      if (r.target == targetKey && r.status == TrialStatus::Ok) {
        auto [it, inserted] =
            bestByWorkload.try_emplace(r.workloadKey, r.medianUs, r.config);
        if (!inserted && r.medianUs < it->second.first)
          it->second = {r.medianUs, r.config};
      }
  } else {
    return records.takeError();
  }

  for (Task &task : tasks) {
    if (Error err = prepareTask(task))
      return std::move(err);
    if (!task.active())
      continue;
    for (auto &[workload, entry] : bestByWorkload) {
      if (workload == task.report.workload)
        continue;
      auto c = dyn_cast_or_null<sched::ConfigAttr>(
          parseAttribute(entry.second, ctx));
      if (c && !task.space->check(c))
        task.seeds.push_back(c);
    }
    if (task.seeds.size() > 4)
      task.seeds.resize(4);
  }
  result.curve.push_back({0, estimateUs(false)});

  while (budgetLeft()) {
    Task *task = nextTask();
    if (!task)
      break;
    if (Error err = runRound(*task))
      return std::move(err);
  }

  for (Task &task : tasks) {
    if (!task.report.reused)
      task.report.bestUs = task.best();
    result.tasks.push_back(task.report);
  }
  result.seconds = elapsed();
  result.costModel = costModelName;
  return result;
}
} // namespace

Expected<TuneReport> autotune::tuneModel(ModuleOp model, TuningDatabase &db,
                                         const TuneOptions &options) {
  Tuner tuner(model, db, options);
  return tuner.run();
}
