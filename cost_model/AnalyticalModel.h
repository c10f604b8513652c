//===- AnalyticalModel.h - Roofline estimate of a kernel --------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the analytical cost model: a roofline over the compute
// and the traffic of every memory level that KernelFeatures estimates. The
// autotuner ranks with it until an XGBoost model has been trained.
//
//   cores'  = parallel_extent / ceil(parallel_extent / cores)
//   compute = flops / (peak * cores' * vector_efficiency)
//   level   = bytes moved at that level / (bandwidth * cores')
//   seconds = max(compute, L1, L2, L3, DRAM)
//
// with L1 = bytes read + written, L2 = bytes from L2, L3 = bytes from L3,
// DRAM = bytes from DRAM.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_COST_MODEL_ANALYTICALMODEL_H
#define LATHE_COST_MODEL_ANALYTICALMODEL_H

#include "cost_model/CostModel.h"
#include "cost_model/Features.h"

namespace lathe::cost_model {

/// The machine the roofline is drawn for. The defaults describe one core of
/// an AVX-512 server (Ice Lake class, two FMA units at ~3.75 GHz); callers
/// override them with what they know (e.g. measured peaks). Bandwidths are
/// per core and scale with the cores a kernel's parallel loops use.
struct MachineModel {
  /// Peak f32 GFLOP/s of one core with full-width FMAs (2 units * 16 lanes
  /// * 2 flops * 3.75 GHz = 240 at 512 bits). KernelFeatures'
  /// vectorEfficiency is relative to it.
  double peakGflopsPerCore = 240.0;
  /// Load + store bandwidth of the L1 cache of one core, GB/s.
  double l1GBps = 400.0;
  /// L2 -> L1 bandwidth of one core, GB/s.
  double l2GBps = 100.0;
  /// L3 -> L2 bandwidth of one core, GB/s.
  double l3GBps = 50.0;
  /// DRAM -> L3 bandwidth of one core, GB/s.
  double dramGBps = 15.0;
  /// Cores the parallel loops run on.
  unsigned cores = 1;
};

/// The terms of the roofline, in seconds.
struct RooflineEstimate {
  double compute = 0, l1 = 0, l2 = 0, l3 = 0, dram = 0;
  /// The largest term: the estimated run time.
  double seconds = 0;
};

/// The roofline of `features` on `machine`, term by term.
RooflineEstimate estimateRoofline(const KernelFeatures &features,
                                  const MachineModel &machine);

/// The estimated run time of the kernel in seconds: estimateRoofline's
/// largest term.
double estimateSeconds(const KernelFeatures &features,
                       const MachineModel &machine);

/// The roofline as a CostModel: scores are -estimateSeconds.
class AnalyticalModel : public CostModel {
public:
  explicit AnalyticalModel(const MachineModel &machine = {})
      : machine(machine) {}

  llvm::Expected<std::vector<double>>
  score(llvm::ArrayRef<KernelFeatures> candidates) const override;
  llvm::StringRef name() const override { return "analytical"; }

  const MachineModel &getMachine() const { return machine; }

private:
  MachineModel machine;
};

} // namespace lathe::cost_model

#endif // LATHE_COST_MODEL_ANALYTICALMODEL_H
