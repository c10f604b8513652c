//===- CAPI.cpp - Lathe's JIT library: the C API --------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the C API of lathe.h on JITModel and the ONNX
// importer. It is the only code of liblathe.so that callers see.
//
//===----------------------------------------------------------------------===//

#include "runtime/lathe.h"

#include "frontend/onnx/Importer.h"
#include "runtime/JIT.h"

#include <cstring>
#include <string>

using namespace lathe;

struct lathe_model {
  std::unique_ptr<JITModel> jit;
};

namespace {
/// Hands `message` to the caller as a malloc'd string, if it asked for one.
void setError(char **error, const std::string &message) {
  if (error)
    *error = strdup(message.c_str());
}

lathe_model *wrap(llvm::Expected<std::unique_ptr<JITModel>> jit,
                  char **error) {
  if (!jit) {
    setError(error, llvm::toString(jit.takeError()));
    return nullptr;
  }
  return new lathe_model{std::move(*jit)};
}

lathe_dtype toCDType(DType dtype) {
  switch (dtype) {
  case DType::f16:
    return LATHE_F16;
  case DType::bf16:
    return LATHE_BF16;
  case DType::f32:
    return LATHE_F32;
  case DType::f64:
    return LATHE_F64;
  case DType::i1:
    return LATHE_BOOL;
  case DType::i8:
    return LATHE_I8;
  case DType::i32:
    return LATHE_I32;
  case DType::i64:
    return LATHE_I64;
  }
  return LATHE_F32;
}

const TensorSpec &input(const lathe_model *m, size_t i) {
  return m->jit->inputs()[i];
}
const TensorSpec &output(const lathe_model *m, size_t i) {
  return m->jit->outputs()[i];
}
} // namespace

extern "C" {

lathe_model *lathe_compile_onnx(const char *path,
                                const lathe_compile_options *options,
                                char **error) {
  if (!path) {
    setError(error, "lathe_compile_onnx: path is NULL");
    return nullptr;
  }
  frontend::ImportOptions importOptions;
  if (options && options->input_shapes)
    for (const char *const *s = options->input_shapes; *s; ++s)
      if (llvm::Error err = frontend::addInputShape(*s, importOptions)) {
        setError(error, llvm::toString(std::move(err)));
        return nullptr;
      }
  if (options && options->num_input_values && !options->input_values) {
    setError(error, "lathe_compile_onnx: input_values is NULL");
    return nullptr;
  }
  for (size_t i = 0; options && i < options->num_input_values; ++i) {
    const lathe_input_value &v = options->input_values[i];
    // ONNX TensorProto data types: FLOAT 1, INT32 6, INT64 7, BOOL 9.
    int32_t dataType;
    size_t width;
    switch (v.dtype) {
    case LATHE_F32:
      dataType = 1, width = 4;
      break;
    case LATHE_I32:
      dataType = 6, width = 4;
      break;
    case LATHE_I64:
      dataType = 7, width = 8;
      break;
    case LATHE_BOOL:
      dataType = 9, width = 1;
      break;
    default:
      setError(error, "lathe_compile_onnx: input value '" +
                          std::string(v.name ? v.name : "") +
                          "' has an unsupported dtype");
      return nullptr;
    }
    if (!v.name || (v.rank && !v.shape) || !v.data) {
      setError(error, "lathe_compile_onnx: input value #" + std::to_string(i) +
                          " lacks a name, shape or data");
      return nullptr;
    }
    frontend::InputValue value{dataType, {}, {}};
    size_t count = 1;
    for (size_t d = 0; d < v.rank; ++d) {
      if (v.shape[d] < 0) {
        setError(error, "lathe_compile_onnx: input value '" +
                            std::string(v.name) + "' has a negative dimension");
        return nullptr;
      }
      value.shape.push_back(v.shape[d]);
      count *= static_cast<size_t>(v.shape[d]);
    }
    value.bytes.assign(static_cast<const char *>(v.data), count * width);
    if (!importOptions.inputValues.try_emplace(v.name, std::move(value))
             .second) {
      setError(error, "lathe_compile_onnx: input value '" +
                          std::string(v.name) + "' given twice");
      return nullptr;
    }
  }
  return wrap(JITModel::compileONNX(path, importOptions), error);
}

lathe_model *lathe_compile_mlir(const char *source, const char *entry,
                                char **error) {
  if (!source) {
    setError(error, "lathe_compile_mlir: source is NULL");
    return nullptr;
  }
  return wrap(JITModel::compileSource(source, entry ? entry : "main"), error);
}

void lathe_model_free(lathe_model *model) { delete model; }

size_t lathe_model_num_inputs(const lathe_model *m) {
  return m->jit->inputs().size();
}
size_t lathe_model_num_outputs(const lathe_model *m) {
  return m->jit->outputs().size();
}
const char *lathe_model_input_name(const lathe_model *m, size_t i) {
  return input(m, i).name.c_str();
}
const char *lathe_model_output_name(const lathe_model *m, size_t i) {
  return output(m, i).name.c_str();
}
size_t lathe_model_input_rank(const lathe_model *m, size_t i) {
  return input(m, i).shape.size();
}
size_t lathe_model_output_rank(const lathe_model *m, size_t i) {
  return output(m, i).shape.size();
}
const int64_t *lathe_model_input_shape(const lathe_model *m, size_t i) {
  return input(m, i).shape.data();
}
const int64_t *lathe_model_output_shape(const lathe_model *m, size_t i) {
  return output(m, i).shape.data();
}
lathe_dtype lathe_model_input_dtype(const lathe_model *m, size_t i) {
  return toCDType(input(m, i).dtype);
}
lathe_dtype lathe_model_output_dtype(const lathe_model *m, size_t i) {
  return toCDType(output(m, i).dtype);
}
size_t lathe_model_input_bytes(const lathe_model *m, size_t i) {
  return input(m, i).numBytes();
}
size_t lathe_model_output_bytes(const lathe_model *m, size_t i) {
  return output(m, i).numBytes();
}

int lathe_model_run(const lathe_model *m, const void *const *inputs,
                    void *const *outputs, char **error) {
  if (!m) {
    setError(error, "lathe_model_run: model is NULL");
    return 1;
  }
  size_t numIn = m->jit->inputs().size(), numOut = m->jit->outputs().size();
  if ((numIn && !inputs) || (numOut && !outputs)) {
    setError(error, "lathe_model_run: inputs or outputs is NULL");
    return 1;
  }
  llvm::Error err = m->jit->run(llvm::ArrayRef(inputs, numIn),
                                llvm::ArrayRef(outputs, numOut));
  if (err) {
    setError(error, llvm::toString(std::move(err)));
    return 1;
  }
  return 0;
}

void lathe_free_error(char *error) { free(error); }

} // extern "C"
