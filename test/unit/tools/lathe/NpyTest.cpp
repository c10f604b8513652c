//===- NpyTest.cpp - Unit tests of the .npy reader and writer -------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests the .npy round trip for every supported dtype and shape kind, the
// header forms numpy writes (versions 1.0, 2.0 and 3.0, Python 2 longs,
// double quotes, any key order), and one error per malformed case, checked
// by its message. Interoperability with numpy itself is tested by
// test/tools/lathe/run-npy.test.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace lathe;
using namespace llvm;

namespace {

/// A .npy file with the given header text (padding and '\n' are added) and
/// data bytes, in format version `major`.
std::string makeFile(StringRef dict, StringRef data, int major = 1) {
  std::string header = dict.str();
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  uint32_t length = header.size();
  out += static_cast<char>(length & 0xff);
  out += static_cast<char>((length >> 8) & 0xff);
  if (major != 1) {
    out += static_cast<char>((length >> 16) & 0xff);
    out += static_cast<char>(length >> 24);
  }
  return out + header + data.str();
}

/// `n` bytes of data.
std::string bytes(size_t n) { return std::string(n, '\x01'); }

/// The message of a failed parse (and a test failure if it succeeded).
std::string parseError(StringRef file) {
  auto array = npy::parse(file, "x.npy");
  if (array) {
    ADD_FAILURE() << "parse succeeded";
    return "";
  }
  return toString(array.takeError());
}

#define EXPECT_ERROR(file, text)                                               \
  do {                                                                         \
    std::string message = parseError(file);                                    \
    EXPECT_NE(message.find(text), std::string::npos) << message;               \
    EXPECT_EQ(message.rfind("x.npy: ", 0), 0u) << message;                     \
  } while (false)

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

template <typename T>
void roundTrip(DType dtype, ArrayRef<int64_t> shape, ArrayRef<T> values) {
  auto file = npy::serialize(dtype, shape, values.data());
  ASSERT_TRUE(bool(file)) << toString(file.takeError());
  // The data starts on a 64-byte boundary, after a '\n'-terminated header.
  size_t headerEnd = file->find('\n');
  ASSERT_NE(headerEnd, std::string::npos);
  EXPECT_EQ((headerEnd + 1) % 64, 0u);
  auto array = npy::parse(*file, "rt.npy");
  ASSERT_TRUE(bool(array)) << toString(array.takeError());
  EXPECT_EQ(array->dtype, dtype);
  EXPECT_EQ(ArrayRef<int64_t>(array->shape), shape);
  ASSERT_EQ(array->data.size(), values.size() * sizeof(T));
  if (!values.empty())
    EXPECT_EQ(
        std::memcmp(array->data.data(), values.data(), array->data.size()), 0);
}

TEST(NpyTest, RoundTripEveryDType) {
  roundTrip<float>(DType::f32, {2, 3}, {1.5f, -2, 0, 3.25f, 1e30f, -0.0f});
  roundTrip<double>(DType::f64, {3}, {1.0 / 3, -1e300, 7});
  roundTrip<int32_t>(DType::i32, {2, 1, 2}, {INT32_MIN, -1, 0, INT32_MAX});
  roundTrip<int64_t>(DType::i64, {2}, {INT64_MIN, INT64_MAX});
  roundTrip<int8_t>(DType::i8, {4}, {-128, -1, 0, 127});
  roundTrip<uint8_t>(DType::i1, {2, 2}, {0, 1, 1, 0});
  roundTrip<uint16_t>(DType::f16, {3}, {0x3c00, 0xc000, 0x7bff});
}

TEST(NpyTest, RoundTripShapeKinds) {
  float one = 4;
  roundTrip<float>(DType::f32, {}, ArrayRef<float>(one));  // 0-d.
  roundTrip<float>(DType::f32, {0, 5}, ArrayRef<float>()); // empty.
  roundTrip<float>(DType::f32, {1, 1, 1, 1, 1}, ArrayRef<float>(one));
}

TEST(NpyTest, HeaderSpellsShapeAsNumpy) {
  float data[6] = {};
  auto file = npy::serialize(DType::f32, {2, 3}, data);
  ASSERT_TRUE(bool(file));
  EXPECT_NE(file->find("{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(2, 3), }"),
            std::string::npos)
      << *file;
  EXPECT_EQ(npy::formatShape({}), "()");
  EXPECT_EQ(npy::formatShape({7}), "(7,)");
  EXPECT_EQ(npy::formatShape({1, 2, 3}), "(1, 2, 3)");
}

TEST(NpyTest, LargeHeaderUsesVersion2) {
  // 30,000 dimensions of 1 need more than 65535 header bytes.
  SmallVector<int64_t> shape(30000, 1);
  float value = 1;
  auto file = npy::serialize(DType::f32, shape, &value);
  ASSERT_TRUE(bool(file));
  EXPECT_EQ((*file)[6], 2);
  auto array = npy::parse(*file, "big.npy");
  ASSERT_TRUE(bool(array)) << toString(array.takeError());
  EXPECT_EQ(array->shape.size(), shape.size());
}

TEST(NpyTest, NoDescrForBF16) {
  uint16_t value = 0;
  EXPECT_FALSE(npy::descrOf(DType::bf16));
  auto file = npy::serialize(DType::bf16, {1}, &value);
  ASSERT_FALSE(bool(file));
  EXPECT_NE(toString(file.takeError()).find("cannot hold bf16"),
            std::string::npos);
}

TEST(NpyTest, WriteAndReadFile) {
  SmallString<128> dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("npytest", dir));
  SmallString<128> path(dir);
  sys::path::append(path, "a.npy");
  int64_t values[3] = {1, 2, 3};
  ASSERT_FALSE(bool(npy::write(path, DType::i64, {3}, values)));
  auto array = npy::read(path);
  ASSERT_TRUE(bool(array)) << toString(array.takeError());
  EXPECT_EQ(array->numElements(), 3);
  EXPECT_EQ(std::memcmp(array->data.data(), values, sizeof(values)), 0);

  SmallString<128> missing(dir);
  sys::path::append(missing, "missing.npy");
  auto none = npy::read(missing);
  ASSERT_FALSE(bool(none));
  std::string message = toString(none.takeError());
  EXPECT_NE(message.find("missing.npy: cannot open file: "), std::string::npos)
      << message;

  SmallString<128> badDir(dir);
  sys::path::append(badDir, "no", "such", "dir.npy");
  Error err = npy::write(badDir, DType::i64, {3}, values);
  ASSERT_TRUE(bool(err));
  EXPECT_NE(toString(std::move(err)).find("cannot write file"),
            std::string::npos);
  sys::fs::remove_directories(dir);
}

//===----------------------------------------------------------------------===//
// Header forms numpy (and older numpys) write
//===----------------------------------------------------------------------===//

TEST(NpyTest, AcceptsVersions2And3) {
  for (int major : {2, 3}) {
    auto array = npy::parse(
        makeFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                 bytes(8), major),
        "v.npy");
    ASSERT_TRUE(bool(array)) << toString(array.takeError());
    EXPECT_EQ(array->dtype, DType::i32);
  }
}

TEST(NpyTest, AcceptsHeaderVariants) {
  // Any key order, double quotes, no trailing comma, Python 2 longs,
  // extra spaces.
  auto array =
      npy::parse(makeFile("{\"shape\": ( 2L , 3L ),\"fortran_order\":False,"
                          "'descr':'<f8'}",
                          bytes(48)),
                 "v.npy");
  ASSERT_TRUE(bool(array)) << toString(array.takeError());
  EXPECT_EQ(array->dtype, DType::f64);
  EXPECT_EQ(ArrayRef<int64_t>(array->shape), ArrayRef<int64_t>({2, 3}));
  // One-byte types in any byte order; '=' is native (little-endian).
  for (StringRef descr : {"|b1", "<b1", ">i1", "=f4"}) {
    auto a = npy::parse(makeFile(("{'descr': '" + descr +
                                  "', 'fortran_order': False, 'shape': (), }")
                                     .str(),
                                 bytes(descr.back() == '4' ? 4 : 1)),
                        "v.npy");
    EXPECT_TRUE(bool(a)) << descr.str() << ": " << toString(a.takeError());
  }
}

//===----------------------------------------------------------------------===//
// Malformed files, one message each
//===----------------------------------------------------------------------===//

constexpr StringLiteral kF4x3 =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";

TEST(NpyTest, RejectsNotNpy) {
  EXPECT_ERROR("", "not a .npy file");
  EXPECT_ERROR("PK\x03\x04 a zip file", "not a .npy file");
  EXPECT_ERROR("\x93NUMP", "not a .npy file");
}

TEST(NpyTest, RejectsTruncatedPreamble) {
  EXPECT_ERROR("\x93NUMPY", "truncated file: it ends inside the version");
  EXPECT_ERROR(std::string("\x93NUMPY\x01\x00\x10", 9),
               "truncated file: it ends inside the header length");
  EXPECT_ERROR(std::string("\x93NUMPY\x02\x00\x10\x00", 10),
               "truncated file: it ends inside the header length");
}

TEST(NpyTest, RejectsUnknownVersion) {
  std::string file = makeFile(kF4x3, bytes(12));
  file[6] = 4;
  EXPECT_ERROR(file, "unsupported .npy version 4.0 (Lathe reads 1.0, 2.0 "
                     "and 3.0)");
  file[6] = 1;
  file[7] = 1;
  EXPECT_ERROR(file, "unsupported .npy version 1.1");
}

TEST(NpyTest, RejectsTruncatedHeader) {
  std::string file = makeFile(kF4x3, "");
  EXPECT_ERROR(file.substr(0, 40),
               "truncated header: the file declares 118 header bytes but 30 "
               "follow");
}

TEST(NpyTest, RejectsTruncatedData) {
  EXPECT_ERROR(makeFile(kF4x3, bytes(11)),
               "truncated data: shape (3,) of '<f4' needs 12 bytes but 11 "
               "follow the header");
  EXPECT_ERROR(makeFile(kF4x3, ""), "needs 12 bytes but 0 follow");
}

TEST(NpyTest, RejectsTrailingData) {
  EXPECT_ERROR(makeFile(kF4x3, bytes(16)),
               "4 unexpected bytes after the data: shape (3,) of '<f4' needs "
               "12 bytes but 16 follow the header");
}

TEST(NpyTest, RejectsFortranOrder) {
  EXPECT_ERROR(
      makeFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
               bytes(16)),
      "Fortran-order arrays are not supported");
}

TEST(NpyTest, RejectsBigEndian) {
  EXPECT_ERROR(
      makeFile("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }",
               bytes(12)),
      "big-endian data (dtype '>f4') is not supported; save it with "
      "a.astype('<f4')");
  EXPECT_ERROR(
      makeFile("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }",
               bytes(8)),
      "a.astype('<i8')");
}

TEST(NpyTest, RejectsObjectAndOtherDTypes) {
  EXPECT_ERROR(
      makeFile("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }",
               bytes(24)),
      "object arrays (dtype '|O') cannot be read");
  for (StringRef descr : {"<u1", "<u4", "<c8", "<U10", "|S3", "<f16", "<i2",
                          "<M8[ns]", "f4", "?"}) {
    std::string file = makeFile(
        ("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }")
            .str(),
        bytes(4));
    EXPECT_ERROR(file, "unsupported dtype '" + descr.str() + "'");
  }
  EXPECT_ERROR(makeFile("{'descr': [('a', '<f4')], 'fortran_order': False, "
                        "'shape': (1,), }",
                        bytes(4)),
               "structured dtypes (a descr list) are not supported");
}

TEST(NpyTest, RejectsMalformedHeaders) {
  // Not a dict.
  EXPECT_ERROR(makeFile("['descr']", ""),
               "malformed header: expected '{' to open the header dict at "
               "offset 0");
  // Missing, unknown and repeated keys.
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'shape': (3,), }", bytes(12)),
               "malformed header: missing key 'fortran_order'");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, }", ""),
               "malformed header: missing key 'shape'");
  EXPECT_ERROR(makeFile("{'fortran_order': False, 'shape': (3,), }", ""),
               "malformed header: missing key 'descr'");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(3,), 'extra': 1, }",
                        bytes(12)),
               "expected a string, True, False or a tuple as the value of "
               "'extra'");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(3,), 'extra': 'x', }",
                        bytes(12)),
               "malformed header: unexpected key 'extra'");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'descr': '<f4', 'fortran_order': "
                        "False, 'shape': (3,), }",
                        bytes(12)),
               "malformed header: key 'descr' appears twice");
  // Values of the wrong kind.
  EXPECT_ERROR(makeFile("{'descr': (4,), 'fortran_order': False, 'shape': "
                        "(3,), }",
                        ""),
               "'descr' must be a string");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': 'no', 'shape': "
                        "(3,), }",
                        ""),
               "'fortran_order' must be True or False");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "'3', }",
                        ""),
               "'shape' must be a tuple");
  // Bad shapes.
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(-3,), }",
                        ""),
               "expected a non-negative integer in the tuple of 'shape'");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(3, 4 }",
                        ""),
               "expected ',' or ')' in the tuple of 'shape'");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(99999999999999999999,), }",
                        ""),
               "integer '99999999999999999999' in the tuple of 'shape' is "
               "out of range");
  EXPECT_ERROR(makeFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(4294967296, 4294967296), }",
                        ""),
               "shape (4294967296, 4294967296) is too large");
  // Broken syntax.
  EXPECT_ERROR(makeFile("{'descr: '<f4', }", ""), "expected ':' after key");
  EXPECT_ERROR(makeFile("{'descr' '<f4'}", ""),
               "expected ':' after key 'descr'");
  EXPECT_ERROR(makeFile("{'descr': '<f4' 'shape': (3,)}", ""),
               "expected ',' or '}' after the value of 'descr'");
  EXPECT_ERROR(makeFile("{'descr': '<f4\\n', }", ""),
               "escape sequences in strings are not supported");
  EXPECT_ERROR(makeFile("{'descr': '<f4", ""), "unterminated string");
  EXPECT_ERROR(makeFile(std::string(kF4x3) + " junk", bytes(12)),
               "unexpected text after the header dict: 'junk");
  EXPECT_ERROR(makeFile("{descr: 1}", ""),
               "expected a quoted key or '}' at offset 1, found 'descr: 1");
}

} // namespace
