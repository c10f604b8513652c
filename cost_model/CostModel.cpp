//===- CostModel.cpp - Ranking schedules by predicted speed ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the model-independent parts of CostModel.h: the
// pairwise ranking accuracy and the choice between a trained model and the
// analytical fallback.
//
//===----------------------------------------------------------------------===//

#include "cost_model/CostModel.h"

#include "cost_model/AnalyticalModel.h"
#include "cost_model/XGBoostModel.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>

namespace lathe::cost_model {

CostModel::~CostModel() = default;

double pairwiseAccuracy(llvm::ArrayRef<RankingRecord> records,
                        llvm::ArrayRef<double> scores) {
  llvm::StringMap<std::vector<size_t>> groups;
  std::vector<llvm::StringRef> order;
  for (size_t i = 0; i < records.size() && i < scores.size(); ++i) {
    auto [it, inserted] = groups.try_emplace(records[i].group);
    if (inserted)
      order.push_back(it->first());
    it->second.push_back(i);
  }
  double correct = 0, pairs = 0;
  for (llvm::StringRef name : order) {
    const std::vector<size_t> &group = groups[name];
    for (size_t x = 0; x < group.size(); ++x)
      for (size_t y = x + 1; y < group.size(); ++y) {
        size_t i = group[x], j = group[y];
        double measured = records[i].throughput - records[j].throughput;
        if (measured == 0)
          continue;
        double predicted = scores[i] - scores[j];
        pairs += 1;
        if (predicted == 0)
          correct += 0.5;
        else if ((predicted > 0) == (measured > 0))
          correct += 1;
      }
  }
  return pairs > 0 ? correct / pairs : std::nan("");
}

double throughputOfLatency(double medianUs) {
  return 1.0 / std::max(1e-3, medianUs);
}

llvm::Expected<double> pairwiseAccuracy(const CostModel &model,
                                        llvm::ArrayRef<RankingRecord> records) {
  std::vector<KernelFeatures> candidates;
  candidates.reserve(records.size());
  for (const RankingRecord &r : records) {
    llvm::Expected<KernelFeatures> f = KernelFeatures::fromVector(r.features);
    if (!f)
      return f.takeError();
    candidates.push_back(*f);
  }
  llvm::Expected<std::vector<double>> scores = model.score(candidates);
  if (!scores)
    return scores.takeError();
  return pairwiseAccuracy(records, *scores);
}

llvm::Expected<std::unique_ptr<CostModel>>
createCostModel(llvm::StringRef modelPath, const MachineModel &machine) {
  if (modelPath.empty())
    return std::make_unique<AnalyticalModel>(machine);
  llvm::Expected<std::unique_ptr<XGBoostModel>> model =
      XGBoostModel::load(modelPath);
  if (!model)
    return model.takeError();
  return std::unique_ptr<CostModel>(std::move(*model));
}

} // namespace lathe::cost_model
