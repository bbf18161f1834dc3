// A LeNet-like training module in the form `slimc --train --emit=mlir`
// gives (docs/training-runtime.md): conv + bias + relu, max pool, conv +
// batch norm (training, decay 0.9) + relu, max pool, flatten, dropout 0.5,
// fully connected, sparse softmax cross-entropy, l2 regularizers; momentum
// with nesterov, a staircase exponential decay, clip_gradient_norm 5.
slim.variable @"conv1/weights" : tensor<3x3x1x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.3}, regularizer = {kind = "l2", scale = 1.0e-04}, trainable = true}
slim.variable @"conv1/biases" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv2/weights" : tensor<3x3x4x8xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.2}, regularizer = {kind = "l2", scale = 1.0e-04}, trainable = true}
slim.variable @"conv2/BatchNorm/beta" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv2/BatchNorm/moving_mean" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"conv2/BatchNorm/moving_variance" : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"fc/weights" : tensor<72x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.1}, regularizer = {kind = "l2", scale = 1.0e-04}, trainable = true}
slim.variable @"fc/biases" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%images: tensor<8x12x12x1xf32> {slim.name = "images"}) -> (tensor<8x4xf32> {slim.name = "logits"}) {
  %w1 = slim.read_variable @"conv1/weights" : tensor<3x3x1x4xf32>
  %b1 = slim.read_variable @"conv1/biases" : tensor<4xf32>
  %w2 = slim.read_variable @"conv2/weights" : tensor<3x3x4x8xf32>
  %beta = slim.read_variable @"conv2/BatchNorm/beta" : tensor<8xf32>
  %mm = slim.read_variable @"conv2/BatchNorm/moving_mean" : tensor<8xf32>
  %mv = slim.read_variable @"conv2/BatchNorm/moving_variance" : tensor<8xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<72x4xf32>
  %bf = slim.read_variable @"fc/biases" : tensor<4xf32>
  %c1 = slim.conv2d %images, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<8x12x12x1xf32>, tensor<3x3x1x4xf32>) -> tensor<8x12x12x4xf32>
  %cb1 = slim.bias_add %c1, %b1 {scope = "conv1"} : tensor<8x12x12x4xf32>, tensor<4xf32>
  %r1 = slim.activation "relu" %cb1 {scope = "conv1"} : tensor<8x12x12x4xf32>
  %p1 = slim.max_pool %r1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool1"} : tensor<8x12x12x4xf32> -> tensor<8x6x6x4xf32>
  %c2 = slim.conv2d %p1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv2"} : (tensor<8x6x6x4xf32>, tensor<3x3x4x8xf32>) -> tensor<8x6x6x8xf32>
  %n2 = slim.batch_norm %c2, %mm, %mv beta(%beta : tensor<8xf32>) {epsilon = 0.001 : f32, is_training = true, decay = 0.9 : f32, scope = "conv2/BatchNorm"} : tensor<8x6x6x8xf32>, tensor<8xf32>
  %r2 = slim.activation "relu" %n2 {scope = "conv2"} : tensor<8x6x6x8xf32>
  %p2 = slim.max_pool %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool2"} : tensor<8x6x6x8xf32> -> tensor<8x3x3x8xf32>
  %f = slim.reshape %p2 {scope = "Flatten"} : tensor<8x3x3x8xf32> -> tensor<8x72xf32>
  %d = slim.dropout %f {keep_prob = 0.5 : f32, is_training = true, scope = "dropout"} : tensor<8x72xf32>
  %m = slim.matmul %d, %wf {scope = "fc"} : (tensor<8x72xf32>, tensor<72x4xf32>) -> tensor<8x4xf32>
  %logits = slim.bias_add %m, %bf {scope = "fc"} : tensor<8x4xf32>, tensor<4xf32>
  return %logits : tensor<8x4xf32>
}

func.func @train_step(%images: tensor<8x12x12x1xf32> {slim.name = "images"}, %labels: tensor<8xi64> {slim.name = "labels"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "momentum", name = "Momentum", momentum = 0.9, use_nesterov = true}, learning_rate = {kind = "exponential_decay", learning_rate = 0.1, decay_steps = 100, decay_rate = 0.9, staircase = true}, global_step = @global_step, variables_to_train = [@"conv1/weights", @"conv1/biases", @"conv2/weights", @"conv2/BatchNorm/beta", @"fc/weights", @"fc/biases"], update_ops = true, clip_gradient_norm = 5.0}} {
  %w1 = slim.read_variable @"conv1/weights" : tensor<3x3x1x4xf32>
  %b1 = slim.read_variable @"conv1/biases" : tensor<4xf32>
  %w2 = slim.read_variable @"conv2/weights" : tensor<3x3x4x8xf32>
  %beta = slim.read_variable @"conv2/BatchNorm/beta" : tensor<8xf32>
  %mm = slim.read_variable @"conv2/BatchNorm/moving_mean" : tensor<8xf32>
  %mv = slim.read_variable @"conv2/BatchNorm/moving_variance" : tensor<8xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<72x4xf32>
  %bf = slim.read_variable @"fc/biases" : tensor<4xf32>
  %c1 = slim.conv2d %images, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<8x12x12x1xf32>, tensor<3x3x1x4xf32>) -> tensor<8x12x12x4xf32>
  %cb1 = slim.bias_add %c1, %b1 {scope = "conv1"} : tensor<8x12x12x4xf32>, tensor<4xf32>
  %r1 = slim.activation "relu" %cb1 {scope = "conv1"} : tensor<8x12x12x4xf32>
  %p1 = slim.max_pool %r1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool1"} : tensor<8x12x12x4xf32> -> tensor<8x6x6x4xf32>
  %c2 = slim.conv2d %p1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv2"} : (tensor<8x6x6x4xf32>, tensor<3x3x4x8xf32>) -> tensor<8x6x6x8xf32>
  %n2 = slim.batch_norm %c2, %mm, %mv beta(%beta : tensor<8xf32>) {epsilon = 0.001 : f32, is_training = true, decay = 0.9 : f32, scope = "conv2/BatchNorm"} : tensor<8x6x6x8xf32>, tensor<8xf32>
  %r2 = slim.activation "relu" %n2 {scope = "conv2"} : tensor<8x6x6x8xf32>
  %p2 = slim.max_pool %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool2"} : tensor<8x6x6x8xf32> -> tensor<8x3x3x8xf32>
  %f = slim.reshape %p2 {scope = "Flatten"} : tensor<8x3x3x8xf32> -> tensor<8x72xf32>
  %d = slim.dropout %f {keep_prob = 0.5 : f32, is_training = true, scope = "dropout"} : tensor<8x72xf32>
  %m = slim.matmul %d, %wf {scope = "fc"} : (tensor<8x72xf32>, tensor<72x4xf32>) -> tensor<8x4xf32>
  %logits = slim.bias_add %m, %bf {scope = "fc"} : tensor<8x4xf32>, tensor<4xf32>
  %xent = slim.softmax_cross_entropy %logits, %labels {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "sparse_softmax_cross_entropy_loss"} : (tensor<8x4xf32>, tensor<8xi64>) -> tensor<f32>
  %rw1 = slim.read_variable @"conv1/weights" : tensor<3x3x1x4xf32>
  %reg1 = slim.regularization_loss %rw1 {regularizer = {kind = "l2", scale = 1.0e-04}} : tensor<3x3x1x4xf32> -> tensor<f32>
  %rw2 = slim.read_variable @"conv2/weights" : tensor<3x3x4x8xf32>
  %reg2 = slim.regularization_loss %rw2 {regularizer = {kind = "l2", scale = 1.0e-04}} : tensor<3x3x4x8xf32> -> tensor<f32>
  %rwf = slim.read_variable @"fc/weights" : tensor<72x4xf32>
  %reg3 = slim.regularization_loss %rwf {regularizer = {kind = "l2", scale = 1.0e-04}} : tensor<72x4xf32> -> tensor<f32>
  %total = slim.total_loss %xent, %reg1, %reg2, %reg3 : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return %total : tensor<f32>
}
