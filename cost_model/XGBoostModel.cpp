//===- XGBoostModel.cpp - Learned ranker of schedules ---------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements XGBoostModel on XGBoost's C API (1.7): a dense
// DMatrix with "label" and "group" info, rank:pairwise boosting round by
// round, PredictFromDMatrix, and JSON models saved and loaded through
// memory buffers so that the file name's extension does not choose the
// format and every file error names the file.
//
//===----------------------------------------------------------------------===//

#include "cost_model/XGBoostModel.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <string>

namespace lathe::cost_model {
namespace {

constexpr const char *kVersionAttr = "lathe_feature_version";
constexpr const char *kNumFeaturesAttr = "lathe_num_features";

llvm::Error xgboostError(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "cost model: " + what + ": " +
                                     XGBGetLastError());
}

llvm::Error error(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "cost model: " + what);
}

/// Owns a DMatrixHandle.
class Matrix {
public:
  ~Matrix() {
    if (handle)
      XGDMatrixFree(handle);
  }
  /// A dense matrix of `rows` rows of `cols` floats (row-major `data`).
  llvm::Error create(llvm::ArrayRef<float> data, size_t rows, size_t cols) {
    if (XGDMatrixCreateFromMat(data.data(), rows, cols, NAN, &handle) != 0)
      return xgboostError("cannot create a feature matrix");
    return llvm::Error::success();
  }
  DMatrixHandle handle = nullptr;
};

/// Owns a BoosterHandle until released.
class BoosterOwner {
public:
  ~BoosterOwner() {
    if (handle)
      XGBoosterFree(handle);
  }
  BoosterHandle release() {
    BoosterHandle h = handle;
    handle = nullptr;
    return h;
  }
  BoosterHandle handle = nullptr;
};

llvm::Error setParam(BoosterHandle booster, const std::string &key,
                     const std::string &value) {
  if (XGBoosterSetParam(booster, key.c_str(), value.c_str()) != 0)
    return xgboostError("cannot set parameter " + key + "=" + value);
  return llvm::Error::success();
}

} // namespace

XGBoostModel::~XGBoostModel() {
  if (booster)
    XGBoosterFree(booster);
}

llvm::Expected<std::unique_ptr<XGBoostModel>>
XGBoostModel::train(llvm::ArrayRef<RankingRecord> records,
                    const XGBoostParams &params) {
  if (records.empty())
    return error("no records to train on");
  size_t cols = records.front().features.size();
  if (cols == 0)
    return error("records have empty feature vectors");

  // XGBoost wants the rows of a group together: order groups by first
  // appearance, records within a group as given.
  llvm::StringMap<unsigned> groupIds;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < records.size(); ++i) {
    const RankingRecord &r = records[i];
    if (r.features.size() != cols)
      return error("record " + llvm::Twine(i) + " has " +
                   llvm::Twine(r.features.size()) + " features, record 0 " +
                   llvm::Twine(cols));
    if (!std::isfinite(r.throughput) || r.throughput < 0)
      return error("record " + llvm::Twine(i) +
                   " has a negative or non-finite throughput");
    auto [it, inserted] = groupIds.try_emplace(r.group, groups.size());
    if (inserted)
      groups.emplace_back();
    groups[it->second].push_back(i);
  }

  std::vector<float> data, labels;
  std::vector<unsigned> groupSizes;
  data.reserve(records.size() * cols);
  for (const std::vector<size_t> &group : groups) {
    double best = 0;
    for (size_t i : group)
      best = std::max(best, records[i].throughput);
    for (size_t i : group) {
      data.insert(data.end(), records[i].features.begin(),
                  records[i].features.end());
      labels.push_back(
          best > 0 ? static_cast<float>(records[i].throughput / best) : 0.f);
    }
    groupSizes.push_back(static_cast<unsigned>(group.size()));
  }

  Matrix matrix;
  if (llvm::Error err = matrix.create(data, records.size(), cols))
    return std::move(err);
  if (XGDMatrixSetFloatInfo(matrix.handle, "label", labels.data(),
                            labels.size()) != 0)
    return xgboostError("cannot set the labels");
  if (XGDMatrixSetUIntInfo(matrix.handle, "group", groupSizes.data(),
                           groupSizes.size()) != 0)
    return xgboostError("cannot set the groups");

  BoosterOwner owner;
  if (XGBoosterCreate(&matrix.handle, 1, &owner.handle) != 0)
    return xgboostError("cannot create a booster");
  std::vector<std::pair<std::string, std::string>> settings = {
      {"objective", "rank:pairwise"},
      {"tree_method", "hist"},
      {"verbosity", "0"},
      {"max_depth", std::to_string(params.maxDepth)},
      {"eta", std::to_string(params.eta)},
      {"nthread", std::to_string(params.threads)},
      {"seed", std::to_string(params.seed)},
  };
  settings.insert(settings.end(), params.extra.begin(), params.extra.end());
  // Whatever `extra` says, this is a ranker.
  settings.push_back({"objective", "rank:pairwise"});
  for (const auto &[key, value] : settings)
    if (llvm::Error err = setParam(owner.handle, key, value))
      return std::move(err);
  for (int round = 0; round < params.rounds; ++round)
    if (XGBoosterUpdateOneIter(owner.handle, round, matrix.handle) != 0)
      return xgboostError("boosting round " + llvm::Twine(round) + " failed");
  if (XGBoosterSetAttr(owner.handle, kVersionAttr,
                       std::to_string(KernelFeatures::kVersion).c_str()) != 0 ||
      XGBoosterSetAttr(owner.handle, kNumFeaturesAttr,
                       std::to_string(cols).c_str()) != 0)
    return xgboostError("cannot record the feature version");
  return std::unique_ptr<XGBoostModel>(new XGBoostModel(owner.release(), cols));
}

llvm::Error XGBoostModel::save(llvm::StringRef path) const {
  bst_ulong length = 0;
  const char *bytes = nullptr;
  if (XGBoosterSaveModelToBuffer(booster, R"({"format": "json"})", &length,
                                 &bytes) != 0)
    return xgboostError("cannot serialize the model for '" + path + "'");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return error("cannot write '" + path + "': " + ec.message());
  os.write(bytes, length);
  os.close();
  if (os.has_error()) {
    std::string message = os.error().message();
    os.clear_error();
    return error("cannot write '" + path + "': " + message);
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<XGBoostModel>>
XGBoostModel::load(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return error("cannot read '" + path + "': " + file.getError().message());
  llvm::StringRef text = (*file)->getBuffer();
  // XGBoost guesses the format from the first bytes and reports garbage
  // poorly: check that this is JSON first.
  if (llvm::Expected<llvm::json::Value> json = llvm::json::parse(text); !json)
    return error("'" + path + "' is not an XGBoost JSON model: " +
                 llvm::toString(json.takeError()));

  BoosterOwner owner;
  if (XGBoosterCreate(nullptr, 0, &owner.handle) != 0)
    return xgboostError("cannot create a booster");
  if (XGBoosterLoadModelFromBuffer(owner.handle, text.data(), text.size()) != 0)
    return xgboostError("XGBoost cannot load '" + path + "'");

  auto attribute = [&](const char *key) -> std::optional<std::string> {
    const char *value = nullptr;
    int found = 0;
    if (XGBoosterGetAttr(owner.handle, key, &value, &found) != 0 || !found ||
        !value)
      return std::nullopt;
    return std::string(value);
  };
  std::optional<std::string> version = attribute(kVersionAttr);
  if (!version)
    return error("'" + path + "' has no " + kVersionAttr +
                 " attribute: it is not a model Lathe trained");
  if (*version != std::to_string(KernelFeatures::kVersion))
    return error("'" + path + "' was trained on features of version " +
                 *version + "; this Lathe computes version " +
                 llvm::Twine(KernelFeatures::kVersion) + ": retrain it");
  bst_ulong count = 0;
  if (XGBoosterGetNumFeature(owner.handle, &count) != 0)
    return xgboostError("cannot read the feature count of '" + path + "'");
  if (std::optional<std::string> recorded = attribute(kNumFeaturesAttr)) {
    uint64_t n = 0;
    if (llvm::StringRef(*recorded).getAsInteger(10, n) || n == 0)
      return error("'" + path + "' has a bad " + kNumFeaturesAttr + ": '" +
                   *recorded + "'");
    count = n;
  }
  for (auto [key, value] : {std::pair{"nthread", "1"}, {"verbosity", "0"}})
    if (llvm::Error err = setParam(owner.handle, key, value))
      return std::move(err);
  return std::unique_ptr<XGBoostModel>(
      new XGBoostModel(owner.release(), count));
}

llvm::Expected<std::vector<double>>
XGBoostModel::predict(llvm::ArrayRef<std::vector<float>> rows) const {
  if (rows.empty())
    return std::vector<double>();
  std::vector<float> data;
  data.reserve(rows.size() * featureCount);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != featureCount)
      return error(
          "row " + llvm::Twine(i) + " has " + llvm::Twine(rows[i].size()) +
          " features; the model was trained on " + llvm::Twine(featureCount));
    data.insert(data.end(), rows[i].begin(), rows[i].end());
  }
  Matrix matrix;
  if (llvm::Error err = matrix.create(data, rows.size(), featureCount))
    return std::move(err);
  const bst_ulong *shape = nullptr;
  bst_ulong dims = 0;
  const float *result = nullptr;
  const char *config = R"({"type": 0, "training": false, "iteration_begin": 0,
                           "iteration_end": 0, "strict_shape": false})";
  if (XGBoosterPredictFromDMatrix(booster, matrix.handle, config, &shape, &dims,
                                  &result) != 0)
    return xgboostError("prediction failed");
  return std::vector<double>(result, result + rows.size());
}

llvm::Expected<std::vector<double>>
XGBoostModel::score(llvm::ArrayRef<KernelFeatures> candidates) const {
  std::vector<std::vector<float>> rows;
  rows.reserve(candidates.size());
  for (const KernelFeatures &f : candidates)
    rows.push_back(f.toVector());
  return predict(rows);
}

} // namespace lathe::cost_model
