//===- ABITest.cpp - Unit tests of the C ABI of compiled models -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests the name sanitizer, the reading of an entry function's interface,
// the renaming of @main, and the C header generator (whose output must also
// compile as C99 and C++ when a compiler is at hand).
//
//===----------------------------------------------------------------------===//

#include "codegen/ABI.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace lathe::codegen;

namespace {

TEST(ABITest, SanitizeCIdentifier) {
  EXPECT_EQ(sanitizeCIdentifier("cnn"), "cnn");
  EXPECT_EQ(sanitizeCIdentifier("_ok_9"), "_ok_9");
  EXPECT_EQ(sanitizeCIdentifier("resnet-50.v1"), "resnet_50_v1");
  EXPECT_EQ(sanitizeCIdentifier("2nd"), "_2nd");
  EXPECT_EQ(sanitizeCIdentifier("9"), "_9");
  EXPECT_EQ(sanitizeCIdentifier(""), "_");
  EXPECT_EQ(sanitizeCIdentifier("sum:0"), "sum_0");
  EXPECT_EQ(sanitizeCIdentifier("a b/c"), "a_b_c");
  // Every byte of a multi-byte UTF-8 character becomes one '_'.
  EXPECT_EQ(sanitizeCIdentifier("caf\xc3\xa9"), "caf__");
  for (llvm::StringRef s : {"cnn", "", "2nd", "x.y", "caf\xc3\xa9"})
    EXPECT_TRUE(isCIdentifier(sanitizeCIdentifier(s))) << s.str();
}

TEST(ABITest, IsCIdentifierAndKeywords) {
  EXPECT_TRUE(isCIdentifier("a"));
  EXPECT_TRUE(isCIdentifier("_1"));
  EXPECT_FALSE(isCIdentifier(""));
  EXPECT_FALSE(isCIdentifier("1a"));
  EXPECT_FALSE(isCIdentifier("a-b"));
  for (llvm::StringRef k : {"float", "int", "restrict", "_Bool", "bool",
                            "class", "new", "template", "and", "nullptr"})
    EXPECT_TRUE(isCOrCXXKeyword(k)) << k.str();
  for (llvm::StringRef k : {"input", "Float", "x", "main"})
    EXPECT_FALSE(isCOrCXXKeyword(k)) << k.str();
}

TEST(ABITest, ElementTypes) {
  EXPECT_EQ(cTypeName(ElementType::f32), "float");
  EXPECT_EQ(cTypeName(ElementType::f64), "double");
  EXPECT_EQ(cTypeName(ElementType::i64), "int64_t");
  EXPECT_EQ(cTypeName(ElementType::i32), "int32_t");
  EXPECT_EQ(cTypeName(ElementType::i1), "uint8_t");
  EXPECT_EQ(cTypeName(ElementType::f16), "uint16_t");
  EXPECT_EQ(stringifyElementType(ElementType::bf16), "bf16");
  EXPECT_EQ(elementSize(ElementType::i64), 8u);
  EXPECT_EQ(elementSize(ElementType::i1), 1u);
  EXPECT_EQ(elementSize(ElementType::f16), 2u);
}

/// Parses `source` (func dialect) in `ctx`.
mlir::OwningOpRef<mlir::ModuleOp> parse(mlir::MLIRContext &ctx,
                                        llvm::StringRef source) {
  ctx.loadDialect<mlir::func::FuncDialect>();
  return mlir::parseSourceString<mlir::ModuleOp>(source, &ctx);
}

constexpr llvm::StringLiteral kModel = R"mlir(
module attributes {nn.model = "my-net.v2"} {
  func.func @main(%a: tensor<2x3xf32> {nn.name = "x.1"},
                  %b: tensor<2x3xf32> {nn.name = "x_1"},
                  %c: tensor<f32> {nn.name = "int"},
                  %d: tensor<4xi64>)
      -> (tensor<2x3xf32> {nn.name = "y"}, tensor<4xi64> {nn.name = "x_1"}) {
    return %a, %d : tensor<2x3xf32>, tensor<4xi64>
  }
}
)mlir";

TEST(ABITest, DescribeEntryNamesParameters) {
  mlir::MLIRContext ctx;
  auto module = parse(ctx, kModel);
  ASSERT_TRUE(module);
  auto main = module->lookupSymbol<mlir::func::FuncOp>("main");
  auto abi = describeEntry(main, "net");
  ASSERT_TRUE(static_cast<bool>(abi)) << llvm::toString(abi.takeError());
  EXPECT_EQ(abi->modelName, "net");
  EXPECT_EQ(abi->entrySymbol(), "lathe_net_run");
  ASSERT_EQ(abi->inputs.size(), 4u);
  ASSERT_EQ(abi->outputs.size(), 2u);
  EXPECT_EQ(abi->inputs[0].name, "x.1");
  EXPECT_EQ(abi->inputs[0].paramName, "x_1");
  EXPECT_EQ(abi->inputs[1].name, "x_1");
  EXPECT_EQ(abi->inputs[1].paramName, "x_1_1");
  EXPECT_EQ(abi->inputs[2].paramName, "int_");
  EXPECT_TRUE(abi->inputs[2].shape.empty());
  EXPECT_EQ(abi->inputs[2].numElements(), 1);
  // No nn.name: named by position.
  EXPECT_EQ(abi->inputs[3].name, "input3");
  EXPECT_EQ(abi->inputs[3].elementType, ElementType::i64);
  EXPECT_EQ(abi->outputs[0].paramName, "y");
  EXPECT_EQ(abi->outputs[1].name, "x_1");
  EXPECT_EQ(abi->outputs[1].paramName, "x_1_2");
  EXPECT_EQ(abi->outputs[1].numElements(), 4);
}

TEST(ABITest, PrepareEntryPointRenamesMain) {
  mlir::MLIRContext ctx;
  auto module = parse(ctx, kModel);
  ASSERT_TRUE(module);
  auto abi = prepareEntryPoint(*module);
  ASSERT_TRUE(static_cast<bool>(abi)) << llvm::toString(abi.takeError());
  EXPECT_EQ(abi->modelName, "my_net_v2");
  EXPECT_FALSE(module->lookupSymbol("main"));
  auto entry = module->lookupSymbol<mlir::func::FuncOp>("lathe_my_net_v2_run");
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry.isPublic());
  // Once renamed there is no @main to prepare.
  auto again = prepareEntryPoint(*module);
  ASSERT_FALSE(static_cast<bool>(again));
  EXPECT_EQ(llvm::toString(again.takeError()),
            "the module has no function @main");
}

TEST(ABITest, PrepareEntryPointWithAName) {
  mlir::MLIRContext ctx;
  auto module = parse(ctx, kModel);
  auto abi = prepareEntryPoint(*module, "Net2");
  ASSERT_TRUE(static_cast<bool>(abi)) << llvm::toString(abi.takeError());
  EXPECT_TRUE(module->lookupSymbol("lathe_Net2_run"));

  auto other = parse(ctx, kModel);
  auto bad = prepareEntryPoint(*other, "my-net");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError())
                .find("model name 'my-net' is not a C identifier"),
            std::string::npos);
  EXPECT_TRUE(other->lookupSymbol("main"));
}

TEST(ABITest, PrepareEntryPointWithoutModelAttribute) {
  mlir::MLIRContext ctx;
  auto module = parse(ctx, R"mlir(
    func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
      return %a : tensor<2xf32>
    })mlir");
  auto abi = prepareEntryPoint(*module);
  ASSERT_TRUE(static_cast<bool>(abi)) << llvm::toString(abi.takeError());
  EXPECT_EQ(abi->entrySymbol(), "lathe_model_run");
  EXPECT_EQ(abi->inputs[0].paramName, "input0");
  EXPECT_EQ(abi->outputs[0].paramName, "output0");
}

TEST(ABITest, DynamicShapesAndOddTypesAreErrors) {
  mlir::MLIRContext ctx;
  auto module = parse(ctx, R"mlir(
    func.func @main(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
      return %a : tensor<?x3xf32>
    }
    func.func @complex(%a: tensor<3xcomplex<f32>>) -> tensor<3xcomplex<f32>> {
      return %a : tensor<3xcomplex<f32>>
    })mlir");
  auto dynamic = prepareEntryPoint(*module);
  ASSERT_FALSE(static_cast<bool>(dynamic));
  EXPECT_EQ(llvm::toString(dynamic.takeError()),
            "@main: input 0 must be a tensor of static shape for the C ABI");
  auto complex = describeEntry(
      module->lookupSymbol<mlir::func::FuncOp>("complex"), "m");
  ASSERT_FALSE(static_cast<bool>(complex));
  EXPECT_EQ(llvm::toString(complex.takeError()),
            "@complex: input 0 has element type complex<f32>, which the C "
            "ABI does not support");
}

/// A model with every kind of awkward name and type.
ModelABI awkwardModel() {
  ModelABI abi;
  abi.modelName = "odd";
  abi.source = "we*/ird.onnx";
  TensorABI a;
  a.name = "quote\"back\\slash?\?=trigraph*/end";
  a.paramName = "quote_back_slash___trigraph__end";
  a.shape = {2, 3};
  a.elementType = ElementType::f32;
  TensorABI s;
  s.name = "scalar\n";
  s.paramName = "scalar_";
  s.elementType = ElementType::f64;
  TensorABI m;
  m.name = "mask";
  m.paramName = "mask";
  m.shape = {5};
  m.elementType = ElementType::i1;
  TensorABI h;
  h.name = "half";
  h.paramName = "half";
  h.shape = {1, 1};
  h.elementType = ElementType::bf16;
  abi.inputs = {a, s, m};
  abi.outputs = {h};
  return abi;
}

TEST(ABITest, HeaderDeclaresTheInterface) {
  std::string header = generateCHeader(awkwardModel());
  auto has = [&](llvm::StringRef text) {
    return llvm::StringRef(header).contains(text);
  };
  EXPECT_TRUE(has("#ifndef LATHE_ODD_H\n#define LATHE_ODD_H\n")) << header;
  EXPECT_TRUE(has("#include <stdint.h>"));
  EXPECT_TRUE(has("#ifdef __cplusplus\nextern \"C\" {\n#endif"));
  EXPECT_TRUE(has("void lathe_odd_run(const float "
                  "*quote_back_slash___trigraph__end, const double *scalar_, "
                  "const uint8_t *mask, uint16_t *half);"))
      << header;
  EXPECT_TRUE(has("#define LATHE_ODD_NUM_INPUTS 3\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_NUM_OUTPUTS 1\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_INPUT0_NUM_ELEMENTS 6\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_INPUT0_NUM_BYTES 24\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_INPUT1_RANK 0\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_INPUT1_NUM_BYTES 8\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_INPUT2_DTYPE \"i1\"\n"));
  EXPECT_TRUE(has("#define LATHE_ODD_OUTPUT0_DTYPE \"bf16\"\n"));
  EXPECT_TRUE(has("lathe_odd_input0_shape[] = {2, 3};"));
  EXPECT_TRUE(has("lathe_odd_input1_shape[] = {1}; /* rank 0"));
  // Names are C string literals with quotes, backslashes, '?' and control
  // characters escaped; comments never end early.
  EXPECT_TRUE(has("lathe_odd_input_names[] = "
                  "{\"quote\\\"back\\\\slash\\?\\?=trigraph*/end\", "
                  "\"scalar\\012\", \"mask\"};"))
      << header;
  EXPECT_FALSE(has("ird.onnx */")) << header;
  EXPECT_TRUE(has("we* /ird.onnx"));
  EXPECT_TRUE(has("lathe_odd_input_dtypes[] = {\"f32\", \"f64\", \"i1\"};"));
  EXPECT_TRUE(has("lathe_odd_input_ranks[] = {2, 0, 1};"));
  EXPECT_TRUE(has("lathe_odd_output_num_bytes[] = {2};"));
  EXPECT_TRUE(has("lathe_odd_run((const float *)inputs[0], (const double "
                  "*)inputs[1], (const uint8_t *)inputs[2], (uint16_t "
                  "*)outputs[0]);"));
  EXPECT_TRUE(llvm::StringRef(header).ends_with("#endif /* LATHE_ODD_H */\n"));
}

TEST(ABITest, HeaderWithoutInputs) {
  ModelABI abi;
  abi.modelName = "constant";
  TensorABI out;
  out.name = "y";
  out.paramName = "y";
  out.shape = {2};
  abi.outputs = {out};
  std::string header = generateCHeader(abi);
  EXPECT_NE(header.find("void lathe_constant_run(float *y);"),
            std::string::npos);
  EXPECT_NE(header.find("#define LATHE_CONSTANT_NUM_INPUTS 0"),
            std::string::npos);
  EXPECT_EQ(header.find("lathe_constant_input_names"), std::string::npos);
  EXPECT_NE(header.find("  (void)inputs;\n"), std::string::npos);
}

/// Compiles `header` with `compiler` and `flags` (syntax only); skips when
/// the compiler is not installed.
void expectCompiles(llvm::StringRef header, llvm::StringRef compiler,
                    llvm::ArrayRef<llvm::StringRef> flags) {
  auto program = llvm::sys::findProgramByName(compiler);
  if (!program)
    GTEST_SKIP() << compiler.str() << " is not installed";
  llvm::SmallString<128> path;
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("lathe-abi-test", "h", path));
  llvm::FileRemover remove(path);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << header;
  }
  llvm::SmallVector<llvm::StringRef> args = {*program};
  args.append(flags.begin(), flags.end());
  args.append({"-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
               path.str()});
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(*program, args, std::nullopt, {}, 0, 0,
                                     &error);
  EXPECT_EQ(rc, 0) << compiler.str() << " rejects the header: " << error
                   << "\n"
                   << header.str();
}

TEST(ABITest, AwkwardHeaderCompilesAsC99) {
  expectCompiles(generateCHeader(awkwardModel()), "cc",
                 {"-x", "c", "-std=c99"});
}

TEST(ABITest, AwkwardHeaderCompilesAsCXX) {
  expectCompiles(generateCHeader(awkwardModel()), "c++",
                 {"-x", "c++", "-std=c++11"});
}

} // namespace
