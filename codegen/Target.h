//===- Target.h - Code generation targets -----------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares TargetSpec, the description of a machine Lathe generates
// code for (LLVM triple, CPU, features, vector width and registers, FMA
// units, caches, cores, the facts of a GPU, and the tools that link for it),
// the table of named targets (`lathe compile --target=<name>`), detection of
// the host, and the LLVM TargetMachine of a target.
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

/// The facts of an NVIDIA GPU that schedules for it depend on: the limits of
/// a thread block and the resources of one streaming multiprocessor (SM).
/// Per-compute-capability limits are those of the CUDA C++ Programming
/// Guide's "Technical Specifications per Compute Capability" table; per-chip
/// numbers (SM count, FP32 lanes) those of NVIDIA's architecture whitepaper
/// of the reference board, named in the target table (Target.cpp).
struct GPUSpec {
  /// The compute capability times ten: 80 for sm_80, 90 for sm_90.
  unsigned computeCapability = 0;
  /// Streaming multiprocessors on the chip.
  unsigned numSMs = 0;
  /// Threads in a warp.
  unsigned warpSize = 0;
  /// Most threads in one thread block.
  unsigned maxThreadsPerBlock = 0;
  /// Most threads resident on one SM.
  unsigned maxThreadsPerSM = 0;
  /// Most shared memory one thread block can use, in bytes, once it opts in
  /// (cudaFuncAttributeMaxDynamicSharedMemorySize); without opting in a
  /// block gets 48 KiB.
  uint64_t sharedMemoryPerBlockBytes = 0;
  /// Most shared memory of one SM, in bytes (carved out of its L1).
  uint64_t sharedMemoryPerSMBytes = 0;
  /// 32-bit registers of one SM.
  unsigned registersPerSM = 0;
  /// Most 32-bit registers of one thread.
  unsigned maxRegistersPerThread = 0;
  /// FP32 lanes ("CUDA cores") of one SM: f32 FMAs it completes per clock.
  unsigned f32LanesPerSM = 0;
};

/// A machine to generate code for. The numbers are data for the scheduling
/// heuristics and the cost model; 0 means "unknown" or "none" where a field
/// says so.
struct TargetSpec {
  /// The name `lathe compile --target` accepts ("host", "x86-64-v4",
  /// "aarch64-linux-gnu"); an alias keeps the name it was looked up by.
  std::string name;
  /// What the numbers describe: "detected" for the host, else the reference
  /// machine of a named target (e.g. "AWS Graviton2").
  std::string description;
  /// LLVM target triple, e.g. "x86_64-pc-linux-gnu", "nvptx64-nvidia-cuda".
  std::string triple;
  /// LLVM CPU name, e.g. "skylake-avx512", "neoverse-n1", "sm_90".
  std::string cpu;
  /// LLVM feature string, e.g. "+avx2,+fma,-avx512f"; may be empty (the
  /// CPU's defaults).
  std::string features;
  /// Width of the widest SIMD registers usable for f32 arithmetic, in bits
  /// (128, 256 or 512); 0 for a GPU, which has no such registers (see gpu).
  unsigned vectorBits = 0;
  /// Number of those vector registers (16 ymm for AVX2, 32 zmm for
  /// AVX-512, 32 for NEON); 0 for a GPU.
  unsigned numVectorRegisters = 0;
  /// Vector FMA instructions one core can issue per cycle, each on
  /// vectorBits-wide registers (2 on Ice Lake server with AVX-512 and on
  /// Neoverse N1); 0 when unknown, as it is for the host (CPUID does not
  /// tell, and a Xeon SKU may have 1 or 2 AVX-512 FMA units).
  unsigned fmaUnitsPerCore = 0;
  /// Data cache sizes in bytes: L1 data, L2, L3 (0 when there is none), as
  /// seen by one core: a cache shared by several cores counts whole. For a
  /// GPU: L1 (with shared memory) of one SM, and the L2.
  uint64_t l1Bytes = 0, l2Bytes = 0, l3Bytes = 0;
  /// Size of a cache line in bytes.
  unsigned cacheLineBytes = 0;
  /// Number of cores (hardware threads this process may run on, for the
  /// host); for a GPU, its number of SMs.
  unsigned numCores = 0;
  /// The GPU's facts; none for a CPU.
  std::optional<GPUSpec> gpu;
  /// Compiler drivers that link objects for this target into a shared
  /// library or program, in order of preference (the first found is used);
  /// empty for a GPU.
  std::vector<std::string> linkers;

  /// Whether this is a GPU (`gpu` holds its facts).
  bool isGPU() const { return gpu.has_value(); }
  /// f32 elements in one vector register (vectorBits / 32); 0 for a GPU.
  unsigned f32Lanes() const { return vectorBits / 32; }
};

/// Describes the machine this process runs on: LLVM's host triple, CPU and
/// features; vector width and registers from the features; cache and cache
/// line sizes from /sys/devices/system/cpu/cpu0/cache (with typical values
/// where that is not readable); as cores, the CPUs this process may run on
/// (sched_getaffinity, else std::thread::hardware_concurrency()); FMA units
/// unknown (0). Named "host".
TargetSpec detectHost();

/// Parses a sysfs cache size ("48K", "2048K", "32M", "1G", or plain bytes)
/// into bytes; std::nullopt when `text` is none of these.
std::optional<uint64_t> parseCacheSize(llvm::StringRef text);

/// Reads the data and unified cache sizes of `cacheDir` (a sysfs folder such
/// as /sys/devices/system/cpu/cpu0/cache, with
/// index*/{level,type,size,coherency_line_size}) into `spec`'s l1Bytes,
/// l2Bytes and l3Bytes, and the L1 data cache's line size into
/// cacheLineBytes. What it cannot read is left as it is.
void readCacheSizes(llvm::StringRef cacheDir, TargetSpec &spec);

/// The names lookupTarget() accepts: "host" first, then the named targets of
/// the table (CPUs, then GPUs), then aliases.
llvm::ArrayRef<llvm::StringRef> knownTargetNames();

/// Returns the target called `name` ("host" is detectHost()), GPUs
/// included. An unknown name is an error that lists the known ones.
llvm::Expected<TargetSpec> lookupTarget(llvm::StringRef name);

/// Creates the LLVM TargetMachine for `target`: its triple, CPU and features,
/// position-independent code (for shared libraries), optimization level
/// Aggressive. Initializes the LLVM targets Lathe generates code for (x86,
/// AArch64, NVPTX) on first use.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &target);

/// The key the tuning database files `target`'s records under:
/// `<triple>/<cpu>/<vectorBits>`, e.g. "x86_64-pc-linux-gnu/znver3/256".
/// Two machines with the same key run the same code at the same vector
/// width, so a schedule measured on one suits the other; caches and core
/// counts are not part of it (a record may be slower elsewhere, never
/// wrong). The host's key is that of its detected CPU.
std::string tuningKey(const TargetSpec &target);

} // namespace lathe::codegen

#endif // LATHE_CODEGEN_TARGET_H
