//===- ABI.h - The C interface of compiled models ---------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the C ABI of a model compiled ahead of time
// (docs/abi.md): the entry function
//
//   void lathe_<model>_run(const float *<input>..., float *<output>...);
//
// takes one pointer per graph input, then one per graph output (dense
// row-major buffers the caller owns; the C type follows each tensor's element
// type), and a generated C header declares it with the tensors' names,
// shapes and element types as constants.
//
// <model> is the module's `nn.model` (the ONNX file's stem) made into a C
// identifier, or a name the user gives; parameter names are the tensors'
// ONNX names made into C identifiers.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_CODEGEN_ABI_H
#define LATHE_CODEGEN_ABI_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace lathe::codegen {

/// Element types a tensor may have at the C ABI.
enum class ElementType { f16, bf16, f32, f64, i1, i8, i16, i32, i64 };

/// The spelling of `type` in headers and docs: "f32", "i64", ...
llvm::StringRef stringifyElementType(ElementType type);

/// The C type of one element: "float", "int64_t", ... (f16 and bf16 are raw
/// bits, "uint16_t"; i1 is one byte, "uint8_t", holding 0 or 1).
llvm::StringRef cTypeName(ElementType type);

/// Size of one element in bytes.
unsigned elementSize(ElementType type);

/// The ElementType of an MLIR element type; std::nullopt for other types.
std::optional<ElementType> toElementType(mlir::Type type);

/// One tensor at the C ABI: an input or output of the entry function.
struct TensorABI {
  /// The tensor's name in the model (its ONNX name; "input<i>"/"output<i>"
  /// when the function does not name it).
  std::string name;
  /// The C parameter name: `name` made into a C identifier that is no C or
  /// C++ keyword and unique among the function's parameters.
  std::string paramName;
  llvm::SmallVector<int64_t> shape;
  ElementType elementType = ElementType::f32;

  /// Number of elements (1 for a scalar).
  int64_t numElements() const;
};

/// The C interface of one compiled model.
struct ModelABI {
  /// The model's name, a C identifier ("cnn").
  std::string modelName;
  /// Where the model comes from, for the header's banner ("cnn.onnx").
  std::string source;
  llvm::SmallVector<TensorABI> inputs, outputs;

  /// The entry function's symbol: "lathe_<modelName>_run".
  std::string entrySymbol() const;
};

/// Makes `name` a C identifier: every character other than [A-Za-z0-9_]
/// becomes '_', a leading digit gets a '_' prefix, and "" becomes "_".
std::string sanitizeCIdentifier(llvm::StringRef name);

/// Whether `name` is a C identifier ([A-Za-z_][A-Za-z0-9_]*).
bool isCIdentifier(llvm::StringRef name);

/// Whether `name` is a keyword of C (C99 to C23) or C++, which no generated
/// identifier may be.
bool isCOrCXXKeyword(llvm::StringRef name);

/// Reads the C interface of `entry`, whose arguments and results must be
/// tensors of static shape with an ElementType; names come from the `nn.name`
/// argument and result attributes. `modelName` must be a C identifier.
llvm::Expected<ModelABI> describeEntry(mlir::func::FuncOp entry,
                                       llvm::StringRef modelName);

/// Gives the function @main of `module` (an imported model, nn dialect) its
/// C ABI name, lathe_<model>_run, and returns its interface. <model> is
/// `modelName` when not empty (it must then be a C identifier), else the
/// module's `nn.model` attribute made into a C identifier, else "model".
llvm::Expected<ModelABI> prepareEntryPoint(mlir::ModuleOp module,
                                           llvm::StringRef modelName = "");

/// The C header of `abi`: include guard, <stdint.h>, extern "C", the entry
/// function's prototype with a doc comment, each tensor's name, rank, shape,
/// element count, size and element type as constants, and
/// lathe_<model>_run_packed(), which takes the tensors as arrays of
/// pointers. It compiles cleanly as C99 and C++ with -Wall -Wextra.
std::string generateCHeader(const ModelABI &abi);

} // namespace lathe::codegen

#endif // LATHE_CODEGEN_ABI_H
