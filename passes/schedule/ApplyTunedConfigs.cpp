//===- ApplyTunedConfigs.cpp - #sched.config from the tuning database -----===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements applyTunedConfigs and `lathe-apply-tuned-configs`,
// which give each kernel the config of its fastest record in the tuning
// database (autotune/Database.h), keyed by the kernel's workload key and the
// target. It runs before lathe-default-schedule, which fills in only the ops
// that have no config yet, so a tuned config wins over the heuristic.
// Configs can also be given directly, by workload (applyGivenConfigs): the
// autotuner compiles its candidates that way.
//
// The anchor rule: a config describes the loops of one op, the kernel's
// anchor. After lathe-convert-nn-to-linalg that is the last linalg op of the
// kernel's body with reduction loops (a convolution or matmul comes after
// its fill, padding or im2col copy and before its elementwise epilogue,
// none of which reduce). A kernel without such an op is not tuned.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"
#include "passes/schedule/Schedule.h"

#include "autotune/Database.h"
#include "dialects/sched/SchedDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"

namespace lathe {
#define GEN_PASS_DEF_APPLYTUNEDCONFIGSPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-apply-tuned-configs"

linalg::LinalgOp schedule::getTunableAnchor(Operation *kernel) {
  linalg::LinalgOp anchor;
  kernel->walk([&](linalg::LinalgOp op) {
    if (op.getNumReductionLoops() > 0)
      anchor = op;
  });
  return anchor;
}

FailureOr<sched::ConfigAttr> schedule::parseTunedConfig(StringRef text,
                                                        linalg::LinalgOp anchor,
                                                        std::string &reason) {
  MLIRContext *ctx = anchor->getContext();
  ctx->getOrLoadDialect<sched::SchedDialect>();

  // The parser reports its errors as diagnostics: keep them out of the
  // output (a bad record is a warning, not an error) and into `reason`.
  std::string parseErrors;
  Attribute attr;
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      if (!parseErrors.empty())
        parseErrors += "; ";
      parseErrors += diag.str();
      return success();
    });
    attr = parseAttribute(text, ctx);
  }
  auto config = dyn_cast_or_null<sched::ConfigAttr>(attr);
  if (!config) {
    reason = "'" + text.str() + "' is not a #sched.config";
    if (!parseErrors.empty())
      reason += " (" + parseErrors + ")";
    return failure();
  }

  int64_t numLoops = anchor.getNumLoops();
  std::string opName = anchor->getName().getStringRef().str();
  if (config.getNumLoops() != 0 && config.getNumLoops() != numLoops) {
    reason = "its per-loop arrays have " +
             std::to_string(config.getNumLoops()) + " entries but '" + opName +
             "' has " + std::to_string(numLoops) + " loops";
    return failure();
  }
  auto checkLoops = [&](ArrayRef<int64_t> dims, StringRef what) {
    for (int64_t d : dims)
      if (d < 0 || d >= numLoops) {
        reason = (what + " names loop " + Twine(d) + " but '" + opName +
                  "' has " + Twine(numLoops) + " loops")
                     .str();
        return false;
      }
    return true;
  };
  if (!checkLoops(config.getParallelDims(), "parallel") ||
      !checkLoops(config.getInterchange(), "interchange"))
    return failure();
  // A record of another version of the kernel (the same workload lowered
  // differently by another Lathe) may not fit its loops: every tile must
  // divide its loop, as the schedule passes assume.
  SmallVector<int64_t> ranges = anchor.getStaticLoopRanges();
  for (sched::TileLevel level : sched::kTileLevels)
    for (auto [d, tile] : llvm::enumerate(config.getTiles(level)))
      if (tile > 0 && !ShapedType::isDynamic(ranges[d]) &&
          ranges[d] % tile != 0) {
        reason = ("its " + sched::stringifyTileLevel(level) + " tile " +
                  Twine(tile) + " of loop " + Twine(d) + " does not divide '" +
                  opName + "''s " + Twine(ranges[d]) + " iterations")
                     .str();
        return failure();
      }
  for (sched::PackAttr pack : config.getPacks()) {
    if (pack.getOperand() < 0 ||
        pack.getOperand() >= int64_t(anchor->getNumOperands())) {
      reason = "a pack names operand " + std::to_string(pack.getOperand()) +
               " but '" + opName + "' has " +
               std::to_string(anchor->getNumOperands()) + " operands";
      return failure();
    }
    if (!checkLoops(pack.getDims(), "a pack"))
      return failure();
  }
  return config;
}

FailureOr<unsigned> schedule::applyTunedConfigs(ModuleOp module,
                                                autotune::TuningDatabase &db,
                                                StringRef target) {
  unsigned applied = 0;
  for (auto kernel : module.getOps<func::FuncOp>()) {
    auto info = kernel->getAttrOfType<DictionaryAttr>(fusion::kKernelAttrName);
    auto workload = info ? info.getAs<StringAttr>("workload") : StringAttr();
    if (!workload || workload.getValue().empty())
      continue;
    linalg::LinalgOp anchor = getTunableAnchor(kernel);
    if (!anchor || kernel->hasAttr(kTunedAttrName))
      continue;

    auto best = db.best(workload.getValue(), target);
    if (!best) {
      module.emitError() << "tuning database '" << db.getPath()
                         << "': cannot read the records of workload "
                         << workload.getValue() << ": "
                         << llvm::toString(best.takeError());
      return failure();
    }
    if (!*best)
      continue;

    std::string reason;
    FailureOr<sched::ConfigAttr> config =
        parseTunedConfig((*best)->config, anchor, reason);
    if (failed(config)) {
      kernel.emitWarning() << "kernel @" << kernel.getSymName() << " (workload "
                           << workload.getValue() << "): ignoring record "
                           << (*best)->id << " of tuning database '"
                           << db.getPath() << "': " << reason
                           << "; the kernel gets the default schedule";
      continue;
    }
    anchor->setAttr(kConfigAttrName, *config);
    kernel->setAttr(kTunedAttrName, UnitAttr::get(module.getContext()));
    ++applied;
  }
  return applied;
}

FailureOr<unsigned>
schedule::applyGivenConfigs(ModuleOp module,
                            const std::map<std::string, std::string> &configs) {
  unsigned applied = 0;
  for (auto kernel : module.getOps<func::FuncOp>()) {
    auto info = kernel->getAttrOfType<DictionaryAttr>(fusion::kKernelAttrName);
    auto workload = info ? info.getAs<StringAttr>("workload") : StringAttr();
    if (!workload)
      continue;
    auto it = configs.find(workload.getValue().str());
    if (it == configs.end())
      continue;
    linalg::LinalgOp anchor = getTunableAnchor(kernel);
    if (!anchor)
      return kernel.emitError() << "kernel @" << kernel.getSymName()
                                << " (workload " << workload.getValue()
                                << ") was given a config but has no op to tune";
    std::string reason;
    FailureOr<sched::ConfigAttr> config =
        parseTunedConfig(it->second, anchor, reason);
    if (failed(config))
      return kernel.emitError()
             << "kernel @" << kernel.getSymName() << " (workload "
             << workload.getValue() << "): the given config: " << reason;
    anchor->setAttr(kConfigAttrName, *config);
    kernel->setAttr(kTunedAttrName, UnitAttr::get(module.getContext()));
    ++applied;
  }
  return applied;
}

namespace {
struct ApplyTunedConfigsPass
    : public lathe::impl::ApplyTunedConfigsPassBase<ApplyTunedConfigsPass> {
  using ApplyTunedConfigsPassBase::ApplyTunedConfigsPassBase;
  ApplyTunedConfigsPass(
      const ApplyTunedConfigsPassOptions &options,
      std::shared_ptr<const std::map<std::string, std::string>> given)
      : ApplyTunedConfigsPassBase(options), given(std::move(given)) {}

  void runOnOperation() override {
    // Given configs first: the database fills in the kernels left.
    if (given && failed(applyGivenConfigs(getOperation(), *given)))
      return signalPassFailure();
    if (db.empty())
      return;
    auto database = autotune::TuningDatabase::open(db, /*readOnly=*/true);
    if (!database) {
      getOperation().emitError() << llvm::toString(database.takeError());
      return signalPassFailure();
    }
    if (failed(applyTunedConfigs(getOperation(), **database, target)))
      return signalPassFailure();
  }

  std::shared_ptr<const std::map<std::string, std::string>> given;
};
} // namespace

std::unique_ptr<Pass> lathe::createApplyTunedConfigsPass(
    const ApplyTunedConfigsPassOptions &options,
    std::shared_ptr<const std::map<std::string, std::string>> configs) {
  return std::make_unique<ApplyTunedConfigsPass>(options, std::move(configs));
}
