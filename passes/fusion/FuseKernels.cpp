//===- FuseKernels.cpp - nn ops into outlined kernels ---------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-fuse-kernels`: the nn ops of each function are
// grouped into kernels (Fusion.h says what a kernel is) by one pass over the
// block in order, asking the control function at every legal fusion, and
// each group is outlined into a private function that later passes schedule,
// and the tuner measures, on its own.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace lathe {
#define GEN_PASS_DEF_FUSEKERNELSPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::fusion;

#define DEBUG_TYPE "lathe-fuse-kernels"

KernelRole fusion::getKernelRole(Operation *op) {
  if (isa<nn::ConstantOp>(op))
    return KernelRole::Constant;
  if (isa<nn::ReshapeOp, nn::FlattenOp>(op))
    return KernelRole::View;
  if (isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::PowOp, nn::MaxOp,
          nn::MinOp, nn::ReluOp, nn::SigmoidOp, nn::TanhOp, nn::ErfOp,
          nn::ExpOp, nn::SqrtOp, nn::LogOp, nn::NegOp, nn::AbsOp, nn::MathOp,
          nn::CastOp, nn::ClipOp, nn::CompareOp, nn::SelectOp, nn::BatchNormOp>(
          op))
    return KernelRole::Elementwise;
  return KernelRole::Anchor;
}

FusionControlFn fusion::defaultFusionControl() {
  return [](Operation *producer, Operation *consumer) {
    // Epilogues and elementwise chains always fuse.
    if (getKernelRole(consumer) == KernelRole::Elementwise)
      return true;
    // A prologue: cheap to recompute when it reads a single tensor (the
    // others, if any, are constants such as a scale or a bias).
    int64_t tensorsRead = llvm::count_if(producer->getOperands(), [](Value v) {
      return !v.getDefiningOp<nn::ConstantOp>();
    });
    return tensorsRead <= 1;
  };
}

/// Whether `op` reads or produces a tensor with no elements.
static bool touchesZeroSizeTensor(Operation *op) {
  auto isEmpty = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && shaped.hasStaticShape() && shaped.getNumElements() == 0;
  };
  return llvm::any_of(op->getOperandTypes(), isEmpty) ||
         llvm::any_of(op->getResultTypes(), isEmpty);
}

/// Whether `op` has one result and every use of it is by `user`.
static bool onlyFeeds(Operation *op, Operation *user) {
  return op->getNumResults() == 1 &&
         llvm::all_of(op->getResult(0).getUsers(),
                      [&](Operation *u) { return u == user; });
}

SmallVector<KernelGroup>
fusion::formKernelGroups(func::FuncOp func, const FusionControlFn &controlFn) {
  // Groups by index; a group absorbed into another as a prologue is left
  // empty and dropped at the end.
  SmallVector<KernelGroup> groups;
  DenseMap<Operation *, unsigned> groupOf;
  auto isTip = [&](Operation *def, unsigned g) {
    return !groups[g].ops.empty() && groups[g].ops.back() == def;
  };

  for (Operation &op : func.getBody().front()) {
    if (!isa<nn::NNDialect>(op.getDialect()))
      continue;
    KernelRole role = getKernelRole(&op);
    if (role == KernelRole::Constant || role == KernelRole::View ||
        touchesZeroSizeTensor(&op))
      continue;

    // An elementwise op joins the kernel whose last op produces its operand
    // and has no other user: an epilogue, or the next link of a chain.
    if (role == KernelRole::Elementwise) {
      std::optional<unsigned> joined;
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto it = def ? groupOf.find(def) : groupOf.end();
        if (it == groupOf.end() || !isTip(def, it->second) ||
            !onlyFeeds(def, &op) || (controlFn && !controlFn(def, &op)))
          continue;
        joined = it->second;
        break;
      }
      if (joined) {
        groups[*joined].ops.push_back(&op);
        groupOf[&op] = *joined;
        continue;
      }
    }

    KernelGroup group;
    group.anchor = role == KernelRole::Anchor ? &op : nullptr;
    unsigned index = groups.size();
    // An anchor takes in the elementwise-only kernels that feed only it.
    if (role == KernelRole::Anchor) {
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto it = def ? groupOf.find(def) : groupOf.end();
        if (it == groupOf.end() || !isTip(def, it->second) ||
            !onlyFeeds(def, &op))
          continue;
        KernelGroup &prologue = groups[it->second];
        if (prologue.anchor || (controlFn && !controlFn(def, &op)))
          continue;
        for (Operation *p : prologue.ops) {
          group.ops.push_back(p);
          groupOf[p] = index;
        }
        prologue.ops.clear();
      }
    }
    group.ops.push_back(&op);
    groupOf[&op] = index;
    groups.push_back(std::move(group));
  }

  SmallVector<KernelGroup> result;
  for (KernelGroup &group : groups) {
    if (group.ops.empty())
      continue;
    llvm::sort(group.ops, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    if (!group.anchor)
      group.anchor = group.ops.front();
    result.push_back(std::move(group));
  }
  return result;
}

FailureOr<func::FuncOp> fusion::outlineKernel(RewriterBase &rewriter,
                                              const KernelGroup &group,
                                              StringRef name) {
  if (group.ops.empty())
    return failure();
  auto parent = group.ops.front()->getParentOfType<func::FuncOp>();
  if (!parent)
    return rewriter.notifyMatchFailure(group.ops.front(),
                                       "kernel ops are not in a function");
  llvm::SmallDenseSet<Operation *> members(group.ops.begin(), group.ops.end());

  // What the group reads from outside (constants are cloned instead) and
  // which of its results are used after it.
  llvm::SetVector<Value> inputs;
  llvm::SetVector<Operation *> constants;
  SmallVector<Value> outputs;
  SmallVector<Location> locs;
  for (Operation *op : group.ops) {
    locs.push_back(op->getLoc());
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def && members.contains(def))
        continue;
      if (def && isa<nn::ConstantOp>(def))
        constants.insert(def);
      else
        inputs.insert(operand);
    }
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !members.contains(user);
          }))
        outputs.push_back(result);
  }
  // Convexity: the call replaces the group at its last op, so everything
  // the group reads must be defined before that and nothing it produces
  // may be used before it.
  Operation *last = group.ops.back();
  for (Value out : outputs)
    for (Operation *user : out.getUsers())
      if (!members.contains(user) && parent.getBody()
                                         .front()
                                         .findAncestorOpInBlock(*user)
                                         ->isBeforeInBlock(last))
        return rewriter.notifyMatchFailure(
            user, "uses a kernel result before the kernel ends");

  Location loc = rewriter.getFusedLoc(locs);
  auto type = rewriter.getFunctionType(
      llvm::to_vector(
          llvm::map_range(inputs, [](Value v) { return v.getType(); })),
      llvm::to_vector(
          llvm::map_range(outputs, [](Value v) { return v.getType(); })));

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(parent);
  auto kernel = rewriter.create<func::FuncOp>(loc, name, type);
  kernel.setPrivate();
  // Private to the module in the object file too, so that LLVM may inline
  // it into its one caller and no kernel symbol leaks out of a .so.
  kernel->setAttr(
      "llvm.linkage",
      LLVM::LinkageAttr::get(rewriter.getContext(), LLVM::Linkage::Internal));
  Block *body = kernel.addEntryBlock();
  IRMapping mapping;
  for (auto [input, arg] : llvm::zip_equal(inputs, body->getArguments()))
    mapping.map(input, arg);
  rewriter.setInsertionPointToStart(body);
  for (Operation *constant : constants)
    rewriter.clone(*constant, mapping);
  SmallVector<Attribute> opNames;
  for (Operation *op : group.ops) {
    rewriter.clone(*op, mapping);
    opNames.push_back(rewriter.getStringAttr(op->getName().getStringRef()));
  }
  rewriter.create<func::ReturnOp>(
      loc, llvm::to_vector(llvm::map_range(
               outputs, [&](Value v) { return mapping.lookup(v); })));

  rewriter.setInsertionPointAfter(last);
  auto call = rewriter.create<func::CallOp>(group.anchor->getLoc(), kernel,
                                            inputs.getArrayRef());
  for (auto [out, replacement] : llvm::zip_equal(outputs, call.getResults()))
    rewriter.replaceUsesWithIf(out, replacement, [&](OpOperand &use) {
      return !members.contains(use.getOwner());
    });
  for (Operation *op : llvm::reverse(group.ops))
    rewriter.eraseOp(op);

  kernel->setAttr(
      kKernelAttrName,
      rewriter.getDictionaryAttr({
          rewriter.getNamedAttr(
              "anchor",
              rewriter.getStringAttr(group.anchor->getName().getStringRef())),
          rewriter.getNamedAttr("ops", rewriter.getArrayAttr(opNames)),
          rewriter.getNamedAttr(
              "workload", rewriter.getStringAttr(computeWorkloadKey(kernel))),
      }));
  return kernel;
}

FailureOr<SmallVector<func::FuncOp>>
fusion::fuseKernels(RewriterBase &rewriter, func::FuncOp func,
                    const FusionControlFn &controlFn) {
  SmallVector<KernelGroup> groups = formKernelGroups(func, controlFn);
  auto module = func->getParentOfType<ModuleOp>();
  SmallVector<func::FuncOp> kernels;
  for (auto [index, group] : llvm::enumerate(groups)) {
    StringRef mnemonic = group.anchor->getName().stripDialect();
    std::string base =
        (func.getSymName() + "_k" + Twine(index) + "_" + mnemonic).str();
    std::string name = base;
    for (unsigned n = 1; module && module.lookupSymbol(name); ++n)
      name = base + "_" + std::to_string(n);
    FailureOr<func::FuncOp> kernel = outlineKernel(rewriter, group, name);
    if (failed(kernel))
      return failure();
    kernels.push_back(*kernel);
  }
  // The constants now live in the kernels that use them.
  for (auto constant :
       llvm::make_early_inc_range(func.getBody().getOps<nn::ConstantOp>()))
    if (constant->use_empty())
      rewriter.eraseOp(constant);
  return kernels;
}

namespace {
struct FuseKernelsPass : lathe::impl::FuseKernelsPassBase<FuseKernelsPass> {
  void runOnOperation() override {
    // The functions to fuse, collected first: outlining adds functions.
    SmallVector<func::FuncOp> funcs;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && !func->hasAttr(kKernelAttrName))
        funcs.push_back(func);
    IRRewriter rewriter(&getContext());
    FusionControlFn control = defaultFusionControl();
    for (func::FuncOp func : funcs) {
      if (!func.getBody().hasOneBlock()) {
        func.emitError("kernel fusion needs a function with one block");
        return signalPassFailure();
      }
      if (failed(fuseKernels(rewriter, func, control))) {
        func.emitError("could not outline the kernels of this function");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
