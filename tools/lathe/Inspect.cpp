//===- Inspect.cpp - lathe inspect ----------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe inspect`: import an ONNX model and report its
// inputs and outputs, each op with its ONNX node name, result type and
// estimated FLOPs (dialects/nn/NNFlops.h), op counts by kind, and the
// parameter count (the elements of every nn.constant) in elements and bytes.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"

#include "dialects/nn/NNFlops.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;

namespace lathe::cli {

namespace {
/// The options of `lathe inspect`.
struct InspectOptions {
  InspectOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)),
        json("json",
             cl::desc("Print the report as one JSON object (nothing else on "
                      "stdout)"),
             cl::init(false), cl::sub(sub), cl::cat(category)) {}

  cl::list<std::string> inputShapes;
  cl::opt<bool> json;
};

/// The ONNX node an op was imported from: the name of the first NameLoc in
/// its location ("" when there is none).
std::string nodeName(mlir::Location loc) {
  std::string name;
  loc->walk([&](mlir::Location l) {
    if (auto nameLoc = dyn_cast<mlir::NameLoc>(l)) {
      name = nameLoc.getName().str();
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  return name;
}

/// Size in bytes of one element of `type` (i1 takes a byte).
int64_t elementBytes(mlir::Type type) {
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

/// "1234567 (1.23 M<unit>)": a count, with a rounded form from 1000 on.
std::string formatCount(int64_t n, StringRef unit = "") {
  std::string s = std::to_string(n);
  const char *prefixes[] = {"K", "M", "G", "T", "P"};
  double v = n;
  int p = -1;
  while (v >= 1000 && p < 4) {
    v /= 1000;
    ++p;
  }
  if (p >= 0) {
    raw_string_ostream os(s);
    os << " (" << format("%.2f", v) << " " << prefixes[p] << unit << ")";
  }
  return s;
}

/// One op of the report.
struct OpRecord {
  std::string node, op, dtype;
  SmallVector<int64_t> shape;
  int64_t flops;
};

int runInspect(const InspectOptions &o, StringRef modelPath) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<nn::NNDialect, mlir::func::FuncDialect>();
  auto module = importModel("inspect", modelPath, o.inputShapes, ctx);
  if (failed(module))
    return 1;
  auto main = (*module)->lookupSymbol<mlir::func::FuncOp>("main");
  if (!main) {
    errs() << "lathe inspect: " << modelPath
           << ": the imported module has no @main\n";
    return 1;
  }

  SmallVector<OpRecord> ops;
  std::map<std::string, int64_t> counts;
  int64_t constants = 0, parameters = 0, parameterBytes = 0, totalFlops = 0;
  main.walk([&](mlir::Operation *op) {
    if (op == main.getOperation() ||
        op->hasTrait<mlir::OpTrait::IsTerminator>())
      return;
    ++counts[op->getName().getStringRef().str()];
    if (auto constant = dyn_cast<nn::ConstantOp>(op)) {
      auto type = cast<mlir::ShapedType>(constant.getType());
      ++constants;
      parameters += type.getNumElements();
      parameterBytes +=
          type.getNumElements() * elementBytes(type.getElementType());
      return;
    }
    OpRecord record;
    record.node = nodeName(op->getLoc());
    record.op = op->getName().getStringRef().str();
    if (op->getNumResults() == 1) {
      if (auto type = dyn_cast<mlir::ShapedType>(op->getResult(0).getType())) {
        record.shape.assign(type.getShape().begin(), type.getShape().end());
        record.dtype = formatElementType(type.getElementType());
      }
    }
    record.flops = nn::estimateFlops(op);
    totalFlops += record.flops;
    ops.push_back(std::move(record));
  });

  auto opset = (**module)->getAttrOfType<mlir::IntegerAttr>("nn.opset");
  SmallVector<TensorInfo> inputs = describeSignature(main, false);
  SmallVector<TensorInfo> outputs = describeSignature(main, true);

  if (o.json) {
    auto tensors = [](ArrayRef<TensorInfo> infos) {
      json::Array array;
      for (const TensorInfo &info : infos)
        array.push_back(
            json::Object{{"name", info.name},
                         {"shape", shapeToJSON(info.shape)},
                         {"dtype", formatElementType(info.elementType)}});
      return array;
    };
    json::Object opCounts;
    for (auto &[name, count] : counts)
      opCounts[name] = count;
    json::Array opsJSON;
    for (const OpRecord &op : ops)
      opsJSON.push_back(json::Object{{"node", op.node},
                                     {"op", op.op},
                                     {"shape", shapeToJSON(op.shape)},
                                     {"dtype", op.dtype},
                                     {"flops", op.flops}});
    printJSON(json::Object{
        {"model", modelPath},
        {"opset", opset ? json::Value(opset.getInt()) : json::Value(nullptr)},
        {"inputs", tensors(inputs)},
        {"outputs", tensors(outputs)},
        {"op_counts", std::move(opCounts)},
        {"ops", std::move(opsJSON)},
        {"parameters", json::Object{{"count", parameters},
                                    {"bytes", parameterBytes},
                                    {"constants", constants}}},
        {"flops", totalFlops}});
    return 0;
  }

  raw_ostream &os = outs();
  os << "model: " << modelPath;
  if (opset)
    os << " (opset " << opset.getInt() << ")";
  os << "\n";
  for (const TensorInfo &in : inputs)
    os << "input '" << in.name << "': shape " << formatShape(in.shape)
       << ", dtype " << formatElementType(in.elementType) << "\n";
  for (const TensorInfo &out : outputs)
    os << "output '" << out.name << "': shape " << formatShape(out.shape)
       << ", dtype " << formatElementType(out.elementType) << "\n";

  // The ops, as a table with aligned columns.
  SmallVector<std::array<std::string, 5>> rows;
  rows.push_back({"node", "op", "dtype", "shape", "FLOPs"});
  for (const OpRecord &op : ops)
    rows.push_back({op.node.empty() ? "-" : op.node, op.op,
                    op.dtype.empty() ? "-" : op.dtype, formatShape(op.shape),
                    std::to_string(op.flops)});
  std::array<size_t, 5> widths = {};
  for (const auto &row : rows)
    for (auto [w, cell] : llvm::zip_equal(widths, row))
      w = std::max(w, cell.size());
  os << "\nops (" << ops.size() << ", constants not listed):\n";
  for (const auto &row : rows) {
    // Left-aligned text columns, a right-aligned FLOPs column.
    for (auto [i, cell] : llvm::enumerate(row)) {
      if (i + 1 == row.size())
        os << "  " << right_justify(cell, widths[i]);
      else
        os << "  " << left_justify(cell, widths[i]);
    }
    os << "\n";
  }

  os << "\nop counts:\n";
  size_t nameWidth = 0;
  for (auto &[name, count] : counts)
    nameWidth = std::max(nameWidth, name.size());
  for (auto &[name, count] : counts)
    os << "  " << left_justify(name, nameWidth) << "  " << count << "\n";

  os << "\nparameters: " << formatCount(parameters) << " in " << constants
     << " constants\n";
  os << "parameter bytes: " << formatCount(parameterBytes, "B") << "\n";
  os << "FLOPs: " << formatCount(totalFlops) << "\n";
  return 0;
}
} // namespace

Runner declareInspect(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<InspectOptions>(sub, category);
  return [options](StringRef model) { return runInspect(*options, model); };
}

} // namespace lathe::cli
