//===- DiagnosticsTest.cpp - Unit tests of lathe's diagnostics ------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests formatDiagnostic and DiagnosticPrinter: the one-line form of MLIR
// diagnostics that names the model file and the ONNX nodes.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Diagnostics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using lathe::cli::DiagnosticPrinter;
using lathe::cli::formatDiagnostic;

namespace {

/// Emits one diagnostic at `loc` and returns it formatted.
class DiagnosticsTest : public ::testing::Test {
protected:
  std::string format(Location loc, llvm::StringRef message,
                     DiagnosticSeverity severity = DiagnosticSeverity::Error,
                     llvm::StringRef modelFile = "model.onnx",
                     llvm::StringRef note = "") {
    std::string text;
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      text = formatDiagnostic(d, modelFile);
      return success();
    });
    InFlightDiagnostic diag = severity == DiagnosticSeverity::Warning
                                  ? emitWarning(loc, message)
                                  : emitError(loc, message);
    if (!note.empty())
      diag.attachNote() << note;
    diag.report();
    return text;
  }

  Location node(llvm::StringRef name, llvm::StringRef file = "m.onnx") {
    return NameLoc::get(StringAttr::get(&ctx, name),
                        FileLineColLoc::get(&ctx, file, 0, 0));
  }

  MLIRContext ctx;
};

TEST_F(DiagnosticsTest, NamesTheNode) {
  EXPECT_EQ(format(node("conv1"), "failed to legalize operation 'nn.conv2d'"),
            "m.onnx: node 'conv1': failed to legalize operation 'nn.conv2d'");
}

TEST_F(DiagnosticsTest, NamesEveryNodeOfAFusedLocation) {
  Location fused =
      FusedLoc::get(&ctx, {node("a"), node("b"), node("a")}, Attribute());
  EXPECT_EQ(format(fused, "oops"), "m.onnx: nodes 'a', 'b': oops");
}

TEST_F(DiagnosticsTest, LineAndColumnOfATextFile) {
  EXPECT_EQ(format(FileLineColLoc::get(&ctx, "x.mlir", 3, 7), "bad"),
            "x.mlir:3:7: bad");
}

TEST_F(DiagnosticsTest, UnknownLocationIsTheModelFile) {
  EXPECT_EQ(format(UnknownLoc::get(&ctx), "bad"), "model.onnx: bad");
  EXPECT_EQ(format(UnknownLoc::get(&ctx), "bad", DiagnosticSeverity::Error,
                   ""),
            "bad");
}

TEST_F(DiagnosticsTest, CallSitesUseTheCallee) {
  Location call = CallSiteLoc::get(node("inner"), node("outer"));
  EXPECT_EQ(format(call, "bad"), "m.onnx: node 'inner': bad");
}

TEST_F(DiagnosticsTest, CompleteLinesStayAsTheyAre) {
  std::string line = "m.onnx: node 'c1' (Conv, opset 11): unsupported "
                     "attribute auto_pad=FOO";
  EXPECT_EQ(format(node("c1"), line), line);
  EXPECT_EQ(format(FileLineColLoc::get(&ctx, "m.onnx", 0, 0),
                   "m.onnx: not a valid ONNX model"),
            "m.onnx: not a valid ONNX model");
}

TEST_F(DiagnosticsTest, WarningsAndNotes) {
  EXPECT_EQ(format(node("n"), "slow", DiagnosticSeverity::Warning),
            "m.onnx: node 'n': warning: slow");
  EXPECT_EQ(format(node("n"), "bad", DiagnosticSeverity::Error, "model.onnx",
                   "because"),
            "m.onnx: node 'n': bad\n  note: because");
}

TEST_F(DiagnosticsTest, PrinterPrintsErrorsAndWarningsAndCountsErrors) {
  std::string out;
  llvm::raw_string_ostream os(out);
  {
    DiagnosticPrinter printer(ctx, "model.onnx", os);
    emitError(node("a"), "first");
    emitWarning(node("b"), "second");
    emitRemark(node("c"), "dropped");
    emitError(UnknownLoc::get(&ctx), "third");
    EXPECT_EQ(printer.numErrors(), 2u);
  }
  EXPECT_EQ(out, "m.onnx: node 'a': first\n"
                 "m.onnx: node 'b': warning: second\n"
                 "model.onnx: third\n");
  EXPECT_FALSE(ctx.shouldPrintOpOnDiagnostic());
}

} // namespace
