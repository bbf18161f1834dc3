// An inference-only module: no @train_step.
func.func @main(%x: tensor<2xf32> {slim.name = "x"}) -> (tensor<2xf32> {slim.name = "y"}) {
  %y = slim.activation "relu" %x {scope = "r"} : tensor<2xf32>
  return %y : tensor<2xf32>
}
