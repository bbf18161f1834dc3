//===- ShapeRulesTest.cpp - How the shape rules report their errors -------===//
//
// A shape rule reports why it fails through its caller's ShapeErrorFn: called
// exactly once with the message on failure (also when a helper the rule
// shares, such as the window-attribute check, finds the error), and never on
// success. The op verifiers hand that message to emitOpError unchanged.
//
//===----------------------------------------------------------------------===//

#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/ElementwiseShapeRules.h"
#include "dialects/Slim/IR/ShapeRules3D.h"
#include "dialects/Slim/IR/SlimDialect.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::slim;

namespace {

/// Records every message a rule reports.
struct Recorder {
  std::vector<std::string> messages;
  auto fn() {
    return [this](const llvm::Twine &m) { messages.push_back(m.str()); };
  }
};

const int64_t kOnes[2] = {1, 1};
const int64_t kNoPads[4] = {0, 0, 0, 0};

TEST(ShapeRulesTest, SuccessFillsTheShapeWithoutReporting) {
  Recorder errors;
  Shape out;
  int64_t input[4] = {1, 8, 8, 3}, filter[4] = {3, 3, 3, 16};
  ASSERT_TRUE(succeeded(inferConv2DShape(input, filter, kOnes, kOnes, kNoPads,
                                         out, errors.fn())));
  EXPECT_EQ(out, (Shape{1, 6, 6, 16}));
  EXPECT_TRUE(errors.messages.empty());
}

TEST(ShapeRulesTest, FailureReportsTheMessageOnce) {
  Recorder errors;
  Shape out;
  int64_t input[4] = {1, 8, 8, 3}, filter[4] = {3, 3, 4, 8};
  EXPECT_TRUE(failed(inferConv2DShape(input, filter, kOnes, kOnes, kNoPads, out,
                                      errors.fn())));
  EXPECT_EQ(errors.messages,
            (std::vector<std::string>{
                "filter expects 4 input channels but the input has 3"}));
}

TEST(ShapeRulesTest, SharedHelperFailureReportsOnce) {
  // The stride check lives in the helper every window rule shares; the rule
  // must not add a second message of its own.
  Recorder errors;
  Shape out;
  int64_t input[4] = {1, 8, 8, 3}, filter[4] = {3, 3, 3, 8};
  int64_t badStrides[2] = {0, 1};
  EXPECT_TRUE(failed(inferConv2DShape(input, filter, badStrides, kOnes, kNoPads,
                                      out, errors.fn())));
  EXPECT_EQ(errors.messages, (std::vector<std::string>{
                                 "strides must be two positive integers"}));

  errors.messages.clear();
  int64_t big[4] = {1, 2, 2, 3};
  EXPECT_TRUE(failed(
      inferConv2DShape(big, filter, kOnes, kOnes, kNoPads, out, errors.fn())));
  EXPECT_EQ(errors.messages,
            (std::vector<std::string>{"the 3x3 window does not fit in the 2x2 "
                                      "input (after padding)"}));
}

TEST(ShapeRulesTest, EveryRuleFileReportsThroughTheCallback) {
  Recorder errors;
  Shape out;
  // ShapeRules3D.cpp.
  int64_t input5[5] = {1, 2, 8, 8, 3}, kernel3[3] = {3, 3, 3};
  int64_t ones3[3] = {1, 1, 1}, noPads6[6] = {0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(failed(
      inferPool3DShape(input5, kernel3, ones3, noPads6, out, errors.fn())));
  // SpatialShapeRules.cpp.
  int64_t input4[4] = {1, 8, 8, 3}, size[2] = {4, 4};
  EXPECT_TRUE(failed(inferResizeShape(input4, size, "bicubic", false, false,
                                      out, errors.fn())));
  // ElementwiseShapeRules.cpp.
  int64_t lhs[2] = {2, 3}, rhs[2] = {2, 4};
  EXPECT_TRUE(failed(inferBroadcastShape(lhs, rhs, out, errors.fn())));
  EXPECT_TRUE(failed(checkLrn(lhs, 2, errors.fn())));
  EXPECT_EQ(errors.messages,
            (std::vector<std::string>{
                "the 3x3x3 window does not fit in the 2x8x8 input (after "
                "padding)",
                "resize method must be 'nearest' or 'bilinear', got 'bicubic'",
                "shapes [2x3] and [2x4] do not broadcast (dimension 3 against "
                "4)",
                "input must be 4-D (NHWC), got shape [2x3]"}));

  errors.messages.clear();
  int64_t same[2] = {1, 3};
  EXPECT_TRUE(succeeded(inferBroadcastShape(lhs, same, out, errors.fn())));
  EXPECT_EQ(out, (Shape{2, 3}));
  EXPECT_TRUE(succeeded(checkLrn(input4, 2, errors.fn())));
  EXPECT_TRUE(errors.messages.empty());
}

/// Verifies `source` and returns the diagnostics it produced.
std::vector<std::string> verifierErrors(llvm::StringRef source) {
  MLIRContext context;
  context.loadDialect<SlimDialect, func::FuncDialect>();
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    messages.push_back(d.str());
    return success();
  });
  (void)parseSourceString<ModuleOp>(source, &context);
  return messages;
}

TEST(ShapeRulesTest, VerifierReportsTheRuleMessageAsTheOpError) {
  EXPECT_EQ(verifierErrors(R"mlir(
func.func @f(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<1x8x8x8xf32> {
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x8x3xf32>, tensor<3x3x4x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
})mlir"),
            (std::vector<std::string>{"'slim.conv2d' op filter expects 4 input "
                                      "channels but the input has 3"}));
  EXPECT_TRUE(verifierErrors(R"mlir(
func.func @f(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32> {
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
})mlir")
                  .empty());
}

} // namespace
