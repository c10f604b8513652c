//===- DB.cpp - lathe db --------------------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe db`: importing tuning records from JSON lines
// into the tuning database, exporting them, and showing them as a table
// (docs/tuning-database.md describes the file and the JSON lines).
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"

#include "autotune/Database.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using lathe::autotune::TuningDatabase;
using lathe::autotune::TuningRecord;

namespace lathe::cli {

namespace {
/// The description of --db, naming the default database (cl::desc keeps a
/// reference: the text must outlive the option).
StringRef dbDescription() {
  static const std::string text =
      "The tuning database (default: " + TuningDatabase::defaultPath() + ")";
  return text;
}

/// The options of `lathe db`.
struct DBOptions {
  DBOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : files(cl::Positional,
              cl::desc("[<records.jsonl>...] (import: the JSON lines files to "
                       "import)"),
              cl::sub(sub), cl::cat(category)),
        db("db", cl::desc(dbDescription()), cl::value_desc("path"),
           cl::init(TuningDatabase::defaultPath()), cl::sub(sub),
           cl::cat(category)),
        output("o",
               cl::desc("export: the file to write the JSON lines to; '-' "
                        "is stdout (the default)"),
               cl::value_desc("file"), cl::init("-"), cl::sub(sub),
               cl::cat(category)),
        workload("workload",
                 cl::desc("show: only the records of this workload key"),
                 cl::value_desc("key"), cl::sub(sub), cl::cat(category)) {}

  cl::list<std::string> files;
  cl::opt<std::string> db;
  cl::opt<std::string> output;
  cl::opt<std::string> workload;
};

/// Prints "lathe db: <message>" and returns the exit code of a failure.
int fail(const Twine &message) {
  errs() << "lathe db: " << message << "\n";
  return 1;
}

int fail(Error err) { return fail(toString(std::move(err))); }

/// `lathe db import <files>`: adds the records of each file, all or nothing
/// per file, and says how many were new.
int runImport(const DBOptions &o) {
  if (o.files.empty())
    return fail("import: expected the JSON lines files to import (lathe db "
                "import <records.jsonl>...)");
  auto db = TuningDatabase::open(o.db);
  if (!db)
    return fail(db.takeError());
  for (const std::string &file : o.files) {
    auto text = MemoryBuffer::getFileOrSTDIN(file, /*IsText=*/true);
    if (!text)
      return fail("cannot read '" + file + "': " + text.getError().message());
    Expected<size_t> added = (*db)->importJsonLines((*text)->getBuffer(), file);
    if (!added)
      return fail(added.takeError());
    outs() << "imported " << *added << " new record" << (*added == 1 ? "" : "s")
           << " from " << file << " into " << o.db << "\n";
  }
  return 0;
}

/// `lathe db export [-o file]`: every record as JSON lines.
int runExport(const DBOptions &o) {
  if (!o.files.empty())
    return fail("export: unexpected argument '" + o.files.front() +
                "' (write to a file with -o)");
  auto db = TuningDatabase::open(o.db, /*readOnly=*/true);
  if (!db)
    return fail(db.takeError());
  std::string error;
  auto out = mlir::openOutputFile(o.output, &error);
  if (!out)
    return fail(error);
  if (Error err = (*db)->exportJsonLines(out->os()))
    return fail(std::move(err));
  out->keep();
  return 0;
}

/// `lathe db show [--workload key]`: the records as a table, in the order
/// they were added.
int runShow(const DBOptions &o) {
  if (!o.files.empty())
    return fail("show: unexpected argument '" + o.files.front() + "'");
  auto db = TuningDatabase::open(o.db, /*readOnly=*/true);
  if (!db)
    return fail(db.takeError());
  Expected<std::vector<TuningRecord>> records = (*db)->allRecords();
  if (!records)
    return fail(records.takeError());

  SmallVector<SmallVector<std::string>> table;
  table.push_back({"workload", "target", "status", "median us", "config"});
  for (const TuningRecord &r : *records) {
    if (!o.workload.empty() && r.workloadKey != o.workload)
      continue;
    std::string median;
    if (r.status == autotune::TrialStatus::Ok)
      raw_string_ostream(median) << format("%.2f", r.medianUs);
    else
      median = "-";
    table.push_back({r.workloadKey, r.target,
                     autotune::stringifyTrialStatus(r.status).str(), median,
                     r.config});
  }
  outs() << o.db << ": " << table.size() - 1 << " record"
         << (table.size() == 2 ? "" : "s")
         << (o.workload.empty() ? "" : " of workload " + o.workload) << "\n";
  if (table.size() > 1)
    printTable(outs(), table, {false, false, false, true, false});
  return 0;
}

int runDB(const DBOptions &o, StringRef action) {
  if (action == "import")
    return runImport(o);
  if (action == "export")
    return runExport(o);
  if (action == "show")
    return runShow(o);
  if (action.empty())
    return fail("expected an action: import, export or show (lathe db "
                "<action> [options])");
  return fail("unknown action '" + action +
              "' (the actions: import, export, show)");
}
} // namespace

Runner declareDB(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<DBOptions>(sub, category);
  return [options](StringRef action) { return runDB(*options, action); };
}

} // namespace lathe::cli
