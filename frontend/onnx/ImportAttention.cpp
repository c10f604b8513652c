//===- ImportAttention.cpp - Import ONNX Attention ------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports ONNX's Attention (opset 23) as the nn ops of its
// definition, no nn op of its own:
//   softmax(softcap(Q·sqrt(scale) @ (K·sqrt(scale))^T + bias)) @ V
// where 3-D inputs [batch, seq, heads * size] are split into heads first
// (q_num_heads, kv_num_heads) and the result merged back; past_key and
// past_value are concatenated in front of K and V along the sequence (the
// present_key and present_value outputs); grouped-query attention repeats
// each K/V head q_num_heads / kv_num_heads times; the bias adds attn_mask
// (a float bias, or a boolean mask: 0 where true, -inf where false) and,
// with is_causal, -inf above the diagonal shifted by the past length. The
// optional qk_matmul_output is Q @ K^T (mode 0), with the bias (1), after
// the softcap (2) or after the softmax (3). nonpad_kv_seqlen and masks
// shorter than the key sequence are not imported. RotaryEmbedding (opset
// 23) is slices, products and concatenations likewise.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include <cmath>

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

/// The nn ops of the decomposition, failing once any operand failed.
struct Build {
  NodeImporter &n;
  template <typename OpTy>
  FailureOr<Value> binary(FailureOr<Value> a, FailureOr<Value> b) {
    if (failed(a) || failed(b))
      return failure();
    return n.create<OpTy>(ValueRange{*a, *b});
  }
  template <typename OpTy>
  FailureOr<Value> unary(FailureOr<Value> a,
                         ArrayRef<NamedAttribute> attrs = {}) {
    if (failed(a))
      return failure();
    return n.create<OpTy>(ValueRange{*a}, attrs);
  }
  FailureOr<Value> transpose(FailureOr<Value> a, ArrayRef<int64_t> perm) {
    return unary<nn::TransposeOp>(a, {n.i64Array("perm", perm)});
  }
  FailureOr<Value> reshape(FailureOr<Value> a, ArrayRef<int64_t> shape) {
    if (failed(a))
      return failure();
    return n.reshape(*a, shape);
  }
};

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// [batch, seq, heads * size] -> [batch, heads, seq, size].
FailureOr<Value> splitHeads(Build &b, Value x, int64_t heads) {
  ArrayRef<int64_t> s = shapeOf(x);
  if (heads <= 0 || s[2] % heads != 0)
    return b.n.fail("hidden size " + std::to_string(s[2]) +
                    " is not a multiple of the head count " +
                    std::to_string(heads));
  return b.transpose(b.reshape(x, {s[0], s[1], heads, s[2] / heads}),
                     {0, 2, 1, 3});
}

/// Repeats each head of [batch, heads, seq, size] `times` times (np.repeat
/// along axis 1).
FailureOr<Value> repeatHeads(Build &b, FailureOr<Value> x, int64_t times) {
  if (failed(x) || times == 1)
    return x;
  ArrayRef<int64_t> s = shapeOf(*x);
  auto one = b.reshape(x, {s[0], s[1], 1, s[2], s[3]});
  if (failed(one))
    return failure();
  SmallVector<Value> copies(times, *one);
  auto all = b.n.create<nn::ConcatOp>(copies, {b.n.i64("axis", 2)});
  return b.reshape(all, {s[0], s[1] * times, s[2], s[3]});
}

LogicalResult importAttention(NodeImporter &n) {
  if (failed(n.expectInputs(3, 7)))
    return failure();
  if (n.hasInput(6))
    return n.fail("nonpad_kv_seqlen is not supported");
  auto isCausal = n.intAttr("is_causal", 0);
  auto qHeadsAttr = n.intAttr("q_num_heads", 0);
  auto kvHeadsAttr = n.intAttr("kv_num_heads", 0);
  auto softcap = n.floatAttr("softcap", 0.0f);
  auto mode = n.intAttr("qk_matmul_output_mode", 0);
  auto q = n.input(0);
  auto k = n.input(1);
  auto v = n.input(2);
  if (failed(isCausal) || failed(qHeadsAttr) || failed(kvHeadsAttr) ||
      failed(softcap) || failed(mode) || failed(q) || failed(k) || failed(v))
    return failure();
  auto qTy = cast<RankedTensorType>(q->getType());
  Type f = qTy.getElementType();
  int64_t rank = qTy.getRank();
  if (!isa<FloatType>(f))
    return n.fail("expected float inputs");
  if ((rank != 3 && rank != 4) || shapeOf(*k).size() != size_t(rank) ||
      shapeOf(*v).size() != size_t(rank))
    return n.fail("expected Q, K and V of rank 3 or 4");
  if (*mode < 0 || *mode > 3)
    return n.unsupportedAttr("qk_matmul_output_mode", std::to_string(*mode));
  if (!qTy.hasStaticShape() ||
      !cast<RankedTensorType>(k->getType()).hasStaticShape() ||
      !cast<RankedTensorType>(v->getType()).hasStaticShape())
    return n.fail("expected static shapes of Q, K and V");
  Build b{n};
  FailureOr<Value> q4 = *q, k4 = *k, v4 = *v;
  if (rank == 3) {
    if (*qHeadsAttr <= 0 || *kvHeadsAttr <= 0)
      return n.fail("3-D inputs need q_num_heads and kv_num_heads");
    q4 = splitHeads(b, *q, *qHeadsAttr);
    k4 = splitHeads(b, *k, *kvHeadsAttr);
    v4 = splitHeads(b, *v, *kvHeadsAttr);
    if (failed(q4) || failed(k4) || failed(v4))
      return failure();
  }
  // The cache: past in front of the new keys and values.
  int64_t pastLength = 0;
  if (n.hasInput(4) != n.hasInput(5))
    return n.fail("expected both past_key and past_value, or neither");
  if (n.hasInput(4)) {
    auto pastK = n.input(4);
    auto pastV = n.input(5);
    if (failed(pastK) || failed(pastV))
      return failure();
    if (shapeOf(*pastK).size() != 4 ||
        ShapedType::isDynamic(shapeOf(*pastK)[2]))
      return n.fail("expected a static 4-D past_key");
    pastLength = shapeOf(*pastK)[2];
    k4 = n.create<nn::ConcatOp>(ValueRange{*pastK, *k4}, {n.i64("axis", 2)});
    v4 = n.create<nn::ConcatOp>(ValueRange{*pastV, *v4}, {n.i64("axis", 2)});
    if (failed(k4) || failed(v4))
      return failure();
  }
  if (failed(n.setOutput(1, *k4)) || failed(n.setOutput(2, *v4)))
    return failure();
  int64_t qHeads = shapeOf(*q4)[1], kvHeads = shapeOf(*k4)[1];
  int64_t qLength = shapeOf(*q4)[2], kvLength = shapeOf(*k4)[2];
  if (kvHeads != shapeOf(*v4)[1] || qHeads % kvHeads != 0)
    return n.fail("expected K and V with the same head count, dividing Q's");
  // scale: 1 / sqrt(head size) unless given; applied as sqrt(scale) to
  // both Q and K, as ONNX's definition does.
  double scale = 1.0 / std::sqrt(double(shapeOf(*q4)[3]));
  if (n.attr("scale")) {
    auto s = n.floatAttr("scale", 1.0f);
    if (failed(s))
      return failure();
    scale = *s;
  }
  Value rootScale = n.scalar(f, std::sqrt(scale));
  FailureOr<Value> keys = repeatHeads(b, k4, qHeads / kvHeads);
  FailureOr<Value> values = repeatHeads(b, v4, qHeads / kvHeads);
  auto qk = b.binary<nn::MatmulOp>(
      b.binary<nn::MulOp>(q4, rootScale),
      b.transpose(b.binary<nn::MulOp>(keys, rootScale), {0, 1, 3, 2}));
  if (failed(qk))
    return failure();
  FailureOr<Value> qkOut = qk;
  // The bias: attn_mask, then the causal mask.
  FailureOr<Value> logits = qk;
  if (n.hasInput(3)) {
    auto mask = n.input(3);
    if (failed(mask))
      return failure();
    ArrayRef<int64_t> ms = shapeOf(*mask);
    if (ms.empty() || ms.back() != kvLength)
      return n.fail("expected an attn_mask whose last dim is the key "
                    "sequence length " +
                    std::to_string(kvLength));
    Type mt = cast<RankedTensorType>(mask->getType()).getElementType();
    FailureOr<Value> bias = *mask;
    if (mt.isInteger(1)) {
      bias = n.create<nn::SelectOp>(ValueRange{*mask, n.scalar(f, 0.0),
                                               n.scalar(f, -INFINITY)});
    } else if (mt != f) {
      return n.fail("expected a boolean attn_mask or one of Q's type");
    }
    logits = b.binary<nn::AddOp>(logits, bias);
  }
  if (*isCausal) {
    SmallVector<float> causal;
    causal.reserve(qLength * kvLength);
    for (int64_t i = 0; i < qLength; ++i)
      for (int64_t j = 0; j < kvLength; ++j)
        causal.push_back(j > i + pastLength ? -INFINITY : 0.0f);
    Value causalBias = n.constant(DenseElementsAttr::get(
        RankedTensorType::get({qLength, kvLength}, f), ArrayRef<float>(causal)));
    logits = b.binary<nn::AddOp>(logits, causalBias);
  }
  if (*mode == 1)
    qkOut = logits;
  if (*softcap > 0) {
    Value cap = n.scalar(f, *softcap);
    logits = b.binary<nn::MulOp>(
        b.unary<nn::TanhOp>(b.binary<nn::DivOp>(logits, cap)), cap);
    if (*mode == 2)
      qkOut = logits;
  }
  auto probs = b.unary<nn::SoftmaxOp>(logits, {n.i64("axis", -1)});
  if (*mode == 3)
    qkOut = probs;
  auto y = b.binary<nn::MatmulOp>(probs, values);
  if (failed(y) || failed(qkOut))
    return failure();
  if (rank == 3) {
    ArrayRef<int64_t> s = shapeOf(*y);
    y = b.reshape(b.transpose(*y, {0, 2, 1, 3}), {s[0], s[2], s[1] * s[3]});
    if (failed(y))
      return failure();
  }
  if (failed(n.setOutput(0, *y)))
    return failure();
  return n.setOutput(3, *qkOut);
}

/// Elements [start, end) with `step` of the last dim of a rank-4 value.
FailureOr<Value> sliceLast(Build &b, FailureOr<Value> x, int64_t start,
                           int64_t end, int64_t step = 1) {
  if (failed(x))
    return failure();
  ArrayRef<int64_t> s = shapeOf(*x);
  return b.unary<nn::SliceOp>(
      x, {b.n.i64Array("starts", {0, 0, 0, start}),
          b.n.i64Array("ends", {s[0], s[1], s[2], end}),
          b.n.i64Array("steps", {1, 1, 1, step})});
}

/// Rotates pairs of the first rotary_embedding_dim entries of each head by
/// the cached angles: real = cos x1 - sin x2, imag = sin x1 + cos x2, pairs
/// being (even, odd) entries when interleaved, else the two halves. Works
/// on [batch, seq, heads, size] (4-D inputs are [batch, heads, seq, size],
/// 3-D ones [batch, seq, heads * size]). The caches are indexed by
/// position_ids ([max position, dim / 2]) or given per token.
LogicalResult importRotaryEmbedding(NodeImporter &n) {
  if (failed(n.expectInputs(3, 4)))
    return failure();
  auto interleaved = n.intAttr("interleaved", 0);
  auto rotaryDim = n.intAttr("rotary_embedding_dim", 0);
  auto numHeads = n.intAttr("num_heads", 0);
  auto x = n.input(0);
  auto cosCache = n.input(1);
  auto sinCache = n.input(2);
  if (failed(interleaved) || failed(rotaryDim) || failed(numHeads) ||
      failed(x) || failed(cosCache) || failed(sinCache))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (!isa<FloatType>(xTy.getElementType()) || !xTy.hasStaticShape() ||
      (rank != 3 && rank != 4))
    return n.fail("expected a static float input of rank 3 or 4");
  Build b{n};
  FailureOr<Value> x4;
  if (rank == 4) {
    x4 = b.transpose(*x, {0, 2, 1, 3});
  } else {
    ArrayRef<int64_t> s = xTy.getShape();
    if (*numHeads <= 0 || s[2] % *numHeads != 0)
      return n.fail("3-D input needs num_heads dividing the hidden size");
    x4 = b.reshape(*x, {s[0], s[1], *numHeads, s[2] / *numHeads});
  }
  if (failed(x4))
    return failure();
  ArrayRef<int64_t> s = shapeOf(*x4);
  int64_t B = s[0], S = s[1], D = s[3];
  int64_t R = *rotaryDim > 0 ? *rotaryDim : D;
  if (R > D || R % 2 != 0)
    return n.fail("rotary_embedding_dim " + std::to_string(R) +
                  " must be even and at most the head size " +
                  std::to_string(D));
  FailureOr<Value> cos = *cosCache, sin = *sinCache;
  if (n.hasInput(3)) {
    auto positions = n.input(3);
    if (failed(positions))
      return failure();
    cos = n.create<nn::GatherOp>(ValueRange{*cosCache, *positions},
                                 {n.i64("axis", 0)});
    sin = n.create<nn::GatherOp>(ValueRange{*sinCache, *positions},
                                 {n.i64("axis", 0)});
  }
  cos = b.reshape(cos, {B, S, 1, R / 2});
  sin = b.reshape(sin, {B, S, 1, R / 2});
  if (failed(cos) || failed(sin))
    return failure();
  auto x1 = *interleaved ? sliceLast(b, x4, 0, R, 2) : sliceLast(b, x4, 0, R / 2);
  auto x2 =
      *interleaved ? sliceLast(b, x4, 1, R, 2) : sliceLast(b, x4, R / 2, R);
  auto real = b.binary<nn::SubOp>(b.binary<nn::MulOp>(cos, x1),
                                  b.binary<nn::MulOp>(sin, x2));
  auto imag = b.binary<nn::AddOp>(b.binary<nn::MulOp>(sin, x1),
                                  b.binary<nn::MulOp>(cos, x2));
  if (failed(real) || failed(imag))
    return failure();
  FailureOr<Value> rotated;
  if (*interleaved) {
    auto re = b.reshape(*real, {B, S, s[2], R / 2, 1});
    auto im = b.reshape(*imag, {B, S, s[2], R / 2, 1});
    if (failed(re) || failed(im))
      return failure();
    auto pairs =
        n.create<nn::ConcatOp>(ValueRange{*re, *im}, {n.i64("axis", 4)});
    rotated = b.reshape(pairs, {B, S, s[2], R});
  } else {
    rotated =
        n.create<nn::ConcatOp>(ValueRange{*real, *imag}, {n.i64("axis", 3)});
  }
  if (failed(rotated))
    return failure();
  FailureOr<Value> y = rotated;
  if (R < D) {
    auto rest = sliceLast(b, x4, R, D);
    if (failed(rest))
      return failure();
    y = n.create<nn::ConcatOp>(ValueRange{*rotated, *rest},
                               {n.i64("axis", 3)});
  }
  y = rank == 4 ? b.transpose(y, {0, 2, 1, 3}) : b.reshape(y, xTy.getShape());
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

} // namespace

void lathe::frontend::registerAttentionOps(OpTable &table) {
  table["Attention"] = {importAttention, 23};
  table["RotaryEmbedding"] = {importRotaryEmbedding, 23};
}
