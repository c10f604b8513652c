//===- Target.cpp - Code generation targets -------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the table of named targets, host detection and the
// creation of TargetMachines. Adding a cross target is one entry in
// kNamedTargets, with a comment saying where its numbers come from.
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#ifdef __linux__
#include <sched.h>
#endif

using namespace llvm;
using namespace lathe::codegen;

namespace {
//===----------------------------------------------------------------------===//
// Named targets
//===----------------------------------------------------------------------===//

/// One row of the target table. The hardware numbers are those of the
/// reference machine in `description`; where each comes from is in the
/// comment above the row.
struct NamedTarget {
  StringRef name;
  StringRef description;
  StringRef triple;
  StringRef cpu;
  StringRef features;
  unsigned vectorBits;
  unsigned numVectorRegisters;
  unsigned fmaUnitsPerCore;
  uint64_t l1Bytes, l2Bytes, l3Bytes;
  unsigned cacheLineBytes;
  unsigned numCores;
  /// The GPU's facts; null for a CPU.
  const GPUSpec *gpu;
  /// Compiler drivers that link for the target, in order of preference.
  ArrayRef<StringRef> linkers;
};

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;

const StringRef kHostLinkers[] = {"clang-19", "clang", "cc"};
const StringRef kX86Linkers[] = {"clang-19", "clang", "cc"};
const StringRef kAArch64Linkers[] = {"aarch64-linux-gnu-gcc"};

// GPUs. The limits of a compute capability (threads, shared memory,
// registers) are from the CUDA C++ Programming Guide (12.x), "Technical
// Specifications per Compute Capability": 8.0 and 9.0 both have warps of 32,
// 1024 threads per block, 2048 resident threads and 64K 32-bit registers per
// SM, 255 registers per thread; shared memory per SM / per block (opt-in) is
// 164 KB / 163 KB on 8.0 and 228 KB / 227 KB on 9.0 (the Guide's KB are
// KiB). The numbers of the chips are from NVIDIA's whitepapers, named below.

/// NVIDIA A100 (SXM4), "NVIDIA A100 Tensor Core GPU Architecture"
/// whitepaper (2020): 108 SMs of 64 FP32 lanes, 192 KB of combined L1 and
/// shared memory per SM, 40 MB of L2.
const GPUSpec kA100 = {/*computeCapability=*/80,
                       /*numSMs=*/108,
                       /*warpSize=*/32,
                       /*maxThreadsPerBlock=*/1024,
                       /*maxThreadsPerSM=*/2048,
                       /*sharedMemoryPerBlockBytes=*/163 * KiB,
                       /*sharedMemoryPerSMBytes=*/164 * KiB,
                       /*registersPerSM=*/65536,
                       /*maxRegistersPerThread=*/255,
                       /*f32LanesPerSM=*/64};

/// NVIDIA H100 (SXM5), "NVIDIA H100 Tensor Core GPU Architecture"
/// whitepaper (2022): 132 SMs of 128 FP32 lanes, 256 KB of combined L1 and
/// shared memory per SM, 50 MB of L2.
const GPUSpec kH100 = {/*computeCapability=*/90,
                       /*numSMs=*/132,
                       /*warpSize=*/32,
                       /*maxThreadsPerBlock=*/1024,
                       /*maxThreadsPerSM=*/2048,
                       /*sharedMemoryPerBlockBytes=*/227 * KiB,
                       /*sharedMemoryPerSMBytes=*/228 * KiB,
                       /*registersPerSM=*/65536,
                       /*maxRegistersPerThread=*/255,
                       /*f32LanesPerSM=*/128};

/// Targets other than "host", by name: CPUs, then GPUs. "host" is detected
/// (detectHost) and always comes first in knownTargetNames().
const NamedTarget kNamedTargets[] = {
    // x86-64-v3 (Haswell and later: AVX2, FMA, BMI2), 16 ymm registers.
    // Reference machine AMD EPYC 7763 (Zen 3, "Milan"): AMD's Software
    // Optimization Guide for AMD EPYC 7003 Processors (pub. 56665): 32 KB L1D
    // and 512 KB L2 per core, 32 MB L3 shared by the 8 cores of a CCD (256
    // MB on the chip), 64-byte lines, two 256-bit FMA pipes (FP0, FP1);
    // 64 cores (AMD's product page).
    {"x86-64-v3", "AMD EPYC 7763 (Zen 3)", "x86_64-unknown-linux-gnu",
     "x86-64-v3", "", 256, 16, 2, 32 * KiB, 512 * KiB, 32 * MiB, 64, 64,
     nullptr, kX86Linkers},
    // x86-64-v4 (AVX-512 F/BW/CD/DQ/VL), 32 zmm registers. Reference machine
    // Intel Xeon Platinum 8380 (Ice Lake server): Intel's product
    // specification (ark.intel.com): 40 cores, 60 MB L3, 2 AVX-512 FMA
    // units; Intel 64 and IA-32 Architectures Optimization Reference Manual
    // (Ice Lake server): 48 KB L1D and 1.25 MB L2 per core, 64-byte lines.
    {"x86-64-v4", "Intel Xeon Platinum 8380 (Ice Lake server)",
     "x86_64-unknown-linux-gnu", "x86-64-v4", "", 512, 32, 2, 48 * KiB,
     1280 * KiB, 60 * MiB, 64, 40, nullptr, kX86Linkers},
    // Arm Neoverse N1 (ARMv8.2-A), NEON: 32 128-bit registers. Reference
    // machine AWS Graviton2: 64 KB L1D and 1 MB L2 per core, 32 MB shared
    // L3, 64 cores (AWS's Graviton2 specifications; the Neoverse N1 TRM
    // allows 256 KB to 1 MB of L2), 64-byte lines; two 128-bit ASIMD pipes
    // (V0, V1) that both do FMLA (Arm Neoverse N1 Software Optimization
    // Guide). Requires an ARMv8.2-A core: Graviton2, Ampere Altra,
    // Cortex-A76 and later; not a Cortex-A72 (Raspberry Pi 4).
    {"neoverse-n1", "AWS Graviton2 (Neoverse N1)", "aarch64-unknown-linux-gnu",
     "neoverse-n1", "", 128, 32, 2, 64 * KiB, 1 * MiB, 32 * MiB, 64, 64,
     nullptr, kAArch64Linkers},
    // Arm Cortex-A76, NEON: 32 128-bit registers. Reference machine
    // Raspberry Pi 5 (Broadcom BCM2712): 4 cores, 512 KB L2 per core and
    // 2 MB shared L3 (Raspberry Pi 5 product brief); 64 KB L1D and 64-byte
    // lines (Arm Cortex-A76 TRM); two 128-bit ASIMD pipes that both do FMLA
    // (Arm Cortex-A76 Software Optimization Guide).
    {"cortex-a76", "Raspberry Pi 5 (BCM2712, Cortex-A76)",
     "aarch64-unknown-linux-gnu", "cortex-a76", "", 128, 32, 2, 64 * KiB,
     512 * KiB, 2 * MiB, 64, 4, nullptr, kAArch64Linkers},
    // Apple M1 running Linux (e.g. Asahi; Lathe emits ELF, not Mach-O), NEON:
    // 32 128-bit registers. Apple's M1 announcement (November 2020): a
    // performance core has a 128 KB L1D, the 4 performance cores share a
    // 12 MB L2; 8 cores (4 performance, 4 efficiency). macOS reports
    // 128-byte cache lines (sysctl hw.cachelinesize). No L3: the 8 MB
    // system-level cache sits by the memory controller and is smaller than
    // the L2. Four 128-bit FP/SIMD pipes that all do FMLA: Apple does not
    // publish this; it is Dougall Johnson's measurement of the Firestorm core
    // (dougallj.github.io/applecpu/firestorm-simd.html).
    {"apple-m1", "Apple M1 (Firestorm cores), on Linux",
     "aarch64-unknown-linux-gnu", "apple-m1", "", 128, 32, 4, 128 * KiB,
     12 * MiB, 0, 128, 8, nullptr, kAArch64Linkers},
    // NVIDIA GPUs (no code generation yet): see kA100 and kH100. L1 is the
    // SM's combined L1 and shared memory; lines are 128 bytes (CUDA C++
    // Best Practices Guide); cores are SMs. ptx70 and ptx78 are the first
    // PTX versions with sm_80 and sm_90.
    {"sm_80", "NVIDIA A100 (SXM4)", "nvptx64-nvidia-cuda", "sm_80", "+ptx70",
     0, 0, 0, 192 * KiB, 40 * MiB, 0, 128, 108, &kA100, {}},
    {"sm_90", "NVIDIA H100 (SXM5)", "nvptx64-nvidia-cuda", "sm_90", "+ptx78",
     0, 0, 0, 256 * KiB, 50 * MiB, 0, 128, 132, &kH100, {}},
};

/// Other names of named targets: {alias, target}.
const std::pair<StringRef, StringRef> kAliases[] = {
    // The first AArch64 target's name, from before there were several.
    {"aarch64-linux-gnu", "neoverse-n1"},
};

const SmallVector<StringRef> &targetNames() {
  static const SmallVector<StringRef> names = [] {
    SmallVector<StringRef> result = {"host"};
    for (const NamedTarget &t : kNamedTargets)
      result.push_back(t.name);
    for (const auto &alias : kAliases)
      result.push_back(alias.first);
    return result;
  }();
  return names;
}

std::vector<std::string> toStrings(ArrayRef<StringRef> refs) {
  std::vector<std::string> result;
  for (StringRef s : refs)
    result.push_back(s.str());
  return result;
}

//===----------------------------------------------------------------------===//
// Host detection
//===----------------------------------------------------------------------===//

/// Reads a one-line sysfs file, without its trailing newline. Read as a
/// stream: a sysfs file claims 4096 bytes, and MemoryBuffer::getFile pads
/// what it reads with NULs up to that size.
std::optional<std::string> readLine(const Twine &path) {
  auto buffer = MemoryBuffer::getFileAsStream(path);
  if (!buffer)
    return std::nullopt;
  return (*buffer)->getBuffer().trim().str();
}

/// The vector registers of the host, from its LLVM features.
void setHostVectorRegisters(const Triple &triple,
                            const StringMap<bool, MallocAllocator> &features,
                            TargetSpec &spec) {
  auto has = [&](StringRef f) { return features.lookup(f); };
  if (triple.isX86()) {
    if (has("avx512f"))
      spec.vectorBits = 512, spec.numVectorRegisters = 32;
    else if (has("avx"))
      spec.vectorBits = 256, spec.numVectorRegisters = 16;
    else
      spec.vectorBits = 128, spec.numVectorRegisters = 16;
    return;
  }
  if (triple.isAArch64()) {
    // NEON; SVE's width is only known at run time.
    spec.vectorBits = 128, spec.numVectorRegisters = 32;
    return;
  }
  spec.vectorBits = 128, spec.numVectorRegisters = 16;
}

/// The number of CPUs this process may run on: its affinity mask where the
/// system has one (a container or `taskset` may allow fewer CPUs than the
/// machine has), else std::thread::hardware_concurrency(); at least 1.
unsigned countHostCores() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}
} // namespace

std::optional<uint64_t> lathe::codegen::parseCacheSize(StringRef text) {
  text = text.trim();
  uint64_t scale = 1;
  if (text.consume_back("K"))
    scale = KiB;
  else if (text.consume_back("M"))
    scale = MiB;
  else if (text.consume_back("G"))
    scale = 1024 * MiB;
  uint64_t value;
  if (text.empty() || text.getAsInteger(10, value))
    return std::nullopt;
  return value * scale;
}

void lathe::codegen::readCacheSizes(StringRef cacheDir, TargetSpec &spec) {
  std::error_code ec;
  for (sys::fs::directory_iterator it(cacheDir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!sys::path::filename(it->path()).starts_with("index"))
      continue;
    auto level = readLine(it->path() + "/level");
    auto type = readLine(it->path() + "/type");
    auto sizeText = readLine(it->path() + "/size");
    if (!level || !type || !sizeText || *type == "Instruction")
      continue;
    std::optional<uint64_t> size = parseCacheSize(*sizeText);
    if (!size)
      continue;
    if (*level == "1") {
      spec.l1Bytes = *size;
      unsigned lineBytes;
      if (auto line = readLine(it->path() + "/coherency_line_size"))
        if (!StringRef(*line).getAsInteger(10, lineBytes) && lineBytes > 0)
          spec.cacheLineBytes = lineBytes;
    } else if (*level == "2")
      spec.l2Bytes = *size;
    else if (*level == "3")
      spec.l3Bytes = *size;
  }
}

TargetSpec lathe::codegen::detectHost() {
  TargetSpec spec;
  spec.name = "host";
  spec.description = "detected";
  Triple triple(sys::getProcessTriple());
  spec.triple = triple.str();
  spec.cpu = sys::getHostCPUName().str();

  // Features sorted by name, so that the string is stable from run to run.
  StringMap<bool, MallocAllocator> features = sys::getHostCPUFeatures();
  SmallVector<std::string> sorted;
  for (const auto &f : features)
    sorted.push_back((f.second ? "+" : "-") + f.first().str());
  llvm::sort(sorted, [](const std::string &a, const std::string &b) {
    return StringRef(a).drop_front() < StringRef(b).drop_front();
  });
  spec.features = join(sorted, ",");
  setHostVectorRegisters(triple, features, spec);

  // Typical values of a current server core where sysfs says nothing.
  spec.l1Bytes = 32 * KiB;
  spec.l2Bytes = 1 * MiB;
  spec.l3Bytes = 8 * MiB;
  spec.cacheLineBytes = 64;
  readCacheSizes("/sys/devices/system/cpu/cpu0/cache", spec);

  spec.numCores = countHostCores();
  // Not detectable: CPUID names no FMA units, and under a hypervisor LLVM's
  // CPU name may not even be the hardware's.
  spec.fmaUnitsPerCore = 0;
  spec.linkers = toStrings(kHostLinkers);
  return spec;
}

ArrayRef<StringRef> lathe::codegen::knownTargetNames() { return targetNames(); }

Expected<TargetSpec> lathe::codegen::lookupTarget(StringRef name) {
  if (name == "host")
    return detectHost();
  StringRef tableName = name;
  for (const auto &alias : kAliases)
    if (alias.first == name)
      tableName = alias.second;
  for (const NamedTarget &t : kNamedTargets) {
    if (t.name != tableName)
      continue;
    TargetSpec spec;
    spec.name = name.str();
    spec.description = t.description.str();
    if (tableName != name)
      spec.description =
          ("alias of " + tableName + ": " + spec.description).str();
    spec.triple = t.triple.str();
    spec.cpu = t.cpu.str();
    spec.features = t.features.str();
    spec.vectorBits = t.vectorBits;
    spec.numVectorRegisters = t.numVectorRegisters;
    spec.fmaUnitsPerCore = t.fmaUnitsPerCore;
    spec.l1Bytes = t.l1Bytes;
    spec.l2Bytes = t.l2Bytes;
    spec.l3Bytes = t.l3Bytes;
    spec.cacheLineBytes = t.cacheLineBytes;
    spec.numCores = t.numCores;
    if (t.gpu)
      spec.gpu = *t.gpu;
    spec.linkers = toStrings(t.linkers);
    return spec;
  }
  return createStringError(inconvertibleErrorCode(),
                           "unknown target '" + name +
                               "' (known targets: " +
                               join(knownTargetNames(), ", ") + ")");
}

//===----------------------------------------------------------------------===//
// TargetMachine
//===----------------------------------------------------------------------===//

/// Registers the LLVM targets Lathe generates code for: the host's, x86,
/// AArch64 and NVPTX.
static void initializeLLVMTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
#ifdef LLVM_HAS_X86_TARGET
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
#endif
#ifdef LLVM_HAS_AARCH64_TARGET
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
#endif
#ifdef LLVM_HAS_NVPTX_TARGET
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
#endif
  });
}

Expected<std::unique_ptr<TargetMachine>>
lathe::codegen::createTargetMachine(const TargetSpec &target) {
  initializeLLVMTargets();
  std::string error;
  const Target *llvmTarget =
      TargetRegistry::lookupTarget(target.triple, error);
  if (!llvmTarget)
    return createStringError(inconvertibleErrorCode(),
                             "target '" + target.name + "' (" + target.triple +
                                 "): " + error);
  std::unique_ptr<TargetMachine> machine(llvmTarget->createTargetMachine(
      target.triple, target.cpu, target.features, TargetOptions(),
      Reloc::PIC_, /*CM=*/std::nullopt, CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "target '" + target.name +
                                 "': LLVM cannot create a target machine for " +
                                 target.triple);
  return machine;
}

std::string lathe::codegen::tuningKey(const TargetSpec &target) {
  return target.triple + "/" + target.cpu + "/" +
         std::to_string(target.vectorBits);
}
