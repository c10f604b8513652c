//===- CostModel.h - Ranking schedules by predicted speed -------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the interface the autotuner ranks candidate schedules
// through, with two implementations: the analytical roofline
// (AnalyticalModel.h), used when no model has been trained, and the XGBoost
// ranker trained on measurements (XGBoostModel.h). It also declares the
// training record and the pairwise ranking accuracy both are judged by.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_COST_MODEL_COSTMODEL_H
#define LATHE_COST_MODEL_COSTMODEL_H

#include "cost_model/Features.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace lathe::cost_model {

struct MachineModel;

/// A predictor of the relative speed of schedules of one kernel.
class CostModel {
public:
  virtual ~CostModel();

  /// One score per candidate, higher = predicted faster. Scores rank
  /// candidates of the same kernel; across kernels they mean nothing.
  virtual llvm::Expected<std::vector<double>>
  score(llvm::ArrayRef<KernelFeatures> candidates) const = 0;

  /// "analytical" or "xgboost".
  virtual llvm::StringRef name() const = 0;
};

/// One measured schedule: the training and evaluation data of rankers.
struct RankingRecord {
  /// The workload the schedule is for (e.g. the kernel's workload key):
  /// only records of one group are ranked against each other.
  std::string group;
  /// KernelFeatures::toVector() of the scheduled kernel.
  std::vector<float> features;
  /// Measured throughput (e.g. runs or GFLOP per second), higher = faster.
  double throughput = 0;
};

/// The throughput a ranker learns from a measured median latency in µs:
/// runs per µs (latencies under 1 ns count as 1 ns).
double throughputOfLatency(double medianUs);

/// The fraction of pairs of records of the same group with different
/// throughput whose `scores` are ordered like their throughputs (a tie in
/// score counts half). `scores[i]` belongs to `records[i]`. NaN when there
/// is no such pair.
double pairwiseAccuracy(llvm::ArrayRef<RankingRecord> records,
                        llvm::ArrayRef<double> scores);

/// pairwiseAccuracy of `model`'s scores of `records` (whose features must be
/// vectors of this KernelFeatures version).
llvm::Expected<double> pairwiseAccuracy(const CostModel &model,
                                        llvm::ArrayRef<RankingRecord> records);

/// The XGBoost model saved at `modelPath`, or, when the path is empty, the
/// analytical model of `machine`. Fails, naming the file, if it is missing,
/// corrupt or of another feature version.
llvm::Expected<std::unique_ptr<CostModel>>
createCostModel(llvm::StringRef modelPath, const MachineModel &machine);

} // namespace lathe::cost_model

#endif // LATHE_COST_MODEL_COSTMODEL_H
