//===- SimplifyPatterns.td - Inference simplifications -*- tablegen -*-===//
//
// The rewrites of slim-inference-simplify that are pure pattern matches.
// Rewrites that compute new attributes (pad merging, batch norm) are C++
// patterns in InferenceSimplify.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_SIMPLIFY_PATTERNS
#define SLIM_SIMPLIFY_PATTERNS

include "mlir/IR/PatternBase.td"
include "dialects/Slim/IR/SlimOps.td"

def IsFalse : Constraint<CPred<"!$0.getValue()">, "is false">;
def SameType : Constraint<CPred<"$0.getType() == $1.getType()">, "same type">;

// Inference dropout keeps every element unscaled: it is the identity.
def RemoveInferenceDropout
    : Pat<(Slim_DropoutOp $x, $keepProb, $isTraining, $scope),
          (replaceWithValue $x), [(IsFalse $isTraining)]>;

// tf.identity only names a tensor; the name of a model output lives on the
// function result, so the value itself can be forwarded.
def RemoveIdentity
    : Pat<(Slim_IdentityOp $x, $scope), (replaceWithValue $x)>;

// Row-major reshapes compose: only the last shape matters.
def FoldReshapeChain
    : Pat<(Slim_ReshapeOp (Slim_ReshapeOp $x, $inner), $outer),
          (Slim_ReshapeOp $x, $outer)>;

def RemoveNoOpReshape
    : Pat<(Slim_ReshapeOp:$result $x, $scope), (replaceWithValue $x),
          [(SameType $result, $x)]>;

#endif // SLIM_SIMPLIFY_PATTERNS
