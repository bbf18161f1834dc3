//===- train_test.cpp - slim_context_train_step and gradients -------------===//

#include "test_util.h"

#include <cstring>

using slimtest::modelPath;

namespace {

struct TrainModel : ::testing::Test {
  void SetUp() override {
    SLIM_ASSERT_OK(slim_model_open(modelPath("test_train").c_str(), &model));
    SLIM_ASSERT_OK(slim_context_create(model, nullptr, 0, &ctx));
  }
  void TearDown() override {
    slim_context_destroy(ctx);
    slim_model_destroy(model);
  }
  slim_model *model = nullptr;
  slim_context *ctx = nullptr;
  const float x[8] = {1, 2, 3, 4, -1, 0, 1, 2};
  const float label[2] = {1, 2};
  const void *inputs[1] = {x};
  const void *labels[1] = {label};
};

TEST_F(TrainModel, DescribesItsTrainStep) {
  EXPECT_EQ(slim_model_has_train_step(model), 1);
  ASSERT_EQ(slim_model_num_train_inputs(model), 1u);
  ASSERT_EQ(slim_model_num_labels(model), 1u);
  ASSERT_EQ(slim_model_num_gradients(model), 1u);
  slim_tensor_info t;
  SLIM_ASSERT_OK(slim_model_train_input_info(model, 0, &t));
  EXPECT_STREQ(t.name, "x");
  EXPECT_EQ(t.size_bytes, 32u);
  SLIM_ASSERT_OK(slim_model_label_info(model, 0, &t));
  EXPECT_STREQ(t.name, "label");
  EXPECT_EQ(t.dtype, SLIM_DTYPE_F32);
  SLIM_ASSERT_OK(slim_model_gradient_info(model, 0, &t));
  EXPECT_STREQ(t.name, "w");
  EXPECT_EQ(t.size_bytes, 16u);
  SLIM_EXPECT_ERROR(slim_model_label_info(model, 1, &t),
                    SLIM_STATUS_OUT_OF_RANGE, "label index 1 out of range");
  SLIM_EXPECT_ERROR(slim_model_gradient_info(model, 3, &t),
                    SLIM_STATUS_OUT_OF_RANGE, "trains 1 variables");
}

TEST_F(TrainModel, StepUpdatesVariablesAndKeepsGradients) {
  float loss = 0;
  SLIM_EXPECT_ERROR(slim_context_train_step(ctx, inputs, labels, &loss),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "variable(s) without a value");
  SLIM_ASSERT_OK(slim_model_initialize_variables(model, 1));
  float dw[4];
  SLIM_EXPECT_ERROR(slim_context_get_gradient(ctx, "w", dw, sizeof(dw)),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "no train step has run on this context yet");
  float lr = 0;
  SLIM_EXPECT_ERROR(slim_context_last_learning_rate(ctx, &lr),
                    SLIM_STATUS_FAILED_PRECONDITION, "no train step");
  // Before the step `run` sees w = 0.25: y = 2.5 and 0.5.
  float y[2];
  void *outputs[1] = {y};
  SLIM_ASSERT_OK(slim_context_run(ctx, inputs, 1, outputs, 1));
  EXPECT_FLOAT_EQ(y[0], 2.5f);

  SLIM_ASSERT_OK(slim_context_train_step(ctx, inputs, labels, &loss));
  // Residuals 1.5 and -1.5: loss (2.25 + 2.25) / 4.
  EXPECT_FLOAT_EQ(loss, 1.125f);
  SLIM_ASSERT_OK(slim_context_get_gradient(ctx, "w", dw, sizeof(dw)));
  const float expected[4] = {1.5f, 1.5f, 1.5f, 1.5f};
  for (int i = 0; i < 4; ++i)
    EXPECT_FLOAT_EQ(dw[i], expected[i]) << i;
  SLIM_ASSERT_OK(slim_context_last_learning_rate(ctx, &lr));
  EXPECT_EQ(lr, 0.5f);
  float w[4];
  SLIM_ASSERT_OK(slim_model_get_variable(model, "w", w, sizeof(w)));
  EXPECT_FLOAT_EQ(w[0], 0.25f - 0.75f);
  int64_t step = 0;
  SLIM_ASSERT_OK(slim_model_get_variable(model, "global_step", &step, 8));
  EXPECT_EQ(step, 1);
  // `run` prepares again and sees the new weights.
  SLIM_ASSERT_OK(slim_context_run(ctx, inputs, 1, outputs, 1));
  EXPECT_FLOAT_EQ(y[0], -0.5f * 10.0f);

  SLIM_EXPECT_ERROR(slim_context_get_gradient(ctx, "global_step", dw, 8),
                    SLIM_STATUS_NOT_FOUND,
                    "variable 'global_step' of model 'test_train' is not "
                    "trained");
  SLIM_EXPECT_ERROR(slim_context_get_gradient(ctx, "nope", dw, 16),
                    SLIM_STATUS_NOT_FOUND,
                    "model 'test_train' has no variable 'nope'");
  SLIM_EXPECT_ERROR(slim_context_get_gradient(ctx, "w", dw, 12),
                    SLIM_STATUS_INVALID_ARGUMENT, "needs 16 bytes, got 12");

  // Another context keeps its own gradients.
  slim_context *other = nullptr;
  SLIM_ASSERT_OK(slim_context_create(model, nullptr, 0, &other));
  SLIM_EXPECT_ERROR(slim_context_get_gradient(other, "w", dw, sizeof(dw)),
                    SLIM_STATUS_FAILED_PRECONDITION, "no train step");
  slim_context_destroy(other);
}

TEST_F(TrainModel, RejectsBadArguments) {
  SLIM_ASSERT_OK(slim_model_initialize_variables(model, 1));
  float loss = 0;
  SLIM_EXPECT_ERROR(slim_context_train_step(nullptr, inputs, labels, &loss),
                    SLIM_STATUS_INVALID_ARGUMENT, "context is null");
  SLIM_EXPECT_ERROR(slim_context_train_step(ctx, nullptr, labels, &loss),
                    SLIM_STATUS_INVALID_ARGUMENT, "inputs array is null");
  SLIM_EXPECT_ERROR(slim_context_train_step(ctx, inputs, nullptr, &loss),
                    SLIM_STATUS_INVALID_ARGUMENT, "labels array is null");
  const void *nullLabel[1] = {nullptr};
  SLIM_EXPECT_ERROR(slim_context_train_step(ctx, inputs, nullLabel, &loss),
                    SLIM_STATUS_INVALID_ARGUMENT, "label 'label' is null");
  SLIM_EXPECT_ERROR(slim_context_train_step(ctx, inputs, labels, nullptr),
                    SLIM_STATUS_INVALID_ARGUMENT, "out_loss is null");
  SLIM_EXPECT_ERROR(slim_context_get_gradient(ctx, nullptr, &loss, 4),
                    SLIM_STATUS_INVALID_ARGUMENT, "variable_name is null");
  SLIM_ASSERT_OK(slim_model_freeze(model));
  SLIM_EXPECT_ERROR(slim_context_train_step(ctx, inputs, labels, &loss),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "cannot run a train step: model 'test_train' is frozen");
}

TEST(TrainStep, InferenceModelsHaveNone) {
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open(modelPath("test_dense").c_str(), &m));
  EXPECT_EQ(slim_model_has_train_step(m), 0);
  EXPECT_EQ(slim_model_num_labels(m), 0u);
  slim_context *c = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &c));
  float loss = 0;
  SLIM_EXPECT_ERROR(slim_context_train_step(c, nullptr, nullptr, &loss),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "model 'test_dense' has no train step (compile the "
                    "training script with slimc --train)");
  slim_context_destroy(c);
  slim_model_destroy(m);
}

TEST(TrainStep, Abi6LibrariesAreRejected) {
  slim_model *m = nullptr;
  SLIM_EXPECT_ERROR(
      slim_model_open(modelPath("test_dense_abi6").c_str(), &m),
      SLIM_STATUS_INCOMPATIBLE,
      "model was built for model ABI version 6; this runtime implements "
      "version 7 (rebuild the model with a matching slimc)");
}

} // namespace
