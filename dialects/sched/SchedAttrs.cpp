//===- SchedAttrs.cpp - Attributes of the sched dialect -------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements #sched.config's textual form and the verifiers of
// #sched.config and #sched.pack. The verifier states the structural rules a
// schedule must obey whatever kernel it is attached to (one entry per loop,
// nested tiles, vector sizes dividing the register tile, permutations); the
// schedule passes check the rules that depend on the kernel itself.
//
//===----------------------------------------------------------------------===//

#include "dialects/sched/SchedAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lathe::sched;

#define GET_ATTRDEF_CLASSES
#include "dialects/sched/SchedAttrs.cpp.inc"

void SchedDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/sched/SchedAttrs.cpp.inc"
      >();
}

StringRef lathe::sched::stringifyTileLevel(TileLevel level) {
  switch (level) {
  case TileLevel::Outer:
    return "outer";
  case TileLevel::L3:
    return "l3";
  case TileLevel::L2:
    return "l2";
  case TileLevel::L1:
    return "l1";
  case TileLevel::Register:
    return "register";
  }
  llvm_unreachable("unknown tile level");
}

namespace {
/// Renders a list as "[1, 2, 3]" for diagnostics.
std::string fmtList(ArrayRef<int64_t> values) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os);
  os << ']';
  return s;
}
} // namespace

//===----------------------------------------------------------------------===//
// PackAttr
//===----------------------------------------------------------------------===//

LogicalResult PackAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t operand, ArrayRef<int64_t> dims,
                               ArrayRef<int64_t> tiles) {
  if (operand < 0)
    return emitError() << "#sched.pack: operand must be >= 0, got " << operand;
  if (dims.empty())
    return emitError() << "#sched.pack: expected at least one packed dim";
  if (dims.size() != tiles.size())
    return emitError() << "#sched.pack: expected one tile per dim, got "
                       << dims.size() << " dims " << fmtList(dims) << " and "
                       << tiles.size() << " tiles " << fmtList(tiles);
  llvm::SmallDenseSet<int64_t> seen;
  for (auto [dim, tile] : llvm::zip_equal(dims, tiles)) {
    if (dim < 0)
      return emitError() << "#sched.pack: dims must be >= 0, got "
                         << fmtList(dims);
    if (!seen.insert(dim).second)
      return emitError() << "#sched.pack: dim " << dim << " appears twice in "
                         << fmtList(dims);
    if (tile < 1)
      return emitError() << "#sched.pack: tiles must be >= 1, got "
                         << fmtList(tiles);
  }
  return success();
}

namespace {
/// A per-loop array of a config with the name it has in the syntax.
struct NamedArray {
  std::string name;
  ArrayRef<int64_t> values;
};
} // namespace

/// The number of loops the non-empty `arrays` describe (0 when all are
/// empty), or failure, reported through `error`, when two of them differ
/// in length.
static FailureOr<int64_t>
commonLoopCount(ArrayRef<NamedArray> arrays,
                function_ref<InFlightDiagnostic()> error) {
  const NamedArray *first = nullptr;
  for (const NamedArray &a : arrays) {
    if (a.values.empty())
      continue;
    if (!first) {
      first = &a;
      continue;
    }
    if (a.values.size() != first->values.size())
      return error() << "'" << a.name << "' has " << a.values.size()
                     << " entries but '" << first->name << "' has "
                     << first->values.size()
                     << "; every per-loop array needs one entry per loop";
  }
  return first ? static_cast<int64_t>(first->values.size()) : 0;
}

//===----------------------------------------------------------------------===//
// GPUConfigAttr
//===----------------------------------------------------------------------===//

LogicalResult
GPUConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<int64_t> block, ArrayRef<int64_t> thread,
                      ArrayRef<int64_t> reduction) {
  auto error = [&]() { return emitError() << "#sched.gpu: "; };
  SmallVector<NamedArray> arrays = {
      {"block", block}, {"thread", thread}, {"reduction", reduction}};
  if (failed(commonLoopCount(arrays, error)))
    return failure();
  for (const NamedArray &a : arrays)
    for (auto [i, v] : llvm::enumerate(a.values))
      if (v < 0)
        return error() << a.name << "[" << i << "] must be >= 0, got " << v;
  // A thread's tile splits its block's evenly; a loop is either split
  // across blocks and threads or stepped through as a reduction.
  for (size_t d = 0; d < thread.size(); ++d) {
    if (!block.empty() && block[d] > 0 && thread[d] > 0 &&
        block[d] % thread[d] != 0)
      return error() << "thread[" << d << "] = " << thread[d]
                     << " does not divide block[" << d << "] = " << block[d];
    if (!reduction.empty() && reduction[d] > 0 && thread[d] > 0)
      return error() << "loop " << d
                     << " has both a thread tile and a reduction step";
  }
  for (size_t d = 0; d < block.size(); ++d)
    if (!reduction.empty() && reduction[d] > 0 && block[d] > 0)
      return error() << "loop " << d
                     << " has both a block tile and a reduction step";
  return success();
}

int64_t GPUConfigAttr::getNumLoops() const {
  for (ArrayRef<int64_t> a : {getBlock(), getThread(), getReduction()})
    if (!a.empty())
      return a.size();
  return 0;
}

//===----------------------------------------------------------------------===//
// ConfigAttr
//===----------------------------------------------------------------------===//

ArrayRef<int64_t> ConfigAttr::getTiles(TileLevel level) const {
  switch (level) {
  case TileLevel::Outer:
    return getOuterTiles();
  case TileLevel::L3:
    return getL3Tiles();
  case TileLevel::L2:
    return getL2Tiles();
  case TileLevel::L1:
    return getL1Tiles();
  case TileLevel::Register:
    return getRegisterTiles();
  }
  llvm_unreachable("unknown tile level");
}

LogicalResult ConfigAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> outerTiles,
    ArrayRef<int64_t> l3Tiles, ArrayRef<int64_t> l2Tiles,
    ArrayRef<int64_t> l1Tiles, ArrayRef<int64_t> registerTiles,
    ArrayRef<int64_t> vectorSizes, int64_t unroll,
    ArrayRef<int64_t> parallelDims, ArrayRef<int64_t> interchange,
    ArrayRef<PackAttr> packs, GPUConfigAttr gpu) {
  auto error = [&]() { return emitError() << "#sched.config: "; };

  // Tile levels outermost first, then the other per-loop arrays.
  SmallVector<NamedArray> levels = {{"tiles.outer", outerTiles},
                                    {"tiles.l3", l3Tiles},
                                    {"tiles.l2", l2Tiles},
                                    {"tiles.l1", l1Tiles},
                                    {"tiles.register", registerTiles}};
  SmallVector<NamedArray> perLoop(levels);
  perLoop.push_back({"vector", vectorSizes});
  perLoop.push_back({"interchange", interchange});

  // Every per-loop array has one entry per loop.
  FailureOr<int64_t> loopCount = commonLoopCount(perLoop, error);
  if (failed(loopCount))
    return failure();
  int64_t numLoops = *loopCount;

  for (const NamedArray &a : levels)
    for (auto [i, v] : llvm::enumerate(a.values))
      if (v < 0)
        return error() << a.name << "[" << i << "] must be >= 0, got " << v;
  for (auto [i, v] : llvm::enumerate(vectorSizes))
    if (v < 0)
      return error() << "vector[" << i << "] must be >= 0, got " << v;

  // Inner tiles fit in the tiles of the levels that enclose them.
  for (int64_t d = 0; d < numLoops; ++d) {
    const NamedArray *enclosing = nullptr;
    for (const NamedArray &a : levels) {
      if (a.values.empty() || a.values[d] == 0)
        continue;
      if (enclosing && a.values[d] > enclosing->values[d])
        return error() << a.name << "[" << d << "] = " << a.values[d]
                       << " is larger than the enclosing " << enclosing->name
                       << "[" << d << "] = " << enclosing->values[d];
      enclosing = &a;
    }
  }

  // Vectors split the register tile evenly.
  if (!registerTiles.empty() && !vectorSizes.empty())
    for (int64_t d = 0; d < numLoops; ++d)
      if (vectorSizes[d] > 0 && registerTiles[d] > 0 &&
          registerTiles[d] % vectorSizes[d] != 0)
        return error() << "vector[" << d << "] = " << vectorSizes[d]
                       << " does not divide tiles.register[" << d
                       << "] = " << registerTiles[d];

  if (unroll < 1)
    return error() << "unroll must be >= 1, got " << unroll;

  llvm::SmallDenseSet<int64_t> parallelSeen;
  for (int64_t d : parallelDims) {
    if (d < 0 || (numLoops > 0 && d >= numLoops))
      return error() << "parallel loop " << d << " is out of range"
                     << (numLoops > 0 ? " [0, " + std::to_string(numLoops) + ")"
                                      : std::string(" (must be >= 0)"));
    if (!parallelSeen.insert(d).second)
      return error() << "parallel loop " << d << " appears twice in "
                     << fmtList(parallelDims);
  }

  if (!interchange.empty()) {
    llvm::SmallBitVector seen(numLoops);
    for (int64_t d : interchange) {
      if (d < 0 || d >= numLoops || seen.test(d))
        return error() << "interchange " << fmtList(interchange)
                       << " is not a permutation of [0, " << numLoops << ")";
      seen.set(d);
    }
  }

  llvm::SmallDenseSet<int64_t> packedOperands;
  for (PackAttr pack : packs) {
    if (!pack)
      return error() << "pack entries must be #sched.pack attributes";
    if (!packedOperands.insert(pack.getOperand()).second)
      return error() << "operand " << pack.getOperand() << " is packed twice";
    for (int64_t d : pack.getDims())
      if (numLoops > 0 && d >= numLoops)
        return error() << "pack of operand " << pack.getOperand()
                       << " names loop " << d << ", but there are only "
                       << numLoops << " loops";
  }
  if (gpu && numLoops > 0 && gpu.getNumLoops() > 0 &&
      gpu.getNumLoops() != numLoops)
    return error() << "gpu has " << gpu.getNumLoops()
                   << " entries per loop but the config has " << numLoops;
  return success();
}

int64_t ConfigAttr::getNumLoops() const {
  for (TileLevel level : kTileLevels)
    if (!getTiles(level).empty())
      return getTiles(level).size();
  if (!getVectorSizes().empty())
    return getVectorSizes().size();
  if (!getInterchange().empty())
    return getInterchange().size();
  return getGpu() ? getGpu().getNumLoops() : 0;
}

//===----------------------------------------------------------------------===//
// ConfigAttr syntax
//
//   #sched.config<tiles = {outer = [..], l3 = [..], l2 = [..], l1 = [..],
//                          register = [..]},
//                 vector = [..], unroll = N, parallel = [..],
//                 interchange = [..], pack = [#sched.pack<..>, ..],
//                 gpu = #sched.gpu<..>>
//
// Every field is optional and fields may come in any order; the printer
// writes them in this order and omits empty ones (and unroll = 1).
//===----------------------------------------------------------------------===//

static ParseResult parseIntList(AsmParser &parser,
                                SmallVectorImpl<int64_t> &out) {
  return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&]() {
    int64_t v;
    if (parser.parseInteger(v))
      return failure();
    out.push_back(v);
    return success();
  });
}

static void printIntList(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

Attribute ConfigAttr::parse(AsmParser &parser, Type) {
  SMLoc startLoc = parser.getCurrentLocation();
  SmallVector<int64_t> tiles[std::size(kTileLevels)];
  SmallVector<int64_t> vectorSizes, parallelDims, interchange;
  SmallVector<PackAttr> packs;
  GPUConfigAttr gpu;
  int64_t unroll = 1;
  llvm::StringSet<> seen;

  auto parseTiles = [&]() -> ParseResult {
    llvm::StringSet<> seenLevels;
    return parser.parseCommaSeparatedList(
        AsmParser::Delimiter::Braces, [&]() -> ParseResult {
          SMLoc loc = parser.getCurrentLocation();
          StringRef name;
          if (parser.parseKeyword(&name) || parser.parseEqual())
            return failure();
          auto *level = llvm::find_if(kTileLevels, [&](TileLevel l) {
            return stringifyTileLevel(l) == name;
          });
          if (level == std::end(kTileLevels))
            return parser.emitError(loc)
                   << "unknown tile level '" << name
                   << "'; expected outer, l3, l2, l1 or register";
          if (!seenLevels.insert(name).second)
            return parser.emitError(loc)
                   << "tile level '" << name << "' appears twice";
          return parseIntList(parser,
                              tiles[level - std::begin(kTileLevels)]);
        });
  };

  auto parseField = [&]() -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return failure();
    if (!seen.insert(key).second)
      return parser.emitError(loc) << "field '" << key << "' appears twice";
    if (key == "tiles")
      return parseTiles();
    if (key == "vector")
      return parseIntList(parser, vectorSizes);
    if (key == "unroll")
      return parser.parseInteger(unroll);
    if (key == "parallel")
      return parseIntList(parser, parallelDims);
    if (key == "interchange")
      return parseIntList(parser, interchange);
    if (key == "pack")
      return parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            SMLoc packLoc = parser.getCurrentLocation();
            Attribute attr;
            if (parser.parseAttribute(attr))
              return failure();
            auto pack = llvm::dyn_cast<PackAttr>(attr);
            if (!pack)
              return parser.emitError(packLoc)
                     << "expected a #sched.pack attribute, got " << attr;
            packs.push_back(pack);
            return success();
          });
    if (key == "gpu") {
      SMLoc gpuLoc = parser.getCurrentLocation();
      Attribute attr;
      if (parser.parseAttribute(attr))
        return failure();
      gpu = llvm::dyn_cast<GPUConfigAttr>(attr);
      if (!gpu)
        return parser.emitError(gpuLoc)
               << "expected a #sched.gpu attribute, got " << attr;
      return success();
    }
    return parser.emitError(loc)
           << "unknown #sched.config field '" << key
           << "'; expected tiles, vector, unroll, parallel, interchange, "
              "pack or gpu";
  };

  if (parser.parseLess())
    return {};
  if (failed(parser.parseOptionalGreater())) {
    if (parser.parseCommaSeparatedList(parseField) || parser.parseGreater())
      return {};
  }
  return ConfigAttr::getChecked([&]() { return parser.emitError(startLoc); },
                                parser.getContext(), tiles[0], tiles[1],
                                tiles[2], tiles[3], tiles[4], vectorSizes,
                                unroll, parallelDims, interchange, packs, gpu);
}

//===----------------------------------------------------------------------===//
// GPUConfigAttr syntax
//
//   #sched.gpu<block = [..], thread = [..], reduction = [..]>
//
// Every field is optional and fields may come in any order; the printer
// writes them in this order and omits empty ones.
//===----------------------------------------------------------------------===//

Attribute GPUConfigAttr::parse(AsmParser &parser, Type) {
  SMLoc startLoc = parser.getCurrentLocation();
  SmallVector<int64_t> block, thread, reduction;
  llvm::StringSet<> seen;
  auto parseField = [&]() -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return failure();
    if (!seen.insert(key).second)
      return parser.emitError(loc) << "field '" << key << "' appears twice";
    if (key == "block")
      return parseIntList(parser, block);
    if (key == "thread")
      return parseIntList(parser, thread);
    if (key == "reduction")
      return parseIntList(parser, reduction);
    return parser.emitError(loc) << "unknown #sched.gpu field '" << key
                                 << "'; expected block, thread or reduction";
  };
  if (parser.parseLess())
    return {};
  if (failed(parser.parseOptionalGreater())) {
    if (parser.parseCommaSeparatedList(parseField) || parser.parseGreater())
      return {};
  }
  return GPUConfigAttr::getChecked([&]() { return parser.emitError(startLoc); },
                                   parser.getContext(), block, thread,
                                   reduction);
}

void GPUConfigAttr::print(AsmPrinter &printer) const {
  printer << '<';
  bool first = true;
  for (auto [name, values] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"block", getBlock()},
        {"thread", getThread()},
        {"reduction", getReduction()}}) {
    if (values.empty())
      continue;
    if (!first)
      printer << ", ";
    first = false;
    printer << name << " = ";
    printIntList(printer, values);
  }
  printer << '>';
}

void ConfigAttr::print(AsmPrinter &printer) const {
  printer << '<';
  bool firstField = true;
  auto field = [&](StringRef name) {
    if (!firstField)
      printer << ", ";
    firstField = false;
    printer << name << " = ";
  };

  if (llvm::any_of(kTileLevels,
                   [&](TileLevel l) { return !getTiles(l).empty(); })) {
    field("tiles");
    printer << '{';
    bool firstLevel = true;
    for (TileLevel level : kTileLevels) {
      if (getTiles(level).empty())
        continue;
      if (!firstLevel)
        printer << ", ";
      firstLevel = false;
      printer << stringifyTileLevel(level) << " = ";
      printIntList(printer, getTiles(level));
    }
    printer << '}';
  }
  if (!getVectorSizes().empty()) {
    field("vector");
    printIntList(printer, getVectorSizes());
  }
  if (getUnroll() != 1) {
    field("unroll");
    printer << getUnroll();
  }
  if (!getParallelDims().empty()) {
    field("parallel");
    printIntList(printer, getParallelDims());
  }
  if (!getInterchange().empty()) {
    field("interchange");
    printIntList(printer, getInterchange());
  }
  if (!getPacks().empty()) {
    field("pack");
    printer << '[';
    llvm::interleaveComma(getPacks(), printer,
                          [&](PackAttr p) { printer.printAttribute(p); });
    printer << ']';
  }
  if (getGpu()) {
    field("gpu");
    printer.printAttribute(getGpu());
  }
  printer << '>';
}
