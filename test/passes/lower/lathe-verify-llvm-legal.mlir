// RUN: lathe-opt %s -split-input-file -lathe-verify-llvm-legal -verify-diagnostics | FileCheck %s

// A module of LLVM dialect ops passes unchanged.
// CHECK-LABEL: llvm.func @ok
module {
  llvm.func @ok(%arg0: !llvm.ptr) {
    llvm.return
  }
}

// -----

// Anything else is named, at its location.
module {
  func.func @left_over(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'nn.relu' op is left after lowering to the LLVM dialect; the lowering pipeline does not handle it}}
    %0 = nn.relu %x : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}
