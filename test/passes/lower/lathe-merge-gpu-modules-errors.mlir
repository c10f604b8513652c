// RUN: lathe-opt %s -lathe-merge-gpu-modules -verify-diagnostics

// The merged module's name must be free.
// expected-error @+1 {{lathe-merge-gpu-modules: the symbol @lathe_kernels is taken}}
module attributes {gpu.container_module} {
  func.func @lathe_kernels() {
    return
  }
  gpu.module @m0 {
    gpu.func @f() kernel { gpu.return }
  }
}
