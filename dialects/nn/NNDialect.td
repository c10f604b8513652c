//===- NNDialect.td - The nn graph dialect -----------------*- tablegen -*-===//
//
// Part of Lathe. The nn dialect holds the graph-level tensor operations that
// ONNX models import into: value semantics on ranked tensors, static shapes
// wherever the model allows them, one op per computation rather than one op
// per ONNX operator.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNDIALECT_TD
#define LATHE_DIALECTS_NN_NNDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::lathe::nn";
  let summary = "Graph-level neural-network tensor operations";
  let description = [{
    The `nn` dialect is Lathe's graph dialect: the ONNX importer produces it,
    graph passes (constant folding, BatchNorm folding, layout choice) rewrite
    it, and the fusion passes group its ops into kernels before lowering to
    linalg.

    Every op works on ranked tensors with value semantics, infers its result
    type from its operands and attributes (InferTypeOpInterface), and checks
    that the result type written in the IR matches that inference. Layouts
    are NCHW unless an op says otherwise. Weights are `nn.constant` ops
    holding dense resources, so they never pass through text.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def NN_Tensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;
def NN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def NN_IndexTensor : RankedTensorOf<[I32, I64]>;
def NN_IntegerTensor : RankedTensorOf<[AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def NN_ReduceKind : I32EnumAttr<"ReduceKind", "reduction kind of nn.reduce", [
    I32EnumAttrCase<"sum", 0>,
    I32EnumAttrCase<"mean", 1>,
    I32EnumAttrCase<"max", 2>,
    I32EnumAttrCase<"min", 3>,
    I32EnumAttrCase<"prod", 4>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_PadMode : I32EnumAttr<"PadMode", "how nn.pad fills the border", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>,
    I32EnumAttrCase<"wrap", 3>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_CompareKind : I32EnumAttr<"CompareKind", "predicate of nn.compare", [
    I32EnumAttrCase<"eq", 0>,
    I32EnumAttrCase<"lt", 1>,
    I32EnumAttrCase<"le", 2>,
    I32EnumAttrCase<"gt", 3>,
    I32EnumAttrCase<"ge", 4>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_MathKind : I32EnumAttr<"MathKind", "function of nn.math", [
    I32EnumAttrCase<"sin", 0>,
    I32EnumAttrCase<"cos", 1>,
    I32EnumAttrCase<"tan", 2>,
    I32EnumAttrCase<"asin", 3>,
    I32EnumAttrCase<"acos", 4>,
    I32EnumAttrCase<"atan", 5>,
    I32EnumAttrCase<"sinh", 6>,
    I32EnumAttrCase<"cosh", 7>,
    I32EnumAttrCase<"asinh", 8>,
    I32EnumAttrCase<"acosh", 9>,
    I32EnumAttrCase<"atanh", 10>,
    I32EnumAttrCase<"floor", 11>,
    I32EnumAttrCase<"ceil", 12>,
    I32EnumAttrCase<"round_even", 13>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_ResizeMode : I32EnumAttr<"ResizeMode", "interpolation of nn.resize", [
    I32EnumAttrCase<"nearest", 0>,
    I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_CoordinateMode : I32EnumAttr<"CoordinateMode",
    "how nn.resize maps an output coordinate to the input", [
    I32EnumAttrCase<"half_pixel", 0>,
    I32EnumAttrCase<"half_pixel_symmetric", 1>,
    I32EnumAttrCase<"pytorch_half_pixel", 2>,
    I32EnumAttrCase<"align_corners", 3>,
    I32EnumAttrCase<"asymmetric", 4>,
    I32EnumAttrCase<"tf_crop_and_resize", 5>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_NearestMode : I32EnumAttr<"NearestMode",
    "how nn.resize rounds a coordinate in nearest mode", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how nn.scatter_elements and nn.scatter_nd combine an update with the "
    "element it lands on", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"add", 1>,
    I32EnumAttrCase<"mul", 2>,
    I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>,
  ]> {
  let cppNamespace = "::lathe::nn";
}

def NN_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

/// Every nn op is side-effect free and infers its result type: ops whose
/// result has the operand's type get InferTypeOpInterface from ODS
/// (SameOperandsAndResultType), the others derive from NN_InferOp and
/// implement `inferReturnTypes` by hand.
class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat([Pure], traits)>;

class NN_InferOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([InferTypeOpAdaptor], traits)>;

#endif // LATHE_DIALECTS_NN_NNDIALECT_TD
