//===- WorkloadKey.cpp - Stable hashes of kernel computations -------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements computeWorkloadKey: a kernel is written out in a
// canonical text (types, op names, operands by position, attributes) that
// leaves out everything a model is free to change without changing the
// computation (symbol and value names, locations, weight contents) and the
// text is hashed with xxh3. The text's first field is a version, to change
// whenever the text does, so that stale tuning records stop matching.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Fusion.h"
#include "passes/graph/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace lathe;

/// Constants up to this many elements (a clip bound, a scale, an axis list)
/// are part of the key by value; larger ones (weights) by type only.
static constexpr int64_t kMaxKeyedConstantElements = 16;

/// Writes `attr` as the key sees it.
static void writeAttribute(raw_ostream &os, Attribute attr) {
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements) {
    attr.print(os, /*elideType=*/false);
    return;
  }
  os << elements.getType();
  if (elements.getNumElements() > kMaxKeyedConstantElements)
    return;
  // By value: the bytes, whatever holds them (a dense_resource's name is
  // different in every model).
  FailureOr<std::vector<char>> bytes = graph::readBytes(elements);
  if (failed(bytes)) {
    os << "<opaque>";
    return;
  }
  os << "<";
  for (char c : *bytes)
    os << llvm::format_hex_no_prefix(static_cast<uint8_t>(c), 2);
  os << ">";
}

std::string fusion::computeWorkloadKey(func::FuncOp kernel) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "lathe-workload-v1;";
  DenseMap<Value, std::string> ids;
  for (BlockArgument arg : kernel.getArguments()) {
    ids[arg] = "a" + std::to_string(arg.getArgNumber());
    os << arg.getType() << ",";
  }
  os << "->";
  for (Type type : kernel.getResultTypes())
    os << type << ",";
  os << ";";

  unsigned opIndex = 0;
  kernel.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == kernel.getOperation())
      return;
    unsigned index = opIndex++;
    os << op->getName() << "(";
    for (Value operand : op->getOperands()) {
      auto it = ids.find(operand);
      os << (it == ids.end() ? std::string("?") : it->second) << ",";
    }
    os << "){";
    // Inherent attributes only: discardable ones (dialect-prefixed, such
    // as ONNX node names) do not change the computation.
    for (NamedAttribute attr : op->getAttrs()) {
      if (attr.getName().getValue().contains('.'))
        continue;
      os << attr.getName().getValue() << "=";
      writeAttribute(os, attr.getValue());
      os << ",";
    }
    os << "}->";
    for (OpResult result : op->getResults()) {
      ids[result] = "r" + std::to_string(index) + "." +
                    std::to_string(result.getResultNumber());
      os << result.getType() << ",";
    }
    os << ";";
  });

  std::string key;
  llvm::raw_string_ostream keyOs(key);
  keyOs << llvm::format_hex_no_prefix(llvm::xxh3_64bits(text), 16);
  return key;
}
