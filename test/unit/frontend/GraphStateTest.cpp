//===- GraphStateTest.cpp - TensorFlow's graph bookkeeping ----------------===//
//
// The naming rules of GraphState (TF's Graph.unique_name and variable scope
// counts) and variable reuse, checked without a model file, and the builtin
// registry's cross-references.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "frontend/GraphState.h"
#include "frontend/Interpreter.h"

#include "dialects/Slim/IR/SlimDialect.h"

#include "gtest/gtest.h"

using namespace slim;

namespace {

class FrontendGraphStateTest : public ::testing::Test {
protected:
  FrontendGraphStateTest() {
    context.loadDialect<mlir::slim::SlimDialect, mlir::func::FuncDialect>();
    fixture.load("x = 1\n");
    graph = std::make_unique<GraphState>(
        fixture.sourceMgr, context,
        GraphDiagnostics{[this](llvm::SMLoc, const llvm::Twine &m) {
                           errors.push_back(m.str());
                         },
                         [this](llvm::SMLoc, const llvm::Twine &m) {
                           notes.push_back(m.str());
                         }},
        /*batch=*/4);
    graph->setDefaultInitializer(
        std::make_shared<SpecObj>(ObjKind::Initializer, "zeros"));
    graph->beginModule(llvm::SMLoc(), "main");
  }

  /// Enters variable scope `name` below the current one, as
  /// tf.variable_scope(name) does.
  void enterVarScope(const std::string &name, int reuse = 0) {
    auto parent = graph->varScope();
    auto scope = std::make_shared<VarScopeObj>();
    scope->name = parent->name.empty() ? name : parent->name + "/" + name;
    scope->reuse = reuse;
    graph->openVarScopeCount(scope->name);
    graph->setVarScope(scope);
  }

  Ref variable(llvm::StringRef name, llvm::ArrayRef<int64_t> shape) {
    return graph->getVariable(name, shape, makeNone(), makeNone(),
                              /*trainable=*/true, /*isModel=*/true, {}, "",
                              llvm::SMLoc());
  }

  test::SourceFixture fixture;
  mlir::MLIRContext context;
  std::unique_ptr<GraphState> graph;
  std::vector<std::string> errors, notes;
};

TEST_F(FrontendGraphStateTest, UniqueNameIsCaseInsensitiveLikeTensorFlow) {
  EXPECT_EQ(graph->uniqueName("Conv"), "Conv");
  EXPECT_EQ(graph->uniqueName("conv"), "conv_1");
  EXPECT_EQ(graph->uniqueName("Conv"), "Conv_2");
  // Asking without marking does not consume the name.
  EXPECT_EQ(graph->uniqueName("Pool", /*markUsed=*/false), "Pool");
  EXPECT_EQ(graph->uniqueName("Pool"), "Pool");
}

TEST_F(FrontendGraphStateTest, NameScopesNestAndAbsoluteNamesStay) {
  graph->setNameScope(graph->openNameScope("block"));
  EXPECT_EQ(graph->nameScope(), "block/");
  EXPECT_EQ(graph->openNameScope("conv"), "block/conv/");
  EXPECT_EQ(graph->openNameScope("conv"), "block/conv_1/");
  EXPECT_EQ(graph->openNameScope("other/"), "other/");
}

TEST_F(FrontendGraphStateTest, VariableScopeCountsRestartInsideANewEntry) {
  EXPECT_EQ(graph->uniqueVarScopeName("Conv"), "Conv");
  graph->openVarScopeCount("Conv");
  EXPECT_EQ(graph->uniqueVarScopeName("Conv"), "Conv_1");
  graph->openVarScopeCount("block/Conv");
  graph->openVarScopeCount("block");
  // Re-entering `block` forgets its sub-scopes: Conv numbering restarts.
  enterVarScope("block");
  EXPECT_EQ(graph->uniqueVarScopeName("Conv"), "Conv");
}

TEST_F(FrontendGraphStateTest, VariablesAreCreatedOnceAndSharedOnlyWithReuse) {
  enterVarScope("layer");
  Ref w = variable("weights", {3, 3});
  ASSERT_TRUE(w);
  EXPECT_EQ(llvm::cast<TensorObj>(*w).varName, "layer/weights");
  ASSERT_EQ(graph->getVariables().size(), 1u);
  EXPECT_EQ(graph->findVariable("layer/weights")->shape.size(), 2u);

  EXPECT_FALSE(variable("weights", {3, 3}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("already exists"), std::string::npos);
  ASSERT_EQ(notes.size(), 1u);

  auto reuse = std::make_shared<VarScopeObj>(*graph->varScope());
  reuse->reuse = 1;
  graph->setVarScope(reuse);
  EXPECT_EQ(variable("weights", {3, 3}), w);
  EXPECT_FALSE(variable("weights", {3, 4}));
  EXPECT_NE(errors.back().find("trying to share variable"), std::string::npos);
  EXPECT_FALSE(variable("biases", {3}));
  EXPECT_NE(errors.back().find("does not exist"), std::string::npos);
}

TEST_F(FrontendGraphStateTest, PlaceholdersTakeTheBatchSize) {
  Ref x = graph->addPlaceholder({-1, 8}, "input", llvm::SMLoc());
  ASSERT_TRUE(x);
  EXPECT_EQ(llvm::cast<TensorObj>(*x).shape,
            (llvm::SmallVector<int64_t, 4>{4, 8}));
  // A second placeholder of the same name is renamed, as in TF.
  Ref y = graph->addPlaceholder({2}, "input", llvm::SMLoc());
  ASSERT_TRUE(y);
  EXPECT_EQ(llvm::cast<TensorObj>(*y).name, "input_1");
  ASSERT_EQ(graph->getPlaceholders().size(), 2u);
  EXPECT_EQ(graph->getPlaceholders()[1].first, "input_1");
}

/// Every object one builtin looks up in Interpreter::known at call time is
/// registered, and aliases are the same object as the name they alias.
TEST(FrontendBuiltinRegistryTest, CrossReferencesAndAliasesResolve) {
  test::SourceFixture fixture;
  fixture.load("x = 1\n");
  mlir::MLIRContext context;
  Interpreter interp(fixture.sourceMgr, context, ElaborateOptions());
  for (const char *name :
       {"module:tensorflow", "module:slim", "module:contrib", "module:layers",
        "tf.variable_scope", "tf.name_scope", "tf.float32", "activation:relu",
        "slim.batch_norm", "xavier_default", "zeros_default", "ones_default",
        "zeros_initializer"})
    EXPECT_TRUE(interp.lookupKnown(name)) << name;
  Ref slimMod = interp.requireKnown("module:slim");
  EXPECT_EQ(slimMod->attrs.at("conv2d"), slimMod->attrs.at("convolution2d"));
  EXPECT_EQ(slimMod->attrs.at("batch_norm"),
            interp.requireKnown("slim.batch_norm"));
  Ref tf = interp.requireKnown("module:tensorflow");
  EXPECT_EQ(tf->attrs.at("sigmoid"), tf->attrs.at("nn")->attrs.at("sigmoid"));
  EXPECT_EQ(tf->attrs.at("multiply"),
            tf->attrs.at("math")->attrs.at("multiply"));
  EXPECT_EQ(tf->attrs.at("nn")->attrs.at("lrn"),
            tf->attrs.at("nn")->attrs.at("local_response_normalization"));
  EXPECT_EQ(tf->attrs.at("nn")->attrs.at("relu"),
            interp.requireKnown("activation:relu"));
  EXPECT_EQ(tf->attrs.at("contrib")->attrs.at("slim"), slimMod);
}

} // namespace
