//===- NNOps.h - Operations of the nn dialect -------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the nn ops (generated from NNOps.td) and the enums they
// use. Every op implements InferTypeOpInterface, so builders that omit the
// result type infer it, and `Op::inferReturnTypes` can be called up front to
// check operands before building.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNOPS_H
#define LATHE_DIALECTS_NN_NNOPS_H

#include "dialects/nn/NNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/nn/NNEnums.h.inc"

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.h.inc"

#endif // LATHE_DIALECTS_NN_NNOPS_H
