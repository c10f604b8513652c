// RUN: lathe-opt %s -split-input-file -lathe-gpu-host-memory -verify-diagnostics --allow-unregistered-dialect | FileCheck %s

// The entry function's input is copied to a device buffer on entry and its
// output back before it returns; the arena is a device buffer; a kernel
// function's weight is copied to the device; everything is freed.
// CHECK-LABEL: func.func private @k0
// CHECK: %[[W:.+]] = memref.get_global @w
// CHECK: %[[DW:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[DW]], %[[W]]
// CHECK: "test.use"(%[[DW]],
// CHECK: gpu.dealloc %[[DW]]
// CHECK-NEXT: return
// CHECK-LABEL: func.func @lathe_m_run
// CHECK-SAME: (%[[IN:.+]]: memref<4xf32>, %[[OUT:.+]]: memref<4xf32>)
// CHECK: %[[DIN:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[DIN]], %[[IN]]
// CHECK: %[[DOUT:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: %[[ARENA:.+]] = gpu.alloc () : memref<64xi8>
// CHECK-NOT: memref.alloc
// CHECK: call @k0(%[[DIN]], %[[DOUT]])
// CHECK: gpu.dealloc %[[ARENA]]
// CHECK: gpu.memcpy %[[OUT]], %[[DOUT]]
// CHECK: gpu.dealloc %[[DIN]]
// CHECK: gpu.dealloc %[[DOUT]]
// CHECK-NEXT: return
memref.global "private" constant @w : memref<4xf32> = dense<1.0>
func.func private @k0(%a: memref<4xf32>, %b: memref<4xf32>)
    attributes {lathe.kernel = {anchor = "nn.add", ops = ["nn.add"], workload = "k0"}} {
  %w = memref.get_global @w : memref<4xf32>
  "test.use"(%w, %a, %b) : (memref<4xf32>, memref<4xf32>, memref<4xf32>) -> ()
  return
}
func.func @lathe_m_run(%in: memref<4xf32>, %out: memref<4xf32>) attributes {lathe.num_inputs = 1 : i64} {
  %arena = memref.alloc() : memref<64xi8>
  call @k0(%in, %out) : (memref<4xf32>, memref<4xf32>) -> ()
  "test.use"(%arena) : (memref<64xi8>) -> ()
  return
}

// -----

// expected-error @+1 {{has no 'lathe.num_inputs' attribute: which arguments are inputs?}}
func.func @lathe_m_run(%in: memref<4xf32>) {
  return
}

// -----

func.func @lathe_m_run(%n: index) attributes {lathe.num_inputs = 0 : i64} {
  // expected-error @+1 {{cannot be put in GPU memory: its type 'memref<?xf32>' is not a static buffer with the identity layout}}
  %a = memref.alloc(%n) : memref<?xf32>
  "test.use"(%a) : (memref<?xf32>) -> ()
  return
}
