// RUN: lathe-opt %s -lathe-cpu-lowering | FileCheck %s
// RUN: lathe-opt %s -lathe-cpu-lowering=bare-pointers=false | FileCheck %s --check-prefix=DESC

// The whole CPU lowering: an MLP layer becomes one kernel (matmul, bias,
// relu), an internal LLVM function, and the graph function calls it with
// bare pointers, results turned into caller-owned out-parameters: the
// kernel writes the graph's output buffer directly (no copy, no arena).
// CHECK-NOT: nn.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-LABEL: llvm.func internal @mlp_k0_matmul(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// CHECK-SAME: lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul", "nn.add", "nn.relu"]
// CHECK: llvm.intr.maximum
// CHECK: llvm.return
// CHECK: llvm.func @mlp(%[[X:.+]]: !llvm.ptr, %[[Y:.+]]: !llvm.ptr)
// CHECK-SAME: lathe.arena_bytes = 0
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.call @mlp_k0_matmul(%[[X]], %[[Y]])
// CHECK-NEXT: llvm.return

// With descriptors, each memref is the usual (allocated, aligned, offset,
// sizes, strides) list of arguments.
// DESC-LABEL: llvm.func @mlp(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64,
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = nn.constant dense<0.5> : tensor<4x3xf32>
  %b = nn.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %0 = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = nn.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = nn.relu %1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
