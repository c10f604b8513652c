//===- Npy.h - Read and write NumPy .npy files ------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares a reader and a writer of NumPy's .npy format (versions
// 1.0, 2.0 and 3.0), the files `numpy.save` writes and `numpy.load` reads:
//
//   "\x93NUMPY" <major> <minor> <header length: u16 (1.0) or u32 (2.0, 3.0)>
//   "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + padding
//   <the elements, C order>
//
// Only what a model's inputs and outputs hold is supported: little-endian
// '<f2', '<f4', '<f8', '<i4', '<i8', '|i1' and '|b1', in C order. Anything
// else (Fortran order, big-endian or object data, other dtypes, truncated or
// oversized data, malformed headers) is an error whose message says what is
// wrong and where.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_TOOLS_LATHE_NPY_H
#define LATHE_TOOLS_LATHE_NPY_H

#include "runtime/JIT.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lathe::npy {

/// An array read from a .npy file: element type, shape and the elements as
/// dense little-endian C-order bytes.
struct Array {
  DType dtype;
  llvm::SmallVector<int64_t> shape;
  std::vector<uint8_t> data;

  /// Number of elements (1 for a 0-d array).
  int64_t numElements() const;
};

/// The .npy `descr` of `dtype` ("<f4", "|b1", ...), or none for a dtype that
/// .npy cannot hold (bf16).
std::optional<llvm::StringRef> descrOf(DType dtype);

/// Formats `shape` as NumPy prints it: "()", "(3,)", "(2, 3)".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Parses the contents of a .npy file. `name` (usually the file's path)
/// starts every error message.
llvm::Expected<Array> parse(llvm::StringRef bytes, llvm::StringRef name);

/// Reads the .npy file at `path`.
llvm::Expected<Array> read(llvm::StringRef path);

/// Serializes an array of `dtype` and `shape` whose elements are the dense
/// C-order bytes at `data`. Uses version 1.0 unless the header needs 2.0.
/// Fails for a dtype that .npy cannot hold.
llvm::Expected<std::string>
serialize(DType dtype, llvm::ArrayRef<int64_t> shape, const void *data);

/// Writes an array as serialize() does to the file at `path` (replacing it).
llvm::Error write(llvm::StringRef path, DType dtype,
                  llvm::ArrayRef<int64_t> shape, const void *data);

} // namespace lathe::npy

#endif // LATHE_TOOLS_LATHE_NPY_H
