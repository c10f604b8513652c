//===- DB.cpp - lathe db --------------------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe db`: importing tuning records from JSON lines
// into the tuning database, exporting them, showing them as a table
// (docs/tuning-database.md describes the file and the JSON lines), and
// training the XGBoost cost model on the records' feature vectors
// (docs/cost-model.md), which is how cost_model/pretrained is made.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"

#include "autotune/Database.h"
#include "cost_model/AnalyticalModel.h"
#include "cost_model/XGBoostModel.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

using namespace llvm;
using lathe::autotune::TuningDatabase;
using lathe::autotune::TuningRecord;

namespace lathe::cli {

namespace {
/// The description of --db, naming the default database (cl::desc keeps a
/// reference: the text must outlive the option).
StringRef dbDescription() {
  static const std::string text =
      "The tuning database (default: " + TuningDatabase::defaultPath() + ")";
  return text;
}

/// The options of `lathe db`.
struct DBOptions {
  DBOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : files(cl::Positional,
              cl::desc("[<records.jsonl>...] (import: the JSON lines files to "
                       "import)"),
              cl::sub(sub), cl::cat(category)),
        db("db", cl::desc(dbDescription()), cl::value_desc("path"),
           cl::init(TuningDatabase::defaultPath()), cl::sub(sub),
           cl::cat(category)),
        output("o",
               cl::desc("export: the file to write the JSON lines to; '-' "
                        "is stdout (the default). train: the XGBoost JSON "
                        "model file to write (required)"),
               cl::value_desc("file"), cl::init("-"), cl::sub(sub),
               cl::cat(category)),
        workload("workload",
                 cl::desc("show: only the records of this workload key"),
                 cl::value_desc("key"), cl::sub(sub), cl::cat(category)),
        holdout("holdout",
                cl::desc("train: the fraction of the workloads held out to "
                         "measure the accuracy on (default 0.2; 0: train on "
                         "all, report the training accuracy only)"),
                cl::value_desc("fraction"), cl::init(0.2), cl::sub(sub),
                cl::cat(category)),
        seed("seed",
             cl::desc("train: seed of the choice of held-out workloads and "
                      "of XGBoost (default 0)"),
             cl::value_desc("N"), cl::init(0), cl::sub(sub), cl::cat(category)),
        target("target",
               cl::desc("train: only the records of this target key (e.g. "
                        "x86_64-unknown-linux-gnu/znver3/256; default: every "
                        "target)"),
               cl::value_desc("key"), cl::sub(sub), cl::cat(category)),
        rounds("rounds",
               cl::desc("train: boosting rounds, i.e. trees (default 100)"),
               cl::value_desc("N"), cl::init(100), cl::sub(sub),
               cl::cat(category)) {}

  cl::list<std::string> files;
  cl::opt<std::string> db;
  cl::opt<std::string> output;
  cl::opt<std::string> workload;
  cl::opt<double> holdout;
  cl::opt<unsigned> seed;
  cl::opt<std::string> target;
  cl::opt<unsigned> rounds;
};

/// Prints "lathe db: <message>" and returns the exit code of a failure.
int fail(const Twine &message) {
  errs() << "lathe db: " << message << "\n";
  return 1;
}

int fail(Error err) { return fail(toString(std::move(err))); }

/// `lathe db import <files>`: adds the records of each file, all or nothing
/// per file, and says how many were new.
int runImport(const DBOptions &o) {
  if (o.files.empty())
    return fail("import: expected the JSON lines files to import (lathe db "
                "import <records.jsonl>...)");
  auto db = TuningDatabase::open(o.db);
  if (!db)
    return fail(db.takeError());
  for (const std::string &file : o.files) {
    auto text = MemoryBuffer::getFileOrSTDIN(file, /*IsText=*/true);
    if (!text)
      return fail("cannot read '" + file + "': " + text.getError().message());
    Expected<size_t> added = (*db)->importJsonLines((*text)->getBuffer(), file);
    if (!added)
      return fail(added.takeError());
    outs() << "imported " << *added << " new record" << (*added == 1 ? "" : "s")
           << " from " << file << " into " << o.db << "\n";
  }
  return 0;
}

/// `lathe db export [-o file]`: every record as JSON lines.
int runExport(const DBOptions &o) {
  if (!o.files.empty())
    return fail("export: unexpected argument '" + o.files.front() +
                "' (write to a file with -o)");
  auto db = TuningDatabase::open(o.db, /*readOnly=*/true);
  if (!db)
    return fail(db.takeError());
  std::string error;
  auto out = mlir::openOutputFile(o.output, &error);
  if (!out)
    return fail(error);
  if (Error err = (*db)->exportJsonLines(out->os()))
    return fail(std::move(err));
  out->keep();
  return 0;
}

/// `lathe db show [--workload key]`: the records as a table, in the order
/// they were added.
int runShow(const DBOptions &o) {
  if (!o.files.empty())
    return fail("show: unexpected argument '" + o.files.front() + "'");
  auto db = TuningDatabase::open(o.db, /*readOnly=*/true);
  if (!db)
    return fail(db.takeError());
  Expected<std::vector<TuningRecord>> records = (*db)->allRecords();
  if (!records)
    return fail(records.takeError());

  SmallVector<SmallVector<std::string>> table;
  table.push_back({"workload", "target", "status", "median us", "config"});
  for (const TuningRecord &r : *records) {
    if (!o.workload.empty() && r.workloadKey != o.workload)
      continue;
    std::string median;
    if (r.status == autotune::TrialStatus::Ok)
      raw_string_ostream(median) << format("%.2f", r.medianUs);
    else
      median = "-";
    table.push_back({r.workloadKey, r.target,
                     autotune::stringifyTrialStatus(r.status).str(), median,
                     r.config});
  }
  outs() << o.db << ": " << table.size() - 1 << " record"
         << (table.size() == 2 ? "" : "s")
         << (o.workload.empty() ? "" : " of workload " + o.workload) << "\n";
  if (table.size() > 1)
    printTable(outs(), table, {false, false, false, true, false});
  return 0;
}

/// The ranking data `lathe db train` takes from a database: one group per
/// (workload, target) with at least two distinct latencies, and what was
/// left out and why.
struct TrainingData {
  /// The records in groups, group by group, groups in key order.
  std::vector<cost_model::RankingRecord> records;
  /// The group keys, sorted; records of group i are groupRecords[i].
  std::vector<std::string> groups;
  std::vector<std::vector<size_t>> groupRecords;
  /// Records left out: failed trials, Ok ones without features, Ok ones
  /// with features of another version (or length), records of other
  /// targets (with --target), and records of groups with one distinct
  /// latency (nothing to rank).
  size_t failed = 0, noFeatures = 0, otherVersion = 0, otherTarget = 0,
         unrankable = 0;
  /// Groups with usable records but one distinct latency.
  size_t unrankableGroups = 0;
};

/// Reads the records of `db` `lathe db train` learns from (see
/// TrainingData): Ok records with features of the current version, of
/// `target` unless it is empty. A record's throughput is
/// cost_model::throughputOfLatency of its median.
Expected<TrainingData> readTrainingData(TuningDatabase &db, StringRef target) {
  Expected<std::vector<TuningRecord>> all = db.allRecords();
  if (!all)
    return all.takeError();
  TrainingData data;
  // Groups in key order: the split then does not depend on the order the
  // records were added in.
  std::map<std::string, std::vector<cost_model::RankingRecord>> byGroup;
  for (TuningRecord &r : *all) {
    if (!target.empty() && r.target != target) {
      ++data.otherTarget;
      continue;
    }
    if (r.status != autotune::TrialStatus::Ok) {
      ++data.failed;
      continue;
    }
    if (r.features.empty()) {
      ++data.noFeatures;
      continue;
    }
    if (r.featuresVersion != cost_model::KernelFeatures::kVersion ||
        r.features.size() != cost_model::KernelFeatures::size()) {
      ++data.otherVersion;
      continue;
    }
    // The same workload on two targets is two groups: its schedules rank
    // differently there. (A target key has no space; a workload key
    // neither.)
    byGroup[r.workloadKey + " " + r.target].push_back(
        {r.workloadKey + " " + r.target, std::move(r.features),
         cost_model::throughputOfLatency(r.medianUs)});
  }
  for (auto &[key, records] : byGroup) {
    std::set<double> throughputs;
    for (const cost_model::RankingRecord &r : records)
      throughputs.insert(r.throughput);
    if (throughputs.size() < 2) {
      data.unrankable += records.size();
      ++data.unrankableGroups;
      continue;
    }
    data.groups.push_back(key);
    std::vector<size_t> &indices = data.groupRecords.emplace_back();
    for (cost_model::RankingRecord &r : records) {
      indices.push_back(data.records.size());
      data.records.push_back(std::move(r));
    }
  }
  return data;
}

/// The records of the groups `groups` (indices into data.groups).
std::vector<cost_model::RankingRecord> recordsOf(const TrainingData &data,
                                                 ArrayRef<size_t> groups) {
  std::vector<cost_model::RankingRecord> records;
  for (size_t g : groups)
    for (size_t i : data.groupRecords[g])
      records.push_back(data.records[i]);
  return records;
}

/// `n thing` or `n things`.
std::string plural(size_t n, StringRef thing) {
  return std::to_string(n) + " " + thing.str() + (n == 1 ? "" : "s");
}

/// An accuracy as a table cell: three decimals, "-" for none.
std::string accuracyCell(std::optional<double> accuracy) {
  if (!accuracy || std::isnan(*accuracy))
    return "-";
  std::string text;
  raw_string_ostream(text) << format("%.3f", *accuracy);
  return text;
}

/// pairwiseAccuracy of the XGBoost `model` on `records`.
Expected<double> accuracyOf(const cost_model::XGBoostModel &model,
                            ArrayRef<cost_model::RankingRecord> records) {
  std::vector<std::vector<float>> rows;
  rows.reserve(records.size());
  for (const cost_model::RankingRecord &r : records)
    rows.push_back(r.features);
  Expected<std::vector<double>> scores = model.predict(rows);
  if (!scores)
    return scores.takeError();
  return cost_model::pairwiseAccuracy(records, *scores);
}

/// `lathe db train -o model.json`: trains the XGBoost ranker on the
/// database's feature vectors, reports its pairwise ranking accuracy on the
/// training workloads and on held-out ones (and the analytical model's, as
/// the baseline), then saves a model trained on all workloads.
int runTrain(const DBOptions &o) {
  using cost_model::KernelFeatures;
  using cost_model::RankingRecord;
  if (!o.files.empty())
    return fail("train: unexpected argument '" + o.files.front() +
                "' (write the model with -o)");
  if (!o.output.getNumOccurrences() || o.output.empty() || o.output == "-")
    return fail("train: expected the model file to write (lathe db train -o "
                "<model.json>)");
  if (!(o.holdout >= 0 && o.holdout < 1))
    return fail("train: --holdout must be at least 0 and less than 1 (the "
                "fraction of workloads held out), not " +
                formatv("{0}", o.holdout.getValue()));
  if (o.rounds < 1)
    return fail("train: --rounds must be at least 1");

  auto db = TuningDatabase::open(o.db, /*readOnly=*/true);
  if (!db)
    return fail(db.takeError());
  Expected<TrainingData> read = readTrainingData(**db, o.target);
  if (!read)
    return fail(read.takeError());
  TrainingData &data = *read;
  std::string ofTarget =
      o.target.empty() ? std::string() : " of target " + o.target;
  if (data.records.empty() && data.unrankable == 0)
    return fail("train: no records with features of version " +
                Twine(KernelFeatures::kVersion) + " (" +
                Twine(KernelFeatures::size()) + " values)" + ofTarget + " in " +
                o.db + ": run lathe tune first");
  size_t numGroups = data.groups.size();
  if (numGroups < 2)
    return fail("train: only " + plural(numGroups, "workload") + ofTarget +
                " in " + o.db + (numGroups == 1 ? " has" : " have") +
                " records of 2 or more distinct latencies (a ranking to "
                "learn); training needs 2 or more: tune more kernels first");

  // The model file is written last, through a temporary file beside it and
  // a rename, so that a failure leaves no half-written model; making that
  // file now finds an unwritable path before any training.
  std::string modelPath = o.output;
  if (sys::fs::is_directory(modelPath))
    return fail("train: cannot write the model to '" + modelPath +
                "': it is a directory");
  SmallString<256> tempPath;
  int tempFD = -1;
  if (std::error_code ec = sys::fs::createUniqueFile(modelPath + ".tmp-%%%%%%",
                                                     tempFD, tempPath))
    return fail("train: cannot write the model to '" + modelPath +
                "': " + ec.message());
  sys::fs::closeFile(tempFD);
  FileRemover removeTemp(tempPath);

  // Split by workload: a seeded shuffle of the sorted groups (Fisher-Yates
  // over mt19937_64, both fully specified, so a seed gives the same split
  // everywhere); the first `heldOut` are held out.
  std::vector<size_t> order(numGroups);
  for (size_t i = 0; i < numGroups; ++i)
    order[i] = i;
  std::mt19937_64 rng(o.seed);
  for (size_t i = numGroups - 1; i > 0; --i)
    std::swap(order[i], order[rng() % (i + 1)]);
  size_t heldOut = 0;
  if (o.holdout > 0)
    heldOut = std::clamp<size_t>(std::llround(o.holdout * numGroups), 1,
                                 numGroups - 1);
  std::vector<size_t> testGroups(order.begin(), order.begin() + heldOut);
  std::vector<size_t> trainGroups(order.begin() + heldOut, order.end());
  std::vector<RankingRecord> train = recordsOf(data, trainGroups);
  std::vector<RankingRecord> test = recordsOf(data, testGroups);

  raw_ostream &os = outs();
  os << "lathe db train: " << o.db << ": "
     << plural(data.records.size(), "record") << ofTarget << " in "
     << plural(numGroups, "group")
     << " (a group: one workload on one target), features of version "
     << KernelFeatures::kVersion << " (" << KernelFeatures::size()
     << " values)\n";
  os << "  skipped: " << data.failed << " failed, " << data.noFeatures
     << " without features, " << data.otherVersion
     << " of another feature version, " << data.unrankable << " in "
     << plural(data.unrankableGroups, "group") << " with a single latency";
  if (!o.target.empty())
    os << ", " << data.otherTarget << " of other targets";
  os << "\n";
  if (heldOut)
    os << "  split (--holdout " << format("%g", o.holdout.getValue())
       << ", --seed " << o.seed << "): train on "
       << plural(trainGroups.size(), "group") << " ("
       << plural(train.size(), "record") << "), hold out " << heldOut << " ("
       << plural(test.size(), "record") << ")\n";
  else
    os << "  no split (--holdout 0): train on all "
       << plural(numGroups, "group") << " (" << plural(train.size(), "record")
       << "); the accuracy is on the training data only\n";
  os.flush();

  cost_model::XGBoostParams params;
  params.rounds = o.rounds;
  params.seed = static_cast<int>(o.seed);
  auto model = cost_model::XGBoostModel::train(train, params);
  if (!model)
    return fail(model.takeError());
  Expected<double> trainAccuracy = accuracyOf(**model, train);
  if (!trainAccuracy)
    return fail(trainAccuracy.takeError());
  std::optional<double> testAccuracy;
  if (heldOut) {
    Expected<double> accuracy = accuracyOf(**model, test);
    if (!accuracy)
      return fail(accuracy.takeError());
    testAccuracy = *accuracy;
  }
  // The baseline: the roofline of the default machine (one AVX-512 core).
  cost_model::AnalyticalModel analytical;
  Expected<double> analyticalTrain =
      cost_model::pairwiseAccuracy(analytical, train);
  if (!analyticalTrain)
    return fail(analyticalTrain.takeError());
  std::optional<double> analyticalTest;
  if (heldOut) {
    Expected<double> accuracy = cost_model::pairwiseAccuracy(analytical, test);
    if (!accuracy)
      return fail(accuracy.takeError());
    analyticalTest = *accuracy;
  }

  std::string xgboostName = "xgboost (" + plural(params.rounds, "round") + ")";
  os << "pairwise ranking accuracy:\n";
  printTable(
      os,
      {{"model", "train", "held out"},
       {xgboostName, accuracyCell(*trainAccuracy), accuracyCell(testAccuracy)},
       {"analytical", accuracyCell(*analyticalTrain),
        accuracyCell(analyticalTest)}},
      {false, true, true});

  // The model that ships learns from every workload; the accuracy above
  // is that of the same training on fewer.
  if (heldOut) {
    model = cost_model::XGBoostModel::train(data.records, params);
    if (!model)
      return fail(model.takeError());
  }
  if (Error err = (*model)->save(tempPath))
    return fail(std::move(err));
  if (std::error_code ec = sys::fs::rename(tempPath, modelPath))
    return fail("train: cannot write the model to '" + modelPath +
                "': " + ec.message());
  removeTemp.releaseFile();
  os << "saved " << xgboostName << " to " << modelPath << ", "
     << (heldOut ? "retrained on all " : "trained on all ")
     << plural(numGroups, "group") << " ("
     << plural(data.records.size(), "record") << ")\n";
  return 0;
}

int runDB(const DBOptions &o, StringRef action) {
  if (action == "import")
    return runImport(o);
  if (action == "export")
    return runExport(o);
  if (action == "show")
    return runShow(o);
  if (action == "train")
    return runTrain(o);
  if (action.empty())
    return fail("expected an action: import, export, show or train (lathe db "
                "<action> [options])");
  return fail("unknown action '" + action +
              "' (the actions: import, export, show, train)");
}
} // namespace

Runner declareDB(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<DBOptions>(sub, category);
  return [options](StringRef action) { return runDB(*options, action); };
}

} // namespace lathe::cli
