//===- ConstantData.h - Constant tensors for graph folding ------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares what the graph passes use to compute on constant
// tensors at compile time: reading the bytes or the values (in double
// precision) of a `dense` or `dense_resource` attribute, building a new one
// (a blob unless it is small integer data), and the numeric kernels of
// constant folding and BatchNormalization folding. The kernels work on plain
// arrays so that unit tests can check them without any IR.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_GRAPH_CONSTANTDATA_H
#define LATHE_PASSES_GRAPH_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace lathe::graph {

/// The row-major bytes of `attr` (a splat expanded), for element types a
/// whole number of bytes wide; failure for anything else (i1, missing
/// resource blobs, attributes that are neither dense nor dense_resource).
mlir::FailureOr<std::vector<char>> readBytes(mlir::ElementsAttr attr);

/// The values of an f32 or f64 `attr` in double precision.
mlir::FailureOr<std::vector<double>> readFloats(mlir::ElementsAttr attr);

/// The values of a signless integer `attr` (8 to 64 bits), sign-extended.
mlir::FailureOr<std::vector<int64_t>> readInts(mlir::ElementsAttr attr);

/// The name of the resource blob behind `attr`, or "" for dense data.
llvm::StringRef resourceName(mlir::ElementsAttr attr);

/// An elements attribute of `type` holding `bytes`: a `dense_resource` blob
/// named after `name` (uniqued) when `asResource`, else `dense`.
mlir::ElementsAttr makeElements(mlir::RankedTensorType type,
                                llvm::ArrayRef<char> bytes, bool asResource,
                                llvm::StringRef name);

/// `values` rounded to `type`'s element type (f32 or f64) as an elements
/// attribute, as makeElements does.
mlir::ElementsAttr makeFloatElements(mlir::RankedTensorType type,
                                     llvm::ArrayRef<double> values,
                                     bool asResource, llvm::StringRef name);

/// `values` truncated to `type`'s integer width (two's complement wrap) as
/// an elements attribute, as makeElements does.
mlir::ElementsAttr makeIntElements(mlir::RankedTensorType type,
                                   llvm::ArrayRef<int64_t> values,
                                   bool asResource, llvm::StringRef name);

/// `data` (row-major, `shape`, elements `width` bytes wide) with its
/// dimensions permuted: result dimension i is input dimension perm[i].
std::vector<char> transposeBytes(llvm::ArrayRef<char> data,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> perm, int64_t width);

/// The elements of `data` (row-major, `shape`) at starts[i], starts[i] +
/// steps[i], ... for each dimension i, `resultShape[i]` of them.
std::vector<char>
sliceBytes(llvm::ArrayRef<char> data, llvm::ArrayRef<int64_t> shape,
           llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> steps,
           llvm::ArrayRef<int64_t> resultShape, int64_t width);

/// The slices of `data` (row-major, `shape`) along `axis` at `indices`
/// (negative ones count from the back), in order; failure for an index out
/// of range.
mlir::FailureOr<std::vector<char>>
gatherBytes(llvm::ArrayRef<char> data, llvm::ArrayRef<int64_t> shape,
            int64_t axis, llvm::ArrayRef<int64_t> indices, int64_t width);

/// The element of `data` (of `shape`, numpy-broadcast to `resultShape`) that
/// lands at each position of `resultShape`, row-major.
std::vector<double> broadcastTo(llvm::ArrayRef<double> data,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> resultShape);

/// BatchNormalization's per-channel multiplier gamma / sqrt(var + eps).
std::vector<double> batchNormScale(llvm::ArrayRef<double> gamma,
                                   llvm::ArrayRef<double> variance,
                                   double epsilon);

/// BatchNormalization's per-channel shift (bias - mean) * scale + beta, for
/// a producer with `bias` (empty: no bias, i.e. zero).
std::vector<double> batchNormShift(llvm::ArrayRef<double> bias,
                                   llvm::ArrayRef<double> mean,
                                   llvm::ArrayRef<double> scale,
                                   llvm::ArrayRef<double> beta);

/// Multiplies `data`, viewed as [outer, scale.size(), inner], by scale[c]
/// along its middle dimension.
void scaleChannels(llvm::MutableArrayRef<double> data,
                   llvm::ArrayRef<double> scale, int64_t inner);

} // namespace lathe::graph

#endif // LATHE_PASSES_GRAPH_CONSTANTDATA_H
