//===- Inspect.cpp - lathe inspect ----------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe inspect`: import an ONNX model and report its
// inputs and outputs, each op with its ONNX node name, result type and
// estimated FLOPs (dialects/nn/NNFlops.h), op counts by kind, and the
// parameter count (the elements of every nn.constant) in elements and bytes;
// then what `lathe compile` makes of it: the kernel count and the memory
// plan (the arena the intermediates share, next to their total size) and,
// with --kernels, each kernel with its workload key.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"
#include "tools/lathe/TuningDB.h"

#include "codegen/Target.h"
#include "dialects/nn/NNFlops.h"
#include "dialects/nn/NNOps.h"
#include "passes/Pipelines.h"
#include "passes/fusion/Fusion.h"
#include "passes/lower/MemoryPlan.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Pass/PassManager.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;

namespace lathe::cli {

namespace {
/// The options of `lathe inspect`.
struct InspectOptions {
  InspectOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)),
        json("json",
             cl::desc("Print the report as one JSON object (nothing else on "
                      "stdout)"),
             cl::init(false), cl::sub(sub), cl::cat(category)),
        kernels("kernels",
                cl::desc("List the kernels `lathe compile` builds: each with "
                         "its workload key, FLOPs, bytes moved and fused ops "
                         "(a `kernels` array with --json)"),
                cl::init(false), cl::sub(sub), cl::cat(category)),
        tuning(sub, category) {}

  cl::list<std::string> inputShapes;
  cl::opt<bool> json;
  cl::opt<bool> kernels;
  TuningDBOptions tuning;
};

/// The ONNX node an op was imported from: the name of the first NameLoc in
/// its location ("" when there is none).
std::string nodeName(mlir::Location loc) {
  std::string name;
  loc->walk([&](mlir::Location l) {
    if (auto nameLoc = dyn_cast<mlir::NameLoc>(l)) {
      name = nameLoc.getName().str();
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  return name;
}

/// "1234567 (1.23 M<unit>)": a count, with a rounded form from 1000 on.
std::string formatCount(int64_t n, StringRef unit = "") {
  std::string s = std::to_string(n);
  const char *prefixes[] = {"K", "M", "G", "T", "P"};
  double v = n;
  int p = -1;
  while (v >= 1000 && p < 4) {
    v /= 1000;
    ++p;
  }
  if (p >= 0) {
    raw_string_ostream os(s);
    os << " (" << format("%.2f", v) << " " << prefixes[p] << unit << ")";
  }
  return s;
}

/// What `lathe compile` makes of the graph: its kernels and memory plan.
struct CompileReport {
  /// The kernels, in the order the graph function calls them.
  SmallVector<fusion::KernelSummary> kernels;
  /// The kernels whose config came from the tuning database.
  StringSet<> tunedKernels;
  /// nn ops other than constants after the graph optimizations.
  int64_t graphOps = 0;
  /// The bytes of every tensor those ops produce that is not a graph
  /// output: what the intermediates take with neither fusion nor reuse.
  int64_t graphIntermediateBytes = 0;
  /// The buffers between kernels (lathe-plan-memory's planned bytes of the
  /// graph function) and the arena they share.
  int64_t plannedBytes = 0;
  int64_t arenaBytes = 0;
  /// The largest arena inside one kernel (its scratch buffers).
  int64_t kernelScratchBytes = 0;
  /// Why the report is missing (the first error of the lowering), if it is.
  std::string error;
};

/// Runs the graph optimizations, kernel fusion and the lowering to planned
/// buffers on a copy of `module`, as `lathe compile` does (with the tuned
/// configs of `tuningDB`, if not empty, for `tuningTarget`), and reports.
CompileReport analyzeCompilation(mlir::ModuleOp module, StringRef tuningDB,
                                 StringRef tuningTarget) {
  CompileReport report;
  mlir::MLIRContext *ctx = module.getContext();
  mlir::ScopedDiagnosticHandler handler(ctx, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error &&
        report.error.empty())
      report.error = diag.str();
    // A tuning record that does not fit its kernel, say.
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Warning)
      errs() << "lathe inspect: warning: " << diag.str() << "\n";
    return mlir::success();
  });
  auto fail = [&](StringRef what) {
    if (report.error.empty())
      report.error = what.str();
    return report;
  };
  mlir::OwningOpRef<mlir::ModuleOp> copy = module.clone();
  auto run = [&](function_ref<void(mlir::OpPassManager &)> build) {
    mlir::PassManager pm(ctx);
    build(pm);
    return succeeded(pm.run(*copy));
  };
  // As `lathe compile` builds it for the host.
  CPUPipelineOptions options;
  setHostScheduleTarget(options);
  options.tuningDB = tuningDB.str();
  options.tuningTarget = tuningTarget.str();
  if (!run(
          [&](mlir::OpPassManager &pm) { buildCPUGraphPipeline(pm, options); }))
    return fail("graph optimization failed");
  auto main = copy->lookupSymbol<mlir::func::FuncOp>("main");
  if (!main)
    return fail("no @main");
  mlir::Operation *terminator = main.getBody().front().getTerminator();
  for (mlir::Operation &op : main.getBody().front()) {
    if (&op == terminator || isa<nn::ConstantOp>(op))
      continue;
    ++report.graphOps;
    for (mlir::Value result : op.getResults())
      if (!llvm::is_contained(terminator->getOperands(), result))
        report.graphIntermediateBytes +=
            fusion::staticSizeInBytes(result.getType());
  }

  if (!run(buildFusionPipeline))
    return fail("kernel fusion failed");
  for (mlir::func::FuncOp kernel : fusion::getCalledKernels(main))
    if (FailureOr<fusion::KernelSummary> summary =
            fusion::summarizeKernel(kernel);
        succeeded(summary))
      report.kernels.push_back(std::move(*summary));

  // The rest of the pipeline takes the fused module to planned buffers.
  if (!run([&](mlir::OpPassManager &pm) {
        buildCPUKernelLoweringPipeline(pm, options);
      }))
    return fail("lowering to buffers failed");
  for (auto func : copy->getOps<mlir::func::FuncOp>()) {
    if (func->hasAttr(schedule::kTunedAttrName))
      report.tunedKernels.insert(func.getSymName());
    auto arena =
        func->getAttrOfType<mlir::IntegerAttr>(lower::kArenaBytesAttrName);
    if (!arena)
      continue;
    if (func.getSymName() == "main") {
      report.arenaBytes = arena.getInt();
      if (auto planned = func->getAttrOfType<mlir::IntegerAttr>(
              lower::kIntermediateBytesAttrName))
        report.plannedBytes = planned.getInt();
    } else {
      report.kernelScratchBytes =
          std::max(report.kernelScratchBytes, arena.getInt());
    }
  }
  return report;
}

/// One op of the report.
struct OpRecord {
  std::string node, op, dtype;
  SmallVector<int64_t> shape;
  int64_t flops;
};

int runInspect(const InspectOptions &o, StringRef modelPath) {
  mlir::DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadDialect<nn::NNDialect, mlir::func::FuncDialect>();
  auto module = importModel("inspect", modelPath, o.inputShapes, ctx);
  if (failed(module))
    return 1;
  auto main = (*module)->lookupSymbol<mlir::func::FuncOp>("main");
  if (!main) {
    errs() << "lathe inspect: " << modelPath
           << ": the imported module has no @main\n";
    return 1;
  }

  SmallVector<OpRecord> ops;
  std::map<std::string, int64_t> counts;
  int64_t constants = 0, parameters = 0, parameterBytes = 0, totalFlops = 0;
  main.walk([&](mlir::Operation *op) {
    if (op == main.getOperation() ||
        op->hasTrait<mlir::OpTrait::IsTerminator>())
      return;
    ++counts[op->getName().getStringRef().str()];
    if (auto constant = dyn_cast<nn::ConstantOp>(op)) {
      auto type = cast<mlir::ShapedType>(constant.getType());
      ++constants;
      parameters += type.getNumElements();
      parameterBytes += fusion::staticSizeInBytes(type);
      return;
    }
    OpRecord record;
    record.node = nodeName(op->getLoc());
    record.op = op->getName().getStringRef().str();
    if (op->getNumResults() == 1) {
      if (auto type = dyn_cast<mlir::ShapedType>(op->getResult(0).getType())) {
        record.shape.assign(type.getShape().begin(), type.getShape().end());
        record.dtype = formatElementType(type.getElementType());
      }
    }
    record.flops = nn::estimateFlops(op);
    totalFlops += record.flops;
    ops.push_back(std::move(record));
  });

  mlir::FailureOr<std::string> tuningDB = resolveTuningDB(o.tuning, "inspect");
  if (failed(tuningDB))
    return 1;
  std::string tuningTarget = codegen::tuningKey(codegen::detectHost());
  CompileReport compiled =
      analyzeCompilation(**module, *tuningDB, tuningTarget);

  auto opset = (**module)->getAttrOfType<mlir::IntegerAttr>("nn.opset");
  SmallVector<TensorInfo> inputs = describeSignature(main, false);
  SmallVector<TensorInfo> outputs = describeSignature(main, true);

  if (o.json) {
    auto tensors = [](ArrayRef<TensorInfo> infos) {
      json::Array array;
      for (const TensorInfo &info : infos)
        array.push_back(
            json::Object{{"name", info.name},
                         {"shape", shapeToJSON(info.shape)},
                         {"dtype", formatElementType(info.elementType)}});
      return array;
    };
    json::Object opCounts;
    for (auto &[name, count] : counts)
      opCounts[name] = count;
    json::Array opsJSON;
    for (const OpRecord &op : ops)
      opsJSON.push_back(json::Object{{"node", op.node},
                                     {"op", op.op},
                                     {"shape", shapeToJSON(op.shape)},
                                     {"dtype", op.dtype},
                                     {"flops", op.flops}});
    json::Object memory;
    if (compiled.error.empty())
      memory = json::Object{
          {"graph_intermediate_bytes", compiled.graphIntermediateBytes},
          {"planned_bytes", compiled.plannedBytes},
          {"arena_bytes", compiled.arenaBytes},
          {"kernel_scratch_bytes", compiled.kernelScratchBytes}};
    else
      memory = json::Object{{"error", compiled.error}};
    json::Object report{
        {"model", modelPath},
        {"opset", opset ? json::Value(opset.getInt()) : json::Value(nullptr)},
        {"inputs", tensors(inputs)},
        {"outputs", tensors(outputs)},
        {"op_counts", std::move(opCounts)},
        {"ops", std::move(opsJSON)},
        {"parameters", json::Object{{"count", parameters},
                                    {"bytes", parameterBytes},
                                    {"constants", constants}}},
        {"flops", totalFlops},
        {"graph_ops", compiled.graphOps},
        {"kernel_count", int64_t(compiled.kernels.size())},
        {"memory", std::move(memory)}};
    if (o.kernels) {
      report["tuning_db"] =
          tuningDB->empty() ? json::Value(nullptr) : json::Value(*tuningDB);
      report["tuning_target"] = tuningTarget;
      json::Array kernels;
      for (const fusion::KernelSummary &k : compiled.kernels) {
        json::Array fused;
        for (const std::string &op : k.ops)
          fused.push_back(op);
        kernels.push_back(
            json::Object{{"name", k.name},
                         {"anchor", k.anchor},
                         {"workload", k.workload},
                         {"tuned", compiled.tunedKernels.contains(k.name)},
                         {"flops", k.flops},
                         {"bytes", k.bytes},
                         {"ops", std::move(fused)}});
      }
      report["kernels"] = std::move(kernels);
    }
    printJSON(std::move(report));
    return 0;
  }

  raw_ostream &os = outs();
  os << "model: " << modelPath;
  if (opset)
    os << " (opset " << opset.getInt() << ")";
  os << "\n";
  for (const TensorInfo &in : inputs)
    os << "input '" << in.name << "': shape " << formatShape(in.shape)
       << ", dtype " << formatElementType(in.elementType) << "\n";
  for (const TensorInfo &out : outputs)
    os << "output '" << out.name << "': shape " << formatShape(out.shape)
       << ", dtype " << formatElementType(out.elementType) << "\n";

  // The ops: left-aligned text columns, a right-aligned FLOPs column.
  SmallVector<SmallVector<std::string>> rows;
  rows.push_back({"node", "op", "dtype", "shape", "FLOPs"});
  for (const OpRecord &op : ops)
    rows.push_back({op.node.empty() ? "-" : op.node, op.op,
                    op.dtype.empty() ? "-" : op.dtype, formatShape(op.shape),
                    std::to_string(op.flops)});
  os << "\nops (" << ops.size() << ", constants not listed):\n";
  printTable(os, rows, {false, false, false, false, true});

  os << "\nop counts:\n";
  size_t nameWidth = 0;
  for (auto &[name, count] : counts)
    nameWidth = std::max(nameWidth, name.size());
  for (auto &[name, count] : counts)
    os << "  " << left_justify(name, nameWidth) << "  " << count << "\n";

  os << "\nparameters: " << formatCount(parameters) << " in " << constants
     << " constants\n";
  os << "parameter bytes: " << formatCount(parameterBytes, "B") << "\n";
  os << "FLOPs: " << formatCount(totalFlops) << "\n";

  if (!compiled.error.empty()) {
    os << "\nkernels and memory plan: not available: " << compiled.error
       << "\n";
    return 0;
  }
  os << "\nkernels: " << compiled.kernels.size() << ", from "
     << compiled.graphOps << " ops after graph optimization\n";
  os << "memory plan:\n";
  os << "  intermediate tensors of the graph:  "
     << formatCount(compiled.graphIntermediateBytes, "B") << "\n";
  os << "  buffers between kernels:            "
     << formatCount(compiled.plannedBytes, "B") << "\n";
  os << "  arena they share (peak):            "
     << formatCount(compiled.arenaBytes, "B") << "\n";
  os << "  largest scratch inside one kernel:  "
     << formatCount(compiled.kernelScratchBytes, "B") << "\n";
  if (!o.kernels)
    return 0;

  SmallVector<SmallVector<std::string>> table;
  table.push_back(
      {"#", "kernel", "workload", "schedule", "FLOPs", "bytes", "ops"});
  for (auto [i, k] : llvm::enumerate(compiled.kernels))
    table.push_back({std::to_string(i), k.name, k.workload,
                     compiled.tunedKernels.contains(k.name) ? "tuned" : "-",
                     std::to_string(k.flops), std::to_string(k.bytes),
                     llvm::join(k.ops, " + ")});
  os << "\nkernels (" << compiled.kernels.size() << "):\n";
  os << "  tuning database: "
     << (tuningDB->empty() ? std::string("none") : *tuningDB) << " (target "
     << tuningTarget << ")\n";
  printTable(os, table, {true, false, false, false, true, true, false});
  return 0;
}
} // namespace

Runner declareInspect(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<InspectOptions>(sub, category);
  return [options](StringRef model) { return runInspect(*options, model); };
}

} // namespace lathe::cli
