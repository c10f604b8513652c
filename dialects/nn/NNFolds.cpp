//===- NNFolds.cpp - Folders of the nn ops --------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the `fold` hooks of the nn ops that can be the
// identity: a reshape or flatten to the same shape, a transpose by the
// identity permutation, a pad of zero everywhere, a slice of the whole tensor,
// a clip without finite bounds, a cast to the same type and a concat of one
// tensor all return their input. Chains of reshapes and of
// transposes collapse into one. The folders never compute on constant data:
// evaluating ops on weights, with its size limit, is lathe-fold-constants.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"

#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace lathe::nn;

/// Whether `a` and `b` are the same ranked tensor type with a static shape.
static bool sameStaticType(Type a, Type b) {
  auto ranked = dyn_cast<RankedTensorType>(a);
  return a == b && ranked && ranked.hasStaticShape();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (sameStaticType(getInput().getType(), getType()))
    return getInput();
  // reshape(reshape(x)) is one reshape of x: only the element order matters.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  auto isIdentity = [](ArrayRef<int64_t> p) {
    return llvm::all_of(llvm::enumerate(p), [](auto it) {
      return it.value() == static_cast<int64_t>(it.index());
    });
  };
  if (isIdentity(perm))
    return getInput();
  // transpose(transpose(x, p), q) is transpose(x, p o q): result dimension i
  // is inner dimension q[i], which is input dimension p[q[i]].
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t d : perm)
      composed.push_back(innerPerm[d]);
    if (isIdentity(composed) && inner.getInput().getType() == getType())
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (!sameStaticType(getInput().getType(), getType()))
    return {};
  // Same shape is not enough (a reversed slice keeps the shape): every step
  // must be 1 from 0.
  if (llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }))
    return getInput();
  return {};
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  // A missing bound and an infinite one are the same: no bound.
  bool noMin = !getMin() || (getMin()->isInfinity() && getMin()->isNegative());
  bool noMax = !getMax() || (getMax()->isInfinity() && !getMax()->isNegative());
  if (noMin && noMax)
    return getInput();
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (sameStaticType(getInput().getType(), getType()))
    return getInput();
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return {};
}

LogicalResult GemmOp::canonicalize(GemmOp op, PatternRewriter &rewriter) {
  if (!op.getTransposeB() || !op.getB().getDefiningOp<ConstantOp>())
    return failure();
  Value weight = rewriter.create<TransposeOp>(op.getLoc(), op.getB(),
                                              ArrayRef<int64_t>{1, 0});
  rewriter.modifyOpInPlace(op, [&] {
    op.getBMutable().assign(weight);
    op.setTransposeB(false);
  });
  return success();
}
