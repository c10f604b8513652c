//===- TuningDB.h - The --db option of the lathe subcommands ----*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the `--db` and `--no-db` options that `lathe compile`,
// `run`, `bench` and `inspect` share, and how they choose the tuning
// database whose best records give kernels their schedules.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_TOOLS_LATHE_TUNINGDB_H
#define LATHE_TOOLS_LATHE_TUNINGDB_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <string>

namespace lathe::cli {

/// The `--db` and `--no-db` options of a subcommand that compiles kernels.
struct TuningDBOptions {
  TuningDBOptions(llvm::cl::SubCommand &sub,
                  llvm::cl::OptionCategory &category);

  llvm::cl::opt<std::string> db;
  llvm::cl::opt<bool> noDB;
};

/// The tuning database `lathe <command>` reads, as a path; "" for none.
/// With --db, that file: one that is missing or cannot be opened (damaged,
/// not a tuning database, newer) is an error naming it; an empty file is
/// no records. With --no-db, none. Otherwise the default database
/// (TuningDatabase::defaultPath()) if the file exists: one that cannot be
/// opened is a warning, and none is used. Errors and warnings are printed
/// as "lathe <command>: ..."; fails after an error.
mlir::FailureOr<std::string> resolveTuningDB(const TuningDBOptions &options,
                                             llvm::StringRef command);

} // namespace lathe::cli

#endif // LATHE_TOOLS_LATHE_TUNINGDB_H
