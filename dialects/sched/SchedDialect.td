//===- SchedDialect.td - The sched schedule dialect --------*- tablegen -*-===//
//
// Part of Lathe. The sched dialect carries schedules as data: the knobs that
// the heuristics and the tuner choose and that the schedule passes apply.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_SCHED_SCHEDDIALECT_TD
#define LATHE_DIALECTS_SCHED_SCHEDDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Sched_Dialect : Dialect {
  let name = "sched";
  let cppNamespace = "::lathe::sched";
  let summary = "Schedule configurations for Lathe kernels";
  let description = [{
    The `sched` dialect defines `#sched.config`, the schedule of one kernel:
    tile sizes per memory level, vector sizes, unroll factor, parallel loops,
    loop interchange and operand packing. Heuristics fill it in, the tuner
    searches over it, and the schedule passes read it; no pass hard-codes a
    tile size. Every schedule the tuner tried can be replayed from text.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Registers #sched.config and friends (defined in SchedAttrs.cpp, where
    /// their storage classes are complete).
    void registerAttributes();
  }];
}

#endif // LATHE_DIALECTS_SCHED_SCHEDDIALECT_TD
