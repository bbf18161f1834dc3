//===- SlimBase.td - The slim dialect and its op base class -*- tablegen -*-===//
//
// Shared by SlimOps.td and SlimTrainOps.td, which are generated separately.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_BASE_TD
#define SLIM_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

def Slim_Dialect : Dialect {
  let name = "slim";
  let summary = "TF-Slim models: variables as symbols and layer-level tensor ops";
  let description = [{
    The `slim` dialect is what the slimc frontend produces from a TF-Slim model
    file, and what its optimization passes rewrite. Variables are module-level
    symbols carrying everything TF-Slim records about them (name, shape,
    initializer, regularizer, collection, device, trainability); the graph reads
    them with `slim.read_variable`. Activations are NHWC float32 tensors, as in
    TF-Slim. Every layer op carries the `scope` TF-Slim's name scopes gave it.
  }];
  let cppNamespace = "::mlir::slim";
  // `slim.train` on a training script's @train_step.
  let hasOperationAttrVerify = 1;
}

class Slim_Op<string mnemonic, list<Trait> traits = []>
    : Op<Slim_Dialect, mnemonic, traits>;

def Slim_Tensor : RankedTensorOf<[F32]>;

#endif // SLIM_BASE_TD
