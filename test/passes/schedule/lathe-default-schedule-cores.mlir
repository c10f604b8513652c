// RUN: lathe-opt %s -split-input-file -lathe-default-schedule="vector-bits=512 vector-registers=32 l1-bytes=49152 l2-bytes=2097152 cores=2" | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-default-schedule="vector-bits=512 vector-registers=32 l1-bytes=49152 l2-bytes=2097152" | FileCheck %s --check-prefix=ONE

// lathe-default-schedule's `cores` option: thread tiles that split evenly.
// BERT's 128 x 768 x 768 projection: three panels of 256 columns would
// leave one of two cores idle a third of the time; four of 192 do not.
// CHECK-LABEL: func.func @bert_qkv
// CHECK: tiles = {outer = [0, 192, 0], l2 = [64, 192, 128], register = [8, 32, 1]}
// CHECK-SAME: parallel = [1]
// ONE-LABEL: func.func @bert_qkv
// ONE: tiles = {outer = [0, 256, 0], l2 = [64, 256, 128], register = [8, 32, 1]}
func.func @bert_qkv(%a: tensor<128x768xf32>, %b: tensor<768x768xf32>, %c: tensor<128x768xf32>) -> tensor<128x768xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x768xf32>, tensor<768x768xf32>) outs(%c : tensor<128x768xf32>) -> tensor<128x768xf32>
  return %0 : tensor<128x768xf32>
}

// -----

// A 14 x 14 convolution's im2col matmul (M = 196, N = 256): one panel of B
// and seven row blocks of A; with two cores, two panels of 128 instead.
// CHECK-LABEL: func.func @im2col
// CHECK: tiles = {outer = [0, 128, 0], l2 = [28, 128, 128], register = [14, 32, 1]}
// CHECK-SAME: parallel = [1]
// ONE-LABEL: func.func @im2col
// ONE: tiles = {outer = [28, 0, 0], l2 = [28, 256, 128], register = [14, 32, 1]}
// ONE-SAME: parallel = [0]
func.func @im2col(%a: tensor<196x2304xf32>, %b: tensor<2304x256xf32>, %c: tensor<196x256xf32>) -> tensor<196x256xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<196x2304xf32>, tensor<2304x256xf32>) outs(%c : tensor<196x256xf32>) -> tensor<196x256xf32>
  return %0 : tensor<196x256xf32>
}

// -----

// Copies and elementwise ops of 256 KiB or more run on threads, one tile
// per core along their outermost loop that splits so; smaller ones do not.
// CHECK-LABEL: func.func @copies
// CHECK: linalg.copy {{.+}}tiles = {outer = [0, 56, 0, 0], register = [1, 1, 1, 64]}, vector = [1, 1, 1, 64], parallel = [1]
// CHECK: linalg.copy {{.+}}#sched.config<tiles = {register = [1, 1, 1, 64]}, vector = [1, 1, 1, 64]>
// ONE-LABEL: func.func @copies
// ONE-NOT: parallel
func.func @copies(%x: tensor<1x112x112x64xf32>, %y: tensor<1x112x112x64xf32>, %s: tensor<1x8x8x64xf32>, %t: tensor<1x8x8x64xf32>) -> (tensor<1x112x112x64xf32>, tensor<1x8x8x64xf32>) {
  %0 = linalg.copy ins(%x : tensor<1x112x112x64xf32>) outs(%y : tensor<1x112x112x64xf32>) -> tensor<1x112x112x64xf32>
  %1 = linalg.copy ins(%s : tensor<1x8x8x64xf32>) outs(%t : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  return %0, %1 : tensor<1x112x112x64xf32>, tensor<1x8x8x64xf32>
}
