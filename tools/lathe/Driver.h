//===- Driver.h - The lathe command line --------------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the entry point of the `lathe` command: its table of
// subcommands (compile, run, tune, bench, inspect) and their options.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_TOOLS_LATHE_DRIVER_H
#define LATHE_TOOLS_LATHE_DRIVER_H

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace lathe::cli {

/// A one-paragraph description of this build: Lathe's `git describe`, the
/// MLIR/LLVM version it was built against and the host it targets.
std::string versionString();

/// Parses `argv`, runs the chosen subcommand and returns the process exit
/// code: 0 on success, 1 on any error (reported on stderr).
int runLathe(int argc, char **argv);

} // namespace lathe::cli

#endif // LATHE_TOOLS_LATHE_DRIVER_H
