// RUN: lathe-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{#sched.config: 'tiles.register' has 2 entries but 'tiles.outer' has 3; every per-loop array needs one entry per loop}}
func.func @lengths() attributes {sched.config = #sched.config<tiles = {outer = [1, 2, 3], register = [1, 2]}>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: 'vector' has 3 entries but 'tiles.l2' has 2}}
func.func @vector_length() attributes {sched.config = #sched.config<tiles = {l2 = [64, 64]}, vector = [0, 8, 0]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: tiles.l1[1] must be >= 0, got -4}}
func.func @negative_tile() attributes {sched.config = #sched.config<tiles = {l1 = [4, -4]}>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: vector[0] must be >= 0, got -1}}
func.func @negative_vector() attributes {sched.config = #sched.config<vector = [-1]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: tiles.l1[0] = 128 is larger than the enclosing tiles.l2[0] = 64}}
func.func @nesting() attributes {sched.config = #sched.config<tiles = {l2 = [64, 64], l1 = [128, 32]}>} {
  return
}

// -----

// The enclosing level is the nearest non-zero one: here outer, past l2's 0.
// expected-error @+1 {{#sched.config: tiles.register[0] = 16 is larger than the enclosing tiles.outer[0] = 8}}
func.func @nesting_skips_zero() attributes {sched.config = #sched.config<tiles = {outer = [8], l2 = [0], register = [16]}>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: vector[1] = 8 does not divide tiles.register[1] = 12}}
func.func @vector_divides() attributes {sched.config = #sched.config<tiles = {register = [4, 12]}, vector = [0, 8]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: unroll must be >= 1, got 0}}
func.func @unroll() attributes {sched.config = #sched.config<unroll = 0>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: parallel loop 3 is out of range [0, 3)}}
func.func @parallel_range() attributes {sched.config = #sched.config<tiles = {outer = [1, 2, 3]}, parallel = [3]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: parallel loop 0 appears twice in [0, 0]}}
func.func @parallel_twice() attributes {sched.config = #sched.config<parallel = [0, 0]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: interchange [0, 0, 1] is not a permutation of [0, 3)}}
func.func @interchange() attributes {sched.config = #sched.config<interchange = [0, 0, 1]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: operand 1 is packed twice}}
func.func @pack_twice() attributes {sched.config = #sched.config<pack = [#sched.pack<operand = 1, dims = [1], tiles = [16]>, #sched.pack<operand = 1, dims = [0], tiles = [4]>]>} {
  return
}

// -----

// expected-error @+1 {{#sched.config: pack of operand 0 names loop 3, but there are only 3 loops}}
func.func @pack_range() attributes {sched.config = #sched.config<tiles = {l1 = [1, 1, 1]}, pack = [#sched.pack<operand = 0, dims = [3], tiles = [4]>]>} {
  return
}

// -----

// expected-error @+1 {{#sched.pack: expected one tile per dim, got 2 dims [0, 1] and 1 tiles [4]}}
func.func @pack_lengths() attributes {p = #sched.pack<operand = 0, dims = [0, 1], tiles = [4]>} {
  return
}

// -----

// expected-error @+1 {{#sched.pack: tiles must be >= 1, got [0]}}
func.func @pack_zero_tile() attributes {p = #sched.pack<operand = 0, dims = [0], tiles = [0]>} {
  return
}

// -----

// expected-error @+1 {{#sched.pack: dim 2 appears twice in [2, 2]}}
func.func @pack_dim_twice() attributes {p = #sched.pack<operand = 0, dims = [2, 2], tiles = [4, 4]>} {
  return
}

// -----

// expected-error @+1 {{#sched.pack: operand must be >= 0, got -1}}
func.func @pack_operand() attributes {p = #sched.pack<operand = -1, dims = [0], tiles = [4]>} {
  return
}

// -----

// expected-error @+1 {{expected a #sched.pack attribute, got 4 : i64}}
func.func @pack_not_pack() attributes {sched.config = #sched.config<pack = [4]>} {
  return
}

// -----

// expected-error @+1 {{unknown #sched.config field 'tile'; expected tiles, vector, unroll, parallel, interchange, pack or gpu}}
func.func @unknown_field() attributes {sched.config = #sched.config<tile = {l1 = [4]}>} {
  return
}

// -----

// expected-error @+1 {{unknown tile level 'l4'; expected outer, l3, l2, l1 or register}}
func.func @unknown_level() attributes {sched.config = #sched.config<tiles = {l4 = [4]}>} {
  return
}

// -----

// expected-error @+1 {{field 'vector' appears twice}}
func.func @field_twice() attributes {sched.config = #sched.config<vector = [4], vector = [8]>} {
  return
}

// -----

// expected-error @+1 {{tile level 'l1' appears twice}}
func.func @level_twice() attributes {sched.config = #sched.config<tiles = {l1 = [4], l1 = [8]}>} {
  return
}

// -----

// expected-error @+1 {{#sched.gpu: thread[1] = 8 does not divide block[1] = 60}}
func.func private @gpu_thread_not_dividing() attributes {c = #sched.gpu<block = [64, 60], thread = [4, 8]>}

// -----

// expected-error @+1 {{unknown #sched.gpu field 'warps'; expected block, thread or reduction}}
func.func private @gpu_unknown_field() attributes {c = #sched.gpu<warps = [4]>}

// -----

// expected-error @+1 {{#sched.config: gpu has 3 entries per loop but the config has 2}}
func.func private @gpu_loop_count() attributes {c = #sched.config<tiles = {l2 = [8, 8]}, gpu = #sched.gpu<block = [8, 8, 0]>>}
