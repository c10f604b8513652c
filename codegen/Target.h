//===- Target.h - Code generation targets -----------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares TargetSpec, the description of a machine Lathe generates
// code for (LLVM triple, CPU, features, vector width, caches, cores, and the
// tools that link for it), the table of named targets (`lathe compile
// --target=<name>`), detection of the host, and the LLVM TargetMachine of a
// target.
//
// The hardware numbers are data for the scheduling heuristics and the cost
// model; nothing in codegen itself depends on them. For the host they are
// read from the machine; for a named cross target they are those of a
// reference machine, documented in the table (Target.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_CODEGEN_TARGET_H
#define LATHE_CODEGEN_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace lathe::codegen {

/// A machine to generate code for.
struct TargetSpec {
  /// The name `lathe compile --target` accepts ("host", "aarch64-linux-gnu").
  std::string name;
  /// LLVM target triple, e.g. "x86_64-pc-linux-gnu".
  std::string triple;
  /// LLVM CPU name, e.g. "skylake-avx512", "neoverse-n1".
  std::string cpu;
  /// LLVM feature string, e.g. "+avx2,+fma,-avx512f"; may be empty (the
  /// CPU's defaults).
  std::string features;
  /// Width of the widest SIMD registers usable for f32 arithmetic, in bits.
  unsigned vectorBits = 0;
  /// Number of those vector registers.
  unsigned numVectorRegisters = 0;
  /// Data cache sizes in bytes: L1 data, L2, L3 (0 when there is none).
  uint64_t l1Bytes = 0, l2Bytes = 0, l3Bytes = 0;
  /// Number of cores (hardware threads for the host).
  unsigned numCores = 0;
  /// Compiler drivers that link objects for this target into a shared
  /// library or program, in order of preference (the first found is used).
  std::vector<std::string> linkers;
};

/// Describes the machine this process runs on: LLVM's host triple, CPU and
/// features; vector width and registers from the features; cache sizes from
/// /sys/devices/system/cpu/cpu0/cache (with typical values where that is not
/// readable); std::thread::hardware_concurrency() cores. Named "host".
TargetSpec detectHost();

/// Parses a sysfs cache size ("48K", "2048K", "32M", "1G", or plain bytes)
/// into bytes; std::nullopt when `text` is none of these.
std::optional<uint64_t> parseCacheSize(llvm::StringRef text);

/// Reads the data and unified cache sizes of `cacheDir` (a sysfs folder such
/// as /sys/devices/system/cpu/cpu0/cache, with index*/{level,type,size}) into
/// `spec`'s l1Bytes, l2Bytes and l3Bytes. Levels it cannot read are left as
/// they are.
void readCacheSizes(llvm::StringRef cacheDir, TargetSpec &spec);

/// The names lookupTarget() accepts, "host" first.
llvm::ArrayRef<llvm::StringRef> knownTargetNames();

/// Returns the target called `name` ("host" is detectHost()). An unknown name
/// is an error that lists the known ones.
llvm::Expected<TargetSpec> lookupTarget(llvm::StringRef name);

/// Creates the LLVM TargetMachine for `target`: its triple, CPU and features,
/// position-independent code (for shared libraries), optimization level
/// Aggressive. Initializes the LLVM targets Lathe generates code for on first
/// use.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &target);

} // namespace lathe::codegen

#endif // LATHE_CODEGEN_TARGET_H
