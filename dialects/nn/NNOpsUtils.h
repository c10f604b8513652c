//===- NNOpsUtils.h - Helpers of nn result-type inference -------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file holds what the files implementing nn result-type inference
// share (internal to dialects/nn): shape diagnostics in the verifier's voice
// ("'nn.conv2d' op ..."), shape formatting, axis checks and the sliding
// window arithmetic of convolutions and pools.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNOPSUTILS_H
#define LATHE_DIALECTS_NN_NNOPSUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace lathe::nn::detail {
using namespace mlir;

inline constexpr int64_t kDynamic = ShapedType::kDynamic;

/// A shape diagnostic in the verifier's voice ("'nn.matmul' op ..."). With no
/// location (a speculative inference) nothing is emitted. Unlike an inactive
/// InFlightDiagnostic, which converts to success(), it always converts to
/// failure().
class ShapeError {
public:
  explicit ShapeError(std::optional<Location> loc, StringRef opName) {
    if (loc)
      diag.emplace(mlir::emitError(*loc) << "'" << opName << "' op ");
  }
  template <typename T>
  ShapeError &operator<<(T &&value) {
    if (diag)
      *diag << std::forward<T>(value);
    return *this;
  }
  operator LogicalResult() const { return failure(); }
  template <typename T>
  operator FailureOr<T>() const {
    return failure();
  }

private:
  std::optional<InFlightDiagnostic> diag;
};

template <typename OpTy>
inline ShapeError shapeError(std::optional<Location> loc) {
  return ShapeError(loc, OpTy::getOperationName());
}

/// Renders a shape as "[2, 3, ?]".
inline std::string fmtShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      ", ");
  os << ']';
  return s;
}

/// Returns the ranked tensor type of `v`, or reports that it has none.
template <typename OpTy>
inline FailureOr<RankedTensorType> rankedType(std::optional<Location> loc, Value v,
                                       StringRef what) {
  if (auto t = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type()))
    return t;
  return shapeError<OpTy>(loc) << "expected " << what
                               << " to be a ranked tensor";
}

/// True when both dims are static and differ.
inline bool staticMismatch(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// Maps `axis` in [-rank, rank) to [0, rank), or returns std::nullopt.
inline std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// Like normalizeAxis, reporting an axis out of range for `rank`.
template <typename OpTy>
inline FailureOr<int64_t> checkAxis(std::optional<Location> loc, int64_t axis,
                             int64_t rank) {
  if (auto normalized = normalizeAxis(axis, rank))
    return *normalized;
  if (rank == 0)
    return shapeError<OpTy>(loc)
           << "axis " << axis << " given for a rank-0 tensor, which has none";
  return shapeError<OpTy>(loc)
         << "axis " << axis << " is out of range for rank " << rank
         << " (expected [" << -rank << ", " << rank - 1 << "])";
}

/// Product of static dims; kDynamic if any dim is dynamic, std::nullopt if
/// the product overflows int64_t.
inline std::optional<int64_t> product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  bool dynamic = false;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d)) {
      dynamic = true;
      continue;
    }
    if (llvm::MulOverflow(p, d, p))
      return std::nullopt;
  }
  return dynamic ? kDynamic : p;
}

/// True when `from` broadcasts (numpy-style, one way) to `to`: aligned on
/// the right, each dim of `from` is 1 or equal to that of `to`; a dynamic
/// dim on either side is assumed to fit.
inline bool broadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  for (auto [f, t] : llvm::zip(llvm::reverse(from), llvm::reverse(to)))
    if (f != 1 && staticMismatch(f, t))
      return false;
  return true;
}

/// Checks that `values` has `expected` entries, all >= `minValue`.
template <typename OpTy>
inline LogicalResult checkArray(std::optional<Location> loc, StringRef name,
                         ArrayRef<int64_t> values, size_t expected,
                         int64_t minValue) {
  if (values.size() != expected)
    return shapeError<OpTy>(loc) << "expected " << name << " to have "
                                 << expected << " entries, got "
                                 << values.size();
  for (auto [i, v] : llvm::enumerate(values))
    if (v < minValue)
      return shapeError<OpTy>(loc)
             << "expected " << name << "[" << i << "] >= " << minValue
             << ", got " << v;
  return success();
}

/// Output extent of a sliding window: `size` padded by `padSum`, a window of
/// `window` (already dilated) moved by `stride`. Floor or ceil as asked; a
/// ceil-mode window that would start inside the trailing padding is dropped.
inline int64_t windowOutput(int64_t size, int64_t padBefore, int64_t padSum,
                     int64_t window, int64_t stride, bool ceilMode) {
  if (ShapedType::isDynamic(size))
    return kDynamic;
  // Attribute values are bounded by inferWindow2d, so this cannot overflow.
  int64_t span = size + padSum - window;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? llvm::divideCeil(span, stride) : span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padBefore)
    --out;
  return out;
}

/// Infers the result of 2-D windowed ops (conv2d, pooling) on the spatial
/// dims of `input` ([N, C, H, W]) and writes OH, OW into `out`.
template <typename OpTy>
inline LogicalResult inferWindow2d(std::optional<Location> loc,
                            RankedTensorType input, ArrayRef<int64_t> kernel,
                            ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                            ArrayRef<int64_t> dilations, bool ceilMode,
                            int64_t out[2]) {
  if (failed(checkArray<OpTy>(loc, "strides", strides, 2, 1)) ||
      failed(checkArray<OpTy>(loc, "pads", pads, 4, 0)) ||
      failed(checkArray<OpTy>(loc, "dilations", dilations, 2, 1)))
    return failure();
  // Bound every window parameter so that the arithmetic below cannot
  // overflow: no real model comes near 2^20.
  constexpr int64_t kMaxWindowParam = int64_t(1) << 20;
  std::pair<ArrayRef<int64_t>, StringRef> params[] = {
      {kernel, "kernel"}, {strides, "strides"}, {pads, "pads"},
      {dilations, "dilations"}};
  for (auto [values, name] : params)
    for (int64_t v : values)
      if (v > kMaxWindowParam)
        return shapeError<OpTy>(loc)
               << name << " " << fmtShape(values) << " exceeds the supported "
               << "maximum of " << kMaxWindowParam;
  static const char *names[] = {"height", "width"};
  for (int i = 0; i < 2; ++i) {
    int64_t size = input.getDimSize(2 + i);
    int64_t window = dilations[i] * (kernel[i] - 1) + 1;
    out[i] = windowOutput(size, pads[i], pads[i] + pads[i + 2], window,
                          strides[i], ceilMode);
    if (out[i] == 0)
      return shapeError<OpTy>(loc)
             << "the window (" << window
             << (dilations[i] > 1 ? ", dilated" : "")
             << ") is larger than the padded input " << names[i] << " ("
             << size + pads[i] + pads[i + 2] << ")";
  }
  return success();
}

} // namespace lathe::nn::detail

#endif // LATHE_DIALECTS_NN_NNOPSUTILS_H
