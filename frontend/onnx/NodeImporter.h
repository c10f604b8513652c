//===- NodeImporter.h - Shared state of the ONNX importer -------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares what the per-op-family import files share (internal to
// frontend/onnx): the model-wide ImportState (tensor map, builder, error
// prefix) and NodeImporter, the view of one ONNX node that a handler works
// with: typed attribute getters, inputs (with constants materialized on
// demand), outputs, and `create<OpTy>`, which builds an nn op and turns a
// shape-inference or verifier failure into a diagnostic naming the node.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_FRONTEND_ONNX_NODEIMPORTER_H
#define LATHE_FRONTEND_ONNX_NODEIMPORTER_H

#include "dialects/nn/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace lathe::frontend {

/// What an ONNX tensor name stands for during the import: an SSA value, a
/// constant, or both (a constant gets its `nn.constant` op on first use as a
/// value).
struct TensorEntry {
  mlir::Value value;
  mlir::ElementsAttr constant;
  /// The node that produced the tensor; empty for graph inputs and
  /// initializers.
  std::string producer;
};

/// State shared by the whole import of one model.
class ImportState {
public:
  ImportState(mlir::MLIRContext &ctx, llvm::StringRef fileName, int64_t opset);

  mlir::MLIRContext &ctx;
  mlir::OpBuilder builder;
  /// The model's file name, as given; it starts every error message.
  std::string fileName;
  /// The location of the file itself (`<file>:0:0`).
  mlir::Location fileLoc;
  int64_t opset;
  llvm::StringMap<TensorEntry> tensors;
  /// Names that some node reads or the graph outputs.
  llvm::StringSet<> consumed;

  /// Emits "<file>: <message>" at `loc` and returns failure.
  mlir::LogicalResult error(mlir::Location loc, const llvm::Twine &message);

  /// Converts a TensorProto (initializer or Constant value) to an elements
  /// attribute. `what` names it in errors ("initializer 'w'"). Float data
  /// becomes a dense resource blob named after `blobName`; small integer
  /// tensors (and empty ones) become plain dense attributes, and so do small
  /// float tensors when `smallFloatsDense` (literals of Constant nodes).
  mlir::FailureOr<mlir::ElementsAttr>
  convertTensor(const onnx::TensorProto &tensor, const llvm::Twine &what,
                llvm::StringRef blobName, mlir::Location loc,
                bool smallFloatsDense = false);

  /// Returns the MLIR element type of an ONNX TensorProto data type, or a
  /// null type if the importer does not support it.
  mlir::Type elementType(int32_t dataType);

  /// Returns the value of `name`, creating its `nn.constant` at the current
  /// insertion point if it has only a constant so far.
  mlir::FailureOr<mlir::Value> valueOf(llvm::StringRef name,
                                       TensorEntry &entry);
};

/// Name of an ONNX TensorProto data type ("FLOAT16"), for messages.
std::string dataTypeName(int32_t dataType);

/// Reads the integers of an integer elements attribute (dense or dense
/// resource), or returns failure for other element types.
mlir::FailureOr<llvm::SmallVector<int64_t>> readInts(mlir::ElementsAttr attr);

/// Reads the floats of an f32 elements attribute (dense or dense resource).
mlir::FailureOr<llvm::SmallVector<float>> readFloats(mlir::ElementsAttr attr);

/// Makes a dense integer constant of the given shape and element type.
mlir::ElementsAttr makeIntConstant(mlir::Type elementType,
                                   llvm::ArrayRef<int64_t> shape,
                                   llvm::ArrayRef<int64_t> values);

/// Joins integers as "1, 2, 3", for messages.
std::string joinInts(llvm::ArrayRef<int64_t> values);

/// The view of one ONNX node that an op handler works with. Every method
/// that can fail has already emitted the node's one error when it returns
/// failure, so handlers just propagate it.
class NodeImporter {
public:
  NodeImporter(ImportState &state, const onnx::NodeProto &node,
               llvm::StringRef name);

  const onnx::NodeProto &node() const { return node_; }
  llvm::StringRef name() const { return name_; }
  llvm::StringRef opType() const { return node_.op_type(); }
  int64_t opset() const { return state_.opset; }
  mlir::Location loc() const { return loc_; }
  mlir::MLIRContext &ctx() const { return state_.ctx; }
  mlir::OpBuilder &builder() const { return state_.builder; }
  ImportState &state() const { return state_; }

  //===--- Errors ---------------------------------------------------------===//

  /// Emits "<file>: node '<name>' (<OpType>, opset <N>): <message>", unless
  /// the node already reported an error (a node reports one at most).
  mlir::LogicalResult fail(const llvm::Twine &message) const;
  /// Emits "unsupported attribute <name>=<value>[ (<why>)]".
  mlir::LogicalResult unsupportedAttr(llvm::StringRef attr,
                                      const llvm::Twine &value,
                                      const llvm::Twine &why = "") const;

  //===--- Attributes -----------------------------------------------------===//

  /// The attribute `name`, or null.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> intAttr(llvm::StringRef name, int64_t dflt) const;
  mlir::FailureOr<float> floatAttr(llvm::StringRef name, float dflt) const;
  mlir::FailureOr<std::string> stringAttr(llvm::StringRef name,
                                          llvm::StringRef dflt) const;
  /// A list of integers; std::nullopt when absent.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  intsAttr(llvm::StringRef name) const;
  /// Fails if one of the attributes `names`, which became inputs in opset
  /// `inputSince`, is still given as an attribute from that opset on (it
  /// would otherwise be silently ignored).
  mlir::LogicalResult rejectMovedAttrs(llvm::ArrayRef<llvm::StringRef> names,
                                       int64_t inputSince) const;

  //===--- Inputs ---------------------------------------------------------===//

  /// Number of inputs, counting omitted optional ones in the middle.
  unsigned numInputs() const { return node_.input_size(); }
  /// True when input `i` is given (present and not the empty name).
  bool hasInput(unsigned i) const;
  /// Fails unless the node has between `min` and `max` inputs.
  mlir::LogicalResult expectInputs(unsigned min, unsigned max) const;
  /// Input `i` as a value of ranked tensor type.
  mlir::FailureOr<mlir::Value> input(unsigned i);
  /// The type of input `i`.
  mlir::FailureOr<mlir::RankedTensorType> inputType(unsigned i);
  /// Input `i`, which must be a constant; `role` names it in the error
  /// ("shape").
  mlir::FailureOr<mlir::ElementsAttr> constantInput(unsigned i,
                                                    llvm::StringRef role);
  /// True when input `i` is given and is a constant.
  bool isConstantInput(unsigned i) const;
  /// Integer entries of constant input `i`.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(unsigned i, llvm::StringRef role);
  /// The single float of constant input `i` (a scalar or one-element tensor).
  mlir::FailureOr<float> constantFloat(unsigned i, llvm::StringRef role);

  //===--- Outputs --------------------------------------------------------===//

  /// Binds output `i` to `value`.
  mlir::LogicalResult setOutput(unsigned i, mlir::Value value);
  /// Binds output `i` to a constant (materialized if something uses it as a
  /// value).
  mlir::LogicalResult setConstantOutput(unsigned i, mlir::ElementsAttr value);
  /// True when output `i` was bound.
  bool hasOutputBound(unsigned i) const;

  //===--- Building nn ops ------------------------------------------------===//

  /// Builds `OpTy` from `operands` and `attrs` at the node's location,
  /// inferring its result type. A shape error or a verifier failure becomes
  /// the node's error (no op is left behind).
  template <typename OpTy>
  mlir::FailureOr<mlir::Value>
  create(mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::FailureOr<mlir::Operation *> op = createOp<OpTy>(operands, attrs);
    if (mlir::failed(op))
      return mlir::failure();
    return (*op)->getResult(0);
  }

  /// Like create, for ops with several results.
  template <typename OpTy>
  mlir::FailureOr<mlir::Operation *>
  createOp(mlir::ValueRange operands,
           llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::OperationState state(loc_, OpTy::getOperationName());
    OpTy::build(builder(), state, mlir::TypeRange(), operands, attrs);
    llvm::SmallVector<mlir::Type> types;
    if (mlir::failed(capture([&] {
          return OpTy::inferReturnTypes(&ctx(), loc_, state.operands,
                                        state.attributes.getDictionary(&ctx()),
                                        state.getRawProperties(),
                                        mlir::RegionRange(), types);
        })))
      return mlir::failure();
    state.addTypes(types);
    return finishCreate(state);
  }

  /// Builds `nn.cast` of `input` to `elementType` (or returns `input` when it
  /// has that type already).
  mlir::FailureOr<mlir::Value> castTo(mlir::Value input,
                                      mlir::Type elementType);
  /// A rank-0 `nn.constant` of `elementType` holding `value`.
  mlir::Value scalar(mlir::Type elementType, double value);
  /// An `nn.constant` of the given elements.
  mlir::Value constant(mlir::ElementsAttr value);

  /// Shorthands for the attributes of nn ops.
  mlir::NamedAttribute namedAttr(llvm::StringRef name, mlir::Attribute value);
  mlir::NamedAttribute i64Array(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> values);
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t value);
  mlir::NamedAttribute f32(llvm::StringRef name, float value);
  mlir::NamedAttribute unit(llvm::StringRef name);

  /// Builds `nn.reshape` of `input` to the static `shape`, or returns `input`
  /// when it already has that shape.
  mlir::FailureOr<mlir::Value> reshape(mlir::Value input,
                                       llvm::ArrayRef<int64_t> shape);

private:
  /// Runs `fn`; if it fails, re-emits the first error it reported as the
  /// node's error.
  mlir::LogicalResult capture(llvm::function_ref<mlir::LogicalResult()> fn);
  mlir::FailureOr<mlir::Operation *>
  finishCreate(mlir::OperationState &state);
  /// Fails with "input '<name>' ..." when input `i` is not defined.
  mlir::FailureOr<TensorEntry *> entry(unsigned i);

  ImportState &state_;
  const onnx::NodeProto &node_;
  std::string name_;
  mlir::Location loc_;
  /// Whether the node's one error has been emitted.
  mutable bool reported_ = false;
};

/// The operand of a softmax-family node (Softmax, LogSoftmax, Hardmax) and
/// the axis to work along. Before opset 13 these ops work on the input
/// flattened to 2-D at `axis` (default 1); from 13 along `axis` alone
/// (default -1). The flatten is skipped when the axis is the last one, where
/// both readings agree.
struct SoftmaxOperand {
  /// The node's input, or its 2-D flattening.
  mlir::Value value;
  /// The axis of `value` to work along, in [0, rank).
  int64_t axis;
  /// The `axis` attribute as the node gives it (or its default).
  int64_t givenAxis;
  /// Whether `value` is the flattening.
  bool flattened;
};

/// Reads input 0 and `axis` of a softmax-family node; reports an axis out of
/// range.
mlir::FailureOr<SoftmaxOperand> softmaxOperand(NodeImporter &n);

/// An op handler: imports one node, binding its outputs.
using NodeHandler = mlir::LogicalResult (*)(NodeImporter &);

/// What the importer knows about an ONNX operator.
struct OpHandler {
  NodeHandler handler;
  /// First default-domain opset that defines the operator.
  int64_t sinceOpset = 1;
};

using OpTable = llvm::StringMap<OpHandler>;

/// Registration of each op family (one per Import*.cpp file).
void registerAttentionOps(OpTable &table);
void registerConvOps(OpTable &table);
void registerElementwiseOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerMathOps(OpTable &table);
void registerEinsumOps(OpTable &table);
void registerTensorOps(OpTable &table);

} // namespace lathe::frontend

#endif // LATHE_FRONTEND_ONNX_NODEIMPORTER_H
