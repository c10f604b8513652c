//===- Measure.h - Timing a candidate kernel in a child process -*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares how the autotuner times a candidate: measureInChild()
// runs one execution of the candidate (a call into code the JIT compiled in
// this process) in a forked child, first untimed warm-up runs and then timed
// repeats, and reports the median, minimum and maximum time and the bytes of
// the candidate's outputs. A candidate that crashes, hangs or fails takes
// only the child down: the tuner records the trial as failed (Crash or
// Timeout) and goes on. compareOutputs() then checks the outputs of a
// successful run against a reference, for the WrongResult status.
//
// docs/autotune.md ("Measurement") describes the protocol between parent
// and child for users.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_AUTOTUNE_MEASURE_H
#define LATHE_AUTOTUNE_MEASURE_H

#include "autotune/Database.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lathe::autotune {

/// How a candidate is timed.
struct MeasureOptions {
  /// Untimed runs before the timed ones (warm caches, page in the code and
  /// the buffers).
  unsigned warmupRuns = 1;
  /// Timed runs; the median of their times is reported. Must be at least 1.
  unsigned repeats = 10;
  /// When positive, timed runs go on after `repeats` until their times add
  /// up to this many seconds, but never beyond `maxRepeats` runs.
  double minRepeatSeconds = 0;
  /// The most timed runs `minRepeatSeconds` may ask for (ignored when it is
  /// below `repeats`).
  unsigned maxRepeats = 1000;
  /// Wall-clock limit of the whole child (warm-up and timed runs), counted
  /// from the fork; a child still running then is killed with SIGKILL. Must
  /// be positive.
  double timeoutSeconds = 10;
  /// When positive, the child writes this many bytes of scratch memory
  /// before every run (untimed), so that each run finds the candidate's
  /// weights and inputs out of the core's private caches, as a kernel
  /// inside a model does. A few times the L2 size is enough.
  size_t flushBytes = 0;
};

/// The outcome of one measurement.
struct Measurement {
  /// Ok, Crash or Timeout (measureInChild never compares results: the caller
  /// sets WrongResult after compareOutputs).
  TrialStatus status = TrialStatus::Ok;
  /// Statistics of the timed runs in microseconds (Ok only). The median of
  /// an even number of runs is the mean of the two middle ones.
  double medianUs = 0, minUs = 0, maxUs = 0;
  /// Number of timed runs (Ok only).
  int repeats = 0;
  /// For failures, what happened: "killed by signal 11 (Segmentation
  /// fault)", "ran past the 10 s limit", "exited with status 1: <the
  /// candidate's error message>", "exited with status 0 after sending 12 of
  /// 96 bytes of its results"; empty for Ok.
  std::string note;
  /// The bytes of every output buffer after the last run, in the order of
  /// the `outputs` given to measureInChild (Ok only).
  std::vector<std::vector<uint8_t>> outputs;
  /// Every timed run's time in microseconds, in the order they ran (Ok
  /// only): a runOnce that alternates two candidates splits them by parity.
  std::vector<double> timesUs;
};

/// Measures the candidate `runOnce` (one execution, writing its results into
/// the buffers of `outputs`) in a forked child process: `warmupRuns` untimed
/// runs, then the timed runs (steady clock around each call). The child
/// sends the times and the final bytes of `outputs` back through a pipe and
/// ends with _exit, so it never returns into the caller's code nor runs
/// atexit handlers or destructors; this process never runs the candidate and
/// its own `outputs` buffers are left as they were. In the child, fatal
/// signals get their default action again (no crash handler of this process
/// runs), core dumps are off, and nothing but the candidate, the clock and
/// the pipe is used.
///
/// A child killed by a signal is a Crash whose note names the signal; one
/// still running `timeoutSeconds` after the fork is killed with SIGKILL and
/// is a Timeout; one whose `runOnce` returns an error sends its message and
/// exits with status 1, a Crash whose note holds the message; one that exits
/// without a complete, well-formed message is a Crash saying so. The child
/// is always reaped before this returns. Errors of the harness itself
/// (invalid options, no pipe, no fork) are returned as llvm::Error.
///
/// Linux and other POSIX systems only; elsewhere this returns an error.
llvm::Expected<Measurement>
measureInChild(const std::function<llvm::Error()> &runOnce,
               llvm::ArrayRef<llvm::MutableArrayRef<uint8_t>> outputs,
               const MeasureOptions &options = {});

/// How compareOutputs reads and compares elements.
struct CompareOptions {
  /// Element width: 16 (IEEE half), 32 or 64 for floats; 8, 16, 32 or 64
  /// for integers.
  unsigned elementBits = 32;
  /// Floating point (else two's-complement signed integers).
  bool isFloat = true;
  /// Relative and absolute tolerance: `a` agrees with the expected `e` when
  /// |a - e| <= atol + rtol * |e|. Integers get the same test, which the
  /// defaults make exact for values below 10^5.
  double rtol = 1e-5;
  double atol = 1e-6;
};

/// Compares output `outputIndex`'s bytes `actual` element by element against
/// `expected` (both in host byte order). Equal values (infinities included)
/// agree, NaN agrees only with NaN, others agree within the tolerance.
/// Returns none when all agree, else a message naming the output, the flat
/// element index and both values, e.g. "output 0, element 1234: 0.5 vs 0.25
/// expected", or the sizes when they differ.
std::optional<std::string> compareOutput(unsigned outputIndex,
                                         llvm::ArrayRef<uint8_t> actual,
                                         llvm::ArrayRef<uint8_t> expected,
                                         const CompareOptions &options = {});

/// compareOutput() on every output (all of one element type), stopping at
/// the first disagreement; also fails when the numbers of outputs differ.
std::optional<std::string>
compareOutputs(llvm::ArrayRef<std::vector<uint8_t>> actual,
               llvm::ArrayRef<std::vector<uint8_t>> expected,
               const CompareOptions &options = {});

} // namespace lathe::autotune

#endif // LATHE_AUTOTUNE_MEASURE_H
