//===- ImportShape.cpp - Import ONNX data-movement and constant ops -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the ONNX operators that move data or compute shapes:
// Reshape, Flatten, Transpose, Concat, Slice, Split (as slices), Gather,
// Pad, Squeeze, Unsqueeze, and the ones that produce or pass on constants:
// Constant, ConstantOfShape, Shape, Identity, Dropout, Cast (trivial, or
// folded on small integer constants) and CastLike, CenterCropPad (one
// nn.pad, negative amounts cropping) and Compress with a constant condition
// (a gather of constant indices).
//
// Shapes are static, so Shape folds to a constant; Reshape, Squeeze,
// Unsqueeze, Concat, Slice, Gather and Cast on small integer constants fold
// too, which resolves the usual Shape -> Gather -> Concat -> Reshape chains
// of exported models. Per-opset differences handled here: Slice takes
// starts/ends/axes as attributes before opset 10 and as inputs (plus steps)
// from 10; Pad takes pads/value as attributes before 11 and as inputs from
// 11 (axes from 18); Squeeze/Unsqueeze and Split take axes / split as an
// attribute before 13 and as an input from 13 (Split's num_outputs from
// 18); Reshape's allowzero exists from 14.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

/// The integers of input `i` when it is a small integer constant (so that
/// folding it is cheap), else std::nullopt.
std::optional<SmallVector<int64_t>> foldableInts(NodeImporter &n, unsigned i) {
  if (!n.isConstantInput(i))
    return std::nullopt;
  auto c = n.constantInput(i, "");
  if (failed(c) || !isa<DenseIntElementsAttr>(*c))
    return std::nullopt;
  auto ints = readInts(*c);
  if (failed(ints))
    return std::nullopt;
  return *ints;
}

/// Normalizes `axis` in [-rank, rank) to [0, rank), or fails naming it.
FailureOr<int64_t> normalizeAxis(NodeImporter &n, int64_t axis, int64_t rank,
                                 StringRef what = "axis") {
  if (axis < -rank || axis >= rank)
    return n.fail(what + " " + std::to_string(axis) +
                  " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

/// Binds output 0 to input 0 reshaped to `shape` (folded if input 0 is a
/// small integer constant).
LogicalResult reshapeTo(NodeImporter &n, ArrayRef<int64_t> shape) {
  auto inTy = n.inputType(0);
  if (failed(inTy))
    return failure();
  if (auto ints = foldableInts(n, 0)) {
    if (static_cast<int64_t>(ints->size()) != ShapedType::getNumElements(shape))
      return n.fail("cannot reshape " + std::to_string(ints->size()) +
                    " elements into [" + joinInts(shape) + "]");
    return n.setConstantOutput(
        0, makeIntConstant(inTy->getElementType(), shape, *ints));
  }
  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.reshape(*x, shape);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importReshape(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto allowZero = n.intAttr("allowzero", 0);
  auto target = n.constantInts(1, "shape");
  auto inTy = n.inputType(0);
  if (failed(allowZero) || failed(target) || failed(inTy))
    return failure();
  // Resolve 0 (copy the input dim, unless allowzero) and -1 (the rest).
  SmallVector<int64_t> shape(*target);
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !*allowZero) {
      if (static_cast<int64_t>(i) >= inTy->getRank())
        return n.fail("shape [" + joinInts(*target) + "] copies dim " +
                      std::to_string(i) + " (0), but the input has rank " +
                      std::to_string(inTy->getRank()));
      d = inTy->getDimSize(i);
    }
    if (d == -1 && !inferred) {
      inferred = i;
      continue;
    }
    if (d < 0)
      return n.fail("invalid shape [" + joinInts(*target) + "]");
    known *= d;
  }
  int64_t count = inTy->getNumElements();
  if (inferred) {
    if (known == 0 || count % known != 0)
      return n.fail("cannot reshape " + std::to_string(count) +
                    " elements into [" + joinInts(*target) + "]");
    shape[*inferred] = count / known;
  } else if (known != count) {
    return n.fail("cannot reshape " + std::to_string(count) +
                  " elements into [" + joinInts(*target) + "]");
  }
  return reshapeTo(n, shape);
}

LogicalResult importFlatten(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto axis = n.intAttr("axis", 1);
  auto x = n.input(0);
  if (failed(axis) || failed(x))
    return failure();
  auto y = n.create<nn::FlattenOp>(*x, {n.i64("axis", *axis)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importTranspose(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto perm = n.intsAttr("perm");
  auto x = n.input(0);
  if (failed(perm) || failed(x))
    return failure();
  SmallVector<int64_t> p;
  if (*perm) {
    p = **perm;
  } else {
    for (int64_t i = cast<RankedTensorType>(x->getType()).getRank() - 1; i >= 0;
         --i)
      p.push_back(i);
  }
  auto y = n.create<nn::TransposeOp>(*x, {n.i64Array("perm", p)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importConcat(NodeImporter &n) {
  if (n.numInputs() < 1)
    return n.fail("expected at least one input");
  auto axis = n.intAttr("axis", 0);
  if (failed(axis))
    return failure();
  if (!n.attr("axis"))
    return n.fail("missing attribute axis");

  // Fold 1-D integer constants (shape arithmetic).
  SmallVector<int64_t> folded;
  bool foldable = true;
  for (unsigned i = 0; i < n.numInputs() && foldable; ++i) {
    auto ints = foldableInts(n, i);
    foldable = ints.has_value();
    if (!foldable)
      break;
    // Constant inputs are defined, so these types exist.
    auto ty = n.inputType(i);
    foldable = ty->getRank() == 1 &&
               ty->getElementType() == n.inputType(0)->getElementType();
    if (foldable)
      llvm::append_range(folded, *ints);
  }
  if (foldable)
    return n.setConstantOutput(
        0, makeIntConstant(n.inputType(0)->getElementType(),
                           {static_cast<int64_t>(folded.size())}, folded));

  SmallVector<Value> inputs;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    auto v = n.input(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  auto y = n.create<nn::ConcatOp>(inputs, {n.i64("axis", *axis)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importSlice(NodeImporter &n) {
  SmallVector<int64_t> starts, ends, axes, steps;
  if (failed(n.rejectMovedAttrs({"starts", "ends", "axes"}, 10)))
    return failure();
  if (n.opset() < 10) {
    if (failed(n.expectInputs(1, 1)))
      return failure();
    auto s = n.intsAttr("starts");
    auto e = n.intsAttr("ends");
    auto a = n.intsAttr("axes");
    if (failed(s) || failed(e) || failed(a))
      return failure();
    if (!*s || !*e)
      return n.fail("missing attribute starts or ends");
    starts = **s;
    ends = **e;
    if (*a)
      axes = **a;
  } else {
    if (failed(n.expectInputs(3, 5)))
      return failure();
    auto s = n.constantInts(1, "starts");
    auto e = n.constantInts(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      auto a = n.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (n.hasInput(4)) {
      auto st = n.constantInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  auto inTy = n.inputType(0);
  if (failed(inTy))
    return failure();
  int64_t rank = inTy->getRank();
  if (axes.empty())
    for (int64_t i = 0; i < static_cast<int64_t>(starts.size()); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return n.fail("starts, ends, axes and steps have different lengths (" +
                  std::to_string(starts.size()) + ", " +
                  std::to_string(ends.size()) + ", " +
                  std::to_string(axes.size()) + ", " +
                  std::to_string(steps.size()) + ")");

  // Normalize to nn.slice's convention: per dimension of size d, with a
  // positive step 0 <= start, end <= d; with a negative step
  // -1 <= start, end <= d - 1 (end -1 runs through element 0).
  SmallVector<int64_t> nStarts(rank, 0), nEnds(inTy->getShape()),
      nSteps(rank, 1);
  llvm::SmallBitVector seen(rank);
  for (size_t k = 0; k < starts.size(); ++k) {
    auto axis = normalizeAxis(n, axes[k], rank);
    if (failed(axis))
      return failure();
    if (seen.test(*axis))
      return n.fail("axis " + std::to_string(axes[k]) + " appears twice");
    seen.set(*axis);
    int64_t d = inTy->getDimSize(*axis), step = steps[k];
    if (step == 0)
      return n.fail("steps[" + std::to_string(k) + "] is 0");
    int64_t s = starts[k] < 0 ? starts[k] + d : starts[k];
    int64_t e = ends[k] < 0 ? ends[k] + d : ends[k];
    // Out-of-range values (INT64_MAX/MIN for "to the end") are clamped; the
    // additions above cannot overflow as d >= 0.
    if (d == 0) {
      s = e = step > 0 ? 0 : -1;
    } else if (step > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
    }
    nStarts[*axis] = s;
    nEnds[*axis] = e;
    nSteps[*axis] = step;
  }

  // Fold slices of 1-D integer constants (Shape -> Slice).
  if (auto ints = foldableInts(n, 0); ints && rank == 1) {
    SmallVector<int64_t> out;
    for (int64_t i = nStarts[0]; nSteps[0] > 0 ? i < nEnds[0] : i > nEnds[0];
         i += nSteps[0])
      out.push_back((*ints)[i]);
    return n.setConstantOutput(
        0, makeIntConstant(inTy->getElementType(),
                           {static_cast<int64_t>(out.size())}, out));
  }

  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.create<nn::SliceOp>(*x, {n.i64Array("starts", nStarts),
                                      n.i64Array("ends", nEnds),
                                      n.i64Array("steps", nSteps)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importSplit(NodeImporter &n) {
  if (failed(n.rejectMovedAttrs({"split"}, 13)))
    return failure();
  if (failed(n.expectInputs(1, n.opset() >= 13 ? 2 : 1)))
    return failure();
  auto axisAttr = n.intAttr("axis", 0);
  auto inTy = n.inputType(0);
  auto x = n.input(0);
  if (failed(axisAttr) || failed(inTy) || failed(x))
    return failure();
  int64_t rank = inTy->getRank();
  auto axis = normalizeAxis(n, *axisAttr, rank);
  if (failed(axis))
    return failure();
  int64_t dim = inTy->getDimSize(*axis);
  int64_t outputs = n.node().output_size();

  // Sizes: given (attribute before 13, input from 13), or equal parts (the
  // last one smaller when num_outputs does not divide the dim, opset 18).
  SmallVector<int64_t> sizes;
  if (n.opset() < 13) {
    auto split = n.intsAttr("split");
    if (failed(split))
      return failure();
    if (*split)
      sizes = **split;
  } else if (n.hasInput(1)) {
    auto split = n.constantInts(1, "split");
    if (failed(split))
      return failure();
    sizes = *split;
  }
  if (sizes.empty()) {
    auto numOutputs = n.intAttr("num_outputs", outputs);
    if (failed(numOutputs))
      return failure();
    if (*numOutputs != outputs || outputs < 1)
      return n.fail("num_outputs is " + std::to_string(*numOutputs) +
                    ", but the node has " + std::to_string(outputs) +
                    " outputs");
    int64_t part = llvm::divideCeil(dim, outputs);
    if (n.opset() < 18 && dim % outputs != 0)
      return n.fail("cannot split a dimension of " + std::to_string(dim) +
                    " into " + std::to_string(outputs) + " equal parts");
    for (int64_t i = 0, left = dim; i < outputs; ++i, left -= part)
      sizes.push_back(std::max<int64_t>(0, std::min(part, left)));
  }
  int64_t total = 0;
  for (int64_t size : sizes)
    total += size;
  if (static_cast<int64_t>(sizes.size()) != outputs || total != dim ||
      llvm::any_of(sizes, [](int64_t size) { return size < 0; }))
    return n.fail("split sizes [" + joinInts(sizes) + "] do not cut a " +
                  "dimension of " + std::to_string(dim) + " into " +
                  std::to_string(outputs) + " outputs");

  int64_t offset = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    SmallVector<int64_t> starts(rank, 0), ends(inTy->getShape()),
        steps(rank, 1);
    starts[*axis] = offset;
    ends[*axis] = offset + size;
    offset += size;
    auto y = n.create<nn::SliceOp>(*x, {n.i64Array("starts", starts),
                                        n.i64Array("ends", ends),
                                        n.i64Array("steps", steps)});
    if (failed(y) || failed(n.setOutput(i, *y)))
      return failure();
  }
  return success();
}

LogicalResult importGather(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto axis = n.intAttr("axis", 0);
  auto dataTy = n.inputType(0);
  auto idxTy = n.inputType(1);
  if (failed(axis) || failed(dataTy) || failed(idxTy))
    return failure();

  // Fold a gather from a 1-D integer constant (Shape -> Gather).
  auto data = foldableInts(n, 0);
  auto indices = foldableInts(n, 1);
  if (data && indices && dataTy->getRank() == 1) {
    SmallVector<int64_t> out;
    int64_t d = data->size();
    for (int64_t i : *indices) {
      if (i < -d || i >= d)
        return n.fail("index " + std::to_string(i) +
                      " is out of range for a dimension of size " +
                      std::to_string(d));
      out.push_back((*data)[i < 0 ? i + d : i]);
    }
    return n.setConstantOutput(
        0, makeIntConstant(dataTy->getElementType(), idxTy->getShape(), out));
  }

  auto x = n.input(0);
  auto idx = n.input(1);
  if (failed(x) || failed(idx))
    return failure();
  auto y = n.create<nn::GatherOp>(ValueRange{*x, *idx}, {n.i64("axis", *axis)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importPad(NodeImporter &n) {
  if (failed(n.rejectMovedAttrs({"pads", "value"}, 11)))
    return failure();
  auto mode = n.stringAttr("mode", "constant");
  auto inTy = n.inputType(0);
  if (failed(mode) || failed(inTy))
    return failure();
  int64_t rank = inTy->getRank();
  SmallVector<int64_t> pads;
  float value = 0.0f;
  if (n.opset() < 11) {
    if (failed(n.expectInputs(1, 1)))
      return failure();
    auto p = n.intsAttr("pads");
    auto v = n.floatAttr("value", 0.0f);
    if (failed(p) || failed(v))
      return failure();
    if (!*p)
      return n.fail("missing attribute pads");
    pads = **p;
    value = *v;
  } else {
    if (failed(n.expectInputs(2, 4)))
      return failure();
    auto p = n.constantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (n.hasInput(2)) {
      auto v = n.constantFloat(2, "constant_value");
      if (failed(v))
        return failure();
      value = *v;
    }
    if (n.hasInput(3)) {
      // Pads for some axes only: spread them over all dims.
      auto axes = n.constantInts(3, "axes");
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return n.fail("expected " + std::to_string(2 * axes->size()) +
                      " pads for " + std::to_string(axes->size()) +
                      " axes, got " + std::to_string(pads.size()));
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [k, a] : llvm::enumerate(*axes)) {
        auto axis = normalizeAxis(n, a, rank);
        if (failed(axis))
          return failure();
        full[*axis] = pads[k];
        full[rank + *axis] = pads[axes->size() + k];
      }
      pads = full;
    }
  }
  std::optional<nn::PadMode> padMode = nn::symbolizePadMode(*mode);
  if (!padMode)
    return n.unsupportedAttr("mode", *mode);
  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.create<nn::PadOp>(
      *x, {n.i64Array("pads", pads),
           n.namedAttr("mode", nn::PadModeAttr::get(&n.ctx(), *padMode)),
           n.f32("value", value)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// The axes of Squeeze/Unsqueeze: an attribute before opset 13, an input
/// from 13. `present` says whether any were given.
FailureOr<SmallVector<int64_t>> squeezeAxes(NodeImporter &n, bool &present) {
  present = false;
  if (failed(n.rejectMovedAttrs({"axes"}, 13)))
    return failure();
  if (n.opset() < 13) {
    if (failed(n.expectInputs(1, 1)))
      return failure();
    auto a = n.intsAttr("axes");
    if (failed(a))
      return failure();
    present = a->has_value();
    return *a ? **a : SmallVector<int64_t>();
  }
  if (failed(n.expectInputs(1, 2)))
    return failure();
  if (!n.hasInput(1))
    return SmallVector<int64_t>();
  present = true;
  return n.constantInts(1, "axes");
}

LogicalResult importSqueeze(NodeImporter &n) {
  bool present;
  auto axes = squeezeAxes(n, present);
  auto inTy = n.inputType(0);
  if (failed(axes) || failed(inTy))
    return failure();
  int64_t rank = inTy->getRank();
  llvm::SmallBitVector drop(rank);
  if (!present) {
    for (int64_t i = 0; i < rank; ++i)
      drop[i] = inTy->getDimSize(i) == 1;
  }
  for (int64_t a : *axes) {
    auto axis = normalizeAxis(n, a, rank);
    if (failed(axis))
      return failure();
    if (inTy->getDimSize(*axis) != 1)
      return n.fail("cannot squeeze dim " + std::to_string(*axis) +
                    " of size " + std::to_string(inTy->getDimSize(*axis)));
    drop.set(*axis);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop.test(i))
      shape.push_back(inTy->getDimSize(i));
  return reshapeTo(n, shape);
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  bool present;
  auto axes = squeezeAxes(n, present);
  auto inTy = n.inputType(0);
  if (failed(axes) || failed(inTy))
    return failure();
  if (!present)
    return n.fail(n.opset() < 13 ? "missing attribute axes"
                                 : "missing input axes");
  int64_t outRank = inTy->getRank() + axes->size();
  llvm::SmallBitVector added(outRank);
  for (int64_t a : *axes) {
    auto axis = normalizeAxis(n, a, outRank);
    if (failed(axis))
      return failure();
    if (added.test(*axis))
      return n.fail("axis " + std::to_string(a) + " appears twice");
    added.set(*axis);
  }
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> in = inTy->getShape();
  for (int64_t i = 0; i < outRank; ++i) {
    if (added.test(i)) {
      shape.push_back(1);
    } else {
      shape.push_back(in.front());
      in = in.drop_front();
    }
  }
  return reshapeTo(n, shape);
}

LogicalResult importConstant(NodeImporter &n) {
  if (failed(n.expectInputs(0, 0)))
    return failure();
  if (n.node().attribute_size() != 1)
    return n.fail("expected exactly one value attribute, got " +
                  std::to_string(n.node().attribute_size()));
  const onnx::AttributeProto &a = n.node().attribute(0);
  MLIRContext &ctx = n.ctx();
  auto f32 = Float32Type::get(&ctx);
  auto i64 = IntegerType::get(&ctx, 64);
  ElementsAttr value;
  if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) {
    std::string what = "node '" + n.name().str() + "' (Constant, opset " +
                       std::to_string(n.opset()) + "): value";
    auto v = n.state().convertTensor(a.t(), what, n.name(), n.loc(),
                                     /*smallFloatsDense=*/true);
    if (failed(v))
      return failure();
    value = *v;
  } else if (a.name() == "value_float" &&
             a.type() == onnx::AttributeProto::FLOAT) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, f32), a.f());
  } else if (a.name() == "value_floats" &&
             a.type() == onnx::AttributeProto::FLOATS) {
    SmallVector<float> fs(a.floats().begin(), a.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(fs.size())}, f32),
        ArrayRef<float>(fs));
  } else if (a.name() == "value_int" && a.type() == onnx::AttributeProto::INT) {
    value = makeIntConstant(i64, {}, {a.i()});
  } else if (a.name() == "value_ints" &&
             a.type() == onnx::AttributeProto::INTS) {
    SmallVector<int64_t> is(a.ints().begin(), a.ints().end());
    value = makeIntConstant(i64, {static_cast<int64_t>(is.size())}, is);
  } else {
    return n.fail("unsupported attribute " + a.name());
  }
  return n.setConstantOutput(0, value);
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto shape = n.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return n.fail("negative dimension in shape [" + joinInts(*shape) + "]");
  Type elemTy = Float32Type::get(&n.ctx());
  Attribute fill = FloatAttr::get(elemTy, 0.0);
  if (const onnx::AttributeProto *a = n.attr("value")) {
    std::string what = "node '" + n.name().str() +
                       "' (ConstantOfShape, opset " +
                       std::to_string(n.opset()) + "): value";
    auto v = n.state().convertTensor(a->t(), what, n.name(), n.loc(),
                                     /*smallFloatsDense=*/true);
    if (failed(v))
      return failure();
    if (v->getNumElements() != 1)
      return n.fail("attribute value must hold one element");
    auto dense = dyn_cast<DenseElementsAttr>(*v);
    if (!dense)
      return n.fail("attribute value must hold one element");
    elemTy = dense.getElementType();
    fill = *dense.value_begin<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, elemTy);
  return n.setConstantOutput(
      0, cast<ElementsAttr>(DenseElementsAttr::get(type, fill)));
}

LogicalResult importShape(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto inTy = n.inputType(0);
  auto start = n.intAttr("start", 0);
  auto end = n.intAttr("end", INT64_MAX);
  if (failed(inTy) || failed(start) || failed(end))
    return failure();
  int64_t rank = inTy->getRank();
  auto clampDim = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t s = clampDim(*start), e = clampDim(*end);
  SmallVector<int64_t> dims;
  for (int64_t i = s; i < e; ++i)
    dims.push_back(inTy->getDimSize(i));
  return n.setConstantOutput(
      0, makeIntConstant(IntegerType::get(&n.ctx(), 64),
                         {static_cast<int64_t>(dims.size())}, dims));
}

/// Identity, Dropout (inference) and trivial Cast: output 0 is input 0.
LogicalResult forwardInput(NodeImporter &n) {
  auto &tensors = n.state().tensors;
  TensorEntry e = tensors.lookup(n.node().input(0));
  e.producer = n.name().str();
  if (n.node().output_size() > 0 && !n.node().output(0).empty())
    tensors[n.node().output(0)] = e;
  return success();
}

LogicalResult importIdentity(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  return forwardInput(n);
}

LogicalResult importDropout(NodeImporter &n) {
  if (failed(n.expectInputs(1, n.opset() >= 12 ? 3 : 1)))
    return failure();
  if (n.hasInput(2)) {
    auto training = n.constantInts(2, "training_mode");
    if (failed(training))
      return failure();
    if (!training->empty() && training->front() != 0)
      return n.fail("training_mode is true; Lathe imports inference graphs");
  }
  // In inference the mask keeps everything (true). Before opset 10 the mask
  // has the input's float type and no defined inference value (ONNX Runtime
  // gives zeros): it stays unproduced, an error if something uses it.
  if (n.opset() >= 10 && n.node().output_size() > 1 &&
      !n.node().output(1).empty()) {
    auto inTy = n.inputType(0);
    if (failed(inTy))
      return failure();
    auto maskTy = RankedTensorType::get(inTy->getShape(),
                                        IntegerType::get(&n.ctx(), 1));
    if (failed(n.setConstantOutput(
            1, cast<ElementsAttr>(DenseElementsAttr::get(maskTy, true)))))
      return failure();
  }
  return forwardInput(n);
}

LogicalResult importCast(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto to = n.intAttr("to", 0);
  auto inTy = n.inputType(0);
  if (failed(to) || failed(inTy))
    return failure();
  Type target = n.state().elementType(*to);
  if (target == inTy->getElementType())
    return forwardInput(n);
  // Integer constants (shape arithmetic) convert exactly.
  if (auto ints = foldableInts(n, 0);
      ints && target && isa<IntegerType>(target))
    return n.setConstantOutput(
        0, makeIntConstant(target, inTy->getShape(), *ints));
  if (!target)
    return n.unsupportedAttr("to", dataTypeName(*to),
                             "Lathe imports FLOAT, INT32, INT64 and BOOL");
  // Small integer constants to f32 (a size becoming a float bound), rounded
  // to nearest as the cast does at run time.
  if (auto ints = foldableInts(n, 0);
      ints && target.isF32() && !inTy->getElementType().isInteger(1)) {
    SmallVector<float> values(ints->begin(), ints->end());
    return n.setConstantOutput(
        0, DenseElementsAttr::get(
               RankedTensorType::get(inTy->getShape(), target),
               ArrayRef<float>(values)));
  }
  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.castTo(*x, target);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// Cast to the element type of input 1 (whose values are not used).
LogicalResult importCastLike(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto inTy = n.inputType(0);
  auto likeTy = n.inputType(1);
  if (failed(inTy) || failed(likeTy))
    return failure();
  if (likeTy->getElementType() == inTy->getElementType())
    return forwardInput(n);
  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.castTo(*x, likeTy->getElementType());
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// One nn.pad: each listed axis grows (zeros) or shrinks to its target
/// size, centered, the odd element going after.
LogicalResult importCenterCropPad(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto axesAttr = n.intsAttr("axes");
  auto shape = n.constantInts(1, "shape");
  auto x = n.input(0);
  if (failed(axesAttr) || failed(shape) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  SmallVector<int64_t> axes;
  if (*axesAttr)
    axes = **axesAttr;
  else
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  if (axes.size() != shape->size())
    return n.fail("expected one target size per axis");
  SmallVector<int64_t> pads(2 * rank, 0);
  for (auto [axis, target] : llvm::zip(axes, *shape)) {
    if (axis < -rank || axis >= rank)
      return n.fail("axis out of range");
    int64_t a = axis < 0 ? axis + rank : axis;
    int64_t size = xTy.getDimSize(a);
    if (ShapedType::isDynamic(size) || target < 0)
      return n.fail("expected static sizes");
    int64_t grow = target - size;
    int64_t amount = grow < 0 ? -grow : grow, sign = grow < 0 ? -1 : 1;
    pads[a] = sign * (amount / 2);
    pads[rank + a] = sign * (amount - amount / 2);
  }
  auto y = n.create<nn::PadOp>(*x, {n.i64Array("pads", pads)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// A gather of the positions where the constant condition holds, along
/// `axis` (of the flattened input without one).
LogicalResult importCompress(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto condition = n.constantInput(1, "condition");
  auto x = n.input(0);
  if (failed(condition) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  FailureOr<Value> in = *x;
  int64_t axis = 0;
  if (n.attr("axis")) {
    auto a = n.intAttr("axis", 0);
    if (failed(a))
      return failure();
    if (*a < -rank || *a >= rank)
      return n.fail("axis out of range");
    axis = *a < 0 ? *a + rank : *a;
  } else {
    if (!xTy.hasStaticShape())
      return n.fail("expected a static input shape");
    in = n.reshape(*x, {xTy.getNumElements()});
  }
  if (failed(in))
    return failure();
  auto dense = dyn_cast<DenseElementsAttr>(*condition);
  if (!dense)
    return n.fail("expected a dense condition");
  int64_t extent = cast<RankedTensorType>(in->getType()).getDimSize(axis);
  if (ShapedType::isDynamic(extent) || dense.getNumElements() > extent)
    return n.fail("the condition is longer than the compressed dimension");
  SmallVector<int64_t> picked;
  int64_t i = 0;
  for (const APInt &c : dense.getValues<APInt>()) {
    if (!c.isZero())
      picked.push_back(i);
    ++i;
  }
  Value indices = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({int64_t(picked.size())},
                            IntegerType::get(&n.ctx(), 64)),
      ArrayRef<int64_t>(picked)));
  auto y = n.create<nn::GatherOp>(ValueRange{*in, indices},
                                  {n.i64("axis", axis)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

} // namespace

void lathe::frontend::registerShapeOps(OpTable &table) {
  table["Reshape"] = {importReshape, 5};
  table["Flatten"] = {importFlatten};
  table["Transpose"] = {importTranspose};
  table["Concat"] = {importConcat};
  table["Slice"] = {importSlice};
  table["Split"] = {importSplit};
  table["Gather"] = {importGather};
  table["Pad"] = {importPad};
  table["Squeeze"] = {importSqueeze};
  table["Unsqueeze"] = {importUnsqueeze};
  table["Constant"] = {importConstant};
  table["ConstantOfShape"] = {importConstantOfShape, 9};
  table["Shape"] = {importShape};
  table["Identity"] = {importIdentity};
  table["Dropout"] = {importDropout};
  table["Cast"] = {importCast};
  table["CastLike"] = {importCastLike, 15};
  table["CenterCropPad"] = {importCenterCropPad, 18};
  table["Compress"] = {importCompress, 9};
}
