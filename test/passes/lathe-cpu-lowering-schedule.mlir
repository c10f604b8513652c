// RUN: lathe-opt %s -lathe-cpu-lowering="vector-bits=512 vector-registers=32 l1-bytes=49152 l2-bytes=2097152" | FileCheck %s
// RUN: lathe-opt %s -lathe-cpu-lowering="vector-bits=256 vector-registers=16" | FileCheck %s --check-prefix=AVX2
// RUN: lathe-opt %s -lathe-cpu-lowering="schedule=false" | FileCheck %s --check-prefix=PLAIN

// The whole CPU lowering with schedules: the conv becomes channels-last,
// tiled and vectorized into FMAs two registers wide (32 lanes with
// AVX-512, 16 with AVX2, which LLVM splits into register-wide FMAs); vector transfers lower fully unrolled, so no
// stack buffer is allocated inside the loops (a long loop would overflow
// the stack). Without schedules: plain loops, no vector FMAs.
// CHECK-LABEL: llvm.func internal @conv_k{{[0-9]+}}_conv2d
// CHECK-NOT: llvm.alloca
// CHECK: llvm.intr.fmuladd({{.+}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK-NOT: llvm.alloca
// CHECK-LABEL: llvm.func @conv
// AVX2: llvm.intr.fmuladd({{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// PLAIN-NOT: llvm.intr.fmuladd
func.func @conv(%x: tensor<1x16x16x16xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32> {
  %0 = nn.conv2d %x, %w strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32>
  %1 = nn.relu %0 : tensor<1x32x16x16xf32>
  return %1 : tensor<1x32x16x16xf32>
}
