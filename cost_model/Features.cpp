//===- Features.cpp - Features of a scheduled kernel ----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements extractFeatures: it builds a loop tree of the kernel
// (scf loops, and the implicit loops of linalg ops), gives every memory
// access an address affine in the loops' iteration counters, and derives
// from that the footprints, working sets and cache traffic that
// KernelFeatures records. Features.h describes the model.
//
//===----------------------------------------------------------------------===//

#include "cost_model/Features.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace mlir;

namespace lathe::cost_model {
namespace {

//===----------------------------------------------------------------------===//
// The loop tree
//===----------------------------------------------------------------------===//

/// An integer (an index, a byte address) as constant + sum of coeffs[loop] *
/// the iteration counter of loop; `opaque` loops change it in a way the
/// extractor cannot follow.
struct AffineForm {
  int64_t constant = 0;
  /// False when the constant part is unknown (a value computed at run time
  /// outside all loops): irrelevant for footprints, but it cannot scale.
  bool exact = true;
  std::map<unsigned, int64_t> coeffs;
  std::set<unsigned> opaque;

  static AffineForm of(int64_t c) {
    AffineForm f;
    f.constant = c;
    return f;
  }
  bool isConstant() const { return exact && coeffs.empty() && opaque.empty(); }
  AffineForm &operator+=(const AffineForm &other) {
    constant += other.constant;
    exact &= other.exact;
    for (auto [loop, c] : other.coeffs)
      if ((coeffs[loop] += c) == 0)
        coeffs.erase(loop);
    opaque.insert(other.opaque.begin(), other.opaque.end());
    return *this;
  }
  AffineForm scaled(int64_t s) const {
    AffineForm f = *this;
    f.constant *= s;
    for (auto &entry : f.coeffs)
      entry.second *= s;
    if (s == 0)
      f.coeffs.clear();
    return f;
  }
  /// A value that depends on every loop `a` or `b` depends on, in an unknown
  /// way.
  static AffineForm unknown(const AffineForm &a, const AffineForm &b) {
    AffineForm f;
    f.exact = false;
    for (const AffineForm *x : {&a, &b}) {
      for (auto [loop, c] : x->coeffs)
        f.opaque.insert(loop);
      f.opaque.insert(x->opaque.begin(), x->opaque.end());
    }
    return f;
  }
};

/// A loop of the tree; loop 0 is the function body (one iteration).
struct Loop {
  int parent = -1;
  int64_t trip = 1;
  bool parallel = false;
  std::vector<unsigned> children;
  /// Accesses directly in the body, and in the whole subtree.
  std::vector<unsigned> accesses, subtreeAccesses;
  /// Arithmetic directly in the body, per iteration.
  double flops = 0, vectorFlops = 0, instructions = 0;
  unsigned fmaOps = 0, arithOps = 0;
  /// Last dimension of the widest float vector op and vector access.
  int64_t arithLanes = 0, accessLanes = 0;
  bool vectorBody = false;
  /// Times the body runs in one kernel execution.
  double execCount = 1;
};

/// A memory access: per execution it touches `bytes` bytes at `address`
/// plus the vector's (stride, count) pairs.
struct Access {
  unsigned buffer = 0;
  unsigned loop = 0;
  bool write = false;
  int64_t elemBytes = 0;
  double bytes = 0;
  AffineForm address;
  llvm::SmallVector<std::pair<int64_t, int64_t>> vectorGens;
};

/// A buffer: what every view of a memref in the kernel leads back to.
struct Buffer {
  unsigned kind = 0;
  double sizeBytes = 0;
};

/// A memref value as a buffer and the byte offset of its element 0 in it.
struct View {
  unsigned buffer = 0;
  AffineForm byteOffset;
};

static std::optional<int64_t> elementBytes(Type type) {
  if (type.isIndex())
    return 8;
  if (type.isIntOrFloat())
    return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
  if (auto vec = dyn_cast<VectorType>(type))
    if (auto e = elementBytes(vec.getElementType()); e && vec.hasStaticShape())
      return *e * vec.getNumElements();
  return std::nullopt;
}

/// Distinct bytes touched by base + sum_g stride_g * t_g (0 <= t_g < count_g)
/// for elements of `elemBytes` bytes; an `unknown` count multiplies the
/// result (new data on every step). Strides are taken in increasing order;
/// a stride below the span covered so far overlaps it.
static double distinctBytes(int64_t elemBytes,
                            llvm::ArrayRef<std::pair<int64_t, int64_t>> gens,
                            llvm::ArrayRef<int64_t> unknown) {
  std::map<int64_t, int64_t> byStride;
  for (auto [stride, count] : gens) {
    stride = std::abs(stride);
    if (stride == 0 || count <= 1)
      continue;
    auto [it, inserted] = byStride.try_emplace(stride, count);
    if (!inserted) // Two ranges of one stride: t1 + t2 < n1 + n2 - 1.
      it->second += count - 1;
  }
  double span = static_cast<double>(elemBytes);
  double total = span;
  for (auto [stride, count] : byStride) {
    double newSpan = span + static_cast<double>(stride) * (count - 1);
    total = stride >= span ? total * count : std::min(total * count, newSpan);
    span = newSpan;
  }
  for (int64_t count : unknown)
    total *= std::max<int64_t>(count, 1);
  return total;
}

//===----------------------------------------------------------------------===//
// Building the tree from IR
//===----------------------------------------------------------------------===//

class Extractor {
public:
  Extractor(func::FuncOp kernel, const CacheModel &caches)
      : kernel(kernel), caches(caches) {
    loops.emplace_back();
  }

  llvm::Error build() { return walkBlock(kernel.getBody().front(), 0); }
  KernelFeatures compute();

private:
  llvm::Error fail(Operation *op, const llvm::Twine &why) {
    std::string where;
    llvm::raw_string_ostream os(where);
    op->getLoc().print(os);
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "cost model: kernel @" + kernel.getSymName() + ": '" +
            op->getName().getStringRef() + "' at " + os.str() + ": " + why);
  }

  unsigned addLoop(unsigned parent, int64_t trip, bool parallel) {
    unsigned id = loops.size();
    Loop loop;
    loop.parent = parent;
    loop.trip = std::max<int64_t>(trip, 0);
    loop.parallel = parallel;
    loops.push_back(loop);
    loops[parent].children.push_back(id);
    return id;
  }

  /// Adds a loop for an induction variable iv = lower + step * counter.
  unsigned addInductionLoop(unsigned parent, Value iv, int64_t lower,
                            int64_t upper, int64_t step, bool parallel) {
    int64_t trip = step > 0 ? llvm::divideCeilSigned(upper - lower, step) : 0;
    unsigned id = addLoop(parent, trip, parallel);
    AffineForm form = AffineForm::of(lower);
    form.coeffs[id] = step;
    forms[iv] = form;
    return id;
  }

  llvm::Error walkBlock(Block &block, unsigned loop) {
    for (Operation &op : block)
      if (llvm::Error err = walkOp(&op, loop))
        return err;
    return llvm::Error::success();
  }

  llvm::Error walkOp(Operation *op, unsigned loop);
  llvm::Error walkLinalg(linalg::LinalgOp op, unsigned loop);
  void countCompute(Operation *op, unsigned loop);

  AffineForm evaluate(Value value);
  AffineForm evaluateExpr(AffineExpr expr, llvm::ArrayRef<AffineForm> dims,
                          llvm::ArrayRef<AffineForm> symbols);
  llvm::Expected<View> resolve(Value memref, Operation *user);
  llvm::Expected<unsigned> baseBuffer(const void *key, MemRefType type,
                                      unsigned kind, Operation *user);
  llvm::Expected<llvm::SmallVector<int64_t>> strideBytes(MemRefType type,
                                                         Operation *user);
  /// Records an access of `memref` at `indices`; `vectorDims` are the
  /// (memref dimension, count) pairs a vector spans.
  llvm::Error
  addAccess(Operation *op, unsigned loop, Value memref,
            llvm::ArrayRef<AffineForm> indices, bool write,
            llvm::ArrayRef<std::pair<unsigned, int64_t>> vectorDims);

  /// addAccess for an affine.load/store: indices are `map`'s results.
  llvm::Error addAffineAccess(Operation *op, unsigned loop, Value memref,
                              AffineMap map, ValueRange operands, bool write) {
    llvm::SmallVector<AffineForm> dims, symbols, indices;
    for (auto [i, v] : llvm::enumerate(operands))
      (i < map.getNumDims() ? dims : symbols).push_back(evaluate(v));
    for (AffineExpr expr : map.getResults())
      indices.push_back(evaluateExpr(expr, dims, symbols));
    return addAccess(op, loop, memref, indices, write, {});
  }

  func::FuncOp kernel;
  const CacheModel &caches;
  std::vector<Loop> loops;
  std::vector<Access> accesses;
  std::vector<Buffer> buffers;
  llvm::DenseMap<const void *, unsigned> bufferIds;
  llvm::DenseMap<Value, AffineForm> forms;
  /// The innermost loop each loop op became (for its iter_args).
  llvm::DenseMap<Operation *, unsigned> loopOfOp;
};

AffineForm Extractor::evaluateExpr(AffineExpr expr,
                                   llvm::ArrayRef<AffineForm> dims,
                                   llvm::ArrayRef<AffineForm> symbols) {
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return AffineForm::of(c.getValue());
  if (auto d = dyn_cast<AffineDimExpr>(expr))
    return d.getPosition() < dims.size() ? dims[d.getPosition()] : AffineForm();
  if (auto s = dyn_cast<AffineSymbolExpr>(expr))
    return s.getPosition() < symbols.size() ? symbols[s.getPosition()]
                                            : AffineForm();
  auto bin = cast<AffineBinaryOpExpr>(expr);
  AffineForm lhs = evaluateExpr(bin.getLHS(), dims, symbols);
  AffineForm rhs = evaluateExpr(bin.getRHS(), dims, symbols);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    lhs += rhs;
    return lhs;
  case AffineExprKind::Mul:
    if (rhs.isConstant())
      return lhs.scaled(rhs.constant);
    if (lhs.isConstant())
      return rhs.scaled(lhs.constant);
    return AffineForm::unknown(lhs, rhs);
  default: // floordiv, ceildiv, mod
    if (lhs.isConstant() && rhs.isConstant() && rhs.constant != 0) {
      int64_t a = lhs.constant, b = rhs.constant;
      if (expr.getKind() == AffineExprKind::FloorDiv)
        return AffineForm::of(llvm::divideFloorSigned(a, b));
      if (expr.getKind() == AffineExprKind::CeilDiv)
        return AffineForm::of(llvm::divideCeilSigned(a, b));
      return AffineForm::of(((a % b) + b) % b);
    }
    return AffineForm::unknown(lhs, rhs);
  }
}

AffineForm Extractor::evaluate(Value value) {
  if (auto it = forms.find(value); it != forms.end())
    return it->second;
  AffineForm result;
  if (std::optional<int64_t> c = getConstantIntValue(value)) {
    result = AffineForm::of(*c);
  } else if (auto arg = dyn_cast<BlockArgument>(value)) {
    // Not an induction variable: an iter_arg (changes with its loop) or a
    // function argument (unknown but fixed).
    result.exact = false;
    if (auto it = loopOfOp.find(arg.getOwner()->getParentOp());
        it != loopOfOp.end())
      result.opaque.insert(it->second);
  } else if (Operation *def = value.getDefiningOp()) {
    auto operand = [&](unsigned i) { return evaluate(def->getOperand(i)); };
    if (auto apply = dyn_cast<affine::AffineApplyOp>(def)) {
      AffineMap map = apply.getAffineMap();
      llvm::SmallVector<AffineForm> dims, symbols;
      for (auto [i, v] : llvm::enumerate(apply.getMapOperands()))
        (i < map.getNumDims() ? dims : symbols).push_back(evaluate(v));
      result = evaluateExpr(map.getResult(0), dims, symbols);
    } else if (isa<arith::AddIOp>(def)) {
      result = operand(0);
      result += operand(1);
    } else if (isa<arith::SubIOp>(def)) {
      result = operand(0);
      result += operand(1).scaled(-1);
    } else if (isa<arith::MulIOp>(def)) {
      AffineForm lhs = operand(0), rhs = operand(1);
      if (rhs.isConstant())
        result = lhs.scaled(rhs.constant);
      else if (lhs.isConstant())
        result = rhs.scaled(lhs.constant);
      else
        result = AffineForm::unknown(lhs, rhs);
    } else if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
                   arith::ExtUIOp, arith::TruncIOp>(def)) {
      result = operand(0);
    } else {
      // Anything else (affine.min, a loaded index, ...): depends on what
      // its operands depend on, in an unknown way.
      result.exact = false;
      for (Value v : def->getOperands())
        result = AffineForm::unknown(result, evaluate(v));
    }
  }
  forms[value] = result;
  return result;
}

llvm::Expected<unsigned> Extractor::baseBuffer(const void *key, MemRefType type,
                                               unsigned kind, Operation *user) {
  if (auto it = bufferIds.find(key); it != bufferIds.end())
    return it->second;
  std::optional<int64_t> bytes = elementBytes(type.getElementType());
  if (!type.hasStaticShape() || !bytes)
    return fail(user, "accesses a buffer of dynamic shape or unsupported "
                      "element type; features need static shapes");
  Buffer buffer;
  buffer.kind = kind;
  buffer.sizeBytes = static_cast<double>(type.getNumElements()) * *bytes;
  unsigned id = buffers.size();
  buffers.push_back(buffer);
  bufferIds[key] = id;
  return id;
}

llvm::Expected<llvm::SmallVector<int64_t>>
Extractor::strideBytes(MemRefType type, Operation *user) {
  llvm::SmallVector<int64_t> strides;
  int64_t offset;
  std::optional<int64_t> bytes = elementBytes(type.getElementType());
  if (!bytes || failed(getStridesAndOffset(type, strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return fail(user, "accesses a memref without static strides");
  for (int64_t &s : strides)
    s *= *bytes;
  return strides;
}

llvm::Expected<View> Extractor::resolve(Value memref, Operation *user) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  if (!type)
    return fail(user, "accesses a tensor: the kernel is not bufferized");
  auto base = [&](const void *key, unsigned kind) -> llvm::Expected<View> {
    llvm::Expected<unsigned> id = baseBuffer(key, type, kind, user);
    if (!id)
      return id.takeError();
    View view;
    view.buffer = *id;
    return view;
  };
  if (auto arg = dyn_cast<BlockArgument>(memref)) {
    if (arg.getOwner()->getParentOp() == kernel.getOperation())
      return base(memref.getAsOpaquePointer(), 0);
    return fail(user, "accesses a memref block argument that does not lead "
                      "to a buffer");
  }
  Operation *def = memref.getDefiningOp();
  if (isa<memref::AllocOp, memref::AllocaOp>(def))
    return base(memref.getAsOpaquePointer(), 1);
  if (auto global = dyn_cast<memref::GetGlobalOp>(def))
    return base(global.getNameAttr().getAsOpaquePointer(), 2);
  if (auto subview = dyn_cast<memref::SubViewOp>(def)) {
    llvm::Expected<View> view = resolve(subview.getSource(), user);
    if (!view)
      return view.takeError();
    auto strides = strideBytes(subview.getSourceType(), user);
    if (!strides)
      return strides.takeError();
    for (auto [i, offset] : llvm::enumerate(subview.getMixedOffsets())) {
      AffineForm form;
      if (std::optional<int64_t> c = getConstantIntValue(offset))
        form = AffineForm::of(*c);
      else
        form = evaluate(cast<Value>(offset));
      view->byteOffset += form.scaled((*strides)[i]);
    }
    return view;
  }
  if (auto viewOp = dyn_cast<memref::ViewOp>(def)) {
    llvm::Expected<View> view = resolve(viewOp.getSource(), user);
    if (!view)
      return view.takeError();
    view->byteOffset += evaluate(viewOp.getByteShift());
    return view;
  }
  if (auto cast = dyn_cast<memref::ReinterpretCastOp>(def)) {
    llvm::Expected<View> view = resolve(cast.getSource(), user);
    if (!view)
      return view.takeError();
    std::optional<int64_t> bytes = elementBytes(type.getElementType());
    OpFoldResult offset = cast.getMixedOffsets().front();
    AffineForm form;
    if (std::optional<int64_t> c = getConstantIntValue(offset))
      form = AffineForm::of(*c);
    else
      form = evaluate(llvm::cast<Value>(offset));
    // The new offset counts from the source's aligned pointer: element 0 of
    // the source minus the source's own layout offset.
    llvm::SmallVector<int64_t> strides;
    int64_t sourceOffset = 0;
    auto sourceType = dyn_cast<MemRefType>(cast.getSource().getType());
    std::optional<int64_t> sourceBytes =
        sourceType ? elementBytes(sourceType.getElementType()) : std::nullopt;
    if (!sourceType ||
        failed(getStridesAndOffset(sourceType, strides, sourceOffset)) ||
        ShapedType::isDynamic(sourceOffset))
      sourceOffset = 0;
    view->byteOffset += AffineForm::of(-sourceOffset * sourceBytes.value_or(1));
    view->byteOffset += form.scaled(bytes.value_or(1));
    return view;
  }
  // Views that keep the position of element 0.
  if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp,
          memref::TransposeOp>(def))
    return resolve(def->getOperand(0), user);
  return fail(user, "accesses a memref made by '" +
                        def->getName().getStringRef() +
                        "', which the cost model cannot trace to a buffer");
}

llvm::Error
Extractor::addAccess(Operation *op, unsigned loop, Value memref,
                     llvm::ArrayRef<AffineForm> indices, bool write,
                     llvm::ArrayRef<std::pair<unsigned, int64_t>> vectorDims) {
  llvm::Expected<View> view = resolve(memref, op);
  if (!view)
    return view.takeError();
  auto type = cast<MemRefType>(memref.getType());
  auto strides = strideBytes(type, op);
  if (!strides)
    return strides.takeError();
  Access access;
  access.buffer = view->buffer;
  access.loop = loop;
  access.write = write;
  access.elemBytes = *elementBytes(type.getElementType());
  access.address = view->byteOffset;
  for (auto [i, index] : llvm::enumerate(indices))
    if (i < strides->size())
      access.address += index.scaled((*strides)[i]);
  double elements = 1;
  for (auto [dim, count] : vectorDims) {
    if (dim < strides->size())
      access.vectorGens.push_back({(*strides)[dim], count});
    elements *= static_cast<double>(count);
  }
  access.bytes = elements * access.elemBytes;
  unsigned id = accesses.size();
  accesses.push_back(std::move(access));
  loops[loop].accesses.push_back(id);
  return llvm::Error::success();
}

void Extractor::countCompute(Operation *op, unsigned loop) {
  Loop &l = loops[loop];
  if (op->getNumRegions() == 0)
    for (Type type : op->getResultTypes())
      if (isa<VectorType>(type))
        l.vectorBody = true;

  // What the op computes on: its result, or the vector it reduces.
  Type type = op->getNumResults() ? op->getResult(0).getType() : Type();
  double flopsPerLane = 0;
  bool fma = false;
  double lanes = 0;
  if (isa<vector::FMAOp, math::FmaOp>(op)) {
    flopsPerLane = 2;
    fma = true;
  } else if (auto outer = dyn_cast<vector::OuterProductOp>(op)) {
    fma = static_cast<bool>(outer.getAcc());
    flopsPerLane = fma ? 2 : 1;
  } else if (auto contract = dyn_cast<vector::ContractionOp>(op)) {
    llvm::SmallVector<int64_t> bounds;
    contract.getIterationBounds(bounds);
    lanes = 1;
    for (int64_t b : bounds)
      lanes *= static_cast<double>(b);
    flopsPerLane = 2;
    fma = true;
    type = contract.getLhsType();
  } else if (isa<vector::ReductionOp, vector::MultiDimReductionOp>(op)) {
    flopsPerLane = 1;
    type = op->getOperand(0).getType();
  } else if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
                 arith::RemFOp, arith::MaximumFOp, arith::MinimumFOp,
                 arith::MaxNumFOp, arith::MinNumFOp, arith::NegFOp>(op) ||
             (op->getDialect() && isa<math::MathDialect>(op->getDialect()))) {
    flopsPerLane = 1;
  }
  if (flopsPerLane == 0 || !type || !isa<FloatType>(getElementTypeOrSelf(type)))
    return;
  auto vec = dyn_cast<VectorType>(type);
  if (lanes == 0)
    lanes = vec ? static_cast<double>(vec.getNumElements()) : 1;
  double flops = flopsPerLane * lanes;
  unsigned bits = getElementTypeOrSelf(type).getIntOrFloatBitWidth();
  l.flops += flops;
  l.arithOps += 1;
  l.fmaOps += fma ? 1 : 0;
  if (vec) {
    l.vectorFlops += flops;
    l.instructions += std::max(
        1.0, std::ceil(lanes * bits / std::max(1u, caches.vectorBits)));
    l.arithLanes = std::max<int64_t>(l.arithLanes,
                                     vec.getRank() ? vec.getShape().back() : 1);
  } else {
    l.instructions += 1;
  }
}

llvm::Error Extractor::walkLinalg(linalg::LinalgOp op, unsigned loop) {
  if (!op.hasPureBufferSemantics())
    return fail(op, "is on tensors: the kernel is not bufferized");
  llvm::SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  llvm::SmallVector<AffineForm> dims;
  unsigned inner = loop;
  for (int64_t range : ranges) {
    if (ShapedType::isDynamic(range))
      return fail(op, "has a dynamic loop range; features need static trip "
                      "counts");
    inner = addLoop(inner, range, /*parallel=*/false);
    AffineForm form;
    form.coeffs[inner] = 1;
    dims.push_back(form);
  }
  auto access = [&](OpOperand &operand, bool write) -> llvm::Error {
    if (!isa<MemRefType>(operand.get().getType()))
      return llvm::Error::success();
    AffineMap map = op.getMatchingIndexingMap(&operand);
    llvm::SmallVector<AffineForm> indices;
    for (AffineExpr expr : map.getResults())
      indices.push_back(evaluateExpr(expr, dims, {}));
    return addAccess(op, inner, operand.get(), indices, write, {});
  };
  for (OpOperand *input : op.getDpsInputOperands())
    if (llvm::Error err = access(*input, /*write=*/false))
      return err;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    if (op.payloadUsesValueFromOperand(&init))
      if (llvm::Error err = access(init, /*write=*/false))
        return err;
    if (llvm::Error err = access(init, /*write=*/true))
      return err;
  }
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (Operation &payload : block)
        countCompute(&payload, inner);
  return llvm::Error::success();
}

llvm::Error Extractor::walkOp(Operation *op, unsigned loop) {
  if (auto forOp = dyn_cast<scf::ForOp>(op)) {
    std::optional<int64_t> lb = getConstantIntValue(forOp.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(forOp.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(forOp.getStep());
    if (!lb || !ub || !step)
      return fail(op, "has a non-constant bound or step; features need "
                      "static trip counts");
    unsigned id = addInductionLoop(loop, forOp.getInductionVar(), *lb, *ub,
                                   *step, /*parallel=*/false);
    loopOfOp[op] = id;
    return walkBlock(*forOp.getBody(), id);
  }
  if (isa<scf::ForallOp, scf::ParallelOp>(op)) {
    std::optional<llvm::SmallVector<int64_t>> lbs, ubs, steps;
    llvm::SmallVector<Value> ivs;
    Block *body;
    if (auto forall = dyn_cast<scf::ForallOp>(op)) {
      lbs = getConstantIntValues(forall.getMixedLowerBound());
      ubs = getConstantIntValues(forall.getMixedUpperBound());
      steps = getConstantIntValues(forall.getMixedStep());
      ivs = forall.getInductionVars();
      body = forall.getBody();
    } else {
      auto parallel = cast<scf::ParallelOp>(op);
      lbs = getConstantIntValues(getAsOpFoldResult(parallel.getLowerBound()));
      ubs = getConstantIntValues(getAsOpFoldResult(parallel.getUpperBound()));
      steps = getConstantIntValues(getAsOpFoldResult(parallel.getStep()));
      ivs = llvm::to_vector(parallel.getInductionVars());
      body = parallel.getBody();
    }
    if (!lbs || !ubs || !steps)
      return fail(op, "has a non-constant bound or step; features need "
                      "static trip counts");
    unsigned id = loop;
    for (auto [i, iv] : llvm::enumerate(ivs))
      id = addInductionLoop(id, iv, (*lbs)[i], (*ubs)[i], (*steps)[i],
                            /*parallel=*/true);
    loopOfOp[op] = id;
    return walkBlock(*body, id);
  }
  if (auto forOp = dyn_cast<affine::AffineForOp>(op)) {
    if (!forOp.hasConstantBounds())
      return fail(op, "has non-constant bounds; features need static trip "
                      "counts");
    unsigned id = addInductionLoop(
        loop, forOp.getInductionVar(), forOp.getConstantLowerBound(),
        forOp.getConstantUpperBound(), forOp.getStepAsInt(), false);
    loopOfOp[op] = id;
    return walkBlock(*forOp.getBody(), id);
  }
  if (isa<scf::WhileOp>(op))
    return fail(op, "has no static trip count");
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return walkLinalg(linalgOp, loop);

  auto indexForms = [&](ValueRange indices) {
    llvm::SmallVector<AffineForm> result;
    for (Value index : indices)
      result.push_back(evaluate(index));
    return result;
  };
  auto noteVector = [&](VectorType type) {
    loops[loop].vectorBody = true;
    if (type.getRank() > 0)
      loops[loop].accessLanes =
          std::max<int64_t>(loops[loop].accessLanes, type.getShape().back());
  };
  if (isa<vector::TransferReadOp, vector::TransferWriteOp>(op)) {
    auto transfer = cast<VectorTransferOpInterface>(op);
    Value source = transfer.getSource();
    if (!isa<MemRefType>(source.getType()))
      return fail(op, "accesses a tensor: the kernel is not bufferized");
    VectorType vecType = transfer.getVectorType();
    noteVector(vecType);
    llvm::SmallVector<std::pair<unsigned, int64_t>> dims;
    for (auto [k, expr] :
         llvm::enumerate(transfer.getPermutationMap().getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(expr))
        dims.push_back({dim.getPosition(), vecType.getDimSize(k)});
    return addAccess(op, loop, source, indexForms(transfer.getIndices()),
                     isa<vector::TransferWriteOp>(op), dims);
  }
  if (isa<vector::LoadOp, vector::StoreOp>(op)) {
    Value base;
    VectorType vecType;
    ValueRange indices;
    if (auto load = dyn_cast<vector::LoadOp>(op)) {
      base = load.getBase(), vecType = load.getVectorType();
      indices = load.getIndices();
    } else {
      auto store = cast<vector::StoreOp>(op);
      base = store.getBase(), vecType = store.getVectorType();
      indices = store.getIndices();
    }
    noteVector(vecType);
    auto rank = cast<MemRefType>(base.getType()).getRank();
    llvm::SmallVector<std::pair<unsigned, int64_t>> dims;
    for (auto [k, size] : llvm::enumerate(vecType.getShape()))
      if (rank - vecType.getRank() + static_cast<int64_t>(k) >= 0)
        dims.push_back(
            {static_cast<unsigned>(rank - vecType.getRank() + k), size});
    return addAccess(op, loop, base, indexForms(indices),
                     isa<vector::StoreOp>(op), dims);
  }
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return addAccess(op, loop, load.getMemRef(), indexForms(load.getIndices()),
                     false, {});
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return addAccess(op, loop, store.getMemRef(),
                     indexForms(store.getIndices()), true, {});
  if (auto load = dyn_cast<affine::AffineLoadOp>(op))
    return addAffineAccess(op, loop, load.getMemRef(), load.getAffineMap(),
                           load.getMapOperands(), /*write=*/false);
  if (auto store = dyn_cast<affine::AffineStoreOp>(op))
    return addAffineAccess(op, loop, store.getMemRef(), store.getAffineMap(),
                           store.getMapOperands(), /*write=*/true);
  if (auto copy = dyn_cast<memref::CopyOp>(op)) {
    // A whole-buffer copy: read all of the source, write all of the target.
    for (auto [value, write] :
         {std::pair<Value, bool>{copy.getSource(), false},
          std::pair<Value, bool>{copy.getTarget(), true}}) {
      auto type = dyn_cast<MemRefType>(value.getType());
      if (!type || !type.hasStaticShape())
        return fail(op, "copies a memref of dynamic shape; features need "
                        "static shapes");
      llvm::SmallVector<std::pair<unsigned, int64_t>> dims;
      for (auto [d, size] : llvm::enumerate(type.getShape()))
        dims.push_back({static_cast<unsigned>(d), size});
      llvm::SmallVector<AffineForm> zeros(type.getRank(), AffineForm::of(0));
      if (llvm::Error err = addAccess(op, loop, value, zeros, write, dims))
        return err;
    }
    return llvm::Error::success();
  }

  countCompute(op, loop);
  // Other ops with regions (scf.if, scf.execute_region): their bodies run
  // at most once per iteration; count them as always running.
  for (Region &region : op->getRegions())
    for (Block &block : region)
      if (llvm::Error err = walkBlock(block, loop))
        return err;
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// From the tree to features
//===----------------------------------------------------------------------===//

/// The footprints, working sets and traffic of the loop tree.
class TreeModel {
public:
  TreeModel(const std::vector<Loop> &loops, const std::vector<Access> &accesses,
            const std::vector<Buffer> &buffers)
      : loops(loops), accesses(accesses), buffers(buffers) {
    for (unsigned l = 0; l < loops.size(); ++l) {
      full.push_back(footprints(l, /*whole=*/true));
      body.push_back(footprints(l, /*whole=*/false));
    }
  }

  /// Per buffer, distinct bytes of one full execution of loop `l` (all its
  /// iterations) or of one iteration of its body.
  const std::vector<double> &footprint(unsigned l, bool whole) const {
    return whole ? full[l] : body[l];
  }
  double workingSet(unsigned l, bool whole) const {
    double sum = 0;
    for (double b : footprint(l, whole))
      sum += b;
    return sum;
  }

  /// Per buffer, bytes loaded into a cache of `capacity` bytes by one full
  /// execution of loop `l` (or one iteration of its body).
  std::vector<double> traffic(unsigned l, bool whole, double capacity) const {
    if (l == 0)
      whole = false; // The function body runs once.
    if (capacity > 0 && workingSet(l, whole) <= capacity)
      return footprint(l, whole);
    std::vector<double> result(buffers.size(), 0);
    if (whole) {
      // Each iteration loads what its body loads, except that a buffer the
      // loop does not move along stays cached from one iteration to the
      // next when the body fits (its reuse distance is below capacity).
      result = traffic(l, /*whole=*/false, capacity);
      bool bodyFits = capacity > 0 && workingSet(l, false) <= capacity;
      for (size_t b = 0; b < result.size(); ++b)
        if (!bodyFits || !invariantIn(l, b))
          result[b] *= static_cast<double>(loops[l].trip);
      return result;
    }
    for (unsigned a : loops[l].accesses)
      result[accesses[a].buffer] += accesses[a].bytes;
    for (unsigned child : loops[l].children) {
      std::vector<double> sub = traffic(child, /*whole=*/true, capacity);
      for (size_t b = 0; b < result.size(); ++b)
        result[b] += sub[b];
    }
    return result;
  }

  /// Whether access `a`'s address changes with loop `l`'s counter.
  bool dependsOn(const Access &a, unsigned l) const {
    return a.address.coeffs.count(l) || a.address.opaque.count(l);
  }

  /// Whether no access to buffer `b` within loop `l` moves with it.
  bool invariantIn(unsigned l, size_t b) const {
    for (unsigned a : loops[l].subtreeAccesses)
      if (accesses[a].buffer == b && dependsOn(accesses[a], l))
        return false;
    return true;
  }

private:
  std::vector<double> footprints(unsigned l, bool whole) const {
    std::vector<double> result(buffers.size(), 0);
    for (unsigned id : loops[l].subtreeAccesses) {
      const Access &a = accesses[id];
      llvm::SmallVector<std::pair<int64_t, int64_t>> gens(a.vectorGens);
      llvm::SmallVector<int64_t> unknown;
      for (int k = a.loop; k > 0; k = loops[k].parent) {
        if (static_cast<unsigned>(k) == l && !whole)
          break;
        if (a.address.opaque.count(k))
          unknown.push_back(loops[k].trip);
        else if (auto it = a.address.coeffs.find(k);
                 it != a.address.coeffs.end())
          gens.push_back({it->second, loops[k].trip});
        if (static_cast<unsigned>(k) == l)
          break;
      }
      bool empty = false;
      for (int k = a.loop; k >= 0; k = loops[k].parent)
        empty |= loops[k].trip == 0;
      double bytes = empty ? 0 : distinctBytes(a.elemBytes, gens, unknown);
      double &slot = result[a.buffer];
      slot = std::max(slot, std::min(bytes, buffers[a.buffer].sizeBytes));
    }
    return result;
  }

  const std::vector<Loop> &loops;
  const std::vector<Access> &accesses;
  const std::vector<Buffer> &buffers;
  std::vector<std::vector<double>> full, body;
};

KernelFeatures Extractor::compute() {
  KernelFeatures f;
  // Execution counts, subtree access lists.
  for (unsigned l = 1; l < loops.size(); ++l)
    loops[l].execCount =
        loops[loops[l].parent].execCount * static_cast<double>(loops[l].trip);
  for (unsigned a = 0; a < accesses.size(); ++a)
    for (int l = accesses[a].loop; l >= 0; l = loops[l].parent)
      loops[l].subtreeAccesses.push_back(a);
  TreeModel tree(loops, accesses, buffers);

  // Kernel-wide totals.
  f.numLoops = static_cast<double>(loops.size() - 1);
  f.numNests = static_cast<double>(loops[0].children.size());
  double peakFlopsPerInstruction = 2.0 * caches.vectorBits / 32.0;
  for (const Loop &l : loops) {
    f.flops += l.flops * l.execCount;
    f.vectorFlops += l.vectorFlops * l.execCount;
    f.arithInstructions += l.instructions * l.execCount;
  }
  if (f.arithInstructions > 0 && peakFlopsPerInstruction > 0)
    f.vectorEfficiency =
        f.flops / (f.arithInstructions * peakFlopsPerInstruction);
  std::vector<double> readBytes(buffers.size(), 0),
      writtenBytes(buffers.size(), 0), contiguousBytes(buffers.size(), 0);
  for (const Access &a : accesses) {
    double bytes = a.bytes * loops[a.loop].execCount;
    (a.write ? writtenBytes : readBytes)[a.buffer] += bytes;
    (a.write ? f.bytesWritten : f.bytesRead) += bytes;
    // The fastest-varying dimension: the vector's smallest stride, else
    // the innermost loop the address moves with.
    std::optional<int64_t> fastest;
    for (auto [stride, count] : a.vectorGens)
      if (count > 1 && stride != 0)
        fastest = std::min(fastest.value_or(INT64_MAX), std::abs(stride));
    for (int l = a.loop; !fastest && l > 0; l = loops[l].parent) {
      if (a.address.opaque.count(l))
        fastest = -1;
      else if (auto it = a.address.coeffs.find(l); it != a.address.coeffs.end())
        fastest = std::abs(it->second);
    }
    if (!fastest || *fastest == a.elemBytes)
      contiguousBytes[a.buffer] += bytes;
  }
  std::vector<double> footprint = tree.footprint(0, false);
  for (double b : footprint)
    f.footprintBytes += b;
  f.numBuffers = static_cast<double>(buffers.size());

  // Cache traffic: into L1 comes from L2, into L2 from L3, into L3 from DRAM.
  auto capacity = [](uint64_t bytes) { return static_cast<double>(bytes); };
  std::vector<double> fromL2 = tree.traffic(0, false, capacity(caches.l1Bytes));
  std::vector<double> fromL3 = tree.traffic(0, false, capacity(caches.l2Bytes));
  std::vector<double> fromDRAM =
      caches.l3Bytes ? tree.traffic(0, false, capacity(caches.l3Bytes))
                     : fromL3;
  for (size_t b = 0; b < buffers.size(); ++b) {
    f.bytesFromL2 += fromL2[b];
    f.bytesFromL3 += fromL3[b];
    f.bytesFromDRAM += fromDRAM[b];
  }
  f.arithmeticIntensity = f.flops / std::max(f.bytesFromDRAM, 1.0);
  auto ratio = [&](uint64_t cache) {
    return cache ? f.footprintBytes / static_cast<double>(cache) : 0.0;
  };
  f.footprintOverL1 = ratio(caches.l1Bytes);
  f.footprintOverL2 = ratio(caches.l2Bytes);
  f.footprintOverL3 = ratio(caches.l3Bytes);

  // The main nest: down to the innermost loop that runs the most FLOPs,
  // then the most bytes, then the first.
  unsigned leaf = 0;
  double bestFlops = -1, bestBytes = -1;
  for (unsigned l = 1; l < loops.size(); ++l) {
    if (!loops[l].children.empty())
      continue;
    double flops = loops[l].flops * loops[l].execCount;
    double bytes = 0;
    for (unsigned a : loops[l].accesses)
      bytes += accesses[a].bytes * loops[l].execCount;
    if (flops > bestFlops || (flops == bestFlops && bytes > bestBytes)) {
      leaf = l;
      bestFlops = flops;
      bestBytes = bytes;
    }
  }
  std::vector<unsigned> path;
  for (int l = leaf; l > 0; l = loops[l].parent)
    path.insert(path.begin(), l);
  f.depth = static_cast<double>(path.size());

  const Loop &inner = loops[leaf];
  f.vectorWidth = inner.arithLanes    ? inner.arithLanes
                  : inner.accessLanes ? inner.accessLanes
                                      : 1;
  f.unroll = inner.fmaOps;
  f.innermostArithOps = inner.arithOps;

  for (size_t slot = 0;
       slot < path.size() && slot < KernelFeatures::kMaxLoopDepth; ++slot) {
    unsigned l =
        slot + 1 == KernelFeatures::kMaxLoopDepth ? path.back() : path[slot];
    LoopLevelFeatures &level = f.loops[slot];
    level.tripCount = static_cast<double>(loops[l].trip);
    level.parallel = loops[l].parallel;
    level.vectorBody = loops[l].vectorBody;
    level.workingSetBytes = tree.workingSet(l, true);
  }
  f.parallelExtent = 1;
  for (unsigned l : path)
    if (loops[l].parallel) {
      f.parallelLoops += 1;
      f.parallelExtent *= static_cast<double>(loops[l].trip);
    }
  double cores = std::max(1u, caches.cores);
  f.parallelUtilization =
      f.parallelExtent > 0
          ? f.parallelExtent / (std::ceil(f.parallelExtent / cores) * cores)
          : 0;

  // Fit depths: with k outer loops of the main nest fixed, what remains is
  // loop path[k] (or, for k = depth, one iteration of the innermost body).
  auto fitDepth = [&](uint64_t cache) {
    for (size_t k = 0; k <= path.size(); ++k) {
      double ws = k < path.size() ? tree.workingSet(path[k], true)
                                  : tree.workingSet(leaf, false);
      if (cache && ws <= static_cast<double>(cache))
        return static_cast<double>(k);
    }
    return static_cast<double>(path.size() + 1);
  };
  f.fitDepthL1 = fitDepth(caches.l1Bytes);
  f.fitDepthL2 = fitDepth(caches.l2Bytes);
  f.fitDepthL3 = fitDepth(caches.l3Bytes);

  // Buffers, most accessed first.
  std::vector<unsigned> order(buffers.size());
  for (unsigned b = 0; b < order.size(); ++b)
    order[b] = b;
  std::sort(order.begin(), order.end(), [&](unsigned x, unsigned y) {
    double bx = readBytes[x] + writtenBytes[x];
    double by = readBytes[y] + writtenBytes[y];
    return bx != by ? bx > by : x < y;
  });
  for (size_t slot = 0;
       slot < order.size() && slot < KernelFeatures::kMaxBuffers; ++slot) {
    unsigned b = order[slot];
    BufferFeatures &bf = f.buffers[slot];
    bf.kind = buffers[b].kind;
    bf.footprintBytes = footprint[b];
    bf.readBytes = readBytes[b];
    bf.writtenBytes = writtenBytes[b];
    double accessed = readBytes[b] + writtenBytes[b];
    bf.contiguity = accessed > 0 ? contiguousBytes[b] / accessed : 0;
    bf.bytesFromL2 = fromL2[b];
    bf.bytesFromL3 = fromL3[b];
    bf.bytesFromDRAM = fromDRAM[b];
    if (leaf != 0) {
      for (unsigned a : loops[leaf].accesses) {
        const Access &access = accesses[a];
        if (access.buffer != b)
          continue;
        double stride = 0;
        if (access.address.opaque.count(leaf))
          stride = buffers[b].sizeBytes / access.elemBytes;
        else if (auto it = access.address.coeffs.find(leaf);
                 it != access.address.coeffs.end())
          stride = std::abs(static_cast<double>(it->second)) / access.elemBytes;
        bf.innerStrideElements = std::max(bf.innerStrideElements, stride);
      }
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      bool accessedHere = false, depends = false;
      for (unsigned a : loops[*it].subtreeAccesses) {
        if (accesses[a].buffer != b)
          continue;
        accessedHere = true;
        depends |= tree.dependsOn(accesses[a], *it);
      }
      if (accessedHere && !depends) {
        bf.reuseDistanceBytes = tree.workingSet(*it, false);
        break;
      }
    }
    auto fits = [&](uint64_t cache) {
      return bf.reuseDistanceBytes >= 0 &&
                     bf.reuseDistanceBytes <= static_cast<double>(cache)
                 ? 1.0
                 : 0.0;
    };
    bf.reuseFitsL1 = fits(caches.l1Bytes);
    bf.reuseFitsL2 = fits(caches.l2Bytes);
    bf.reuseFitsL3 = fits(caches.l3Bytes);
  }
  return f;
}

/// Calls fn(name, field) for every field of `f`, in vector order.
template <typename Features, typename Fn>
void forEachField(Features &f, Fn &&fn) {
  fn("num_loops", f.numLoops);
  fn("num_nests", f.numNests);
  fn("depth", f.depth);
  fn("flops", f.flops);
  fn("vector_flops", f.vectorFlops);
  fn("arith_instructions", f.arithInstructions);
  fn("vector_efficiency", f.vectorEfficiency);
  fn("vector_width", f.vectorWidth);
  fn("unroll", f.unroll);
  fn("innermost_arith_ops", f.innermostArithOps);
  fn("bytes_read", f.bytesRead);
  fn("bytes_written", f.bytesWritten);
  fn("footprint_bytes", f.footprintBytes);
  fn("bytes_from_l2", f.bytesFromL2);
  fn("bytes_from_l3", f.bytesFromL3);
  fn("bytes_from_dram", f.bytesFromDRAM);
  fn("arithmetic_intensity", f.arithmeticIntensity);
  fn("footprint_over_l1", f.footprintOverL1);
  fn("footprint_over_l2", f.footprintOverL2);
  fn("footprint_over_l3", f.footprintOverL3);
  fn("fit_depth_l1", f.fitDepthL1);
  fn("fit_depth_l2", f.fitDepthL2);
  fn("fit_depth_l3", f.fitDepthL3);
  fn("parallel_loops", f.parallelLoops);
  fn("parallel_extent", f.parallelExtent);
  fn("parallel_utilization", f.parallelUtilization);
  fn("num_buffers", f.numBuffers);
  for (int l = 0; l < KernelFeatures::kMaxLoopDepth; ++l) {
    std::string p = "loop" + std::to_string(l) + ".";
    auto &level = f.loops[l];
    fn(p + "trip_count", level.tripCount);
    fn(p + "parallel", level.parallel);
    fn(p + "vector_body", level.vectorBody);
    fn(p + "working_set_bytes", level.workingSetBytes);
  }
  for (int b = 0; b < KernelFeatures::kMaxBuffers; ++b) {
    std::string p = "buf" + std::to_string(b) + ".";
    auto &buffer = f.buffers[b];
    fn(p + "kind", buffer.kind);
    fn(p + "footprint_bytes", buffer.footprintBytes);
    fn(p + "read_bytes", buffer.readBytes);
    fn(p + "written_bytes", buffer.writtenBytes);
    fn(p + "contiguity", buffer.contiguity);
    fn(p + "inner_stride_elements", buffer.innerStrideElements);
    fn(p + "reuse_distance_bytes", buffer.reuseDistanceBytes);
    fn(p + "reuse_fits_l1", buffer.reuseFitsL1);
    fn(p + "reuse_fits_l2", buffer.reuseFitsL2);
    fn(p + "reuse_fits_l3", buffer.reuseFitsL3);
    fn(p + "bytes_from_l2", buffer.bytesFromL2);
    fn(p + "bytes_from_l3", buffer.bytesFromL3);
    fn(p + "bytes_from_dram", buffer.bytesFromDRAM);
  }
}

} // namespace

std::vector<float> KernelFeatures::toVector() const {
  std::vector<float> vec;
  forEachField(*this, [&](const std::string &, const double &value) {
    vec.push_back(static_cast<float>(value));
  });
  return vec;
}

std::vector<std::string> KernelFeatures::names() {
  std::vector<std::string> result;
  KernelFeatures f;
  forEachField(f, [&](const std::string &name, const double &) {
    result.push_back(name);
  });
  return result;
}

size_t KernelFeatures::size() {
  static const size_t n = names().size();
  return n;
}

llvm::Expected<KernelFeatures>
KernelFeatures::fromVector(llvm::ArrayRef<float> vec) {
  if (vec.size() != size())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "cost model: a feature vector of version %d has %zu values, got %zu",
        kVersion, size(), vec.size());
  KernelFeatures f;
  size_t i = 0;
  forEachField(f,
               [&](const std::string &, double &value) { value = vec[i++]; });
  return f;
}

llvm::Expected<KernelFeatures> extractFeatures(func::FuncOp kernel,
                                               const CacheModel &caches) {
  if (kernel.isExternal())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cost model: kernel @" +
                                       kernel.getSymName() + " has no body");
  Extractor extractor(kernel, caches);
  if (llvm::Error err = extractor.build())
    return std::move(err);
  return extractor.compute();
}

llvm::Expected<std::vector<NamedKernelFeatures>>
extractModuleFeatures(ModuleOp module, const CacheModel &caches) {
  std::vector<NamedKernelFeatures> result;
  for (auto fn : module.getOps<func::FuncOp>()) {
    auto info = fn->getAttrOfType<DictionaryAttr>("lathe.kernel");
    if (!info)
      continue;
    llvm::Expected<KernelFeatures> features = extractFeatures(fn, caches);
    if (!features)
      return features.takeError();
    NamedKernelFeatures named;
    named.kernel = fn.getSymName().str();
    if (auto workload = info.getAs<StringAttr>("workload"))
      named.workload = workload.getValue().str();
    named.features = *features;
    result.push_back(std::move(named));
  }
  return result;
}

void registerFeatureDialects(DialectRegistry &registry) {
  registry
      .insert<affine::AffineDialect, arith::ArithDialect, func::FuncDialect,
              linalg::LinalgDialect, math::MathDialect, memref::MemRefDialect,
              scf::SCFDialect, vector::VectorDialect>();
}

} // namespace lathe::cost_model
