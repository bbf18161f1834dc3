//===- AST.cpp - AST helpers and the AST dumper ---------------------------===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace slim;
using llvm::raw_ostream;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Node construction
//===----------------------------------------------------------------------===//

unsigned slim::computeHeight(std::initializer_list<const ExprAST *> children) {
  unsigned height = 0;
  for (const ExprAST *child : children)
    if (child)
      height = std::max(height, child->getHeight());
  return height + 1;
}

unsigned slim::computeHeight(const ExprList &children) {
  unsigned height = 0;
  for (const ExprPtr &child : children)
    height = std::max(height, child->getHeight());
  return height + 1;
}

static unsigned computeDictHeight(const std::vector<DictEntry> &entries) {
  unsigned height = 0;
  for (const DictEntry &entry : entries)
    height =
        std::max({height, entry.key->getHeight(), entry.value->getHeight()});
  return height + 1;
}

DictExprAST::DictExprAST(llvm::SMLoc loc, std::vector<DictEntry> entries)
    : ExprAST(Expr_Dict, loc, computeDictHeight(entries)),
      entries(std::move(entries)) {}

static unsigned computeCompareHeight(const ExprAST &lhs,
                                     const std::vector<CompareLink> &links) {
  unsigned height = lhs.getHeight();
  for (const CompareLink &link : links)
    height = std::max(height, link.rhs->getHeight());
  return height + 1;
}

CompareExprAST::CompareExprAST(ExprPtr lhs, std::vector<CompareLink> links)
    : ExprAST(Expr_Compare, lhs->getLoc(), computeCompareHeight(*lhs, links)),
      lhs(std::move(lhs)), links(std::move(links)) {}

static unsigned computeCallHeight(const ExprAST &callee,
                                  const std::vector<CallArgument> &args) {
  unsigned height = callee.getHeight();
  for (const CallArgument &arg : args)
    height = std::max(height, arg.value->getHeight());
  return height + 1;
}

CallExprAST::CallExprAST(ExprPtr callee, llvm::SMLoc lParenLoc,
                         std::vector<CallArgument> args)
    : ExprAST(Expr_Call, callee->getLoc(), computeCallHeight(*callee, args)),
      callee(std::move(callee)), lParenLoc(lParenLoc), args(std::move(args)) {}

static unsigned computeLambdaHeight(const std::vector<Param> &params,
                                    const ExprAST &body) {
  unsigned height = body.getHeight();
  for (const Param &param : params)
    if (param.defaultValue)
      height = std::max(height, param.defaultValue->getHeight());
  return height + 1;
}

LambdaExprAST::LambdaExprAST(llvm::SMLoc loc, std::vector<Param> params,
                             ExprPtr body)
    : ExprAST(Expr_Lambda, loc, computeLambdaHeight(params, *body)),
      params(std::move(params)), body(std::move(body)) {}

static unsigned
computeComprehensionHeight(const ExprAST &element, const ExprAST *value,
                           const std::vector<CompClause> &clauses) {
  unsigned height = element.getHeight();
  if (value)
    height = std::max(height, value->getHeight());
  for (const CompClause &clause : clauses) {
    height = std::max(
        {height, clause.target->getHeight(), clause.iterable->getHeight()});
    for (const ExprPtr &cond : clause.conditions)
      height = std::max(height, cond->getHeight());
  }
  return height + 1;
}

ComprehensionExprAST::ComprehensionExprAST(llvm::SMLoc loc, CompKind compKind,
                                           ExprPtr element, ExprPtr value,
                                           std::vector<CompClause> clauses)
    : ExprAST(Expr_Comprehension, loc,
              computeComprehensionHeight(*element, value.get(), clauses)),
      compKind(compKind), element(std::move(element)), value(std::move(value)),
      clauses(std::move(clauses)) {}

//===----------------------------------------------------------------------===//
// Operator spellings
//===----------------------------------------------------------------------===//

StringRef slim::getSpelling(UnaryOp op) {
  switch (op) {
  case UnaryOp::Neg:
    return "-";
  case UnaryOp::Pos:
    return "+";
  case UnaryOp::Not:
    return "not";
  }
  llvm_unreachable("unknown unary operator");
}

StringRef slim::getSpelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::FloorDiv:
    return "//";
  case BinaryOp::Mod:
    return "%";
  case BinaryOp::Pow:
    return "**";
  case BinaryOp::MatMul:
    return "@";
  }
  llvm_unreachable("unknown binary operator");
}

StringRef slim::getSpelling(LogicalOp op) {
  return op == LogicalOp::And ? "and" : "or";
}

StringRef slim::getSpelling(CompareOp op) {
  switch (op) {
  case CompareOp::Eq:
    return "==";
  case CompareOp::NotEq:
    return "!=";
  case CompareOp::Lt:
    return "<";
  case CompareOp::LtE:
    return "<=";
  case CompareOp::Gt:
    return ">";
  case CompareOp::GtE:
    return ">=";
  case CompareOp::Is:
    return "is";
  case CompareOp::IsNot:
    return "is not";
  case CompareOp::In:
    return "in";
  case CompareOp::NotIn:
    return "not in";
  }
  llvm_unreachable("unknown comparison operator");
}

//===----------------------------------------------------------------------===//
// Dumper
//===----------------------------------------------------------------------===//

/// Prints \p value with the fewest digits that read back as the same double,
/// always with a '.' or exponent so it cannot be mistaken for an int.
static void printFloat(raw_ostream &os, double value) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  StringRef text(buf);
  os << text;
  if (text.find_first_of(".eni") == StringRef::npos)
    os << ".0";
}

static void printQuoted(raw_ostream &os, StringRef value) {
  os << '\'';
  for (char c : value) {
    switch (c) {
    case '\\':
      os << "\\\\";
      break;
    case '\'':
      os << "\\'";
      break;
    case '\n':
      os << "\\n";
      break;
    case '\t':
      os << "\\t";
      break;
    case '\r':
      os << "\\r";
      break;
    default:
      if (llvm::isPrint(c))
        os << c;
      else
        os << "\\x"
           << llvm::hexdigit(static_cast<unsigned char>(c) >> 4,
                             /*LowerCase=*/true)
           << llvm::hexdigit(c & 15, /*LowerCase=*/true);
    }
  }
  os << '\'';
}

/// Prints a parameter list as written: `a, b=1, *args, k=2, **kw`.
static void dumpParams(raw_ostream &os, const std::vector<Param> &params) {
  bool sawStar = false;
  llvm::interleaveComma(params, os, [&](const Param &param) {
    switch (param.kind) {
    case Param::Normal:
      break;
    case Param::VarArgs:
      os << '*';
      sawStar = true;
      break;
    case Param::KeywordOnly:
      // A bare `*` leaves no parameter of its own; print it so the dump
      // shows where keyword-only parameters begin.
      if (!sawStar)
        os << "*, ";
      sawStar = true;
      break;
    case Param::KwArgs:
      os << "**";
      break;
    }
    os << param.name;
    if (param.defaultValue) {
      os << '=';
      dumpExpr(os, *param.defaultValue);
    }
  });
}

void slim::dumpExpr(raw_ostream &os, const ExprAST &expr) {
  auto list = [&os](StringRef head, const ExprList &elements) {
    os << '(' << head;
    for (const ExprPtr &e : elements) {
      os << ' ';
      dumpExpr(os, *e);
    }
    os << ')';
  };
  auto optional = [&os](const ExprAST *e) {
    if (e)
      dumpExpr(os, *e);
    else
      os << '_';
  };

  switch (expr.getKind()) {
  case ExprAST::Expr_Name:
    os << llvm::cast<NameExprAST>(expr).getName();
    return;
  case ExprAST::Expr_Int:
    os << llvm::cast<IntExprAST>(expr).getValue();
    return;
  case ExprAST::Expr_Float:
    printFloat(os, llvm::cast<FloatExprAST>(expr).getValue());
    return;
  case ExprAST::Expr_String: {
    const auto &s = llvm::cast<StringExprAST>(expr);
    if (s.isBytesLiteral())
      os << 'b';
    printQuoted(os, s.getValue());
    return;
  }
  case ExprAST::Expr_Bool:
    os << (llvm::cast<BoolExprAST>(expr).getValue() ? "True" : "False");
    return;
  case ExprAST::Expr_None:
    os << "None";
    return;
  case ExprAST::Expr_Ellipsis:
    os << "...";
    return;
  case ExprAST::Expr_List:
    list("list", llvm::cast<ListExprAST>(expr).getElements());
    return;
  case ExprAST::Expr_Tuple:
    list("tuple", llvm::cast<TupleExprAST>(expr).getElements());
    return;
  case ExprAST::Expr_Dict:
    os << "(dict";
    for (const DictEntry &entry : llvm::cast<DictExprAST>(expr).getEntries()) {
      os << " (";
      dumpExpr(os, *entry.key);
      os << ' ';
      dumpExpr(os, *entry.value);
      os << ')';
    }
    os << ')';
    return;
  case ExprAST::Expr_Unary: {
    const auto &u = llvm::cast<UnaryExprAST>(expr);
    os << '(' << getSpelling(u.getOp()) << ' ';
    dumpExpr(os, u.getOperand());
    os << ')';
    return;
  }
  case ExprAST::Expr_Binary: {
    const auto &b = llvm::cast<BinaryExprAST>(expr);
    os << '(' << getSpelling(b.getOp()) << ' ';
    dumpExpr(os, b.getLHS());
    os << ' ';
    dumpExpr(os, b.getRHS());
    os << ')';
    return;
  }
  case ExprAST::Expr_Logical: {
    const auto &l = llvm::cast<LogicalExprAST>(expr);
    os << '(' << getSpelling(l.getOp()) << ' ';
    dumpExpr(os, l.getLHS());
    os << ' ';
    dumpExpr(os, l.getRHS());
    os << ')';
    return;
  }
  case ExprAST::Expr_Compare: {
    const auto &c = llvm::cast<CompareExprAST>(expr);
    os << "(cmp ";
    dumpExpr(os, c.getLHS());
    for (const CompareLink &link : c.getLinks()) {
      os << ' ' << getSpelling(link.op) << ' ';
      dumpExpr(os, *link.rhs);
    }
    os << ')';
    return;
  }
  case ExprAST::Expr_IfElse: {
    const auto &i = llvm::cast<IfElseExprAST>(expr);
    os << "(if ";
    dumpExpr(os, i.getCond());
    os << ' ';
    dumpExpr(os, i.getThen());
    os << ' ';
    dumpExpr(os, i.getElse());
    os << ')';
    return;
  }
  case ExprAST::Expr_Call: {
    const auto &c = llvm::cast<CallExprAST>(expr);
    os << "(call ";
    dumpExpr(os, c.getCallee());
    for (const CallArgument &arg : c.getArgs()) {
      os << ' ';
      switch (arg.kind) {
      case CallArgument::Positional:
        break;
      case CallArgument::Keyword:
        os << arg.name << '=';
        break;
      case CallArgument::Star:
        os << '*';
        break;
      case CallArgument::DoubleStar:
        os << "**";
        break;
      }
      dumpExpr(os, *arg.value);
    }
    os << ')';
    return;
  }
  case ExprAST::Expr_Attribute: {
    const auto &a = llvm::cast<AttributeExprAST>(expr);
    os << "(. ";
    dumpExpr(os, a.getBase());
    os << ' ' << a.getName() << ')';
    return;
  }
  case ExprAST::Expr_Subscript: {
    const auto &s = llvm::cast<SubscriptExprAST>(expr);
    os << "([] ";
    dumpExpr(os, s.getBase());
    os << ' ';
    dumpExpr(os, s.getIndex());
    os << ')';
    return;
  }
  case ExprAST::Expr_Slice: {
    const auto &s = llvm::cast<SliceExprAST>(expr);
    os << "(: ";
    optional(s.getLower());
    os << ' ';
    optional(s.getUpper());
    os << ' ';
    optional(s.getStep());
    os << ')';
    return;
  }
  case ExprAST::Expr_Comprehension: {
    const auto &c = llvm::cast<ComprehensionExprAST>(expr);
    static const char *names[] = {"listcomp", "genexp", "dictcomp"};
    os << '(' << names[c.getCompKind()] << ' ';
    dumpExpr(os, c.getElement());
    if (const ExprAST *value = c.getValue()) {
      os << ' ';
      dumpExpr(os, *value);
    }
    for (const CompClause &clause : c.getClauses()) {
      os << " for ";
      dumpExpr(os, *clause.target);
      os << " in ";
      dumpExpr(os, *clause.iterable);
      for (const ExprPtr &cond : clause.conditions) {
        os << " if ";
        dumpExpr(os, *cond);
      }
    }
    os << ')';
    return;
  }
  case ExprAST::Expr_Yield: {
    const auto &y = llvm::cast<YieldExprAST>(expr);
    os << (y.isYieldFrom() ? "(yieldfrom" : "(yield");
    if (const ExprAST *value = y.getValue()) {
      os << ' ';
      dumpExpr(os, *value);
    }
    os << ')';
    return;
  }
  case ExprAST::Expr_Lambda: {
    const auto &l = llvm::cast<LambdaExprAST>(expr);
    os << "(lambda (";
    dumpParams(os, l.getParams());
    os << ") ";
    dumpExpr(os, l.getBody());
    os << ')';
    return;
  }
  }
  llvm_unreachable("unknown expression kind");
}

static void dumpBody(raw_ostream &os, const StmtList &body, unsigned indent) {
  for (const StmtPtr &stmt : body)
    dumpStmt(os, *stmt, indent);
}

static void dumpAliases(raw_ostream &os,
                        const std::vector<ImportAlias> &aliases) {
  llvm::interleave(
      aliases, os,
      [&os](const ImportAlias &alias) {
        os << alias.name;
        if (!alias.asName.empty())
          os << " as " << alias.asName;
      },
      ", ");
}

void slim::dumpStmt(raw_ostream &os, const StmtAST &stmt, unsigned indent) {
  auto line = [&os, indent]() -> raw_ostream & {
    return os.indent(indent * 2);
  };

  switch (stmt.getKind()) {
  case StmtAST::Stmt_Expr:
    line() << "Expr ";
    dumpExpr(os, llvm::cast<ExprStmtAST>(stmt).getExpr());
    os << '\n';
    return;
  case StmtAST::Stmt_Assign: {
    const auto &a = llvm::cast<AssignStmtAST>(stmt);
    line() << "Assign ";
    for (const ExprPtr &target : a.getTargets()) {
      dumpExpr(os, *target);
      os << " = ";
    }
    dumpExpr(os, a.getValue());
    os << '\n';
    return;
  }
  case StmtAST::Stmt_AugAssign: {
    const auto &a = llvm::cast<AugAssignStmtAST>(stmt);
    line() << "AugAssign ";
    dumpExpr(os, a.getTarget());
    os << ' ' << getSpelling(a.getOp()) << "= ";
    dumpExpr(os, a.getValue());
    os << '\n';
    return;
  }
  case StmtAST::Stmt_FunctionDef: {
    const auto &f = llvm::cast<FunctionDefAST>(stmt);
    for (const ExprPtr &decorator : f.getDecorators()) {
      line() << '@';
      dumpExpr(os, *decorator);
      os << '\n';
    }
    line() << "Def " << f.getName() << '(';
    dumpParams(os, f.getParams());
    os << ")\n";
    dumpBody(os, f.getBody(), indent + 1);
    return;
  }
  case StmtAST::Stmt_ClassDef: {
    const auto &c = llvm::cast<ClassDefAST>(stmt);
    for (const ExprPtr &decorator : c.getDecorators()) {
      line() << '@';
      dumpExpr(os, *decorator);
      os << '\n';
    }
    line() << "Class " << c.getName() << '(';
    llvm::interleaveComma(c.getBases(), os,
                          [&os](const ExprPtr &base) { dumpExpr(os, *base); });
    os << ")\n";
    dumpBody(os, c.getBody(), indent + 1);
    return;
  }
  case StmtAST::Stmt_Return: {
    line() << "Return";
    if (const ExprAST *value = llvm::cast<ReturnStmtAST>(stmt).getValue()) {
      os << ' ';
      dumpExpr(os, *value);
    }
    os << '\n';
    return;
  }
  case StmtAST::Stmt_If: {
    const auto &i = llvm::cast<IfStmtAST>(stmt);
    bool first = true;
    for (const IfClause &clause : i.getClauses()) {
      line() << (first ? "If " : "Elif ");
      first = false;
      dumpExpr(os, *clause.cond);
      os << '\n';
      dumpBody(os, clause.body, indent + 1);
    }
    if (i.hasElse()) {
      line() << "Else\n";
      dumpBody(os, i.getElseBody(), indent + 1);
    }
    return;
  }
  case StmtAST::Stmt_For: {
    const auto &f = llvm::cast<ForStmtAST>(stmt);
    line() << "For ";
    dumpExpr(os, f.getTarget());
    os << " in ";
    dumpExpr(os, f.getIterable());
    os << '\n';
    dumpBody(os, f.getBody(), indent + 1);
    if (!f.getElseBody().empty()) {
      line() << "Else\n";
      dumpBody(os, f.getElseBody(), indent + 1);
    }
    return;
  }
  case StmtAST::Stmt_While: {
    const auto &w = llvm::cast<WhileStmtAST>(stmt);
    line() << "While ";
    dumpExpr(os, w.getCond());
    os << '\n';
    dumpBody(os, w.getBody(), indent + 1);
    if (!w.getElseBody().empty()) {
      line() << "Else\n";
      dumpBody(os, w.getElseBody(), indent + 1);
    }
    return;
  }
  case StmtAST::Stmt_Try: {
    const auto &t = llvm::cast<TryStmtAST>(stmt);
    line() << "Try\n";
    dumpBody(os, t.getBody(), indent + 1);
    for (const ExceptHandler &h : t.getHandlers()) {
      line() << "Except";
      if (h.type) {
        os << ' ';
        dumpExpr(os, *h.type);
      }
      if (!h.name.empty())
        os << " as " << h.name;
      os << '\n';
      dumpBody(os, h.body, indent + 1);
    }
    if (!t.getElseBody().empty()) {
      line() << "Else\n";
      dumpBody(os, t.getElseBody(), indent + 1);
    }
    if (t.hasFinally()) {
      line() << "Finally\n";
      dumpBody(os, t.getFinallyBody(), indent + 1);
    }
    return;
  }
  case StmtAST::Stmt_Global:
  case StmtAST::Stmt_Nonlocal: {
    const auto &d = llvm::cast<ScopeDeclStmtAST>(stmt);
    line() << (stmt.getKind() == StmtAST::Stmt_Global ? "Global "
                                                      : "Nonlocal ");
    llvm::interleaveComma(d.getNames(), os);
    os << '\n';
    return;
  }
  case StmtAST::Stmt_With: {
    const auto &w = llvm::cast<WithStmtAST>(stmt);
    line() << "With ";
    llvm::interleaveComma(w.getItems(), os, [&os](const WithItem &item) {
      dumpExpr(os, *item.context);
      if (item.target) {
        os << " as ";
        dumpExpr(os, *item.target);
      }
    });
    os << '\n';
    dumpBody(os, w.getBody(), indent + 1);
    return;
  }
  case StmtAST::Stmt_Import:
    line() << "Import ";
    dumpAliases(os, llvm::cast<ImportStmtAST>(stmt).getNames());
    os << '\n';
    return;
  case StmtAST::Stmt_ImportFrom: {
    const auto &i = llvm::cast<ImportFromStmtAST>(stmt);
    line() << "ImportFrom ";
    for (unsigned n = 0; n < i.getLevel(); ++n)
      os << '.';
    os << i.getModule() << " import ";
    dumpAliases(os, i.getNames());
    os << '\n';
    return;
  }
  case StmtAST::Stmt_Pass:
    line() << "Pass\n";
    return;
  case StmtAST::Stmt_Break:
    line() << "Break\n";
    return;
  case StmtAST::Stmt_Continue:
    line() << "Continue\n";
    return;
  case StmtAST::Stmt_Raise: {
    const auto &r = llvm::cast<RaiseStmtAST>(stmt);
    line() << "Raise";
    if (const ExprAST *exception = r.getException()) {
      os << ' ';
      dumpExpr(os, *exception);
    }
    if (const ExprAST *cause = r.getCause()) {
      os << " from ";
      dumpExpr(os, *cause);
    }
    os << '\n';
    return;
  }
  case StmtAST::Stmt_Del:
    line() << "Del ";
    dumpExpr(os, llvm::cast<DelStmtAST>(stmt).getTargets());
    os << '\n';
    return;
  case StmtAST::Stmt_Assert: {
    const auto &a = llvm::cast<AssertStmtAST>(stmt);
    line() << "Assert ";
    dumpExpr(os, a.getTest());
    if (const ExprAST *message = a.getMessage()) {
      os << ", ";
      dumpExpr(os, *message);
    }
    os << '\n';
    return;
  }
  }
  llvm_unreachable("unknown statement kind");
}

void slim::dumpAST(raw_ostream &os, const ModuleAST &module) {
  dumpBody(os, module.getBody(), 0);
}
