// A ResNet basic block in the nn dialect: conv-bn-relu, conv-bn, residual add,
// relu. The second convolution carries a hand-written schedule, as the
// tuner will attach one to every kernel. Weights are dense resources (here
// tiny placeholder blobs, so the file stays readable).
//
//   build/bin/lathe-opt examples/nn/residual_block.mlir
//
// parses, verifies (shapes included) and prints it back.

func.func @residual_block(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = nn.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = nn.constant dense<0.02> : tensor<64x64x3x3xf32>
  %gamma = nn.constant dense<1.0> : tensor<64xf32>
  %beta = nn.constant dense<0.0> : tensor<64xf32>
  %mean = nn.constant dense<0.0> : tensor<64xf32>
  %var = nn.constant dense<1.0> : tensor<64xf32>

  %c1 = nn.conv2d %x, %w1 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %b1 = nn.batch_norm %c1, %gamma, %beta, %mean, %var
      : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>,
         tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %r1 = nn.relu %b1 : tensor<1x64x56x56xf32>

  // Loops of a conv2d: n, f, oh, ow, c, kh, kw.
  %c2 = nn.conv2d %r1, %w2 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      {sched.config = #sched.config<tiles = {outer = [1, 32, 0, 0, 0, 0, 0],
                                             register = [1, 4, 1, 16, 1, 1, 1]},
                                    vector = [0, 0, 0, 16, 0, 0, 0],
                                    parallel = [1]>}
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %b2 = nn.batch_norm %c2, %gamma, %beta, %mean, %var
      : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>,
         tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %sum = nn.add %b2, %x
      : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %y = nn.relu %sum : tensor<1x64x56x56xf32>
  return %y : tensor<1x64x56x56xf32>
}
