//===- SchedAttrsTest.cpp - Unit tests of #sched.config -------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests the C++ API of #sched.config and #sched.pack: construction, the
// verifier's messages, the accessors the schedule passes and the tuner use,
// and the text round trip.
//
//===----------------------------------------------------------------------===//

#include "dialects/sched/SchedAttrs.h"
#include "dialects/sched/SchedDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace lathe::sched;

namespace {

class SchedAttrsTest : public ::testing::Test {
protected:
  SchedAttrsTest() { ctx.loadDialect<SchedDialect>(); }

  /// Builds a config with only tiles and vector sizes set, collecting the
  /// verifier's message into `error`.
  ConfigAttr config(ArrayRef<int64_t> l2, ArrayRef<int64_t> reg,
                    ArrayRef<int64_t> vec, int64_t unroll = 1) {
    error.clear();
    auto emit = [&]() {
      return mlir::emitError(UnknownLoc::get(&ctx));
    };
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      error = d.str();
      return success();
    });
    return ConfigAttr::getChecked(emit, &ctx, {}, {}, l2, {}, reg, vec, unroll,
                                  {}, {}, {});
  }

  MLIRContext ctx;
  std::string error;
};

TEST_F(SchedAttrsTest, AccessorsByLevel) {
  ConfigAttr c = config({64, 256, 64}, {4, 16, 1}, {0, 16, 0}, 4);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c.getNumLoops(), 3);
  EXPECT_EQ(c.getTiles(TileLevel::L2), ArrayRef<int64_t>({64, 256, 64}));
  EXPECT_EQ(c.getTiles(TileLevel::Register), ArrayRef<int64_t>({4, 16, 1}));
  EXPECT_TRUE(c.getTiles(TileLevel::L1).empty());
  EXPECT_EQ(c.getUnroll(), 4);
}

TEST_F(SchedAttrsTest, EmptyConfigIsValid) {
  ConfigAttr c = config({}, {}, {});
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c.getNumLoops(), 0);
}

TEST_F(SchedAttrsTest, RejectsInnerTileLargerThanOuter) {
  EXPECT_FALSE(config({64, 256}, {128, 16}, {}));
  EXPECT_EQ(error, "#sched.config: tiles.register[0] = 128 is larger than the "
                   "enclosing tiles.l2[0] = 64");
}

TEST_F(SchedAttrsTest, RejectsVectorNotDividingRegisterTile) {
  EXPECT_FALSE(config({}, {4, 12}, {0, 8}));
  EXPECT_EQ(error,
            "#sched.config: vector[1] = 8 does not divide tiles.register[1] = 12");
}

TEST_F(SchedAttrsTest, RejectsArraysOfDifferentLength) {
  EXPECT_FALSE(config({64, 64, 64}, {4, 16}, {}));
  EXPECT_EQ(error, "#sched.config: 'tiles.register' has 2 entries but "
                   "'tiles.l2' has 3; every per-loop array needs one entry "
                   "per loop");
}

TEST_F(SchedAttrsTest, RejectsZeroUnroll) {
  EXPECT_FALSE(config({}, {}, {}, 0));
  EXPECT_EQ(error, "#sched.config: unroll must be >= 1, got 0");
}

TEST_F(SchedAttrsTest, TextRoundTrip) {
  const char *text =
      "#sched.config<tiles = {outer = [96, 256, 0], l1 = [96, 256, 512], "
      "register = [4, 16, 1]}, vector = [0, 16, 0], unroll = 4, "
      "parallel = [1], interchange = [1, 0, 2], "
      "pack = [#sched.pack<operand = 1, dims = [1], tiles = [16]>]>";
  Attribute attr = parseAttribute(text, &ctx);
  auto c = dyn_cast_or_null<ConfigAttr>(attr);
  ASSERT_TRUE(c);
  ASSERT_EQ(c.getPacks().size(), 1u);
  EXPECT_EQ(c.getPacks()[0].getOperand(), 1);
  std::string printed;
  llvm::raw_string_ostream os(printed);
  Attribute(c).print(os);
  EXPECT_EQ(printed, text);
  // Uniqued: parsing the printed form gives the same attribute.
  EXPECT_EQ(parseAttribute(printed, &ctx), attr);
}

TEST_F(SchedAttrsTest, PackVerifier) {
  auto emit = [&]() { return mlir::emitError(UnknownLoc::get(&ctx)); };
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    error = d.str();
    return success();
  });
  EXPECT_FALSE(PackAttr::getChecked(emit, &ctx, 0, {0, 1}, {4}));
  EXPECT_EQ(error, "#sched.pack: expected one tile per dim, got 2 dims [0, 1] "
                   "and 1 tiles [4]");
  EXPECT_TRUE(PackAttr::getChecked(emit, &ctx, 0, {0}, {4}));
}

TEST_F(SchedAttrsTest, GPUConfigVerifier) {
  auto emit = [&]() { return mlir::emitError(UnknownLoc::get(&ctx)); };
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    error = d.str();
    return success();
  });
  GPUConfigAttr ok =
      GPUConfigAttr::getChecked(emit, &ctx, {64, 64, 0}, {4, 4, 0}, {0, 0, 8});
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(ok.getNumLoops(), 3);
  EXPECT_EQ(GPUConfigAttr::get(&ctx, {}, {}, {}).getNumLoops(), 0);

  EXPECT_FALSE(GPUConfigAttr::getChecked(emit, &ctx, {64, 64}, {4, 4, 0}, {}));
  EXPECT_EQ(error, "#sched.gpu: 'thread' has 3 entries but 'block' has 2; "
                   "every per-loop array needs one entry per loop");
  EXPECT_FALSE(GPUConfigAttr::getChecked(emit, &ctx, {64, 60}, {4, 8}, {}));
  EXPECT_EQ(error, "#sched.gpu: thread[1] = 8 does not divide block[1] = 60");
  EXPECT_FALSE(GPUConfigAttr::getChecked(emit, &ctx, {}, {4, 4, 2}, {0, 0, 8}));
  EXPECT_EQ(error,
            "#sched.gpu: loop 2 has both a thread tile and a reduction step");
  EXPECT_FALSE(GPUConfigAttr::getChecked(emit, &ctx, {0, -1}, {}, {}));
  EXPECT_EQ(error, "#sched.gpu: block[1] must be >= 0, got -1");
}

TEST_F(SchedAttrsTest, GPUConfigInConfig) {
  const char *text = "#sched.config<gpu = #sched.gpu<block = [64, 64, 0], "
                     "thread = [4, 4, 0], reduction = [0, 0, 8]>>";
  auto c = dyn_cast_or_null<ConfigAttr>(parseAttribute(text, &ctx));
  ASSERT_TRUE(c);
  ASSERT_TRUE(c.getGpu());
  EXPECT_EQ(c.getNumLoops(), 3);
  EXPECT_EQ(c.getGpu().getThread(), ArrayRef<int64_t>({4, 4, 0}));
  std::string printed;
  llvm::raw_string_ostream os(printed);
  Attribute(c).print(os);
  EXPECT_EQ(printed, text);
  // CPU configs have none.
  EXPECT_FALSE(config({64, 64, 64}, {4, 16, 1}, {}).getGpu());

  // The GPU knobs describe the same loops as the CPU ones.
  auto emit = [&]() { return mlir::emitError(UnknownLoc::get(&ctx)); };
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    error = d.str();
    return success();
  });
  EXPECT_FALSE(ConfigAttr::getChecked(
      emit, &ctx, {}, {}, {64, 64}, {}, {}, {}, 1, {}, {}, {},
      GPUConfigAttr::get(&ctx, {64, 64, 0}, {}, {})));
  EXPECT_EQ(error, "#sched.config: gpu has 3 entries per loop but the config "
                   "has 2");
}

} // namespace
