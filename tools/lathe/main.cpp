//===- main.cpp - The lathe command ----------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file is the `lathe` executable; everything it does is in Driver.cpp.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Driver.h"

#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return lathe::cli::runLathe(argc, argv);
}
