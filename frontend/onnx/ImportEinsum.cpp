//===- ImportEinsum.cpp - Import ONNX Einsum as transposes and a matmul ---===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports Einsum (opset 12) for one or two operands without
// repeated labels inside a term (no diagonals). Each label is classified:
// labels only one operand has that the output lacks are summed away first
// (nn.reduce); labels both operands have are batch labels when the output
// keeps them and contracted otherwise; the rest are free. The operands are
// then transposed and reshaped to [batch..., free, contracted] and
// [batch..., contracted, free], multiplied with nn.matmul (which broadcasts
// the batch dims), reshaped to [batch..., free left..., free right...] and
// transposed to the output's order. "..." stands for the same unnamed
// labels, aligned on the right, in every term.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

/// A term of the equation: one label per dim. Labels are letters; the dims
/// of "..." get the labels '0', '1', ... (aligned on the right).
using Term = SmallVector<char>;

/// Expands "..." in `term` (for an operand of `rank`) into `ellipsis`
/// labels, the last of the `ellipsisRank` unnamed labels.
FailureOr<Term> expandTerm(NodeImporter &n, StringRef term, int64_t rank,
                           int64_t &ellipsisRank, bool isOutput) {
  size_t dots = term.find("...");
  Term labels;
  int64_t named = term.size() - (dots == StringRef::npos ? 0 : 3);
  for (char c : term)
    if (c != '.' && !llvm::isAlpha(c))
      return n.fail("invalid label '" + std::string(1, c) + "' in equation");
  if (dots == StringRef::npos) {
    if (!isOutput && named != rank)
      return n.fail("term '" + term.str() + "' has " +
                    std::to_string(named) + " labels for an operand of rank " +
                    std::to_string(rank));
    labels.append(term.begin(), term.end());
    return labels;
  }
  int64_t count = isOutput ? ellipsisRank : rank - named;
  if (count < 0 || count > 10)
    return n.fail("term '" + term.str() + "' does not fit an operand of rank " +
                  std::to_string(rank));
  if (!isOutput)
    ellipsisRank = std::max(ellipsisRank, count);
  labels.append(term.begin(), term.begin() + dots);
  for (int64_t i = 0; i < count; ++i)
    labels.push_back(static_cast<char>('0' + (ellipsisRank - count) + i));
  labels.append(term.begin() + dots + 3, term.end());
  return labels;
}

/// Sums `value` (labelled `labels`) over the labels `keep` rejects.
FailureOr<Value> sumAway(NodeImporter &n, Value value, Term &labels,
                         llvm::function_ref<bool(char)> keep) {
  SmallVector<int64_t> axes;
  Term kept;
  for (auto [i, c] : llvm::enumerate(labels)) {
    if (keep(c))
      kept.push_back(c);
    else
      axes.push_back(i);
  }
  if (axes.empty())
    return value;
  labels = kept;
  return n.create<nn::ReduceOp>(
      value, {n.namedAttr("kind", nn::ReduceKindAttr::get(
                                      &n.ctx(), nn::ReduceKind::sum)),
              n.i64Array("axes", axes)});
}

/// Transposes `value` (labelled `labels`) to the label order `order`.
FailureOr<Value> permute(NodeImporter &n, Value value, const Term &labels,
                         const Term &order) {
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(llvm::find(labels, c) - labels.begin());
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return value;
  return n.create<nn::TransposeOp>(value, {n.i64Array("perm", perm)});
}

LogicalResult importEinsum(NodeImporter &n) {
  if (failed(n.expectInputs(1, 2)))
    return failure();
  auto equation = n.stringAttr("equation", "");
  if (failed(equation))
    return failure();
  std::string eq;
  for (char c : *equation)
    if (c != ' ')
      eq.push_back(c);
  StringRef lhs = eq, rhs;
  bool explicitOutput = StringRef(eq).contains("->");
  if (explicitOutput)
    std::tie(lhs, rhs) = StringRef(eq).split("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != n.numInputs())
    return n.fail("equation '" + *equation + "' has " +
                  std::to_string(terms.size()) + " terms for " +
                  std::to_string(n.numInputs()) + " inputs");

  SmallVector<Value> values;
  SmallVector<Term> labels;
  int64_t ellipsisRank = 0;
  llvm::DenseMap<char, int64_t> sizes;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    auto v = n.input(i);
    if (failed(v))
      return failure();
    auto ty = cast<RankedTensorType>(v->getType());
    auto term = expandTerm(n, terms[i], ty.getRank(), ellipsisRank, false);
    if (failed(term))
      return failure();
    for (auto [d, c] : llvm::enumerate(*term)) {
      if (llvm::count(*term, c) > 1)
        return n.fail("label '" + std::string(1, c) + "' repeats in term '" +
                      terms[i].str() +
                      "' (diagonals are not supported)");
      int64_t size = ty.getDimSize(d);
      auto [it, inserted] = sizes.try_emplace(c, size);
      if (!inserted && it->second != size) {
        if (!llvm::isDigit(c) || (it->second != 1 && size != 1))
          return n.fail("label '" + std::string(1, c) + "' has sizes " +
                        std::to_string(it->second) + " and " +
                        std::to_string(size));
        it->second = std::max(it->second, size);
      }
    }
    values.push_back(*v);
    labels.push_back(*term);
  }

  // The output labels: given, or (implicit mode) "..." then the labels that
  // appear once, in alphabetical order.
  Term out;
  if (explicitOutput) {
    auto term = expandTerm(n, rhs, 0, ellipsisRank, true);
    if (failed(term))
      return failure();
    out = *term;
  } else {
    for (int64_t i = 0; i < ellipsisRank; ++i)
      out.push_back(static_cast<char>('0' + i));
    std::string once;
    for (char c = 'A'; c <= 'z'; ++c) {
      int count = 0;
      for (const Term &t : labels)
        count += llvm::count(t, c);
      if (llvm::isAlpha(c) && count == 1)
        once.push_back(c);
    }
    out.append(once.begin(), once.end());
  }
  for (char c : out)
    if (!sizes.count(c))
      return n.fail("output label '" + std::string(1, c) +
                    "' is in no input term");

  auto inOut = [&](char c) { return llvm::is_contained(out, c); };
  if (values.size() == 1) {
    auto summed = sumAway(n, values[0], labels[0], inOut);
    if (failed(summed))
      return failure();
    auto y = permute(n, *summed, labels[0], out);
    if (failed(y))
      return failure();
    return n.setOutput(0, *y);
  }

  // Two operands: sum away what only one of them has and the output lacks.
  for (int k = 0; k < 2; ++k) {
    const Term &other = labels[1 - k];
    auto summed = sumAway(n, values[k], labels[k], [&](char c) {
      return inOut(c) || llvm::is_contained(other, c);
    });
    if (failed(summed))
      return failure();
    values[k] = *summed;
  }
  Term batch, contracted, freeL, freeR;
  for (char c : out) {
    bool inL = llvm::is_contained(labels[0], c),
         inR = llvm::is_contained(labels[1], c);
    if (inL && inR)
      batch.push_back(c);
    else if (inL)
      freeL.push_back(c);
    else
      freeR.push_back(c);
  }
  for (char c : labels[0])
    if (!inOut(c))
      contracted.push_back(c);
  auto dimOf = [&](int k, char c) -> int64_t {
    auto ty = cast<RankedTensorType>(values[k].getType());
    auto it = llvm::find(labels[k], c);
    return it == labels[k].end() ? 1 : ty.getDimSize(it - labels[k].begin());
  };
  auto product = [&](int k, const Term &ls) {
    int64_t p = 1;
    for (char c : ls)
      p *= dimOf(k, c);
    return p;
  };
  // Operand k as [batch..., rows, cols]: batch labels it lacks are size 1.
  auto arrange = [&](int k, const Term &rows, const Term &cols)
      -> FailureOr<Value> {
    Term order;
    for (const Term *group : {static_cast<const Term *>(&batch), &rows, &cols})
      for (char c : *group)
        if (llvm::is_contained(labels[k], c))
          order.push_back(c);
    auto t = permute(n, values[k], labels[k], order);
    if (failed(t))
      return failure();
    SmallVector<int64_t> shape;
    for (char c : batch)
      shape.push_back(dimOf(k, c));
    shape.push_back(product(k, rows));
    shape.push_back(product(k, cols));
    return n.reshape(*t, shape);
  };
  auto a = arrange(0, freeL, contracted);
  auto b = arrange(1, contracted, freeR);
  if (failed(a) || failed(b))
    return failure();
  auto c = n.create<nn::MatmulOp>(ValueRange{*a, *b});
  if (failed(c))
    return failure();
  Term cLabels;
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(c->getType()).getShape().drop_back(2));
  cLabels.append(batch.begin(), batch.end());
  for (char l : freeL) {
    shape.push_back(dimOf(0, l));
    cLabels.push_back(l);
  }
  for (char l : freeR) {
    shape.push_back(dimOf(1, l));
    cLabels.push_back(l);
  }
  auto expanded = n.reshape(*c, shape);
  if (failed(expanded))
    return failure();
  auto y = permute(n, *expanded, cLabels, out);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

} // namespace

void lathe::frontend::registerEinsumOps(OpTable &table) {
  table["Einsum"] = {importEinsum, 12};
}
