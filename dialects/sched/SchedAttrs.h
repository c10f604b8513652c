//===- SchedAttrs.h - Attributes of the sched dialect -----------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares #sched.config, the schedule of one kernel, and
// #sched.pack, the packing of one of its operands.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_SCHED_SCHEDATTRS_H
#define LATHE_DIALECTS_SCHED_SCHEDATTRS_H

#include "dialects/sched/SchedDialect.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

namespace lathe::sched {

/// The memory levels a kernel is tiled for, outermost first.
enum class TileLevel { Outer, L3, L2, L1, Register };

/// All tile levels, outermost first.
inline constexpr TileLevel kTileLevels[] = {TileLevel::Outer, TileLevel::L3,
                                            TileLevel::L2, TileLevel::L1,
                                            TileLevel::Register};

/// The spelling of `level` in #sched.config ("outer", "l2", ...).
llvm::StringRef stringifyTileLevel(TileLevel level);

} // namespace lathe::sched

#define GET_ATTRDEF_CLASSES
#include "dialects/sched/SchedAttrs.h.inc"

#endif // LATHE_DIALECTS_SCHED_SCHEDATTRS_H
