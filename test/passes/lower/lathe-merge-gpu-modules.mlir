// RUN: lathe-opt %s -lathe-merge-gpu-modules | FileCheck %s
// RUN: lathe-opt %s -lathe-merge-gpu-modules=name=kernels | FileCheck %s --check-prefix=NAMED

// Three outlined modules, two of whose functions share a name (two
// launches of one kernel function): one module, the second @f renamed, and
// every launch pointing into it.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.launch_func @lathe_kernels::@f blocks
// CHECK: gpu.launch_func @lathe_kernels::@[[F2:f_[0-9]+]] blocks
// CHECK: gpu.launch_func @lathe_kernels::@g blocks
// CHECK: gpu.module @lathe_kernels {
// CHECK-DAG: gpu.func @f() kernel
// CHECK-DAG: gpu.func @[[F2]]() kernel
// CHECK-DAG: gpu.func @g() kernel
// CHECK: }
// CHECK-NOT: gpu.module
// NAMED: gpu.launch_func @kernels::@f blocks
// NAMED: gpu.module @kernels {
module attributes {gpu.container_module} {
  func.func @host() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @m0::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @m1::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @m2::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @m0 {
    gpu.func @f() kernel { gpu.return }
  }
  gpu.module @m1 {
    gpu.func @f() kernel { gpu.return }
  }
  gpu.module @m2 {
    gpu.func @g() kernel { gpu.return }
  }
}
