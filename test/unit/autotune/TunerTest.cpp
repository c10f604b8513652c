//===- TunerTest.cpp - Tests of tuneModel ---------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// tuneModel on a model of one matmul + relu kernel: the budget, the records
// it writes (with features), the report and its curve, the reuse of a
// workload's records by a later run, and its errors.
//
//===----------------------------------------------------------------------===//

#include "autotune/Tuner.h"

#include "codegen/Target.h"
#include "cost_model/Features.h"
#include "dialects/nn/NNDialect.h"
#include "passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cmath>
#include <set>

using namespace lathe;
using namespace lathe::autotune;

namespace {
constexpr const char *kModel = R"mlir(
  func.func @main(%x: tensor<64x96xf32>, %w: tensor<96x128xf32>) -> tensor<64x128xf32> {
    %0 = nn.matmul %x, %w : (tensor<64x96xf32>, tensor<96x128xf32>) -> tensor<64x128xf32>
    %1 = nn.relu %0 : tensor<64x128xf32>
    return %1 : tensor<64x128xf32>
  })mlir";

class TunerTest : public ::testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    registerCPULoweringDependencies(registry);
    registry.insert<nn::NNDialect>();
    ctx = std::make_unique<mlir::MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
    module = mlir::parseSourceString<mlir::ModuleOp>(kModel, ctx.get());
    ASSERT_TRUE(module);
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("lathe-tuner-test", dir));
    auto opened = TuningDatabase::open((dir + "/tuning.db").str());
    ASSERT_TRUE(bool(opened)) << llvm::toString(opened.takeError());
    db = std::move(*opened);
  }
  void TearDown() override {
    db.reset();
    llvm::sys::fs::remove_directories(dir);
  }

  /// A small, quick search.
  static TuneOptions smallSearch(int64_t trials) {
    TuneOptions options;
    options.trialBudget = trials;
    options.candidatesPerRound = 16;
    options.measurementsPerRound = 4;
    options.measure.repeats = 3;
    options.minTrainingRecords = 6;
    return options;
  }

  std::unique_ptr<mlir::MLIRContext> ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  llvm::SmallString<128> dir;
  std::unique_ptr<TuningDatabase> db;
};

TEST_F(TunerTest, TunesWithinBudgetAndRecordsEveryTrial) {
  TuneOptions options = smallSearch(10);
  int progressCalls = 0;
  options.progress = [&](const TuneProgress &p) {
    ++progressCalls;
    EXPECT_GT(p.trials, 0);
    EXPECT_GT(p.bestEstimateUs, 0);
    EXPECT_LE(p.bestEstimateUs, p.defaultEstimateUs);
  };
  llvm::Expected<TuneReport> report = tuneModel(*module, *db, options);
  ASSERT_TRUE(bool(report)) << llvm::toString(report.takeError());

  ASSERT_EQ(report->tasks.size(), 1u);
  const TaskReport &task = report->tasks[0];
  EXPECT_TRUE(task.tunable) << task.note;
  EXPECT_FALSE(task.reused);
  EXPECT_EQ(task.uses, 1);
  EXPECT_EQ(task.ops, "nn.matmul + nn.relu");
  // The default's measurement, then rounds of 4 until the budget of 10.
  EXPECT_EQ(report->trials, 10);
  EXPECT_EQ(task.trials, 10);
  EXPECT_EQ(task.failed, 0);
  EXPECT_GT(task.defaultUs, 0);
  EXPECT_LE(task.bestUs, task.defaultUs);
  // Every trial after the default's reports progress.
  EXPECT_EQ(progressCalls, 9);
  EXPECT_GE(report->candidatesRanked, 9);

  // The curve: the default's estimate, then one point per trial, never up.
  ASSERT_EQ(report->curve.size(), 10u);
  EXPECT_EQ(report->curve.front().first, 0);
  EXPECT_DOUBLE_EQ(report->curve.front().second, task.defaultUs);
  for (size_t i = 1; i < report->curve.size(); ++i) {
    EXPECT_EQ(report->curve[i].first, int64_t(i + 1));
    EXPECT_LE(report->curve[i].second, report->curve[i - 1].second);
  }
  EXPECT_DOUBLE_EQ(report->curve.back().second, task.bestUs);

  // One record per trial, each with this version's features.
  auto records = db->allRecords();
  ASSERT_TRUE(bool(records)) << llvm::toString(records.takeError());
  ASSERT_EQ(records->size(), 10u);
  std::string target = codegen::tuningKey(codegen::detectHost());
  double best = INFINITY;
  for (const TuningRecord &r : *records) {
    EXPECT_EQ(r.workloadKey, task.workload);
    EXPECT_EQ(r.target, target);
    EXPECT_EQ(r.status, TrialStatus::Ok) << r.note;
    EXPECT_EQ(r.featuresVersion, cost_model::KernelFeatures::kVersion);
    EXPECT_EQ(r.features.size(), cost_model::KernelFeatures::size());
    EXPECT_GE(r.repeats, 3);
    EXPECT_NE(r.config.find("#sched.config<"), std::string::npos);
    best = std::min(best, r.medianUs);
  }
  EXPECT_EQ(records->front().note, "default schedule");
  EXPECT_DOUBLE_EQ(best, task.bestUs);
  // No config is measured twice.
  std::set<std::string> configs;
  for (const TuningRecord &r : *records)
    EXPECT_TRUE(configs.insert(r.config).second) << r.config;
}

TEST_F(TunerTest, ALaterRunReusesTheRecords) {
  llvm::Expected<TuneReport> first = tuneModel(*module, *db, smallSearch(6));
  ASSERT_TRUE(bool(first)) << llvm::toString(first.takeError());
  ASSERT_EQ(first->trials, 6);

  llvm::Expected<TuneReport> second = tuneModel(*module, *db, smallSearch(6));
  ASSERT_TRUE(bool(second)) << llvm::toString(second.takeError());
  ASSERT_EQ(second->tasks.size(), 1u);
  EXPECT_TRUE(second->tasks[0].reused);
  EXPECT_EQ(second->tasks[0].trials, 0);
  EXPECT_EQ(second->trials, 0);
  EXPECT_DOUBLE_EQ(second->tasks[0].bestUs, first->tasks[0].bestUs);
  EXPECT_DOUBLE_EQ(second->tasks[0].defaultUs, first->tasks[0].defaultUs);
  auto count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 6u);

  // --retune measures it again.
  TuneOptions retune = smallSearch(5);
  retune.retune = true;
  llvm::Expected<TuneReport> third = tuneModel(*module, *db, retune);
  ASSERT_TRUE(bool(third)) << llvm::toString(third.takeError());
  EXPECT_FALSE(third->tasks[0].reused);
  EXPECT_EQ(third->trials, 5);
  count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 11u);
}

TEST_F(TunerTest, SimilarWorkloadsSeedTheFirstRound) {
  llvm::Expected<TuneReport> first = tuneModel(*module, *db, smallSearch(10));
  ASSERT_TRUE(bool(first)) << llvm::toString(first.takeError());
  auto best = db->best(first->tasks[0].workload,
                       codegen::tuningKey(codegen::detectHost()));
  ASSERT_TRUE(bool(best) && *best);
  std::string bestConfig = (*best)->config;

  // The same layer twice as wide: another workload, in whose space the
  // first one's best config is valid (every tile still divides).
  mlir::OwningOpRef<mlir::ModuleOp> wider =
      mlir::parseSourceString<mlir::ModuleOp>(R"mlir(
    func.func @main(%x: tensor<64x96xf32>, %w: tensor<96x256xf32>) -> tensor<64x256xf32> {
      %0 = nn.matmul %x, %w : (tensor<64x96xf32>, tensor<96x256xf32>) -> tensor<64x256xf32>
      %1 = nn.relu %0 : tensor<64x256xf32>
      return %1 : tensor<64x256xf32>
    })mlir",
                                              ctx.get());
  ASSERT_TRUE(wider);
  llvm::Expected<TuneReport> second = tuneModel(*wider, *db, smallSearch(3));
  ASSERT_TRUE(bool(second)) << llvm::toString(second.takeError());
  ASSERT_EQ(second->tasks.size(), 1u);
  EXPECT_NE(second->tasks[0].workload, first->tasks[0].workload);
  auto records = db->records(second->tasks[0].workload,
                             codegen::tuningKey(codegen::detectHost()));
  ASSERT_TRUE(bool(records));
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].note, "default schedule");
  // Its first candidate measured is the other workload's best (unless that
  // is its default).
  if (bestConfig != (*records)[0].config)
    EXPECT_EQ((*records)[1].config, bestConfig);
}

TEST_F(TunerTest, Errors) {
  TuneOptions none;
  llvm::Expected<TuneReport> noBudget = tuneModel(*module, *db, none);
  ASSERT_FALSE(bool(noBudget));
  EXPECT_EQ(llvm::toString(noBudget.takeError()),
            "no budget: give a time or a trial count");

  TuneOptions unknown = smallSearch(4);
  unknown.onlyKernels = {"main_k9_nothing"};
  llvm::Expected<TuneReport> noKernel = tuneModel(*module, *db, unknown);
  ASSERT_FALSE(bool(noKernel));
  EXPECT_EQ(llvm::toString(noKernel.takeError()),
            "no kernel of the model has the given names or workload keys");

  TuneOptions badModel = smallSearch(4);
  badModel.costModelPath = (dir + "/missing.json").str();
  llvm::Expected<TuneReport> noModel = tuneModel(*module, *db, badModel);
  ASSERT_FALSE(bool(noModel));
  EXPECT_NE(llvm::toString(noModel.takeError()).find("missing.json"),
            std::string::npos);
  auto count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 0u);
}
} // namespace
