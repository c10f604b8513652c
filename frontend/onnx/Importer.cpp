//===- Importer.cpp - ONNX to nn importer ---------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the graph-level part of the ONNX importer: parsing the
// protobuf, the opset check, graph inputs (with shape overrides), initializers,
// the walk over the nodes in order (dispatching each to the handler of its op
// family), graph outputs and the final verification. The module is built
// detached and handed out only when everything succeeded.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"
#include "frontend/onnx/NodeImporter.h"

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>

using namespace mlir;
using namespace lathe::frontend;

namespace {

/// The table of supported ONNX operators, built once.
const OpTable &opTable() {
  static const OpTable table = [] {
    OpTable t;
    registerAttentionOps(t);
    registerConvOps(t);
    registerElementwiseOps(t);
    registerShapeOps(t);
    registerMathOps(t);
    registerEinsumOps(t);
    registerTensorOps(t);
    return t;
  }();
  return table;
}

/// Imports one model's graph into a fresh module.
class GraphImporter {
public:
  GraphImporter(ImportState &state, const ImportOptions &options)
      : s(state), options(options) {}

  FailureOr<OwningOpRef<ModuleOp>> run(const onnx::GraphProto &graph,
                                       StringRef modelName);

private:
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfoProto &input);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  LogicalResult verifyModule(ModuleOp module);
  /// Makes graph input `name` the constant `value` (ImportOptions::
  /// inputValues), checking it against the declared type.
  LogicalResult fixInput(StringRef name, const InputValue &value,
                         const onnx::GraphProto &graph, Location loc);

  ImportState &s;
  const ImportOptions &options;
};

FailureOr<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfoProto &input) {
  Location loc = NameLoc::get(s.builder.getStringAttr(input.name()), s.fileLoc);
  std::string what = "graph input '" + input.name() + "'";
  if (!input.type().has_tensor_type())
    return s.error(loc, what + " is not a tensor");
  const onnx::TypeProto::Tensor &tt = input.type().tensor_type();
  Type elemTy = s.elementType(tt.elem_type());
  if (!elemTy)
    return s.error(loc, what + " has unsupported data type " +
                            dataTypeName(tt.elem_type()) +
                            " (Lathe imports FLOAT, INT32, INT64 and BOOL tensors)");

  auto override = options.inputShapes.find(input.name());
  if (!tt.has_shape()) {
    if (override == options.inputShapes.end())
      return s.error(loc, what +
                              " has no shape; give one with "
                              "--input-shape " +
                              input.name() + "=...");
    return RankedTensorType::get(override->second, elemTy);
  }

  const auto &dims = tt.shape().dim();
  if (override != options.inputShapes.end() &&
      llvm::any_of(override->second, [](int64_t d) { return d < 0; }))
    return s.error(loc, "the shape given for " + what +
                            " has a negative "
                            "dimension");
  if (override != options.inputShapes.end()) {
    ArrayRef<int64_t> shape = override->second;
    if (static_cast<int>(shape.size()) != dims.size())
      return s.error(loc, "the shape given for " + what + " has rank " +
                              std::to_string(shape.size()) +
                              ", but the model declares rank " +
                              std::to_string(dims.size()));
    for (int i = 0; i < dims.size(); ++i)
      if (dims[i].has_dim_value() && dims[i].dim_value() != shape[i])
        return s.error(loc, "the shape given for " + what + " has " +
                                std::to_string(shape[i]) + " in dim " +
                                std::to_string(i) + ", but the model says " +
                                std::to_string(dims[i].dim_value()));
    return RankedTensorType::get(shape, elemTy);
  }

  SmallVector<int64_t> shape;
  for (int i = 0; i < dims.size(); ++i) {
    if (dims[i].has_dim_value() && dims[i].dim_value() >= 0) {
      shape.push_back(dims[i].dim_value());
      continue;
    }
    // A symbolic leading dimension is the batch: import it as 1.
    if (i == 0) {
      shape.push_back(1);
      continue;
    }
    std::string sym = dims[i].has_dim_param()
                          ? "symbolic dim '" + dims[i].dim_param() + "'"
                          : std::string("an unknown dim");
    return s.error(loc, what + " has " + sym + " at position " +
                            std::to_string(i) +
                            "; give its shape with "
                            "--input-shape " +
                            input.name() + "=...");
  }
  return RankedTensorType::get(shape, elemTy);
}

LogicalResult GraphImporter::fixInput(StringRef name, const InputValue &value,
                                      const onnx::GraphProto &graph,
                                      Location loc) {
  std::string what = "the value given for graph input '" + name.str() + "'";
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (in.name() != name || !in.type().has_tensor_type())
      continue;
    const onnx::TypeProto::Tensor &tt = in.type().tensor_type();
    if (tt.elem_type() != value.dataType)
      return s.error(loc, what + " is " + dataTypeName(value.dataType) +
                              ", but the model declares " +
                              dataTypeName(tt.elem_type()));
    if (tt.has_shape() &&
        tt.shape().dim_size() != static_cast<int>(value.shape.size()))
      return s.error(loc, what + " has rank " +
                              std::to_string(value.shape.size()) +
                              ", but the model declares rank " +
                              std::to_string(tt.shape().dim_size()));
  }
  onnx::TensorProto tensor;
  tensor.set_name(name.str());
  tensor.set_data_type(value.dataType);
  for (int64_t d : value.shape)
    tensor.add_dims(d);
  tensor.set_raw_data(value.bytes);
  FailureOr<ElementsAttr> attr =
      s.convertTensor(tensor, what, name, loc, /*smallFloatsDense=*/true);
  if (failed(attr))
    return failure();
  s.tensors[name] = TensorEntry{Value(), *attr, ""};
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        int index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  NodeImporter n(s, node, name);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return n.fail("unsupported operator '" + node.op_type() + "' of domain '" +
                  node.domain() + "' (Lathe imports the default ONNX domain)");
  auto it = opTable().find(node.op_type());
  if (it == opTable().end())
    return n.fail("unsupported operator '" + node.op_type() + "'");
  if (s.opset < it->second.sinceOpset)
    return n.fail("operator '" + node.op_type() +
                  "' is not defined before opset " +
                  std::to_string(it->second.sinceOpset));

  // Every named input must be known before the handler looks at it.
  for (const std::string &in : node.input())
    if (!in.empty() && !s.tensors.count(in))
      return n.fail("input '" + in +
                    "' is not defined by any node, initializer or graph "
                    "input before this node");

  if (failed(it->second.handler(n)))
    return failure();

  // Outputs the importer does not produce (training statistics, masks,
  // indices) are fine as long as nothing reads them.
  for (int i = 0; i < node.output_size(); ++i) {
    const std::string &out = node.output(i);
    if (out.empty() || n.hasOutputBound(i))
      continue;
    if (s.consumed.contains(out))
      return n.fail("output #" + std::to_string(i) + " '" + out +
                    "' is used, but Lathe does not produce it (only for "
                    "inference)");
  }
  return success();
}

LogicalResult GraphImporter::verifyModule(ModuleOp module) {
  std::string first;
  Location where = s.fileLoc;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(&s.ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error && first.empty()) {
        first = diag.str();
        where = diag.getLocation();
      }
      return success();
    });
    result = mlir::verify(module);
  }
  if (succeeded(result))
    return success();
  if (auto nameLoc = dyn_cast<NameLoc>(where))
    return s.error(where, "node '" + nameLoc.getName().str() + "': " + first);
  return s.error(where, "the imported module does not verify: " + first);
}

FailureOr<OwningOpRef<ModuleOp>>
GraphImporter::run(const onnx::GraphProto &graph, StringRef modelName) {
  OpBuilder &b = s.builder;
  OwningOpRef<ModuleOp> module = ModuleOp::create(s.fileLoc);
  module->getOperation()->setAttr("nn.model", b.getStringAttr(modelName));
  module->getOperation()->setAttr("nn.opset", b.getI64IntegerAttr(s.opset));

  // Initializers are constants; a graph input of the same name (old
  // exporters list weights as inputs) is a weight, not an argument.
  for (const onnx::TensorProto &init : graph.initializer()) {
    Location loc = NameLoc::get(b.getStringAttr(init.name()), s.fileLoc);
    FailureOr<ElementsAttr> value = s.convertTensor(
        init, "initializer '" + init.name() + "'", init.name(), loc);
    if (failed(value))
      return failure();
    s.tensors[init.name()] = TensorEntry{Value(), *value, ""};
  }

  // Inputs with a value given at compile time are constants too.
  llvm::StringSet<> graphInputs;
  for (const onnx::ValueInfoProto &in : graph.input())
    graphInputs.insert(in.name());
  for (const auto &entry : options.inputValues) {
    StringRef name = entry.getKey();
    Location loc = NameLoc::get(b.getStringAttr(name), s.fileLoc);
    if (!graphInputs.contains(name))
      return s.error(s.fileLoc, "a value is given for '" + name +
                                    "', which is not an input of the graph");
    if (failed(fixInput(name, entry.getValue(), graph, loc)))
      return failure();
  }

  llvm::StringSet<> argNames;
  for (const onnx::ValueInfoProto &in : graph.input())
    if (!s.tensors.count(in.name()))
      argNames.insert(in.name());
  for (const auto &entry : options.inputShapes)
    if (!argNames.contains(entry.getKey()))
      return s.error(s.fileLoc, "an input shape is given for '" +
                                    entry.getKey() +
                                    "', which is not an input of the graph");
  SmallVector<const onnx::ValueInfoProto *> args;
  SmallVector<Type> argTypes;
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (!argNames.contains(in.name()))
      continue;
    FailureOr<RankedTensorType> type = inputType(in);
    if (failed(type))
      return failure();
    args.push_back(&in);
    argTypes.push_back(*type);
  }

  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &in : node.input())
      s.consumed.insert(in);
  for (const onnx::ValueInfoProto &out : graph.output())
    s.consumed.insert(out.name());

  b.setInsertionPointToEnd(module->getBody());
  auto func = b.create<func::FuncOp>(s.fileLoc, "main",
                                     b.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(args)) {
    BlockArgument arg = body->getArgument(i);
    arg.setLoc(NameLoc::get(b.getStringAttr(in->name()), s.fileLoc));
    func.setArgAttr(i, "nn.name", b.getStringAttr(in->name()));
    s.tensors[in->name()] = TensorEntry{arg, ElementsAttr(), ""};
  }

  b.setInsertionPointToEnd(body);
  for (auto [i, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, i)))
      return failure();

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    Location loc = NameLoc::get(b.getStringAttr(out.name()), s.fileLoc);
    auto it = s.tensors.find(out.name());
    if (it == s.tensors.end())
      return s.error(loc, "graph output '" + out.name() +
                              "' is not produced by any node");
    FailureOr<Value> v = s.valueOf(out.name(), it->second);
    if (failed(v))
      return failure();
    results.push_back(*v);
  }
  if (results.empty())
    return s.error(s.fileLoc, "the graph has no outputs");
  b.create<func::ReturnOp>(s.fileLoc, results);
  func.setFunctionType(
      b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "nn.name", b.getStringAttr(out.name()));

  if (failed(verifyModule(*module)))
    return failure();
  return module;
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

FailureOr<OwningOpRef<ModuleOp>>
lathe::frontend::importONNXModel(const onnx::ModelProto &model,
                                 StringRef fileName, MLIRContext &ctx,
                                 const ImportOptions &options) {
  ctx.loadDialect<func::FuncDialect, nn::NNDialect>();
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  if (!model.has_graph())
    return emitError(fileLoc)
           << fileName << ": not a valid ONNX model (it has no graph)";

  std::optional<int64_t> opset;
  for (const onnx::OperatorSetIdProto &id : model.opset_import())
    if (id.domain().empty() || id.domain() == "ai.onnx")
      opset = id.version();
  if (!opset)
    return emitError(fileLoc) << fileName
                              << ": the model imports no opset of the "
                                 "default ONNX domain";
  if (*opset < kMinONNXOpset || *opset > kMaxONNXOpset)
    return emitError(fileLoc) << fileName << ": unsupported opset " << *opset
                              << " (Lathe imports opsets " << kMinONNXOpset
                              << " to " << kMaxONNXOpset << ")";

  ImportState state(ctx, fileName, *opset);
  GraphImporter importer(state, options);
  return importer.run(model.graph(), llvm::sys::path::stem(fileName));
}

FailureOr<OwningOpRef<ModuleOp>>
lathe::frontend::importONNXBuffer(StringRef bytes, StringRef fileName,
                                  MLIRContext &ctx,
                                  const ImportOptions &options) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return emitError(FileLineColLoc::get(&ctx, fileName, 0, 0))
           << fileName << ": not a valid ONNX model (protobuf parse failed)";
  return importONNXModel(model, fileName, ctx, options);
}

FailureOr<OwningOpRef<ModuleOp>>
lathe::frontend::importONNXFile(StringRef path, MLIRContext &ctx,
                                const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(FileLineColLoc::get(&ctx, path, 0, 0))
           << path << ": cannot open file: " << buffer.getError().message();
  return importONNXBuffer((*buffer)->getBuffer(), path, ctx, options);
}

llvm::Error lathe::frontend::addInputShape(llvm::StringRef spec,
                                           ImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  llvm::SmallVector<int64_t> shape;
  bool valid = !name.empty() && spec.contains('=') && !dims.empty();
  llvm::SmallVector<llvm::StringRef> parts;
  if (!dims.empty())
    dims.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0)
      valid = false;
    shape.push_back(d);
  }
  if (!valid)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "invalid input shape '" + spec +
            "': expected <name>=<dim>x<dim>..., e.g. input=1x3x224x224");
  if (!options.inputShapes.try_emplace(name, shape).second)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "input shape of '" + name + "' given twice");
  return llvm::Error::success();
}
