//===- Commands.h - The subcommands of lathe --------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares what each subcommand file (Compile.cpp, ...) gives the
// command table in Driver.cpp: a function that declares the subcommand's
// options and returns the code that runs it.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_TOOLS_LATHE_COMMANDS_H
#define LATHE_TOOLS_LATHE_COMMANDS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <functional>

namespace lathe::cli {

/// Runs a subcommand on the model named on its command line and returns the
/// process exit code.
using Runner = std::function<int(llvm::StringRef model)>;

/// One subcommand: its name, what it does, and how it runs.
struct Command {
  const char *name;
  const char *description;
  /// Null when the command works; otherwise why it cannot run yet.
  const char *unavailable;
  /// For a command that is not fully built: the part that works already.
  const char *works;
  /// Declares the subcommand's options on `sub` (they live as long as the
  /// returned runner) and returns what runs it; null when nothing of the
  /// command is built yet.
  Runner (*declare)(llvm::cl::SubCommand &sub,
                    llvm::cl::OptionCategory &category);
  /// What the first positional argument is, for --help; the runner gets
  /// it as `model`. Null: "<model.onnx>".
  const char *operand = nullptr;
};

/// `lathe compile` (Compile.cpp).
Runner declareCompile(llvm::cl::SubCommand &sub,
                      llvm::cl::OptionCategory &category);

/// `lathe run` (Run.cpp).
Runner declareRun(llvm::cl::SubCommand &sub,
                  llvm::cl::OptionCategory &category);

/// `lathe bench` (Bench.cpp).
Runner declareTune(llvm::cl::SubCommand &sub,
                   llvm::cl::OptionCategory &category);

Runner declareBench(llvm::cl::SubCommand &sub,
                    llvm::cl::OptionCategory &category);

/// `lathe inspect` (Inspect.cpp).
Runner declareInspect(llvm::cl::SubCommand &sub,
                      llvm::cl::OptionCategory &category);

/// `lathe db` (DB.cpp): its runner takes the action (import, export, show)
/// as `model`.
Runner declareDB(llvm::cl::SubCommand &sub, llvm::cl::OptionCategory &category);

} // namespace lathe::cli

#endif // LATHE_TOOLS_LATHE_COMMANDS_H
