//===- TuningDB.cpp - The --db option of the lathe subcommands ------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the `--db` and `--no-db` options and the choice of
// the tuning database that `lathe compile`, `run`, `bench` and `inspect`
// read (docs/cli.md, docs/tuning-database.md).
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/TuningDB.h"

#include "autotune/Database.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using lathe::autotune::TuningDatabase;

namespace lathe::cli {

/// The description of --db, naming the default database (cl::desc keeps a
/// reference: the text must outlive the option).
static StringRef dbDescription() {
  static const std::string text =
      "Tuning database whose best records give kernels their schedules "
      "(default: " +
      TuningDatabase::defaultPath() + ", if it exists); on CPU targets";
  return text;
}

TuningDBOptions::TuningDBOptions(cl::SubCommand &sub,
                                 cl::OptionCategory &category)
    : db("db", cl::desc(dbDescription()), cl::value_desc("path"), cl::sub(sub),
         cl::cat(category)),
      noDB("no-db", cl::desc("Use no tuning database: default schedules only"),
           cl::init(false), cl::sub(sub), cl::cat(category)) {}

mlir::FailureOr<std::string> resolveTuningDB(const TuningDBOptions &options,
                                             StringRef command) {
  bool explicitDB = options.db.getNumOccurrences() > 0;
  if (explicitDB && options.noDB) {
    errs() << "lathe " << command << ": --db and --no-db contradict\n";
    return mlir::failure();
  }
  if (options.noDB)
    return std::string();
  std::string path =
      explicitDB ? options.db.getValue() : TuningDatabase::defaultPath();
  if (!explicitDB && !sys::fs::exists(path))
    return std::string();

  auto db = TuningDatabase::open(path, /*readOnly=*/true);
  if (db)
    return path;
  std::string message = toString(db.takeError());
  // An existing empty file holds no records yet: nothing to use.
  if (sys::fs::exists(path) && !sys::fs::is_directory(path)) {
    uint64_t size = 0;
    if (!sys::fs::file_size(path, size) && size == 0)
      return std::string();
  }
  if (explicitDB) {
    errs() << "lathe " << command << ": --db: " << message << "\n";
    return mlir::failure();
  }
  errs() << "lathe " << command << ": warning: " << message
         << " (kernels get default schedules; --no-db silences this)\n";
  return std::string();
}

} // namespace lathe::cli
