//===- XGBoostModel.h - Learned ranker of schedules -------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares XGBoostModel, a gradient-boosted tree ranker (XGBoost's
// C API, objective rank:pairwise) trained on measured schedules: each group
// of RankingRecords is one workload, and the model learns which of its
// schedules run faster. Models are saved as XGBoost JSON, with the
// KernelFeatures version and vector length as booster attributes
// (`lathe_feature_version`, `lathe_num_features`); loading refuses a model
// of another version.
//
// Training, prediction and saving are deterministic for fixed parameters
// (one thread and a fixed seed by default). A model is not thread-safe:
// XGBoost keeps prediction buffers in the booster.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_COST_MODEL_XGBOOSTMODEL_H
#define LATHE_COST_MODEL_XGBOOSTMODEL_H

#include "cost_model/CostModel.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lathe::cost_model {

/// Training parameters (XGBoost's names in brackets).
struct XGBoostParams {
  /// Boosting rounds: trees in the model.
  int rounds = 100;
  /// Depth of each tree [max_depth].
  int maxDepth = 6;
  /// Learning rate [eta].
  double eta = 0.3;
  /// Threads [nthread]; 1 keeps training bit-for-bit reproducible.
  int threads = 1;
  /// Random seed [seed].
  int seed = 0;
  /// More booster parameters, set after the ones above (e.g.
  /// {"subsample", "0.8"}); the objective is always rank:pairwise.
  std::vector<std::pair<std::string, std::string>> extra;
};

/// A trained XGBoost ranker of KernelFeatures vectors.
class XGBoostModel : public CostModel {
public:
  ~XGBoostModel() override;
  XGBoostModel(const XGBoostModel &) = delete;
  XGBoostModel &operator=(const XGBoostModel &) = delete;

  /// Trains a ranker with objective rank:pairwise, one query group per
  /// distinct RankingRecord::group (records need not be sorted). Labels are
  /// the throughputs scaled by their group's largest. All feature vectors
  /// must have one length.
  static llvm::Expected<std::unique_ptr<XGBoostModel>>
  train(llvm::ArrayRef<RankingRecord> records,
        const XGBoostParams &params = {});

  /// Loads a model `save` wrote. Fails, naming `path`, if the file cannot
  /// be read, is not XGBoost JSON, or was trained on another feature
  /// version.
  static llvm::Expected<std::unique_ptr<XGBoostModel>>
  load(llvm::StringRef path);

  /// Writes the model to `path` as XGBoost JSON; fails naming the file.
  llvm::Error save(llvm::StringRef path) const;

  /// Scores of feature vectors (numFeatures() long), higher = faster.
  llvm::Expected<std::vector<double>>
  predict(llvm::ArrayRef<std::vector<float>> rows) const;

  /// predict on the candidates' vectors.
  llvm::Expected<std::vector<double>>
  score(llvm::ArrayRef<KernelFeatures> candidates) const override;
  llvm::StringRef name() const override { return "xgboost"; }

  /// Length of the feature vectors the model was trained on.
  size_t numFeatures() const { return featureCount; }

private:
  XGBoostModel(void *booster, size_t featureCount)
      : booster(booster), featureCount(featureCount) {}

  /// XGBoost's BoosterHandle.
  void *booster;
  size_t featureCount;
};

} // namespace lathe::cost_model

#endif // LATHE_COST_MODEL_XGBOOSTMODEL_H
