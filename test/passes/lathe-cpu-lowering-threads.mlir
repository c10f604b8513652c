// RUN: lathe-opt %s -split-input-file -lathe-cpu-lowering="threads=2" | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-cpu-lowering | FileCheck %s --check-prefix=ANY
// RUN: lathe-opt %s -split-input-file -lathe-cpu-lowering="threads=1" | FileCheck %s --check-prefix=SEQ

// The thread tiles of a config (the scf.forall lathe-tile makes of the
// outer tiles of parallel loops) become an OpenMP parallel loop: an
// omp.parallel, with num_threads when the pipeline fixes the count, around
// an omp.wsloop whose loop nest steps over the 64-column panels; the
// vectorized register tiles run inside it. With threads=1 they are plain
// loops and nothing calls into OpenMP.
// CHECK-LABEL: llvm.func internal @matmul_k{{[0-9]+}}_matmul
// CHECK: %[[N:.+]] = llvm.mlir.constant(2 : i32) : i32
// CHECK: omp.parallel num_threads(%[[N]] : i32) {
// CHECK-NEXT: omp.wsloop {
// CHECK-NEXT: omp.loop_nest (%{{.+}}) : i64 = (%{{.+}}) to (%{{.+}}) step (%{{.+}}) {
// CHECK: llvm.intr.fmuladd({{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK: omp.yield
// CHECK: omp.terminator
// ANY-LABEL: llvm.func internal @matmul_k{{[0-9]+}}_matmul
// ANY-NOT: num_threads
// ANY: omp.parallel {
// ANY-NEXT: omp.wsloop {
// SEQ-LABEL: llvm.func internal @matmul_k{{[0-9]+}}_matmul
// SEQ-NOT: omp.
// SEQ: llvm.intr.fmuladd
// SEQ-NOT: omp.
func.func @matmul(%a: tensor<64x48xf32>, %b: tensor<48x128xf32>) -> tensor<64x128xf32> {
  %0 = nn.matmul %a, %b {sched.config = #sched.config<tiles = {outer = [0, 64, 0], l2 = [32, 64, 16], register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [1], interchange = [1, 0, 2]>}
      : (tensor<64x48xf32>, tensor<48x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

// Kernels without thread tiles lower as they did: no OpenMP.
// CHECK-LABEL: llvm.func internal @plain_k{{[0-9]+}}_matmul
// CHECK-NOT: omp.
// CHECK: llvm.func @plain
// ANY-LABEL: llvm.func internal @plain_k{{[0-9]+}}_matmul
// ANY-NOT: omp.
// ANY: llvm.func @plain
func.func @plain(%a: tensor<64x48xf32>, %b: tensor<48x128xf32>) -> tensor<64x128xf32> {
  %0 = nn.matmul %a, %b : (tensor<64x48xf32>, tensor<48x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}
