// RUN: lathe-opt %s -split-input-file -lathe-plan-memory | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-plan-memory=alignment=128 | FileCheck %s --check-prefix=ALIGN
// RUN: not lathe-opt %s -split-input-file -lathe-plan-memory=alignment=48 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

func.func private @produce(memref<16xf32>)
func.func private @consume(memref<16xf32>, memref<16xf32>)

// Three 64-byte buffers; %a is dead when %c is born, so they share offset 0.
// Live ranges (entry block positions): a [0, 3], b [2, 5], c [4, 5].
// CHECK-LABEL: func.func @reuse()
// CHECK-SAME: lathe.arena_bytes = 128 : i64, lathe.intermediate_bytes = 192 : i64
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: %[[O0:.+]] = arith.constant 0 : index
// CHECK: %[[A:.+]] = memref.view %[[ARENA]][%[[O0]]][] : memref<128xi8> to memref<16xf32>
// CHECK: call @produce(%[[A]])
// CHECK: %[[O1:.+]] = arith.constant 64 : index
// CHECK: %[[B:.+]] = memref.view %[[ARENA]][%[[O1]]][] : memref<128xi8> to memref<16xf32>
// CHECK: call @consume(%[[A]], %[[B]])
// CHECK: %[[O2:.+]] = arith.constant 0 : index
// CHECK: %[[C:.+]] = memref.view %[[ARENA]][%[[O2]]][] : memref<128xi8> to memref<16xf32>
// CHECK: call @consume(%[[B]], %[[C]])
// CHECK-NOT: memref.alloc
// ALIGN-LABEL: func.func @reuse()
// ALIGN-SAME: lathe.arena_bytes = 256 : i64
// ALIGN: memref.alloc() {alignment = 128 : i64} : memref<256xi8>
// ALIGN: arith.constant 128 : index
// BAD: arena alignment must be a power of two, not 48
func.func @reuse() {
  %a = memref.alloc() : memref<16xf32>
  call @produce(%a) : (memref<16xf32>) -> ()
  %b = memref.alloc() : memref<16xf32>
  call @consume(%a, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  %c = memref.alloc() : memref<16xf32>
  call @consume(%b, %c) : (memref<16xf32>, memref<16xf32>) -> ()
  return
}

// -----

func.func private @consume(memref<16xf32>, memref<16xf32>)

// A use through a view keeps the buffer live: %a (seen as %v at position 3)
// overlaps %b. A returned buffer and a dynamic one are not planned, and the
// deallocation of a planned buffer becomes the arena's.
// CHECK-LABEL: func.func @aliases(
// CHECK-SAME: lathe.arena_bytes = 128 : i64, lathe.intermediate_bytes = 128 : i64
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: memref.view %[[ARENA]]
// CHECK: memref.collapse_shape
// CHECK: arith.constant 64 : index
// CHECK: memref.view %[[ARENA]]
// CHECK: %[[R:.+]] = memref.alloc() : memref<16xf32>
// CHECK: memref.alloc(%arg0) : memref<?xf32>
// CHECK-NOT: memref.dealloc %{{.+}} : memref<16xf32>
// CHECK: memref.dealloc %[[ARENA]] : memref<128xi8>
// CHECK-NEXT: return %[[R]]
func.func @aliases(%n: index) -> memref<16xf32> {
  %a = memref.alloc() : memref<4x4xf32>
  %v = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  call @consume(%v, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  %r = memref.alloc() : memref<16xf32>
  call @consume(%b, %r) : (memref<16xf32>, memref<16xf32>) -> ()
  %d = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %d : memref<?xf32>
  memref.dealloc %b : memref<16xf32>
  return %r : memref<16xf32>
}

// -----

// Nothing to plan: the attributes say so, and no arena is made.
// CHECK-LABEL: func.func @nothing(
// CHECK-SAME: lathe.arena_bytes = 0 : i64, lathe.intermediate_bytes = 0 : i64
// CHECK-NOT: memref.alloc
func.func @nothing(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}
