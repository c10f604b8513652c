//===- Passes.td - Lathe's passes --------------------------*- tablegen -*-===//
//
// Part of Lathe. Every Lathe pass is declared here and only here; the
// pipelines that chain them are in Pipelines.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_PASSES_TD
#define LATHE_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// passes/lower
//===----------------------------------------------------------------------===//

def ConvertNNToLinalgPass : Pass<"lathe-convert-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn graph ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every nn op into value-semantics IR that one-shot bufferization
    understands: named linalg ops where upstream has one (matmul,
    batch_matmul, conv_2d_nchw_fchw, conv_2d_ngchw_fgchw,
    depthwise_conv_2d_nchw_chw, pooling_nchw_max/sum, transpose),
    `linalg.generic` otherwise (broadcasting elementwise ops, reductions,
    normalizations, gathers), and tensor ops for data movement (pad,
    extract_slice, insert_slice, collapse/expand_shape). Weights
    (`nn.constant`) become `arith.constant`, keeping dense resources out of
    line. The pass fails, naming the op, if any nn op is left.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def VerifyLLVMLegalPass : Pass<"lathe-verify-llvm-legal", "mlir::ModuleOp"> {
  let summary = "Check that a module holds only LLVM dialect operations";
  let description = [{
    The last step of every lowering pipeline to LLVM: fails, naming the
    first offending op and its location (the ONNX node it came from), if
    anything but `builtin.module` and LLVM dialect ops is left. Translation
    to LLVM IR would otherwise fail with a less helpful message.
  }];
}

#endif // LATHE_PASSES_PASSES_TD
