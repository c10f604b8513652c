//===- JIT.h - Compile and run nn models in-process -------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the JIT: a model in the nn dialect (text or a module) is
// lowered with the CPU pipeline, compiled for the host by MLIR's
// ExecutionEngine (ORC) and run on buffers the caller owns. Errors come back
// as values (llvm::Error / llvm::Expected), with the compiler's diagnostics
// in the message.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_RUNTIME_JIT_H
#define LATHE_RUNTIME_JIT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace mlir {
class ModuleOp;
class Type;
} // namespace mlir

namespace lathe {
namespace frontend {
struct ImportOptions;
} // namespace frontend

/// Element types a model's inputs and outputs may have.
enum class DType { f16, bf16, f32, f64, i1, i8, i32, i64 };

/// The spelling of `dtype` ("f32", ...).
llvm::StringRef stringifyDType(DType dtype);

/// The DType of an MLIR element type, or std::nullopt when the JIT does not
/// take tensors of that type.
std::optional<DType> dtypeOf(mlir::Type type);

/// Size in bytes of one element of `dtype`.
size_t dtypeSize(DType dtype);

/// One input or output of a compiled model: its name (the ONNX name when
/// imported from ONNX, else "arg<i>"/"result<i>"), shape and element type.
struct TensorSpec {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  DType dtype;

  /// Number of elements.
  int64_t numElements() const;
  /// Size of a dense row-major buffer holding the tensor.
  size_t numBytes() const { return numElements() * dtypeSize(dtype); }
};

/// How the JIT compiles a model.
struct JITOptions {
  /// Threads that run the parallel loops of the model's kernels (the thread
  /// tiles of their #sched.config): 0 leaves the count to the OpenMP
  /// runtime (OMP_NUM_THREADS, else one per core), 1 runs them as
  /// sequential loops, N > 1 on N threads. Models with parallel loops load
  /// LLVM's OpenMP runtime (libomp) into the process unless this is 1.
  unsigned threads = 0;
  /// The tuning database (a SQLite file, autotune/Database.h) whose best
  /// records on the host give kernels their configs before the default
  /// schedule (lathe-apply-tuned-configs); empty: default schedules only.
  /// A database that cannot be opened fails the compilation.
  std::string tuningDB;
  /// Configs given by workload key (`#sched.config` text), which win over
  /// the tuning database's: how the autotuner compiles a candidate. A
  /// config that does not fit its kernel fails the compilation.
  std::map<std::string, std::string> configs;
};

/// A model compiled in-process for the host CPU. Thread-compatible: run() may
/// be called concurrently on distinct buffers.
class JITModel {
public:
  ~JITModel();

  /// Compiles the function `entry` of `module` (nn dialect, static shapes).
  /// The module is lowered in place.
  static llvm::Expected<std::unique_ptr<JITModel>>
  compile(mlir::ModuleOp module, llvm::StringRef entry = "main",
          const JITOptions &options = {});

  /// Parses `source` (MLIR text in the nn dialect) and compiles its function
  /// `entry`. `bufferName` names the source in diagnostics.
  static llvm::Expected<std::unique_ptr<JITModel>>
  compileSource(llvm::StringRef source, llvm::StringRef entry = "main",
                llvm::StringRef bufferName = "<source>",
                const JITOptions &options = {});

  /// Imports the ONNX model at `path` and compiles its graph.
  static llvm::Expected<std::unique_ptr<JITModel>>
  compileONNX(llvm::StringRef path, const frontend::ImportOptions &options,
              const JITOptions &jitOptions = {});

  llvm::ArrayRef<TensorSpec> inputs() const { return inputSpecs; }
  llvm::ArrayRef<TensorSpec> outputs() const { return outputSpecs; }

  /// Runs the model. `inputs[i]` and `outputs[i]` point to dense row-major
  /// buffers of `inputs()[i].numBytes()` / `outputs()[i].numBytes()` bytes,
  /// owned by the caller. Fails (without running) when the counts differ.
  llvm::Error run(llvm::ArrayRef<const void *> inputs,
                  llvm::ArrayRef<void *> outputs) const;

private:
  struct Impl;
  explicit JITModel(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl;
  llvm::SmallVector<TensorSpec> inputSpecs, outputSpecs;
};

} // namespace lathe

#endif // LATHE_RUNTIME_JIT_H
