//===- main.cpp - A host application using Lathe's JIT library ------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// The smallest useful program on liblathe.so: compile an ONNX model given on
// the command line, run it on deterministic inputs (element i of every input
// is sin(i)), and print each output's shape, checksum and first values. Only
// runtime/lathe.h is needed; build it like examples/CMakeLists.txt does:
//
//   c++ -std=c++17 main.cpp -I<lathe>/runtime -L<build>/lib -llathe
//
//===----------------------------------------------------------------------===//

#include "lathe.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODEL.onnx\n", argv[0]);
    return 2;
  }
  auto compiled = lathe::Model::compileONNX(argv[1]);
  if (!compiled) {
    std::fprintf(stderr, "host_app: %s\n", compiled.error().c_str());
    return 1;
  }
  lathe::Model &model = compiled.value();

  // Inputs: float tensors filled with sin(i); this example handles f32 only.
  std::vector<std::vector<float>> inputs;
  std::vector<const void *> inputPtrs;
  for (const lathe::Tensor &t : model.inputs()) {
    if (t.dtype != LATHE_F32) {
      std::fprintf(stderr, "host_app: input '%s' is not f32\n", t.name.c_str());
      return 1;
    }
    std::vector<float> data(t.bytes / sizeof(float));
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = std::sin(static_cast<float>(i));
    inputs.push_back(std::move(data));
    inputPtrs.push_back(inputs.back().data());
  }
  std::vector<std::vector<float>> outputs;
  std::vector<void *> outputPtrs;
  for (const lathe::Tensor &t : model.outputs()) {
    outputs.emplace_back(t.bytes / sizeof(float));
    outputPtrs.push_back(outputs.back().data());
  }

  auto start = std::chrono::steady_clock::now();
  std::string error = model.run(inputPtrs, outputPtrs);
  auto end = std::chrono::steady_clock::now();
  if (!error.empty()) {
    std::fprintf(stderr, "host_app: %s\n", error.c_str());
    return 1;
  }

  std::vector<lathe::Tensor> specs = model.outputs();
  for (size_t o = 0; o < specs.size(); ++o) {
    std::printf("output '%s' shape [", specs[o].name.c_str());
    for (size_t d = 0; d < specs[o].shape.size(); ++d)
      std::printf("%s%lld", d ? ", " : "", (long long)specs[o].shape[d]);
    double sum = 0;
    for (float v : outputs[o])
      sum += v;
    std::printf("] sum %.6g first", sum);
    for (size_t i = 0; i < outputs[o].size() && i < 4; ++i)
      std::printf(" %.6g", outputs[o][i]);
    std::printf("\n");
  }
  std::printf("ran in %.3f ms\n",
              std::chrono::duration<double, std::milli>(end - start).count());
  return 0;
}
