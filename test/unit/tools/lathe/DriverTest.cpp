//===- DriverTest.cpp - Unit tests of the lathe command line --------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests what `lathe --version` reports. The subcommands' behaviour is tested
// end to end by the lit tests in test/tools/lathe.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Driver.h"

#include "llvm/Config/llvm-config.h"

#include "gtest/gtest.h"

namespace {

TEST(DriverTest, VersionNamesMlirVersion) {
  std::string v = lathe::cli::versionString();
  EXPECT_EQ(v.rfind("lathe ", 0), 0u) << v;
  EXPECT_NE(v.find(std::string("MLIR/LLVM ") + LLVM_VERSION_STRING),
            std::string::npos)
      << v;
  EXPECT_EQ(LLVM_VERSION_MAJOR, 19);
}

} // namespace
