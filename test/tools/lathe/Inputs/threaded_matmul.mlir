// A matmul whose config hands 64-column panels (loop n) to threads.
func.func @main(%a: tensor<64x48xf32>, %b: tensor<48x128xf32>) -> tensor<64x128xf32> {
  %0 = nn.matmul %a, %b {sched.config = #sched.config<tiles = {outer = [0, 64, 0], l2 = [32, 64, 16], register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [1], interchange = [1, 0, 2]>}
      : (tensor<64x48xf32>, tensor<48x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}
