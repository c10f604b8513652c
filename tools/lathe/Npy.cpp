//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the .npy reader and writer. The header is a Python
// dict literal; the parser here accepts exactly the subset numpy writes
// (quoted keys and strings, True/False, tuples of non-negative integers,
// optional trailing commas, an optional `L` suffix from Python 2) and names
// the offending text when it finds anything else.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace lathe::npy {

// The elements are copied as they are: the host must be little-endian, as
// every target Lathe runs on (x86-64, AArch64) is.
static_assert(sys::IsLittleEndianHost,
              "the .npy I/O assumes a little-endian host");

namespace {
constexpr StringLiteral kMagic("\x93NUMPY");
/// numpy aligns the start of the data to this many bytes.
constexpr size_t kAlignment = 64;

/// The supported element types and their .npy spellings.
struct DTypeInfo {
  DType dtype;
  char kind;
  unsigned size;
  StringLiteral descr;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::f16, 'f', 2, "<f2"}, {DType::f32, 'f', 4, "<f4"},
    {DType::f64, 'f', 8, "<f8"}, {DType::i8, 'i', 1, "|i1"},
    {DType::i32, 'i', 4, "<i4"}, {DType::i64, 'i', 8, "<i8"},
    {DType::i1, 'b', 1, "|b1"},
};
constexpr StringLiteral kSupported("<f2, <f4, <f8, |i1, <i4, <i8 and |b1");

Error makeError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           name + ": " + message.str());
}

/// A value of the header dict: a string, a boolean or a tuple of integers.
struct Value {
  enum Kind { String, Bool, Tuple } kind;
  std::string string;
  bool boolean = false;
  SmallVector<int64_t> tuple;
};

/// Parses the header dict. Every error names the header and what was found.
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef name) : text(text), name(name) {}

  /// Parses `{key: value, ...}` followed by whitespace only.
  Error parse(SmallVectorImpl<std::pair<std::string, Value>> &entries) {
    skipSpace();
    if (!consume('{'))
      return expected("'{' to open the header dict");
    skipSpace();
    while (!consume('}')) {
      std::string key;
      if (Error err = parseString(key, "a quoted key or '}'"))
        return err;
      skipSpace();
      if (!consume(':'))
        return expected("':' after key '" + key + "'");
      skipSpace();
      Value value;
      if (Error err = parseValue(key, value))
        return err;
      entries.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (consume(','))
        skipSpace();
      else if (!peek('}'))
        return expected("',' or '}' after the value of '" +
                        entries.back().first + "'");
    }
    skipSpace();
    if (pos != text.size())
      return error("unexpected text after the header dict: '" + excerpt() +
                   "'");
    return Error::success();
  }

private:
  bool peek(char c) const { return pos < text.size() && text[pos] == c; }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++pos;
    return true;
  }
  bool consume(StringRef word) {
    if (!text.substr(pos).starts_with(word))
      return false;
    pos += word.size();
    return true;
  }
  void skipSpace() {
    while (pos < text.size() && isSpace(text[pos]))
      ++pos;
  }
  /// Up to 20 characters of the header from the current position.
  std::string excerpt() const {
    StringRef rest = text.substr(pos);
    if (rest.empty())
      return "end of header";
    std::string s;
    raw_string_ostream os(s);
    os.write_escaped(rest.take_front(20));
    if (rest.size() > 20)
      os << "...";
    return s;
  }
  Error error(const Twine &message) const {
    return makeError(name, "malformed header: " + message);
  }
  Error expected(const Twine &what) const {
    return error("expected " + what + " at offset " + Twine(pos) + ", found '" +
                 excerpt() + "'");
  }

  Error parseString(std::string &out, const Twine &what) {
    char quote = pos < text.size() ? text[pos] : 0;
    if (quote != '\'' && quote != '"')
      return expected(what);
    size_t end = text.find(quote, pos + 1);
    if (end == StringRef::npos)
      return error("unterminated string at offset " + Twine(pos));
    StringRef s = text.slice(pos + 1, end);
    if (s.contains('\\'))
      return error("escape sequences in strings are not supported, at "
                   "offset " +
                   Twine(pos));
    out = s.str();
    pos = end + 1;
    return Error::success();
  }

  Error parseValue(StringRef key, Value &value) {
    if (peek('\'') || peek('"')) {
      value.kind = Value::String;
      return parseString(value.string, "a string");
    }
    if (consume("True") || consume("False")) {
      value.kind = Value::Bool;
      value.boolean = text.substr(0, pos).ends_with("True");
      return Error::success();
    }
    if (consume('(')) {
      value.kind = Value::Tuple;
      skipSpace();
      while (!consume(')')) {
        size_t start = pos;
        while (pos < text.size() && isDigit(text[pos]))
          ++pos;
        int64_t dim;
        if (start == pos)
          return expected("a non-negative integer in the tuple of '" + key +
                          "'");
        if (text.slice(start, pos).getAsInteger(10, dim) || dim < 0)
          return error("integer '" + text.slice(start, pos) +
                       "' in the tuple of '" + key + "' is out of range");
        value.tuple.push_back(dim);
        consume('L'); // Python 2 longs: (3L, 4L).
        skipSpace();
        if (consume(','))
          skipSpace();
        else if (!peek(')'))
          return expected("',' or ')' in the tuple of '" + key + "'");
      }
      return Error::success();
    }
    if (key == "descr" && peek('['))
      return makeError(name, "structured dtypes (a descr list) are not "
                             "supported; save a plain numeric array");
    return expected("a string, True, False or a tuple as the value of '" + key +
                    "'");
  }

  StringRef text;
  StringRef name;
  size_t pos = 0;
};

/// Checks `descr` and returns the element type it names.
Expected<const DTypeInfo *> parseDescr(StringRef descr, StringRef name) {
  if (descr.size() < 2)
    return makeError(name, "unsupported dtype '" + descr + "' (Lathe reads " +
                               kSupported + ")");
  char order = descr[0];
  StringRef type = descr.drop_front();
  if (type == "O" || descr == "O")
    return makeError(name, "object arrays (dtype '" + descr +
                               "') cannot be read; save a numeric array");
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return makeError(name, "unsupported dtype '" + descr + "' (Lathe reads " +
                               kSupported + ")");
  unsigned size = 0;
  if (type.size() < 2 || type.drop_front().getAsInteger(10, size))
    return makeError(name, "unsupported dtype '" + descr + "' (Lathe reads " +
                               kSupported + ")");
  for (const DTypeInfo &info : kDTypes) {
    if (info.kind != type[0] || info.size != size)
      continue;
    // Byte order means nothing for one-byte types; numpy writes '|'.
    if (order == '>' && size > 1)
      return makeError(name, "big-endian data (dtype '" + descr +
                                 "') is not supported; save it with "
                                 "a.astype('" +
                                 info.descr + "')");
    return &info;
  }
  return makeError(name, "unsupported dtype '" + descr + "' (Lathe reads " +
                             kSupported + ")");
}

const DTypeInfo *infoOf(DType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return &info;
  return nullptr;
}
} // namespace

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::optional<StringRef> descrOf(DType dtype) {
  if (const DTypeInfo *info = infoOf(dtype))
    return StringRef(info->descr);
  return std::nullopt;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Expected<Array> parse(StringRef bytes, StringRef name) {
  if (!bytes.starts_with(kMagic))
    return makeError(name, "not a .npy file (it does not start with "
                           "\"\\x93NUMPY\")");
  if (bytes.size() < kMagic.size() + 2)
    return makeError(name, "truncated file: it ends inside the version");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    return makeError(name, "unsupported .npy version " + Twine(major) + "." +
                               Twine(minor) +
                               " (Lathe reads 1.0, 2.0 and 3.0)");
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t prefix = 8 + lengthSize;
  if (bytes.size() < prefix)
    return makeError(name, "truncated file: it ends inside the header length");
  uint64_t headerLength = major == 1
                              ? support::endian::read16le(bytes.data() + 8)
                              : support::endian::read32le(bytes.data() + 8);
  if (bytes.size() - prefix < headerLength)
    return makeError(name, "truncated header: the file declares " +
                               Twine(headerLength) + " header bytes but " +
                               Twine(bytes.size() - prefix) + " follow");
  StringRef header = bytes.substr(prefix, headerLength);
  // Versions 1.0 and 2.0 hold latin-1 text, 3.0 UTF-8; the keys and values
  // we accept are ASCII either way.
  SmallVector<std::pair<std::string, Value>> entries;
  if (Error err = HeaderParser(header, name).parse(entries))
    return std::move(err);

  std::optional<Value> descr, fortranOrder, shape;
  for (auto &[key, value] : entries) {
    std::optional<Value> *slot = key == "descr"           ? &descr
                                 : key == "fortran_order" ? &fortranOrder
                                 : key == "shape"         ? &shape
                                                          : nullptr;
    if (!slot)
      return makeError(name, "malformed header: unexpected key '" + key +
                                 "' (expected 'descr', 'fortran_order' "
                                 "and 'shape')");
    if (*slot)
      return makeError(name,
                       "malformed header: key '" + key + "' appears twice");
    *slot = value;
  }
  for (auto [slot, key] :
       {std::pair(&descr, "descr"), std::pair(&fortranOrder, "fortran_order"),
        std::pair(&shape, "shape")})
    if (!*slot)
      return makeError(name,
                       Twine("malformed header: missing key '") + key + "'");
  if (descr->kind != Value::String)
    return makeError(name, "malformed header: 'descr' must be a string");
  if (fortranOrder->kind != Value::Bool)
    return makeError(name,
                     "malformed header: 'fortran_order' must be True or False");
  if (shape->kind != Value::Tuple)
    return makeError(name, "malformed header: 'shape' must be a tuple");

  auto info = parseDescr(descr->string, name);
  if (!info)
    return info.takeError();
  if (fortranOrder->boolean)
    return makeError(name, "Fortran-order arrays are not supported; save "
                           "numpy.ascontiguousarray(a) instead");

  uint64_t numBytes = (*info)->size;
  for (int64_t d : shape->tuple) {
    bool overflow = false;
    numBytes = SaturatingMultiply<uint64_t>(numBytes, d, &overflow);
    if (overflow || numBytes > static_cast<uint64_t>(INT64_MAX))
      return makeError(name,
                       "shape " + formatShape(shape->tuple) + " is too large");
  }
  StringRef data = bytes.drop_front(prefix + headerLength);
  if (data.size() < numBytes)
    return makeError(
        name, "truncated data: shape " + formatShape(shape->tuple) + " of '" +
                  descr->string + "' needs " + Twine(numBytes) + " bytes but " +
                  Twine(data.size()) + " follow the header");
  if (data.size() > numBytes)
    return makeError(name, Twine(data.size() - numBytes) +
                               " unexpected bytes after the data: shape " +
                               formatShape(shape->tuple) + " of '" +
                               descr->string + "' needs " + Twine(numBytes) +
                               " bytes but " + Twine(data.size()) +
                               " follow the header");

  Array array;
  array.dtype = (*info)->dtype;
  array.shape = shape->tuple;
  array.data.assign(data.bytes_begin(), data.bytes_end());
  return array;
}

Expected<Array> read(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path, "cannot open file: " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

Expected<std::string> serialize(DType dtype, ArrayRef<int64_t> shape,
                                const void *data) {
  const DTypeInfo *info = infoOf(dtype);
  if (!info)
    return createStringError(
        inconvertibleErrorCode(),
        dtype == DType::bf16
            ? "a .npy file cannot hold bf16 data (numpy has no bfloat16)"
            : "a .npy file cannot hold data of this element type");
  std::string dict =
      "{'descr': '" + info->descr.str() +
      "', 'fortran_order': False, 'shape': " + formatShape(shape) + ", }";
  // The header ends with '\n' and is padded with spaces so that the data
  // starts on a kAlignment boundary; version 2.0 when 1.0's u16 is too small.
  auto paddedLength = [&](size_t prefix) {
    return alignTo(prefix + dict.size() + 1, kAlignment) - prefix;
  };
  unsigned major = paddedLength(10) > UINT16_MAX ? 2 : 1;
  size_t prefix = major == 1 ? 10 : 12;
  size_t headerLength = paddedLength(prefix);
  dict.append(headerLength - dict.size() - 1, ' ');
  dict += '\n';

  size_t numBytes = info->size;
  for (int64_t d : shape)
    numBytes *= d;
  std::string out;
  out.reserve(prefix + headerLength + numBytes);
  out += kMagic;
  out += static_cast<char>(major);
  out += '\0';
  char length[4];
  if (major == 1)
    support::endian::write16le(length, headerLength);
  else
    support::endian::write32le(length, headerLength);
  out.append(length, major == 1 ? 2 : 4);
  out += dict;
  if (numBytes)
    out.append(static_cast<const char *>(data), numBytes);
  return out;
}

Error write(StringRef path, DType dtype, ArrayRef<int64_t> shape,
            const void *data) {
  auto bytes = serialize(dtype, shape, data);
  if (!bytes)
    return makeError(path, toString(bytes.takeError()));
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return makeError(path, "cannot write file: " + ec.message());
  os << *bytes;
  os.close();
  if (os.has_error()) {
    std::error_code writeError = os.error();
    os.clear_error();
    return makeError(path, "cannot write file: " + writeError.message());
  }
  return Error::success();
}

} // namespace lathe::npy
