//===- ModelInfo.h - What lathe run and lathe inspect share -----*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the pieces `lathe run` and `lathe inspect` share:
// importing the model named on the command line (printing the importer's
// diagnostics as they are), describing the graph's inputs and outputs, and
// formatting shapes for text and JSON.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_TOOLS_LATHE_MODELINFO_H
#define LATHE_TOOLS_LATHE_MODELINFO_H

#include "passes/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <utility>

namespace lathe::cli {

/// A graph input or output as `@main` of the imported model declares it.
struct TensorInfo {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  mlir::Type elementType;
};

/// Imports the model for `lathe <command>`. Checks that a model was given,
/// parses `inputShapes` (the --input-shape values) and imports the model
/// into `ctx`: an ONNX file, or a `.mlir` file of nn-dialect functions
/// (parsed as is; ops may carry a `sched.config`). On failure prints one line per problem on stderr, either
/// `lathe <command>: ...` or the importer's own diagnostic (which names the
/// file and node; printed by DiagnosticPrinter), and returns failure.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(llvm::StringRef command, llvm::StringRef model,
            llvm::ArrayRef<std::string> inputShapes, mlir::MLIRContext &ctx);

/// The inputs (or, with `results`, outputs) of `func`, named by their
/// `nn.name` attributes (else "arg<i>" / "result<i>").
llvm::SmallVector<TensorInfo> describeSignature(mlir::func::FuncOp func,
                                                bool results);

/// "[1, 3, 224, 224]"; "[]" for a scalar.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The spelling of an element type: "f32", "i64", "i1", ...
std::string formatElementType(mlir::Type type);

/// A shape as a JSON array of integers.
llvm::json::Array shapeToJSON(llvm::ArrayRef<int64_t> shape);

/// Prints `value` to stdout as indented JSON followed by a newline.
void printJSON(llvm::json::Value value);

/// Fills in the CPU pipeline's schedule target from the host, as `lathe
/// compile` and the JIT do.
void setHostScheduleTarget(CPUPipelineOptions &options);

/// Prints `rows` (the first one the header) as a table: each cell after two
/// spaces, padded to its column's width, right-aligned where `rightAligned`
/// says so; a left-aligned last column is not padded.
void printTable(llvm::raw_ostream &os,
                llvm::ArrayRef<llvm::SmallVector<std::string>> rows,
                llvm::ArrayRef<bool> rightAligned);

/// The FP32 FMA peak of one thread of this machine in GFLOP/s, measured with
/// independent FMA chains in vector registers, and the vector width it used
/// (0 when this build has no FMA loop for the host). Bench.cpp.
std::pair<double, int> measureFmaPeak();

/// Where the cost model shipped with Lathe lies (cost_model/pretrained).
std::string pretrainedCostModelPath();

} // namespace lathe::cli

#endif // LATHE_TOOLS_LATHE_MODELINFO_H
