//===- Importer.h - ONNX to nn importer -------------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the ONNX importer: it reads an ONNX model (a serialized
// onnx.ModelProto) and builds a module in the nn dialect with one
// `func.func @main`.
//
// The imported module:
//   - has the attributes `nn.model = "<file stem>"` and
//     `nn.opset = <default-domain opset>` (opsets 7 to 24 are accepted);
//   - holds one `func.func @main` whose arguments are the graph inputs that
//     are not initializers, in order, and whose results are the graph
//     outputs; each carries its ONNX name as `nn.name = "<name>"`;
//   - has static shapes everywhere. A graph input dimension that is symbolic
//     or unknown takes its size from ImportOptions::inputShapes; without an
//     override a symbolic leading (batch) dimension becomes 1 and any other
//     symbolic dimension is an error;
//   - holds initializers as `nn.constant` ops with `dense_resource` blobs
//     (small integer tensors, such as shapes, are plain `dense`);
//   - locates every op at `"<node name>"(<file>:0:0)`, an unnamed node being
//     called `<OpType>_<index in the graph>`.
//
// Errors are emitted as MLIR diagnostics, exactly one per failed import, each
// a complete line such as
//   model.onnx: node 'c1' (Conv, opset 11): unsupported attribute auto_pad=FOO
// and the import returns failure; it never builds a partial module.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_FRONTEND_ONNX_IMPORTER_H
#define LATHE_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace lathe::frontend {

/// The oldest and newest default-domain opsets the importer accepts.
constexpr int64_t kMinONNXOpset = 7;
constexpr int64_t kMaxONNXOpset = 24;

/// The value of a graph input known when compiling.
struct InputValue {
  /// The ONNX TensorProto data type (onnx::TensorProto::FLOAT, ...).
  int32_t dataType;
  llvm::SmallVector<int64_t> shape;
  /// Dense row-major little-endian elements (one byte per BOOL).
  std::string bytes;
};

/// Options of an import.
struct ImportOptions {
  /// Shapes of graph inputs by ONNX name. An entry replaces the input's
  /// declared shape; it must have the declared rank and agree with every
  /// static dimension. Use it for symbolic and unknown dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs fixed to a value: each becomes a constant, as if it were
  /// an initializer, and the imported function no longer takes it. Lathe
  /// needs shape parameters (Reshape's shape, Reduce axes, Slice starts, ...)
  /// at compile time; this is how a model that takes them as inputs gets
  /// them. The value must have the input's declared type and rank.
  llvm::StringMap<InputValue> inputValues;
};

/// Parses a shape override "name=1x3x224x224" (as given to
/// `lathe compile --input-shape` or lathe_compile_options) into `options`.
/// Fails with a message for malformed specs and for a name given twice.
llvm::Error addInputShape(llvm::StringRef spec, ImportOptions &options);

/// Imports the ONNX model stored at `path`. `path` is used as given in
/// diagnostics and locations; the module's `nn.model` is its stem.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXFile(llvm::StringRef path, mlir::MLIRContext &ctx,
               const ImportOptions &options = {});

/// Imports a serialized ONNX model held in memory; `fileName` stands for the
/// file in diagnostics, locations and `nn.model`.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXBuffer(llvm::StringRef bytes, llvm::StringRef fileName,
                 mlir::MLIRContext &ctx, const ImportOptions &options = {});

/// Imports an already parsed ONNX model; `fileName` as for importONNXBuffer.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXModel(const onnx::ModelProto &model, llvm::StringRef fileName,
                mlir::MLIRContext &ctx, const ImportOptions &options = {});

} // namespace lathe::frontend

#endif // LATHE_FRONTEND_ONNX_IMPORTER_H
