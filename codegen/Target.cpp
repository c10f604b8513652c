//===- Target.cpp - Code generation targets -------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the table of named targets, host detection and the
// creation of TargetMachines. Adding a cross target is one entry in
// kNamedTargets.
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

using namespace llvm;
using namespace lathe::codegen;

namespace {
//===----------------------------------------------------------------------===//
// Named targets
//===----------------------------------------------------------------------===//

/// One row of the target table. The hardware numbers of a cross target are
/// those of the reference machine named in its comment.
struct NamedTarget {
  StringRef name;
  StringRef triple;
  StringRef cpu;
  StringRef features;
  unsigned vectorBits;
  unsigned numVectorRegisters;
  uint64_t l1Bytes, l2Bytes, l3Bytes;
  unsigned numCores;
  /// Compiler drivers that link for the target, in order of preference.
  ArrayRef<StringRef> linkers;
};

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;

const StringRef kHostLinkers[] = {"clang-19", "clang", "cc"};
const StringRef kAArch64Linkers[] = {"aarch64-linux-gnu-gcc"};

/// Targets other than "host", by name. "host" is detected (detectHost) and
/// always comes first in knownTargetNames().
const NamedTarget kNamedTargets[] = {
    // 64-bit Arm Linux with NEON, tuned for and requiring Arm Neoverse N1
    // (ARMv8.2-A: AWS Graviton2, Ampere Altra, and Cortex-A76 class cores).
    // Caches and cores are Graviton2's: 64 KiB L1D and 1 MiB L2 per core,
    // 32 MiB shared L3, 64 cores. NEON has 32 128-bit registers.
    {"aarch64-linux-gnu", "aarch64-unknown-linux-gnu", "neoverse-n1", "", 128,
     32, 64 * KiB, 1 * MiB, 32 * MiB, 64, kAArch64Linkers},
};

const SmallVector<StringRef> &targetNames() {
  static const SmallVector<StringRef> names = [] {
    SmallVector<StringRef> result = {"host"};
    for (const NamedTarget &t : kNamedTargets)
      result.push_back(t.name);
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

/// Reads a one-line sysfs file, without its trailing newline.
std::optional<std::string> readLine(const Twine &path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
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
    if (*level == "1")
      spec.l1Bytes = *size;
    else if (*level == "2")
      spec.l2Bytes = *size;
    else if (*level == "3")
      spec.l3Bytes = *size;
  }
}

TargetSpec lathe::codegen::detectHost() {
  TargetSpec spec;
  spec.name = "host";
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
  readCacheSizes("/sys/devices/system/cpu/cpu0/cache", spec);

  spec.numCores = std::max(1u, std::thread::hardware_concurrency());
  spec.linkers = toStrings(kHostLinkers);
  return spec;
}

ArrayRef<StringRef> lathe::codegen::knownTargetNames() { return targetNames(); }

Expected<TargetSpec> lathe::codegen::lookupTarget(StringRef name) {
  if (name == "host")
    return detectHost();
  for (const NamedTarget &t : kNamedTargets) {
    if (t.name != name)
      continue;
    TargetSpec spec;
    spec.name = t.name.str();
    spec.triple = t.triple.str();
    spec.cpu = t.cpu.str();
    spec.features = t.features.str();
    spec.vectorBits = t.vectorBits;
    spec.numVectorRegisters = t.numVectorRegisters;
    spec.l1Bytes = t.l1Bytes;
    spec.l2Bytes = t.l2Bytes;
    spec.l3Bytes = t.l3Bytes;
    spec.numCores = t.numCores;
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

/// Registers the LLVM targets Lathe generates code for: the host's, x86 and
/// AArch64.
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
