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
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def CopyForwardedResultsPass
    : Pass<"lathe-copy-forwarded-results", "mlir::ModuleOp"> {
  let summary = "Give every function result its own tensor before bufferization";
  let description = [{
    Copies each function result that is a function argument (an Identity
    model, or one whose ops all folded away) or repeats an earlier result
    into a fresh `bufferization.alloc_tensor` (which, unlike `tensor.empty`,
    CSE never merges). Results become distinct caller-owned out-parameters
    at the C ABI, and buffer-results-to-out-params can neither hoist an
    argument into one nor one allocation into two. Runs on tensors, after
    the last canonicalization before one-shot bufferization.
  }];
  let dependentDialects = [
    "mlir::bufferization::BufferizationDialect",
    "mlir::linalg::LinalgDialect",
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
