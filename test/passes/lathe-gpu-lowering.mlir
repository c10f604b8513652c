// RUN: lathe-opt %s -lathe-gpu-lowering="chip=sm_90 features=+ptx78" | FileCheck %s
// RUN: lathe-opt %s -lathe-gpu-lowering | FileCheck %s --check-prefix=SM80
// RUN: lathe-opt %s -lathe-gpu-lowering=host=true | FileCheck %s --check-prefix=HOST

// The whole GPU lowering of an MLP layer: one kernel (matmul, bias, relu)
// whose host function launches it on a grid from its #sched.gpu schedule,
// and one gpu.binary holding the PTX of every kernel for the chip.
// CHECK-NOT: nn.
// CHECK-LABEL: func.func private @mlp_k0_matmul
// CHECK-SAME: lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul", "nn.add", "nn.relu"]
// CHECK: gpu.launch_func @lathe_kernels::@mlp_k0_matmul_kernel blocks in (%{{.+}}, %{{.+}}, %{{.+}}) threads in
// CHECK: gpu.binary @lathe_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx78">
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry mlp_k0_matmul_kernel(
// CHECK-SAME: fma.rn.f32
// CHECK-SAME: max.NaN.f32
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @mlp
// CHECK: call @mlp_k0_matmul
// SM80: .target sm_80
// With host=true the host functions are LLVM too, with bare pointers,
// device buffers and the launches left for gpu.binary's translation.
// HOST: llvm.func @mlp(%[[X:.+]]: !llvm.ptr, %[[Y:.+]]: !llvm.ptr)
// HOST: llvm.call @mgpuStreamCreate()
// HOST: llvm.call @mgpuMemAlloc
// HOST: llvm.call @mgpuMemcpy
// HOST: llvm.call @mlp_k0_matmul
// HOST: llvm.call @mgpuMemcpy
// HOST: llvm.call @mgpuMemFree
// HOST-NOT: func.func
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<2x3xf32> attributes {lathe.num_inputs = 1 : i64} {
  %w = nn.constant dense<0.5> : tensor<4x3xf32>
  %b = nn.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %0 = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = nn.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = nn.relu %1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
