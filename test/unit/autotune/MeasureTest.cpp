//===- MeasureTest.cpp - Unit tests of measuring in a child process -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests measureInChild: a normal run (timings, number of runs, the outputs
// coming back while this process's buffers and state stay untouched), the
// median of an even number of runs, minRepeatSeconds and its cap, a crash
// (raise, null-pointer write, abort, also with a crash handler installed in
// the parent), a hang and a slow warm-up killed at the time limit, a
// candidate returning an error, a child exiting early, an 8 MB output, a
// parent with a busy thread, and invalid options; and compareOutputs (equal,
// within tolerance, mismatches naming the element and values, NaN and
// infinities, sizes, other types). Every test checks that no child is left
// behind.
//
//===----------------------------------------------------------------------===//

#include "autotune/Measure.h"

#include "gtest/gtest.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lathe::autotune;
using namespace llvm;

namespace {

template <typename T> MutableArrayRef<uint8_t> bytesOf(std::vector<T> &v) {
  return MutableArrayRef<uint8_t>(reinterpret_cast<uint8_t *>(v.data()),
                                  v.size() * sizeof(T));
}

template <typename T> std::vector<uint8_t> toBytes(std::vector<T> v) {
  std::vector<uint8_t> bytes(v.size() * sizeof(T));
  std::memcpy(bytes.data(), v.data(), bytes.size());
  return bytes;
}

/// Every child has been reaped: this process has no children left.
void expectNoChildren() {
  int status = 0;
  errno = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

Measurement measure(const std::function<Error()> &runOnce,
                    ArrayRef<MutableArrayRef<uint8_t>> outputs,
                    const MeasureOptions &options) {
  Expected<Measurement> result = measureInChild(runOnce, outputs, options);
  if (!result) {
    ADD_FAILURE() << toString(result.takeError());
    return {};
  }
  return std::move(*result);
}

void sleepMs(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

//===----------------------------------------------------------------------===//
// measureInChild
//===----------------------------------------------------------------------===//

TEST(MeasureTest, NormalRunReportsTimesAndOutputs) {
  std::vector<int32_t> values(1000, 0);
  std::vector<uint32_t> calls(1, 0);
  int parentCalls = 0;
  auto runOnce = [&]() -> Error {
    ++parentCalls; // Only in the child's copy of this process.
    ++calls[0];
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<int32_t>(i);
    sleepMs(1);
    return Error::success();
  };
  MeasureOptions options;
  options.warmupRuns = 2;
  options.repeats = 7;
  MutableArrayRef<uint8_t> outputs[] = {bytesOf(values), bytesOf(calls)};
  Measurement m = measure(runOnce, outputs, options);

  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  EXPECT_EQ(m.note, "");
  EXPECT_EQ(m.repeats, 7);
  EXPECT_GE(m.minUs, 1000.0);
  EXPECT_LE(m.minUs, m.medianUs);
  EXPECT_LE(m.medianUs, m.maxUs);
  EXPECT_LT(m.maxUs, 1e6);

  ASSERT_EQ(m.outputs.size(), 2u);
  std::vector<int32_t> expected(1000);
  for (size_t i = 0; i < expected.size(); ++i)
    expected[i] = static_cast<int32_t>(i);
  EXPECT_EQ(m.outputs[0], toBytes(expected));
  // Two warm-up runs and seven timed ones.
  EXPECT_EQ(m.outputs[1], toBytes(std::vector<uint32_t>{9}));

  // This process never ran the candidate.
  EXPECT_EQ(parentCalls, 0);
  EXPECT_EQ(calls[0], 0u);
  EXPECT_EQ(values, std::vector<int32_t>(1000, 0));
  expectNoChildren();
}

TEST(MeasureTest, NoOutputs) {
  MeasureOptions options;
  options.repeats = 3;
  Measurement m =
      measure([] { return Error::success(); }, std::nullopt, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  EXPECT_EQ(m.repeats, 3);
  EXPECT_TRUE(m.outputs.empty());
  expectNoChildren();
}

TEST(MeasureTest, CacheFlushIsNotTimed) {
  // Writing 256 MiB takes tens of ms; a run that does nothing takes
  // microseconds, so a flush inside the timed region would show.
  int calls = 0;
  MeasureOptions options;
  options.repeats = 3;
  options.flushBytes = size_t(256) << 20;
  Measurement m = measure(
      [&] {
        ++calls;
        return Error::success();
      },
      std::nullopt, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  EXPECT_EQ(m.repeats, 3);
  EXPECT_LT(m.medianUs, 1000.0);
  EXPECT_EQ(calls, 0) << "the candidate ran in the parent";
  expectNoChildren();
}

TEST(MeasureTest, MedianOfEvenCountIsMeanOfMiddleTwo) {
  // Timed runs of 10, 20, 30 and 40 ms: the median is 25 ms (the lower
  // middle would be 20 ms, the upper 30 ms).
  int call = 0;
  auto runOnce = [&]() -> Error {
    sleepMs(10 * ++call);
    return Error::success();
  };
  MeasureOptions options;
  options.warmupRuns = 0;
  options.repeats = 4;
  Measurement m = measure(runOnce, std::nullopt, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  EXPECT_EQ(m.repeats, 4);
  ASSERT_EQ(m.timesUs.size(), 4u);
  for (int i = 0; i < 4; ++i)
    EXPECT_GE(m.timesUs[i], 10000.0 * (i + 1)) << "run " << i;
  EXPECT_GE(m.minUs, 10000.0);
  EXPECT_LT(m.minUs, 15000.0);
  EXPECT_GE(m.medianUs, 25000.0);
  EXPECT_LT(m.medianUs, 29000.0);
  EXPECT_GE(m.maxUs, 40000.0);
  expectNoChildren();
}

TEST(MeasureTest, MinRepeatSecondsRepeatsUntilTimeIsSpent) {
  auto runOnce = [] {
    sleepMs(2);
    return Error::success();
  };
  MeasureOptions options;
  options.warmupRuns = 0;
  options.repeats = 2;
  options.minRepeatSeconds = 0.04;
  Measurement m = measure(runOnce, std::nullopt, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  // Each run takes at least 2 ms, so at most 20 runs reach 40 ms.
  EXPECT_GT(m.repeats, 2);
  EXPECT_LE(m.repeats, 20);
  EXPECT_GE(m.repeats * m.maxUs, 40000.0);
  expectNoChildren();
}

TEST(MeasureTest, MinRepeatSecondsIsCappedByMaxRepeats) {
  MeasureOptions options;
  options.repeats = 2;
  options.minRepeatSeconds = 100;
  options.maxRepeats = 6;
  Measurement m =
      measure([] { return Error::success(); }, std::nullopt, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  EXPECT_EQ(m.repeats, 6);

  // A cap below `repeats` does not lower it.
  options.repeats = 5;
  options.maxRepeats = 3;
  m = measure([] { return Error::success(); }, std::nullopt, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  EXPECT_EQ(m.repeats, 5);
  expectNoChildren();
}

TEST(MeasureTest, SegfaultIsCrash) {
  std::vector<float> out(4, 1.0f);
  MutableArrayRef<uint8_t> outputs[] = {bytesOf(out)};
  Measurement m = measure(
      [] {
        std::raise(SIGSEGV);
        return Error::success();
      },
      outputs, {});
  EXPECT_EQ(m.status, TrialStatus::Crash);
  EXPECT_EQ(m.note, "killed by signal 11 (Segmentation fault)");
  EXPECT_EQ(m.repeats, 0);
  EXPECT_TRUE(m.outputs.empty());
  expectNoChildren();
}

volatile uintptr_t nullAddress = 0;

TEST(MeasureTest, NullWriteIsCrashEvenWithParentCrashHandler) {
  // A handler of this process must not run in the child (LLVM's would print
  // a stack trace and remove this process's temporary files).
  struct sigaction handler, old;
  std::memset(&handler, 0, sizeof(handler));
  handler.sa_handler = [](int) { ::_exit(42); };
  sigemptyset(&handler.sa_mask);
  ASSERT_EQ(sigaction(SIGSEGV, &handler, &old), 0);

  // A second warm-up run crashes.
  int call = 0;
  auto runOnce = [&] {
    if (++call == 2)
      *reinterpret_cast<volatile int *>(nullAddress) = 1;
    return Error::success();
  };
  MeasureOptions options;
  options.warmupRuns = 3;
  Measurement m = measure(runOnce, std::nullopt, options);
  sigaction(SIGSEGV, &old, nullptr);

  EXPECT_EQ(m.status, TrialStatus::Crash);
  EXPECT_EQ(m.note, "killed by signal 11 (Segmentation fault)");
  EXPECT_EQ(call, 0);
  expectNoChildren();
}

TEST(MeasureTest, AbortIsCrash) {
  // Abort in the fifth timed run.
  int call = 0;
  auto runOnce = [&] {
    if (++call == 6)
      std::abort();
    return Error::success();
  };
  Measurement m = measure(runOnce, std::nullopt, {});
  EXPECT_EQ(m.status, TrialStatus::Crash);
  EXPECT_EQ(m.note, "killed by signal 6 (Aborted)");
  expectNoChildren();
}

TEST(MeasureTest, HangIsKilledAtTimeout) {
  auto runOnce = [] {
    for (volatile uint64_t i = 0;; i = i + 1) {
    }
    return Error::success();
  };
  MeasureOptions options;
  options.timeoutSeconds = 0.5;
  auto start = std::chrono::steady_clock::now();
  Measurement m = measure(runOnce, std::nullopt, options);
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;

  EXPECT_EQ(m.status, TrialStatus::Timeout);
  EXPECT_EQ(m.note, "ran past the 0.5 s limit");
  EXPECT_GE(elapsed.count(), 0.5);
  EXPECT_LT(elapsed.count(), 1.5);
  expectNoChildren();
}

TEST(MeasureTest, TimeoutCountsWarmupRuns) {
  // Three warm-up runs of 300 ms each do not fit in 0.5 s.
  auto runOnce = [] {
    sleepMs(300);
    return Error::success();
  };
  MeasureOptions options;
  options.warmupRuns = 3;
  options.repeats = 1;
  options.timeoutSeconds = 0.5;
  Measurement m = measure(runOnce, std::nullopt, options);
  EXPECT_EQ(m.status, TrialStatus::Timeout);
  EXPECT_EQ(m.note, "ran past the 0.5 s limit");
  expectNoChildren();
}

TEST(MeasureTest, ErrorFromCandidateIsCrashWithMessage) {
  int call = 0;
  auto runOnce = [&]() -> Error {
    if (++call == 3)
      return createStringError(inconvertibleErrorCode(),
                               "buffer 2 has 12 bytes, expected 16");
    return Error::success();
  };
  Measurement m = measure(runOnce, std::nullopt, {});
  EXPECT_EQ(m.status, TrialStatus::Crash);
  EXPECT_EQ(m.note, "exited with status 1: buffer 2 has 12 bytes, expected 16");
  EXPECT_EQ(call, 0);
  expectNoChildren();
}

TEST(MeasureTest, ChildExitingWithoutResultsIsCrash) {
  Measurement m = measure(
      [] {
        ::_exit(0);
        return Error::success();
      },
      std::nullopt, {});
  EXPECT_EQ(m.status, TrialStatus::Crash);
  EXPECT_EQ(m.note,
            "exited with status 0 after sending 0 bytes of its results");

  m = measure(
      [] {
        ::_exit(3);
        return Error::success();
      },
      std::nullopt, {});
  EXPECT_EQ(m.status, TrialStatus::Crash);
  EXPECT_EQ(m.note, "exited with status 3");
  expectNoChildren();
}

TEST(MeasureTest, LargeOutputComesBackIntact) {
  // 8 MiB: far more than a pipe holds, so the parent must read while the
  // child writes. A second output follows it.
  std::vector<uint32_t> big(2 * 1024 * 1024, 0);
  std::vector<uint8_t> small(3, 0);
  auto fill = [](std::vector<uint32_t> &v) {
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<uint32_t>(i * 2654435761u);
  };
  auto runOnce = [&] {
    fill(big);
    small = {7, 8, 9};
    return Error::success();
  };
  MeasureOptions options;
  options.repeats = 3;
  MutableArrayRef<uint8_t> outputs[] = {bytesOf(big), bytesOf(small)};
  Measurement m = measure(runOnce, outputs, options);
  ASSERT_EQ(m.status, TrialStatus::Ok) << m.note;
  ASSERT_EQ(m.outputs.size(), 2u);
  std::vector<uint32_t> expected(big.size());
  fill(expected);
  ASSERT_EQ(m.outputs[0].size(), 8u * 1024 * 1024);
  EXPECT_TRUE(m.outputs[0] == toBytes(expected));
  EXPECT_EQ(m.outputs[1], (std::vector<uint8_t>{7, 8, 9}));
  EXPECT_EQ(big[12345], 0u);
  expectNoChildren();
}

TEST(MeasureTest, ParentWithBusyThreads) {
  // This process is multithreaded; a thread allocating memory while the
  // child is forked must not leave the child deadlocked in malloc.
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    while (!stop)
      std::vector<char> garbage(1 + std::rand() % 100000, 'x');
  });
  std::vector<uint64_t> out(1, 0);
  MutableArrayRef<uint8_t> outputs[] = {bytesOf(out)};
  auto runOnce = [&] {
    std::vector<uint64_t> scratch(100000, 1);
    out[0] = scratch.size();
    return Error::success();
  };
  MeasureOptions options;
  options.repeats = 2;
  options.timeoutSeconds = 5;
  int ok = 0;
  for (int i = 0; i < 20; ++i)
    ok += measure(runOnce, outputs, options).status == TrialStatus::Ok;
  stop = true;
  busy.join();
  EXPECT_EQ(ok, 20);
  expectNoChildren();
}

TEST(MeasureTest, InvalidOptionsAreErrors) {
  MeasureOptions options;
  options.repeats = 0;
  Expected<Measurement> m =
      measureInChild([] { return Error::success(); }, std::nullopt, options);
  ASSERT_FALSE(m);
  EXPECT_EQ(toString(m.takeError()),
            "a measurement needs at least one timed run");

  options.repeats = 1;
  options.timeoutSeconds = 0;
  m = measureInChild([] { return Error::success(); }, std::nullopt, options);
  ASSERT_FALSE(m);
  EXPECT_EQ(toString(m.takeError()),
            "the time limit of a measurement must be positive, not 0 s");
  expectNoChildren();
}

//===----------------------------------------------------------------------===//
// compareOutputs
//===----------------------------------------------------------------------===//

TEST(CompareOutputsTest, EqualOutputsAgree) {
  std::vector<std::vector<uint8_t>> a = {toBytes<float>({1, 2, 3}),
                                         toBytes<float>({-0.5f})};
  EXPECT_EQ(compareOutputs(a, a), std::nullopt);
  EXPECT_EQ(compareOutputs({}, {}), std::nullopt);
}

TEST(CompareOutputsTest, Tolerance) {
  CompareOptions options;
  options.rtol = 1e-3;
  options.atol = 1e-4;
  // |a - e| <= 1e-4 + 1e-3 * |e|: 100 may be off by 0.1001.
  std::vector<std::vector<uint8_t>> expected = {toBytes<float>({100, 0})};
  std::vector<std::vector<uint8_t>> close = {toBytes<float>({100.09f, 5e-5f})};
  std::vector<std::vector<uint8_t>> far = {toBytes<float>({100.2f, 0})};
  std::vector<std::vector<uint8_t>> farAbs = {toBytes<float>({100, 2e-4f})};
  EXPECT_EQ(compareOutputs(close, expected, options), std::nullopt);
  EXPECT_EQ(compareOutputs(far, expected, options),
            "output 0, element 0: 100.2 vs 100 expected");
  EXPECT_EQ(compareOutputs(farAbs, expected, options),
            "output 0, element 1: 0.0002 vs 0 expected");
  // The default tolerance is tight.
  EXPECT_EQ(compareOutputs(close, expected),
            "output 0, element 0: 100.09 vs 100 expected");
}

TEST(CompareOutputsTest, MismatchNamesOutputElementAndValues) {
  std::vector<float> values(2000, 1.0f);
  std::vector<float> wrong = values;
  wrong[1234] = 0.5f;
  wrong[1500] = 7.0f;
  std::vector<float> reference = values;
  reference[1234] = 0.25f;
  std::vector<std::vector<uint8_t>> actual = {toBytes(values), toBytes(wrong)};
  std::vector<std::vector<uint8_t>> expected = {toBytes(values),
                                                toBytes(reference)};
  EXPECT_EQ(compareOutputs(actual, expected),
            "output 1, element 1234: 0.5 vs 0.25 expected");
}

TEST(CompareOutputsTest, NaNAndInfinities) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<uint8_t>> a = {toBytes<float>({nan, inf, -inf})};
  EXPECT_EQ(compareOutputs(a, a), std::nullopt);

  std::vector<std::vector<uint8_t>> number = {toBytes<float>({1, inf, -inf})};
  EXPECT_EQ(compareOutputs(a, number),
            "output 0, element 0: nan vs 1 expected");
  EXPECT_EQ(compareOutputs(number, a),
            "output 0, element 0: 1 vs nan expected");

  std::vector<std::vector<uint8_t>> flipped = {
      toBytes<float>({nan, -inf, inf})};
  EXPECT_EQ(compareOutputs(flipped, a),
            "output 0, element 1: -inf vs inf expected");
  CompareOptions loose;
  loose.atol = 1e30;
  std::vector<std::vector<uint8_t>> big = {toBytes<float>({nan, 3e38f, -inf})};
  EXPECT_EQ(compareOutputs(big, a, loose),
            "output 0, element 1: 3e+38 vs inf expected");
}

TEST(CompareOutputsTest, SizeMismatches) {
  std::vector<std::vector<uint8_t>> two = {toBytes<float>({1, 2})};
  std::vector<std::vector<uint8_t>> three = {toBytes<float>({1, 2, 3})};
  EXPECT_EQ(compareOutputs(two, three), "output 0: 8 bytes vs 12 expected");
  std::vector<std::vector<uint8_t>> twoOutputs = {two[0], two[0]};
  EXPECT_EQ(compareOutputs(two, twoOutputs), "1 outputs vs 2 expected");
  std::vector<uint8_t> odd = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(compareOutput(2, odd, odd),
            "output 2: 6 bytes are not a whole number of 4-byte elements");
}

TEST(CompareOutputsTest, OtherElementTypes) {
  // Read as floats, both would be 1.
  CompareOptions f64;
  f64.elementBits = 64;
  f64.rtol = 0;
  f64.atol = 0;
  EXPECT_EQ(compareOutput(0, toBytes<double>({0.1, 1.000000001}),
                          toBytes<double>({0.1, 1.0}), f64),
            "output 0, element 1: 1.000000001 vs 1 expected");

  CompareOptions i32;
  i32.isFloat = false;
  EXPECT_EQ(compareOutput(3, toBytes<int32_t>({5, -7}),
                          toBytes<int32_t>({5, -7}), i32),
            std::nullopt);
  EXPECT_EQ(compareOutput(3, toBytes<int32_t>({5, -7}),
                          toBytes<int32_t>({5, -8}), i32),
            "output 3, element 1: -7 vs -8 expected");

  CompareOptions i8;
  i8.isFloat = false;
  i8.elementBits = 8;
  EXPECT_EQ(compareOutput(0, toBytes<int8_t>({1, -128}),
                          toBytes<int8_t>({1, 127}), i8),
            "output 0, element 1: -128 vs 127 expected");

  // IEEE half: 0x3c00 is 1, 0x3800 is 0.5, 0x7e00 NaN, 0x7c00 infinity.
  CompareOptions f16;
  f16.elementBits = 16;
  EXPECT_EQ(compareOutput(0, toBytes<uint16_t>({0x3c00, 0x7e00, 0x7c00}),
                          toBytes<uint16_t>({0x3c00, 0x7e01, 0x7c00}), f16),
            std::nullopt);
  EXPECT_EQ(compareOutput(0, toBytes<uint16_t>({0x3c00, 0x3800}),
                          toBytes<uint16_t>({0x3c00, 0x3c00}), f16),
            "output 0, element 1: 0.5 vs 1 expected");
}

} // namespace
