// RUN: slim-opt %s --split-input-file --verify-diagnostics --slim-memory-plan
//
// The memory plan refuses what the runtime would refuse to load
// (slim/contract.h): a tensor, a derived parameter or an arena over 2^48
// bytes. Each is an error at the op, not a plan whose sizes wrap.

// The blocked layout rounds 1 channel up to 8: 2^44 pixels x 8 x 4 bytes
// is 2^49 bytes, though the dense tensor (2^46 bytes) was within bounds.
func.func @blocked_too_large(%x: tensor<1x4194304x4194304x1xf32>) -> tensor<1x4194304x4194304x1xf32> {
  // expected-error@+1 {{'slim.to_blocked' op result of type 'tensor<1x4194304x4194304x1xf32, "nChw8c">' is larger than 2^48 bytes, the most one tensor may have (the runtime refuses larger)}}
  %b = slim.to_blocked %x : tensor<1x4194304x4194304x1xf32> -> tensor<1x4194304x4194304x1xf32, "nChw8c">
  %y = slim.from_blocked %b : tensor<1x4194304x4194304x1xf32, "nChw8c"> -> tensor<1x4194304x4194304x1xf32>
  return %y : tensor<1x4194304x4194304x1xf32>
}

// -----

// Shapes whose element count does not even fit in int64.
func.func @count_overflows(%x: tensor<1x4294967296x4294967296x8xf32>) -> tensor<1x4294967296x4294967296x8xf32> {
  // expected-error@+1 {{'slim.to_blocked' op result of type}}
  %b = slim.to_blocked %x : tensor<1x4294967296x4294967296x8xf32> -> tensor<1x4294967296x4294967296x8xf32, "nChw8c">
  %y = slim.from_blocked %b : tensor<1x4294967296x4294967296x8xf32, "nChw8c"> -> tensor<1x4294967296x4294967296x8xf32>
  return %y : tensor<1x4294967296x4294967296x8xf32>
}

// -----

// Three tensors of 2^47 bytes alive at once (the sums run in place, but
// all three branches are live before the first): each is allowed, their
// arena (3 x 2^47 bytes) is not.
// expected-error@+1 {{the arena of @arena_too_large needs more than 2^48 bytes (the runtime refuses larger)}}
func.func @arena_too_large(%x: tensor<1x4194304x4194304x2xf32>) -> tensor<1x4194304x4194304x2xf32> {
  %a = slim.activation "relu" %x {scope = ""} : tensor<1x4194304x4194304x2xf32>
  %b = slim.activation "tanh" %x {scope = ""} : tensor<1x4194304x4194304x2xf32>
  %c = slim.activation "sigmoid" %x {scope = ""} : tensor<1x4194304x4194304x2xf32>
  %s = slim.binary "add" %a, %b {scope = ""} : (tensor<1x4194304x4194304x2xf32>, tensor<1x4194304x4194304x2xf32>) -> tensor<1x4194304x4194304x2xf32>
  %t = slim.binary "add" %s, %c {scope = ""} : (tensor<1x4194304x4194304x2xf32>, tensor<1x4194304x4194304x2xf32>) -> tensor<1x4194304x4194304x2xf32>
  %y = slim.activation "relu" %t {scope = ""} : tensor<1x4194304x4194304x2xf32>
  return %y : tensor<1x4194304x4194304x2xf32>
}

// -----

// expected-error@+1 {{'slim.param' op of type 'tensor<70368744177665xf32>' is larger than 2^48 bytes (the runtime refuses larger)}}
slim.param @"net/packed" : tensor<70368744177665xf32>
func.func @main(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  return %x : tensor<1x8xf32>
}
