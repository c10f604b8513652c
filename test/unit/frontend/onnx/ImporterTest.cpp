//===- ImporterTest.cpp - Unit tests of the ONNX importer -----------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Builds ModelProtos in C++ (no files), imports them from memory and checks
// the nn IR: signature, ops, types, attributes, weights and locations; and
// that each kind of bad model gives exactly one error and no module.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Location.h"

#include "onnx/onnx_pb.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace mlir;
using namespace lathe;
using lathe::frontend::ImportOptions;

namespace {

//===----------------------------------------------------------------------===//
// Building models
//===----------------------------------------------------------------------===//

onnx::ModelProto makeModel(int64_t opset) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  onnx::OperatorSetIdProto *id = model.add_opset_import();
  id->set_domain("");
  id->set_version(opset);
  model.mutable_graph()->set_name("g");
  return model;
}

void addValueInfo(
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> *list,
    const std::string &name, std::vector<int64_t> dims,
    int32_t type = onnx::TensorProto::FLOAT) {
  onnx::ValueInfoProto *vi = list->Add();
  vi->set_name(name);
  auto *tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(type);
  auto *shape = tt->mutable_shape();
  for (int64_t d : dims)
    shape->add_dim()->set_dim_value(d);
}

void addInput(onnx::ModelProto &m, const std::string &name,
              std::vector<int64_t> dims,
              int32_t type = onnx::TensorProto::FLOAT) {
  addValueInfo(m.mutable_graph()->mutable_input(), name, dims, type);
}

void addOutput(onnx::ModelProto &m, const std::string &name) {
  m.mutable_graph()->add_output()->set_name(name);
}

onnx::NodeProto &addNode(onnx::ModelProto &m, const std::string &opType,
                         std::vector<std::string> inputs,
                         std::vector<std::string> outputs,
                         const std::string &name = "") {
  onnx::NodeProto *n = m.mutable_graph()->add_node();
  n->set_op_type(opType);
  n->set_name(name);
  for (auto &i : inputs)
    n->add_input(i);
  for (auto &o : outputs)
    n->add_output(o);
  return *n;
}

void addIntsAttr(onnx::NodeProto &n, const std::string &name,
                 std::vector<int64_t> values) {
  onnx::AttributeProto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    a->add_ints(v);
}

void addIntAttr(onnx::NodeProto &n, const std::string &name, int64_t value) {
  onnx::AttributeProto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void addStringAttr(onnx::NodeProto &n, const std::string &name,
                   const std::string &value) {
  onnx::AttributeProto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

/// A float initializer, stored in raw_data or (rawData = false) float_data.
void addWeight(onnx::ModelProto &m, const std::string &name,
               std::vector<int64_t> dims, std::vector<float> values,
               bool rawData = true) {
  onnx::TensorProto *t = m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    t->add_dims(d);
  if (rawData)
    t->set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                                values.size() * sizeof(float)));
  else
    for (float v : values)
      t->add_float_data(v);
}

void addInts(onnx::ModelProto &m, const std::string &name,
             std::vector<int64_t> values) {
  onnx::TensorProto *t = m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(values.size());
  for (int64_t v : values)
    t->add_int64_data(v);
}

//===----------------------------------------------------------------------===//
// Importing
//===----------------------------------------------------------------------===//

/// An MLIR context that records error messages instead of printing them.
class ImporterTest : public ::testing::Test {
protected:
  ImporterTest()
      : handler(&ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() == DiagnosticSeverity::Error)
            errors.push_back(diag.str());
          return success();
        }) {}

  FailureOr<OwningOpRef<ModuleOp>> import(const onnx::ModelProto &model,
                                          const ImportOptions &opts = {}) {
    std::string bytes;
    EXPECT_TRUE(model.SerializeToString(&bytes));
    return frontend::importONNXBuffer(bytes, "model.onnx", ctx, opts);
  }

  /// Imports `model`, expecting failure with exactly the error `message`.
  void expectError(const onnx::ModelProto &model, const std::string &message) {
    auto module = import(model);
    EXPECT_TRUE(failed(module));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], message);
  }

  static func::FuncOp mainOf(ModuleOp module) {
    return module.lookupSymbol<func::FuncOp>("main");
  }

  MLIRContext ctx;
  std::vector<std::string> errors;
  ScopedDiagnosticHandler handler;
};

std::string nodeName(Operation *op) {
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    return loc.getName().str();
  return "";
}

TEST_F(ImporterTest, MlpFromMemory) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {2, 3});
  addWeight(m, "w", {3, 2}, {1, 2, 3, 4, 5, 6});
  addWeight(m, "b", {2}, {0.5f, -0.5f}, /*rawData=*/false);
  addNode(m, "MatMul", {"x", "w"}, {"h"}, "fc");
  addNode(m, "Add", {"h", "b"}, {"hb"}); // unnamed: Add_1
  addNode(m, "Relu", {"hb"}, {"y"}, "relu");
  addOutput(m, "y");

  auto module = import(m);
  ASSERT_TRUE(succeeded(module)) << (errors.empty() ? "" : errors[0]);
  EXPECT_TRUE(errors.empty());
  ModuleOp mod = **module;
  EXPECT_EQ(cast<StringAttr>(mod->getAttr("nn.model")).getValue(), "model");
  EXPECT_EQ(cast<IntegerAttr>(mod->getAttr("nn.opset")).getInt(), 13);

  func::FuncOp f = mainOf(mod);
  ASSERT_TRUE(f);
  auto f32 = Float32Type::get(&ctx);
  EXPECT_EQ(f.getFunctionType(),
            FunctionType::get(&ctx, {RankedTensorType::get({2, 3}, f32)},
                              {RankedTensorType::get({2, 2}, f32)}));
  EXPECT_EQ(f.getArgAttrOfType<StringAttr>(0, "nn.name").getValue(), "x");
  EXPECT_EQ(f.getResultAttrOfType<StringAttr>(0, "nn.name").getValue(), "y");

  SmallVector<std::string> ops, names;
  f.walk([&](Operation *op) {
    if (isa<func::FuncOp>(op))
      return;
    ops.push_back(op->getName().getStringRef().str());
    names.push_back(nodeName(op));
  });
  EXPECT_EQ(ops,
            (SmallVector<std::string>{"nn.constant", "nn.matmul", "nn.constant",
                                      "nn.add", "nn.relu", "func.return"}));
  EXPECT_EQ(names[1], "fc");
  EXPECT_EQ(names[3], "Add_1");
  EXPECT_EQ(names[4], "relu");

  // Both weights are dense resources holding the initializer's bytes,
  // whether it came as raw_data or float_data.
  SmallVector<nn::ConstantOp> constants(f.getOps<nn::ConstantOp>());
  ASSERT_EQ(constants.size(), 2u);
  auto w = dyn_cast<DenseResourceElementsAttr>(constants[0].getValue());
  auto b = dyn_cast<DenseResourceElementsAttr>(constants[1].getValue());
  ASSERT_TRUE(w && b);
  ArrayRef<char> wData = w.getRawHandle().getBlob()->getData();
  ASSERT_EQ(wData.size(), 6 * sizeof(float));
  float wValues[6];
  std::memcpy(wValues, wData.data(), sizeof(wValues));
  EXPECT_EQ(wValues[5], 6.0f);
  ArrayRef<char> bData = b.getRawHandle().getBlob()->getData();
  float bValues[2];
  std::memcpy(bValues, bData.data(), sizeof(bValues));
  EXPECT_EQ(bValues[1], -0.5f);
}

TEST_F(ImporterTest, ConvSameUpperAndGemm) {
  onnx::ModelProto m = makeModel(11);
  addInput(m, "x", {1, 2, 7, 7});
  addWeight(m, "w", {4, 2, 3, 3}, std::vector<float>(72, 0.1f));
  onnx::NodeProto &conv = addNode(m, "Conv", {"x", "w"}, {"c"}, "conv");
  addIntsAttr(conv, "strides", {2, 2});
  addStringAttr(conv, "auto_pad", "SAME_UPPER");
  addNode(m, "GlobalAveragePool", {"c"}, {"g"}, "gap");
  addNode(m, "Flatten", {"g"}, {"f"}, "flat");
  addWeight(m, "fw", {4, 3}, std::vector<float>(12, 1.0f));
  addNode(m, "Gemm", {"f", "fw"}, {"y"}, "fc"); // C omitted (opset 11)
  addOutput(m, "y");

  auto module = import(m);
  ASSERT_TRUE(succeeded(module)) << (errors.empty() ? "" : errors[0]);
  func::FuncOp f = mainOf(**module);
  auto convOp = *f.getOps<nn::Conv2dOp>().begin();
  EXPECT_EQ(convOp.getPads(), (ArrayRef<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(convOp.getType().getShape(), (ArrayRef<int64_t>{1, 4, 4, 4}));
  auto gemm = *f.getOps<nn::GemmOp>().begin();
  EXPECT_FALSE(gemm.getC());
  EXPECT_EQ(gemm.getType().getShape(), (ArrayRef<int64_t>{1, 3}));
}

TEST_F(ImporterTest, SymbolicBatchAndOverride) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {0, 4});
  auto *dim0 = m.mutable_graph()
                   ->mutable_input(0)
                   ->mutable_type()
                   ->mutable_tensor_type()
                   ->mutable_shape()
                   ->mutable_dim(0);
  dim0->set_dim_param("N");
  addNode(m, "Relu", {"x"}, {"y"});
  addOutput(m, "y");

  auto module = import(m);
  ASSERT_TRUE(succeeded(module));
  EXPECT_EQ(
      cast<RankedTensorType>(mainOf(**module).getArgumentTypes()[0]).getShape(),
      (ArrayRef<int64_t>{1, 4}));

  ImportOptions opts;
  opts.inputShapes["x"] = {8, 4};
  auto overridden = import(m, opts);
  ASSERT_TRUE(succeeded(overridden));
  EXPECT_EQ(cast<RankedTensorType>(mainOf(**overridden).getArgumentTypes()[0])
                .getShape(),
            (ArrayRef<int64_t>{8, 4}));
}

TEST_F(ImporterTest, ShapeChainFoldsToReshape) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {2, 3, 4});
  addInts(m, "idx", {0});
  addInts(m, "rest", {-1});
  addNode(m, "Shape", {"x"}, {"s"});
  addNode(m, "Gather", {"s", "idx"}, {"n"});
  addIntAttr(addNode(m, "Concat", {"n", "rest"}, {"target"}), "axis", 0);
  addNode(m, "Reshape", {"x", "target"}, {"y"});
  addOutput(m, "y");

  auto module = import(m);
  ASSERT_TRUE(succeeded(module)) << (errors.empty() ? "" : errors[0]);
  func::FuncOp f = mainOf(**module);
  auto &ops = f.getBody().front().getOperations();
  ASSERT_EQ(ops.size(), 2u); // nn.reshape, func.return
  auto reshape = cast<nn::ReshapeOp>(ops.front());
  EXPECT_EQ(reshape.getShape(), (ArrayRef<int64_t>{2, 12}));
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(ImporterTest, NotProtobuf) {
  auto module = frontend::importONNXBuffer("\x0f garbage", "bad.onnx", ctx);
  EXPECT_TRUE(failed(module));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "bad.onnx: not a valid ONNX model (protobuf parse failed)");
}

TEST_F(ImporterTest, MissingFile) {
  auto module = frontend::importONNXFile("/nonexistent/dir/model.onnx", ctx);
  EXPECT_TRUE(failed(module));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "/nonexistent/dir/model.onnx: cannot open file: No "
                       "such file or directory");
}

TEST_F(ImporterTest, UnsupportedOperator) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {4});
  addNode(m, "Unique", {"x"}, {"y"}, "unique_3");
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'unique_3' (Unique, opset 13): "
                 "unsupported operator 'Unique'");
}

TEST_F(ImporterTest, UnsupportedAttributeValue) {
  onnx::ModelProto m = makeModel(11);
  addInput(m, "x", {1, 2, 4, 4});
  onnx::NodeProto &pool = addNode(m, "MaxPool", {"x"}, {"y"}, "pool");
  addIntsAttr(pool, "kernel_shape", {2, 2, 2});
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'pool' (MaxPool, opset 11): unsupported "
                 "attribute kernel_shape=[2, 2, 2] (expected 2 entries for a "
                 "2-D window)");
}

TEST_F(ImporterTest, ShapeMismatchNamesNode) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "a", {2, 3});
  addInput(m, "b", {4, 3});
  addNode(m, "MatMul", {"a", "b"}, {"y"}, "mm");
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'mm' (MatMul, opset 13): 'nn.matmul' op "
                 "contracting dimensions differ: lhs [2, 3] has K = 3, rhs "
                 "[4, 3] has K = 4");
}

TEST_F(ImporterTest, NonConstantShapeInput) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {2, 3});
  addNode(m, "Relu", {"x"}, {"r"}, "relu");
  addNode(m, "Reshape", {"x", "r"}, {"y"}, "reshape");
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'reshape' (Reshape, opset 13): input 'r' "
                 "(shape) must be a constant, but it is computed by node "
                 "'relu'");
}

TEST_F(ImporterTest, InitializerWithWrongValueCount) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {3});
  addWeight(m, "w", {3}, {1, 2}, /*rawData=*/false);
  addNode(m, "Add", {"x", "w"}, {"y"});
  addOutput(m, "y");
  expectError(m, "model.onnx: initializer 'w' holds 2 values, expected 3 for "
                 "its shape [3]");
}

TEST_F(ImporterTest, OpsetOutOfRange) {
  onnx::ModelProto m = makeModel(25);
  addInput(m, "x", {3});
  addNode(m, "Relu", {"x"}, {"y"});
  addOutput(m, "y");
  expectError(m, "model.onnx: unsupported opset 25 (Lathe imports opsets 7 "
                 "to 24)");
}

TEST_F(ImporterTest, OpNewerThanModelOpset) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {2, 3});
  addWeight(m, "s", {3}, {1, 1, 1});
  addNode(m, "LayerNormalization", {"x", "s"}, {"y"}, "ln");
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'ln' (LayerNormalization, opset 13): "
                 "operator 'LayerNormalization' is not defined before opset "
                 "17");
}

TEST_F(ImporterTest, NonScalarClipBound) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {2});
  addWeight(m, "lo", {2}, {0, 0});
  addNode(m, "Clip", {"x", "lo"}, {"y"}, "clip");
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'clip' (Clip, opset 13): input 'lo' (min) "
                 "must be a single f32 value");
}

TEST_F(ImporterTest, AttributeThatBecameAnInput) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {2, 3});
  onnx::NodeProto &sq = addNode(m, "Squeeze", {"x"}, {"y"}, "sq");
  addIntsAttr(sq, "axes", {0});
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'sq' (Squeeze, opset 13): attribute axes "
                 "is an input from opset 13");
}

TEST_F(ImporterTest, OneErrorPerNode) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {3});
  addNode(m, "Add", {"", ""}, {"y"}, "add");
  addOutput(m, "y");
  expectError(m, "model.onnx: node 'add' (Add, opset 13): missing input #0");
}

TEST_F(ImporterTest, InitializerTooLarge) {
  onnx::ModelProto m = makeModel(13);
  addInput(m, "x", {3});
  addWeight(m, "w", {1LL << 40, 1LL << 40}, {});
  addNode(m, "Add", {"x", "w"}, {"y"});
  addOutput(m, "y");
  expectError(m, "model.onnx: initializer 'w' has too many elements (shape "
                 "[1099511627776, 1099511627776])");
}

} // namespace
