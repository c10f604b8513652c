//===- Diagnostics.h - Diagnostics of lathe's subcommands -------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares how the `lathe` subcommands show MLIR diagnostics: one
// line each, naming the model file and the ONNX node an op comes from (the
// importer locates every op at `"<node>"("<file>":0:0)`), for example
//
//   model.onnx: node 'conv1': failed to legalize operation 'nn.conv2d'
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_TOOLS_LATHE_DIAGNOSTICS_H
#define LATHE_TOOLS_LATHE_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace lathe::cli {

/// Formats `diag` for the command line:
///   <file>: node '<name>': <message>        at one ONNX node
///   <file>: nodes '<a>', '<b>': <message>   at several (a fused location)
///   <file>:<line>:<col>: <message>          at a line of a text file
///   <modelFile>: <message>                  anywhere else
/// Warnings say "warning: " before the message. A message that already
/// starts with "<file>: " (the importer's, which are complete lines) is kept
/// as it is. Each note follows on a line of its own, as "  note: <message>".
std::string formatDiagnostic(const mlir::Diagnostic &diag,
                             llvm::StringRef modelFile);

/// While alive, prints every error and warning diagnostic emitted in a
/// context to a stream with formatDiagnostic (remarks are dropped), and
/// counts the errors. It also stops the context from attaching the failing
/// op to each diagnostic as a note (MLIRContext::printOpOnDiagnostic): on the
/// command line that is pages of IR. Nest it like any mlir::ScopedDiagnosticHandler: the
/// newest handler sees a diagnostic first.
class DiagnosticPrinter {
public:
  DiagnosticPrinter(mlir::MLIRContext &ctx, llvm::StringRef modelFile,
                    llvm::raw_ostream &os = llvm::errs());

  /// Number of errors printed so far.
  unsigned numErrors() const { return errors; }

private:
  std::string modelFile;
  llvm::raw_ostream &os;
  unsigned errors = 0;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace lathe::cli

#endif // LATHE_TOOLS_LATHE_DIAGNOSTICS_H
