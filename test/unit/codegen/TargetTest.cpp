//===- TargetTest.cpp - Unit tests of codegen targets ---------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests the target table (lookupTarget, knownTargetNames): every named
// target's numbers, GPUs and aliases; host detection, the parsing of sysfs
// cache sizes, and TargetMachine creation.
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <thread>

using namespace lathe::codegen;

namespace {

TEST(TargetTest, KnownNamesStartWithHost) {
  auto names = knownTargetNames();
  std::vector<std::string> expected = {
      "host",     "x86-64-v3", "x86-64-v4", "neoverse-n1",      "cortex-a76",
      "apple-m1", "sm_80",     "sm_90",     "aarch64-linux-gnu"};
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.end()), expected);
}

/// Checks what every CPU target has: a vector width of 128, 256 or 512 bits
/// with its f32 lanes, 16 or 32 registers, caches that grow from level to
/// level, a cache line, cores, a linker.
void expectSaneCPU(const TargetSpec &t) {
  SCOPED_TRACE(t.name);
  EXPECT_FALSE(t.isGPU());
  EXPECT_TRUE(t.vectorBits == 128 || t.vectorBits == 256 || t.vectorBits == 512)
      << t.vectorBits;
  EXPECT_EQ(t.f32Lanes(), t.vectorBits / 32);
  EXPECT_TRUE(t.numVectorRegisters == 16 || t.numVectorRegisters == 32)
      << t.numVectorRegisters;
  EXPECT_GT(t.l1Bytes, 0u);
  EXPECT_LT(t.l1Bytes, t.l2Bytes);
  if (t.l3Bytes)
    EXPECT_LT(t.l2Bytes, t.l3Bytes);
  EXPECT_TRUE(t.cacheLineBytes == 64 || t.cacheLineBytes == 128)
      << t.cacheLineBytes;
  EXPECT_GE(t.numCores, 1u);
  EXPECT_FALSE(t.linkers.empty());
  EXPECT_FALSE(t.description.empty());
}

/// The expected numbers of a named CPU target.
struct ExpectedCPU {
  const char *name, *triple, *cpu;
  unsigned vectorBits, registers, fmaUnits;
  uint64_t l1, l2, l3;
  unsigned line, cores;
  const char *linker;
};

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;

TEST(TargetTest, NamedCPUTargets) {
  const ExpectedCPU expected[] = {
      {"x86-64-v3", "x86_64-unknown-linux-gnu", "x86-64-v3", 256, 16, 2,
       32 * KiB, 512 * KiB, 32 * MiB, 64, 64, "clang-19"},
      {"x86-64-v4", "x86_64-unknown-linux-gnu", "x86-64-v4", 512, 32, 2,
       48 * KiB, 1280 * KiB, 60 * MiB, 64, 40, "clang-19"},
      {"neoverse-n1", "aarch64-unknown-linux-gnu", "neoverse-n1", 128, 32, 2,
       64 * KiB, 1 * MiB, 32 * MiB, 64, 64, "aarch64-linux-gnu-gcc"},
      {"cortex-a76", "aarch64-unknown-linux-gnu", "cortex-a76", 128, 32, 2,
       64 * KiB, 512 * KiB, 2 * MiB, 64, 4, "aarch64-linux-gnu-gcc"},
      {"apple-m1", "aarch64-unknown-linux-gnu", "apple-m1", 128, 32, 4,
       128 * KiB, 12 * MiB, 0, 128, 8, "aarch64-linux-gnu-gcc"},
      {"aarch64-linux-gnu", "aarch64-unknown-linux-gnu", "neoverse-n1", 128, 32,
       2, 64 * KiB, 1 * MiB, 32 * MiB, 64, 64, "aarch64-linux-gnu-gcc"},
  };
  for (const ExpectedCPU &e : expected) {
    SCOPED_TRACE(e.name);
    auto t = lookupTarget(e.name);
    ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    expectSaneCPU(*t);
    EXPECT_EQ(t->name, e.name);
    EXPECT_EQ(t->triple, e.triple);
    EXPECT_EQ(t->cpu, e.cpu);
    EXPECT_EQ(t->vectorBits, e.vectorBits);
    EXPECT_EQ(t->numVectorRegisters, e.registers);
    EXPECT_EQ(t->fmaUnitsPerCore, e.fmaUnits);
    EXPECT_EQ(t->l1Bytes, e.l1);
    EXPECT_EQ(t->l2Bytes, e.l2);
    EXPECT_EQ(t->l3Bytes, e.l3);
    EXPECT_EQ(t->cacheLineBytes, e.line);
    EXPECT_EQ(t->numCores, e.cores);
    ASSERT_FALSE(t->linkers.empty());
    EXPECT_EQ(t->linkers.front(), e.linker);
  }
}

TEST(TargetTest, AliasKeepsItsName) {
  auto alias = lookupTarget("aarch64-linux-gnu");
  auto target = lookupTarget("neoverse-n1");
  ASSERT_TRUE(alias && target);
  EXPECT_EQ(alias->name, "aarch64-linux-gnu");
  EXPECT_EQ(alias->description, "alias of neoverse-n1: " + target->description);
  EXPECT_EQ(alias->features, target->features);
}

TEST(TargetTest, GPUTargets) {
  struct ExpectedGPU {
    const char *name;
    unsigned cc, sms;
    uint64_t smemBlock, smemSM, l1, l2;
    unsigned lanes;
  };
  const ExpectedGPU expected[] = {
      {"sm_80", 80, 108, 163 * KiB, 164 * KiB, 192 * KiB, 40 * MiB, 64},
      {"sm_90", 90, 132, 227 * KiB, 228 * KiB, 256 * KiB, 50 * MiB, 128},
  };
  for (const ExpectedGPU &e : expected) {
    SCOPED_TRACE(e.name);
    auto t = lookupTarget(e.name);
    ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    ASSERT_TRUE(t->isGPU());
    EXPECT_EQ(t->triple, "nvptx64-nvidia-cuda");
    EXPECT_EQ(t->cpu, e.name);
    EXPECT_EQ(t->vectorBits, 0u);
    EXPECT_EQ(t->f32Lanes(), 0u);
    EXPECT_EQ(t->numVectorRegisters, 0u);
    EXPECT_TRUE(t->linkers.empty());
    EXPECT_EQ(t->l1Bytes, e.l1);
    EXPECT_EQ(t->l2Bytes, e.l2);
    EXPECT_EQ(t->l3Bytes, 0u);
    EXPECT_EQ(t->cacheLineBytes, 128u);
    const GPUSpec &gpu = *t->gpu;
    EXPECT_EQ(gpu.computeCapability, e.cc);
    EXPECT_EQ(gpu.numSMs, e.sms);
    EXPECT_EQ(t->numCores, gpu.numSMs);
    EXPECT_EQ(gpu.warpSize, 32u);
    EXPECT_EQ(gpu.maxThreadsPerBlock, 1024u);
    EXPECT_EQ(gpu.maxThreadsPerSM, 2048u);
    EXPECT_EQ(gpu.sharedMemoryPerBlockBytes, e.smemBlock);
    EXPECT_EQ(gpu.sharedMemoryPerSMBytes, e.smemSM);
    EXPECT_LT(gpu.sharedMemoryPerBlockBytes, gpu.sharedMemoryPerSMBytes);
    EXPECT_LT(gpu.sharedMemoryPerSMBytes, t->l1Bytes);
    EXPECT_LT(t->l1Bytes, t->l2Bytes);
    EXPECT_EQ(gpu.registersPerSM, 65536u);
    EXPECT_EQ(gpu.maxRegistersPerThread, 255u);
    EXPECT_EQ(gpu.f32LanesPerSM, e.lanes);
  }
}

TEST(TargetTest, HostIsDetected) {
  TargetSpec host = detectHost();
  EXPECT_EQ(host.name, "host");
  EXPECT_EQ(host.triple, llvm::sys::getProcessTriple());
  EXPECT_EQ(host.cpu, llvm::sys::getHostCPUName().str());
  EXPECT_EQ(host.description, "detected");
  expectSaneCPU(host);
  EXPECT_EQ(host.fmaUnitsPerCore, 0u);
  EXPECT_LE(host.numCores, std::max(1u, std::thread::hardware_concurrency()));
  // Features are "+name"/"-name", sorted by name.
  if (!host.features.empty()) {
    llvm::SmallVector<llvm::StringRef> features;
    llvm::StringRef(host.features).split(features, ',');
    for (llvm::StringRef f : features)
      EXPECT_TRUE(f.starts_with("+") || f.starts_with("-")) << f.str();
    for (size_t i = 1; i < features.size(); ++i)
      EXPECT_LT(features[i - 1].drop_front(), features[i].drop_front());
  }
  // The vector registers follow the ISA.
  llvm::Triple triple(host.triple);
  llvm::StringRef features(host.features);
  if (triple.isX86() && features.contains("+avx512f")) {
    EXPECT_EQ(host.vectorBits, 512u);
    EXPECT_EQ(host.numVectorRegisters, 32u);
  } else if (triple.isX86() && features.contains("+avx2")) {
    EXPECT_EQ(host.vectorBits, 256u);
    EXPECT_EQ(host.numVectorRegisters, 16u);
  } else if (triple.isAArch64()) {
    EXPECT_EQ(host.vectorBits, 128u);
    EXPECT_EQ(host.numVectorRegisters, 32u);
  }
}

TEST(TargetTest, LookupHostIsDetectHost) {
  auto host = lookupTarget("host");
  ASSERT_TRUE(static_cast<bool>(host)) << llvm::toString(host.takeError());
  TargetSpec detected = detectHost();
  EXPECT_EQ(host->triple, detected.triple);
  EXPECT_EQ(host->cpu, detected.cpu);
  EXPECT_EQ(host->features, detected.features);
}

TEST(TargetTest, UnknownNameListsKnownOnes) {
  for (llvm::StringRef name : {"sm_70", "", "Host", "aarch64", "x86-64"}) {
    auto target = lookupTarget(name);
    ASSERT_FALSE(static_cast<bool>(target)) << name.str();
    std::string message = llvm::toString(target.takeError());
    EXPECT_EQ(message, "unknown target '" + name.str() +
                           "' (known targets: host, x86-64-v3, x86-64-v4, "
                           "neoverse-n1, cortex-a76, apple-m1, sm_80, sm_90, "
                           "aarch64-linux-gnu)");
  }
}

TEST(TargetTest, EveryKnownTargetHasATargetMachine) {
  for (llvm::StringRef name : knownTargetNames()) {
    auto target = lookupTarget(name);
    ASSERT_TRUE(static_cast<bool>(target)) << llvm::toString(target.takeError());
    auto machine = createTargetMachine(*target);
    ASSERT_TRUE(static_cast<bool>(machine))
        << name.str() << ": " << llvm::toString(machine.takeError());
    EXPECT_EQ((*machine)->getTargetTriple().str(), target->triple);
    EXPECT_EQ((*machine)->getTargetCPU(), target->cpu);
    EXPECT_EQ((*machine)->getRelocationModel(), llvm::Reloc::PIC_);
    // LLVM 19 knows the CPU (an unknown one it would ignore with a warning).
    const llvm::MCSubtargetInfo *sti = (*machine)->getMCSubtargetInfo();
    EXPECT_TRUE(sti->isCPUStringValid(target->cpu)) << target->cpu;
  }
}

TEST(TargetTest, TargetMachineOfAnUnknownTripleFails) {
  TargetSpec spec;
  spec.name = "bogus";
  spec.triple = "nonsense-unknown-none";
  auto machine = createTargetMachine(spec);
  ASSERT_FALSE(static_cast<bool>(machine));
  EXPECT_NE(llvm::toString(machine.takeError())
                .find("target 'bogus' (nonsense-unknown-none)"),
            std::string::npos);
}

TEST(TargetTest, ParseCacheSize) {
  EXPECT_EQ(parseCacheSize("48K"), 48u * 1024);
  EXPECT_EQ(parseCacheSize("2048K\n"), 2048u * 1024);
  EXPECT_EQ(parseCacheSize("32M"), 32u * 1024 * 1024);
  EXPECT_EQ(parseCacheSize("1G"), 1024u * 1024 * 1024);
  EXPECT_EQ(parseCacheSize("512"), 512u);
  EXPECT_EQ(parseCacheSize(""), std::nullopt);
  EXPECT_EQ(parseCacheSize("K"), std::nullopt);
  EXPECT_EQ(parseCacheSize("12Q"), std::nullopt);
  EXPECT_EQ(parseCacheSize("-4K"), std::nullopt);
}

/// Writes `text` to `dir`/`name`, creating `dir`.
void writeFile(const llvm::Twine &dir, llvm::StringRef name,
               llvm::StringRef text) {
  ASSERT_FALSE(llvm::sys::fs::create_directories(dir));
  std::error_code ec;
  llvm::raw_fd_ostream os((dir + "/" + name).str(), ec);
  ASSERT_FALSE(ec) << ec.message();
  os << text;
}

TEST(TargetTest, ReadCacheSizesFromSysfs) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(
      llvm::sys::fs::createUniqueDirectory("lathe-target-test", dir));
  auto index = [&](int i, llvm::StringRef level, llvm::StringRef type,
                   llvm::StringRef size) {
    std::string sub = (dir + "/index" + llvm::Twine(i)).str();
    writeFile(sub, "level", level.str() + "\n");
    writeFile(sub, "type", type.str() + "\n");
    writeFile(sub, "size", size.str() + "\n");
  };
  index(0, "1", "Data", "48K");
  writeFile(dir + "/index0", "coherency_line_size", "128\n");
  index(1, "1", "Instruction", "64K");
  writeFile(dir + "/index1", "coherency_line_size", "32\n");
  index(2, "2", "Unified", "2048K");
  index(3, "3", "Unified", "32M");
  // Not a cache index; ignored.
  writeFile(dir + "/uevent", "x", "");

  TargetSpec spec;
  spec.l1Bytes = spec.l2Bytes = spec.l3Bytes = 7;
  readCacheSizes(dir, spec);
  EXPECT_EQ(spec.l1Bytes, 48u * 1024);
  EXPECT_EQ(spec.l2Bytes, 2048u * 1024);
  EXPECT_EQ(spec.l3Bytes, 32u * 1024 * 1024);
  EXPECT_EQ(spec.cacheLineBytes, 128u);

  // A folder that does not exist leaves the sizes alone.
  TargetSpec untouched;
  untouched.l1Bytes = 1;
  untouched.cacheLineBytes = 64;
  readCacheSizes((dir + "/missing").str(), untouched);
  EXPECT_EQ(untouched.l1Bytes, 1u);
  EXPECT_EQ(untouched.cacheLineBytes, 64u);

  ASSERT_FALSE(llvm::sys::fs::remove_directories(dir));
}

TEST(TargetTest, ReadCacheSizesOfThisMachine) {
  const char *cacheDir = "/sys/devices/system/cpu/cpu0/cache";
  if (!llvm::sys::fs::exists(llvm::Twine(cacheDir) + "/index0/size"))
    GTEST_SKIP() << cacheDir << " is not readable here";
  // Real sysfs files claim a size of 4096 bytes; what they hold is read.
  TargetSpec spec;
  readCacheSizes(cacheDir, spec);
  EXPECT_GT(spec.l1Bytes, 0u);
  EXPECT_GT(spec.l2Bytes, spec.l1Bytes);
  EXPECT_GT(spec.cacheLineBytes, 0u);
  TargetSpec host = detectHost();
  EXPECT_EQ(host.l1Bytes, spec.l1Bytes);
  EXPECT_EQ(host.l2Bytes, spec.l2Bytes);
}

} // namespace
