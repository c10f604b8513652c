//===- Compile.cpp - lathe compile ----------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe compile`: import an ONNX model and emit IR, an
// object file, a shared library or its C header.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"

#include "frontend/onnx/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

namespace lathe::cli {

namespace {
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

} // namespace

Runner declareCompile(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<CompileOptions>(sub, category);
  return [options](StringRef model) { return runCompile(*options, model); };
}


} // namespace lathe::cli
