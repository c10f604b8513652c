//===- DatabaseTest.cpp - Unit tests of the tuning database ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests the tuning database: adding and querying records (the best record
// skips failed trials, targets are kept apart, records persist, feature
// vectors round-trip in their little-endian float32 BLOB), the JSON lines
// export and import (round trip, features included, duplicates skipped,
// invalid lines named by number), the upgrade of a version-1 file and the
// read-only use of one, the refusal of damaged or foreign files (random
// bytes, text, a truncated database, another program's database, a missing
// column, a newer schema, a features BLOB of the wrong length) with messages
// naming the file, and durability when a writer is killed with SIGKILL in
// the middle of adding records.
//
//===----------------------------------------------------------------------===//

#include "autotune/Database.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <limits>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lathe::autotune;
using namespace llvm;

namespace {

/// A record of `key` on `target` with median latency `medianUs`.
TuningRecord makeRecord(StringRef key, StringRef target, double medianUs,
                        TrialStatus status = TrialStatus::Ok) {
  static int64_t clock = 1700000000;
  TuningRecord record;
  record.workloadKey = key.str();
  record.target = target.str();
  record.config = "#sched.config<tiles = [[64, 64, 256], [6, 16, 1]], "
                  "vector = 16, unroll = 1, parallel = [0]>";
  record.status = status;
  record.medianUs = medianUs;
  record.minUs = medianUs * 0.9;
  record.maxUs = medianUs * 1.25;
  record.repeats = status == TrialStatus::Ok ? 10 : 0;
  record.featuresVersion = 3;
  record.compilerVersion = "v0.1-42-g8310262";
  record.unixTime = ++clock;
  return record;
}

/// The message of a failed call (and a test failure if it succeeded).
template <typename T> std::string errorOf(Expected<T> value) {
  if (value) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return toString(value.takeError());
}

/// Runs `sql` on the SQLite file at `path` behind the database's back.
void execRaw(StringRef path, const char *sql) {
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.str().c_str(), &db), SQLITE_OK);
  char *message = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

/// The integer in the first column of the first row of `sql`, run on the
/// SQLite file at `path` behind the database's back; -1 on an error.
int64_t queryRaw(StringRef path, const char *sql) {
  sqlite3 *db = nullptr;
  int64_t result = -1;
  if (sqlite3_open_v2(path.str().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      result = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return result;
}

/// The names of the columns of `records` in the file at `path`, in order.
std::vector<std::string> columnsRaw(StringRef path) {
  std::vector<std::string> names;
  sqlite3 *db = nullptr;
  if (sqlite3_open_v2(path.str().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('records')",
                           -1, &stmt, nullptr) == SQLITE_OK)
      while (sqlite3_step(stmt) == SQLITE_ROW)
        names.push_back(
            reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return names;
}

/// A database file as Lathe wrote it before feature vectors were stored:
/// schema version 1, exactly as that version created it.
constexpr const char *kVersion1Schema = R"sql(
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
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX records_by_workload
  ON records (workload_key, target, status, median_us);
PRAGMA application_id = 1279349832;
PRAGMA user_version = 1;
PRAGMA journal_mode = WAL;
INSERT INTO records (workload_key, target, config, status, median_us,
                     min_us, max_us, repeats, features_version,
                     compiler_version, unix_time, note)
  VALUES ('old', 'cpu', '#sched.config<vector = 8>', 'ok', 12.5, 11, 14, 10,
          1, 'v0.1-7-gabcdef0', 1700000001, 'from version 1');
)sql";

/// The record that kVersion1Schema inserts.
TuningRecord version1Record() {
  TuningRecord record;
  record.workloadKey = "old";
  record.target = "cpu";
  record.config = "#sched.config<vector = 8>";
  record.status = TrialStatus::Ok;
  record.medianUs = 12.5;
  record.minUs = 11;
  record.maxUs = 14;
  record.repeats = 10;
  record.featuresVersion = 1;
  record.compilerVersion = "v0.1-7-gabcdef0";
  record.unixTime = 1700000001;
  record.note = "from version 1";
  return record;
}

/// A feature vector with values that need every bit of a float.
std::vector<float> someFeatures() {
  return {0.1f,
          -2.5f,
          0.0f,
          1.0f,
          1e-30f,
          std::numeric_limits<float>::max(),
          std::numeric_limits<float>::denorm_min(),
          -0.0f,
          123456.789f};
}

class DatabaseTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("lathe-db-test", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }

  /// A path in the test's directory.
  std::string file(StringRef name) const {
    SmallString<128> path(dir);
    sys::path::append(path, name);
    return std::string(path);
  }

  /// Opens `path`, failing the test on an error.
  std::unique_ptr<TuningDatabase> open(StringRef path, bool readOnly = false) {
    Expected<std::unique_ptr<TuningDatabase>> db =
        TuningDatabase::open(path, readOnly);
    if (!db) {
      ADD_FAILURE() << toString(db.takeError());
      return nullptr;
    }
    return std::move(*db);
  }

  /// Writes `bytes` to `path`.
  void writeFile(StringRef path, StringRef bytes) {
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << bytes;
  }

  /// Checks that opening `path` fails with a message naming the file and
  /// saying it is not a valid tuning database, in both modes, and that the
  /// file is left alone. Returns the message.
  std::string expectRefused(StringRef path) {
    uint64_t size = 0;
    EXPECT_FALSE(sys::fs::file_size(path, size));
    std::string message;
    for (bool readOnly : {false, true}) {
      message = errorOf(TuningDatabase::open(path, readOnly));
      EXPECT_NE(message.find("'" + path.str() + "'"), std::string::npos)
          << message;
      EXPECT_NE(message.find("is not a valid Lathe tuning database"),
                std::string::npos)
          << message;
      EXPECT_NE(message.find("move it away or delete it"), std::string::npos)
          << message;
    }
    uint64_t after = 0;
    EXPECT_FALSE(sys::fs::file_size(path, after));
    EXPECT_EQ(after, size);
    return message;
  }

  SmallString<128> dir;
};

TEST_F(DatabaseTest, AddAndReadBack) {
  // The parent directories are created.
  std::string path = file("cache/lathe/tuning.db");
  auto db = open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->getPath(), path);

  TuningRecord first = makeRecord("matmul_1024", "x86_64-avx512", 812.5);
  first.note = "first \"try\"\nwith a newline";
  TuningRecord second =
      makeRecord("matmul_1024", "x86_64-avx512", 0, TrialStatus::Crash);
  second.note = "signal 11 (SIGSEGV)";
  Expected<int64_t> firstId = db->add(first);
  Expected<int64_t> secondId = db->add(second);
  ASSERT_TRUE(bool(firstId)) << toString(firstId.takeError());
  ASSERT_TRUE(bool(secondId)) << toString(secondId.takeError());
  EXPECT_LT(*firstId, *secondId);

  Expected<std::vector<TuningRecord>> records =
      db->records("matmul_1024", "x86_64-avx512");
  ASSERT_TRUE(bool(records)) << toString(records.takeError());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_TRUE((*records)[0].sameMeasurement(first));
  EXPECT_TRUE((*records)[1].sameMeasurement(second));
  EXPECT_EQ((*records)[0].id, *firstId);
  EXPECT_EQ((*records)[1].id, *secondId);
  EXPECT_EQ((*records)[1].status, TrialStatus::Crash);

  Expected<std::optional<TuningRecord>> best =
      db->best("matmul_1024", "x86_64-avx512");
  ASSERT_TRUE(bool(best)) << toString(best.takeError());
  ASSERT_TRUE(best->has_value());
  EXPECT_TRUE((*best)->sameMeasurement(first));
  EXPECT_EQ((*best)->id, *firstId);

  Expected<size_t> count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 2u);
}

TEST_F(DatabaseTest, FeaturesRoundTrip) {
  std::string path = file("tuning.db");
  auto db = open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 2);

  TuningRecord withFeatures = makeRecord("gemm", "cpu", 10);
  withFeatures.features = someFeatures();
  TuningRecord without = makeRecord("gemm", "cpu", 20);
  TuningRecord long111 = makeRecord("gemm", "cpu", 30);
  for (int i = 0; i < 111; ++i)
    long111.features.push_back(static_cast<float>(i) / 7);
  Expected<int64_t> firstId = db->add(withFeatures);
  ASSERT_TRUE(bool(firstId)) << toString(firstId.takeError());
  ASSERT_TRUE(bool(db->add(without)));
  ASSERT_TRUE(bool(db->add(long111)));

  // The encoding: little-endian float32s, nothing else; no features is NULL.
  EXPECT_EQ(queryRaw(path, "SELECT length(features) FROM records ORDER BY id"),
            4 * 9);
  EXPECT_EQ(queryRaw(path, "SELECT hex(substr(features, 5, 4)) = '000020C0' "
                           "FROM records ORDER BY id"),
            1); // -2.5f is 0xC0200000.
  EXPECT_EQ(queryRaw(path, "SELECT count(*) FROM records WHERE features IS "
                           "NULL"),
            1);

  for (bool readOnly : {false, true}) {
    auto reader = readOnly ? open(path, /*readOnly=*/true) : std::move(db);
    ASSERT_TRUE(reader);
    Expected<std::vector<TuningRecord>> records =
        reader->records("gemm", "cpu");
    ASSERT_TRUE(bool(records)) << toString(records.takeError());
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ((*records)[0].features, someFeatures());
    EXPECT_TRUE((*records)[1].features.empty());
    EXPECT_EQ((*records)[2].features, long111.features);
    EXPECT_EQ((*records)[2].features.size(), 111u);
    EXPECT_EQ((*records)[2].features[110], 110.0f / 7);
    for (size_t i = 0; i < 3; ++i)
      EXPECT_TRUE((*records)[i].sameMeasurement(
          std::vector<TuningRecord>{withFeatures, without, long111}[i]))
          << "record " << i;
    // -0 is stored as 0 (they compare equal); every other value bit for bit.
    EXPECT_FALSE(std::signbit((*records)[0].features[7]));

    Expected<std::optional<TuningRecord>> best = reader->best("gemm", "cpu");
    ASSERT_TRUE(best && best->has_value());
    EXPECT_EQ((*best)->id, *firstId);
    EXPECT_EQ((*best)->features, someFeatures());

    Expected<std::vector<TuningRecord>> all = reader->allRecords();
    ASSERT_TRUE(bool(all));
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].features, someFeatures());
    EXPECT_EQ((*all)[2].features, long111.features);
  }

  // Features take part in sameMeasurement.
  TuningRecord other = withFeatures;
  other.features.back() = 7;
  EXPECT_NE(other.features.back(), withFeatures.features.back());
  EXPECT_FALSE(other.sameMeasurement(withFeatures));
  other.features.clear();
  EXPECT_FALSE(other.sameMeasurement(withFeatures));
}

TEST_F(DatabaseTest, BestIsTheFastestSuccessfulRecord) {
  auto db = open(file("tuning.db"));
  ASSERT_TRUE(db);
  // Failed trials with timings lower than every successful one.
  for (TuningRecord record :
       {makeRecord("conv", "cpu", 30),
        makeRecord("conv", "cpu", 1, TrialStatus::Crash),
        makeRecord("conv", "cpu", 10),
        makeRecord("conv", "cpu", 2, TrialStatus::Timeout),
        makeRecord("conv", "cpu", 20),
        makeRecord("conv", "cpu", 3, TrialStatus::WrongResult),
        makeRecord("conv", "cpu", 0, TrialStatus::CompileError),
        makeRecord("only-failures", "cpu", 5, TrialStatus::Crash)})
    ASSERT_TRUE(bool(db->add(record)));

  Expected<std::optional<TuningRecord>> best = db->best("conv", "cpu");
  ASSERT_TRUE(bool(best)) << toString(best.takeError());
  ASSERT_TRUE(best->has_value());
  EXPECT_EQ((*best)->medianUs, 10);
  EXPECT_EQ((*best)->status, TrialStatus::Ok);

  for (StringRef key : {"only-failures", "unknown"}) {
    Expected<std::optional<TuningRecord>> none = db->best(key, "cpu");
    ASSERT_TRUE(bool(none)) << toString(none.takeError());
    EXPECT_FALSE(none->has_value()) << key.str();
  }
}

TEST_F(DatabaseTest, TargetsAreKeptApart) {
  auto db = open(file("tuning.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(bool(db->add(makeRecord("gemm", "x86_64-avx2", 50))));
  ASSERT_TRUE(bool(db->add(makeRecord("gemm", "x86_64-avx512", 40))));
  ASSERT_TRUE(bool(db->add(makeRecord("gemm", "x86_64-avx2", 45))));
  ASSERT_TRUE(bool(db->add(makeRecord("gemm", "sm_90", 5))));

  Expected<std::optional<TuningRecord>> avx2 = db->best("gemm", "x86_64-avx2");
  ASSERT_TRUE(avx2 && avx2->has_value());
  EXPECT_EQ((*avx2)->medianUs, 45);
  EXPECT_EQ((*avx2)->target, "x86_64-avx2");
  Expected<std::optional<TuningRecord>> avx512 =
      db->best("gemm", "x86_64-avx512");
  ASSERT_TRUE(avx512 && avx512->has_value());
  EXPECT_EQ((*avx512)->medianUs, 40);

  Expected<std::vector<TuningRecord>> records =
      db->records("gemm", "x86_64-avx2");
  ASSERT_TRUE(bool(records));
  EXPECT_EQ(records->size(), 2u);
  Expected<std::vector<TuningRecord>> none = db->records("gemm", "aarch64");
  ASSERT_TRUE(bool(none));
  EXPECT_TRUE(none->empty());
}

TEST_F(DatabaseTest, RecordsPersistAcrossOpens) {
  std::string path = file("tuning.db");
  TuningRecord record = makeRecord("softmax", "cpu", 7.25);
  {
    auto db = open(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(bool(db->add(record)));
  }
  auto db = open(path);
  ASSERT_TRUE(db);
  Expected<std::vector<TuningRecord>> records = db->records("softmax", "cpu");
  ASSERT_TRUE(bool(records));
  ASSERT_EQ(records->size(), 1u);
  EXPECT_TRUE(records->front().sameMeasurement(record));

  // Read-only: reads work, writes are refused by name.
  auto reader = open(path, /*readOnly=*/true);
  ASSERT_TRUE(reader);
  Expected<std::optional<TuningRecord>> best = reader->best("softmax", "cpu");
  ASSERT_TRUE(best && best->has_value());
  std::string message = errorOf(reader->add(record));
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
  message = errorOf(reader->importJsonLines("", "x.jsonl"));
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
}

TEST_F(DatabaseTest, TwoConnectionsShareAFile) {
  std::string path = file("tuning.db");
  auto writer = open(path);
  auto reader = open(path);
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(bool(writer->add(makeRecord("k", "cpu", 1))));
  Expected<size_t> count = reader->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 1u);
}

TEST_F(DatabaseTest, ReadOnlyOpenOfAMissingFile) {
  std::string path = file("missing.db");
  Expected<std::unique_ptr<TuningDatabase>> db =
      TuningDatabase::open(path, /*readOnly=*/true);
  ASSERT_FALSE(bool(db));
  Error error = db.takeError();
  EXPECT_EQ(errorToErrorCode(std::move(error)),
            std::errc::no_such_file_or_directory);
  EXPECT_NE(errorOf(TuningDatabase::open(path, true)).find(path),
            std::string::npos);
  EXPECT_FALSE(sys::fs::exists(path));
}

TEST_F(DatabaseTest, AnEmptyFileBecomesADatabase) {
  std::string path = file("empty.db");
  writeFile(path, "");
  // Read-only, an empty file is like a missing one.
  Expected<std::unique_ptr<TuningDatabase>> reader =
      TuningDatabase::open(path, /*readOnly=*/true);
  ASSERT_FALSE(bool(reader));
  EXPECT_EQ(errorToErrorCode(reader.takeError()),
            std::errc::no_such_file_or_directory);
  auto db = open(path);
  ASSERT_TRUE(db);
  ASSERT_TRUE(bool(db->add(makeRecord("k", "cpu", 1))));
}

TEST_F(DatabaseTest, InvalidRecordsAreRefused) {
  auto db = open(file("tuning.db"));
  ASSERT_TRUE(db);
  TuningRecord noKey = makeRecord("", "cpu", 1);
  EXPECT_NE(errorOf(db->add(noKey)).find("empty workload key"),
            std::string::npos);
  TuningRecord notANumber = makeRecord("nan", "cpu", 1);
  notANumber.medianUs = std::nan("");
  std::string message = errorOf(db->add(notANumber));
  EXPECT_NE(message.find("workload 'nan' on 'cpu'"), std::string::npos)
      << message;
  TuningRecord unordered = makeRecord("k", "cpu", 1);
  unordered.minUs = 2;
  message = errorOf(db->add(unordered));
  EXPECT_NE(message.find("does not hold"), std::string::npos) << message;
  Expected<size_t> count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 0u);
}

TEST_F(DatabaseTest, NonFiniteFeaturesAreRefused) {
  auto db = open(file("tuning.db"));
  ASSERT_TRUE(db);
  TuningRecord record = makeRecord("k", "cpu", 1);
  record.features = {1, std::nanf(""), 2};
  EXPECT_EQ(errorOf(db->add(record)),
            "invalid tuning record for workload 'k' on 'cpu': feature 1 is "
            "nan, not a finite number");
  record.features = {std::numeric_limits<float>::infinity()};
  EXPECT_EQ(errorOf(db->add(record)),
            "invalid tuning record for workload 'k' on 'cpu': feature 0 is "
            "INF, not a finite number");
  Expected<size_t> count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 0u);
}

TEST_F(DatabaseTest, JsonLinesRoundTrip) {
  auto source = open(file("source.db"));
  ASSERT_TRUE(source);
  TuningRecord odd = makeRecord("k\"ey", "cpu", 0.1 + 0.2);
  odd.note = "tab\t, newline\n, unicode \xc3\xa9\xe2\x82\xac";
  odd.unixTime = 4102444800123;
  for (TuningRecord record : {makeRecord("a", "cpu", 12.5), odd,
                              makeRecord("a", "cpu", 3, TrialStatus::Timeout),
                              makeRecord("b", "sm_90", 1e-3)})
    ASSERT_TRUE(bool(source->add(record)));
  std::string text;
  raw_string_ostream os(text);
  ASSERT_FALSE(bool(source->exportJsonLines(os)));
  EXPECT_EQ(StringRef(text).count('\n'), 4u);

  auto copy = open(file("copy.db"));
  ASSERT_TRUE(copy);
  Expected<size_t> added = copy->importJsonLines(text, "records.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  EXPECT_EQ(*added, 4u);
  Expected<std::vector<TuningRecord>> before = source->allRecords();
  Expected<std::vector<TuningRecord>> after = copy->allRecords();
  ASSERT_TRUE(before && after);
  ASSERT_EQ(before->size(), after->size());
  for (size_t i = 0; i < before->size(); ++i)
    EXPECT_TRUE((*before)[i].sameMeasurement((*after)[i])) << "record " << i;

  // A second import adds nothing, and the export is the same text.
  added = copy->importJsonLines(text, "records.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  EXPECT_EQ(*added, 0u);
  Expected<size_t> count = copy->count();
  ASSERT_TRUE(bool(count));
  EXPECT_EQ(*count, 4u);
  std::string again;
  raw_string_ostream againOs(again);
  ASSERT_FALSE(bool(copy->exportJsonLines(againOs)));
  EXPECT_EQ(again, text);
}

TEST_F(DatabaseTest, JsonLinesCarryFeatures) {
  auto source = open(file("source.db"));
  ASSERT_TRUE(source);
  TuningRecord withFeatures = makeRecord("a", "cpu", 5);
  withFeatures.features = someFeatures();
  TuningRecord without = makeRecord("a", "cpu", 6);
  TuningRecord small = makeRecord("b", "cpu", 7);
  small.features = {1, -2, 0.5f};
  for (const TuningRecord &record : {withFeatures, without, small})
    ASSERT_TRUE(bool(source->add(record)));
  std::string text;
  raw_string_ostream os(text);
  ASSERT_FALSE(bool(source->exportJsonLines(os)));
  SmallVector<StringRef> lines;
  StringRef(text).rtrim('\n').split(lines, '\n');
  ASSERT_EQ(lines.size(), 3u);
  // The key only when there are features; floats that are integers print
  // as integers, keys in alphabetical order.
  EXPECT_NE(lines[0].find("\"features\":[0.10000000149011612,-2.5,0,1,"),
            StringRef::npos)
      << lines[0].str();
  EXPECT_EQ(lines[1].find("\"features\":"), StringRef::npos) << lines[1].str();
  EXPECT_NE(lines[2].find(",\"features\":[1,-2,0.5],\"features_version\":3,"),
            StringRef::npos)
      << lines[2].str();

  auto copy = open(file("copy.db"));
  ASSERT_TRUE(copy);
  Expected<size_t> added = copy->importJsonLines(text, "records.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  EXPECT_EQ(*added, 3u);
  Expected<std::vector<TuningRecord>> after = copy->allRecords();
  ASSERT_TRUE(bool(after));
  ASSERT_EQ(after->size(), 3u);
  EXPECT_EQ((*after)[0].features, someFeatures());
  EXPECT_TRUE((*after)[0].sameMeasurement(withFeatures));
  EXPECT_TRUE((*after)[1].features.empty());
  EXPECT_TRUE((*after)[1].sameMeasurement(without));
  EXPECT_EQ((*after)[2].features, (std::vector<float>{1, -2, 0.5f}));

  // Importing again adds nothing, nor does importing into the source (whose
  // -0 feature the export wrote as 0); a record that differs only in its
  // features is a new one, and so is one with no features at all.
  added = copy->importJsonLines(text, "records.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  EXPECT_EQ(*added, 0u);
  added = source->importJsonLines(text, "records.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  EXPECT_EQ(*added, 0u);
  std::string changed = lines[2].str();
  changed.replace(changed.find("[1,-2,0.5]"), 10, "[1,-2,0.25]");
  std::string dropped = lines[2].str();
  StringRef key = "\"features\":[1,-2,0.5],";
  dropped.erase(dropped.find(key.str()), key.size());
  added = copy->importJsonLines(changed + "\n" + dropped, "changed.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  EXPECT_EQ(*added, 2u);
  Expected<std::vector<TuningRecord>> records = copy->records("b", "cpu");
  ASSERT_TRUE(bool(records));
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].features, (std::vector<float>{1, -2, 0.25f}));
  EXPECT_TRUE((*records)[2].features.empty());

  // A JSON number that is not exactly a float is rounded to the nearest one.
  std::string rounded = lines[2].str();
  rounded.replace(rounded.find("[1,-2,0.5]"), 10, "[0.1,1e-50]");
  auto third = open(file("third.db"));
  ASSERT_TRUE(third);
  added = third->importJsonLines(rounded, "rounded.jsonl");
  ASSERT_TRUE(bool(added)) << toString(added.takeError());
  Expected<std::vector<TuningRecord>> read = third->allRecords();
  ASSERT_TRUE(read && read->size() == 1u);
  EXPECT_EQ(read->front().features, (std::vector<float>{0.1f, 0.0f}));
}

TEST_F(DatabaseTest, InvalidJsonLinesAreNamedByLine) {
  auto db = open(file("tuning.db"));
  ASSERT_TRUE(db);
  std::string good;
  {
    auto source = open(file("source.db"));
    ASSERT_TRUE(source);
    ASSERT_TRUE(bool(source->add(makeRecord("a", "cpu", 1))));
    raw_string_ostream os(good);
    ASSERT_FALSE(bool(source->exportJsonLines(os)));
  }
  StringRef line = StringRef(good).rtrim('\n');
  auto withKey = [&](StringRef key, StringRef value) {
    // Replaces the value of `key` in the good line.
    std::string text = line.str();
    size_t at = text.find("\"" + key.str() + "\":");
    size_t start = at + key.size() + 3;
    size_t end = text.find_first_of(",}", start);
    if (text[start] == '"')
      end = text.find('"', start + 1) + 1;
    return text.substr(0, start) + value.str() + text.substr(end);
  };

  struct Case {
    std::string badLine;
    const char *expected;
  };
  std::string extraKey = line.str();
  extraKey.replace(extraKey.find("\"target\""), 0, "\"x\":1,");
  auto withFeatures = [&](StringRef value) {
    // Adds a `features` key (the good line has none) with `value`.
    std::string text = line.str();
    text.replace(text.find("\"target\""), 0,
                 "\"features\":" + value.str() + ",");
    return text;
  };
  for (const Case &c : {
           Case{"{not json", "invalid JSON"},
           Case{"[1, 2]", "expected a JSON object"},
           Case{withKey("status", "\"slow\""), "unknown status 'slow'"},
           Case{withKey("median_us", "\"fast\""),
                "'median_us' must be a number"},
           Case{withKey("repeats", "1.5"), "'repeats' must be an integer"},
           Case{withKey("min_us", "-1"), "invalid record"},
           Case{extraKey, "unknown key 'x'"},
           Case{withFeatures("[1, \"2\"]"),
                "'features' entry 1 must be a number"},
           Case{withFeatures("[{}]"), "'features' entry 0 must be a number"},
           Case{withFeatures("[null]"), "'features' entry 0 must be a number"},
           Case{withFeatures("{\"0\": 1}"),
                "'features' must be an array of numbers"},
           Case{withFeatures("1.5"), "'features' must be an array of numbers"},
           Case{withFeatures("[0, 1e999]"),
                "'features' entry 1 is not a finite 32-bit float"},
           Case{withFeatures("[-1e39]"),
                "'features' entry 0 is not a finite 32-bit float"},
       }) {
    // A good line, a blank line, then the bad one: line 3.
    std::string text = line.str() + "\n\n" + c.badLine + "\n";
    std::string message = errorOf(db->importJsonLines(text, "shared.jsonl"));
    EXPECT_NE(message.find("shared.jsonl:3: "), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    // All or nothing: the good line was not added either.
    Expected<size_t> count = db->count();
    ASSERT_TRUE(bool(count));
    EXPECT_EQ(*count, 0u);
  }
  std::string noTarget = line.str();
  size_t at = noTarget.find("\"target\"");
  noTarget.erase(at, noTarget.find(',', at) + 1 - at);
  std::string message = errorOf(db->importJsonLines(noTarget, "one.jsonl"));
  EXPECT_NE(message.find("one.jsonl:1: 'target' is missing"), std::string::npos)
      << message;
}

TEST_F(DatabaseTest, RandomBytesAreRefused) {
  std::string path = file("random.db");
  std::mt19937 rng(7);
  std::string bytes(64 * 1024, '\0');
  for (char &byte : bytes)
    byte = static_cast<char>(rng());
  writeFile(path, bytes);
  std::string message = expectRefused(path);
  EXPECT_NE(message.find("not a SQLite file"), std::string::npos) << message;
}

TEST_F(DatabaseTest, ATextFileIsRefused) {
  std::string path = file("notes.txt");
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "This is a text file, not a tuning database.\n";
  writeFile(path, text);
  expectRefused(path);
  // Shorter than a SQLite header.
  writeFile(path, "hello\n");
  expectRefused(path);
}

TEST_F(DatabaseTest, ATruncatedDatabaseIsRefused) {
  std::string path = file("tuning.db");
  {
    auto db = open(path);
    ASSERT_TRUE(db);
    for (int i = 0; i < 2000; ++i)
      ASSERT_TRUE(bool(
          db->add(makeRecord("workload_" + std::to_string(i % 37), "cpu", i))));
  }
  uint64_t size = 0;
  ASSERT_FALSE(sys::fs::file_size(path, size));
  ASSERT_GT(size, 64u * 1024) << "the records should span many pages";
  {
    int fd;
    ASSERT_FALSE(sys::fs::openFileForReadWrite(
        path, fd, sys::fs::CD_OpenExisting, sys::fs::OF_None));
    ASSERT_FALSE(sys::fs::resize_file(fd, size / 2));
    ::close(fd);
  }
  std::string message = expectRefused(path);
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;
}

TEST_F(DatabaseTest, AnotherProgramsDatabaseIsRefused) {
  std::string path = file("other.db");
  execRaw(path, "CREATE TABLE songs (title TEXT);");
  std::string message = expectRefused(path);
  EXPECT_NE(message.find("another program's SQLite database"),
            std::string::npos)
      << message;
}

TEST_F(DatabaseTest, AMissingColumnIsRefused) {
  std::string path = file("tuning.db");
  ASSERT_TRUE(open(path));
  execRaw(path, "ALTER TABLE records DROP COLUMN note;");
  std::string message = expectRefused(path);
  EXPECT_NE(message.find("has no column 'note'"), std::string::npos) << message;

  // Version 2 without the column it added.
  std::string noFeatures = file("no-features.db");
  ASSERT_TRUE(open(noFeatures));
  execRaw(noFeatures, "ALTER TABLE records DROP COLUMN features;");
  message = expectRefused(noFeatures);
  EXPECT_NE(message.find("has no column 'features'"), std::string::npos)
      << message;

  // A version-1 file missing a column is refused before any upgrade.
  std::string old = file("old.db");
  execRaw(old, kVersion1Schema);
  execRaw(old, "ALTER TABLE records DROP COLUMN compiler_version;");
  message = expectRefused(old);
  EXPECT_NE(message.find("has no column 'compiler_version'"), std::string::npos)
      << message;
  EXPECT_EQ(queryRaw(old, "PRAGMA user_version"), 1);
  EXPECT_EQ(columnsRaw(old).size(), 12u);
}

TEST_F(DatabaseTest, ANewerSchemaIsRefused) {
  std::string path = file("tuning.db");
  {
    auto db = open(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(bool(db->add(makeRecord("k", "cpu", 1))));
  }
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 2);
  execRaw(path, "PRAGMA user_version = 3;");
  for (bool readOnly : {false, true}) {
    std::string message = errorOf(TuningDatabase::open(path, readOnly));
    EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("schema version 3, newer than the 2"),
              std::string::npos)
        << message;
  }
  // The file is not touched.
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 3);
}

TEST_F(DatabaseTest, AVersion1FileIsUpgradedOnAWritableOpen) {
  std::string path = file("old.db");
  execRaw(path, kVersion1Schema);
  ASSERT_EQ(queryRaw(path, "PRAGMA user_version"), 1);
  ASSERT_EQ(columnsRaw(path).size(), 13u);

  auto db = open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(queryRaw(path, "PRAGMA application_id"), 0x4C415448);
  std::vector<std::string> columns = columnsRaw(path);
  ASSERT_EQ(columns.size(), 14u);
  EXPECT_EQ(columns.back(), "features");

  // The old record is all there, without features.
  Expected<std::vector<TuningRecord>> old = db->records("old", "cpu");
  ASSERT_TRUE(bool(old)) << toString(old.takeError());
  ASSERT_EQ(old->size(), 1u);
  EXPECT_TRUE(old->front().sameMeasurement(version1Record()));
  EXPECT_TRUE(old->front().features.empty());
  EXPECT_EQ(old->front().id, 1);

  // New records keep their features.
  TuningRecord record = makeRecord("old", "cpu", 8);
  record.features = someFeatures();
  Expected<int64_t> id = db->add(record);
  ASSERT_TRUE(bool(id)) << toString(id.takeError());
  EXPECT_EQ(*id, 2);
  Expected<std::optional<TuningRecord>> best = db->best("old", "cpu");
  ASSERT_TRUE(best && best->has_value());
  EXPECT_EQ((*best)->id, 2);
  EXPECT_EQ((*best)->features, someFeatures());
  EXPECT_TRUE((*best)->sameMeasurement(record));

  // Opening again changes nothing; the file is sound.
  db.reset();
  db = open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(columnsRaw(path).size(), 14u);
  Expected<std::vector<TuningRecord>> all = db->allRecords();
  ASSERT_TRUE(bool(all)) << toString(all.takeError());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE((*all)[0].features.empty());
  EXPECT_EQ((*all)[1].features, someFeatures());
  EXPECT_EQ(queryRaw(path, "SELECT count(*) FROM pragma_integrity_check "
                           "WHERE integrity_check = 'ok'"),
            1);
}

TEST_F(DatabaseTest, AVersion1FileIsReadAsItIsWhenReadOnly) {
  std::string path = file("old.db");
  execRaw(path, kVersion1Schema);
  auto reader = open(path, /*readOnly=*/true);
  ASSERT_TRUE(reader);
  // Not upgraded.
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 1);
  EXPECT_EQ(columnsRaw(path).size(), 13u);

  Expected<std::optional<TuningRecord>> best = reader->best("old", "cpu");
  ASSERT_TRUE(bool(best)) << toString(best.takeError());
  ASSERT_TRUE(best->has_value());
  EXPECT_TRUE((*best)->sameMeasurement(version1Record()));
  EXPECT_TRUE((*best)->features.empty());
  Expected<std::vector<TuningRecord>> records = reader->records("old", "cpu");
  ASSERT_TRUE(records && records->size() == 1u);
  std::string text;
  raw_string_ostream os(text);
  ASSERT_FALSE(bool(reader->exportJsonLines(os)));
  EXPECT_EQ(StringRef(text).count('\n'), 1u);
  EXPECT_EQ(text.find("features\":["), std::string::npos) << text;

  // A writer upgrades the file under the reader, which keeps working.
  auto writer = open(path);
  ASSERT_TRUE(writer);
  EXPECT_EQ(queryRaw(path, "PRAGMA user_version"), 2);
  TuningRecord record = makeRecord("old", "cpu", 3);
  record.features = {4, 5};
  ASSERT_TRUE(bool(writer->add(record)));
  Expected<std::vector<TuningRecord>> all = reader->allRecords();
  ASSERT_TRUE(bool(all)) << toString(all.takeError());
  EXPECT_EQ(all->size(), 2u);
  // A new reader sees the features.
  auto newReader = open(path, /*readOnly=*/true);
  ASSERT_TRUE(newReader);
  best = newReader->best("old", "cpu");
  ASSERT_TRUE(best && best->has_value());
  EXPECT_EQ((*best)->features, (std::vector<float>{4, 5}));
}

TEST_F(DatabaseTest, ABadFeaturesBlobIsDamage) {
  std::string path = file("tuning.db");
  int64_t id;
  {
    auto db = open(path);
    ASSERT_TRUE(db);
    TuningRecord record = makeRecord("k", "cpu", 1);
    record.features = {1, 2};
    ASSERT_TRUE(bool(db->add(makeRecord("k", "cpu", 2))));
    Expected<int64_t> added = db->add(record);
    ASSERT_TRUE(bool(added));
    id = *added;
  }
  struct Case {
    const char *value;
    std::string expected;
  };
  std::string prefix = "tuning database '" + path +
                       "' is not a valid Lathe tuning database: record " +
                       std::to_string(id) + " has ";
  for (const Case &c : {
           Case{"x'0000803F000000'",
                "a features BLOB of 7 bytes, not a whole number of 4-byte "
                "floats"},
           Case{"x'0000C07F'", "a non-finite feature 0 (nan)"},
           Case{"x'0000803F0000807F'", "a non-finite feature 1 (INF)"},
           Case{"'1,2'", "features that are not a BLOB"},
           Case{"3.5", "features that are not a BLOB"},
       }) {
    execRaw(path, ("UPDATE records SET features = " + std::string(c.value) +
                   " WHERE id = " + std::to_string(id))
                      .c_str());
    // The file opens (its structure is sound); reading the record fails.
    auto db = open(path, /*readOnly=*/true);
    ASSERT_TRUE(db);
    std::string expected =
        prefix + c.expected + "; move it away or delete it to start a new one";
    EXPECT_EQ(errorOf(db->records("k", "cpu")), expected);
    EXPECT_EQ(errorOf(db->best("k", "cpu")), expected);
    EXPECT_EQ(errorOf(db->allRecords()), expected);
    std::string text;
    raw_string_ostream os(text);
    Error error = db->exportJsonLines(os);
    EXPECT_EQ(toString(std::move(error)), expected);
  }
  // An empty BLOB is no features, like NULL.
  execRaw(path,
          ("UPDATE records SET features = x'' WHERE id = " + std::to_string(id))
              .c_str());
  auto db = open(path);
  ASSERT_TRUE(db);
  Expected<std::vector<TuningRecord>> records = db->records("k", "cpu");
  ASSERT_TRUE(bool(records)) << toString(records.takeError());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_TRUE((*records)[1].features.empty());
}

TEST_F(DatabaseTest, KillNineLosesAtMostTheTrialInFlight) {
  std::string path = file("tuning.db");
  ASSERT_TRUE(open(path)); // Create the schema before forking.

  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // A tuner adding one record per trial, forever. No gtest here.
    Expected<std::unique_ptr<TuningDatabase>> db = TuningDatabase::open(path);
    if (!db)
      _exit(2);
    for (int i = 0;; ++i) {
      TuningRecord record =
          makeRecord("kernel_" + std::to_string(i % 5), "cpu", 1 + i % 97);
      record.note = std::string(i % 300, 'n'); // Records of varied sizes.
      record.features.assign(111, static_cast<float>(i));
      record.features[0] = static_cast<float>(record.medianUs);
      Expected<int64_t> id = (*db)->add(record);
      if (!id) {
        consumeError(id.takeError());
        _exit(3);
      }
    }
  }

  size_t seen = 0;
  {
    auto db = open(path);
    ASSERT_TRUE(db);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (seen < 50 && std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(child, &status, WNOHANG) == child) {
        FAIL() << "the writer exited early with status " << status;
      }
      Expected<size_t> count = db->count();
      ASSERT_TRUE(bool(count)) << toString(count.takeError());
      seen = *count;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_GE(seen, 50u) << "the writer was too slow";

  // The file opens cleanly (open runs quick_check), passes a full integrity
  // check, and keeps every record that was seen committed.
  auto db = open(path);
  ASSERT_TRUE(db);
  Expected<size_t> count = db->count();
  ASSERT_TRUE(bool(count));
  EXPECT_GE(*count, seen);
  Expected<std::vector<TuningRecord>> all = db->allRecords();
  ASSERT_TRUE(bool(all)) << toString(all.takeError());
  EXPECT_EQ(all->size(), *count);
  // Each record came with its whole feature vector.
  for (const TuningRecord &record : *all) {
    ASSERT_EQ(record.features.size(), 111u) << "record " << record.id;
    EXPECT_EQ(record.features[0], record.medianUs) << "record " << record.id;
  }
  ASSERT_TRUE(bool(db->add(makeRecord("after", "cpu", 1))));

  sqlite3 *raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt *check = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &check, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char *>(sqlite3_column_text(check, 0)),
               "ok");
  sqlite3_finalize(check);
  sqlite3_close(raw);
}

TEST(DatabaseDefaultPathTest, FollowsXdgCacheHome) {
  std::optional<std::string> oldXdg, oldHome;
  if (const char *value = getenv("XDG_CACHE_HOME"))
    oldXdg = value;
  if (const char *value = getenv("HOME"))
    oldHome = value;

  setenv("XDG_CACHE_HOME", "/var/cache/me", 1);
  EXPECT_EQ(TuningDatabase::defaultPath(), "/var/cache/me/lathe/tuning.db");
  setenv("XDG_CACHE_HOME", "relative/ignored", 1);
  setenv("HOME", "/home/me", 1);
  EXPECT_EQ(TuningDatabase::defaultPath(), "/home/me/.cache/lathe/tuning.db");
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(TuningDatabase::defaultPath(), "/home/me/.cache/lathe/tuning.db");

  if (oldXdg)
    setenv("XDG_CACHE_HOME", oldXdg->c_str(), 1);
  if (oldHome)
    setenv("HOME", oldHome->c_str(), 1);
  else
    unsetenv("HOME");
}

TEST(TrialStatusTest, SpellingsRoundTrip) {
  for (TrialStatus status :
       {TrialStatus::Ok, TrialStatus::Crash, TrialStatus::Timeout,
        TrialStatus::WrongResult, TrialStatus::CompileError})
    EXPECT_EQ(parseTrialStatus(stringifyTrialStatus(status)), status);
  EXPECT_EQ(stringifyTrialStatus(TrialStatus::WrongResult), "wrong-result");
  EXPECT_FALSE(parseTrialStatus("OK").has_value());
}

} // namespace
