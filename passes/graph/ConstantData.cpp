//===- ConstantData.cpp - Constant tensors for graph folding --------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the constant-tensor helpers of ConstantData.h.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/ConstantData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace lathe;

/// Alignment of the blobs this file allocates (as the importer's).
static constexpr size_t kBlobAlign = 64;

FailureOr<std::vector<char>> graph::readBytes(ElementsAttr attr) {
  Type elemTy = attr.getElementType();
  if (!elemTy.isIntOrFloat() || elemTy.getIntOrFloatBitWidth() % 8)
    return failure();
  size_t width = elemTy.getIntOrFloatBitWidth() / 8;
  size_t count = attr.getNumElements();
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    raw = dense.getRawData();
  } else if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return failure();
    raw = blob->getData();
  } else {
    return failure();
  }
  std::vector<char> bytes(count * width);
  if (raw.size() == width && count != 1) {
    // A splat: one element stands for all.
    for (size_t i = 0; i < count; ++i)
      std::memcpy(bytes.data() + i * width, raw.data(), width);
  } else if (raw.size() == bytes.size()) {
    std::memcpy(bytes.data(), raw.data(), bytes.size());
  } else if (count) {
    return failure();
  }
  return bytes;
}

FailureOr<std::vector<double>> graph::readFloats(ElementsAttr attr) {
  Type elemTy = attr.getElementType();
  if (!elemTy.isF32() && !elemTy.isF64())
    return failure();
  FailureOr<std::vector<char>> bytes = readBytes(attr);
  if (failed(bytes))
    return failure();
  size_t count = attr.getNumElements();
  std::vector<double> values(count);
  for (size_t i = 0; i < count; ++i) {
    if (elemTy.isF32()) {
      float f;
      std::memcpy(&f, bytes->data() + i * sizeof(float), sizeof(float));
      values[i] = f;
    } else {
      std::memcpy(&values[i], bytes->data() + i * sizeof(double),
                  sizeof(double));
    }
  }
  return values;
}

FailureOr<std::vector<int64_t>> graph::readInts(ElementsAttr attr) {
  auto intTy = dyn_cast<IntegerType>(attr.getElementType());
  if (!intTy || !intTy.isSignless() || intTy.getWidth() % 8)
    return failure();
  FailureOr<std::vector<char>> bytes = readBytes(attr);
  if (failed(bytes))
    return failure();
  unsigned width = intTy.getWidth() / 8;
  size_t count = attr.getNumElements();
  std::vector<int64_t> values(count);
  for (size_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, bytes->data() + i * width, width);
    values[i] = llvm::SignExtend64(raw, intTy.getWidth());
  }
  return values;
}

StringRef graph::resourceName(ElementsAttr attr) {
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr))
    return res.getRawHandle().getKey();
  return "";
}

ElementsAttr graph::makeElements(RankedTensorType type, ArrayRef<char> bytes,
                                 bool asResource, StringRef name) {
  if (!asResource)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, bytes));
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocate(bytes.size(), kBlobAlign);
  if (!bytes.empty())
    std::memcpy(blob.getMutableData().data(), bytes.data(), bytes.size());
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

ElementsAttr graph::makeFloatElements(RankedTensorType type,
                                      ArrayRef<double> values, bool asResource,
                                      StringRef name) {
  std::vector<char> bytes;
  if (type.getElementType().isF32()) {
    bytes.resize(values.size() * sizeof(float));
    for (size_t i = 0; i < values.size(); ++i) {
      float f = static_cast<float>(values[i]);
      std::memcpy(bytes.data() + i * sizeof(float), &f, sizeof(float));
    }
  } else {
    bytes.resize(values.size() * sizeof(double));
    std::memcpy(bytes.data(), values.data(), bytes.size());
  }
  return makeElements(type, bytes, asResource, name);
}

ElementsAttr graph::makeIntElements(RankedTensorType type,
                                    ArrayRef<int64_t> values, bool asResource,
                                    StringRef name) {
  unsigned width = type.getElementType().getIntOrFloatBitWidth() / 8;
  std::vector<char> bytes(values.size() * width);
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t raw = static_cast<uint64_t>(values[i]);
    std::memcpy(bytes.data() + i * width, &raw, width);
  }
  return makeElements(type, bytes, asResource, name);
}

/// Row-major strides of `shape`.
static std::vector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

static int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Calls `body(resultIndex, sourceOffset)` for every position of
/// `resultShape`, where the source offset of index `idx` is
/// `base + sum(idx[i] * sourceStrides[i])`.
template <typename Body>
static void forEachIndex(ArrayRef<int64_t> resultShape,
                         ArrayRef<int64_t> sourceStrides, int64_t base,
                         Body body) {
  int64_t count = product(resultShape);
  size_t rank = resultShape.size();
  std::vector<int64_t> idx(rank, 0);
  int64_t offset = base;
  for (int64_t n = 0; n < count; ++n) {
    body(n, offset);
    for (size_t d = rank; d-- > 0;) {
      offset += sourceStrides[d];
      if (++idx[d] < resultShape[d])
        break;
      offset -= sourceStrides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

std::vector<char> graph::transposeBytes(ArrayRef<char> data,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> perm, int64_t width) {
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<int64_t> outShape, srcStrides;
  for (int64_t p : perm) {
    outShape.push_back(shape[p]);
    srcStrides.push_back(inStrides[p]);
  }
  std::vector<char> out(product(outShape) * width);
  forEachIndex(outShape, srcStrides, 0, [&](int64_t n, int64_t src) {
    std::memcpy(out.data() + n * width, data.data() + src * width, width);
  });
  return out;
}

std::vector<char>
graph::sliceBytes(ArrayRef<char> data, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> starts, ArrayRef<int64_t> steps,
                  ArrayRef<int64_t> resultShape, int64_t width) {
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<int64_t> srcStrides;
  int64_t base = 0;
  for (size_t i = 0; i < shape.size(); ++i) {
    srcStrides.push_back(inStrides[i] * steps[i]);
    base += inStrides[i] * starts[i];
  }
  std::vector<char> out(product(resultShape) * width);
  forEachIndex(resultShape, srcStrides, base, [&](int64_t n, int64_t src) {
    std::memcpy(out.data() + n * width, data.data() + src * width, width);
  });
  return out;
}

FailureOr<std::vector<char>>
graph::gatherBytes(ArrayRef<char> data, ArrayRef<int64_t> shape, int64_t axis,
                   ArrayRef<int64_t> indices, int64_t width) {
  int64_t outer = product(shape.take_front(axis));
  int64_t dim = shape[axis];
  int64_t chunk = product(shape.drop_front(axis + 1)) * width;
  std::vector<char> out;
  out.reserve(outer * indices.size() * chunk);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices) {
      int64_t i = index < 0 ? index + dim : index;
      if (i < 0 || i >= dim)
        return failure();
      const char *src = data.data() + (o * dim + i) * chunk;
      out.insert(out.end(), src, src + chunk);
    }
  return out;
}

std::vector<double> graph::broadcastTo(ArrayRef<double> data,
                                       ArrayRef<int64_t> shape,
                                       ArrayRef<int64_t> resultShape) {
  // Align on the right; a dimension of size 1 repeats (stride 0).
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<int64_t> srcStrides(resultShape.size(), 0);
  size_t lead = resultShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    srcStrides[lead + i] = shape[i] == 1 ? 0 : inStrides[i];
  std::vector<double> out(product(resultShape));
  forEachIndex(resultShape, srcStrides, 0,
               [&](int64_t n, int64_t src) { out[n] = data[src]; });
  return out;
}

std::vector<double> graph::batchNormScale(ArrayRef<double> gamma,
                                          ArrayRef<double> variance,
                                          double epsilon) {
  std::vector<double> scale(gamma.size());
  for (size_t c = 0; c < gamma.size(); ++c)
    scale[c] = gamma[c] / std::sqrt(variance[c] + epsilon);
  return scale;
}

std::vector<double> graph::batchNormShift(ArrayRef<double> bias,
                                          ArrayRef<double> mean,
                                          ArrayRef<double> scale,
                                          ArrayRef<double> beta) {
  std::vector<double> shift(scale.size());
  for (size_t c = 0; c < scale.size(); ++c)
    shift[c] = ((bias.empty() ? 0.0 : bias[c]) - mean[c]) * scale[c] + beta[c];
  return shift;
}

void graph::scaleChannels(MutableArrayRef<double> data, ArrayRef<double> scale,
                          int64_t inner) {
  int64_t channels = scale.size();
  if (!channels || !inner)
    return;
  for (size_t i = 0; i < data.size(); ++i)
    data[i] *= scale[(i / inner) % channels];
}
