//===- SchedDialect.cpp - The sched schedule dialect ----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file registers the sched dialect and its attributes.
//
//===----------------------------------------------------------------------===//

#include "dialects/sched/SchedDialect.h"
#include "dialects/sched/SchedAttrs.h"

using namespace mlir;
using namespace lathe::sched;

#include "dialects/sched/SchedDialect.cpp.inc"

void SchedDialect::initialize() { registerAttributes(); }
