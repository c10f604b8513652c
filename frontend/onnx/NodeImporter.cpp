//===- NodeImporter.cpp - Shared state of the ONNX importer ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements ImportState (tensor conversion, constants) and
// NodeImporter (attribute getters with typed errors, inputs, outputs, and the
// checked creation of nn ops) shared by the op-family import files.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace lathe::frontend;

namespace {
/// Integer tensors (and Constant-node literals) up to this many elements are
/// plain `dense` attributes.
constexpr int64_t kMaxDenseInts = 64;
/// Alignment of weight blobs, enough for any vector load.
constexpr size_t kBlobAlign = 64;

const char *attrTypeName(onnx::AttributeProto::AttributeType t) {
  switch (t) {
  case onnx::AttributeProto::FLOAT:
    return "a float";
  case onnx::AttributeProto::INT:
    return "an int";
  case onnx::AttributeProto::STRING:
    return "a string";
  case onnx::AttributeProto::TENSOR:
    return "a tensor";
  case onnx::AttributeProto::GRAPH:
    return "a graph";
  case onnx::AttributeProto::FLOATS:
    return "floats";
  case onnx::AttributeProto::INTS:
    return "ints";
  case onnx::AttributeProto::STRINGS:
    return "strings";
  default:
    return "an unsupported kind";
  }
}

/// A blob name that prints and parses back as a resource key.
std::string blobKey(StringRef name) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (key.empty() || !(llvm::isAlpha(key[0]) || key[0] == '_'))
    key.insert(key.begin(), '_');
  return key;
}

/// Raw little-endian bytes of an elements attribute that is dense (not
/// splat) or a dense resource; empty when neither.
std::optional<ArrayRef<char>> rawBytes(ElementsAttr attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense.isSplat() ? std::nullopt
                           : std::optional<ArrayRef<char>>(dense.getRawData());
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = res.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}
} // namespace

//===----------------------------------------------------------------------===//
// Free helpers
//===----------------------------------------------------------------------===//

std::string lathe::frontend::dataTypeName(int32_t dataType) {
  if (onnx::TensorProto_DataType_IsValid(dataType))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(dataType));
  return "<data type " + std::to_string(dataType) + ">";
}

std::string lathe::frontend::joinInts(ArrayRef<int64_t> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os);
  return s;
}

FailureOr<SmallVector<int64_t>> lathe::frontend::readInts(ElementsAttr attr) {
  auto intTy = dyn_cast<IntegerType>(attr.getElementType());
  if (!intTy || (intTy.getWidth() != 32 && intTy.getWidth() != 64))
    return failure();
  SmallVector<int64_t> out;
  int64_t n = attr.getNumElements();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      out.push_back(v.getSExtValue());
    return out;
  }
  std::optional<ArrayRef<char>> bytes = rawBytes(attr);
  if (!bytes)
    return failure();
  for (int64_t i = 0; i < n; ++i) {
    if (intTy.getWidth() == 64) {
      int64_t v;
      std::memcpy(&v, bytes->data() + 8 * i, 8);
      out.push_back(v);
    } else {
      int32_t v;
      std::memcpy(&v, bytes->data() + 4 * i, 4);
      out.push_back(v);
    }
  }
  return out;
}

FailureOr<SmallVector<float>> lathe::frontend::readFloats(ElementsAttr attr) {
  if (!attr.getElementType().isF32())
    return failure();
  SmallVector<float> out;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      out.push_back(v.convertToFloat());
    return out;
  }
  std::optional<ArrayRef<char>> bytes = rawBytes(attr);
  if (!bytes)
    return failure();
  out.resize(attr.getNumElements());
  std::memcpy(out.data(), bytes->data(), out.size() * sizeof(float));
  return out;
}

ElementsAttr lathe::frontend::makeIntConstant(Type elementType,
                                              ArrayRef<int64_t> shape,
                                              ArrayRef<int64_t> values) {
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(width, v, /*isSigned=*/true));
  return DenseIntElementsAttr::get(RankedTensorType::get(shape, elementType),
                                   ints);
}

//===----------------------------------------------------------------------===//
// ImportState
//===----------------------------------------------------------------------===//

ImportState::ImportState(MLIRContext &ctx, StringRef fileName, int64_t opset)
    : ctx(ctx), builder(&ctx), fileName(fileName.str()),
      fileLoc(FileLineColLoc::get(&ctx, fileName, 0, 0)), opset(opset) {}

LogicalResult ImportState::error(Location loc, const Twine &message) {
  return emitError(loc) << fileName << ": " << message;
}

Type ImportState::elementType(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return builder.getF32Type();
  case onnx::TensorProto::INT32:
    return builder.getI32Type();
  case onnx::TensorProto::INT64:
    return builder.getI64Type();
  case onnx::TensorProto::BOOL:
    return builder.getI1Type();
  default:
    return Type();
  }
}

FailureOr<ElementsAttr> ImportState::convertTensor(const onnx::TensorProto &t,
                                                   const Twine &what,
                                                   StringRef blobName,
                                                   Location loc,
                                                   bool smallFloatsDense) {
  Type elemTy = elementType(t.data_type());
  if (!elemTy)
    return error(loc, what + " has unsupported data type " +
                          dataTypeName(t.data_type()) +
                          " (Lathe imports FLOAT, INT32, INT64 and BOOL tensors)");
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return error(loc, what + " keeps its data in an external file, which "
                             "Lathe cannot read yet");
  if (t.has_segment())
    return error(loc, what + " is segmented, which Lathe does not support");
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return error(loc,
                   what + " has a negative dimension " + std::to_string(d));
    shape.push_back(d);
    if (llvm::MulOverflow(count, d, count))
      return error(loc, what + " has too many elements (shape [" +
                            joinInts(SmallVector<int64_t>(t.dims().begin(),
                                                          t.dims().end())) +
                            "])");
  }
  auto type = RankedTensorType::get(shape, elemTy);
  if (elemTy.isInteger(1)) {
    // Booleans: one byte each in raw_data, or one int32_data entry each.
    SmallVector<bool> values;
    if (t.has_raw_data())
      for (char c : t.raw_data())
        values.push_back(c != 0);
    else
      for (int32_t v : t.int32_data())
        values.push_back(v != 0);
    if (static_cast<int64_t>(values.size()) != count)
      return error(loc, what + " holds " + std::to_string(values.size()) +
                            " values, expected " + std::to_string(count) +
                            " for its shape [" + joinInts(shape) + "]");
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }
  size_t width = elemTy.getIntOrFloatBitWidth() / 8;

  // The payload: raw_data, or the typed field of this data type. Its size
  // is checked before anything is allocated.
  const char *src;
  int64_t got;
  if (t.has_raw_data()) {
    src = t.raw_data().data();
    got = t.raw_data().size() % width ? -1 : t.raw_data().size() / width;
  } else if (elemTy.isF32()) {
    src = reinterpret_cast<const char *>(t.float_data().data());
    got = t.float_data_size();
  } else if (elemTy.isInteger(64)) {
    src = reinterpret_cast<const char *>(t.int64_data().data());
    got = t.int64_data_size();
  } else {
    src = reinterpret_cast<const char *>(t.int32_data().data());
    got = t.int32_data_size();
  }
  if (got != count)
    return error(loc, what + " holds " +
                          (got < 0 ? std::string("a partial value")
                                   : std::to_string(got) + " values") +
                          ", expected " + std::to_string(count) +
                          " for its shape [" + joinInts(shape) + "]");
  size_t bytes = count * width;
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(bytes, kBlobAlign);
  if (bytes)
    std::memcpy(blob.getMutableData().data(), src, bytes);

  // Small integer tensors (shapes, axes, indices) and empty tensors stay
  // readable in the IR.
  if (count == 0 || ((isa<IntegerType>(elemTy) || smallFloatsDense) &&
                     count <= kMaxDenseInts))
    return cast<ElementsAttr>(
        DenseElementsAttr::getFromRawBuffer(type, blob.getData()));
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, blobKey(blobName), std::move(blob)));
}

FailureOr<Value> ImportState::valueOf(StringRef name, TensorEntry &entry) {
  if (entry.value)
    return entry.value;
  assert(entry.constant && "tensor entry with neither value nor constant");
  Location loc = NameLoc::get(builder.getStringAttr(name), fileLoc);
  auto op = builder.create<nn::ConstantOp>(loc, entry.constant.getType(),
                                           entry.constant);
  entry.value = op.getResult();
  return entry.value;
}

//===----------------------------------------------------------------------===//
// NodeImporter: errors and attributes
//===----------------------------------------------------------------------===//

NodeImporter::NodeImporter(ImportState &state, const onnx::NodeProto &node,
                           StringRef name)
    : state_(state), node_(node), name_(name.str()),
      loc_(NameLoc::get(StringAttr::get(&state.ctx, name), state.fileLoc)) {}

LogicalResult NodeImporter::fail(const Twine &message) const {
  // Handlers may make several calls before checking them; report the first.
  if (reported_)
    return failure();
  reported_ = true;
  return state_.error(loc_, "node '" + name_ + "' (" + opType() + ", opset " +
                                std::to_string(opset()) + "): " + message);
}

LogicalResult NodeImporter::unsupportedAttr(StringRef attr, const Twine &value,
                                            const Twine &why) const {
  std::string suffix = why.str();
  return fail("unsupported attribute " + attr + "=" + value +
              (suffix.empty() ? "" : " (" + suffix + ")"));
}

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : node_.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// Reports that attribute `a` has the wrong kind.
static LogicalResult wrongKind(const NodeImporter &n,
                               const onnx::AttributeProto &a,
                               const char *expected) {
  return n.fail("attribute " + a.name() + " is " + attrTypeName(a.type()) +
                ", expected " + expected);
}

FailureOr<int64_t> NodeImporter::intAttr(StringRef name, int64_t dflt) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::INT)
    return wrongKind(*this, *a, "an int");
  return a->i();
}

FailureOr<float> NodeImporter::floatAttr(StringRef name, float dflt) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT)
    return wrongKind(*this, *a, "a float");
  return a->f();
}

FailureOr<std::string> NodeImporter::stringAttr(StringRef name,
                                                StringRef dflt) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return dflt.str();
  if (a->type() != onnx::AttributeProto::STRING)
    return wrongKind(*this, *a, "a string");
  return a->s();
}

FailureOr<std::optional<SmallVector<int64_t>>>
NodeImporter::intsAttr(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return std::optional<SmallVector<int64_t>>();
  if (a->type() != onnx::AttributeProto::INTS)
    return wrongKind(*this, *a, "ints");
  return std::optional<SmallVector<int64_t>>(
      SmallVector<int64_t>(a->ints().begin(), a->ints().end()));
}

LogicalResult NodeImporter::rejectMovedAttrs(ArrayRef<StringRef> names,
                                             int64_t inputSince) const {
  if (opset() < inputSince)
    return success();
  for (StringRef name : names)
    if (attr(name))
      return fail("attribute " + name + " is an input from opset " +
                  std::to_string(inputSince));
  return success();
}

//===----------------------------------------------------------------------===//
// NodeImporter: inputs and outputs
//===----------------------------------------------------------------------===//

bool NodeImporter::hasInput(unsigned i) const {
  return i < numInputs() && !node_.input(i).empty();
}

LogicalResult NodeImporter::expectInputs(unsigned min, unsigned max) const {
  unsigned n = numInputs();
  if (n >= min && n <= max)
    return success();
  std::string expected =
      min == max ? std::to_string(min)
                 : std::to_string(min) + " to " + std::to_string(max);
  return fail("expected " + expected + " inputs, got " + std::to_string(n));
}

FailureOr<TensorEntry *> NodeImporter::entry(unsigned i) {
  if (!hasInput(i))
    return fail("missing input #" + std::to_string(i));
  auto it = state_.tensors.find(node_.input(i));
  if (it == state_.tensors.end())
    return fail("input '" + node_.input(i) +
                "' is not defined by any node, initializer or graph input");
  return &it->second;
}

FailureOr<Value> NodeImporter::input(unsigned i) {
  FailureOr<TensorEntry *> e = entry(i);
  if (failed(e))
    return failure();
  return state_.valueOf(node_.input(i), **e);
}

FailureOr<RankedTensorType> NodeImporter::inputType(unsigned i) {
  FailureOr<TensorEntry *> e = entry(i);
  if (failed(e))
    return failure();
  Type t = (*e)->value ? (*e)->value.getType() : (*e)->constant.getType();
  return cast<RankedTensorType>(t);
}

bool NodeImporter::isConstantInput(unsigned i) const {
  if (!hasInput(i))
    return false;
  auto it = state_.tensors.find(node_.input(i));
  return it != state_.tensors.end() && it->second.constant;
}

FailureOr<ElementsAttr> NodeImporter::constantInput(unsigned i,
                                                    StringRef role) {
  FailureOr<TensorEntry *> e = entry(i);
  if (failed(e))
    return failure();
  if ((*e)->constant)
    return (*e)->constant;
  std::string from = (*e)->producer.empty()
                         ? "it is a graph input"
                         : "it is computed by node '" + (*e)->producer + "'";
  return fail("input '" + node_.input(i) + "' (" + role +
              ") must be a constant, but " + from);
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned i,
                                                           StringRef role) {
  FailureOr<ElementsAttr> c = constantInput(i, role);
  if (failed(c))
    return failure();
  FailureOr<SmallVector<int64_t>> ints = readInts(*c);
  if (failed(ints))
    return fail("input '" + node_.input(i) + "' (" + role +
                ") must hold integers");
  return ints;
}

FailureOr<float> NodeImporter::constantFloat(unsigned i, StringRef role) {
  FailureOr<ElementsAttr> c = constantInput(i, role);
  if (failed(c))
    return failure();
  FailureOr<SmallVector<float>> floats = readFloats(*c);
  if (failed(floats) || floats->size() != 1)
    return fail("input '" + node_.input(i) + "' (" + role +
                ") must be a single f32 value");
  return floats->front();
}

LogicalResult NodeImporter::setOutput(unsigned i, Value value) {
  if (i >= static_cast<unsigned>(node_.output_size()) ||
      node_.output(i).empty())
    return success();
  TensorEntry &e = state_.tensors[node_.output(i)];
  e = TensorEntry{value, ElementsAttr(), name_};
  return success();
}

LogicalResult NodeImporter::setConstantOutput(unsigned i, ElementsAttr value) {
  if (i >= static_cast<unsigned>(node_.output_size()) ||
      node_.output(i).empty())
    return success();
  TensorEntry &e = state_.tensors[node_.output(i)];
  e = TensorEntry{Value(), value, name_};
  return success();
}

bool NodeImporter::hasOutputBound(unsigned i) const {
  auto it = state_.tensors.find(node_.output(i));
  return it != state_.tensors.end() && it->second.producer == name_;
}

//===----------------------------------------------------------------------===//
// NodeImporter: building nn ops
//===----------------------------------------------------------------------===//

LogicalResult NodeImporter::capture(llvm::function_ref<LogicalResult()> fn) {
  std::string first;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(&ctx(), [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error && first.empty())
        first = diag.str();
      return success();
    });
    result = fn();
  }
  if (succeeded(result))
    return success();
  return fail(first.empty() ? "the nn op could not be built" : first);
}

FailureOr<Operation *> NodeImporter::finishCreate(OperationState &state) {
  Operation *op = builder().create(state);
  if (failed(capture([&] { return mlir::verify(op, false); }))) {
    op->erase();
    return failure();
  }
  return op;
}

FailureOr<Value> NodeImporter::castTo(Value input, Type elementType) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  if (type.getElementType() == elementType)
    return input;
  OperationState state(loc_, nn::CastOp::getOperationName());
  nn::CastOp::build(builder(), state, type.clone(elementType), input);
  FailureOr<Operation *> op = finishCreate(state);
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

Value NodeImporter::scalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (auto f = dyn_cast<FloatType>(elementType))
    attr = DenseElementsAttr::get(type, FloatAttr::get(f, value));
  else
    attr = DenseElementsAttr::get(
        type, IntegerAttr::get(elementType, static_cast<int64_t>(value)));
  return constant(cast<ElementsAttr>(attr));
}

Value NodeImporter::constant(ElementsAttr value) {
  return builder().create<nn::ConstantOp>(loc_, value.getType(), value);
}

NamedAttribute NodeImporter::namedAttr(StringRef name, Attribute value) {
  return builder().getNamedAttr(name, value);
}
NamedAttribute NodeImporter::i64Array(StringRef name,
                                      ArrayRef<int64_t> values) {
  return namedAttr(name, builder().getDenseI64ArrayAttr(values));
}
NamedAttribute NodeImporter::i64(StringRef name, int64_t value) {
  return namedAttr(name, builder().getI64IntegerAttr(value));
}
NamedAttribute NodeImporter::f32(StringRef name, float value) {
  return namedAttr(name, builder().getF32FloatAttr(value));
}
NamedAttribute NodeImporter::unit(StringRef name) {
  return namedAttr(name, builder().getUnitAttr());
}

FailureOr<Value> NodeImporter::reshape(Value input, ArrayRef<int64_t> shape) {
  if (cast<RankedTensorType>(input.getType()).getShape() == shape)
    return input;
  return create<nn::ReshapeOp>(input, {i64Array("shape", shape)});
}

FailureOr<SoftmaxOperand> lathe::frontend::softmaxOperand(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  bool coerce2d = n.opset() < 13;
  auto axis = n.intAttr("axis", coerce2d ? 1 : -1);
  auto x = n.input(0);
  if (failed(axis) || failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  if (*axis < -rank || *axis >= rank)
    return n.fail("axis " + std::to_string(*axis) +
                  " is out of range for an input of rank " +
                  std::to_string(rank));
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (!coerce2d || a == rank - 1)
    return SoftmaxOperand{*x, a, *axis, /*flattened=*/false};
  auto flat = n.create<nn::FlattenOp>(*x, {n.i64("axis", a)});
  if (failed(flat))
    return failure();
  return SoftmaxOperand{*flat, 1, *axis, /*flattened=*/true};
}
