//===- TunedConfigTest.cpp - Tests of configs from the tuning database ----===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file tests applyTunedConfigs (passes/schedule/ApplyTunedConfigs.cpp):
// a kernel whose workload has a record gets its config on the anchor op (the
// last op with reduction loops, not the fill before it), a kernel without a
// record or without a reduction is left as it is, records of other targets
// and failed trials are not used, and a record whose config does not parse
// or does not fit the anchor leaves the kernel untouched with a warning
// naming the kernel, the workload and the database.
//
//===----------------------------------------------------------------------===//

#include "passes/schedule/Schedule.h"

#include "autotune/Database.h"
#include "dialects/sched/SchedDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;
using lathe::autotune::TrialStatus;
using lathe::autotune::TuningDatabase;
using lathe::autotune::TuningRecord;

namespace {

constexpr llvm::StringLiteral kTarget = "x86_64-pc-linux-gnu/znver3/256";

/// Two kernels as lathe-convert-nn-to-linalg leaves them: a matmul after
/// its accumulator's fill (workload 00000000000000aa) and a relu, which has
/// no reduction (workload 00000000000000bb), plus a second matmul kernel
/// (workload 00000000000000cc).
constexpr llvm::StringLiteral kModule = R"mlir(
func.func private @main_k0_matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00000000000000aa"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x32xf32>) -> tensor<8x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}
func.func private @main_k1_relu(%x: tensor<8x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.relu", ops = ["nn.relu"], workload = "00000000000000bb"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %y = linalg.map { arith.maximumf } ins(%x, %x : tensor<8x32xf32>, tensor<8x32xf32>) outs(%empty : tensor<8x32xf32>)
  return %y : tensor<8x32xf32>
}
func.func private @main_k2_matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00000000000000cc"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x32xf32>) -> tensor<8x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}
)mlir";

constexpr llvm::StringLiteral kConfig =
    "#sched.config<tiles = {register = [4, 16, 1]}, vector = [0, 16, 0]>";

class TunedConfigTest : public ::testing::Test {
protected:
  TunedConfigTest() {
    ctx.loadDialect<arith::ArithDialect, func::FuncDialect,
                    linalg::LinalgDialect, tensor::TensorDialect,
                    sched::SchedDialect>();
  }

  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("lathe-tuned-test", dir));
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, "tuning.db");
    auto opened = TuningDatabase::open(path);
    ASSERT_TRUE(bool(opened)) << llvm::toString(opened.takeError());
    db = std::move(*opened);
    module = parseSourceString<ModuleOp>(kModule, &ctx);
    ASSERT_TRUE(module);
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  /// Adds a record of `workload` on `target` with `config`.
  void addRecord(StringRef workload, StringRef config, double medianUs = 10,
                 StringRef target = kTarget,
                 TrialStatus status = TrialStatus::Ok) {
    TuningRecord r;
    r.workloadKey = workload.str();
    r.target = target.str();
    r.config = config.str();
    r.status = status;
    r.medianUs = r.minUs = r.maxUs = medianUs;
    r.repeats = status == TrialStatus::Ok ? 5 : 0;
    r.unixTime = 1700000000;
    auto id = db->add(r);
    ASSERT_TRUE(bool(id)) << llvm::toString(id.takeError());
  }

  /// The config of the op `opName` in kernel `kernel`; null if none.
  Attribute configOf(StringRef kernel, StringRef opName) {
    Attribute config;
    module->lookupSymbol<func::FuncOp>(kernel).walk([&](Operation *op) {
      if (op->getName().getStringRef() == opName)
        config = op->getAttr(kConfigAttrName);
    });
    return config;
  }

  bool isTuned(StringRef kernel) {
    return module->lookupSymbol<func::FuncOp>(kernel)->hasAttr(kTunedAttrName);
  }

  /// Runs applyTunedConfigs, collecting the warnings.
  FailureOr<unsigned> apply() {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Warning)
        warnings.push_back(diag.str());
      else
        errors.push_back(diag.str());
      return success();
    });
    return applyTunedConfigs(*module, *db, kTarget);
  }

  MLIRContext ctx;
  llvm::SmallString<128> dir;
  std::unique_ptr<TuningDatabase> db;
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> warnings, errors;
};

TEST_F(TunedConfigTest, AnchorIsLastOpWithReductions) {
  auto kernel = module->lookupSymbol<func::FuncOp>("main_k0_matmul");
  linalg::LinalgOp anchor = getTunableAnchor(kernel);
  ASSERT_TRUE(anchor);
  EXPECT_TRUE(isa<linalg::MatmulOp>(anchor.getOperation()));
  EXPECT_FALSE(
      getTunableAnchor(module->lookupSymbol<func::FuncOp>("main_k1_relu")));
}

TEST_F(TunedConfigTest, BestRecordApplied) {
  addRecord("00000000000000aa",
            "#sched.config<tiles = {register = [2, 8, 1]}, vector = [0, 8, "
            "0]>",
            /*medianUs=*/20);
  addRecord("00000000000000aa", kConfig, /*medianUs=*/5);
  // Faster, but failed or on another target: never used.
  addRecord("00000000000000aa", "#sched.config<unroll = 2>", 1, kTarget,
            TrialStatus::Crash);
  addRecord("00000000000000aa", "#sched.config<unroll = 4>", 1,
            "aarch64-unknown-linux-gnu/neoverse-n1/128");

  FailureOr<unsigned> applied = apply();
  ASSERT_TRUE(succeeded(applied));
  EXPECT_EQ(*applied, 1u);
  EXPECT_TRUE(warnings.empty());
  EXPECT_TRUE(errors.empty());
  Attribute config = configOf("main_k0_matmul", "linalg.matmul");
  ASSERT_TRUE(config);
  EXPECT_EQ(config, parseAttribute(kConfig, &ctx));
  EXPECT_FALSE(configOf("main_k0_matmul", "linalg.fill"));
  EXPECT_TRUE(isTuned("main_k0_matmul"));
}

TEST_F(TunedConfigTest, NoRecordLeavesKernelAlone) {
  addRecord("00000000000000aa", kConfig);
  // A record for the relu kernel, which has no anchor: not applied.
  addRecord("00000000000000bb", "#sched.config<vector = [0, 8]>");

  FailureOr<unsigned> applied = apply();
  ASSERT_TRUE(succeeded(applied));
  EXPECT_EQ(*applied, 1u);
  EXPECT_FALSE(configOf("main_k2_matmul", "linalg.matmul"));
  EXPECT_FALSE(isTuned("main_k2_matmul"));
  EXPECT_FALSE(configOf("main_k1_relu", "linalg.map"));
  EXPECT_FALSE(isTuned("main_k1_relu"));
}

TEST_F(TunedConfigTest, UnparsableRecordWarnsAndLeavesKernelAlone) {
  addRecord("00000000000000aa", "#sched.config<tiles = {register = [4, 16");

  FailureOr<unsigned> applied = apply();
  ASSERT_TRUE(succeeded(applied));
  EXPECT_EQ(*applied, 0u);
  EXPECT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("@main_k0_matmul"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("00000000000000aa"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find(db->getPath().str()), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("is not a #sched.config"), std::string::npos)
      << warnings[0];
  EXPECT_FALSE(configOf("main_k0_matmul", "linalg.matmul"));
  EXPECT_FALSE(isTuned("main_k0_matmul"));
}

TEST_F(TunedConfigTest, ConfigOfWrongLoopCountWarns) {
  // Four loops for a three-loop matmul; and another attribute entirely.
  addRecord("00000000000000aa",
            "#sched.config<tiles = {register = [4, 16, 1, 1]}>");
  addRecord("00000000000000cc", "[4, 16, 1]");

  FailureOr<unsigned> applied = apply();
  ASSERT_TRUE(succeeded(applied));
  EXPECT_EQ(*applied, 0u);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("per-loop arrays have 4 entries but "
                             "'linalg.matmul' has 3 loops"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[1].find("@main_k2_matmul"), std::string::npos)
      << warnings[1];
  EXPECT_FALSE(configOf("main_k0_matmul", "linalg.matmul"));
  EXPECT_FALSE(configOf("main_k2_matmul", "linalg.matmul"));
}

TEST_F(TunedConfigTest, TileThatDoesNotDivideItsLoopWarns) {
  // A record of the workload as another Lathe lowered it: 12 does not
  // divide the matmul's 32 columns.
  addRecord("00000000000000aa",
            "#sched.config<tiles = {l2 = [8, 12, 16], register = [4, 4, 1]}>");
  FailureOr<unsigned> applied = apply();
  ASSERT_TRUE(succeeded(applied));
  EXPECT_EQ(*applied, 0u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("its l2 tile 12 of loop 1 does not divide "
                             "'linalg.matmul''s 32 iterations"),
            std::string::npos)
      << warnings[0];
  EXPECT_FALSE(configOf("main_k0_matmul", "linalg.matmul"));
  EXPECT_FALSE(isTuned("main_k0_matmul"));
}

TEST_F(TunedConfigTest, PackOfMissingOperandWarns) {
  std::string reason;
  auto kernel = module->lookupSymbol<func::FuncOp>("main_k0_matmul");
  EXPECT_TRUE(failed(
      parseTunedConfig("#sched.config<tiles = {register = [4, 16, 1]}, pack = "
                       "[#sched.pack<operand = 5, dims = [1], tiles = [16]>]>",
                       getTunableAnchor(kernel), reason)));
  EXPECT_NE(reason.find("operand 5"), std::string::npos) << reason;
}

} // namespace
