//===- SchedDialect.h - The sched schedule dialect --------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the sched dialect; its attributes are in SchedAttrs.h.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_SCHED_SCHEDDIALECT_H
#define LATHE_DIALECTS_SCHED_SCHEDDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/sched/SchedDialect.h.inc"

#endif // LATHE_DIALECTS_SCHED_SCHEDDIALECT_H
