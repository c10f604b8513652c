//===- SearchSpace.cpp - The configs the tuner may try --------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements SearchSpace: decoding a `#sched.config` into the
// knobs the tuner turns, the validity check, and mutation, crossover and
// sampling, each of which only ever returns configs that pass the check.
//
//===----------------------------------------------------------------------===//

#include "autotune/SearchSpace.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace lathe;
using namespace lathe::autotune;
using llvm::ArrayRef;
using llvm::SmallVector;

std::optional<AnchorInfo> AnchorInfo::of(linalg::LinalgOp op) {
  AnchorInfo info;
  info.opName = op->getName().getStringRef().str();
  info.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(info.ranges, ShapedType::isDynamic))
    return std::nullopt;
  for (utils::IteratorType it : op.getIteratorTypesArray())
    info.reduction.push_back(it == utils::IteratorType::reduction);
  info.numOperands = op->getNumOperands();
  return info;
}

/// The knobs of a config, as plain arrays.
struct SearchSpace::Knobs {
  SmallVector<int64_t> outer, l3, l2, l1, reg;
  int64_t unroll = 1;
  SmallVector<int64_t> parallel, interchange;
  /// Whether operand 0 is packed (matmul-like ops).
  bool packA = false;
};

namespace {
/// The multiples of `step` that divide `size`, ascending.
SmallVector<int64_t> dividingMultiples(int64_t size, int64_t step) {
  SmallVector<int64_t> values;
  step = std::max<int64_t>(1, step);
  for (int64_t t = step; t <= size; t += step)
    if (size % t == 0)
      values.push_back(t);
  return values;
}

/// The value of `candidates` nearest to `value` on a log scale.
int64_t nearest(ArrayRef<int64_t> candidates, int64_t value) {
  int64_t best = candidates.front();
  double bestDistance = INFINITY;
  for (int64_t c : candidates) {
    double distance =
        std::abs(std::log(double(c) / std::max<int64_t>(1, value)));
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

template <typename T> const T &pick(ArrayRef<T> values, std::mt19937_64 &rng) {
  return values[std::uniform_int_distribution<size_t>(0,
                                                      values.size() - 1)(rng)];
}

bool coin(std::mt19937_64 &rng) {
  return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
}

constexpr int64_t kUnrolls[] = {1, 2, 4, 8};
constexpr int64_t kMaxRowTile = 16;
} // namespace

SearchSpace::SearchSpace(AnchorInfo anchorInfo, sched::ConfigAttr config,
                         SpaceTarget spaceTarget)
    : anchor(std::move(anchorInfo)), defaultConfig(config),
      target(spaceTarget) {
  lanes = std::max<int64_t>(1, target.vectorBits / 32);
  int64_t loops = anchor.ranges.size();
  ArrayRef<int64_t> reg = config.getTiles(sched::TileLevel::Register);
  ArrayRef<int64_t> vector = config.getVectorSizes();
  for (int64_t d = 0; d < loops && !vector.empty(); ++d)
    if (!anchor.reduction[d] && vector[d] > 1)
      laneDim = d;
  for (int64_t d = 0; d < loops && !reg.empty(); ++d)
    if (d != laneDim && !anchor.reduction[d] && reg[d] > 1)
      rowDims.push_back(d);
  ArrayRef<int64_t> l2 = config.getTiles(sched::TileLevel::L2);
  ArrayRef<int64_t> outer = config.getTiles(sched::TileLevel::Outer);
  for (int64_t d = 0; d < loops; ++d) {
    if (!l2.empty() && l2[d] > 0)
      cacheDims.push_back(d);
    if (!outer.empty() && outer[d] > 0)
      outerDims.push_back(d);
  }
  StringRef name = anchor.opName;
  inputRegisters = name.contains("depthwise") || name.contains("pooling");
  bool matmulLike = name == "linalg.matmul" || name == "linalg.batch_matmul";
  packableA = matmulLike && !rowDims.empty() &&
              llvm::any_of(config.getPacks(), [](sched::PackAttr p) {
                return p.getOperand() == 1;
              });
  ArrayRef<int64_t> interchange = config.getInterchange();
  for (auto [i, d] : llvm::enumerate(interchange))
    if (!(name == "linalg.batch_matmul" && i == 0))
      permutable.push_back(i);
}

SearchSpace::Knobs SearchSpace::decode(sched::ConfigAttr config) const {
  Knobs k;
  auto copy = [&](sched::TileLevel level) {
    return SmallVector<int64_t>(config.getTiles(level));
  };
  k.outer = copy(sched::TileLevel::Outer);
  k.l3 = copy(sched::TileLevel::L3);
  k.l2 = copy(sched::TileLevel::L2);
  k.l1 = copy(sched::TileLevel::L1);
  k.reg = copy(sched::TileLevel::Register);
  k.unroll = config.getUnroll();
  k.parallel.assign(config.getParallelDims().begin(),
                    config.getParallelDims().end());
  k.interchange.assign(config.getInterchange().begin(),
                       config.getInterchange().end());
  k.packA = llvm::any_of(config.getPacks(),
                         [](sched::PackAttr p) { return p.getOperand() == 0; });
  return k;
}

sched::ConfigAttr SearchSpace::encode(const Knobs &k) const {
  MLIRContext *ctx = defaultConfig.getContext();
  ArrayRef<int64_t> defaultVector = defaultConfig.getVectorSizes();
  SmallVector<int64_t> vector;
  for (auto [d, v] : llvm::enumerate(defaultVector))
    vector.push_back(v > 0 && !k.reg.empty() ? k.reg[d] : 0);
  // The default's packs, with the register tiles of their loops, and
  // operand 0's where chosen.
  SmallVector<sched::PackAttr> packs;
  // A pack the default has keeps its loops' register tiles, even of 1 (an
  // odd N packs B in panels of one column); operand 0's pack, which the
  // tuner adds, needs a register tile above 1.
  auto addPack = [&](int64_t operand, ArrayRef<int64_t> dims, bool added) {
    SmallVector<int64_t> tiles;
    for (int64_t d : dims) {
      if (k.reg.empty() || (added && k.reg[d] <= 1))
        return;
      tiles.push_back(k.reg[d]);
    }
    packs.push_back(sched::PackAttr::get(ctx, operand, dims, tiles));
  };
  bool defaultPacksA = false;
  for (sched::PackAttr p : defaultConfig.getPacks()) {
    if (p.getOperand() == 0) {
      defaultPacksA = true;
      if (k.packA)
        addPack(0, p.getDims(), /*added=*/false);
      continue;
    }
    addPack(p.getOperand(), p.getDims(), /*added=*/false);
  }
  if (k.packA && !defaultPacksA && packableA)
    addPack(0, {rowDims.front()}, /*added=*/true);
  // Operand 0's pack first, as the default schedule writes them.
  llvm::stable_sort(packs, [](sched::PackAttr a, sched::PackAttr b) {
    return a.getOperand() < b.getOperand();
  });
  return sched::ConfigAttr::get(ctx, k.outer, k.l3, k.l2, k.l1, k.reg, vector,
                                k.unroll, k.parallel, k.interchange, packs);
}

int64_t SearchSpace::registerCost(ArrayRef<int64_t> reg) const {
  if (reg.empty())
    return 0;
  int64_t vectors =
      laneDim >= 0 ? (reg[laneDim] + lanes - 1) / lanes : int64_t(1);
  // Every parallel loop's register tile multiplies the accumulators.
  int64_t rows = 1;
  for (auto [d, tile] : llvm::enumerate(reg))
    if (int64_t(d) != laneDim && !anchor.reduction[d] && tile > 1)
      rows *= tile;
  if (inputRegisters)
    return 2 * rows * vectors + vectors;
  return rows * vectors + vectors + 1;
}

SmallVector<int64_t> SearchSpace::laneWidths() const {
  SmallVector<int64_t> widths;
  if (laneDim < 0)
    return widths;
  int64_t size = anchor.ranges[laneDim];
  for (int64_t regs : {1, 2, 4})
    if (size % (regs * lanes) == 0)
      widths.push_back(regs * lanes);
  if (size % lanes != 0)
    for (int64_t w = lanes / 2; w >= 2; w /= 2)
      if (size % w == 0)
        widths.push_back(w);
  int64_t current = defaultConfig.getTiles(sched::TileLevel::Register)[laneDim];
  if (!llvm::is_contained(widths, current))
    widths.push_back(current);
  llvm::sort(widths);
  return widths;
}

int64_t SearchSpace::numKnobs() const {
  int64_t n = rowDims.size() + cacheDims.size() + outerDims.size() + 1;
  if (laneWidths().size() > 1)
    ++n;
  if (permutable.size() >= 2)
    ++n;
  if (packableA)
    ++n;
  return n;
}

std::optional<std::string> SearchSpace::check(sched::ConfigAttr config) const {
  if (!config)
    return std::string("not a #sched.config");
  int64_t loops = anchor.ranges.size();
  if (config.getNumLoops() != loops)
    return "its per-loop arrays have " + std::to_string(config.getNumLoops()) +
           " entries for " + std::to_string(loops) + " loops";
  Knobs k = decode(config);
  auto emptiness = [&](ArrayRef<int64_t> a, sched::TileLevel level) {
    return a.empty() == defaultConfig.getTiles(level).empty();
  };
  if (!emptiness(k.outer, sched::TileLevel::Outer) ||
      !emptiness(k.l3, sched::TileLevel::L3) ||
      !emptiness(k.l2, sched::TileLevel::L2) ||
      !emptiness(k.l1, sched::TileLevel::L1) ||
      !emptiness(k.reg, sched::TileLevel::Register))
    return std::string("it tiles other levels than the default config");
  ArrayRef<int64_t> defaultReg =
      defaultConfig.getTiles(sched::TileLevel::Register);
  // Divisibility and nesting, innermost level first.
  for (int64_t d = 0; d < loops; ++d) {
    int64_t inner = 1;
    for (ArrayRef<int64_t> level :
         {ArrayRef<int64_t>(k.reg), ArrayRef<int64_t>(k.l1),
          ArrayRef<int64_t>(k.l2), ArrayRef<int64_t>(k.l3),
          ArrayRef<int64_t>(k.outer)}) {
      if (level.empty() || level[d] == 0)
        continue;
      if (anchor.ranges[d] % level[d] != 0)
        return "tile " + std::to_string(level[d]) + " of loop " +
               std::to_string(d) + " does not divide its " +
               std::to_string(anchor.ranges[d]) + " iterations";
      if (level[d] % inner != 0)
        return "tile " + std::to_string(level[d]) + " of loop " +
               std::to_string(d) + " is not a multiple of its inner tile " +
               std::to_string(inner);
      inner = level[d];
    }
    if (!k.reg.empty() && anchor.reduction[d] && k.reg[d] != defaultReg[d])
      return "the register tile of reduction loop " + std::to_string(d) +
             " differs from the default's";
  }
  // The config as the space would write these knobs: its vector sizes and
  // packs are derived, so the config's own must be the same.
  sched::ConfigAttr expected = encode(k);
  if (expected.getVectorSizes() != config.getVectorSizes())
    return std::string("its vector sizes are not its register tile on the "
                       "default's vector loops");
  if (laneDim >= 0 && !llvm::is_contained(laneWidths(), k.reg[laneDim]))
    return "a register tile of " + std::to_string(k.reg[laneDim]) +
           " along the vector loop is not 1, 2 or 4 vector registers";
  if (int64_t cost = registerCost(k.reg); cost > target.vectorRegisters)
    return "the register tile needs " + std::to_string(cost) +
           " vector registers; the target has " +
           std::to_string(target.vectorRegisters);
  for (int64_t d : k.parallel) {
    if (d < 0 || d >= loops || anchor.reduction[d])
      return "loop " + std::to_string(d) + " cannot run on threads";
  }
  if (k.interchange.empty() != defaultConfig.getInterchange().empty())
    return std::string("its interchange is not a permutation of the "
                       "default's loop order");
  if (!k.interchange.empty()) {
    SmallVector<int64_t> sorted(k.interchange);
    llvm::sort(sorted);
    for (int64_t d = 0; d < loops; ++d)
      if (int64_t(sorted.size()) != loops || sorted[d] != d)
        return std::string("its interchange is not a permutation");
    if (anchor.opName == "linalg.batch_matmul" && k.interchange[0] != 0)
      return std::string("a batch_matmul's batch loop stays outermost");
  }
  if (!llvm::is_contained(kUnrolls, k.unroll))
    return "unroll " + std::to_string(k.unroll) + " is not 1, 2, 4 or 8";
  for (sched::PackAttr p : config.getPacks()) {
    for (auto [d, t] : llvm::zip(p.getDims(), p.getTiles()))
      if (k.reg.empty() || k.reg[d] != t)
        return "the pack of operand " + std::to_string(p.getOperand()) +
               " does not use the register tile of loop " + std::to_string(d);
  }
  if (expected != config)
    return std::string("its packs are not the default's (with operand 0 "
                       "optional for a matmul)");
  return std::nullopt;
}

void SearchSpace::repair(Knobs &k) const {
  int64_t loops = anchor.ranges.size();
  for (int64_t d = 0; d < loops; ++d) {
    int64_t inner = k.reg.empty() || k.reg[d] == 0 ? 1 : k.reg[d];
    for (SmallVector<int64_t> *level : {&k.l1, &k.l2, &k.l3, &k.outer}) {
      if (level->empty() || (*level)[d] == 0)
        continue;
      int64_t &tile = (*level)[d];
      if (tile % inner != 0 || anchor.ranges[d] % tile != 0)
        tile = nearest(dividingMultiples(anchor.ranges[d], inner), tile);
      inner = tile;
    }
  }
}

bool SearchSpace::mutateOnce(Knobs &k, std::mt19937_64 &rng) const {
  enum Move { Lane, Row, Cache, Outer, Unroll, Interchange, PackA };
  SmallVector<Move> moves;
  SmallVector<int64_t> widths = laneWidths();
  if (widths.size() > 1)
    moves.push_back(Lane);
  if (!rowDims.empty())
    moves.push_back(Row);
  if (!cacheDims.empty())
    moves.push_back(Cache);
  if (!outerDims.empty())
    moves.push_back(Outer);
  moves.push_back(Unroll);
  if (permutable.size() >= 2 && !k.interchange.empty())
    moves.push_back(Interchange);
  if (packableA)
    moves.push_back(PackA);

  Knobs before = k;
  switch (pick<Move>(moves, rng)) {
  case Lane:
    k.reg[laneDim] = pick<int64_t>(widths, rng);
    break;
  case Row: {
    int64_t d = pick<int64_t>(rowDims, rng);
    SmallVector<int64_t> divisors;
    for (int64_t t : dividingMultiples(anchor.ranges[d], 1))
      if (t <= kMaxRowTile)
        divisors.push_back(t);
    k.reg[d] = pick<int64_t>(divisors, rng);
    break;
  }
  case Cache: {
    int64_t d = pick<int64_t>(cacheDims, rng);
    k.l2[d] = pick<int64_t>(
        dividingMultiples(anchor.ranges[d], std::max<int64_t>(1, k.reg[d])),
        rng);
    break;
  }
  case Outer: {
    int64_t d = pick<int64_t>(outerDims, rng);
    int64_t inner = !k.l2.empty() && k.l2[d] ? k.l2[d]
                    : k.reg.empty()          ? 1
                                             : std::max<int64_t>(1, k.reg[d]);
    k.outer[d] = pick<int64_t>(dividingMultiples(anchor.ranges[d], inner), rng);
    break;
  }
  case Unroll:
    k.unroll = pick<int64_t>(kUnrolls, rng);
    break;
  case Interchange: {
    size_t i = pick<int64_t>(permutable, rng),
           j = pick<int64_t>(permutable, rng);
    std::swap(k.interchange[i], k.interchange[j]);
    break;
  }
  case PackA:
    k.packA = !k.packA;
    break;
  }
  repair(k);
  if (registerCost(k.reg) > target.vectorRegisters) {
    k = before;
    return false;
  }
  return true;
}

sched::ConfigAttr SearchSpace::mutate(sched::ConfigAttr config,
                                      std::mt19937_64 &rng) const {
  for (int attempt = 0; attempt < 32; ++attempt) {
    Knobs k = decode(config);
    if (!mutateOnce(k, rng))
      continue;
    sched::ConfigAttr result = encode(k);
    if (result != config && !check(result))
      return result;
  }
  return config;
}

sched::ConfigAttr SearchSpace::crossover(sched::ConfigAttr a,
                                         sched::ConfigAttr b,
                                         std::mt19937_64 &rng) const {
  Knobs ka = decode(a), kb = decode(b);
  Knobs child = ka;
  if (coin(rng))
    child.outer = kb.outer;
  if (coin(rng))
    child.l2 = kb.l2;
  if (coin(rng))
    child.reg = kb.reg;
  if (coin(rng))
    child.unroll = kb.unroll;
  if (coin(rng))
    child.interchange = kb.interchange;
  if (coin(rng))
    child.packA = kb.packA;
  repair(child);
  sched::ConfigAttr result = encode(child);
  if (check(result))
    return a;
  return result;
}

sched::ConfigAttr SearchSpace::sample(std::mt19937_64 &rng) const {
  sched::ConfigAttr config = defaultConfig;
  int steps = std::uniform_int_distribution<int>(1, 6)(rng);
  for (int i = 0; i < steps; ++i)
    config = mutate(config, rng);
  return config;
}
