//===- AST.h - Abstract syntax tree of a slimc model file -------*- C++ -*-===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//
//
// The AST of the Python subset that TF-Slim model files are written in.
//
// Usage notes for the elaborator:
//
//  * Produce a tree with `slim::parseModule(sourceMgr, bufferId)` (Parser.h).
//    It returns nullptr after printing exactly one diagnostic through
//    `SourceMgr::PrintMessage`, so a diag handler installed on the SourceMgr
//    sees it.
//  * Identifier names (`llvm::StringRef`) point into the SourceMgr buffer:
//    the SourceMgr must outlive the AST. Decoded string literal values and
//    dotted import names are owned by the nodes (`std::string`).
//  * Every node has `getLoc()`: the first character of the construct (for
//    expressions, where the expression begins; for a call, the start of the
//    callee; for a statement, its keyword or its first expression). Nodes
//    keep extra locations where a diagnostic wants a better caret: the
//    operator of a binary/compare/logical expression, the name after the
//    dot of an attribute, each call argument and keyword name, each
//    parameter name, the `as` target of imports.
//  * Dispatch with `llvm::isa/cast/dyn_cast` (LLVM-style `classof`); the
//    code is built without RTTI.
//  * Depth guarantees (checked by the parser, so recursive walkers cannot
//    overflow the stack): no expression tree is taller than MaxExprHeight
//    and no statement is nested in more than MaxBlockDepth blocks.
//  * `elif` chains are flattened into IfStmtAST's clause list, so they do
//    not nest.
//  * `lambda` (LambdaExprAST) and `class` (ClassDefAST) are parsed because
//    TF-Slim's reference nets use them (`trunc_normal = lambda stddev: ...`,
//    `class Block(collections.namedtuple(...))`); the elaborator decides
//    what it supports and reports the rest at the node's location.
//  * A `def` whose body contains `yield` is a generator function
//    (FunctionDefAST::isGenerator, set by the parser); `yield` elsewhere is
//    a syntax error, as in Python.
//  * Rejected by the parser with "... is not supported by slimc":
//    async/await, f-strings, `|`/`&`/`^`/`~`/`<<`/`>>`, `:=`, set literals
//    and comprehensions, `import *`, starred targets.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_AST_H
#define SLIM_FRONTEND_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace slim {

/// Upper bound on the height of any expression tree the parser produces.
constexpr unsigned MaxExprHeight = 1000;
/// Upper bound on how many blocks (def/if/for/with bodies) may enclose a
/// statement.
constexpr unsigned MaxBlockDepth = 100;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// Base class of all expression nodes.
class ExprAST {
public:
  enum ExprASTKind {
    Expr_Name,
    Expr_Int,
    Expr_Float,
    Expr_String,
    Expr_Bool,
    Expr_None,
    Expr_Ellipsis,
    Expr_List,
    Expr_Tuple,
    Expr_Dict,
    Expr_Unary,
    Expr_Binary,
    Expr_Logical,
    Expr_Compare,
    Expr_IfElse,
    Expr_Call,
    Expr_Attribute,
    Expr_Subscript,
    Expr_Slice,
    Expr_Comprehension,
    Expr_Lambda,
    Expr_Yield,
  };

  ExprAST(ExprASTKind kind, llvm::SMLoc loc, unsigned height = 1)
      : kind(kind), loc(loc), height(height) {}
  virtual ~ExprAST() = default;

  ExprASTKind getKind() const { return kind; }
  /// Where the expression begins in the source.
  llvm::SMLoc getLoc() const { return loc; }
  /// Number of nodes on the longest path from this node to a leaf (a leaf
  /// has height 1). Computed at construction; bounded by MaxExprHeight.
  unsigned getHeight() const { return height; }

private:
  const ExprASTKind kind;
  llvm::SMLoc loc;
  unsigned height;
};

using ExprPtr = std::unique_ptr<ExprAST>;
using ExprList = std::vector<ExprPtr>;

/// An identifier used as a value or as an assignment target: `net`.
class NameExprAST : public ExprAST {
public:
  NameExprAST(llvm::SMLoc loc, llvm::StringRef name)
      : ExprAST(Expr_Name, loc), name(name) {}
  llvm::StringRef getName() const { return name; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Name; }

private:
  llvm::StringRef name;
};

/// An integer literal (decimal, hex, octal or binary). Literals that do not
/// fit in int64_t are rejected by the parser.
class IntExprAST : public ExprAST {
public:
  IntExprAST(llvm::SMLoc loc, int64_t value)
      : ExprAST(Expr_Int, loc), value(value) {}
  int64_t getValue() const { return value; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Int; }

private:
  int64_t value;
};

/// A floating-point literal: `0.01`, `1e-3`, `.5`, `5.`.
class FloatExprAST : public ExprAST {
public:
  FloatExprAST(llvm::SMLoc loc, double value)
      : ExprAST(Expr_Float, loc), value(value) {}
  double getValue() const { return value; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Float; }

private:
  double value;
};

/// A string literal with escapes decoded and adjacent literals
/// (`'a' 'b'`) concatenated. `\u` escapes are stored as UTF-8.
class StringExprAST : public ExprAST {
public:
  StringExprAST(llvm::SMLoc loc, std::string value, bool isBytes)
      : ExprAST(Expr_String, loc), value(std::move(value)), isBytes(isBytes) {}
  llvm::StringRef getValue() const { return value; }
  /// True for `b'...'` literals.
  bool isBytesLiteral() const { return isBytes; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_String; }

private:
  std::string value;
  bool isBytes;
};

/// `True` or `False`.
class BoolExprAST : public ExprAST {
public:
  BoolExprAST(llvm::SMLoc loc, bool value)
      : ExprAST(Expr_Bool, loc), value(value) {}
  bool getValue() const { return value; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Bool; }

private:
  bool value;
};

/// `None`.
class NoneExprAST : public ExprAST {
public:
  explicit NoneExprAST(llvm::SMLoc loc) : ExprAST(Expr_None, loc) {}
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_None; }
};

/// `...` (the seed document writes `input = ...` as a placeholder).
class EllipsisExprAST : public ExprAST {
public:
  explicit EllipsisExprAST(llvm::SMLoc loc) : ExprAST(Expr_Ellipsis, loc) {}
  static bool classof(const ExprAST *e) {
    return e->getKind() == Expr_Ellipsis;
  }
};

/// Computes the height of a node from its (possibly null) children.
unsigned computeHeight(std::initializer_list<const ExprAST *> children);
unsigned computeHeight(const ExprList &children);

/// `[a, b, c]`.
class ListExprAST : public ExprAST {
public:
  ListExprAST(llvm::SMLoc loc, ExprList elements)
      : ExprAST(Expr_List, loc, computeHeight(elements)),
        elements(std::move(elements)) {}
  const ExprList &getElements() const { return elements; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_List; }

private:
  ExprList elements;
};

/// `(a, b)`, `a, b`, `()` and `(a,)`. Also the index of `x[1, 2]` and the
/// target of `a, b = f()`.
class TupleExprAST : public ExprAST {
public:
  TupleExprAST(llvm::SMLoc loc, ExprList elements)
      : ExprAST(Expr_Tuple, loc, computeHeight(elements)),
        elements(std::move(elements)) {}
  const ExprList &getElements() const { return elements; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Tuple; }

private:
  ExprList elements;
};

/// One `key: value` pair of a dict literal.
struct DictEntry {
  ExprPtr key;
  ExprPtr value;
};

/// `{'a': 1, 'b': 2}`.
class DictExprAST : public ExprAST {
public:
  DictExprAST(llvm::SMLoc loc, std::vector<DictEntry> entries);
  const std::vector<DictEntry> &getEntries() const { return entries; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Dict; }

private:
  std::vector<DictEntry> entries;
};

enum class UnaryOp { Neg, Pos, Not };
/// The source spelling of \p op: "-", "+", "not".
llvm::StringRef getSpelling(UnaryOp op);

/// `-x`, `+x`, `not x`. The location is that of the operator.
class UnaryExprAST : public ExprAST {
public:
  UnaryExprAST(llvm::SMLoc loc, UnaryOp op, ExprPtr operand)
      : ExprAST(Expr_Unary, loc, computeHeight({operand.get()})), op(op),
        operand(std::move(operand)) {}
  UnaryOp getOp() const { return op; }
  const ExprAST &getOperand() const { return *operand; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Unary; }

private:
  UnaryOp op;
  ExprPtr operand;
};

/// Arithmetic operators; also the operator of an augmented assignment.
enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, MatMul };
/// The source spelling of \p op: "+", "//", "**", ...
llvm::StringRef getSpelling(BinaryOp op);

/// `lhs op rhs` for arithmetic operators (including `%` string
/// formatting). getLoc() is the start of lhs; getOpLoc() the operator.
class BinaryExprAST : public ExprAST {
public:
  BinaryExprAST(BinaryOp op, llvm::SMLoc opLoc, ExprPtr lhs, ExprPtr rhs)
      : ExprAST(Expr_Binary, lhs->getLoc(),
                computeHeight({lhs.get(), rhs.get()})),
        op(op), opLoc(opLoc), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BinaryOp getOp() const { return op; }
  llvm::SMLoc getOpLoc() const { return opLoc; }
  const ExprAST &getLHS() const { return *lhs; }
  const ExprAST &getRHS() const { return *rhs; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Binary; }

private:
  BinaryOp op;
  llvm::SMLoc opLoc;
  ExprPtr lhs, rhs;
};

enum class LogicalOp { And, Or };
llvm::StringRef getSpelling(LogicalOp op);

/// `lhs and rhs`, `lhs or rhs`. Kept apart from BinaryExprAST because the
/// right operand is evaluated only when needed and the result is one of the
/// operands, not a bool.
class LogicalExprAST : public ExprAST {
public:
  LogicalExprAST(LogicalOp op, llvm::SMLoc opLoc, ExprPtr lhs, ExprPtr rhs)
      : ExprAST(Expr_Logical, lhs->getLoc(),
                computeHeight({lhs.get(), rhs.get()})),
        op(op), opLoc(opLoc), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  LogicalOp getOp() const { return op; }
  llvm::SMLoc getOpLoc() const { return opLoc; }
  const ExprAST &getLHS() const { return *lhs; }
  const ExprAST &getRHS() const { return *rhs; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Logical; }

private:
  LogicalOp op;
  llvm::SMLoc opLoc;
  ExprPtr lhs, rhs;
};

enum class CompareOp { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn };
/// The source spelling of \p op: "==", "is not", "not in", ...
llvm::StringRef getSpelling(CompareOp op);

/// One `op operand` link of a comparison chain.
struct CompareLink {
  CompareOp op;
  llvm::SMLoc opLoc;
  ExprPtr rhs;
};

/// A comparison chain `a < b <= c`, meaning `a < b and b <= c` with `b`
/// evaluated once. A plain `a == b` has one link.
class CompareExprAST : public ExprAST {
public:
  CompareExprAST(ExprPtr lhs, std::vector<CompareLink> links);
  const ExprAST &getLHS() const { return *lhs; }
  const std::vector<CompareLink> &getLinks() const { return links; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Compare; }

private:
  ExprPtr lhs;
  std::vector<CompareLink> links;
};

/// `thenValue if cond else elseValue`. getLoc() is the start of thenValue.
class IfElseExprAST : public ExprAST {
public:
  IfElseExprAST(llvm::SMLoc ifLoc, ExprPtr thenValue, ExprPtr cond,
                ExprPtr elseValue)
      : ExprAST(Expr_IfElse, thenValue->getLoc(),
                computeHeight({thenValue.get(), cond.get(), elseValue.get()})),
        ifLoc(ifLoc), thenValue(std::move(thenValue)), cond(std::move(cond)),
        elseValue(std::move(elseValue)) {}
  llvm::SMLoc getIfLoc() const { return ifLoc; }
  const ExprAST &getCond() const { return *cond; }
  const ExprAST &getThen() const { return *thenValue; }
  const ExprAST &getElse() const { return *elseValue; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_IfElse; }

private:
  llvm::SMLoc ifLoc;
  ExprPtr thenValue, cond, elseValue;
};

/// One argument of a call.
struct CallArgument {
  enum ArgKind {
    /// `f(x)`
    Positional,
    /// `f(name=x)`
    Keyword,
    /// `f(*x)`
    Star,
    /// `f(**x)`
    DoubleStar,
  };
  ArgKind kind;
  /// Start of the argument: the keyword name for Keyword, the `*`/`**` for
  /// Star/DoubleStar, the value's start for Positional.
  llvm::SMLoc loc;
  /// The keyword name; empty unless kind == Keyword.
  llvm::StringRef name;
  ExprPtr value;
};

/// `callee(args...)`. getLoc() is the start of the callee expression.
/// Arguments are kept in source order; the parser has checked Python's
/// ordering rules (no positional argument after a keyword argument or
/// `**`, no repeated keyword).
class CallExprAST : public ExprAST {
public:
  CallExprAST(ExprPtr callee, llvm::SMLoc lParenLoc,
              std::vector<CallArgument> args);
  const ExprAST &getCallee() const { return *callee; }
  llvm::SMLoc getLParenLoc() const { return lParenLoc; }
  const std::vector<CallArgument> &getArgs() const { return args; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Call; }

private:
  ExprPtr callee;
  llvm::SMLoc lParenLoc;
  std::vector<CallArgument> args;
};

/// `base.name`. getLoc() is the start of base; getNameLoc() points at name.
class AttributeExprAST : public ExprAST {
public:
  AttributeExprAST(ExprPtr base, llvm::StringRef name, llvm::SMLoc nameLoc)
      : ExprAST(Expr_Attribute, base->getLoc(), computeHeight({base.get()})),
        base(std::move(base)), name(name), nameLoc(nameLoc) {}
  const ExprAST &getBase() const { return *base; }
  llvm::StringRef getName() const { return name; }
  llvm::SMLoc getNameLoc() const { return nameLoc; }
  static bool classof(const ExprAST *e) {
    return e->getKind() == Expr_Attribute;
  }

private:
  ExprPtr base;
  llvm::StringRef name;
  llvm::SMLoc nameLoc;
};

/// `base[index]`. A slice index is a SliceExprAST; `x[1, 2:3]` has a
/// TupleExprAST index whose elements may be slices.
class SubscriptExprAST : public ExprAST {
public:
  SubscriptExprAST(ExprPtr base, llvm::SMLoc lBracketLoc, ExprPtr index)
      : ExprAST(Expr_Subscript, base->getLoc(),
                computeHeight({base.get(), index.get()})),
        base(std::move(base)), lBracketLoc(lBracketLoc),
        index(std::move(index)) {}
  const ExprAST &getBase() const { return *base; }
  llvm::SMLoc getLBracketLoc() const { return lBracketLoc; }
  const ExprAST &getIndex() const { return *index; }
  static bool classof(const ExprAST *e) {
    return e->getKind() == Expr_Subscript;
  }

private:
  ExprPtr base;
  llvm::SMLoc lBracketLoc;
  ExprPtr index;
};

/// `lower:upper:step` inside a subscript; each part may be absent (null).
class SliceExprAST : public ExprAST {
public:
  SliceExprAST(llvm::SMLoc loc, ExprPtr lower, ExprPtr upper, ExprPtr step)
      : ExprAST(Expr_Slice, loc,
                computeHeight({lower.get(), upper.get(), step.get()})),
        lower(std::move(lower)), upper(std::move(upper)),
        step(std::move(step)) {}
  const ExprAST *getLower() const { return lower.get(); }
  const ExprAST *getUpper() const { return upper.get(); }
  const ExprAST *getStep() const { return step.get(); }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Slice; }

private:
  ExprPtr lower, upper, step;
};

/// One `for target in iterable [if cond]*` clause of a comprehension. The
/// target is an assignment target (name, or tuple/list of targets).
struct CompClause {
  llvm::SMLoc forLoc;
  ExprPtr target, iterable;
  ExprList conditions;
};

/// A list comprehension `[e for ...]`, a generator expression `(e for ...)`
/// or a dict comprehension `{k: v for ...}`, with one or more `for` clauses,
/// each followed by any number of `if` conditions (Python's nesting: later
/// clauses are inner loops). The first clause's iterable is evaluated in
/// the enclosing scope; everything else in the comprehension's own scope.
class ComprehensionExprAST : public ExprAST {
public:
  enum CompKind { List, Generator, Dict };
  ComprehensionExprAST(llvm::SMLoc loc, CompKind compKind, ExprPtr element,
                       ExprPtr value, std::vector<CompClause> clauses);
  CompKind getCompKind() const { return compKind; }
  /// The element (the key of a dict comprehension).
  const ExprAST &getElement() const { return *element; }
  /// The value of a dict comprehension; null otherwise.
  const ExprAST *getValue() const { return value.get(); }
  const std::vector<CompClause> &getClauses() const { return clauses; }
  static bool classof(const ExprAST *e) {
    return e->getKind() == Expr_Comprehension;
  }

private:
  CompKind compKind;
  ExprPtr element, value;
  std::vector<CompClause> clauses;
};

/// `yield`, `yield value` or `yield from iterable`. Only inside a `def`
/// (which makes it a generator function); the parser rejects it elsewhere.
class YieldExprAST : public ExprAST {
public:
  YieldExprAST(llvm::SMLoc loc, ExprPtr value, bool isFrom)
      : ExprAST(Expr_Yield, loc, computeHeight({value.get()})),
        value(std::move(value)), isFrom(isFrom) {}
  /// Null for a bare `yield`.
  const ExprAST *getValue() const { return value.get(); }
  bool isYieldFrom() const { return isFrom; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Yield; }

private:
  ExprPtr value;
  bool isFrom;
};

/// One parameter of a `def` or `lambda`.
struct Param {
  enum ParamKind {
    /// `x` or `x=default` before any `*`.
    Normal,
    /// `*args`.
    VarArgs,
    /// `x` or `x=default` after `*args` or a bare `*`.
    KeywordOnly,
    /// `**kwargs`.
    KwArgs,
  };
  ParamKind kind;
  llvm::StringRef name;
  llvm::SMLoc loc;
  /// Null when the parameter has no default.
  ExprPtr defaultValue;
};

/// `lambda params: body`. The reference nets use it for small helpers
/// (`trunc_normal = lambda stddev: tf.truncated_normal_initializer(0.0,
/// stddev)`). Parameters follow the same rules as `def` (see Param).
class LambdaExprAST : public ExprAST {
public:
  LambdaExprAST(llvm::SMLoc loc, std::vector<Param> params, ExprPtr body);
  const std::vector<Param> &getParams() const { return params; }
  const ExprAST &getBody() const { return *body; }
  static bool classof(const ExprAST *e) { return e->getKind() == Expr_Lambda; }

private:
  std::vector<Param> params;
  ExprPtr body;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// Base class of all statement nodes.
class StmtAST {
public:
  enum StmtASTKind {
    Stmt_Expr,
    Stmt_Assign,
    Stmt_AugAssign,
    Stmt_FunctionDef,
    Stmt_Return,
    Stmt_If,
    Stmt_For,
    Stmt_With,
    Stmt_Import,
    Stmt_ImportFrom,
    Stmt_Pass,
    Stmt_Break,
    Stmt_Continue,
    Stmt_Raise,
    Stmt_Assert,
    Stmt_Del,
    Stmt_ClassDef,
    Stmt_While,
    Stmt_Try,
    Stmt_Global,
    Stmt_Nonlocal,
  };

  StmtAST(StmtASTKind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  virtual ~StmtAST() = default;

  StmtASTKind getKind() const { return kind; }
  /// The statement's keyword, or the start of its first expression.
  llvm::SMLoc getLoc() const { return loc; }

private:
  const StmtASTKind kind;
  llvm::SMLoc loc;
};

using StmtPtr = std::unique_ptr<StmtAST>;
using StmtList = std::vector<StmtPtr>;

/// An expression evaluated for its effect (a call, or a docstring).
class ExprStmtAST : public StmtAST {
public:
  explicit ExprStmtAST(ExprPtr expr)
      : StmtAST(Stmt_Expr, expr->getLoc()), expr(std::move(expr)) {}
  const ExprAST &getExpr() const { return *expr; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Expr; }

private:
  ExprPtr expr;
};

/// `t1 = t2 = value`. Each target is a name, an attribute, a subscript, or
/// a tuple/list of targets (`a, b = f()`); the parser has checked this.
/// Targets are listed left to right; Python assigns them in that order.
class AssignStmtAST : public StmtAST {
public:
  AssignStmtAST(ExprList targets, ExprPtr value)
      : StmtAST(Stmt_Assign, targets.front()->getLoc()),
        targets(std::move(targets)), value(std::move(value)) {}
  const ExprList &getTargets() const { return targets; }
  const ExprAST &getValue() const { return *value; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Assign; }

private:
  ExprList targets;
  ExprPtr value;
};

/// `target op= value`; target is a name, an attribute or a subscript.
class AugAssignStmtAST : public StmtAST {
public:
  AugAssignStmtAST(ExprPtr target, BinaryOp op, llvm::SMLoc opLoc,
                   ExprPtr value)
      : StmtAST(Stmt_AugAssign, target->getLoc()), target(std::move(target)),
        op(op), opLoc(opLoc), value(std::move(value)) {}
  const ExprAST &getTarget() const { return *target; }
  BinaryOp getOp() const { return op; }
  llvm::SMLoc getOpLoc() const { return opLoc; }
  const ExprAST &getValue() const { return *value; }
  static bool classof(const StmtAST *s) {
    return s->getKind() == Stmt_AugAssign;
  }

private:
  ExprPtr target;
  BinaryOp op;
  llvm::SMLoc opLoc;
  ExprPtr value;
};

/// `@decorators def name(params): body`. Annotations (`x: int`, `-> T`)
/// are parsed and dropped. The parser has checked Python's parameter rules
/// (no duplicate names, no non-default after a default, order
/// Normal* VarArgs? KeywordOnly* KwArgs?).
class FunctionDefAST : public StmtAST {
public:
  FunctionDefAST(llvm::SMLoc defLoc, llvm::StringRef name, llvm::SMLoc nameLoc,
                 ExprList decorators, std::vector<Param> params, StmtList body,
                 bool isGenerator = false,
                 std::vector<llvm::StringRef> globals = {},
                 std::vector<llvm::StringRef> nonlocals = {})
      : StmtAST(Stmt_FunctionDef, defLoc), name(name), nameLoc(nameLoc),
        decorators(std::move(decorators)), params(std::move(params)),
        body(std::move(body)), generator(isGenerator),
        globals(std::move(globals)), nonlocals(std::move(nonlocals)) {}
  llvm::StringRef getName() const { return name; }
  llvm::SMLoc getNameLoc() const { return nameLoc; }
  /// Decorator expressions in source order (Python applies the last one
  /// first).
  const ExprList &getDecorators() const { return decorators; }
  const std::vector<Param> &getParams() const { return params; }
  const StmtList &getBody() const { return body; }
  /// True when the body (not a nested def, class or lambda) contains
  /// `yield`: calling the function makes a generator.
  bool isGenerator() const { return generator; }
  /// Names declared `global` / `nonlocal` anywhere in the body.
  const std::vector<llvm::StringRef> &getGlobals() const { return globals; }
  const std::vector<llvm::StringRef> &getNonlocals() const { return nonlocals; }
  static bool classof(const StmtAST *s) {
    return s->getKind() == Stmt_FunctionDef;
  }

private:
  llvm::StringRef name;
  llvm::SMLoc nameLoc;
  ExprList decorators;
  std::vector<Param> params;
  StmtList body;
  bool generator;
  std::vector<llvm::StringRef> globals, nonlocals;
};

/// `@decorators class Name(bases): body`. The reference nets define
/// `class Block(collections.namedtuple('Block', [...])): """doc"""` and a
/// small context manager class with `__enter__`/`__exit__` methods; what a
/// class may contain is the elaborator's decision. Keyword arguments in the
/// base list (`metaclass=`) are rejected by the parser.
class ClassDefAST : public StmtAST {
public:
  ClassDefAST(llvm::SMLoc classLoc, llvm::StringRef name, llvm::SMLoc nameLoc,
              ExprList decorators, ExprList bases, StmtList body)
      : StmtAST(Stmt_ClassDef, classLoc), name(name), nameLoc(nameLoc),
        decorators(std::move(decorators)), bases(std::move(bases)),
        body(std::move(body)) {}
  llvm::StringRef getName() const { return name; }
  llvm::SMLoc getNameLoc() const { return nameLoc; }
  const ExprList &getDecorators() const { return decorators; }
  const ExprList &getBases() const { return bases; }
  const StmtList &getBody() const { return body; }
  static bool classof(const StmtAST *s) {
    return s->getKind() == Stmt_ClassDef;
  }

private:
  llvm::StringRef name;
  llvm::SMLoc nameLoc;
  ExprList decorators;
  ExprList bases;
  StmtList body;
};

/// `return`, `return x`, `return a, b` (a TupleExprAST value).
class ReturnStmtAST : public StmtAST {
public:
  ReturnStmtAST(llvm::SMLoc loc, ExprPtr value)
      : StmtAST(Stmt_Return, loc), value(std::move(value)) {}
  /// Null for a bare `return`.
  const ExprAST *getValue() const { return value.get(); }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Return; }

private:
  ExprPtr value;
};

/// One `if cond:` or `elif cond:` clause.
struct IfClause {
  /// The `if`/`elif` keyword.
  llvm::SMLoc loc;
  ExprPtr cond;
  StmtList body;
};

/// `if c1: ... elif c2: ... else: ...`. The first clause is the `if`.
class IfStmtAST : public StmtAST {
public:
  IfStmtAST(std::vector<IfClause> clauses, llvm::SMLoc elseLoc,
            StmtList elseBody)
      : StmtAST(Stmt_If, clauses.front().loc), clauses(std::move(clauses)),
        elseLoc(elseLoc), elseBody(std::move(elseBody)) {}
  const std::vector<IfClause> &getClauses() const { return clauses; }
  /// Invalid when there is no `else`.
  llvm::SMLoc getElseLoc() const { return elseLoc; }
  bool hasElse() const { return elseLoc.isValid(); }
  const StmtList &getElseBody() const { return elseBody; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_If; }

private:
  std::vector<IfClause> clauses;
  llvm::SMLoc elseLoc;
  StmtList elseBody;
};

/// `for target in iterable: body [else: elseBody]`; the `else` body runs
/// when the loop ends without `break`.
class ForStmtAST : public StmtAST {
public:
  ForStmtAST(llvm::SMLoc loc, ExprPtr target, ExprPtr iterable, StmtList body,
             StmtList elseBody = {})
      : StmtAST(Stmt_For, loc), target(std::move(target)),
        iterable(std::move(iterable)), body(std::move(body)),
        elseBody(std::move(elseBody)) {}
  const ExprAST &getTarget() const { return *target; }
  const ExprAST &getIterable() const { return *iterable; }
  const StmtList &getBody() const { return body; }
  const StmtList &getElseBody() const { return elseBody; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_For; }

private:
  ExprPtr target, iterable;
  StmtList body, elseBody;
};

/// `while cond: body [else: elseBody]`.
class WhileStmtAST : public StmtAST {
public:
  WhileStmtAST(llvm::SMLoc loc, ExprPtr cond, StmtList body, StmtList elseBody)
      : StmtAST(Stmt_While, loc), cond(std::move(cond)), body(std::move(body)),
        elseBody(std::move(elseBody)) {}
  const ExprAST &getCond() const { return *cond; }
  const StmtList &getBody() const { return body; }
  const StmtList &getElseBody() const { return elseBody; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_While; }

private:
  ExprPtr cond;
  StmtList body, elseBody;
};

/// One `except [type [as name]]:` clause.
struct ExceptHandler {
  /// The `except` keyword.
  llvm::SMLoc loc;
  /// Null for a bare `except:`.
  ExprPtr type;
  /// Empty when there is no `as`.
  llvm::StringRef name;
  StmtList body;
};

/// `try: body (except ...: ...)* [else: ...] [finally: ...]`. The parser
/// has checked that there is at least one handler or a `finally`, and that
/// a bare `except:` comes last.
class TryStmtAST : public StmtAST {
public:
  TryStmtAST(llvm::SMLoc loc, StmtList body,
             std::vector<ExceptHandler> handlers, StmtList elseBody,
             llvm::SMLoc finallyLoc, StmtList finallyBody)
      : StmtAST(Stmt_Try, loc), body(std::move(body)),
        handlers(std::move(handlers)), elseBody(std::move(elseBody)),
        finallyLoc(finallyLoc), finallyBody(std::move(finallyBody)) {}
  const StmtList &getBody() const { return body; }
  const std::vector<ExceptHandler> &getHandlers() const { return handlers; }
  const StmtList &getElseBody() const { return elseBody; }
  bool hasFinally() const { return finallyLoc.isValid(); }
  const StmtList &getFinallyBody() const { return finallyBody; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Try; }

private:
  StmtList body;
  std::vector<ExceptHandler> handlers;
  StmtList elseBody;
  llvm::SMLoc finallyLoc;
  StmtList finallyBody;
};

/// `global a, b` or `nonlocal a, b` (the kind tells which). The names are
/// also recorded on the enclosing FunctionDefAST, which is what the
/// elaborator consults.
class ScopeDeclStmtAST : public StmtAST {
public:
  ScopeDeclStmtAST(StmtASTKind kind, llvm::SMLoc loc,
                   std::vector<llvm::StringRef> names)
      : StmtAST(kind, loc), names(std::move(names)) {}
  const std::vector<llvm::StringRef> &getNames() const { return names; }
  static bool classof(const StmtAST *s) {
    return s->getKind() == Stmt_Global || s->getKind() == Stmt_Nonlocal;
  }

private:
  std::vector<llvm::StringRef> names;
};

/// One `context [as target]` item of a `with`.
struct WithItem {
  ExprPtr context;
  /// Null when there is no `as`.
  ExprPtr target;
};

/// `with a as x, b: body`; items are entered left to right.
class WithStmtAST : public StmtAST {
public:
  WithStmtAST(llvm::SMLoc loc, std::vector<WithItem> items, StmtList body)
      : StmtAST(Stmt_With, loc), items(std::move(items)),
        body(std::move(body)) {}
  const std::vector<WithItem> &getItems() const { return items; }
  const StmtList &getBody() const { return body; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_With; }

private:
  std::vector<WithItem> items;
  StmtList body;
};

/// `name [as asName]` in an import.
struct ImportAlias {
  /// Dotted name as written without spaces: "tensorflow.contrib.slim".
  /// For `from m import x` it is the single identifier "x".
  std::string name;
  llvm::SMLoc loc;
  /// Empty when there is no `as`.
  llvm::StringRef asName;
  llvm::SMLoc asLoc;
};

/// `import a.b.c as d, e`. Python binds `d` to a.b.c, and `e` to e; without
/// `as`, `import a.b` binds only `a`.
class ImportStmtAST : public StmtAST {
public:
  ImportStmtAST(llvm::SMLoc loc, std::vector<ImportAlias> names)
      : StmtAST(Stmt_Import, loc), names(std::move(names)) {}
  const std::vector<ImportAlias> &getNames() const { return names; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Import; }

private:
  std::vector<ImportAlias> names;
};

/// `from ..a.b import c as d, e`. `import *` is rejected by the parser.
class ImportFromStmtAST : public StmtAST {
public:
  ImportFromStmtAST(llvm::SMLoc loc, unsigned level, std::string module,
                    llvm::SMLoc moduleLoc, std::vector<ImportAlias> names)
      : StmtAST(Stmt_ImportFrom, loc), level(level), module(std::move(module)),
        moduleLoc(moduleLoc), names(std::move(names)) {}
  /// Number of leading dots (0 for an absolute import).
  unsigned getLevel() const { return level; }
  /// Dotted module name; empty for `from . import x`.
  llvm::StringRef getModule() const { return module; }
  llvm::SMLoc getModuleLoc() const { return moduleLoc; }
  const std::vector<ImportAlias> &getNames() const { return names; }
  static bool classof(const StmtAST *s) {
    return s->getKind() == Stmt_ImportFrom;
  }

private:
  unsigned level;
  std::string module;
  llvm::SMLoc moduleLoc;
  std::vector<ImportAlias> names;
};

/// `pass`.
class PassStmtAST : public StmtAST {
public:
  explicit PassStmtAST(llvm::SMLoc loc) : StmtAST(Stmt_Pass, loc) {}
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Pass; }
};

/// `break`. The parser has checked that it is inside a `for`.
class BreakStmtAST : public StmtAST {
public:
  explicit BreakStmtAST(llvm::SMLoc loc) : StmtAST(Stmt_Break, loc) {}
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Break; }
};

/// `continue`. The parser has checked that it is inside a `for`.
class ContinueStmtAST : public StmtAST {
public:
  explicit ContinueStmtAST(llvm::SMLoc loc) : StmtAST(Stmt_Continue, loc) {}
  static bool classof(const StmtAST *s) {
    return s->getKind() == Stmt_Continue;
  }
};

/// `raise [exception [from cause]]`.
class RaiseStmtAST : public StmtAST {
public:
  RaiseStmtAST(llvm::SMLoc loc, ExprPtr exception, ExprPtr cause)
      : StmtAST(Stmt_Raise, loc), exception(std::move(exception)),
        cause(std::move(cause)) {}
  /// Null for a bare `raise`.
  const ExprAST *getException() const { return exception.get(); }
  /// Null unless `from cause` was written.
  const ExprAST *getCause() const { return cause.get(); }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Raise; }

private:
  ExprPtr exception, cause;
};

/// `assert test [, message]`.
class AssertStmtAST : public StmtAST {
public:
  AssertStmtAST(llvm::SMLoc loc, ExprPtr test, ExprPtr message)
      : StmtAST(Stmt_Assert, loc), test(std::move(test)),
        message(std::move(message)) {}
  const ExprAST &getTest() const { return *test; }
  /// Null when no message was written.
  const ExprAST *getMessage() const { return message.get(); }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Assert; }

private:
  ExprPtr test, message;
};

/// `del target, ...`: names, subscripts and attributes (tuples and lists of
/// them are flattened by the parser's target check, as Python deletes each).
class DelStmtAST : public StmtAST {
public:
  DelStmtAST(llvm::SMLoc loc, ExprPtr targets)
      : StmtAST(Stmt_Del, loc), targets(std::move(targets)) {}
  /// One target, or a tuple or list of them.
  const ExprAST &getTargets() const { return *targets; }
  static bool classof(const StmtAST *s) { return s->getKind() == Stmt_Del; }

private:
  ExprPtr targets;
};

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

/// A whole model file.
class ModuleAST {
public:
  ModuleAST(unsigned bufferId, StmtList body)
      : bufferId(bufferId), body(std::move(body)) {}
  /// The SourceMgr buffer the module was parsed from.
  unsigned getBufferId() const { return bufferId; }
  const StmtList &getBody() const { return body; }

private:
  unsigned bufferId;
  StmtList body;
};

//===----------------------------------------------------------------------===//
// Dumping (for tests and `slimc --emit=ast`)
//===----------------------------------------------------------------------===//

/// Prints \p module one statement per line, bodies indented by two spaces,
/// expressions as S-expressions: `(call (. slim conv2d) net 64 scope='c1')`.
void dumpAST(llvm::raw_ostream &os, const ModuleAST &module);
/// Prints one statement (and its body) at the given indentation.
void dumpStmt(llvm::raw_ostream &os, const StmtAST &stmt, unsigned indent = 0);
/// Prints one expression as an S-expression, without a newline.
void dumpExpr(llvm::raw_ostream &os, const ExprAST &expr);

} // namespace slim

#endif // SLIM_FRONTEND_AST_H
