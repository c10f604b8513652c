//===- Tuner.h - Tuning a model's kernel schedules --------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares tuneModel, what `lathe tune` runs: it forms a model's
// kernels as `lathe compile` does, groups them into tasks by workload key,
// and searches each task's `#sched.config` space (SearchSpace.h) with an
// evolutionary search that ranks candidates with a cost model
// (cost_model/CostModel.h) and measures the most promising in a child
// process (Measure.h), recording every measurement in the tuning database
// (Database.h). A task scheduler spends the budget where it reduces the
// model's estimated latency most. docs/autotune.md describes the algorithm
// for users.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_AUTOTUNE_TUNER_H
#define LATHE_AUTOTUNE_TUNER_H

#include "autotune/Database.h"
#include "autotune/Measure.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace lathe::autotune {

/// Where a tuning run stands; passed to TuneOptions::progress after every
/// measurement.
struct TuneProgress {
  /// Trials measured so far (failed ones included).
  int64_t trials = 0;
  /// The model's estimated latency (the sum of its kernels' best latencies)
  /// with the best configs so far, and with the default configs, in µs.
  double bestEstimateUs = 0, defaultEstimateUs = 0;
  double elapsedSeconds = 0;
  /// Estimated seconds left in the budget.
  double etaSeconds = 0;
  /// The kernel being tuned.
  std::string kernel;
};

/// How tuneModel searches.
struct TuneOptions {
  /// The budget: wall-clock seconds, trials, or both (whichever ends
  /// first); at least one must be positive.
  double timeBudgetSeconds = 0;
  int64_t trialBudget = 0;
  /// Threads the kernels run on while measured (JITOptions::threads).
  unsigned threads = 1;
  /// Candidates the cost model ranks per round of a task.
  unsigned candidatesPerRound = 128;
  /// Threads that extract candidates' features (each in an MLIR context of
  /// its own); measurements always run alone.
  unsigned featureThreads = 1;
  /// Candidates measured per round of a task.
  unsigned measurementsPerRound = 8;
  /// The share of each round's measurements picked at random among the
  /// ranked candidates rather than by score (exploration).
  double epsilon = 0.2;
  /// Tune workloads that already have records in the database; otherwise
  /// they are reused as they are, with no new trials.
  bool retune = false;
  /// How each candidate is timed; the timeout applies to each.
  MeasureOptions measure;
  /// Time every run with the kernel's data out of the core's caches
  /// (MeasureOptions::flushBytes: four times the host's L2) rather than
  /// warm from the previous run. Off by default: on ResNet-50, configs
  /// that won with cold caches (1.2-1.6x per kernel) ran no faster, or
  /// slower, in the model, where warm timings agreed with the model.
  bool coldCaches = false;
  /// The XGBoost model to start from (e.g. the pretrained one); empty: the
  /// analytical model until enough measurements to train one.
  std::string costModelPath;
  /// Measurements (with features) after which the tuner trains its own
  /// model, retrained after every round.
  unsigned minTrainingRecords = 32;
  /// The FMA peak of the threads in GFLOP/s: a kernel near it has little
  /// left to gain (the scheduler's roofline cap); 0: no cap.
  double peakGflops = 0;
  /// Tune only the kernels with these names or workload keys (empty: all);
  /// the others are left out of the run and its estimate.
  std::vector<std::string> onlyKernels;
  /// Seed of the search's random choices.
  uint64_t seed = 1;
  /// Recorded with every measurement (`git describe` of the compiler).
  std::string compilerVersion;
  /// Called after every measurement.
  std::function<void(const TuneProgress &)> progress;
  /// Called with a line for a user to read on what the tuner does (a
  /// kernel that cannot be tuned, the cost model in use).
  std::function<void(const std::string &)> log;
};

/// What became of one task: a kernel workload of the model.
struct TaskReport {
  /// The first kernel with this workload, its workload key and fused ops.
  std::string kernel, workload, ops;
  /// How many of the model's kernels have this workload.
  int64_t uses = 0;
  /// Median latency of one run with the default config and with the best
  /// config found (µs); NaN when unknown.
  double defaultUs = 0, bestUs = 0;
  /// Trials measured in this run, and how many of them failed.
  int64_t trials = 0, failed = 0;
  /// Records of earlier runs were reused (no trials).
  bool reused = false;
  /// Has a config space (an anchor op the tuner knows).
  bool tunable = false;
  /// Why a kernel is not tunable, or how its tuning ended early.
  std::string note;
};

/// What a tuning run did.
struct TuneReport {
  std::vector<TaskReport> tasks;
  int64_t trials = 0;
  /// The model's estimated latency (µs) after each trial: (trials, µs),
  /// starting with (0, the default configs' estimate).
  std::vector<std::pair<int64_t, double>> curve;
  double seconds = 0;
  /// The cost model ranking at the end ("analytical", "xgboost", ...).
  std::string costModel;
  /// Candidates ranked, and seconds spent computing their features.
  int64_t candidatesRanked = 0;
  double featureSeconds = 0;
};

/// Tunes the kernels of `model` (an imported nn module; not changed) on the
/// host, recording every measurement in `db`. Fails when the model cannot
/// be compiled or the database cannot be written.
llvm::Expected<TuneReport> tuneModel(mlir::ModuleOp model, TuningDatabase &db,
                                     const TuneOptions &options);

} // namespace lathe::autotune

#endif // LATHE_AUTOTUNE_TUNER_H
