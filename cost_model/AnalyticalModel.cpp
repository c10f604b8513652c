//===- AnalyticalModel.cpp - Roofline estimate of a kernel ----------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the roofline of AnalyticalModel.h.
//
//===----------------------------------------------------------------------===//

#include "cost_model/AnalyticalModel.h"

#include <algorithm>
#include <cmath>

namespace lathe::cost_model {

RooflineEstimate estimateRoofline(const KernelFeatures &f,
                                  const MachineModel &machine) {
  // Cores the parallel loops keep busy, on average over the run.
  double cores = std::max(1u, machine.cores);
  double extent = std::max(1.0, f.parallelExtent);
  double usedCores = extent / std::ceil(extent / cores);

  auto rate = [&](double perCore) {
    return std::max(perCore, 1e-9) * 1e9 * usedCores;
  };
  RooflineEstimate r;
  if (f.flops > 0) {
    // A kernel whose instructions were not counted runs at scalar speed.
    double efficiency = f.vectorEfficiency > 0 ? f.vectorEfficiency : 1.0 / 16;
    r.compute = f.flops / (rate(machine.peakGflopsPerCore) * efficiency);
  }
  r.l1 = (f.bytesRead + f.bytesWritten) / rate(machine.l1GBps);
  r.l2 = f.bytesFromL2 / rate(machine.l2GBps);
  r.l3 = f.bytesFromL3 / rate(machine.l3GBps);
  r.dram = f.bytesFromDRAM / rate(machine.dramGBps);
  r.seconds = std::max({r.compute, r.l1, r.l2, r.l3, r.dram});
  return r;
}

double estimateSeconds(const KernelFeatures &features,
                       const MachineModel &machine) {
  return estimateRoofline(features, machine).seconds;
}

llvm::Expected<std::vector<double>>
AnalyticalModel::score(llvm::ArrayRef<KernelFeatures> candidates) const {
  std::vector<double> scores;
  scores.reserve(candidates.size());
  for (const KernelFeatures &f : candidates)
    scores.push_back(-estimateSeconds(f, machine));
  return scores;
}

} // namespace lathe::cost_model
