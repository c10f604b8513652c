// RUN: lathe-opt %s -lathe-emulate-gpu-launches -cse | FileCheck %s

// A launch of 4x2 blocks of 8 threads: loops over blocks z, y, x and
// threads z, y, x, the body once per thread, with the ids the loops'
// indices and the sizes the launch's; barriers dropped; the thread's
// temporary allocated once before the loops.
// CHECK-LABEL: func.func @launch
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[T:.+]] = memref.alloca() : memref<1xf32>
// CHECK-NEXT: scf.for %{{.+}} = %[[C0]] to %[[C1]] step %[[C1]]
// CHECK-NEXT: scf.for %[[BY:.+]] = %[[C0]] to %[[C2]] step %[[C1]]
// CHECK-NEXT: scf.for %[[BX:.+]] = %[[C0]] to %[[C4]] step %[[C1]]
// CHECK-NEXT: scf.for %{{.+}} = %[[C0]] to %[[C1]] step %[[C1]]
// CHECK-NEXT: scf.for %{{.+}} = %[[C0]] to %[[C1]] step %[[C1]]
// CHECK-NEXT: scf.for %[[TX:.+]] = %[[C0]] to %[[C8]] step %[[C1]]
// CHECK-NEXT: %[[ROW:.+]] = arith.muli %[[BY]], %[[C4]]
// CHECK-NEXT: %[[COL:.+]] = arith.addi %[[ROW]], %[[BX]]
// CHECK-NEXT: %[[I:.+]] = arith.muli %[[COL]], %[[C8]]
// CHECK-NEXT: %[[J:.+]] = arith.addi %[[I]], %[[TX]]
// CHECK-NEXT: memref.store %{{.+}}, %[[T]]
// CHECK-NEXT: memref.load %[[T]]
// CHECK-NEXT: memref.store %{{.+}}, %{{.+}}[%[[J]]] : memref<64xf32>
// CHECK-NOT: gpu.
func.func @launch(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %cst = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c4, %gy = %c2, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    %t = memref.alloca() : memref<1xf32>
    %row = arith.muli %by, %gx : index
    %col = arith.addi %row, %bx : index
    %i = arith.muli %col, %sx : index
    %j = arith.addi %i, %tx : index
    memref.store %cst, %t[%c0] : memref<1xf32>
    %v = memref.load %t[%c0] : memref<1xf32>
    gpu.barrier
    memref.store %v, %out[%j] : memref<64xf32>
    gpu.terminator
  }
  return
}
