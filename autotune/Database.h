//===- Database.h - The tuning database -------------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the tuning database: one record per measured schedule
// (workload key, target, `#sched.config`, latency statistics, versions and
// time), kept in a SQLite file. `lathe tune` adds a record per trial and
// `lathe compile` asks for the fastest successful record of each workload.
// docs/tuning-database.md describes the file for users.
//
// Durability: the file is in WAL mode with synchronous=FULL and every add()
// is its own committed transaction, so killing a tuner (even with kill -9)
// loses at most the trial in flight, and the file stays consistent. Several
// processes may share one file; a writer waits up to 10 s for another.
//
// Damaged files: open() never repairs or replaces a file. A file that is not
// SQLite (random bytes, text), a truncated or otherwise corrupt file (found by
// `PRAGMA quick_check` on every open), another program's SQLite file, or one
// whose `records` table lacks a column is refused with an error that names
// the file, says what is wrong and tells the user to move the file away or
// delete it (the tuning records may be worth salvaging, so deleting is theirs
// to decide). A file written by a newer Lathe (a higher schema version) is
// refused with an error saying so. A record whose feature vector is
// malformed (a BLOB whose length is not a multiple of 4, a non-finite value)
// is reported the same way by the call that reads it. open() of a missing
// or empty (0 bytes) file creates a new database; in read-only mode, both
// are errors with std::errc::no_such_file_or_directory, which a reader such
// as `lathe compile` can take as "no records yet".
//
// Schema versions: version 2 added each record's cost-model feature vector
// (a BLOB of little-endian float32 values). A writable open upgrades a
// version-1 file in place, in one transaction (a Lathe that only knows
// version 1 then refuses the file as newer); a read-only open reads a
// version-1 file as it is, its records without features.
//
// Records travel between machines as JSON lines (exportJsonLines and
// importJsonLines), one object per record, without the local id.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_AUTOTUNE_DATABASE_H
#define LATHE_AUTOTUNE_DATABASE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace lathe::autotune {

/// How a trial ended.
enum class TrialStatus {
  Ok,           ///< Compiled, ran and gave the right result: timings are valid.
  Crash,        ///< The measuring child process crashed.
  Timeout,      ///< The measuring child process ran past its time limit.
  WrongResult,  ///< Ran, but the output differed from the reference.
  CompileError, ///< The pipeline refused the config.
};

/// The spelling of `status` in the database and in JSON lines: "ok", "crash",
/// "timeout", "wrong-result" or "compile-error".
llvm::StringRef stringifyTrialStatus(TrialStatus status);

/// The status spelled `text`, or none for an unknown spelling.
std::optional<TrialStatus> parseTrialStatus(llvm::StringRef text);

/// One measurement of one schedule of one workload on one target.
struct TuningRecord {
  /// The database's row id: set by records() and best(), ignored by add()
  /// and not exported (ids are local to one file).
  int64_t id = 0;
  /// Identifies the kernel (a hash of its IR and shapes); chosen by the tuner.
  std::string workloadKey;
  /// The target the kernel ran on (triple + CPU/GPU + features).
  std::string target;
  /// The `#sched.config` attribute in MLIR text form; opaque to the database.
  std::string config;
  /// How the trial ended; only Ok records have meaningful timings.
  TrialStatus status = TrialStatus::Ok;
  /// Latency statistics over `repeats` runs, in microseconds.
  double medianUs = 0, minUs = 0, maxUs = 0;
  /// Number of timed runs.
  int repeats = 0;
  /// Version of the cost model's feature vector when the trial was measured.
  int featuresVersion = 0;
  /// The cost model's feature vector of the scheduled kernel
  /// (KernelFeatures::toVector(), version featuresVersion); empty when not
  /// computed. Every value is finite.
  std::vector<float> features;
  /// The Lathe that compiled the kernel (`git describe`).
  std::string compilerVersion;
  /// When the trial was measured, seconds since the Unix epoch.
  int64_t unixTime = 0;
  /// Free text, e.g. the error of a failed trial. Invalid UTF-8 is replaced.
  std::string note;

  /// True if every field but `id` is equal.
  bool sameMeasurement(const TuningRecord &other) const;
};

/// A tuning database file. Not thread-safe: use one object per thread (or
/// process); any number of them may share the file.
class TuningDatabase {
public:
  /// The schema version this Lathe writes (`PRAGMA user_version`). Version
  /// 2 added the `features` column; version-1 files are still read.
  static constexpr int kSchemaVersion = 2;

  /// Opens the database at `path`, creating it and its parent directories if
  /// needed (unless `readOnly`, where a missing or empty file is an error
  /// with std::errc::no_such_file_or_directory). Upgrades a version-1 file to
  /// the current schema unless `readOnly`. Fails, naming the file, if it
  /// cannot be opened, is damaged, is not a Lathe tuning database or has a
  /// newer schema; see the file comment.
  static llvm::Expected<std::unique_ptr<TuningDatabase>>
  open(llvm::StringRef path, bool readOnly = false);

  /// Where the database lives by default: `$XDG_CACHE_HOME/lathe/tuning.db`,
  /// or `~/.cache/lathe/tuning.db` when XDG_CACHE_HOME is unset.
  static std::string defaultPath();

  ~TuningDatabase();
  TuningDatabase(const TuningDatabase &) = delete;
  TuningDatabase &operator=(const TuningDatabase &) = delete;

  /// The file this database was opened from.
  llvm::StringRef getPath() const { return path; }

  /// Adds `record` in its own committed transaction and returns its id.
  /// Fails if the record is invalid (empty workload key or target, negative
  /// or non-finite timings, a non-finite feature, or an Ok record with no
  /// repeats or with min <= median <= max not holding) or cannot be written.
  llvm::Expected<int64_t> add(const TuningRecord &record);

  /// The fastest (least median) Ok record of `workloadKey` on `target`, the
  /// earliest one among equals; none if there is no Ok record.
  llvm::Expected<std::optional<TuningRecord>> best(llvm::StringRef workloadKey,
                                                   llvm::StringRef target);

  /// Every record of `workloadKey` on `target`, failed ones included, in the
  /// order they were added.
  llvm::Expected<std::vector<TuningRecord>> records(llvm::StringRef workloadKey,
                                                    llvm::StringRef target);

  /// Every record in the database, in the order they were added.
  llvm::Expected<std::vector<TuningRecord>> allRecords();

  /// The number of records.
  llvm::Expected<size_t> count();

  /// Writes every record as one JSON object per line, in the order they
  /// were added (see docs/tuning-database.md for the keys).
  llvm::Error exportJsonLines(llvm::raw_ostream &os);

  /// Adds the records of `text` (JSON lines as exportJsonLines writes them;
  /// blank lines are skipped) and returns how many were added. A record
  /// equal to one already in the database (sameMeasurement) is skipped, so
  /// importing a file twice adds nothing the second time. All or nothing:
  /// an invalid line is an error naming `sourceName`, the line number and
  /// what is wrong, and then no record of `text` is added.
  llvm::Expected<size_t> importJsonLines(llvm::StringRef text,
                                         llvm::StringRef sourceName);

private:
  TuningDatabase(sqlite3 *db, std::string path, bool readOnly);

  sqlite3 *db;
  std::string path;
  bool readOnly;
  /// Whether `records` has the `features` column: false only for a version-1
  /// file opened read-only, whose records are then read without features.
  bool hasFeatures = true;
};

} // namespace lathe::autotune

#endif // LATHE_AUTOTUNE_DATABASE_H
