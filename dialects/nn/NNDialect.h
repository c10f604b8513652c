//===- NNDialect.h - The nn graph dialect -----------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the nn dialect, Lathe's graph-level tensor dialect that
// ONNX models import into. The ops themselves are in NNOps.h.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNDIALECT_H
#define LATHE_DIALECTS_NN_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/nn/NNDialect.h.inc"

#endif // LATHE_DIALECTS_NN_NNDIALECT_H
