"""The C API of liblathe.so (runtime/lathe.h) through ctypes.

Shared by the end-to-end checks (test/e2e/check.py) and the ONNX conformance
runner (test/conformance/run_node_tests.py):

    lathe = Lathe("build/lib/liblathe.so")
    model = lathe.compile("model.onnx", input_shapes={"x": (1, 3, 8, 8)})
    outputs = lathe.run(model, {"x": array})   # {name: numpy array}
    lathe.free(model)

Errors of compile and run are raised as LatheError with Lathe's message.
"""

import ctypes

import numpy as np

#: lathe_dtype (runtime/lathe.h) -> numpy dtype.
DTYPES = {0: np.float16, 2: np.float32, 3: np.float64, 4: np.bool_,
          5: np.int8, 6: np.int32, 7: np.int64}


class LatheError(RuntimeError):
    """A compile or run error reported by liblathe.so."""


#: numpy dtype -> lathe_dtype, for input values.
CODES = {np.dtype(np.float32): 2, np.dtype(np.bool_): 4,
         np.dtype(np.int32): 6, np.dtype(np.int64): 7}


class _InputValue(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_size_t),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


class _CompileOptions(ctypes.Structure):
    _fields_ = [("input_shapes", ctypes.POINTER(ctypes.c_char_p)),
                ("input_values", ctypes.POINTER(_InputValue)),
                ("num_input_values", ctypes.c_size_t)]


class Lathe:
    """The C API of liblathe.so, through ctypes."""

    def __init__(self, path):
        lib = ctypes.CDLL(str(path))
        P, S = ctypes.c_void_p, ctypes.c_size_t
        I64P = ctypes.POINTER(ctypes.c_int64)
        err = ctypes.POINTER(ctypes.c_void_p)
        sig = {
            "lathe_compile_onnx": (P, [ctypes.c_char_p,
                                       ctypes.POINTER(_CompileOptions), err]),
            "lathe_model_free": (None, [P]),
            "lathe_model_num_inputs": (S, [P]),
            "lathe_model_num_outputs": (S, [P]),
            "lathe_model_input_name": (ctypes.c_char_p, [P, S]),
            "lathe_model_output_name": (ctypes.c_char_p, [P, S]),
            "lathe_model_input_rank": (S, [P, S]),
            "lathe_model_output_rank": (S, [P, S]),
            "lathe_model_input_shape": (I64P, [P, S]),
            "lathe_model_output_shape": (I64P, [P, S]),
            "lathe_model_input_dtype": (ctypes.c_int, [P, S]),
            "lathe_model_output_dtype": (ctypes.c_int, [P, S]),
            "lathe_model_run": (ctypes.c_int, [P, P, P, err]),
            "lathe_free_error": (None, [P]),
        }
        for name, (res, args) in sig.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib = lib

    def compile(self, path, input_shapes=None, input_values=None):
        """Compiles the ONNX model at `path`. `input_shapes` maps input
        names to shapes (for symbolic dimensions); `input_values` maps input
        names to arrays fixed at compile time (they become constants)."""
        options = _CompileOptions()
        keep = []  # Buffers that must outlive the call.
        if input_shapes:
            specs = [f"{name}={'x'.join(str(d) for d in shape)}".encode()
                     for name, shape in input_shapes.items()]
            options.input_shapes = (ctypes.c_char_p * (len(specs) + 1))(
                *specs, None)
        if input_values:
            values = (_InputValue * len(input_values))()
            for v, (name, array) in zip(values, input_values.items()):
                array = np.array(array, order="C", copy=True)  # keeps 0-d
                shape = (ctypes.c_int64 * max(1, array.ndim))(*array.shape)
                keep += [array, shape]
                v.name, v.dtype = name.encode(), CODES[array.dtype]
                v.rank, v.shape = array.ndim, shape
                v.data = array.ctypes.data
            options.input_values = values
            options.num_input_values = len(input_values)
        error = ctypes.c_void_p()
        model = self.lib.lathe_compile_onnx(
            str(path).encode(), ctypes.byref(options), ctypes.byref(error))
        del keep
        if not model:
            raise LatheError(self._take_error(error))
        return model

    def _take_error(self, error):
        """The message behind `error` (a char * from the library), freed."""
        if not error.value:
            return "unknown error"
        message = ctypes.string_at(error.value).decode(errors="replace")
        self.lib.lathe_free_error(error)
        return message

    def free(self, model):
        self.lib.lathe_model_free(model)

    def specs(self, model, outputs):
        """[(name, shape, numpy dtype)] of the inputs or the outputs."""
        kind = "output" if outputs else "input"
        lib = self.lib
        count = getattr(lib, f"lathe_model_num_{kind}s")(model)
        result = []
        for i in range(count):
            rank = getattr(lib, f"lathe_model_{kind}_rank")(model, i)
            shape = getattr(lib, f"lathe_model_{kind}_shape")(model, i)
            result.append((getattr(lib, f"lathe_model_{kind}_name")(model, i).decode(),
                           tuple(shape[d] for d in range(rank)),
                           DTYPES[getattr(lib, f"lathe_model_{kind}_dtype")(model, i)]))
        return result

    def run(self, model, inputs):
        """Runs `model` on `inputs` ({name: array}); returns {name: array}."""
        ins = [np.ascontiguousarray(inputs[name], dtype)
               for name, _, dtype in self.specs(model, False)]
        outs = {name: np.empty(shape, dtype)
                for name, shape, dtype in self.specs(model, True)}
        in_ptrs = (ctypes.c_void_p * max(1, len(ins)))(
            *[a.ctypes.data for a in ins])
        out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(
            *[a.ctypes.data for a in outs.values()])
        error = ctypes.c_void_p()
        if self.lib.lathe_model_run(model, in_ptrs, out_ptrs, ctypes.byref(error)):
            raise LatheError(self._take_error(error))
        return outs
