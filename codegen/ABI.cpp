//===- ABI.cpp - The C interface of compiled models -----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the naming of the entry function and its parameters,
// the reading of a model's interface from its entry function, and the
// generation of the C header (docs/abi.md).
//
//===----------------------------------------------------------------------===//

#include "codegen/ABI.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace lathe::codegen;

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

StringRef lathe::codegen::stringifyElementType(ElementType type) {
  switch (type) {
  case ElementType::f16:
    return "f16";
  case ElementType::bf16:
    return "bf16";
  case ElementType::f32:
    return "f32";
  case ElementType::f64:
    return "f64";
  case ElementType::i1:
    return "i1";
  case ElementType::i8:
    return "i8";
  case ElementType::i16:
    return "i16";
  case ElementType::i32:
    return "i32";
  case ElementType::i64:
    return "i64";
  }
  llvm_unreachable("unknown element type");
}

StringRef lathe::codegen::cTypeName(ElementType type) {
  switch (type) {
  case ElementType::f16:
  case ElementType::bf16:
    return "uint16_t";
  case ElementType::f32:
    return "float";
  case ElementType::f64:
    return "double";
  case ElementType::i1:
    return "uint8_t";
  case ElementType::i8:
    return "int8_t";
  case ElementType::i16:
    return "int16_t";
  case ElementType::i32:
    return "int32_t";
  case ElementType::i64:
    return "int64_t";
  }
  llvm_unreachable("unknown element type");
}

unsigned lathe::codegen::elementSize(ElementType type) {
  switch (type) {
  case ElementType::i1:
  case ElementType::i8:
    return 1;
  case ElementType::f16:
  case ElementType::bf16:
  case ElementType::i16:
    return 2;
  case ElementType::f32:
  case ElementType::i32:
    return 4;
  case ElementType::f64:
  case ElementType::i64:
    return 8;
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> lathe::codegen::toElementType(Type type) {
  if (type.isF16())
    return ElementType::f16;
  if (type.isBF16())
    return ElementType::bf16;
  if (type.isF32())
    return ElementType::f32;
  if (type.isF64())
    return ElementType::f64;
  if (type.isSignlessInteger(1))
    return ElementType::i1;
  if (type.isSignlessInteger(8))
    return ElementType::i8;
  if (type.isSignlessInteger(16))
    return ElementType::i16;
  if (type.isSignlessInteger(32))
    return ElementType::i32;
  if (type.isSignlessInteger(64))
    return ElementType::i64;
  return std::nullopt;
}

int64_t TensorABI::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string ModelABI::entrySymbol() const {
  return "lathe_" + modelName + "_run";
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::string lathe::codegen::sanitizeCIdentifier(StringRef name) {
  std::string result;
  if (name.empty() || llvm::isDigit(name.front()))
    result = "_";
  for (char c : name)
    result += llvm::isAlnum(c) || c == '_' ? c : '_';
  return result;
}

bool lathe::codegen::isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

bool lathe::codegen::isCOrCXXKeyword(StringRef name) {
  static const llvm::StringSet<> keywords = {
      // C99 to C23.
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof",
      "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
      "_Static_assert", "_Thread_local", "alignas", "alignof", "bool",
      "constexpr", "false", "nullptr", "static_assert", "thread_local",
      "true", "typeof", "typeof_unqual", "_BitInt", "_Decimal32",
      "_Decimal64", "_Decimal128",
      // C++ (and its alternative operator spellings).
      "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t",
      "char16_t", "char32_t", "class", "compl", "concept", "consteval",
      "constinit", "const_cast", "co_await", "co_return", "co_yield",
      "decltype", "delete", "dynamic_cast", "explicit", "export", "friend",
      "mutable", "namespace", "new", "noexcept", "not", "not_eq", "operator",
      "or", "or_eq", "private", "protected", "public", "reinterpret_cast",
      "requires", "static_cast", "template", "this", "throw", "try",
      "typeid", "typename", "using", "virtual", "wchar_t", "xor", "xor_eq"};
  return keywords.contains(name);
}

namespace {
/// Gives each tensor of `tensors` a C parameter name from its name, unique
/// among the names in `taken` (which it extends).
void assignParamNames(MutableArrayRef<TensorABI> tensors,
                      llvm::StringSet<> &taken) {
  for (TensorABI &t : tensors) {
    std::string base = sanitizeCIdentifier(t.name);
    if (isCOrCXXKeyword(base))
      base += "_";
    std::string candidate = base;
    for (unsigned n = 1; taken.contains(candidate); ++n)
      candidate = base + "_" + std::to_string(n);
    taken.insert(candidate);
    t.paramName = candidate;
  }
}

/// Reads one side (arguments or results) of `entry`'s interface.
llvm::Error readTensors(func::FuncOp entry, TypeRange types, bool results,
                        SmallVectorImpl<TensorABI> &tensors) {
  for (auto [i, type] : llvm::enumerate(types)) {
    std::string what = (results ? "output " : "input ") + std::to_string(i);
    auto fail = [&](const Twine &why) {
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "@" + entry.getName() + ": " + what +
                                         " " + why);
    };
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return fail("must be a tensor of static shape for the C ABI");
    std::optional<ElementType> elementType =
        toElementType(tensor.getElementType());
    if (!elementType) {
      std::string typeText;
      llvm::raw_string_ostream os(typeText);
      os << tensor.getElementType();
      return fail("has element type " + typeText +
                  ", which the C ABI does not support");
    }
    auto name = results ? entry.getResultAttrOfType<StringAttr>(i, "nn.name")
                        : entry.getArgAttrOfType<StringAttr>(i, "nn.name");
    TensorABI t;
    t.name = name && !name.getValue().empty()
                 ? name.str()
                 : (results ? "output" : "input") + std::to_string(i);
    t.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    t.elementType = *elementType;
    tensors.push_back(std::move(t));
  }
  return llvm::Error::success();
}
} // namespace

llvm::Expected<ModelABI> lathe::codegen::describeEntry(func::FuncOp entry,
                                                       StringRef modelName) {
  if (!isCIdentifier(modelName))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "model name '" + modelName +
                                       "' is not a C identifier");
  ModelABI abi;
  abi.modelName = modelName.str();
  if (llvm::Error err = readTensors(entry, entry.getArgumentTypes(),
                                    /*results=*/false, abi.inputs))
    return std::move(err);
  if (llvm::Error err = readTensors(entry, entry.getResultTypes(),
                                    /*results=*/true, abi.outputs))
    return std::move(err);
  llvm::StringSet<> taken;
  assignParamNames(abi.inputs, taken);
  assignParamNames(abi.outputs, taken);
  return abi;
}

llvm::Expected<ModelABI> lathe::codegen::prepareEntryPoint(ModuleOp module,
                                                           StringRef modelName) {
  std::string name;
  if (!modelName.empty()) {
    if (!isCIdentifier(modelName))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "model name '" + modelName +
              "' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)");
    name = modelName.str();
  } else if (auto attr = module->getAttrOfType<StringAttr>("nn.model")) {
    name = sanitizeCIdentifier(attr.getValue());
  } else {
    name = "model";
  }

  auto entry = module.lookupSymbol<func::FuncOp>("main");
  if (!entry)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the module has no function @main");
  auto abi = describeEntry(entry, name);
  if (!abi)
    return abi.takeError();
  std::string symbol = abi->entrySymbol();
  if (module.lookupSymbol(symbol))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the module already has a symbol @" +
                                       symbol);
  if (failed(SymbolTable::replaceAllSymbolUses(
          entry, StringAttr::get(module.getContext(), symbol), module)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot rename @main to @" + symbol);
  SymbolTable::setSymbolName(entry, symbol);
  entry.setPublic();
  // Which arguments are inputs once the results are out-parameters (the
  // GPU lowering copies those to the device and the others back).
  entry->setAttr("lathe.num_inputs",
                 IntegerAttr::get(IntegerType::get(module.getContext(), 64),
                                  entry.getNumArguments()));
  return abi;
}

//===----------------------------------------------------------------------===//
// The C header
//===----------------------------------------------------------------------===//

namespace {
/// `text` as the contents of a C string literal: quotes, backslashes and '?'
/// (trigraphs) escaped, other non-printable bytes as three-digit octal.
std::string cStringLiteral(StringRef text) {
  std::string result = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c == '?') {
      result += '\\';
      result += c;
    } else if (c >= 0x20 && c < 0x7f) {
      result += c;
    } else {
      char octal[5];
      snprintf(octal, sizeof(octal), "\\%03o", c);
      result += octal;
    }
  }
  return result + "\"";
}

/// `text` made safe for a /* */ comment: non-printable bytes as '?', and no
/// "*/".
std::string commentText(StringRef text) {
  std::string result;
  for (unsigned char c : text) {
    if (c == '/' && !result.empty() && result.back() == '*')
      result += ' ';
    result += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  return result;
}

/// "[1][3][16][16]", or "" for a scalar.
std::string dimsSuffix(const TensorABI &t) {
  std::string result;
  for (int64_t d : t.shape)
    result += "[" + std::to_string(d) + "]";
  return result;
}

/// Writes the per-tensor constants of one side of the interface.
void writeTensorConstants(llvm::raw_ostream &os, StringRef prefix,
                          StringRef macroPrefix, StringRef side,
                          StringRef macroSide, ArrayRef<TensorABI> tensors) {
  for (auto [i, t] : llvm::enumerate(tensors)) {
    std::string macro =
        (macroPrefix + macroSide + std::to_string(i) + "_").str();
    os << "/* " << side << " " << i << ": '" << commentText(t.name)
       << "', parameter " << t.paramName << " */\n";
    os << "#define " << macro << "RANK " << t.shape.size() << "\n";
    os << "#define " << macro << "NUM_ELEMENTS " << t.numElements() << "\n";
    os << "#define " << macro << "NUM_BYTES "
       << t.numElements() * elementSize(t.elementType) << "\n";
    os << "#define " << macro << "DTYPE \""
       << stringifyElementType(t.elementType) << "\"\n";
    os << "LATHE_HEADER_UNUSED static const int64_t " << prefix << side << i
       << "_shape[] = {";
    if (t.shape.empty())
      os << "1}; /* rank 0 (a scalar): one placeholder entry */\n";
    else
      os << llvm::join(llvm::map_range(t.shape,
                                       [](int64_t d) {
                                         return std::to_string(d);
                                       }),
                       ", ")
         << "};\n";
    os << "\n";
  }
}

/// Writes the arrays indexed by tensor position of one side.
void writeTensorArrays(llvm::raw_ostream &os, StringRef prefix, StringRef side,
                       ArrayRef<TensorABI> tensors) {
  if (tensors.empty())
    return;
  auto array = [&](StringRef type, StringRef what, auto element) {
    os << "LATHE_HEADER_UNUSED static const " << type << " " << prefix << side
       << "_" << what << "[] = {";
    llvm::interleave(
        llvm::seq<size_t>(0, tensors.size()), os,
        [&](size_t i) { os << element(i, tensors[i]); }, ", ");
    os << "};\n";
  };
  array("char *const", "names", [](size_t, const TensorABI &t) {
    return cStringLiteral(t.name);
  });
  array("char *const", "dtypes", [](size_t, const TensorABI &t) {
    return cStringLiteral(stringifyElementType(t.elementType));
  });
  array("int64_t", "ranks", [](size_t, const TensorABI &t) {
    return std::to_string(t.shape.size());
  });
  array("int64_t *const", "shapes", [&](size_t i, const TensorABI &) {
    return (prefix + side + std::to_string(i) + "_shape").str();
  });
  array("int64_t", "num_elements", [](size_t, const TensorABI &t) {
    return std::to_string(t.numElements());
  });
  array("int64_t", "num_bytes", [](size_t, const TensorABI &t) {
    return std::to_string(t.numElements() * elementSize(t.elementType));
  });
}
} // namespace

std::string lathe::codegen::generateCHeader(const ModelABI &abi) {
  std::string prefix = "lathe_" + abi.modelName + "_";
  std::string macroPrefix = llvm::StringRef(prefix).upper();
  std::string guard = macroPrefix + "H";
  std::string symbol = abi.entrySymbol();

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* " << symbol << ": the C interface of model '" << abi.modelName
     << "'";
  if (!abi.source.empty())
    os << ", compiled from " << commentText(abi.source);
  os << ".\n"
     << " * Generated by lathe compile; do not edit. See Lathe's docs/abi.md. "
        "*/\n\n";
  os << "#ifndef " << guard << "\n#define " << guard << "\n\n";
  os << "#include <stdint.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  // The prototype and its documentation.
  auto describe = [&](const TensorABI &t, StringRef side) {
    os << " *   " << t.paramName << ": " << side << " '" << commentText(t.name)
       << "', " << cTypeName(t.elementType) << dimsSuffix(t) << " ("
       << stringifyElementType(t.elementType) << ", " << t.numElements()
       << (t.numElements() == 1 ? " element" : " elements") << ")\n";
  };
  os << "/* Runs model '" << abi.modelName << "'.\n"
     << " *\n"
     << " * Each pointer is a dense row-major (C order) array owned by the "
        "caller;\n"
     << " * inputs are read, every element of every output is written. The "
        "function\n"
     << " * keeps no state: calls from several threads at once are safe when "
        "their\n"
     << " * output arrays are distinct.\n"
     << " *\n";
  for (const TensorABI &t : abi.inputs)
    describe(t, "input");
  for (const TensorABI &t : abi.outputs)
    describe(t, "output");
  os << " */\n";
  SmallVector<std::string> params;
  for (const TensorABI &t : abi.inputs)
    params.push_back(("const " + cTypeName(t.elementType) + " *" + t.paramName)
                         .str());
  for (const TensorABI &t : abi.outputs)
    params.push_back((cTypeName(t.elementType) + " *" + t.paramName).str());
  os << "void " << symbol << "(";
  if (params.empty())
    os << "void";
  os << llvm::join(params, ", ") << ");\n\n";

  // Constants.
  os << "/* The interface as data. Arrays are indexed by input/output "
        "position. */\n";
  os << "#ifndef LATHE_HEADER_UNUSED\n"
     << "#if defined(__GNUC__) || defined(__clang__)\n"
     << "#define LATHE_HEADER_UNUSED __attribute__((unused))\n"
     << "#else\n#define LATHE_HEADER_UNUSED\n#endif\n#endif\n\n";
  os << "#define " << macroPrefix << "NUM_INPUTS " << abi.inputs.size()
     << "\n";
  os << "#define " << macroPrefix << "NUM_OUTPUTS " << abi.outputs.size()
     << "\n\n";
  writeTensorConstants(os, prefix, macroPrefix, "input", "INPUT", abi.inputs);
  writeTensorConstants(os, prefix, macroPrefix, "output", "OUTPUT",
                       abi.outputs);
  writeTensorArrays(os, prefix, "input", abi.inputs);
  writeTensorArrays(os, prefix, "output", abi.outputs);
  os << "\n";

  // The packed form.
  os << "/* " << symbol
     << " with the tensors as arrays of pointers, in position order. */\n";
  os << "LATHE_HEADER_UNUSED static inline void " << symbol
     << "_packed(const void *const *inputs, void *const *outputs) {\n";
  if (abi.inputs.empty())
    os << "  (void)inputs;\n";
  if (abi.outputs.empty())
    os << "  (void)outputs;\n";
  SmallVector<std::string> args;
  for (auto [i, t] : llvm::enumerate(abi.inputs))
    args.push_back(("(const " + cTypeName(t.elementType) + " *)inputs[" +
                    std::to_string(i) + "]")
                       .str());
  for (auto [i, t] : llvm::enumerate(abi.outputs))
    args.push_back(("(" + cTypeName(t.elementType) + " *)outputs[" +
                    std::to_string(i) + "]")
                       .str());
  os << "  " << symbol << "(" << llvm::join(args, ", ") << ");\n}\n\n";

  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  os << "#endif /* " << guard << " */\n";
  return text;
}
