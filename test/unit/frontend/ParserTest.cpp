//===- ParserTest.cpp - Unit tests for the slimc parser and AST -----------===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"
#include "TestUtil.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace slim;

namespace {

class ParserTest : public ::testing::Test {
protected:
  /// Parses \p source and returns the dump of its AST, or the diagnostics
  /// when parsing fails.
  std::string dump(llvm::StringRef source) {
    module = parse(source);
    if (!module)
      return "FAILED:\n" + fixture.allDiagnostics();
    EXPECT_TRUE(fixture.diagnostics.empty()) << fixture.allDiagnostics();
    std::string out;
    llvm::raw_string_ostream os(out);
    dumpAST(os, *module);
    return out;
  }

  /// Parses \p source as one expression and returns its S-expression.
  std::string expr(llvm::StringRef source) {
    unsigned id = fixture.load(source);
    Parser parser(fixture.sourceMgr, id);
    ExprPtr e = parser.parseStandaloneExpression();
    if (!e)
      return "FAILED: " + fixture.allDiagnostics();
    std::string out;
    llvm::raw_string_ostream os(out);
    dumpExpr(os, *e);
    return out;
  }

  /// Parses \p source expecting failure with exactly one error (plus
  /// notes); returns all diagnostics, "line:col: kind: message" per line.
  std::string error(llvm::StringRef source) {
    module = parse(source);
    EXPECT_EQ(module, nullptr);
    unsigned errors = 0;
    for (const std::string &d : fixture.diagnostics)
      errors += d.find(": error: ") != std::string::npos;
    EXPECT_EQ(errors, 1u) << fixture.allDiagnostics();
    std::string out = fixture.allDiagnostics();
    if (!out.empty())
      out.pop_back();
    return out;
  }

  std::unique_ptr<ModuleAST> parse(llvm::StringRef source) {
    unsigned id = fixture.load(source);
    return parseModule(fixture.sourceMgr, id);
  }

  /// "line:col" of \p loc.
  std::string lineCol(llvm::SMLoc loc) {
    auto lc = fixture.sourceMgr.getLineAndColumn(loc);
    return std::to_string(lc.first) + ":" + std::to_string(lc.second);
  }

  test::SourceFixture fixture;
  std::unique_ptr<ModuleAST> module;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

TEST_F(ParserTest, Atoms) {
  EXPECT_EQ(expr("net"), "net");
  EXPECT_EQ(expr("42"), "42");
  EXPECT_EQ(expr("0x1F"), "31");
  EXPECT_EQ(expr("0o17"), "15");
  EXPECT_EQ(expr("0b101"), "5");
  EXPECT_EQ(expr("1_000_000"), "1000000");
  EXPECT_EQ(expr("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(expr("0.01"), "0.01");
  EXPECT_EQ(expr("1e-3"), "0.001");
  EXPECT_EQ(expr(".5"), "0.5");
  EXPECT_EQ(expr("5."), "5.0");
  EXPECT_EQ(expr("1e300"), "1e+300");
  EXPECT_EQ(expr("None"), "None");
  EXPECT_EQ(expr("True"), "True");
  EXPECT_EQ(expr("False"), "False");
  EXPECT_EQ(expr("..."), "...");
}

TEST_F(ParserTest, Strings) {
  EXPECT_EQ(expr("'conv1'"), "'conv1'");
  EXPECT_EQ(expr("\"conv1\""), "'conv1'");
  EXPECT_EQ(expr("'a' 'b' \"c\""), "'abc'");
  EXPECT_EQ(expr("('a'\n 'b')"), "'ab'");
  EXPECT_EQ(expr(R"('a\tb\n\\ \'q\' \"')"), R"('a\tb\n\\ \'q\' "')");
  EXPECT_EQ(expr(R"('\x41\101\u00e9\U0001F600')"),
            "'AA\\xc3\\xa9\\xf0\\x9f\\x98\\x80'");
  EXPECT_EQ(expr(R"(r'\d+\'' )"), R"('\\d+\\\'')");
  EXPECT_EQ(expr(R"(b'\x00\xff\u00e9')"), R"(b'\x00\xff\\u00e9')");
  EXPECT_EQ(expr("'''a\nb''' \"\"\"c\"\"\""), "'a\\nbc'");
  EXPECT_EQ(expr("'''a\r\nb'''"), "'a\\nb'");
  // Unknown escapes keep the backslash, as in Python.
  EXPECT_EQ(expr(R"('\d')"), R"('\\d')");
  // An escaped newline joins lines.
  EXPECT_EQ(expr("'ab\\\ncd'"), "'abcd'");
  EXPECT_EQ(expr("u'x'"), "'x'");
}

TEST_F(ParserTest, Containers) {
  EXPECT_EQ(expr("[]"), "(list)");
  EXPECT_EQ(expr("[1, 2, 3]"), "(list 1 2 3)");
  EXPECT_EQ(expr("[1, 2,]"), "(list 1 2)");
  EXPECT_EQ(expr("()"), "(tuple)");
  EXPECT_EQ(expr("(1,)"), "(tuple 1)");
  EXPECT_EQ(expr("(1)"), "1");
  EXPECT_EQ(expr("(1, 2)"), "(tuple 1 2)");
  EXPECT_EQ(expr("(1, 2,)"), "(tuple 1 2)");
  EXPECT_EQ(expr("1, 2"), "(tuple 1 2)");
  EXPECT_EQ(expr("1,"), "(tuple 1)");
  EXPECT_EQ(expr("{}"), "(dict)");
  EXPECT_EQ(expr("{'a': 1, 'b': [2]}"), "(dict ('a' 1) ('b' (list 2)))");
  EXPECT_EQ(expr("{'a': 1,}"), "(dict ('a' 1))");
  EXPECT_EQ(expr("[(32, [3, 3]), (32, [1, 1])]"),
            "(list (tuple 32 (list 3 3)) (tuple 32 (list 1 1)))");
}

TEST_F(ParserTest, ListComprehension) {
  EXPECT_EQ(expr("[f(x) for x in xs]"), "(listcomp (call f x) for x in xs)");
  EXPECT_EQ(expr("[x for x in xs if x > 1]"),
            "(listcomp x for x in xs if (cmp x > 1))");
  EXPECT_EQ(expr("[a + b for a, b in zip(p, q)]"),
            "(listcomp (+ a b) for (tuple a b) in (call zip p q))");
  EXPECT_EQ(expr("[x if c else y for x in xs]"),
            "(listcomp (if c x y) for x in xs)");
  // Several clauses nest left to right; each may have several conditions.
  EXPECT_EQ(expr("[y for x in xs if x for y in x if y if z]"),
            "(listcomp y for x in xs if x for y in x if y if z)");
}

TEST_F(ParserTest, GeneratorAndDictComprehensions) {
  EXPECT_EQ(expr("(x for x in xs)"), "(genexp x for x in xs)");
  EXPECT_EQ(expr("any(x > 1 for x in xs)"),
            "(call any (genexp (cmp x > 1) for x in xs))");
  EXPECT_EQ(expr("{k: v for k, v in d.items() if v}"),
            "(dictcomp k v for (tuple k v) in (call (. d items)) if v)");
}

TEST_F(ParserTest, Generators) {
  EXPECT_EQ(dump("def g(x):\n"
                 "  yield\n"
                 "  yield x, 1\n"
                 "  y = yield x\n"
                 "  z = (yield)\n"
                 "  yield from range(3)\n"
                 "  return y\n"),
            "Def g(x)\n"
            "  Expr (yield)\n"
            "  Expr (yield (tuple x 1))\n"
            "  Assign y = (yield x)\n"
            "  Assign z = (yield)\n"
            "  Expr (yieldfrom (call range 3))\n"
            "  Return y\n");
  auto *def = llvm::cast<FunctionDefAST>(module->getBody().front().get());
  EXPECT_TRUE(def->isGenerator());
  // A nested def's yield makes only the nested one a generator.
  dump("def f():\n  def g():\n    yield 1\n  return g\n");
  auto *outer = llvm::cast<FunctionDefAST>(module->getBody().front().get());
  EXPECT_FALSE(outer->isGenerator());
  EXPECT_TRUE(llvm::cast<FunctionDefAST>(outer->getBody().front().get())
                  ->isGenerator());
}

TEST_F(ParserTest, WhileTryAndScopes) {
  EXPECT_EQ(dump("while a:\n  break\nelse:\n  pass\n"),
            "While a\n  Break\nElse\n  Pass\n");
  EXPECT_EQ(dump("for x in y:\n  pass\nelse:\n  z = 1\n"),
            "For x in y\n  Pass\nElse\n  Assign z = 1\n");
  EXPECT_EQ(dump("try:\n  f()\nexcept (A, B) as e:\n  raise\n"
                 "except C:\n  pass\nexcept:\n  pass\nelse:\n  g()\n"
                 "finally:\n  h()\n"),
            "Try\n  Expr (call f)\nExcept (tuple A B) as e\n  Raise\n"
            "Except C\n  Pass\nExcept\n  Pass\nElse\n  Expr (call g)\n"
            "Finally\n  Expr (call h)\n");
  EXPECT_EQ(dump("def f():\n  global a, b\n  def g():\n    nonlocal c\n"),
            "Def f()\n  Global a, b\n  Def g()\n    Nonlocal c\n");
  auto *f = llvm::cast<FunctionDefAST>(module->getBody().front().get());
  EXPECT_EQ(f->getGlobals().size(), 2u);
}

TEST_F(ParserTest, Precedence) {
  EXPECT_EQ(expr("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(expr("(1 + 2) * 3"), "(* (+ 1 2) 3)");
  EXPECT_EQ(expr("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(expr("a / b // c % d @ e"), "(@ (% (// (/ a b) c) d) e)");
  EXPECT_EQ(expr("2 ** 3 ** 2"), "(** 2 (** 3 2))");
  EXPECT_EQ(expr("-2 ** 2"), "(- (** 2 2))");
  EXPECT_EQ(expr("2 ** -1"), "(** 2 (- 1))");
  EXPECT_EQ(expr("- - +x"), "(- (- (+ x)))");
  EXPECT_EQ(expr("-a * b"), "(* (- a) b)");
  EXPECT_EQ(expr("a.b(c)[d].e"), "(. ([] (call (. a b) c) d) e)");
  EXPECT_EQ(expr("a < b == c"), "(cmp a < b == c)");
  EXPECT_EQ(expr("a + 1 < b * 2"), "(cmp (+ a 1) < (* b 2))");
  EXPECT_EQ(expr("not a == b"), "(not (cmp a == b))");
  EXPECT_EQ(expr("a and b or c and d"), "(or (and a b) (and c d))");
  EXPECT_EQ(expr("a or b or c"), "(or (or a b) c)");
  EXPECT_EQ(expr("not a and not b"), "(and (not a) (not b))");
  EXPECT_EQ(expr("a if b else c if d else e"), "(if b a (if d c e))");
  EXPECT_EQ(expr("a or b if c and d else e"), "(if (and c d) (or a b) e)");
  EXPECT_EQ(expr("'conv3_%d' % (i + 1)"), "(% 'conv3_%d' (+ i 1))");
  EXPECT_EQ(expr("'a' + str(i)"), "(+ 'a' (call str i))");
}

TEST_F(ParserTest, Comparisons) {
  EXPECT_EQ(expr("a is None"), "(cmp a is None)");
  EXPECT_EQ(expr("a is not None"), "(cmp a is not None)");
  EXPECT_EQ(expr("a in b"), "(cmp a in b)");
  EXPECT_EQ(expr("a not in b"), "(cmp a not in b)");
  EXPECT_EQ(expr("a != b >= c <= d > e"), "(cmp a != b >= c <= d > e)");
  EXPECT_EQ(expr("a is not b not in c"), "(cmp a is not b not in c)");
  EXPECT_EQ(expr("not a in b"), "(not (cmp a in b))");
}

TEST_F(ParserTest, Calls) {
  EXPECT_EQ(expr("f()"), "(call f)");
  EXPECT_EQ(expr("f(a, b,)"), "(call f a b)");
  EXPECT_EQ(expr("slim.conv2d(net, 64, [3, 3], scope='conv1')"),
            "(call (. slim conv2d) net 64 (list 3 3) scope='conv1')");
  EXPECT_EQ(expr("f(*args, **kwargs)"), "(call f *args **kwargs)");
  EXPECT_EQ(expr("f(a, *args, k=1, *more, **kw)"),
            "(call f a *args k=1 *more **kw)");
  EXPECT_EQ(expr("f(x == 1)"), "(call f (cmp x == 1))");
  EXPECT_EQ(expr("f(a)(b)"), "(call (call f a) b)");
  EXPECT_EQ(expr("'{}_{}'.format(a, b)"), "(call (. '{}_{}' format) a b)");
}

TEST_F(ParserTest, Subscripts) {
  EXPECT_EQ(expr("a[1]"), "([] a 1)");
  EXPECT_EQ(expr("a['x']"), "([] a 'x')");
  EXPECT_EQ(expr("a[1:3]"), "([] a (: 1 3 _))");
  EXPECT_EQ(expr("a[:]"), "([] a (: _ _ _))");
  EXPECT_EQ(expr("a[::2]"), "([] a (: _ _ 2))");
  EXPECT_EQ(expr("a[1:]"), "([] a (: 1 _ _))");
  EXPECT_EQ(expr("a[:-1]"), "([] a (: _ (- 1) _))");
  EXPECT_EQ(expr("a[1:2:3]"), "([] a (: 1 2 3))");
  EXPECT_EQ(expr("a[:, 0]"), "([] a (tuple (: _ _ _) 0))");
  EXPECT_EQ(expr("a[1, 2]"), "([] a (tuple 1 2))");
  EXPECT_EQ(expr("a[1,]"), "([] a (tuple 1))");
  EXPECT_EQ(expr("a[b][c]"), "([] ([] a b) c)");
}

TEST_F(ParserTest, ExpressionLocations) {
  unsigned id = fixture.load("x = slim.conv2d(net,\n    64, scope='c')\n");
  module = parseModule(fixture.sourceMgr, id);
  ASSERT_TRUE(module);
  const auto &assign = llvm::cast<AssignStmtAST>(*module->getBody()[0]);
  EXPECT_EQ(lineCol(assign.getLoc()), "1:1");
  const auto &call = llvm::cast<CallExprAST>(assign.getValue());
  EXPECT_EQ(lineCol(call.getLoc()), "1:5");
  EXPECT_EQ(lineCol(call.getLParenLoc()), "1:16");
  const auto &callee = llvm::cast<AttributeExprAST>(call.getCallee());
  EXPECT_EQ(lineCol(callee.getLoc()), "1:5");
  EXPECT_EQ(lineCol(callee.getNameLoc()), "1:10");
  ASSERT_EQ(call.getArgs().size(), 3u);
  EXPECT_EQ(lineCol(call.getArgs()[0].loc), "1:17");
  EXPECT_EQ(lineCol(call.getArgs()[1].loc), "2:5");
  const CallArgument &kw = call.getArgs()[2];
  EXPECT_EQ(kw.kind, CallArgument::Keyword);
  EXPECT_EQ(kw.name, "scope");
  EXPECT_EQ(lineCol(kw.loc), "2:9");
  EXPECT_EQ(lineCol(kw.value->getLoc()), "2:15");
}

TEST_F(ParserTest, OperatorLocations) {
  unsigned id = fixture.load("y = 'a' % (i+1) < b is not c\n");
  module = parseModule(fixture.sourceMgr, id);
  ASSERT_TRUE(module);
  const auto &assign = llvm::cast<AssignStmtAST>(*module->getBody()[0]);
  const auto &cmp = llvm::cast<CompareExprAST>(assign.getValue());
  EXPECT_EQ(lineCol(cmp.getLoc()), "1:5");
  EXPECT_EQ(lineCol(cmp.getLinks()[0].opLoc), "1:17");
  EXPECT_EQ(lineCol(cmp.getLinks()[1].opLoc), "1:21");
  const auto &mod = llvm::cast<BinaryExprAST>(cmp.getLHS());
  EXPECT_EQ(mod.getOp(), BinaryOp::Mod);
  EXPECT_EQ(lineCol(mod.getLoc()), "1:5");
  EXPECT_EQ(lineCol(mod.getOpLoc()), "1:9");
  EXPECT_EQ(lineCol(mod.getRHS().getLoc()), "1:12");
}

TEST_F(ParserTest, HeightIsComputed) {
  unsigned id = fixture.load("((a + b) * c)[0]\n");
  Parser parser(fixture.sourceMgr, id);
  ExprPtr e = parser.parseStandaloneExpression();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->getHeight(), 4u);
  EXPECT_TRUE(llvm::isa<SubscriptExprAST>(*e));
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

TEST_F(ParserTest, Assignments) {
  EXPECT_EQ(dump("a = 1\n"
                 "a, b = f()\n"
                 "(a, b), c = x\n"
                 "[a, b] = x\n"
                 "a = b = c\n"
                 "vgg_16.default_image_size = 224\n"
                 "end_points['x'] = net\n"
                 "x = 1,\n"
                 "i += 1\n"
                 "s %= 2\n"
                 "a.b -= 1\n"
                 "a[0] **= 2\n"
                 "input = ...\n"),
            "Assign a = 1\n"
            "Assign (tuple a b) = (call f)\n"
            "Assign (tuple (tuple a b) c) = x\n"
            "Assign (list a b) = x\n"
            "Assign a = b = c\n"
            "Assign (. vgg_16 default_image_size) = 224\n"
            "Assign ([] end_points 'x') = net\n"
            "Assign x = (tuple 1)\n"
            "AugAssign i += 1\n"
            "AugAssign s %= 2\n"
            "AugAssign (. a b) -= 1\n"
            "AugAssign ([] a 0) **= 2\n"
            "Assign input = ...\n");
}

TEST_F(ParserTest, ExpressionStatementsAndDocstrings) {
  EXPECT_EQ(dump("'''Module docstring.'''\n"
                 "slim.add_model_variable(v)\n"
                 "x; y;\n"),
            "Expr 'Module docstring.'\n"
            "Expr (call (. slim add_model_variable) v)\n"
            "Expr x\n"
            "Expr y\n");
}

TEST_F(ParserTest, Imports) {
  EXPECT_EQ(dump("import tensorflow as tf\n"
                 "import tf_slim as slim, os.path\n"
                 "from __future__ import absolute_import\n"
                 "from __future__ import division, print_function\n"
                 "from nets import resnet_utils as ru, vgg\n"
                 "from a.b.c import (d,\n"
                 "    e as f,\n"
                 ")\n"
                 "from . import x\n"
                 "from ..pkg import y\n"
                 "from ... import z\n"
                 "slim = tf.contrib.slim\n"),
            "Import tensorflow as tf\n"
            "Import tf_slim as slim, os.path\n"
            "ImportFrom __future__ import absolute_import\n"
            "ImportFrom __future__ import division, print_function\n"
            "ImportFrom nets import resnet_utils as ru, vgg\n"
            "ImportFrom a.b.c import d, e as f\n"
            "ImportFrom . import x\n"
            "ImportFrom ..pkg import y\n"
            "ImportFrom ... import z\n"
            "Assign slim = (. (. tf contrib) slim)\n");
  const auto &from = llvm::cast<ImportFromStmtAST>(*module->getBody()[4]);
  EXPECT_EQ(from.getModule(), "nets");
  EXPECT_EQ(from.getLevel(), 0u);
  EXPECT_EQ(from.getNames()[0].asName, "ru");
  EXPECT_EQ(lineCol(from.getNames()[0].asLoc), "5:34");
  EXPECT_EQ(lineCol(from.getModuleLoc()), "5:6");
}

TEST_F(ParserTest, FunctionDefinitions) {
  EXPECT_EQ(dump("def f():\n"
                 "  pass\n"
                 "def vgg_16(inputs, num_classes=1000, is_training=True,\n"
                 "           scope='vgg_16',):\n"
                 "  return net, end_points\n"
                 "def g(a, *args, **kwargs): return\n"
                 "def h(a, *, k=1, j): return a\n"
                 "def k(a, *rest, key=None, **kw):\n"
                 "  '''Doc.'''\n"
                 "  return (a)\n"
                 "def annotated(x: int, y: 'T' = 2) -> int:\n"
                 "  return x\n"),
            "Def f()\n"
            "  Pass\n"
            "Def vgg_16(inputs, num_classes=1000, is_training=True, "
            "scope='vgg_16')\n"
            "  Return (tuple net end_points)\n"
            "Def g(a, *args, **kwargs)\n"
            "  Return\n"
            "Def h(a, *, k=1, j)\n"
            "  Return a\n"
            "Def k(a, *rest, key=None, **kw)\n"
            "  Expr 'Doc.'\n"
            "  Return a\n"
            "Def annotated(x, y=2)\n"
            "  Return x\n");
  const auto &h = llvm::cast<FunctionDefAST>(*module->getBody()[3]);
  ASSERT_EQ(h.getParams().size(), 3u);
  EXPECT_EQ(h.getParams()[1].kind, Param::KeywordOnly);
  EXPECT_EQ(h.getParams()[2].kind, Param::KeywordOnly);
  EXPECT_EQ(h.getParams()[2].defaultValue, nullptr);
  EXPECT_EQ(lineCol(h.getNameLoc()), "7:5");
  EXPECT_EQ(lineCol(h.getParams()[1].loc), "7:13");
}

TEST_F(ParserTest, Lambdas) {
  EXPECT_EQ(expr("lambda: 1"), "(lambda () 1)");
  EXPECT_EQ(expr("lambda stddev: tf.truncated_normal_initializer(0.0, "
                 "stddev)"),
            "(lambda (stddev) (call (. tf truncated_normal_initializer) 0.0 "
            "stddev))");
  EXPECT_EQ(expr("lambda d: max(int(d * depth_multiplier), min_depth)"),
            "(lambda (d) (call max (call int (* d depth_multiplier)) "
            "min_depth))");
  EXPECT_EQ(expr("lambda a, b=1, *c, k, **kw: a if b else c"),
            "(lambda (a, b=1, *c, k, **kw) (if b a c))");
  EXPECT_EQ(expr("f(lambda x: x, key=lambda y: -y)"),
            "(call f (lambda (x) x) key=(lambda (y) (- y)))");
  EXPECT_EQ(expr("lambda x: lambda y: x + y"),
            "(lambda (x) (lambda (y) (+ x y)))");
  unsigned id = fixture.load("lambda a, b: a\n");
  Parser parser(fixture.sourceMgr, id);
  ExprPtr e = parser.parseStandaloneExpression();
  ASSERT_TRUE(e);
  const auto &l = llvm::cast<LambdaExprAST>(*e);
  ASSERT_EQ(l.getParams().size(), 2u);
  EXPECT_EQ(lineCol(l.getLoc()), "1:1");
  EXPECT_EQ(lineCol(l.getParams()[1].loc), "1:11");
}

TEST_F(ParserTest, ErrorLambdas) {
  EXPECT_EQ(error("f = lambda x\n"),
            "1:13: error: expected ',' or ':' in lambda parameter list, found "
            "end of line");
  EXPECT_EQ(error("f = lambda x: \n"),
            "1:15: error: expected expression, found end of line");
  EXPECT_EQ(error("f = lambda x, x: 1\n"),
            "1:15: error: duplicate parameter 'x' in function definition\n"
            "1:12: note: previous parameter 'x' is here");
  EXPECT_EQ(error("f = lambda: return\n"),
            "1:13: error: expected expression, found 'return'");
}

TEST_F(ParserTest, Classes) {
  EXPECT_EQ(dump("class Block(collections.namedtuple('Block', ['scope', "
                 "'unit_fn', 'args'])):\n"
                 "  \"\"\"A named tuple describing a ResNet block.\"\"\"\n"
                 "\n"
                 "class NoOpScope(object):\n"
                 "  \"\"\"No-op context manager.\"\"\"\n"
                 "  def __enter__(self):\n"
                 "    return None\n"
                 "  def __exit__(self, exc_type, exc_value, traceback):\n"
                 "    return False\n"
                 "class Empty: pass\n"
                 "@deco\n"
                 "class E2(): pass\n"),
            "Class Block((call (. collections namedtuple) 'Block' (list "
            "'scope' 'unit_fn' 'args')))\n"
            "  Expr 'A named tuple describing a ResNet block.'\n"
            "Class NoOpScope(object)\n"
            "  Expr 'No-op context manager.'\n"
            "  Def __enter__(self)\n"
            "    Return None\n"
            "  Def __exit__(self, exc_type, exc_value, traceback)\n"
            "    Return False\n"
            "Class Empty()\n"
            "  Pass\n"
            "@deco\n"
            "Class E2()\n"
            "  Pass\n");
  const auto &c = llvm::cast<ClassDefAST>(*module->getBody()[1]);
  EXPECT_EQ(c.getName(), "NoOpScope");
  EXPECT_EQ(lineCol(c.getNameLoc()), "4:7");
  EXPECT_EQ(c.getBases().size(), 1u);
  EXPECT_EQ(c.getBody().size(), 3u);
}

TEST_F(ParserTest, ErrorClasses) {
  EXPECT_EQ(error("class A(metaclass=M):\n  pass\n"),
            "1:9: error: keyword arguments in a class definition are not "
            "supported by slimc");
  EXPECT_EQ(error("class A(B C):\n  pass\n"),
            "1:11: error: expected ',' or ')' after base class, found 'C'");
  EXPECT_EQ(error("class A\n  pass\n"),
            "1:8: error: expected ':' after the class name, found end of line");
  EXPECT_EQ(error("class A:\n  return 1\n"),
            "2:3: error: 'return' outside function");
  EXPECT_EQ(error("class:\n  pass\n"),
            "1:6: error: expected class name after 'class', found ':'");
  EXPECT_EQ(error("class A:\npass\n"),
            "2:1: error: expected an indented block after class definition "
            "on line 1, found 'pass'");
}

TEST_F(ParserTest, Decorators) {
  EXPECT_EQ(dump("@slim.add_arg_scope\n"
                 "@other(1)\n"
                 "def my_layer(x):\n"
                 "  return x\n"),
            "@(. slim add_arg_scope)\n"
            "@(call other 1)\n"
            "Def my_layer(x)\n"
            "  Return x\n");
  const auto &f = llvm::cast<FunctionDefAST>(*module->getBody()[0]);
  EXPECT_EQ(f.getDecorators().size(), 2u);
  EXPECT_EQ(lineCol(f.getLoc()), "3:1");
}

TEST_F(ParserTest, IfElifElse) {
  EXPECT_EQ(dump("if num_classes:\n"
                 "  a = 1\n"
                 "elif x is not None:\n"
                 "  a = 2\n"
                 "elif y: a = 3\n"
                 "else:\n"
                 "  if z:\n"
                 "    pass\n"
                 "b = 4\n"),
            "If num_classes\n"
            "  Assign a = 1\n"
            "Elif (cmp x is not None)\n"
            "  Assign a = 2\n"
            "Elif y\n"
            "  Assign a = 3\n"
            "Else\n"
            "  If z\n"
            "    Pass\n"
            "Assign b = 4\n");
  const auto &i = llvm::cast<IfStmtAST>(*module->getBody()[0]);
  EXPECT_EQ(i.getClauses().size(), 3u);
  EXPECT_TRUE(i.hasElse());
  EXPECT_EQ(lineCol(i.getClauses()[1].loc), "3:1");
  EXPECT_EQ(lineCol(i.getElseLoc()), "6:1");
}

TEST_F(ParserTest, ForLoops) {
  EXPECT_EQ(dump("for i in range(3):\n"
                 "  net = slim.conv2d(net, 256, [3, 3], scope='conv3_%d' % "
                 "(i+1))\n"
                 "  if i: break\n"
                 "  continue\n"
                 "for i, (a, b) in enumerate(pairs):\n"
                 "  pass\n"
                 "for x in 1, 2:\n"
                 "  pass\n"),
            "For i in (call range 3)\n"
            "  Assign net = (call (. slim conv2d) net 256 (list 3 3) "
            "scope=(% 'conv3_%d' (+ i 1)))\n"
            "  If i\n"
            "    Break\n"
            "  Continue\n"
            "For (tuple i (tuple a b)) in (call enumerate pairs)\n"
            "  Pass\n"
            "For x in (tuple 1 2)\n"
            "  Pass\n");
}

TEST_F(ParserTest, With) {
  EXPECT_EQ(dump("with tf.variable_scope(scope, 'vgg_16', [inputs]) as sc:\n"
                 "  end_points_collection = sc.original_name_scope + "
                 "'_end_points'\n"
                 "  with slim.arg_scope([slim.conv2d]), tf.name_scope('x') as "
                 "ns, a as (b, c):\n"
                 "    pass\n"),
            "With (call (. tf variable_scope) scope 'vgg_16' (list inputs)) "
            "as sc\n"
            "  Assign end_points_collection = (+ (. sc original_name_scope) "
            "'_end_points')\n"
            "  With (call (. slim arg_scope) (list (. slim conv2d))), (call "
            "(. tf name_scope) 'x') as ns, a as (tuple b c)\n"
            "    Pass\n");
}

TEST_F(ParserTest, RaiseAssertPass) {
  EXPECT_EQ(dump("def f(x):\n"
                 "  if x:\n"
                 "    raise ValueError('bad value %s' % x)\n"
                 "  raise\n"
                 "  raise E from e\n"
                 "assert x\n"
                 "assert x > 0, 'must be positive'\n"),
            "Def f(x)\n"
            "  If x\n"
            "    Raise (call ValueError (% 'bad value %s' x))\n"
            "  Raise\n"
            "  Raise E from e\n"
            "Assert x\n"
            "Assert (cmp x > 0), 'must be positive'\n");
}

TEST_F(ParserTest, BlankLinesCommentsAndSemicolons) {
  EXPECT_EQ(dump("\n\n# header\n\ndef f():\n\n  # c\n  a = 1; b = 2\n\n"
                 "  return a\n\n\n"),
            "Def f()\n"
            "  Assign a = 1\n"
            "  Assign b = 2\n"
            "  Return a\n");
}

//===----------------------------------------------------------------------===//
// Seed document snippets
//===----------------------------------------------------------------------===//

TEST_F(ParserTest, SeedVgg16) {
  std::string dumped =
      dump("def vgg16(inputs):\n"
           "  with slim.arg_scope([slim.conv2d, slim.fully_connected],\n"
           "                      activation_fn=tf.nn.relu,\n"
           "                      weights_initializer="
           "tf.truncated_normal_initializer(0.0, 0.01),\n"
           "                      weights_regularizer="
           "slim.l2_regularizer(0.0005)):\n"
           "    net = slim.repeat(inputs, 2, slim.conv2d, 64, [3, 3], "
           "scope='conv1')\n"
           "    net = slim.max_pool2d(net, [2, 2], scope='pool1')\n"
           "    net = slim.fully_connected(net, 1000, activation_fn=None, "
           "scope='fc8')\n"
           "  return net\n");
  EXPECT_EQ(dumped,
            "Def vgg16(inputs)\n"
            "  With (call (. slim arg_scope) (list (. slim conv2d) (. slim "
            "fully_connected)) activation_fn=(. (. tf nn) relu) "
            "weights_initializer=(call (. tf truncated_normal_initializer) "
            "0.0 0.01) weights_regularizer=(call (. slim l2_regularizer) "
            "0.0005))\n"
            "    Assign net = (call (. slim repeat) inputs 2 (. slim conv2d) "
            "64 (list 3 3) scope='conv1')\n"
            "    Assign net = (call (. slim max_pool2d) net (list 2 2) "
            "scope='pool1')\n"
            "    Assign net = (call (. slim fully_connected) net 1000 "
            "activation_fn=None scope='fc8')\n"
            "  Return net\n");
}

TEST_F(ParserTest, SeedStack) {
  EXPECT_EQ(dump("# Using stack:\n"
                 "slim.stack(x, slim.conv2d, [(32, [3, 3]), (32, [1, 1]), "
                 "(64, [3, 3]), (64, [1, 1])], scope='core')\n"),
            "Expr (call (. slim stack) x (. slim conv2d) (list (tuple 32 "
            "(list 3 3)) (tuple 32 (list 1 1)) (tuple 64 (list 3 3)) (tuple "
            "64 (list 1 1))) scope='core')\n");
}

TEST_F(ParserTest, SeedConvWithPercentParsesFine) {
  // The mistake in this snippet ('conv3_' has no format placeholder) is a
  // runtime error in Python; the elaborator reports it, not the parser.
  EXPECT_EQ(dump("net = ...\n"
                 "for i in range(3):\n"
                 "  net = slim.conv2d(net, 256, [3, 3], scope='conv3_' % "
                 "(i+1))\n"
                 "net = slim.max_pool2d(net, [2, 2], scope='pool2')\n"),
            "Assign net = ...\n"
            "For i in (call range 3)\n"
            "  Assign net = (call (. slim conv2d) net 256 (list 3 3) "
            "scope=(% 'conv3_' (+ i 1)))\n"
            "Assign net = (call (. slim max_pool2d) net (list 2 2) "
            "scope='pool2')\n");
}

TEST_F(ParserTest, SeedArgScopeMissingComma) {
  EXPECT_EQ(error("with slim.arg_scope([slim.conv2d], padding='SAME',\n"
                  "                    weights_initializer="
                  "tf.truncated_normal_initializer(stddev=0.01)\n"
                  "                    weights_regularizer="
                  "slim.l2_regularizer(0.0005)):\n"
                  "  net = slim.conv2d(inputs, 64, [11, 11], scope='conv1')\n"),
            "3:21: error: expected ',' or ')' after keyword argument "
            "'weights_initializer', found 'weights_regularizer'");
  // The rendering has the file, the source line and a caret under the
  // argument that should have been preceded by a comma.
  EXPECT_EQ(fixture.rendered,
            "test.slim:3:21: error: expected ',' or ')' after keyword argument "
            "'weights_initializer', found 'weights_regularizer'\n"
            "                    weights_regularizer="
            "slim.l2_regularizer(0.0005)):\n"
            "                    ^\n");
}

TEST_F(ParserTest, SeedArgScopeAsWrittenIsIndented) {
  // The seed writes this snippet indented by two spaces, which Python
  // rejects before it ever sees the missing comma.
  EXPECT_EQ(error("  with slim.arg_scope([slim.conv2d], padding='SAME'):\n"
                  "    pass\n"),
            "1:3: error: unexpected indent");
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(ParserTest, ErrorCallArguments) {
  EXPECT_EQ(error("f(a b)\n"),
            "1:5: error: expected ',' or ')' after argument, found 'b'");
  EXPECT_EQ(error("f(a=1, 2)\n"),
            "1:8: error: positional argument follows keyword argument");
  EXPECT_EQ(error("f(**k, 2)\n"),
            "1:8: error: positional argument follows keyword argument "
            "unpacking");
  EXPECT_EQ(error("f(**k, *a)\n"),
            "1:8: error: iterable argument unpacking follows keyword "
            "argument unpacking");
  EXPECT_EQ(error("f(scope='a',\n  scope='b')\n"),
            "2:3: error: keyword argument 'scope' repeated\n"
            "1:3: note: 'scope' was first given here");
  EXPECT_EQ(error("f(a.b=1)\n"),
            "1:3: error: keyword argument name must be a plain identifier; "
            "use '==' to compare");
  EXPECT_EQ(error("f(a, x for x in y)\n"),
            "1:6: error: generator expression must be parenthesized");
  EXPECT_EQ(error("f(a,\n  b\n"),
            "3:1: error: expected ',' or ')' after argument, found end of "
            "file\n"
            "1:2: note: to match this '('");
  EXPECT_EQ(error("f(a=)\n"), "1:5: error: expected expression, found ')'");
}

TEST_F(ParserTest, ErrorBrackets) {
  EXPECT_EQ(error("x = [1, 2\ny = 3\n"),
            "2:1: error: expected ',' or ']' in list, found 'y'");
  EXPECT_EQ(error("x = (1, 2\n"),
            "2:1: error: expected ',' or ')' in tuple, found end of file\n"
            "1:5: note: to match this '('");
  EXPECT_EQ(error("x = (1 2)\n"),
            "1:8: error: expected ',' or ')' in tuple, found number '2'");
  EXPECT_EQ(error("x = {'a': 1 'b': 2}\n"),
            "1:13: error: expected ',' or '}' in dict literal, found string "
            "literal");
  EXPECT_EQ(error("x = {'a' 1}\n"),
            "1:10: error: expected ':' after dict key, found number '1'");
  EXPECT_EQ(error("x = {1, 2}\n"),
            "1:5: error: set literals are not supported by slimc");
  EXPECT_EQ(error("x = {**a}\n"),
            "1:6: error: dict unpacking ('**') is not supported by slimc");
  EXPECT_EQ(error("x = {k: v for k a}\n"),
            "1:17: error: expected 'in' in dict comprehension, found 'a'");
  EXPECT_EQ(error("x = a[1\n"),
            "2:1: error: expected ',' or ']' in subscript, found end of file\n"
            "1:6: note: to match this '['");
  EXPECT_EQ(error("x = a[]\n"), "1:7: error: expected expression, found ']'");
  EXPECT_EQ(error("x = )\n"), "1:5: error: expected expression, found ')'");
  EXPECT_EQ(error("x = (y for y in a\n"),
            "2:1: error: expected ')' at the end of the generator expression, "
            "found end of file\n"
            "1:5: note: to match this '('");
  EXPECT_EQ(error("x = [*a]\n"),
            "1:6: error: starred expressions are not supported here");
}

TEST_F(ParserTest, ErrorExpressions) {
  EXPECT_EQ(error("x = \n"),
            "1:5: error: expected expression, found end of line");
  EXPECT_EQ(error("x = a +\n"),
            "1:8: error: expected expression, found end of line");
  EXPECT_EQ(error("x = a if b\n"),
            "1:11: error: expected 'else' in conditional expression, found "
            "end of line");
  EXPECT_EQ(error("x = a.1\n"),
            "1:6: error: expected end of line after statement, found number "
            "'.1'");
  EXPECT_EQ(error("x = a.if\n"),
            "1:7: error: expected attribute name after '.', found 'if'");
  EXPECT_EQ(error("x = a b\n"),
            "1:7: error: expected end of line after statement, found 'b'");
  EXPECT_EQ(error("x = 99999999999999999999\n"),
            "1:5: error: integer literal too large: slimc integers are 64-bit "
            "(at most 9223372036854775807)");
  EXPECT_EQ(error("x = 9223372036854775808\n"),
            "1:5: error: integer literal too large: slimc integers are 64-bit "
            "(at most 9223372036854775807)");
  EXPECT_EQ(error("x = 0xFFFFFFFFFFFFFFFFFFFF\n"),
            "1:5: error: integer literal too large: slimc integers are 64-bit "
            "(at most 9223372036854775807)");
  EXPECT_EQ(error("x = 1e999\n"),
            "1:5: error: floating-point literal too large");
  EXPECT_EQ(error("x = 'a' b'b'\n"),
            "1:9: error: cannot mix bytes and non-bytes string literals");
  EXPECT_EQ(error("x = '\\x4'\n"),
            "1:6: error: invalid '\\x' escape: expected two hex digits");
  EXPECT_EQ(error("x = '\\u12'\n"),
            "1:6: error: invalid '\\u' escape: expected 4 hex digits");
  EXPECT_EQ(error("x = '\\U00110000'\n"),
            "1:6: error: escape is not a valid unicode code point");
  EXPECT_EQ(error("x = '\\N{DASH}'\n"),
            "1:6: error: '\\N{...}' escapes are not supported by slimc");
  EXPECT_EQ(error("x = b'\xc3\xa9'\n"),
            "1:7: error: bytes literals may only contain ASCII characters");
}

TEST_F(ParserTest, ErrorUnsupported) {
  EXPECT_EQ(error("async def f():\n  pass\n"),
            "1:1: error: 'async' is not supported by slimc");
  EXPECT_EQ(error("yield 1\n"), "1:1: error: 'yield' outside function");
  EXPECT_EQ(error("class A:\n  yield 1\n"),
            "2:3: error: 'yield' outside function");
  EXPECT_EQ(error("def f():\n  return lambda: (yield)\n"),
            "2:19: error: 'yield' inside a lambda is not supported by slimc");
  EXPECT_EQ(error("def f():\n  return [(yield x) for x in y]\n"),
            "2:12: error: 'yield' inside a comprehension");
  EXPECT_EQ(error("try:\n  pass\n"),
            "3:1: error: expected 'except' or 'finally' block, found end of "
            "file");
  EXPECT_EQ(error("try:\n  pass\nexcept:\n  pass\nexcept E:\n  pass\n"),
            "3:1: error: default 'except:' must be last");
  EXPECT_EQ(error("try:\n  pass\nexcept A, B:\n  pass\n"),
            "3:9: error: multiple exception types must be parenthesized");
  EXPECT_EQ(error("except E:\n  pass\n"),
            "1:1: error: 'except' must follow a 'try' block at the same "
            "indentation");
  EXPECT_EQ(error("def f():\n  nonlocal x\n"),
            "2:3: error: nonlocal declaration not allowed at module level or "
            "in a function that is not nested");
  // `del` parses (names, subscripts, attributes, flattened tuples); what
  // cannot be deleted is refused at the target.
  EXPECT_EQ(dump("del a, b[0], c.d\n"), "Del (tuple a ([] b 0) (. c d))\n");
  EXPECT_EQ(error("del f()\n"), "1:5: error: cannot delete function call");
  EXPECT_EQ(error("x = a | b\n"),
            "1:7: error: operator '|' is not supported by slimc");
  EXPECT_EQ(error("x = ~a\n"),
            "1:5: error: operator '~' is not supported by slimc");
  EXPECT_EQ(error("x = a << 2\n"),
            "1:7: error: operator '<<' is not supported by slimc");
  EXPECT_EQ(error("from a import *\n"),
            "1:15: error: 'from ... import *' is not supported by slimc; "
            "import the names you use");
  EXPECT_EQ(error("x: int = 1\n"),
            "1:2: error: variable annotations are not supported by slimc");
  EXPECT_EQ(error("def f(a, /, b):\n  pass\n"),
            "1:10: error: positional-only parameters ('/') are not supported "
            "by slimc");
  EXPECT_EQ(error("a, *b = c\n"),
            "1:4: error: starred expressions are not supported here");
  EXPECT_EQ(error("for *a in b:\n  pass\n"),
            "1:5: error: starred assignment targets are not supported by "
            "slimc");
  EXPECT_EQ(error("print x\n"),
            "1:1: error: missing parentheses in call to 'print'");
}

TEST_F(ParserTest, ErrorAssignmentTargets) {
  EXPECT_EQ(error("f() = 1\n"), "1:1: error: cannot assign to function call");
  EXPECT_EQ(error("a + b = 1\n"), "1:1: error: cannot assign to expression");
  EXPECT_EQ(error("1 = a\n"), "1:1: error: cannot assign to literal");
  EXPECT_EQ(error("None = a\n"), "1:1: error: cannot assign to None");
  EXPECT_EQ(error("a, f() = x\n"),
            "1:4: error: cannot assign to function call");
  EXPECT_EQ(error("a = f() = x\n"),
            "1:5: error: cannot assign to function call");
  EXPECT_EQ(error("a, b += 1\n"),
            "1:1: error: cannot use a tuple as the target of an augmented "
            "assignment");
  EXPECT_EQ(error("for f() in x:\n  pass\n"),
            "1:5: error: cannot assign to function call");
  EXPECT_EQ(error("with a as f():\n  pass\n"),
            "1:11: error: cannot assign to function call");
  EXPECT_EQ(error("lambda: 1 = 2\n"), "1:1: error: cannot assign to lambda");
  EXPECT_EQ(error("x = [1 for 2 in a]\n"),
            "1:12: error: cannot assign to literal");
}

TEST_F(ParserTest, ErrorStatements) {
  EXPECT_EQ(error("return 1\n"), "1:1: error: 'return' outside function");
  EXPECT_EQ(error("break\n"), "1:1: error: 'break' outside loop");
  EXPECT_EQ(error("for x in y:\n  def f():\n    continue\n"),
            "3:5: error: 'continue' outside loop");
  EXPECT_EQ(error("else:\n  pass\n"),
            "1:1: error: 'else' must follow an 'if', 'for', 'while' or 'try' "
            "block at the same indentation");
  EXPECT_EQ(error("if a:\n  if b:\n    pass\nelif c:\n  pass\n  elif d:\n"
                  "    pass\n"),
            "6:3: error: 'elif' must follow an 'if' block at the same "
            "indentation");
  EXPECT_EQ(error("if a\n  pass\n"),
            "1:5: error: expected ':' after the 'if' condition, found end of "
            "line");
  EXPECT_EQ(error("if a:\npass\n"),
            "2:1: error: expected an indented block after 'if' statement on "
            "line 1, found 'pass'");
  EXPECT_EQ(error("def f():\n\n"),
            "3:1: error: expected an indented block after function definition "
            "on line 1, found end of file");
  EXPECT_EQ(error("a = 1\n  b = 2\n"), "2:3: error: unexpected indent");
  EXPECT_EQ(error("for x y:\n  pass\n"),
            "1:7: error: expected 'in' after the loop variable, found 'y'");
  EXPECT_EQ(error("for x in y\n  pass\n"),
            "1:11: error: expected ':' after the 'for' iterable, found end of "
            "line");
  EXPECT_EQ(error("with a as b c:\n  pass\n"),
            "1:13: error: expected ':' after the 'with' items, found 'c'");
  EXPECT_EQ(error("if a: for x in y: pass\n"),
            "1:7: error: 'for' must start a new line after ':'");
  EXPECT_EQ(error("import\n"),
            "1:7: error: expected module name, found end of line");
  EXPECT_EQ(error("import a.\n"),
            "1:10: error: expected name after '.' in module name, found end "
            "of line");
  EXPECT_EQ(error("import a as\n"),
            "1:12: error: expected name after 'as', found end of line");
  EXPECT_EQ(error("from a b\n"),
            "1:8: error: expected 'import' after the module name, found 'b'");
  EXPECT_EQ(error("from a import b,\n"),
            "1:17: error: expected name to import, found end of line");
  EXPECT_EQ(error("from a import (b\n"),
            "2:1: error: expected ',' or ')' in import list, found end of "
            "file\n"
            "1:15: note: to match this '('");
  EXPECT_EQ(error("@deco\nx = 1\n"),
            "2:1: error: expected 'def' or 'class' after decorator, found "
            "'x'");
  EXPECT_EQ(error("a = 1 = \n"),
            "1:9: error: expected expression, found end of line");
}

TEST_F(ParserTest, ErrorParameters) {
  EXPECT_EQ(error("def f(a=1, b):\n  pass\n"),
            "1:12: error: parameter 'b' without a default follows a parameter "
            "with a default");
  EXPECT_EQ(error("def f(a, a):\n  pass\n"),
            "1:10: error: duplicate parameter 'a' in function definition\n"
            "1:7: note: previous parameter 'a' is here");
  EXPECT_EQ(error("def f(*a, *b):\n  pass\n"),
            "1:11: error: only one '*' may appear in a parameter list");
  EXPECT_EQ(error("def f(**k, a):\n  pass\n"),
            "1:12: error: expected ')' after the '**' parameter, found 'a'");
  EXPECT_EQ(error("def f(*):\n  pass\n"),
            "1:8: error: expected parameter name or ',' after '*', found ')'");
  EXPECT_EQ(error("def f(*, **k):\n  pass\n"),
            "1:7: error: named parameters must follow bare '*'");
  EXPECT_EQ(error("def f(*a=1):\n  pass\n"),
            "1:9: error: '*' and '**' parameters cannot have a default value");
  EXPECT_EQ(error("def f(a b):\n  pass\n"),
            "1:9: error: expected ',' or ')' in parameter list, found 'b'");
  EXPECT_EQ(error("def f(1):\n  pass\n"),
            "1:7: error: expected parameter name, found number '1'");
  EXPECT_EQ(error("def (a):\n  pass\n"),
            "1:5: error: expected function name after 'def', found '('");
  EXPECT_EQ(error("def f(a)\n  pass\n"),
            "1:9: error: expected ':' after the function signature, found end "
            "of line");
}

TEST_F(ParserTest, LexerErrorsAreReportedOnce) {
  EXPECT_EQ(error("x = f(a, 'unterminated\n"),
            "1:10: error: unterminated string literal");
  EXPECT_EQ(error("if a:\n    b\n  c\n"),
            "3:3: error: unindent does not match any outer indentation level");
  EXPECT_EQ(error("x = $\n"), "1:5: error: unexpected character '$'");
}

//===----------------------------------------------------------------------===//
// Hostile input
//===----------------------------------------------------------------------===//

TEST_F(ParserTest, DeepParentheses) {
  std::string source =
      "x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n";
  std::string diag = error(source);
  EXPECT_NE(diag.find("error: nesting too deep"), std::string::npos) << diag;
}

TEST_F(ParserTest, MillionOpenBrackets) {
  std::string diag = error(std::string(1000000, '['));
  EXPECT_NE(diag.find("error: nesting too deep"), std::string::npos) << diag;
}

TEST_F(ParserTest, NestingAtTheLimitIsFine) {
  std::string source =
      "x = " + std::string(150, '[') + "1" + std::string(150, ']') + "\n";
  EXPECT_NE(parse(source), nullptr) << fixture.allDiagnostics();
}

TEST_F(ParserTest, DeepUnaryAndPowerChains) {
  std::string diag = error("x = " + std::string(100000, '-') + "1\n");
  EXPECT_NE(diag.find("error: nesting too deep"), std::string::npos) << diag;

  std::string notChain = "x = ";
  for (unsigned i = 0; i < 100000; ++i)
    notChain += "not ";
  diag = error(notChain + "a\n");
  EXPECT_NE(diag.find("error: nesting too deep"), std::string::npos) << diag;

  std::string power = "x = 2";
  for (unsigned i = 0; i < 100000; ++i)
    power += " ** 2";
  diag = error(power + "\n");
  EXPECT_NE(diag.find("error: nesting too deep"), std::string::npos) << diag;

  std::string ternary = "x = a";
  for (unsigned i = 0; i < 100000; ++i)
    ternary += " if c else a";
  diag = error(ternary + "\n");
  EXPECT_NE(diag.find("error: nesting too deep"), std::string::npos) << diag;
}

TEST_F(ParserTest, LongLeftAssociativeChainsAreCapped) {
  // A loop builds these, so the parser's recursion stays flat, but the
  // tree would be 100k levels tall for the elaborator to walk.
  std::string sum = "x = 1";
  for (unsigned i = 0; i < 100000; ++i)
    sum += " + 1";
  std::string diag = error(sum + "\n");
  EXPECT_NE(diag.find("error: expression nesting too deep"), std::string::npos)
      << diag;

  std::string attrs = "x = a";
  for (unsigned i = 0; i < 100000; ++i)
    attrs += ".b";
  diag = error(attrs + "\n");
  EXPECT_NE(diag.find("error: expression nesting too deep"), std::string::npos)
      << diag;

  std::string calls = "x = f";
  for (unsigned i = 0; i < 100000; ++i)
    calls += "()";
  diag = error(calls + "\n");
  EXPECT_NE(diag.find("error: expression nesting too deep"), std::string::npos)
      << diag;
}

TEST_F(ParserTest, ChainsBelowTheHeightLimitAreFine) {
  std::string sum = "x = 1";
  for (unsigned i = 0; i < 900; ++i)
    sum += " + 1";
  EXPECT_NE(parse(sum + "\n"), nullptr) << fixture.allDiagnostics();
}

TEST_F(ParserTest, DeepBlocks) {
  std::string source;
  for (unsigned i = 0; i < 1000; ++i)
    source += std::string(i, ' ') + "if a:\n";
  source += std::string(1000, ' ') + "pass\n";
  std::string diag = error(source);
  EXPECT_NE(diag.find("error: too many levels of indentation"),
            std::string::npos)
      << diag;
}

TEST_F(ParserTest, FlatButHugeInputsAreFine) {
  // Wide (not deep) structures and long elif chains stay flat in the AST.
  std::string list = "x = [";
  for (unsigned i = 0; i < 200000; ++i)
    list += "1, ";
  list += "]\n";
  std::string elifs = "if a:\n  pass\n";
  for (unsigned i = 0; i < 20000; ++i)
    elifs += "elif a:\n  pass\n";
  std::string args = "f(";
  for (unsigned i = 0; i < 50000; ++i)
    args += "k" + std::to_string(i) + "=1, ";
  args += ")\n";
  std::string chain = "x = a";
  for (unsigned i = 0; i < 50000; ++i)
    chain += " < a";
  EXPECT_NE(parse(list + elifs + args + chain + "\n"), nullptr)
      << fixture.allDiagnostics();
}

TEST_F(ParserTest, ManyStatementsAreLinear) {
  std::string source;
  for (unsigned i = 0; i < 30000; ++i)
    source += "net = slim.conv2d(net, 64, [3, 3], scope='conv%d' % i)\n";
  module = parse(source);
  ASSERT_NE(module, nullptr) << fixture.allDiagnostics();
  EXPECT_EQ(module->getBody().size(), 30000u);
}

} // namespace
