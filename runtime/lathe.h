/*===- lathe.h - Lathe's JIT library: C API and C++ wrapper -----*- C -*-===*\
|*                                                                          *|
|* Part of Lathe.                                                           *|
|*                                                                          *|
|* Compile an ONNX model (or nn-dialect MLIR) in-process for the host CPU   *|
|* and run it on buffers you own. Link with liblathe.so. The C API is all   *|
|* that crosses the library boundary; the C++ classes at the end are header *|
|* -only wrappers over it, with RAII and std:: types.                       *|
|*                                                                          *|
|* Errors are values: functions that can fail return NULL or non-zero and  *|
|* hand back a message that the caller frees with lathe_free_error().      *|
\*===----------------------------------------------------------------------===*/

#ifndef LATHE_RUNTIME_LATHE_H
#define LATHE_RUNTIME_LATHE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define LATHE_API __declspec(dllimport)
#else
#define LATHE_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Element type of a model input or output. */
typedef enum lathe_dtype {
  LATHE_F16,
  LATHE_BF16,
  LATHE_F32,
  LATHE_F64,
  LATHE_BOOL,
  LATHE_I8,
  LATHE_I32,
  LATHE_I64
} lathe_dtype;

/** A compiled model. Safe to run from several threads at once. */
typedef struct lathe_model lathe_model;

/** A graph input whose value is known at compile time (see
 *  lathe_compile_options.input_values). */
typedef struct lathe_input_value {
  const char *name;
  lathe_dtype dtype;
  size_t rank;
  const int64_t *shape;
  /** Dense row-major elements; copied during the call. */
  const void *data;
} lathe_input_value;

/** Options of a compilation; zero-initialize, then set what you need. */
typedef struct lathe_compile_options {
  /** Shapes of graph inputs with symbolic dimensions, as "name=1x3x224x224"
   *  strings (NULL-terminated array, or NULL). */
  const char *const *input_shapes;
  /** Graph inputs fixed to a value: each becomes a constant and the compiled
   *  model no longer takes it. Lathe needs shape parameters (a Reshape's
   *  shape, Reduce axes, Slice starts, ...) when compiling; a model that
   *  takes them as inputs gets them this way. F32, I32, I64 and BOOL. */
  const lathe_input_value *input_values;
  size_t num_input_values;
} lathe_compile_options;

/** Compiles the ONNX model at `path`. On failure returns NULL and, when
 *  `error` is not NULL, stores a message to free with lathe_free_error(). */
LATHE_API lathe_model *lathe_compile_onnx(const char *path,
                                          const lathe_compile_options *options,
                                          char **error);

/** Compiles nn-dialect MLIR text, function `entry` (NULL means "main"). */
LATHE_API lathe_model *lathe_compile_mlir(const char *source,
                                          const char *entry, char **error);

/** Frees a model (NULL is ignored). */
LATHE_API void lathe_model_free(lathe_model *model);

/** Inputs and outputs: count, name, rank, shape, element type, bytes. */
LATHE_API size_t lathe_model_num_inputs(const lathe_model *model);
LATHE_API size_t lathe_model_num_outputs(const lathe_model *model);
LATHE_API const char *lathe_model_input_name(const lathe_model *model,
                                             size_t i);
LATHE_API const char *lathe_model_output_name(const lathe_model *model,
                                              size_t i);
LATHE_API size_t lathe_model_input_rank(const lathe_model *model, size_t i);
LATHE_API size_t lathe_model_output_rank(const lathe_model *model, size_t i);
LATHE_API const int64_t *lathe_model_input_shape(const lathe_model *model,
                                                 size_t i);
LATHE_API const int64_t *lathe_model_output_shape(const lathe_model *model,
                                                  size_t i);
LATHE_API lathe_dtype lathe_model_input_dtype(const lathe_model *model,
                                              size_t i);
LATHE_API lathe_dtype lathe_model_output_dtype(const lathe_model *model,
                                               size_t i);
LATHE_API size_t lathe_model_input_bytes(const lathe_model *model, size_t i);
LATHE_API size_t lathe_model_output_bytes(const lathe_model *model, size_t i);

/** Runs the model: `inputs[i]` and `outputs[i]` point to dense row-major
 *  buffers of lathe_model_{input,output}_bytes(model, i) bytes. Returns 0 on
 *  success; otherwise non-zero and a message in `error` (if not NULL). */
LATHE_API int lathe_model_run(const lathe_model *model,
                              const void *const *inputs, void *const *outputs,
                              char **error);

/** Frees a message returned through an `error` argument. */
LATHE_API void lathe_free_error(char *error);

#ifdef __cplusplus
} /* extern "C" */

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lathe {

/// The outcome of a call that can fail: a value or an error message.
template <typename T>
class Result {
public:
  static Result success(T value) { return Result(std::move(value), {}); }
  static Result failure(std::string error) { return Result(T(), std::move(error)); }
  explicit operator bool() const { return error_.empty(); }
  T &value() { return value_; }
  const std::string &error() const { return error_; }

private:
  Result(T value, std::string error)
      : value_(std::move(value)), error_(std::move(error)) {}
  T value_;
  std::string error_;
};

/// Name, shape and element type of one model input or output.
struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  lathe_dtype dtype;
  size_t bytes;
};

/// A compiled model (RAII over lathe_model).
class Model {
public:
  Model() = default;

  /// Compiles an ONNX file; `inputShapes` as in lathe_compile_options.
  static Result<Model> compileONNX(const std::string &path,
                                   const std::vector<std::string> &inputShapes = {}) {
    std::vector<const char *> shapes;
    for (const std::string &s : inputShapes)
      shapes.push_back(s.c_str());
    shapes.push_back(nullptr);
    lathe_compile_options options = {shapes.data(), nullptr, 0};
    char *error = nullptr;
    lathe_model *m = lathe_compile_onnx(path.c_str(), &options, &error);
    return wrap(m, error);
  }

  /// Compiles nn-dialect MLIR text.
  static Result<Model> compileMLIR(const std::string &source,
                                   const std::string &entry = "main") {
    char *error = nullptr;
    return wrap(lathe_compile_mlir(source.c_str(), entry.c_str(), &error), error);
  }

  std::vector<Tensor> inputs() const { return specs(true); }
  std::vector<Tensor> outputs() const { return specs(false); }

  /// Runs on caller-owned buffers; returns an error message or "".
  std::string run(const std::vector<const void *> &inputs,
                  const std::vector<void *> &outputs) const {
    if (inputs.size() != lathe_model_num_inputs(model_.get()) ||
        outputs.size() != lathe_model_num_outputs(model_.get()))
      return "wrong number of input or output buffers";
    char *error = nullptr;
    if (lathe_model_run(model_.get(), inputs.data(), outputs.data(), &error) == 0)
      return "";
    std::string message = error ? error : "unknown error";
    lathe_free_error(error);
    return message;
  }

private:
  struct Deleter {
    void operator()(lathe_model *m) const { lathe_model_free(m); }
  };

  static Result<Model> wrap(lathe_model *m, char *error) {
    if (!m) {
      std::string message = error ? error : "unknown error";
      lathe_free_error(error);
      return Result<Model>::failure(message);
    }
    Model model;
    model.model_.reset(m);
    return Result<Model>::success(std::move(model));
  }

  std::vector<Tensor> specs(bool in) const {
    const lathe_model *m = model_.get();
    std::vector<Tensor> result;
    size_t n = in ? lathe_model_num_inputs(m) : lathe_model_num_outputs(m);
    for (size_t i = 0; i < n; ++i) {
      const int64_t *shape =
          in ? lathe_model_input_shape(m, i) : lathe_model_output_shape(m, i);
      size_t rank = in ? lathe_model_input_rank(m, i) : lathe_model_output_rank(m, i);
      result.push_back({in ? lathe_model_input_name(m, i) : lathe_model_output_name(m, i),
                        std::vector<int64_t>(shape, shape + rank),
                        in ? lathe_model_input_dtype(m, i) : lathe_model_output_dtype(m, i),
                        in ? lathe_model_input_bytes(m, i) : lathe_model_output_bytes(m, i)});
    }
    return result;
  }

  std::unique_ptr<lathe_model, Deleter> model_;
};

} // namespace lathe

#endif /* __cplusplus */

#endif /* LATHE_RUNTIME_LATHE_H */
