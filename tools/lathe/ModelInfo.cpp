//===- ModelInfo.cpp - What lathe run and lathe inspect share -------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements importing a model for a subcommand (an ONNX file, or
// MLIR text in the nn dialect) and describing its signature.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/ModelInfo.h"
#include "tools/lathe/Diagnostics.h"

#include "codegen/Target.h"
#include "codegen/cpu/CPUCodegen.h"
#include "frontend/onnx/Importer.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;

namespace lathe::cli {

FailureOr<OwningOpRef<ModuleOp>> importModel(StringRef command, StringRef model,
                                             ArrayRef<std::string> inputShapes,
                                             MLIRContext &ctx) {
  if (model.empty()) {
    errs() << "lathe " << command << ": expected a model (lathe " << command
           << " <model.onnx>)\n";
    return failure();
  }
  frontend::ImportOptions options;
  for (const std::string &spec : inputShapes) {
    if (Error err = frontend::addInputShape(spec, options)) {
      errs() << "lathe " << command
             << ": --input-shape: " << toString(std::move(err)) << "\n";
      return failure();
    }
  }
  // The importer's diagnostics are complete one-line messages naming the
  // file and node; DiagnosticPrinter prints them as they are.
  DiagnosticPrinter diagnostics(ctx, model);
  if (model.ends_with(".mlir")) {
    // nn-dialect text as written (shapes static already): the way to hand
    // a kernel a #sched.config.
    if (!inputShapes.empty()) {
      errs() << "lathe " << command
             << ": --input-shape applies to ONNX models only, and " << model
             << " is MLIR\n";
      return failure();
    }
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(model, &ctx);
    if (!module)
      return failure();
    // The model's name, as the ONNX importer gives it.
    if (!(*module)->hasAttr("nn.model"))
      (*module)->setAttr("nn.model",
                         StringAttr::get(&ctx, sys::path::stem(model)));
    return module;
  }
  return frontend::importONNXFile(model, ctx, options);
}

SmallVector<TensorInfo> describeSignature(func::FuncOp func, bool results) {
  SmallVector<TensorInfo> infos;
  TypeRange types = results ? TypeRange(func.getResultTypes())
                            : TypeRange(func.getArgumentTypes());
  for (auto [i, type] : llvm::enumerate(types)) {
    auto name = results ? func.getResultAttrOfType<StringAttr>(i, "nn.name")
                        : func.getArgAttrOfType<StringAttr>(i, "nn.name");
    TensorInfo info;
    info.name =
        name ? name.str() : (results ? "result" : "arg") + std::to_string(i);
    if (auto shaped = dyn_cast<ShapedType>(type)) {
      info.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
      info.elementType = shaped.getElementType();
    } else {
      info.elementType = type;
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s + "]";
}

std::string formatElementType(Type type) {
  std::string s;
  raw_string_ostream os(s);
  type.print(os);
  return s;
}

json::Array shapeToJSON(ArrayRef<int64_t> shape) {
  json::Array array;
  for (int64_t d : shape)
    array.push_back(ShapedType::isDynamic(d) ? json::Value(nullptr)
                                             : json::Value(d));
  return array;
}

void printJSON(json::Value value) {
  outs() << formatv("{0:2}", value) << "\n";
  outs().flush();
}

void setHostScheduleTarget(CPUPipelineOptions &options) {
  static const codegen::TargetSpec host = codegen::detectHost();
  codegen::cpu::setScheduleTarget(options, host);
}

void printTable(raw_ostream &os, ArrayRef<SmallVector<std::string>> rows,
                ArrayRef<bool> rightAligned) {
  SmallVector<size_t> widths(rightAligned.size(), 0);
  for (const auto &row : rows)
    for (auto [w, cell] : llvm::zip_equal(widths, row))
      w = std::max(w, cell.size());
  for (const auto &row : rows) {
    for (auto [i, cell] : llvm::enumerate(row)) {
      bool last = i + 1 == row.size();
      os << "  "
         << (rightAligned[i] ? right_justify(cell, widths[i])
                             : left_justify(cell, last ? 0 : widths[i]));
    }
    os << "\n";
  }
}

} // namespace lathe::cli
