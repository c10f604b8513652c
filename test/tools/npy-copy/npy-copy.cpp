//===- npy-copy.cpp - Copy a .npy file through Lathe's reader and writer --===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `npy-copy IN.npy OUT.npy`, a test utility: it reads IN
// with tools/lathe/Npy.h, prints its dtype and shape ("<f2 (2, 3)"), and
// writes the array to OUT with the same library, so that lit tests can check
// Lathe's .npy reader and writer against numpy for every dtype
// (test/tools/lathe/run-npy.test). Errors go to stderr, exit code 1.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Npy.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

int main(int argc, char **argv) {
  if (argc != 3) {
    errs() << "usage: npy-copy IN.npy OUT.npy\n";
    return 1;
  }
  auto array = lathe::npy::read(argv[1]);
  if (!array) {
    errs() << "npy-copy: " << toString(array.takeError()) << "\n";
    return 1;
  }
  outs() << *lathe::npy::descrOf(array->dtype) << " "
         << lathe::npy::formatShape(array->shape) << "\n";
  if (Error err = lathe::npy::write(argv[2], array->dtype, array->shape,
                                    array->data.data())) {
    errs() << "npy-copy: " << toString(std::move(err)) << "\n";
    return 1;
  }
  return 0;
}
