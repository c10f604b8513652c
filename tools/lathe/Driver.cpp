//===- Driver.cpp - The lathe command line ---------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the `lathe` command's table of subcommands. Each
// subcommand has its own options and --help; a subcommand whose capability
// has not been built yet says so and fails, rather than pretending to work.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Driver.h"

#include "frontend/onnx/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

#include "tools/lathe/LatheVersion.inc"

#include <functional>

using namespace llvm;

namespace lathe::cli {

std::string versionString() {
  std::string s;
  raw_string_ostream os(s);
  os << "lathe " << LATHE_GIT_DESCRIBE << "\n"
     << "  built with MLIR/LLVM " << LLVM_VERSION_STRING << "\n"
     << "  host: " << sys::getDefaultTargetTriple() << ", CPU "
     << sys::getHostCPUName() << "\n";
  return s;
}

namespace {
/// Runs a subcommand on the model named on its command line and returns the
/// exit code.
using Runner = std::function<int(StringRef model)>;

/// One subcommand: its name, what it does, and which issue brings it.
struct Command {
  const char *name;
  const char *description;
  /// Empty when the command works; otherwise why it cannot run yet.
  const char *unavailable;
  /// For a command that is not fully built: the part that works already.
  const char *works;
  /// Declares the subcommand's options on `sub` (they live as long as the
  /// returned runner) and returns what runs it; null when nothing of the
  /// command is built yet.
  Runner (*declare)(cl::SubCommand &sub, cl::OptionCategory &category);
};

//===----------------------------------------------------------------------===//
// lathe compile
//===----------------------------------------------------------------------===//

/// What `lathe compile --emit=` produces.
enum class Emit { nn, linalg, llvm, obj, so, header };

/// The options of `lathe compile`.
struct CompileOptions {
  CompileOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : emit("emit", cl::desc("What to produce (default: so)"),
             cl::values(
                 clEnumValN(Emit::nn, "nn", "the imported nn-dialect IR"),
                 clEnumValN(Emit::linalg, "linalg",
                            "kernels on linalg (not built yet)"),
                 clEnumValN(Emit::llvm, "llvm", "LLVM IR (not built yet)"),
                 clEnumValN(Emit::obj, "obj", "an object file (not built yet)"),
                 clEnumValN(Emit::so, "so",
                            "a shared library and C header (not built yet)"),
                 clEnumValN(Emit::header, "header",
                            "the C header only (not built yet)")),
             cl::init(Emit::so), cl::sub(sub), cl::cat(category)),
        output("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("file"), cl::init("-"), cl::sub(sub),
               cl::cat(category)),
        inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)),
        printDebugInfo("print-debuginfo",
                       cl::desc("Print op locations (the ONNX node names) "
                                "with --emit=nn"),
                       cl::init(false), cl::sub(sub), cl::cat(category)) {}

  cl::opt<Emit> emit;
  cl::opt<std::string> output;
  cl::list<std::string> inputShapes;
  cl::opt<bool> printDebugInfo;
};

/// Why an --emit kind other than nn does not work yet.
const char *emitUnavailable(Emit emit) {
  switch (emit) {
  case Emit::nn:
    return nullptr;
  case Emit::linalg:
    return "--emit=linalg is not built yet (it arrives when the passes/ "
           "lowering is wired into lathe compile)";
  case Emit::llvm:
    return "--emit=llvm is not built yet (it arrives with the scheduling and "
           "lowering passes)";
  case Emit::obj:
    return "--emit=obj is not built yet (it arrives with the end-to-end CPU "
           "pipeline)";
  case Emit::so:
    return "compilation of ONNX models is not built yet (--emit=so, the "
           "default, arrives with the end-to-end CPU pipeline)";
  case Emit::header:
    return "--emit=header is not built yet (it arrives with the end-to-end "
           "CPU pipeline)";
  }
  llvm_unreachable("unknown emit kind");
}

int runCompile(const CompileOptions &o, StringRef model) {
  if (const char *why = emitUnavailable(o.emit)) {
    errs() << "lathe compile: " << why
           << "; only --emit=nn works in this version of Lathe\n";
    return 1;
  }
  if (model.empty()) {
    errs() << "lathe compile: expected a model (lathe compile <model.onnx>)\n";
    return 1;
  }
  lathe::frontend::ImportOptions importOptions;
  for (const std::string &spec : o.inputShapes) {
    if (Error err = lathe::frontend::addInputShape(spec, importOptions)) {
      errs() << "lathe compile: --input-shape: " << toString(std::move(err))
             << "\n";
      return 1;
    }
  }

  // The importer's diagnostics are complete one-line messages naming the
  // file and node; print them as they are.
  mlir::MLIRContext ctx;
  mlir::ScopedDiagnosticHandler handler(&ctx, [](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      errs() << diag.str() << "\n";
    return success();
  });
  auto module = lathe::frontend::importONNXFile(model, ctx, importOptions);
  if (failed(module))
    return 1;

  std::string error;
  auto out = mlir::openOutputFile(o.output, &error);
  if (!out) {
    errs() << "lathe compile: " << error << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (o.printDebugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  (*module)->print(out->os(), flags);
  out->os() << "\n";
  out->keep();
  return 0;
}

Runner declareCompile(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<CompileOptions>(sub, category);
  return [options](StringRef model) { return runCompile(*options, model); };
}

/// The subcommand table. Each subcommand's options are declared by its
/// `declare` function above, beside the code that uses them.
const Command kCommands[] = {
    {"compile",
     "Compile an ONNX model to a shared library and C header, an object "
     "file or IR",
     "compilation of ONNX models is not built yet (it arrives with the "
     "end-to-end CPU pipeline)",
     "--emit=nn works", declareCompile},
    {"run", "Run an ONNX model on given or random inputs and print outputs",
     "running models is not built yet (it arrives with the end-to-end CPU "
     "pipeline)",
     nullptr, nullptr},
    {"tune",
     "Search for faster kernel schedules and record them in the tuning "
     "database",
     "tuning is not built yet (it arrives with the cost model and autotuner)",
     nullptr, nullptr},
    {"bench", "Benchmark a model's kernels against the machine's FMA peak",
     "benchmarking is not built yet (it arrives with the scheduling passes)",
     nullptr, nullptr},
    {"inspect", "Show a model's ops, shapes, parameter count and FLOPs",
     "inspecting models is not built yet (it arrives with the ONNX "
     "importer)",
     nullptr, nullptr},
};
} // namespace

int runLathe(int argc, char **argv) {
  cl::OptionCategory latheCategory("lathe options");

  // Subcommands, in the order of kCommands; the description of one that is
  // not built yet says so in `lathe --help`.
  SmallVector<std::string> descriptions;
  SmallVector<std::unique_ptr<cl::SubCommand>> subcommands;
  for (const Command &c : kCommands)
    descriptions.push_back(
        std::string(c.description) +
        (!c.unavailable ? ""
         : c.works      ? std::string(" [not built yet; ") + c.works + "]"
                        : std::string(" [not built yet]")));
  for (auto [c, description] : llvm::zip_equal(kCommands, descriptions))
    subcommands.push_back(
        std::make_unique<cl::SubCommand>(c.name, description));

  // Each built subcommand declares its own options.
  SmallVector<Runner> runners;
  for (auto [c, sub] : llvm::zip_equal(kCommands, subcommands))
    runners.push_back(c.declare ? c.declare(*sub, latheCategory) : Runner());

  // Every subcommand takes the model it works on.
  SmallVector<std::unique_ptr<cl::opt<std::string>>> models;
  for (auto &sub : subcommands)
    models.push_back(std::make_unique<cl::opt<std::string>>(
        cl::Positional, cl::desc("<model.onnx>"), cl::sub(*sub),
        cl::cat(latheCategory)));

  cl::SetVersionPrinter([](raw_ostream &os) { os << versionString(); });
  cl::HideUnrelatedOptions(latheCategory);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "lathe: compile, tune, run and benchmark ONNX models on CPU and "
          "GPU\n\n"
          "Run 'lathe <subcommand> --help' for the options of a subcommand.\n",
          &errs()))
    return 1;

  for (auto [command, sub, runner, model] :
       llvm::zip_equal(kCommands, subcommands, runners, models)) {
    if (!*sub)
      continue;
    if (runner)
      return runner(model->getValue());
    if (command.unavailable) {
      errs() << "lathe " << command.name << ": " << command.unavailable
             << " in this version of Lathe\n";
      return 1;
    }
  }

  // No subcommand given.
  errs() << "lathe: expected a subcommand: compile, run, tune, bench or "
            "inspect (see 'lathe --help')\n";
  return 1;
}

} // namespace lathe::cli
