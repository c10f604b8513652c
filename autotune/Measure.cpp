//===- Measure.cpp - Timing a candidate kernel in a child process ---------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements measureInChild() and the comparison of outputs.
//
// The child writes one message into a pipe and ends with _exit: a header
// (magic, kind, count), then for results `count` times in microseconds
// (doubles), the size of every output (uint64) and the outputs' bytes, or
// for a failure `count` bytes of error text. The parent reads it with poll()
// against the deadline, so a child writing megabytes never blocks on a full
// pipe, and then reaps the child, killing it with SIGKILL at the deadline.
// How the child ended decides the status; the message only counts when the
// child exited by itself.
//
// This process is multithreaded (LLVM, MLIR, the JIT), so the child only
// does what is safe after fork in practice: it calls the candidate, reads
// the clock and writes to the pipe. The buffer for the times is allocated
// before the fork.
//
//===----------------------------------------------------------------------===//

#include "autotune/Measure.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__unix__)
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#endif

using namespace lathe::autotune;
using llvm::ArrayRef;
using llvm::MutableArrayRef;

namespace {

using Clock = std::chrono::steady_clock;

/// The shortest text in %g style that reads back as `value` ("0.5",
/// "0.0002", "1e-07", "3e+38", "nan", "-inf").
template <typename T> std::string formatNumber(T value) {
  char buffer[64];
  std::to_chars_result result = std::to_chars(
      buffer, buffer + sizeof(buffer), value, std::chars_format::general);
  return std::string(buffer, result.ptr);
}

} // namespace

//===----------------------------------------------------------------------===//
// The child process
//===----------------------------------------------------------------------===//

#if defined(__unix__)

namespace {

/// The first bytes of every message ("LMSR").
constexpr uint32_t kMagic = 0x4c4d5352;
/// Error texts longer than this are cut.
constexpr uint64_t kMaxErrorBytes = 64 * 1024;

enum class MessageKind : uint32_t { Results = 1, Failure = 2 };

struct MessageHeader {
  uint32_t magic;
  uint32_t kind;
  /// Results: the number of timed runs; Failure: the bytes of error text.
  uint64_t count;
};

/// Writes all of `data` to `fd`; false when the pipe is gone.
bool writeAll(int fd, const void *data, size_t size) {
  const char *bytes = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t written = ::write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

/// Gives the signals that end a process their default action again, so that
/// a crash handler of the parent (LLVM's prints a stack trace and removes
/// the parent's temporary files) never runs in the child, and unblocks them.
void resetSignals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int signal :
       {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU,
        SIGXFSZ, SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2})
    sigaction(signal, &action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

/// Sends `error`'s text and ends the child with status 1.
[[noreturn]] void failChild(int fd, llvm::Error error) {
  std::string text = llvm::toString(std::move(error));
  if (text.size() > kMaxErrorBytes)
    text.resize(kMaxErrorBytes);
  MessageHeader header{kMagic, static_cast<uint32_t>(MessageKind::Failure),
                       text.size()};
  if (writeAll(fd, &header, sizeof(header)))
    writeAll(fd, text.data(), text.size());
  ::_exit(1);
}

/// The child: runs the candidate, sends the results through `fd` and exits.
/// `times` (allocated by the parent) holds room for every timed run.
[[noreturn]] void runChild(int fd, const std::function<llvm::Error()> &runOnce,
                           ArrayRef<MutableArrayRef<uint8_t>> outputs,
                           const MeasureOptions &options,
                           MutableArrayRef<double> times) {
  resetSignals();
  struct rlimit noCore = {0, 0};
  setrlimit(RLIMIT_CORE, &noCore);

  // Scratch memory written before every run, so that the candidate's data
  // is out of the core's caches, as it is inside a model.
  std::vector<uint8_t> scratch(options.flushBytes);
  uint8_t round = 0;
  auto flush = [&] {
    if (scratch.empty())
      return;
    std::memset(scratch.data(), ++round, scratch.size());
    asm volatile("" : : "r"(scratch.data()) : "memory");
  };

  for (unsigned i = 0; i < options.warmupRuns; ++i) {
    flush();
    if (llvm::Error error = runOnce())
      failChild(fd, std::move(error));
  }

  size_t count = 0;
  double totalSeconds = 0;
  while (count < times.size() &&
         (count < options.repeats || totalSeconds < options.minRepeatSeconds)) {
    flush();
    Clock::time_point start = Clock::now();
    llvm::Error error = runOnce();
    Clock::time_point end = Clock::now();
    if (error)
      failChild(fd, std::move(error));
    std::chrono::duration<double> seconds = end - start;
    times[count++] = seconds.count() * 1e6;
    totalSeconds += seconds.count();
  }

  MessageHeader header{kMagic, static_cast<uint32_t>(MessageKind::Results),
                       count};
  bool sent = writeAll(fd, &header, sizeof(header)) &&
              writeAll(fd, times.data(), count * sizeof(double));
  for (MutableArrayRef<uint8_t> output : outputs) {
    uint64_t size = output.size();
    sent = sent && writeAll(fd, &size, sizeof(size));
  }
  for (MutableArrayRef<uint8_t> output : outputs)
    sent = sent && writeAll(fd, output.data(), output.size());
  ::_exit(sent ? 0 : 1);
}

//===----------------------------------------------------------------------===//
// The parent process
//===----------------------------------------------------------------------===//

llvm::Error systemError(const llvm::Twine &what) {
  return llvm::createStringError(
      std::error_code(errno, std::generic_category()),
      what + ": " + std::strerror(errno));
}

/// Waits for `pid` to end, killing it with SIGKILL at `deadline`. Returns
/// its wait status and whether it was killed here.
llvm::Expected<std::pair<int, bool>> reapChild(pid_t pid,
                                               Clock::time_point deadline) {
  auto sleepTime = std::chrono::microseconds(50);
  while (true) {
    int status = 0;
    pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid)
      return std::make_pair(status, false);
    if (reaped < 0 && errno != EINTR)
      return systemError("cannot wait for the measuring process");
    if (Clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(sleepTime);
    sleepTime = std::min(sleepTime * 2, std::chrono::microseconds(10000));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return systemError("cannot wait for the measuring process");
  return std::make_pair(status, true);
}

/// Kills and reaps `pid` after a failure of the harness, returning `error`.
llvm::Error abandonChild(pid_t pid, llvm::Error error) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return error;
}

/// Closes `fd` when it goes out of scope.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() { close(); }
  void close() {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
  }
};

} // namespace

llvm::Expected<Measurement>
lathe::autotune::measureInChild(const std::function<llvm::Error()> &runOnce,
                                ArrayRef<MutableArrayRef<uint8_t>> outputs,
                                const MeasureOptions &options) {
  if (options.repeats == 0)
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "a measurement needs at least one timed run");
  if (!(options.timeoutSeconds > 0))
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "the time limit of a measurement must be positive, not " +
            formatNumber(options.timeoutSeconds) + " s");

  // Everything the child needs is allocated here, before the fork.
  size_t capacity = options.repeats;
  if (options.minRepeatSeconds > 0)
    capacity = std::max<size_t>(capacity, options.maxRepeats);
  std::vector<double> times(capacity);

  size_t outputBytes = 0;
  for (MutableArrayRef<uint8_t> output : outputs)
    outputBytes += output.size();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return systemError("cannot create a pipe for the measuring process");
  FileDescriptor readEnd{fds[0]}, writeEnd{fds[1]};

  Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(options.timeoutSeconds));
  pid_t pid = ::fork();
  if (pid < 0)
    return systemError("cannot start the measuring process");
  if (pid == 0) {
    ::close(fds[0]);
    runChild(fds[1], runOnce, outputs, options, times);
  }
  writeEnd.close();

  // Read the message: first the header, which gives its length, then the
  // rest. Stop at its end, at end of file, at a malformed header, or at the
  // deadline.
  std::vector<uint8_t> message(sizeof(MessageHeader));
  size_t received = 0;
  bool haveHeader = false, malformed = false;
  while (received < message.size() && !malformed) {
    auto remaining =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0)
      break;
    struct pollfd poller = {readEnd.fd, POLLIN, 0};
    int ready =
        ::poll(&poller, 1,
               static_cast<int>(std::min<int64_t>(
                   remaining.count(), std::numeric_limits<int>::max())));
    if (ready < 0) {
      if (errno == EINTR)
        continue;
      return abandonChild(pid,
                          systemError("cannot poll the measuring process"));
    }
    if (ready == 0)
      continue;
    ssize_t bytes = ::read(readEnd.fd, message.data() + received,
                           message.size() - received);
    if (bytes < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      return abandonChild(pid, systemError("cannot read from the measuring "
                                           "process"));
    }
    if (bytes == 0)
      break; // End of file: the child is gone.
    received += static_cast<size_t>(bytes);
    if (haveHeader || received < sizeof(MessageHeader))
      continue;

    haveHeader = true;
    MessageHeader header;
    std::memcpy(&header, message.data(), sizeof(header));
    size_t length = 0;
    if (header.magic != kMagic)
      malformed = true;
    else if (header.kind == static_cast<uint32_t>(MessageKind::Results) &&
             header.count >= options.repeats && header.count <= capacity)
      length = header.count * sizeof(double) +
               outputs.size() * sizeof(uint64_t) + outputBytes;
    else if (header.kind == static_cast<uint32_t>(MessageKind::Failure) &&
             header.count <= kMaxErrorBytes)
      length = header.count;
    else
      malformed = true;
    message.resize(sizeof(MessageHeader) + length);
  }
  readEnd.close();

  // A child that sent a malformed header is not listened to any further.
  llvm::Expected<std::pair<int, bool>> ended =
      reapChild(pid, malformed ? Clock::now() : deadline);
  if (!ended)
    return ended.takeError();
  auto [waitStatus, killedHere] = *ended;

  Measurement result;
  result.status = TrialStatus::Crash;
  if (killedHere && malformed) {
    result.note = "sent a malformed message";
    return result;
  }
  if (killedHere) {
    result.status = TrialStatus::Timeout;
    result.note =
        "ran past the " + formatNumber(options.timeoutSeconds) + " s limit";
    return result;
  }
  if (WIFSIGNALED(waitStatus)) {
    int signal = WTERMSIG(waitStatus);
    const char *name = ::strsignal(signal);
    result.note = "killed by signal " + std::to_string(signal) + " (" +
                  (name ? name : "unknown signal") + ")";
    return result;
  }
  int exitStatus = WIFEXITED(waitStatus) ? WEXITSTATUS(waitStatus) : -1;
  std::string exited = "exited with status " + std::to_string(exitStatus);

  bool complete = haveHeader && !malformed && received == message.size();
  MessageHeader header;
  std::memcpy(&header, message.data(), sizeof(header));
  if (complete && header.kind == static_cast<uint32_t>(MessageKind::Failure)) {
    result.note = exited + ": " +
                  std::string(message.begin() + sizeof(header), message.end());
    return result;
  }
  if (exitStatus != 0) {
    result.note = exited;
    return result;
  }
  if (malformed) {
    result.note = exited + " after sending a malformed message";
    return result;
  }
  if (!complete) {
    result.note =
        exited + " after sending " + std::to_string(received) +
        (haveHeader ? " of " + std::to_string(message.size()) : std::string()) +
        " bytes of its results";
    return result;
  }

  // A complete message of results from a child that exited with status 0.
  const uint8_t *cursor = message.data() + sizeof(header);
  std::vector<double> measured(header.count);
  std::memcpy(measured.data(), cursor, header.count * sizeof(double));
  cursor += header.count * sizeof(double);
  for (MutableArrayRef<uint8_t> output : outputs) {
    uint64_t size;
    std::memcpy(&size, cursor, sizeof(size));
    cursor += sizeof(size);
    if (size != output.size()) {
      result.note = exited + " after sending a malformed message (output of " +
                    std::to_string(size) + " bytes, expected " +
                    std::to_string(output.size()) + ")";
      return result;
    }
  }
  for (MutableArrayRef<uint8_t> output : outputs) {
    result.outputs.emplace_back(cursor, cursor + output.size());
    cursor += output.size();
  }

  result.timesUs = measured;
  std::sort(measured.begin(), measured.end());
  size_t n = measured.size();
  result.status = TrialStatus::Ok;
  result.repeats = static_cast<int>(n);
  result.minUs = measured.front();
  result.maxUs = measured.back();
  result.medianUs =
      n % 2 ? measured[n / 2] : (measured[n / 2 - 1] + measured[n / 2]) / 2;
  return result;
}

#else // !defined(__unix__)

llvm::Expected<Measurement>
lathe::autotune::measureInChild(const std::function<llvm::Error()> &,
                                ArrayRef<MutableArrayRef<uint8_t>>,
                                const MeasureOptions &) {
  return llvm::createStringError(
      std::make_error_code(std::errc::function_not_supported),
      "measuring a candidate needs a child process (fork), which this system "
      "does not have; the autotuner runs on Linux");
}

#endif // defined(__unix__)

//===----------------------------------------------------------------------===//
// Comparing outputs
//===----------------------------------------------------------------------===//

namespace {

/// The value of the IEEE half-precision number with bits `bits`.
double halfToDouble(uint16_t bits) {
  double sign = (bits & 0x8000) ? -1.0 : 1.0;
  int exponent = (bits >> 10) & 0x1f;
  int mantissa = bits & 0x3ff;
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -24);
  if (exponent == 0x1f)
    return mantissa ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mantissa + 0x400, exponent - 25);
}

/// Element `index` of `bytes`, a buffer of floats of `bits` bits.
double loadFloat(ArrayRef<uint8_t> bytes, size_t index, unsigned bits) {
  const uint8_t *element = bytes.data() + index * (bits / 8);
  if (bits == 16) {
    uint16_t half;
    std::memcpy(&half, element, sizeof(half));
    return halfToDouble(half);
  }
  if (bits == 32) {
    float value;
    std::memcpy(&value, element, sizeof(value));
    return value;
  }
  double value;
  std::memcpy(&value, element, sizeof(value));
  return value;
}

/// Element `index` of `bytes`, a buffer of signed integers of `bits` bits.
int64_t loadInt(ArrayRef<uint8_t> bytes, size_t index, unsigned bits) {
  const uint8_t *element = bytes.data() + index * (bits / 8);
  switch (bits) {
  case 8:
    return static_cast<int8_t>(*element);
  case 16: {
    int16_t value;
    std::memcpy(&value, element, sizeof(value));
    return value;
  }
  case 32: {
    int32_t value;
    std::memcpy(&value, element, sizeof(value));
    return value;
  }
  default: {
    int64_t value;
    std::memcpy(&value, element, sizeof(value));
    return value;
  }
  }
}

bool agree(double actual, double expected, const CompareOptions &options) {
  if (std::isnan(actual) || std::isnan(expected))
    return std::isnan(actual) && std::isnan(expected);
  if (actual == expected)
    return true;
  if (std::isinf(actual) || std::isinf(expected))
    return false;
  return std::fabs(actual - expected) <=
         options.atol + options.rtol * std::fabs(expected);
}

/// `value` as read from a float of `bits` bits.
std::string formatFloat(double value, unsigned bits) {
  if (bits == 64)
    return formatNumber(value);
  return formatNumber(static_cast<float>(value));
}

} // namespace

std::optional<std::string>
lathe::autotune::compareOutput(unsigned outputIndex, ArrayRef<uint8_t> actual,
                               ArrayRef<uint8_t> expected,
                               const CompareOptions &options) {
  unsigned bits = options.elementBits;
  assert((options.isFloat
              ? (bits == 16 || bits == 32 || bits == 64)
              : (bits == 8 || bits == 16 || bits == 32 || bits == 64)) &&
         "unsupported element type");
  if (options.isFloat ? (bits != 16 && bits != 32 && bits != 64)
                      : (bits != 8 && bits != 16 && bits != 32 && bits != 64))
    bits = 8; // Release builds: compare bytes as integers, exactly.

  std::string prefix = "output " + std::to_string(outputIndex);
  if (actual.size() != expected.size())
    return prefix + ": " + std::to_string(actual.size()) + " bytes vs " +
           std::to_string(expected.size()) + " expected";
  size_t elementBytes = bits / 8;
  if (actual.size() % elementBytes != 0)
    return prefix + ": " + std::to_string(actual.size()) +
           " bytes are not a whole number of " + std::to_string(elementBytes) +
           "-byte elements";

  size_t count = actual.size() / elementBytes;
  for (size_t i = 0; i < count; ++i) {
    std::string actualText, expectedText;
    if (options.isFloat && bits == options.elementBits) {
      double a = loadFloat(actual, i, bits), e = loadFloat(expected, i, bits);
      if (agree(a, e, options))
        continue;
      actualText = formatFloat(a, bits);
      expectedText = formatFloat(e, bits);
    } else {
      int64_t a = loadInt(actual, i, bits), e = loadInt(expected, i, bits);
      if (a == e ||
          agree(static_cast<double>(a), static_cast<double>(e), options))
        continue;
      actualText = std::to_string(a);
      expectedText = std::to_string(e);
    }
    return prefix + ", element " + std::to_string(i) + ": " + actualText +
           " vs " + expectedText + " expected";
  }
  return std::nullopt;
}

std::optional<std::string>
lathe::autotune::compareOutputs(ArrayRef<std::vector<uint8_t>> actual,
                                ArrayRef<std::vector<uint8_t>> expected,
                                const CompareOptions &options) {
  if (actual.size() != expected.size())
    return std::to_string(actual.size()) + " outputs vs " +
           std::to_string(expected.size()) + " expected";
  for (size_t i = 0; i < actual.size(); ++i)
    if (std::optional<std::string> mismatch = compareOutput(
            static_cast<unsigned>(i), actual[i], expected[i], options))
      return mismatch;
  return std::nullopt;
}
