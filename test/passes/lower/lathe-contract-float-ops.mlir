// RUN: lathe-opt %s -lathe-contract-float-ops | FileCheck %s

// Multiplies, adds and subtracts may be contracted into FMAs; flags they
// had are kept; other ops are left alone.
// CHECK-LABEL: llvm.func @mul_add
// CHECK: llvm.fmul %{{.+}}, %{{.+}} {fastmathFlags = #llvm.fastmath<contract>} : f32
// CHECK: llvm.fadd %{{.+}}, %{{.+}} {fastmathFlags = #llvm.fastmath<nnan, contract>} : f32
// CHECK: llvm.fsub %{{.+}}, %{{.+}} {fastmathFlags = #llvm.fastmath<contract>} : f32
// CHECK: llvm.fdiv %{{.+}}, %{{.+}} : f32
llvm.func @mul_add(%a: f32, %b: f32, %c: f32) -> f32 {
  %0 = llvm.fmul %a, %b : f32
  %1 = llvm.fadd %0, %c {fastmathFlags = #llvm.fastmath<nnan>} : f32
  %2 = llvm.fsub %1, %a : f32
  %3 = llvm.fdiv %2, %b : f32
  llvm.return %3 : f32
}
