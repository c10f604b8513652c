//===- TargetTest.cpp - Unit tests of codegen targets ---------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests the target table (lookupTarget, knownTargetNames), host detection,
// the parsing of sysfs cache sizes, and TargetMachine creation.
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include "gtest/gtest.h"

using namespace lathe::codegen;

namespace {

TEST(TargetTest, KnownNamesStartWithHost) {
  auto names = knownTargetNames();
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names.front(), "host");
  EXPECT_NE(llvm::find(names, "aarch64-linux-gnu"), names.end());
}

TEST(TargetTest, HostIsDetected) {
  TargetSpec host = detectHost();
  EXPECT_EQ(host.name, "host");
  EXPECT_EQ(host.triple, llvm::sys::getProcessTriple());
  EXPECT_EQ(host.cpu, llvm::sys::getHostCPUName().str());
  EXPECT_TRUE(host.vectorBits == 128 || host.vectorBits == 256 ||
              host.vectorBits == 512)
      << host.vectorBits;
  EXPECT_GE(host.numVectorRegisters, 16u);
  EXPECT_GT(host.l1Bytes, 0u);
  EXPECT_GT(host.l2Bytes, host.l1Bytes);
  EXPECT_GE(host.numCores, 1u);
  EXPECT_FALSE(host.linkers.empty());
  // Features are "+name"/"-name", sorted by name.
  if (!host.features.empty()) {
    llvm::SmallVector<llvm::StringRef> features;
    llvm::StringRef(host.features).split(features, ',');
    for (llvm::StringRef f : features)
      EXPECT_TRUE(f.starts_with("+") || f.starts_with("-")) << f.str();
    for (size_t i = 1; i < features.size(); ++i)
      EXPECT_LT(features[i - 1].drop_front(), features[i].drop_front());
  }
  llvm::Triple triple(host.triple);
  if (triple.isX86() && llvm::StringRef(host.features).contains("+avx2"))
    EXPECT_GE(host.vectorBits, 256u);
}

TEST(TargetTest, LookupHostIsDetectHost) {
  auto host = lookupTarget("host");
  ASSERT_TRUE(static_cast<bool>(host)) << llvm::toString(host.takeError());
  TargetSpec detected = detectHost();
  EXPECT_EQ(host->triple, detected.triple);
  EXPECT_EQ(host->cpu, detected.cpu);
  EXPECT_EQ(host->features, detected.features);
}

TEST(TargetTest, LookupAArch64) {
  auto target = lookupTarget("aarch64-linux-gnu");
  ASSERT_TRUE(static_cast<bool>(target)) << llvm::toString(target.takeError());
  EXPECT_EQ(target->name, "aarch64-linux-gnu");
  EXPECT_TRUE(llvm::Triple(target->triple).isAArch64()) << target->triple;
  EXPECT_EQ(target->cpu, "neoverse-n1");
  EXPECT_EQ(target->vectorBits, 128u);
  EXPECT_EQ(target->numVectorRegisters, 32u);
  EXPECT_EQ(target->l1Bytes, 64u * 1024);
  EXPECT_EQ(target->l2Bytes, 1024u * 1024);
  EXPECT_GT(target->numCores, 0u);
  ASSERT_EQ(target->linkers.size(), 1u);
  EXPECT_EQ(target->linkers[0], "aarch64-linux-gnu-gcc");
}

TEST(TargetTest, UnknownNameListsKnownOnes) {
  for (llvm::StringRef name : {"sm_90", "", "Host", "aarch64"}) {
    auto target = lookupTarget(name);
    ASSERT_FALSE(static_cast<bool>(target)) << name.str();
    std::string message = llvm::toString(target.takeError());
    EXPECT_EQ(message, "unknown target '" + name.str() +
                           "' (known targets: host, aarch64-linux-gnu)");
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
  index(1, "1", "Instruction", "64K");
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

  // A folder that does not exist leaves the sizes alone.
  TargetSpec untouched;
  untouched.l1Bytes = 1;
  readCacheSizes((dir + "/missing").str(), untouched);
  EXPECT_EQ(untouched.l1Bytes, 1u);

  ASSERT_FALSE(llvm::sys::fs::remove_directories(dir));
}

} // namespace
