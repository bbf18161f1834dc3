//===- Passes.td - Inference graph optimization passes -----*- tablegen -*-===//
//
// The passes that turn the slim module the frontend traced into the cheapest
// program computing the same inference: simplification, fusion, layout and
// weight packing, hoisting of load-time weight transforms, and the static
// memory plan. `buildSlimInferencePipeline` (Passes.h) runs them in order.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_TRANSFORMS_PASSES
#define SLIM_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def InferenceSimplifyPass : Pass<"slim-inference-simplify", "func::FuncOp"> {
  let summary = "drops what inference does not compute; batch norm to affine";
  let description = [{
    With every `is_training` false: dropout and identity disappear (a value
    that is a function result stays one), reshape chains collapse and no-op
    reshapes and zero pads disappear, a spatial zero pad feeding a
    convolution merges into the convolution's `pads` (not into pooling, whose
    padding is not zero padding), and `batch_norm` becomes
    `slim.bn_scale_shift` (a load-time op over its variables) plus a
    `slim.channel_affine`. Training-mode dropout and batch norm are kept.
    Arithmetic that is exactly a per-channel affine becomes a
    `slim.channel_affine` too: a `binary_scalar` `x * s`, `x + s`, `x - s`,
    `s - x` and `x / s` for a power of two `s` (coefficients `slim.splat`),
    and a `binary` `x * v`, `x + v`, `x - v`, `v - x` with `v` a load-time
    vector along the last axis. Two affines in a row compose through a
    load-time `fold_scale_shift` of the first one's coefficients. An
    activation of a `tile` runs before it, and arithmetic with a `tile` that
    only repeats axes of size 1 broadcasts instead.
  }];
  let dependentDialects = ["::mlir::slim::SlimDialect"];
}

def FusePass : Pass<"slim-fuse", "func::FuncOp"> {
  let summary = "fuses conv/matmul with bias, batch norm, residual, activation";
  let description = [{
    Rewrites `conv2d` / `depthwise_conv2d` / `matmul` followed by
    `bias_add` and/or `channel_affine`, then an optional residual `add`, then
    an optional activation into one `fused_*` op whose epilogue the CPU kernel
    applies. A `channel_affine` folds into the weights and bias through a
    load-time `slim.fold_scale_shift`. A link is fused only when the value it
    consumes has no other user (and so is not a function result either). A
    fully connected layer over a flattened 4-D map becomes the convolution
    whose window covers the map, so it can read the map in blocked layout.
  }];
  let dependentDialects = ["::mlir::slim::SlimDialect"];
}

def LayoutPass : Pass<"slim-layout", "func::FuncOp"> {
  let summary = "assigns the blocked NCHWc activation layout";
  let description = [{
    Gives every 4-D activation of an op with a blocked kernel (fused
    convolutions, pooling, channel concat, add, activation, channel affine,
    spatial mean, arithmetic with a number, lrn, and `slim.binary` whose
    operands are 4-D with the result's channels, broadcast along N, H or W
    only) the blocked layout `nChw<V>c`, V = `vector-width`, as the
    encoding of its tensor type. `slim.to_blocked` / `slim.from_blocked` are
    inserted where a dense NHWC tensor meets a blocked one: at graph inputs
    and outputs, and around ops that need NHWC element order (reshape,
    matmul, softmax, ...). A `from_blocked` followed by a reshape performs
    the reshape itself.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "channels per block: 8 (AVX2) or 16 (AVX-512)">
  ];
  let dependentDialects = ["::mlir::slim::SlimDialect"];
}

def PackWeightsPass : Pass<"slim-pack-weights", "func::FuncOp"> {
  let summary = "packs the filters of blocked fused layers at load time";
  let description = [{
    Replaces the TF-Slim filter of each fused op with a `slim.pack_filter`
    into the layout its kernel streams. A convolution whose window covers its
    whole unpadded input (VGG's fc6 on a 7x7 map, 1x1 logits on a pooled
    1x1 map) runs as a fully connected layer over the blocked input
    (`fc_blocked`). Must run after slim-layout: the block size comes from the
    input's layout (fused_matmul, always dense, uses `vector-width`).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "channels per block for dense fully connected layers">
  ];
  let dependentDialects = ["::mlir::slim::SlimDialect"];
}

def HoistWeightTransformsPass
    : Pass<"slim-hoist-weight-transforms", "ModuleOp"> {
  let summary = "moves load-time weight transforms into @slim_prepare";
  let description = [{
    Every op of the inference function computed only from variables (and
    the constants, `slim.splat`, the passes made) is moved into a new
    `func.func @slim_prepare()` (the runtime's `prepare`).
    Each value that crosses back becomes a `slim.param` symbol written there
    with `slim.write_param` and read in the inference function with
    `slim.read_param`. Variables used directly by the inference function stay
    `slim.read_variable`.
  }];
  let dependentDialects = ["::mlir::slim::SlimDialect",
                           "::mlir::func::FuncDialect"];
}

def MemoryPlanPass : Pass<"slim-memory-plan", "ModuleOp"> {
  let summary = "plans every intermediate tensor into one arena";
  let description = [{
    Schedules ops in program order, computes each intermediate's live range
    and byte size (from its shape and layout) and assigns arena offsets with
    64-byte alignment by the greedy planners TFLite and XNNPACK use (by size,
    by breadth, in program order; the smallest result wins). Reshapes are
    views of their input; an unfused elementwise op overwrites an operand
    that dies with it (same `arena_offset`); a channel concat whose inputs
    are produced only for it is planned as one buffer its producers write
    into at channel offsets (`concat_channel_offset`, `concat_channels`;
    `in_place_inputs` on the concat), so the concat copies nothing. Records
    `arena_offset` on each producing op (`arena_offsets`, -1 = not in the
    arena, on multi-result ops) and the module attributes `slim.arena_size`,
    `slim.arena_alignment`, `slim.arena_no_reuse` (sum of all
    intermediates) and `slim.arena_lower_bound` (largest live set); the same
    plan for `@slim_prepare`'s temporaries gives `slim.prepare_scratch_size`.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "byte alignment of every planned tensor">,
    Option<"perSample", "per-sample", "bool", /*default=*/"false",
           "plan the inference function for a run-time batch: every tensor "
           "computed from the inputs (dim 0 the batch) is planned by its "
           "per-sample size, so its offset and the arena scale exactly with "
           "the batch; records `slim.arena_bytes_per_sample`">
  ];
}

//===----------------------------------------------------------------------===//
// Training (issue 15)
//===----------------------------------------------------------------------===//

def MaterializeOptimizerPass
    : Pass<"slim-materialize-optimizer", "ModuleOp"> {
  let summary = "adds the optimizer's slot variables of @train_step";
  let description = [{
    Reads the `slim.train` dictionary of `@train_step` (TrainConfig.h) and
    declares, after the module's last variable, the variables TensorFlow
    2.12's optimizer creates, with its names and initial values: for each
    variable of `variables_to_train` in order, its slots (`v/Momentum`;
    `v/Adam`, `v/Adam_1`; `v/RMSProp` (ones), [`v/RMSProp_1` (mg) when
    centered,] and the momentum slot; the optimizer's `name` replaces the
    default), then Adam's scalar `beta1_power` / `beta2_power` (initially
    beta1 / beta2). All are f32, collection "global", not trainable, so they
    are listed, restored and saved by name like every variable. Existing
    variables of those names are kept (the pass is idempotent). Checks that
    the global step is a scalar i64 variable and that every trained variable
    exists and is f32. A module without `@train_step` is left alone.
  }];
  let dependentDialects = ["::mlir::slim::SlimDialect"];
}

#endif // SLIM_TRANSFORMS_PASSES
