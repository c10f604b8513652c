//===- ModelTest.cpp - Tests of the cost models ---------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// The analytical roofline on kernels whose order is obvious, and the
// XGBoost ranker on synthetic records whose throughput is a known function
// of their features: held-out ranking accuracy, save/load round trips, and
// the errors of bad model files.
//
//===----------------------------------------------------------------------===//

#include "cost_model/AnalyticalModel.h"
#include "cost_model/CostModel.h"
#include "cost_model/Features.h"
#include "cost_model/XGBoostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace lathe::cost_model;

namespace {

/// Features of the one function in `text`, with the default CacheModel.
KernelFeatures featuresOf(llvm::StringRef text) {
  mlir::DialectRegistry registry;
  registerFeatureDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module) {
    ADD_FAILURE() << "cannot parse the test kernel";
    return KernelFeatures();
  }
  llvm::Expected<KernelFeatures> f = extractFeatures(
      *module->getOps<mlir::func::FuncOp>().begin(), CacheModel());
  if (!f) {
    ADD_FAILURE() << llvm::toString(f.takeError());
    return KernelFeatures();
  }
  return *f;
}

//===----------------------------------------------------------------------===//
// The analytical model
//===----------------------------------------------------------------------===//

TEST(AnalyticalModelTest, VectorizedBeatsScalar) {
  // Both compute y = x * y + y over 1024 floats, 64 times: 131072 FLOPs on
  // 8 KiB that stay in L1.
  KernelFeatures vectorized = featuresOf(R"mlir(
func.func @v(%x: memref<1024xf32>, %y: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %rep = %c0 to %c64 step %c1 {
    scf.for %i = %c0 to %c1024 step %c16 {
      %a = vector.transfer_read %x[%i], %f0 {in_bounds = [true]} : memref<1024xf32>, vector<16xf32>
      %b = vector.transfer_read %y[%i], %f0 {in_bounds = [true]} : memref<1024xf32>, vector<16xf32>
      %r = vector.fma %a, %b, %b : vector<16xf32>
      vector.transfer_write %r, %y[%i] {in_bounds = [true]} : vector<16xf32>, memref<1024xf32>
    }
  }
  return
}
)mlir");
  KernelFeatures scalar = featuresOf(R"mlir(
func.func @s(%x: memref<1024xf32>, %y: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  scf.for %rep = %c0 to %c64 step %c1 {
    scf.for %i = %c0 to %c1024 step %c1 {
      %a = memref.load %x[%i] : memref<1024xf32>
      %b = memref.load %y[%i] : memref<1024xf32>
      %m = arith.mulf %a, %b : f32
      %r = arith.addf %m, %b : f32
      memref.store %r, %y[%i] : memref<1024xf32>
    }
  }
  return
}
)mlir");
  ASSERT_EQ(vectorized.flops, 64 * 2048);
  ASSERT_EQ(scalar.flops, 64 * 2048);
  ASSERT_EQ(vectorized.bytesRead, scalar.bytesRead);
  MachineModel machine;
  EXPECT_LT(estimateSeconds(vectorized, machine),
            estimateSeconds(scalar, machine));
  RooflineEstimate r = estimateRoofline(scalar, machine);
  EXPECT_EQ(r.seconds, r.compute); // The scalar kernel is compute bound.

  AnalyticalModel model(machine);
  llvm::Expected<std::vector<double>> scores =
      model.score({scalar, vectorized});
  ASSERT_TRUE(bool(scores));
  EXPECT_GT((*scores)[1], (*scores)[0]);
}

/// Reads 4096 rows of 256 floats, each with one FMA per element: from a
/// 1 KiB buffer (`rows` 1: the same row every time) or a 4 MiB one.
std::string streamKernel(int rows) {
  std::string type = "memref<" + std::to_string(rows) + "x256xf32>";
  std::string row = rows == 1 ? "%c0" : "%r";
  return R"mlir(
func.func @stream(%in: )mlir" +
         type + R"mlir(, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  %c4096 = arith.constant 4096 : index
  %f0 = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %sum = scf.for %r = %c0 to %c4096 step %c1 iter_args(%acc = %zero) -> vector<16xf32> {
    %s = scf.for %j = %c0 to %c256 step %c16 iter_args(%a = %acc) -> vector<16xf32> {
      %v = vector.transfer_read %in[)mlir" +
         row + R"mlir(, %j], %f0 {in_bounds = [true]} : )mlir" + type +
         R"mlir(, vector<16xf32>
      %n = vector.fma %v, %v, %a : vector<16xf32>
      scf.yield %n : vector<16xf32>
    }
    scf.yield %s : vector<16xf32>
  }
  vector.transfer_write %sum, %out[%c0] {in_bounds = [true]} : vector<16xf32>, memref<16xf32>
  return
}
)mlir";
}

TEST(AnalyticalModelTest, FitsL1BeatsStreamingFromDRAM) {
  KernelFeatures cached = featuresOf(streamKernel(1));
  KernelFeatures streaming = featuresOf(streamKernel(4096));
  ASSERT_EQ(cached.flops, streaming.flops);
  ASSERT_EQ(cached.bytesRead, streaming.bytesRead);
  EXPECT_EQ(cached.bytesFromDRAM, 256 * 4 + 16 * 4);
  EXPECT_EQ(streaming.bytesFromDRAM, 4096 * 256 * 4 + 16 * 4);
  MachineModel machine;
  EXPECT_LT(estimateSeconds(cached, machine),
            estimateSeconds(streaming, machine));
  RooflineEstimate r = estimateRoofline(streaming, machine);
  EXPECT_EQ(r.seconds, r.dram); // Memory bound.
}

TEST(AnalyticalModelTest, ParallelLoopsUseCores) {
  KernelFeatures f;
  f.flops = 1e9;
  f.vectorEfficiency = 1;
  f.parallelExtent = 3;
  MachineModel one, two;
  two.cores = 2;
  // Three chunks on two cores take two rounds: 1.5 cores' worth.
  EXPECT_DOUBLE_EQ(estimateSeconds(f, one) / estimateSeconds(f, two), 1.5);
}

//===----------------------------------------------------------------------===//
// Pairwise accuracy
//===----------------------------------------------------------------------===//

RankingRecord record(std::string group, double throughput) {
  RankingRecord r;
  r.group = std::move(group);
  r.throughput = throughput;
  return r;
}

TEST(PairwiseAccuracyTest, CountsOrderedPairsWithinGroups) {
  std::vector<RankingRecord> records = {
      record("a", 1),  record("a", 2), record("a", 3),
      record("b", 10), record("a", 3), // Same throughput as record 2: not a
                                       // pair.
  };
  // Pairs of group a with different throughput: (0,1) (0,2) (0,4) (1,2)
  // (1,4). The scores order (0,1) and (0,2) right, tie (0,4) and invert
  // (1,2) and (1,4).
  std::vector<double> scores = {0, 5, 4, 100, 0};
  EXPECT_DOUBLE_EQ(pairwiseAccuracy(records, scores), (2 + 0.5) / 5);
  EXPECT_TRUE(std::isnan(pairwiseAccuracy({record("a", 1), record("b", 2)},
                                          std::vector<double>{1, 2})));
}

//===----------------------------------------------------------------------===//
// The XGBoost ranker
//===----------------------------------------------------------------------===//

/// A deterministic generator (splitmix64), the same on every platform.
class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}
  /// Uniform in [0, 1).
  double next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
  }
  int pick(int n) { return static_cast<int>(next() * n); }

private:
  uint64_t state;
};

/// Synthetic measurements: `groups` workloads of `perGroup` schedules each.
/// A schedule's time is compute at a speed that grows with its vector width
/// plus its DRAM traffic at a fixed bandwidth; other fields are noise.
std::vector<RankingRecord> synthesize(int groups, int perGroup, uint64_t seed) {
  Random random(seed);
  std::vector<RankingRecord> records;
  for (int g = 0; g < groups; ++g) {
    double flops = 1e6 * (1 + 999 * random.next());
    for (int c = 0; c < perGroup; ++c) {
      KernelFeatures f;
      f.flops = flops;
      f.vectorWidth = 1 << random.pick(6); // 1 .. 32
      f.bytesFromDRAM = flops * (0.05 + 2 * random.next());
      f.unroll = 1 + random.pick(8);
      f.numLoops = 3 + random.pick(5);
      f.loops[0].tripCount = 1 + random.pick(64);
      f.buffers[0].readBytes = flops * random.next();
      double seconds = flops / (2e9 * f.vectorWidth) + f.bytesFromDRAM / 2e10;
      RankingRecord r;
      r.group = "workload" + std::to_string(g);
      r.features = f.toVector();
      r.throughput = flops / seconds;
      records.push_back(std::move(r));
    }
  }
  return records;
}

/// A temporary directory, removed at the end of the test.
class TempDir {
public:
  TempDir() {
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("lathe-cost-model", path))
      ADD_FAILURE() << "cannot create a temporary directory: " << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

private:
  llvm::SmallString<128> path;
};

/// Whether `err` is success; reports it otherwise.
bool succeeded(llvm::Error err) {
  if (!err)
    return true;
  ADD_FAILURE() << llvm::toString(std::move(err));
  return false;
}

void writeFile(const std::string &path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  os << text;
}

class XGBoostModelTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    train = synthesize(/*groups=*/40, /*perGroup=*/24, /*seed=*/1);
    heldOut = synthesize(/*groups=*/10, /*perGroup=*/24, /*seed=*/2);
    llvm::Expected<std::unique_ptr<XGBoostModel>> m =
        XGBoostModel::train(train);
    if (!m) {
      ADD_FAILURE() << llvm::toString(m.takeError());
      return;
    }
    model = std::move(*m);
  }
  static void TearDownTestSuite() { model.reset(); }

  static std::vector<RankingRecord> train, heldOut;
  static std::unique_ptr<XGBoostModel> model;
};

std::vector<RankingRecord> XGBoostModelTest::train;
std::vector<RankingRecord> XGBoostModelTest::heldOut;
std::unique_ptr<XGBoostModel> XGBoostModelTest::model;

std::vector<std::vector<float>> rowsOf(llvm::ArrayRef<RankingRecord> records) {
  std::vector<std::vector<float>> rows;
  for (const RankingRecord &r : records)
    rows.push_back(r.features);
  return rows;
}

TEST_F(XGBoostModelTest, RanksHeldOutWorkloads) {
  ASSERT_TRUE(model);
  EXPECT_EQ(model->numFeatures(), KernelFeatures::size());
  llvm::Expected<std::vector<double>> scores = model->predict(rowsOf(heldOut));
  ASSERT_TRUE(bool(scores)) << llvm::toString(scores.takeError());
  double accuracy = pairwiseAccuracy(heldOut, *scores);
  std::printf("pairwise accuracy on %zu held-out records: %.4f\n",
              heldOut.size(), accuracy);
  EXPECT_GT(accuracy, 0.9);

  // The same through the CostModel interface.
  llvm::Expected<double> viaInterface = pairwiseAccuracy(*model, heldOut);
  ASSERT_TRUE(bool(viaInterface));
  EXPECT_DOUBLE_EQ(*viaInterface, accuracy);
}

TEST_F(XGBoostModelTest, TrainingIsDeterministic) {
  ASSERT_TRUE(model);
  llvm::Expected<std::unique_ptr<XGBoostModel>> again =
      XGBoostModel::train(train);
  ASSERT_TRUE(bool(again));
  llvm::Expected<std::vector<double>> a = model->predict(rowsOf(heldOut));
  llvm::Expected<std::vector<double>> b = (*again)->predict(rowsOf(heldOut));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST_F(XGBoostModelTest, SaveAndLoadPredictTheSame) {
  ASSERT_TRUE(model);
  TempDir dir;
  std::string path = dir.file("model.json");
  ASSERT_TRUE(succeeded(model->save(path)));
  llvm::Expected<std::unique_ptr<XGBoostModel>> loaded =
      XGBoostModel::load(path);
  ASSERT_TRUE(bool(loaded)) << llvm::toString(loaded.takeError());
  EXPECT_EQ((*loaded)->numFeatures(), model->numFeatures());
  llvm::Expected<std::vector<double>> before = model->predict(rowsOf(heldOut));
  llvm::Expected<std::vector<double>> after =
      (*loaded)->predict(rowsOf(heldOut));
  ASSERT_TRUE(before && after);
  EXPECT_EQ(*before, *after);

  // The file is XGBoost JSON carrying the feature version.
  auto text = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(text));
  EXPECT_EQ((*text)->getBuffer().front(), '{');
  EXPECT_NE((*text)->getBuffer().find("\"lathe_feature_version\":\"1\""),
            llvm::StringRef::npos);

  // createCostModel loads it; without a path it falls back.
  llvm::Expected<std::unique_ptr<CostModel>> fromFile =
      createCostModel(path, MachineModel());
  ASSERT_TRUE(bool(fromFile));
  EXPECT_EQ((*fromFile)->name(), "xgboost");
  llvm::Expected<std::unique_ptr<CostModel>> fallback =
      createCostModel("", MachineModel());
  ASSERT_TRUE(bool(fallback));
  EXPECT_EQ((*fallback)->name(), "analytical");
}

/// The message of a failing load of `path`.
std::string loadError(const std::string &path) {
  llvm::Expected<std::unique_ptr<XGBoostModel>> m = XGBoostModel::load(path);
  if (m) {
    ADD_FAILURE() << "loading " << path << " was expected to fail";
    return "";
  }
  return llvm::toString(m.takeError());
}

TEST_F(XGBoostModelTest, BadModelFilesAreErrorsNamingTheFile) {
  ASSERT_TRUE(model);
  TempDir dir;
  std::string missing = dir.file("missing.json");
  std::string message = loadError(missing);
  EXPECT_NE(message.find(missing), std::string::npos) << message;

  std::string garbage = dir.file("garbage.json");
  writeFile(garbage, "this is not a model");
  message = loadError(garbage);
  EXPECT_NE(message.find(garbage), std::string::npos) << message;

  std::string truncated = dir.file("truncated.json");
  std::string saved = dir.file("saved.json");
  ASSERT_TRUE(succeeded(model->save(saved)));
  auto text = llvm::MemoryBuffer::getFile(saved);
  ASSERT_TRUE(bool(text));
  writeFile(truncated, (*text)->getBuffer().take_front(100));
  message = loadError(truncated);
  EXPECT_NE(message.find(truncated), std::string::npos) << message;

  std::string notAModel = dir.file("other.json");
  writeFile(notAModel, R"({"learner": 1})");
  message = loadError(notAModel);
  EXPECT_NE(message.find(notAModel), std::string::npos) << message;

  std::string oldVersion = dir.file("old.json");
  std::string json = (*text)->getBuffer().str();
  size_t at = json.find("\"lathe_feature_version\":\"1\"");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 27, "\"lathe_feature_version\":\"0\"");
  writeFile(oldVersion, json);
  message = loadError(oldVersion);
  EXPECT_NE(message.find(oldVersion), std::string::npos) << message;
  EXPECT_NE(message.find("version 0"), std::string::npos) << message;

  llvm::Expected<std::unique_ptr<CostModel>> viaFactory =
      createCostModel(missing, MachineModel());
  ASSERT_FALSE(bool(viaFactory));
  EXPECT_NE(llvm::toString(viaFactory.takeError()).find(missing),
            std::string::npos);

  std::string unwritable = dir.file("no/such/dir/model.json");
  llvm::Error saveError = model->save(unwritable);
  ASSERT_TRUE(bool(saveError));
  EXPECT_NE(llvm::toString(std::move(saveError)).find(unwritable),
            std::string::npos);
}

TEST_F(XGBoostModelTest, BadInputsAreErrors) {
  ASSERT_TRUE(model);
  llvm::Expected<std::vector<double>> wrongLength =
      model->predict({{1.f, 2.f}});
  ASSERT_FALSE(bool(wrongLength));
  EXPECT_NE(llvm::toString(wrongLength.takeError()).find("2 features"),
            std::string::npos);

  llvm::Expected<std::unique_ptr<XGBoostModel>> empty = XGBoostModel::train({});
  ASSERT_FALSE(bool(empty));
  llvm::consumeError(empty.takeError());

  std::vector<RankingRecord> ragged = {record("a", 1), record("a", 2)};
  ragged[0].features = {1, 2};
  ragged[1].features = {1};
  llvm::Expected<std::unique_ptr<XGBoostModel>> bad =
      XGBoostModel::train(ragged);
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("record 1"),
            std::string::npos);
}

} // namespace
