//===- Database.cpp - The tuning database ---------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the tuning database on SQLite: opening with the
// checks that refuse a damaged or foreign file, the schema and its upgrade
// from version 1, adding and querying records with prepared statements, the
// feature-vector BLOB encoding, and the JSON-lines export and import.
//
//===----------------------------------------------------------------------===//

#include "autotune/Database.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace llvm;

namespace lathe::autotune {

namespace {

/// `PRAGMA application_id` of a Lathe tuning database: "LATH".
constexpr int32_t kApplicationId = 0x4C415448;

/// How long a writer waits for another process's transaction to end.
constexpr int kBusyTimeoutMs = 10000;

/// The schema of version 2, the current one. The index serves both records()
/// and best(). Version 1 lacked `features`, which migrateVersion1To2 adds
/// last so that both kinds of file have the same columns in the same order.
constexpr const char *kSchema = R"sql(
CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  workload_key TEXT NOT NULL,
  target TEXT NOT NULL,
  config TEXT NOT NULL,
  status TEXT NOT NULL,
  median_us REAL NOT NULL,
  min_us REAL NOT NULL,
  max_us REAL NOT NULL,
  repeats INTEGER NOT NULL,
  features_version INTEGER NOT NULL,
  compiler_version TEXT NOT NULL,
  unix_time INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  features BLOB
);
CREATE INDEX records_by_workload
  ON records (workload_key, target, status, median_us);
)sql";

/// The columns of a record that version 1 has, in the order bindRecord binds
/// them (parameters ?1 to ?12) and readRecords reads them (after the id);
/// `features` follows them (?13).
constexpr const char *kVersion1Columns =
    "workload_key, target, config, status, median_us, min_us, max_us, "
    "repeats, features_version, compiler_version, unix_time, note";
/// The columns every file has: those of version 1 and the id.
constexpr const char *kVersion1ColumnNames[] = {
    "id",      "workload_key",     "target",           "config",
    "status",  "median_us",        "min_us",           "max_us",
    "repeats", "features_version", "compiler_version", "unix_time",
    "note"};
/// The column that version 2 added.
constexpr const char *kFeaturesColumn = "features";

/// The statement that adds a record, its fields bound by bindRecord.
std::string insertSql() {
  return formatv("INSERT INTO records ({0}, {1}) VALUES (?1, ?2, ?3, ?4, ?5, "
                 "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                 kVersion1Columns, kFeaturesColumn)
      .str();
}

/// What a query selects for readRecords: the id, kVersion1Columns, then the
/// features, or NULL in their place when the file has no such column (a
/// version-1 file opened read-only).
std::string selectedColumns(bool hasFeatures) {
  return formatv("id, {0}, {1}", kVersion1Columns,
                 hasFeatures ? kFeaturesColumn : "NULL")
      .str();
}

/// `features` as stored in the `features` column: each value as 4 bytes, an
/// IEEE-754 binary32 in little-endian order, one after the other. -0 is
/// stored as 0, so that two blobs are equal exactly when the vectors compare
/// equal (the import's duplicate check compares blobs).
std::string encodeFeatures(ArrayRef<float> features) {
  std::string bytes(features.size() * sizeof(uint32_t), '\0');
  for (auto [i, value] : enumerate(features))
    support::endian::write32le(
        &bytes[i * sizeof(uint32_t)],
        llvm::bit_cast<uint32_t>(value == 0 ? 0.0f : value));
  return bytes;
}

struct Finalize {
  void operator()(sqlite3_stmt *stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

/// The error for a file that is damaged or not a Lathe tuning database.
Error invalidDatabase(StringRef path, const Twine &why) {
  return createStringError(
      std::errc::invalid_argument,
      "tuning database '%s' is not a valid Lathe tuning database: %s; move it "
      "away or delete it to start a new one",
      path.str().c_str(), why.str().c_str());
}

/// SQLite's text of column `i` of the current row.
std::string columnText(sqlite3_stmt *stmt, int i) {
  const auto *text =
      reinterpret_cast<const char *>(sqlite3_column_text(stmt, i));
  return text ? std::string(text, sqlite3_column_bytes(stmt, i)) : "";
}

/// Binds `text` to parameter `i`; SQLite copies it.
int bindText(sqlite3_stmt *stmt, int i, StringRef text) {
  return sqlite3_bind_text64(stmt, i, text.data(), text.size(),
                             SQLITE_TRANSIENT, SQLITE_UTF8);
}

/// Binds the fields of `record` to parameters ?1 to ?13 (see
/// kVersion1Columns); no features bind NULL.
int bindRecord(sqlite3_stmt *stmt, const TuningRecord &record) {
  int rc = SQLITE_OK;
  auto check = [&](int result) {
    if (rc == SQLITE_OK)
      rc = result;
  };
  check(bindText(stmt, 1, record.workloadKey));
  check(bindText(stmt, 2, record.target));
  check(bindText(stmt, 3, record.config));
  check(bindText(stmt, 4, stringifyTrialStatus(record.status)));
  check(sqlite3_bind_double(stmt, 5, record.medianUs));
  check(sqlite3_bind_double(stmt, 6, record.minUs));
  check(sqlite3_bind_double(stmt, 7, record.maxUs));
  check(sqlite3_bind_int64(stmt, 8, record.repeats));
  check(sqlite3_bind_int64(stmt, 9, record.featuresVersion));
  check(bindText(stmt, 10, record.compilerVersion));
  check(sqlite3_bind_int64(stmt, 11, record.unixTime));
  check(bindText(stmt, 12, record.note));
  if (record.features.empty()) {
    check(sqlite3_bind_null(stmt, 13));
  } else {
    std::string blob = encodeFeatures(record.features);
    check(sqlite3_bind_blob64(stmt, 13, blob.data(), blob.size(),
                              SQLITE_TRANSIENT));
  }
  return rc;
}

/// Checks what the database relies on: keys present, timings usable, text
/// valid UTF-8 (so that it exports as JSON). Returns what is wrong, or "".
std::string checkRecord(const TuningRecord &record) {
  if (record.workloadKey.empty())
    return "empty workload key";
  if (record.target.empty())
    return "empty target";
  for (const std::string *text : {&record.workloadKey, &record.target,
                                  &record.config, &record.compilerVersion})
    if (!json::isUTF8(*text))
      return "text that is not valid UTF-8";
  for (double value : {record.medianUs, record.minUs, record.maxUs})
    if (!std::isfinite(value) || value < 0)
      return formatv("latency {0} us is not a finite, non-negative number",
                     value);
  if (record.repeats < 0)
    return formatv("negative repeat count {0}", record.repeats);
  for (auto [i, value] : enumerate(record.features))
    if (!std::isfinite(value))
      return formatv("feature {0} is {1}, not a finite number", i, value);
  if (record.status == TrialStatus::Ok) {
    if (record.repeats == 0)
      return "a successful trial with no timed runs";
    if (!(record.minUs <= record.medianUs && record.medianUs <= record.maxUs))
      return formatv("min {0} <= median {1} <= max {2} us does not hold",
                     record.minUs, record.medianUs, record.maxUs);
  }
  return "";
}

/// The record whose fields are in JSON object `value` (see
/// docs/tuning-database.md), or what is wrong with it.
Expected<TuningRecord> recordFromJson(const json::Value &value) {
  const json::Object *object = value.getAsObject();
  if (!object)
    return createStringError(inconvertibleErrorCode(),
                             "expected a JSON object");
  static constexpr StringLiteral kKeys[] = {
      "workload_key",     "target",           "config",    "status",
      "median_us",        "min_us",           "max_us",    "repeats",
      "features_version", "compiler_version", "unix_time", "note",
      "features"};
  for (const auto &entry : *object)
    if (!is_contained(kKeys, StringRef(entry.first)))
      return createStringError(inconvertibleErrorCode(), "unknown key '%s'",
                               entry.first.str().c_str());

  std::string problem;
  auto fail = [&](StringRef key, StringRef what) {
    if (problem.empty())
      problem = formatv("'{0}' {1}", key, what);
  };
  auto getString = [&](StringRef key, std::string &out, bool required) {
    const json::Value *field = object->get(key);
    if (!field) {
      if (required)
        fail(key, "is missing");
    } else if (std::optional<StringRef> text = field->getAsString()) {
      out = text->str();
    } else {
      fail(key, "must be a string");
    }
  };
  auto getNumber = [&](StringRef key, double &out) {
    const json::Value *field = object->get(key);
    if (!field)
      fail(key, "is missing");
    else if (std::optional<double> number = field->getAsNumber())
      out = *number;
    else
      fail(key, "must be a number");
  };
  auto getInteger = [&](StringRef key, int64_t &out, int64_t min, int64_t max) {
    const json::Value *field = object->get(key);
    std::optional<int64_t> number;
    if (!field)
      fail(key, "is missing");
    else if (!(number = field->getAsInteger()) || *number < min ||
             *number > max)
      fail(key, "must be an integer of at most 64 bits (32 for counts)");
    else
      out = *number;
  };
  auto getFeatures = [&](StringRef key, std::vector<float> &out) {
    const json::Value *field = object->get(key);
    if (!field)
      return; // Optional: no features.
    const json::Array *array = field->getAsArray();
    if (!array)
      return fail(key, "must be an array of numbers");
    out.reserve(array->size());
    for (auto [i, entry] : enumerate(*array)) {
      std::optional<double> number = entry.getAsNumber();
      if (!number)
        return fail(key, formatv("entry {0} must be a number", i).str());
      // JSON has no NaN, but a literal such as 1e999 parses as infinity.
      if (!std::isfinite(*number) ||
          std::abs(*number) > std::numeric_limits<float>::max())
        return fail(key,
                    formatv("entry {0} is not a finite 32-bit float", i).str());
      out.push_back(static_cast<float>(*number));
    }
  };

  TuningRecord record;
  std::string status;
  int64_t repeats = 0, featuresVersion = 0;
  constexpr int64_t kIntMin = std::numeric_limits<int>::min();
  constexpr int64_t kIntMax = std::numeric_limits<int>::max();
  getString("workload_key", record.workloadKey, /*required=*/true);
  getString("target", record.target, /*required=*/true);
  getString("config", record.config, /*required=*/true);
  getString("status", status, /*required=*/true);
  getNumber("median_us", record.medianUs);
  getNumber("min_us", record.minUs);
  getNumber("max_us", record.maxUs);
  getInteger("repeats", repeats, kIntMin, kIntMax);
  getInteger("features_version", featuresVersion, kIntMin, kIntMax);
  getString("compiler_version", record.compilerVersion, /*required=*/true);
  getInteger("unix_time", record.unixTime, std::numeric_limits<int64_t>::min(),
             std::numeric_limits<int64_t>::max());
  getString("note", record.note, /*required=*/false);
  getFeatures("features", record.features);
  if (!problem.empty())
    return createStringError(inconvertibleErrorCode(), problem.c_str());
  record.repeats = repeats;
  record.featuresVersion = featuresVersion;

  std::optional<TrialStatus> parsed = parseTrialStatus(status);
  if (!parsed)
    return createStringError(inconvertibleErrorCode(),
                             "unknown status '%s' (expected ok, crash, "
                             "timeout, wrong-result or compile-error)",
                             status.c_str());
  record.status = *parsed;
  if (std::string wrong = checkRecord(record); !wrong.empty())
    return createStringError(inconvertibleErrorCode(), "invalid record: %s",
                             wrong.c_str());
  return record;
}

/// `record` as a JSON object, without its id; `features` only when there are
/// features. A float widens exactly to the double that JSON writes (with
/// enough digits to read back the same double), so the values round-trip.
json::Value recordToJson(const TuningRecord &record) {
  json::Object object{
      {"workload_key", record.workloadKey},
      {"target", record.target},
      {"config", record.config},
      {"status", stringifyTrialStatus(record.status)},
      {"median_us", record.medianUs},
      {"min_us", record.minUs},
      {"max_us", record.maxUs},
      {"repeats", record.repeats},
      {"features_version", record.featuresVersion},
      {"compiler_version", record.compilerVersion},
      {"unix_time", record.unixTime},
      {"note", record.note},
  };
  if (!record.features.empty())
    object["features"] = json::Array(record.features);
  return object;
}

} // namespace

//===----------------------------------------------------------------------===//
// TrialStatus and TuningRecord
//===----------------------------------------------------------------------===//

StringRef stringifyTrialStatus(TrialStatus status) {
  switch (status) {
  case TrialStatus::Ok:
    return "ok";
  case TrialStatus::Crash:
    return "crash";
  case TrialStatus::Timeout:
    return "timeout";
  case TrialStatus::WrongResult:
    return "wrong-result";
  case TrialStatus::CompileError:
    return "compile-error";
  }
  llvm_unreachable("unknown TrialStatus");
}

std::optional<TrialStatus> parseTrialStatus(StringRef text) {
  for (TrialStatus status :
       {TrialStatus::Ok, TrialStatus::Crash, TrialStatus::Timeout,
        TrialStatus::WrongResult, TrialStatus::CompileError})
    if (text == stringifyTrialStatus(status))
      return status;
  return std::nullopt;
}

bool TuningRecord::sameMeasurement(const TuningRecord &other) const {
  return workloadKey == other.workloadKey && target == other.target &&
         config == other.config && status == other.status &&
         medianUs == other.medianUs && minUs == other.minUs &&
         maxUs == other.maxUs && repeats == other.repeats &&
         featuresVersion == other.featuresVersion &&
         compilerVersion == other.compilerVersion &&
         unixTime == other.unixTime && note == other.note &&
         features == other.features;
}

//===----------------------------------------------------------------------===//
// TuningDatabase: the connection and its helpers
//===----------------------------------------------------------------------===//

namespace {

/// What the database needs from SQLite, with errors that name the file.
/// Lives here rather than in the header so that the header does not need
/// sqlite3.h.
class DatabaseConnection {
public:
  /// `hasFeatures`: whether the `records` table has the `features` column
  /// (see TuningDatabase::hasFeatures).
  DatabaseConnection(sqlite3 *db, StringRef path, bool hasFeatures = true)
      : db(db), path(path), hasFeatures(hasFeatures) {}

  /// The error for the last failed call on the connection, while `doing`.
  Error failure(const Twine &doing) const {
    int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_NOTADB)
      return invalidDatabase(path, Twine("it is not a SQLite file (") +
                                       sqlite3_errmsg(db) + ")");
    if (code == SQLITE_CORRUPT)
      return invalidDatabase(path, Twine("the file is damaged, perhaps "
                                         "truncated (") +
                                       sqlite3_errmsg(db) + ")");
    return createStringError(
        inconvertibleErrorCode(), "tuning database '%s': cannot %s: %s",
        path.str().c_str(), doing.str().c_str(), sqlite3_errmsg(db));
  }

  Expected<Statement> prepare(StringRef sql, const Twine &doing) const {
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), sql.size(), &stmt, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(stmt);
      return failure(doing);
    }
    return Statement(stmt);
  }

  /// Runs `sql`, statements without results.
  Error exec(const char *sql, const Twine &doing) const {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return failure(doing);
    return Error::success();
  }

  /// The integer in the first column of the single row of `sql`.
  Expected<int64_t> queryInteger(StringRef sql, const Twine &doing) const {
    Expected<Statement> stmt = prepare(sql, doing);
    if (!stmt)
      return stmt.takeError();
    if (sqlite3_step(stmt->get()) != SQLITE_ROW)
      return failure(doing);
    return sqlite3_column_int64(stmt->get(), 0);
  }

  /// The records of `workloadKey` on `target` that `filter` (an SQL
  /// condition, or empty) keeps, in the order `order` (SQL).
  Expected<std::vector<TuningRecord>>
  readWorkloadRecords(StringRef workloadKey, StringRef target, StringRef filter,
                      StringRef order, StringRef doing) {
    Expected<Statement> query =
        prepare(formatv("SELECT {0} FROM records WHERE workload_key = ?1 AND "
                        "target = ?2{1}{2} ORDER BY {3}",
                        selectedColumns(hasFeatures),
                        filter.empty() ? "" : " AND ", filter, order)
                    .str(),
                doing);
    if (!query)
      return query.takeError();
    if (bindText(query->get(), 1, workloadKey) != SQLITE_OK ||
        bindText(query->get(), 2, target) != SQLITE_OK)
      return failure(doing);
    return readRecords(query->get(), doing);
  }

  /// Every record, in the order they were added.
  Expected<std::vector<TuningRecord>> readAllRecords(StringRef doing) {
    Expected<Statement> query =
        prepare(formatv("SELECT {0} FROM records ORDER BY id",
                        selectedColumns(hasFeatures))
                    .str(),
                doing);
    if (!query)
      return query.takeError();
    return readRecords(query->get(), doing);
  }

  /// Reads the rows of `stmt` (see selectedColumns) into records.
  Expected<std::vector<TuningRecord>> readRecords(sqlite3_stmt *stmt,
                                                  const Twine &doing) const {
    std::vector<TuningRecord> records;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      TuningRecord record;
      record.id = sqlite3_column_int64(stmt, 0);
      record.workloadKey = columnText(stmt, 1);
      record.target = columnText(stmt, 2);
      record.config = columnText(stmt, 3);
      std::string status = columnText(stmt, 4);
      std::optional<TrialStatus> parsed = parseTrialStatus(status);
      if (!parsed)
        return invalidDatabase(
            path,
            formatv("record {0} has unknown status '{1}'", record.id, status)
                .str());
      record.status = *parsed;
      record.medianUs = sqlite3_column_double(stmt, 5);
      record.minUs = sqlite3_column_double(stmt, 6);
      record.maxUs = sqlite3_column_double(stmt, 7);
      record.repeats = sqlite3_column_int(stmt, 8);
      record.featuresVersion = sqlite3_column_int(stmt, 9);
      record.compilerVersion = columnText(stmt, 10);
      record.unixTime = sqlite3_column_int64(stmt, 11);
      record.note = columnText(stmt, 12);
      if (Error error = readFeatures(stmt, 13, record))
        return std::move(error);
      records.push_back(std::move(record));
    }
    if (rc != SQLITE_DONE)
      return failure(doing);
    return records;
  }

  /// Checks that the file is sound and holds a Lathe tuning database of a
  /// schema this Lathe reads, creating the schema in an empty file and
  /// upgrading a version-1 file unless `readOnly`. Returns whether the
  /// `records` table has the `features` column.
  Expected<bool> initialize(bool readOnly) const;

private:
  /// The header fields and the number of schema objects.
  struct Header {
    int64_t applicationId, userVersion, objects;
  };
  Expected<Header> readHeader() const;

  /// The names of the columns of `records` (none if there is no such table).
  Expected<StringSet<>> readColumnNames() const;

  /// Adds the `features` column to a version-1 file and makes it version 2,
  /// in one transaction.
  Error migrateVersion1To2() const;

  /// Decodes column `i` of the current row of `stmt` (NULL, or a BLOB as
  /// encodeFeatures writes it) into `record.features`; a value of another
  /// type, a length that is not a whole number of floats or a non-finite
  /// value is damage, named with the record's id.
  Error readFeatures(sqlite3_stmt *stmt, int i, TuningRecord &record) const;

  sqlite3 *db;
  StringRef path;
  bool hasFeatures;
};

} // namespace

Expected<DatabaseConnection::Header> DatabaseConnection::readHeader() const {
  Header header;
  StringRef doing = "read the schema";
  Expected<int64_t> value = queryInteger("PRAGMA application_id", doing);
  if (!value)
    return value.takeError();
  header.applicationId = *value;
  if (!(value = queryInteger("PRAGMA user_version", doing)))
    return value.takeError();
  header.userVersion = *value;
  if (!(value = queryInteger("SELECT count(*) FROM sqlite_schema", doing)))
    return value.takeError();
  header.objects = *value;
  return header;
}

Expected<StringSet<>> DatabaseConnection::readColumnNames() const {
  StringRef doing = "read the schema";
  Expected<Statement> columns =
      prepare("SELECT name FROM pragma_table_info('records')", doing);
  if (!columns)
    return columns.takeError();
  StringSet<> names;
  int rc;
  while ((rc = sqlite3_step(columns->get())) == SQLITE_ROW)
    names.insert(columnText(columns->get(), 0));
  if (rc != SQLITE_DONE)
    return failure(doing);
  return names;
}

Error DatabaseConnection::migrateVersion1To2() const {
  // Another process may be upgrading the same file: check again inside the
  // write transaction. Old records get NULL features, i.e. none. A crash
  // before COMMIT leaves the file at version 1, unchanged.
  StringRef doing = "upgrade the schema from version 1 to 2";
  if (Error error = exec("BEGIN IMMEDIATE", doing))
    return error;
  auto rollback = make_scope_exit(
      [&] { sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); });
  Expected<Header> header = readHeader();
  if (!header)
    return header.takeError();
  if (header->userVersion == 1) {
    Expected<StringSet<>> columns = readColumnNames();
    if (!columns)
      return columns.takeError();
    if (!columns->contains(kFeaturesColumn))
      if (Error error =
              exec("ALTER TABLE records ADD COLUMN features BLOB", doing))
        return error;
    if (Error error = exec("PRAGMA user_version = 2", doing))
      return error;
  }
  if (Error error = exec("COMMIT", doing))
    return error;
  rollback.release();
  return Error::success();
}

Error DatabaseConnection::readFeatures(sqlite3_stmt *stmt, int i,
                                       TuningRecord &record) const {
  record.features.clear();
  switch (sqlite3_column_type(stmt, i)) {
  case SQLITE_NULL:
    return Error::success();
  case SQLITE_BLOB:
    break;
  default:
    return invalidDatabase(
        path, formatv("record {0} has features that are not a BLOB", record.id)
                  .str());
  }
  // Blob first, then its size (SQLite's order).
  const auto *bytes =
      static_cast<const unsigned char *>(sqlite3_column_blob(stmt, i));
  size_t size = sqlite3_column_bytes(stmt, i);
  if (size % sizeof(uint32_t) != 0)
    return invalidDatabase(
        path, formatv("record {0} has a features BLOB of {1} bytes, not a "
                      "whole number of 4-byte floats",
                      record.id, size)
                  .str());
  if (size == 0)
    return Error::success();
  if (!bytes)
    return failure("read the features of a record");
  record.features.resize(size / sizeof(uint32_t));
  for (size_t n = 0; n < record.features.size(); ++n) {
    float value = llvm::bit_cast<float>(
        support::endian::read32le(bytes + n * sizeof(uint32_t)));
    record.features[n] = value;
    if (!std::isfinite(value))
      return invalidDatabase(
          path, formatv("record {0} has a non-finite feature {1} ({2})",
                        record.id, n, value)
                    .str());
  }
  return Error::success();
}

Expected<bool> DatabaseConnection::initialize(bool readOnly) const {
  // Damage first: quick_check reads every page (without matching indexes
  // to tables), which finds truncated files and broken b-trees. A file that
  // is not SQLite at all fails here with "file is not a database".
  {
    StringRef doing = "check the file";
    Expected<Statement> check = prepare("PRAGMA quick_check(1)", doing);
    if (!check)
      return check.takeError();
    if (sqlite3_step(check->get()) != SQLITE_ROW)
      return failure(doing);
    std::string verdict = columnText(check->get(), 0);
    if (verdict != "ok") {
      std::replace(verdict.begin(), verdict.end(), '\n', ' ');
      return invalidDatabase(
          path, "the file is damaged (quick_check: " + verdict + ")");
    }
  }

  Expected<Header> header = readHeader();
  if (!header)
    return header.takeError();
  if (header->applicationId == 0 && header->objects == 0) {
    // An empty file (new, or 0 bytes): create the schema. Another process
    // may be doing the same, so check again inside the write transaction.
    if (readOnly)
      return createStringError(std::errc::no_such_file_or_directory,
                               "tuning database '%s' is empty: it holds no "
                               "records yet",
                               path.str().c_str());
    if (Error error = exec("BEGIN IMMEDIATE", "create the schema"))
      return std::move(error);
    auto rollback = make_scope_exit(
        [&] { sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); });
    header = readHeader();
    if (!header)
      return header.takeError();
    if (header->applicationId == 0 && header->objects == 0) {
      std::string pragmas =
          formatv("PRAGMA application_id = {0}; PRAGMA user_version = {1};",
                  kApplicationId, TuningDatabase::kSchemaVersion);
      if (Error error = exec(kSchema, "create the schema"))
        return std::move(error);
      if (Error error = exec(pragmas.c_str(), "create the schema"))
        return std::move(error);
    }
    if (Error error = exec("COMMIT", "create the schema"))
      return std::move(error);
    rollback.release();
    if (!(header = readHeader()))
      return header.takeError();
  }

  if (header->applicationId != kApplicationId)
    return invalidDatabase(
        path, formatv("it is another program's SQLite database (application "
                      "id {0:x}, not Lathe's {1:x})",
                      header->applicationId, kApplicationId)
                  .str());
  if (header->userVersion > TuningDatabase::kSchemaVersion)
    return createStringError(
        std::errc::not_supported,
        "tuning database '%s' has schema version %lld, newer than the %d "
        "this Lathe reads: it was written by a newer Lathe; use that one, or "
        "another database file",
        path.str().c_str(), static_cast<long long>(header->userVersion),
        TuningDatabase::kSchemaVersion);
  if (header->userVersion < 1)
    return invalidDatabase(
        path, formatv("unknown schema version {0}", header->userVersion).str());

  // The table is there with the columns the queries use. Checked before
  // the upgrade, so that a refused file is left alone.
  Expected<StringSet<>> present = readColumnNames();
  if (!present)
    return present.takeError();
  if (present->empty())
    return invalidDatabase(path, "it has no 'records' table");
  auto missing = [&](StringRef column) {
    return invalidDatabase(
        path, formatv("its 'records' table has no column '{0}'", column).str());
  };
  for (const char *column : kVersion1ColumnNames)
    if (!present->contains(column))
      return missing(column);

  int64_t version = header->userVersion;
  if (version == 1 && !readOnly) {
    if (Error error = migrateVersion1To2())
      return std::move(error);
    if (!(present = readColumnNames()))
      return present.takeError();
    version = 2;
  }
  // Read-only, a version-1 file is read as it is, without features.
  bool hasFeatures = present->contains(kFeaturesColumn);
  if (version >= 2 && !hasFeatures)
    return missing(kFeaturesColumn);
  return hasFeatures;
}

//===----------------------------------------------------------------------===//
// TuningDatabase
//===----------------------------------------------------------------------===//

TuningDatabase::TuningDatabase(sqlite3 *db, std::string path, bool readOnly)
    : db(db), path(std::move(path)), readOnly(readOnly) {}

TuningDatabase::~TuningDatabase() { sqlite3_close_v2(db); }

Expected<std::unique_ptr<TuningDatabase>> TuningDatabase::open(StringRef path,
                                                               bool readOnly) {
  if (path.empty())
    return createStringError(std::errc::invalid_argument,
                             "no path given for the tuning database");
  if (readOnly && !sys::fs::exists(path))
    return createStringError(std::errc::no_such_file_or_directory,
                             "tuning database '%s' does not exist",
                             path.str().c_str());
  if (!readOnly) {
    StringRef parent = sys::path::parent_path(path);
    if (!parent.empty())
      if (std::error_code ec = sys::fs::create_directories(parent))
        return createStringError(
            ec, "cannot create directory '%s' for tuning database '%s': %s",
            parent.str().c_str(), path.str().c_str(), ec.message().c_str());
  }
  if (sys::fs::is_directory(path))
    return createStringError(std::errc::is_a_directory,
                             "tuning database '%s' is a directory",
                             path.str().c_str());

  // SQLite may read a name starting with "file:" as a URI.
  std::string name = path.str();
  if (path.starts_with("file:"))
    name = "./" + name;
  int flags = readOnly ? SQLITE_OPEN_READONLY
                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  // The object owns the handle from here on, even if opening failed.
  std::unique_ptr<TuningDatabase> database(
      new TuningDatabase(db, path.str(), readOnly));
  if (!db)
    return createStringError(std::errc::not_enough_memory,
                             "cannot open tuning database '%s': out of memory",
                             path.str().c_str());
  DatabaseConnection connection(db, database->path);
  if (rc != SQLITE_OK)
    return connection.failure("open it");
  sqlite3_busy_timeout(db, kBusyTimeoutMs);

  Expected<bool> hasFeatures = connection.initialize(readOnly);
  if (!hasFeatures)
    return hasFeatures.takeError();
  database->hasFeatures = *hasFeatures;
  if (!readOnly) {
    // WAL lets `lathe compile` read while a tuner writes; with FULL, a
    // committed record survives even a power cut.
    if (Error error = connection.exec(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
            "set the journal mode"))
      return std::move(error);
  }
  return std::move(database);
}

std::string TuningDatabase::defaultPath() {
  SmallString<256> dir;
  // The XDG base directory spec says to ignore relative paths.
  std::optional<std::string> xdg = sys::Process::GetEnv("XDG_CACHE_HOME");
  if (xdg && sys::path::is_absolute(*xdg)) {
    dir = *xdg;
  } else if (sys::path::home_directory(dir)) {
    sys::path::append(dir, ".cache");
  } else {
    sys::path::system_temp_directory(/*ErasedOnReboot=*/false, dir);
  }
  sys::path::append(dir, "lathe", "tuning.db");
  return std::string(dir);
}

Expected<int64_t> TuningDatabase::add(const TuningRecord &record) {
  if (std::string wrong = checkRecord(record); !wrong.empty())
    return createStringError(std::errc::invalid_argument,
                             "invalid tuning record for workload '%s' on "
                             "'%s': %s",
                             record.workloadKey.c_str(), record.target.c_str(),
                             wrong.c_str());
  if (readOnly)
    return createStringError(std::errc::read_only_file_system,
                             "tuning database '%s' was opened read-only",
                             path.c_str());
  DatabaseConnection connection(db, path);
  StringRef doing = "add a record";
  Expected<Statement> insert = connection.prepare(insertSql(), doing);
  if (!insert)
    return insert.takeError();
  TuningRecord stored = record;
  if (!json::isUTF8(stored.note))
    stored.note = json::fixUTF8(stored.note);
  if (bindRecord(insert->get(), stored) != SQLITE_OK ||
      sqlite3_step(insert->get()) != SQLITE_DONE)
    return connection.failure(doing);
  return sqlite3_last_insert_rowid(db);
}

Expected<std::optional<TuningRecord>>
TuningDatabase::best(StringRef workloadKey, StringRef target) {
  Expected<std::vector<TuningRecord>> found =
      DatabaseConnection(db, path, hasFeatures)
          .readWorkloadRecords(workloadKey, target, "status = 'ok'",
                               "median_us, id LIMIT 1", "find the best record");
  if (!found)
    return found.takeError();
  if (found->empty())
    return std::nullopt;
  return std::move(found->front());
}

Expected<std::vector<TuningRecord>>
TuningDatabase::records(StringRef workloadKey, StringRef target) {
  return DatabaseConnection(db, path, hasFeatures)
      .readWorkloadRecords(workloadKey, target, /*filter=*/"", "id",
                           "read records");
}

Expected<std::vector<TuningRecord>> TuningDatabase::allRecords() {
  return DatabaseConnection(db, path, hasFeatures)
      .readAllRecords("read records");
}

Expected<size_t> TuningDatabase::count() {
  Expected<int64_t> n = DatabaseConnection(db, path).queryInteger(
      "SELECT count(*) FROM records", "count records");
  if (!n)
    return n.takeError();
  return static_cast<size_t>(*n);
}

Error TuningDatabase::exportJsonLines(raw_ostream &os) {
  Expected<std::vector<TuningRecord>> all = allRecords();
  if (!all)
    return all.takeError();
  for (const TuningRecord &record : *all)
    os << recordToJson(record) << '\n';
  return Error::success();
}

Expected<size_t> TuningDatabase::importJsonLines(StringRef text,
                                                 StringRef sourceName) {
  if (readOnly)
    return createStringError(std::errc::read_only_file_system,
                             "tuning database '%s' was opened read-only",
                             path.c_str());
  DatabaseConnection connection(db, path);
  StringRef doing = "import records";
  Expected<Statement> find = connection.prepare(
      "SELECT 1 FROM records WHERE workload_key = ?1 AND target = ?2 AND "
      "config = ?3 AND status = ?4 AND median_us = ?5 AND min_us = ?6 AND "
      "max_us = ?7 AND repeats = ?8 AND features_version = ?9 AND "
      "compiler_version = ?10 AND unix_time = ?11 AND note = ?12 AND "
      "features IS ?13 LIMIT 1",
      doing);
  if (!find)
    return find.takeError();
  Expected<Statement> insert = connection.prepare(insertSql(), doing);
  if (!insert)
    return insert.takeError();

  // One transaction: an error anywhere leaves the database as it was.
  if (Error error = connection.exec("BEGIN IMMEDIATE", doing))
    return std::move(error);
  auto rollback = make_scope_exit(
      [&] { sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); });
  size_t added = 0;
  size_t lineNumber = 0;
  while (!text.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    ++lineNumber;
    line = line.trim();
    if (line.empty())
      continue;
    auto lineError = [&](const Twine &what) {
      return createStringError(std::errc::invalid_argument, "%s:%zu: %s",
                               sourceName.str().c_str(), lineNumber,
                               what.str().c_str());
    };
    Expected<json::Value> value = json::parse(line);
    if (!value)
      return lineError("invalid JSON: " + toString(value.takeError()));
    Expected<TuningRecord> record = recordFromJson(*value);
    if (!record)
      return lineError(toString(record.takeError()));

    sqlite3_reset(find->get());
    if (bindRecord(find->get(), *record) != SQLITE_OK)
      return connection.failure(doing);
    int rc = sqlite3_step(find->get());
    if (rc == SQLITE_ROW)
      continue; // Already there.
    if (rc != SQLITE_DONE)
      return connection.failure(doing);
    sqlite3_reset(insert->get());
    if (bindRecord(insert->get(), *record) != SQLITE_OK ||
        sqlite3_step(insert->get()) != SQLITE_DONE)
      return connection.failure(doing);
    ++added;
  }
  if (Error error = connection.exec("COMMIT", doing))
    return std::move(error);
  rollback.release();
  return added;
}

} // namespace lathe::autotune
