//===- Diagnostics.cpp - Diagnostics of lathe's subcommands ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the one-line form of MLIR diagnostics that every
// `lathe` subcommand prints, naming the ONNX nodes a location comes from.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace lathe::cli {

namespace {
/// What a location says about where a diagnostic comes from.
struct Origin {
  std::string file;
  unsigned line = 0, column = 0;
  llvm::SmallVector<std::string> nodes;
};

void collect(Location loc, Origin &origin) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (!llvm::is_contained(origin.nodes, name.getName().str()))
      origin.nodes.push_back(name.getName().str());
    collect(name.getChildLoc(), origin);
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    if (origin.file.empty()) {
      origin.file = file.getFilename().str();
      origin.line = file.getLine();
      origin.column = file.getColumn();
    }
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collect(inner, origin);
  } else if (auto call = dyn_cast<CallSiteLoc>(loc)) {
    collect(call.getCallee(), origin);
  } else if (auto opaque = dyn_cast<OpaqueLoc>(loc)) {
    collect(opaque.getFallbackLocation(), origin);
  }
}
} // namespace

std::string formatDiagnostic(const Diagnostic &diag, llvm::StringRef modelFile) {
  Origin origin;
  collect(diag.getLocation(), origin);
  std::string message = diag.str();

  std::string text;
  llvm::raw_string_ostream os(text);
  std::string file = origin.file.empty() ? modelFile.str() : origin.file;
  if (!file.empty() && llvm::StringRef(message).starts_with(file + ": ")) {
    os << message;
  } else {
    if (!file.empty()) {
      os << file;
      if (origin.line != 0 && origin.nodes.empty())
        os << ":" << origin.line << ":" << origin.column;
      os << ": ";
    }
    if (origin.nodes.size() == 1)
      os << "node '" << origin.nodes.front() << "': ";
    else if (origin.nodes.size() > 1)
      os << "nodes '" << llvm::join(origin.nodes, "', '") << "': ";
    if (diag.getSeverity() == DiagnosticSeverity::Warning)
      os << "warning: ";
    os << message;
  }
  for (const Diagnostic &note : diag.getNotes())
    os << "\n  note: " << note.str();
  return text;
}

DiagnosticPrinter::DiagnosticPrinter(MLIRContext &ctx,
                                     llvm::StringRef modelFile,
                                     llvm::raw_ostream &os)
    : modelFile(modelFile.str()), os(os),
      handler(&ctx, [this](Diagnostic &diag) {
        switch (diag.getSeverity()) {
        case DiagnosticSeverity::Error:
          ++errors;
          [[fallthrough]];
        case DiagnosticSeverity::Warning:
          this->os << formatDiagnostic(diag, this->modelFile) << "\n";
          break;
        case DiagnosticSeverity::Note:
        case DiagnosticSeverity::Remark:
          break;
        }
        return success();
      }) {
  // A diagnostic need not carry the whole failing op as a note: on the
  // command line that is pages of IR.
  ctx.printOpOnDiagnostic(false);
}

} // namespace lathe::cli
