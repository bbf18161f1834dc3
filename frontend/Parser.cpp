//===- Parser.cpp - Parser for slimc model files --------------------------===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"

#include <cassert>
#include <limits>

using namespace slim;
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;

std::unique_ptr<ModuleAST> slim::parseModule(llvm::SourceMgr &sourceMgr,
                                             unsigned bufferId) {
  Parser parser(sourceMgr, bufferId);
  return parser.parseModule();
}

Parser::Parser(llvm::SourceMgr &sourceMgr, unsigned bufferId)
    : sourceMgr(sourceMgr), bufferId(bufferId), lexer(sourceMgr, bufferId),
      tok(Token::eof, StringRef()) {
  consume();
}

//===----------------------------------------------------------------------===//
// Diagnostics and helpers
//===----------------------------------------------------------------------===//

std::nullptr_t Parser::emitError(SMLoc loc, const Twine &message) {
  // Only the first error is reported: after it the parser unwinds, and a
  // lexical error has already been printed by the lexer.
  if (!hadError && !lexer.hasFailed())
    sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
  hadError = true;
  return nullptr;
}

void Parser::emitNote(SMLoc loc, const Twine &message) {
  if (!lexer.hasFailed())
    sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Note, message);
}

std::nullptr_t Parser::errorExpected(const Twine &what) {
  if (diagnoseUnsupported())
    return nullptr;
  return emitError(tok.getLoc(),
                   "expected " + what + ", found " + tok.describe());
}

bool Parser::expect(Token::Kind k, StringRef what, StringRef context) {
  if (consumeIf(k))
    return true;
  if (context.empty())
    errorExpected(what);
  else
    errorExpected(what + " " + context);
  return false;
}

bool Parser::diagnoseUnsupported() {
  if (tok.is(Token::unsupported_op)) {
    emitError(tok.getLoc(),
              "operator '" + tok.getSpelling() + "' is not supported by slimc");
    return true;
  }
  if (tok.isNot(Token::kw_unsupported))
    return false;
  emitError(tok.getLoc(),
            "'" + tok.getSpelling() + "' is not supported by slimc");
  return true;
}

bool Parser::checkDepth() {
  if (depth <= maxRecursionDepth)
    return true;
  emitError(tok.getLoc(), "nesting too deep: expressions may nest at most " +
                              Twine(maxRecursionDepth) + " levels");
  return false;
}

ExprPtr Parser::checkHeight(ExprPtr expr) {
  if (!expr || expr->getHeight() <= MaxExprHeight)
    return expr;
  return emitError(expr->getLoc(), "expression nesting too deep: expression "
                                   "trees may be at most " +
                                       Twine(MaxExprHeight) + " levels tall");
}

unsigned Parser::getLine(SMLoc loc) const {
  return sourceMgr.getLineAndColumn(loc, bufferId).first;
}

/// True if \p tok can begin an expression; decides where a bare tuple such
/// as `return a, b,` ends.
static bool startsExpression(const Token &tok) {
  switch (tok.getKind()) {
  case Token::identifier:
  case Token::integer:
  case Token::floating:
  case Token::string:
  case Token::kw_None:
  case Token::kw_True:
  case Token::kw_False:
  case Token::kw_not:
  case Token::kw_lambda:
  case Token::ellipsis:
  case Token::l_paren:
  case Token::l_square:
  case Token::l_brace:
  case Token::minus:
  case Token::plus:
  case Token::star:
  // Unsupported keywords and operators start expressions so that they are
  // reported as unsupported rather than as a missing token.
  case Token::kw_unsupported:
  case Token::unsupported_op:
    return true;
  default:
    return false;
  }
}

/// Names \p expr for "cannot assign to ..." messages.
static StringRef describeExpr(const ExprAST &expr) {
  switch (expr.getKind()) {
  case ExprAST::Expr_Name:
    return "name";
  case ExprAST::Expr_Int:
  case ExprAST::Expr_Float:
  case ExprAST::Expr_String:
    return "literal";
  case ExprAST::Expr_Bool:
    return llvm::cast<BoolExprAST>(expr).getValue() ? "True" : "False";
  case ExprAST::Expr_None:
    return "None";
  case ExprAST::Expr_Ellipsis:
    return "ellipsis";
  case ExprAST::Expr_List:
    return "list";
  case ExprAST::Expr_Tuple:
    return "tuple";
  case ExprAST::Expr_Dict:
    return "dict literal";
  case ExprAST::Expr_Unary:
  case ExprAST::Expr_Binary:
  case ExprAST::Expr_Logical:
    return "expression";
  case ExprAST::Expr_Compare:
    return "comparison";
  case ExprAST::Expr_IfElse:
    return "conditional expression";
  case ExprAST::Expr_Call:
    return "function call";
  case ExprAST::Expr_Attribute:
    return "attribute";
  case ExprAST::Expr_Subscript:
    return "subscript";
  case ExprAST::Expr_Slice:
    return "slice";
  case ExprAST::Expr_Comprehension:
    switch (llvm::cast<ComprehensionExprAST>(expr).getCompKind()) {
    case ComprehensionExprAST::List:
      return "list comprehension";
    case ComprehensionExprAST::Generator:
      return "generator expression";
    case ComprehensionExprAST::Dict:
      return "dict comprehension";
    }
    return "comprehension";
  case ExprAST::Expr_Lambda:
    return "lambda";
  case ExprAST::Expr_Yield:
    return "yield expression";
  }
  llvm_unreachable("unknown expression kind");
}

bool Parser::checkTarget(const ExprAST &expr, bool allowTuple, StringRef verb) {
  switch (expr.getKind()) {
  case ExprAST::Expr_Name:
  case ExprAST::Expr_Attribute:
  case ExprAST::Expr_Subscript:
    return true;
  case ExprAST::Expr_Tuple:
  case ExprAST::Expr_List: {
    if (!allowTuple) {
      emitError(expr.getLoc(), Twine("cannot use a ") + describeExpr(expr) +
                                   " as the target of an augmented "
                                   "assignment");
      return false;
    }
    const ExprList &elements =
        llvm::isa<TupleExprAST>(expr)
            ? llvm::cast<TupleExprAST>(expr).getElements()
            : llvm::cast<ListExprAST>(expr).getElements();
    // Recursion is bounded by MaxExprHeight.
    for (const ExprPtr &element : elements)
      if (!checkTarget(*element, allowTuple, verb))
        return false;
    return true;
  }
  default:
    emitError(expr.getLoc(),
              Twine("cannot ") + verb + " " + describeExpr(expr));
    return false;
  }
}

//===----------------------------------------------------------------------===//
// Module and statements
//===----------------------------------------------------------------------===//

std::unique_ptr<ModuleAST> Parser::parseModule() {
  StmtList body;
  while (tok.isNot(Token::eof)) {
    if (consumeIf(Token::newline))
      continue;
    if (!parseStatement(body)) {
      assert((hadError || lexer.hasFailed()) && "failed without a diagnostic");
      return nullptr;
    }
  }
  return std::make_unique<ModuleAST>(bufferId, std::move(body));
}

ExprPtr Parser::parseStandaloneExpression() {
  ExprPtr expr = parseTestList();
  if (!expr)
    return nullptr;
  while (consumeIf(Token::newline))
    ;
  if (tok.isNot(Token::eof))
    return errorExpected("end of expression");
  return expr;
}

bool Parser::parseStatement(StmtList &out) {
  StmtPtr stmt;
  switch (tok.getKind()) {
  case Token::indent:
    emitError(tok.getLoc(), "unexpected indent");
    return false;
  case Token::kw_def:
    stmt = parseFunctionDef({});
    break;
  case Token::kw_class:
    stmt = parseClassDef({});
    break;
  case Token::at:
    stmt = parseDecorated();
    break;
  case Token::kw_if:
    stmt = parseIf();
    break;
  case Token::kw_for:
    stmt = parseFor();
    break;
  case Token::kw_with:
    stmt = parseWith();
    break;
  case Token::kw_while:
    stmt = parseWhile();
    break;
  case Token::kw_try:
    stmt = parseTry();
    break;
  case Token::kw_elif:
    emitError(tok.getLoc(), "'elif' must follow an 'if' block at the same "
                            "indentation");
    return false;
  case Token::kw_else:
    emitError(tok.getLoc(), "'else' must follow an 'if', 'for', 'while' or "
                            "'try' block at the same indentation");
    return false;
  case Token::kw_except:
  case Token::kw_finally:
    emitError(tok.getLoc(), "'" + tok.getSpelling() +
                                "' must follow a 'try' block at the same "
                                "indentation");
    return false;
  default:
    return parseSimpleStatements(out);
  }
  if (!stmt)
    return false;
  out.push_back(std::move(stmt));
  return true;
}

bool Parser::parseSimpleStatements(StmtList &out) {
  while (true) {
    StmtPtr stmt = parseSmallStatement();
    if (!stmt)
      return false;
    // Python 2's print statement is common in old model files; say so.
    if (auto *exprStmt = llvm::dyn_cast<ExprStmtAST>(stmt.get())) {
      if (auto *name = llvm::dyn_cast<NameExprAST>(&exprStmt->getExpr())) {
        if ((name->getName() == "print" || name->getName() == "exec") &&
            startsExpression(tok) && tok.isNot(Token::l_paren)) {
          emitError(name->getLoc(),
                    "missing parentheses in call to '" + name->getName() + "'");
          return false;
        }
      }
    }
    out.push_back(std::move(stmt));
    if (!consumeIf(Token::semicolon))
      break;
    if (tok.is(Token::newline))
      break;
  }
  return expect(Token::newline, "end of line", "after statement");
}

StmtPtr Parser::parseSmallStatement() {
  SMLoc loc = tok.getLoc();
  switch (tok.getKind()) {
  case Token::kw_pass:
    consume();
    return std::make_unique<PassStmtAST>(loc);
  case Token::kw_break:
    if (loopDepth == 0)
      return emitError(loc, "'break' outside loop");
    consume();
    return std::make_unique<BreakStmtAST>(loc);
  case Token::kw_continue:
    if (loopDepth == 0)
      return emitError(loc, "'continue' outside loop");
    consume();
    return std::make_unique<ContinueStmtAST>(loc);
  case Token::kw_return:
    return parseReturn();
  case Token::kw_raise:
    return parseRaise();
  case Token::kw_assert:
    return parseAssert();
  case Token::kw_del:
    return parseDel();
  case Token::kw_import:
    return parseImport();
  case Token::kw_from:
    return parseFromImport();
  case Token::kw_global:
  case Token::kw_nonlocal:
    return parseScopeDecl();
  default:
    return parseExpressionStatement();
  }
}

/// Maps an augmented assignment token to its operator.
static std::optional<BinaryOp> getAugmentedOp(Token::Kind kind) {
  switch (kind) {
  case Token::plusequal:
    return BinaryOp::Add;
  case Token::minusequal:
    return BinaryOp::Sub;
  case Token::starequal:
    return BinaryOp::Mul;
  case Token::slashequal:
    return BinaryOp::Div;
  case Token::slashslashequal:
    return BinaryOp::FloorDiv;
  case Token::percentequal:
    return BinaryOp::Mod;
  case Token::starstarequal:
    return BinaryOp::Pow;
  case Token::atequal:
    return BinaryOp::MatMul;
  default:
    return std::nullopt;
  }
}

ExprPtr Parser::parseTestListOrYield() {
  if (tok.is(Token::kw_yield))
    return parseYield();
  return parseTestList();
}

StmtPtr Parser::parseExpressionStatement() {
  if (tok.is(Token::kw_unsupported) || tok.is(Token::unsupported_op)) {
    diagnoseUnsupported();
    return nullptr;
  }
  ExprPtr first = parseTestListOrYield();
  if (!first)
    return nullptr;

  if (std::optional<BinaryOp> op = getAugmentedOp(tok.getKind())) {
    SMLoc opLoc = tok.getLoc();
    if (!checkTarget(*first, /*allowTuple=*/false))
      return nullptr;
    consume();
    ExprPtr value = parseTestListOrYield();
    if (!value)
      return nullptr;
    return std::make_unique<AugAssignStmtAST>(std::move(first), *op, opLoc,
                                              std::move(value));
  }

  if (tok.is(Token::equal)) {
    ExprList exprs;
    exprs.push_back(std::move(first));
    while (consumeIf(Token::equal)) {
      ExprPtr expr = parseTestListOrYield();
      if (!expr)
        return nullptr;
      exprs.push_back(std::move(expr));
    }
    ExprPtr value = std::move(exprs.back());
    exprs.pop_back();
    for (const ExprPtr &target : exprs)
      if (!checkTarget(*target, /*allowTuple=*/true))
        return nullptr;
    return std::make_unique<AssignStmtAST>(std::move(exprs), std::move(value));
  }

  if (tok.is(Token::colon))
    return emitError(tok.getLoc(),
                     "variable annotations are not supported by slimc");
  return std::make_unique<ExprStmtAST>(std::move(first));
}

/// True if \p tok ends a simple statement.
static bool endsStatement(const Token &tok) {
  return tok.is(Token::newline) || tok.is(Token::semicolon) ||
         tok.is(Token::eof);
}

StmtPtr Parser::parseReturn() {
  SMLoc loc = tok.getLoc();
  if (functionDepth == 0)
    return emitError(loc, "'return' outside function");
  consume();
  ExprPtr value;
  if (!endsStatement(tok)) {
    value = parseTestList();
    if (!value)
      return nullptr;
  }
  return std::make_unique<ReturnStmtAST>(loc, std::move(value));
}

StmtPtr Parser::parseRaise() {
  SMLoc loc = tok.getLoc();
  consume();
  ExprPtr exception, cause;
  if (!endsStatement(tok)) {
    exception = parseTest();
    if (!exception)
      return nullptr;
    if (consumeIf(Token::kw_from)) {
      cause = parseTest();
      if (!cause)
        return nullptr;
    }
  }
  return std::make_unique<RaiseStmtAST>(loc, std::move(exception),
                                        std::move(cause));
}

StmtPtr Parser::parseDel() {
  SMLoc loc = tok.getLoc();
  consume();
  if (!startsExpression(tok))
    return emitError(tok.getLoc(), "expected a name, subscript or attribute "
                                   "to delete after 'del'");
  ExprPtr targets = parseTargetList();
  if (!targets || !checkTarget(*targets, /*allowTuple=*/true, "delete"))
    return nullptr;
  return std::make_unique<DelStmtAST>(loc, std::move(targets));
}

StmtPtr Parser::parseAssert() {
  SMLoc loc = tok.getLoc();
  consume();
  ExprPtr test = parseTest();
  if (!test)
    return nullptr;
  ExprPtr message;
  if (consumeIf(Token::comma)) {
    message = parseTest();
    if (!message)
      return nullptr;
  }
  return std::make_unique<AssertStmtAST>(loc, std::move(test),
                                         std::move(message));
}

bool Parser::parseDottedName(std::string &name, SMLoc &loc) {
  loc = tok.getLoc();
  if (tok.isNot(Token::identifier)) {
    errorExpected("module name");
    return false;
  }
  name = tok.getSpelling().str();
  consume();
  while (consumeIf(Token::dot)) {
    if (tok.isNot(Token::identifier)) {
      errorExpected("name after '.' in module name");
      return false;
    }
    name += '.';
    name += tok.getSpelling();
    consume();
  }
  return true;
}

StmtPtr Parser::parseImport() {
  SMLoc loc = tok.getLoc();
  consume();
  std::vector<ImportAlias> names;
  do {
    ImportAlias alias;
    if (!parseDottedName(alias.name, alias.loc))
      return nullptr;
    if (consumeIf(Token::kw_as)) {
      if (tok.isNot(Token::identifier))
        return errorExpected("name after 'as'");
      alias.asName = tok.getSpelling();
      alias.asLoc = tok.getLoc();
      consume();
    }
    names.push_back(std::move(alias));
  } while (consumeIf(Token::comma));
  return std::make_unique<ImportStmtAST>(loc, std::move(names));
}

StmtPtr Parser::parseFromImport() {
  SMLoc loc = tok.getLoc();
  consume();

  // Relative imports: `from . import x`, `from ..a import x`. The lexer
  // reads `...` as one token.
  unsigned level = 0;
  while (tok.is(Token::dot) || tok.is(Token::ellipsis)) {
    level += tok.is(Token::dot) ? 1 : 3;
    consume();
  }
  std::string module;
  SMLoc moduleLoc = tok.getLoc();
  if (level == 0 || tok.is(Token::identifier)) {
    if (!parseDottedName(module, moduleLoc))
      return nullptr;
  }
  if (!expect(Token::kw_import, "'import'", "after the module name"))
    return nullptr;
  if (tok.is(Token::star))
    return emitError(tok.getLoc(), "'from ... import *' is not supported by "
                                   "slimc; import the names you use");

  SMLoc lParenLoc = tok.getLoc();
  bool parenthesized = consumeIf(Token::l_paren);
  std::vector<ImportAlias> names;
  while (true) {
    ImportAlias alias;
    alias.loc = tok.getLoc();
    if (tok.isNot(Token::identifier))
      return errorExpected("name to import");
    alias.name = tok.getSpelling().str();
    consume();
    if (consumeIf(Token::kw_as)) {
      if (tok.isNot(Token::identifier))
        return errorExpected("name after 'as'");
      alias.asName = tok.getSpelling();
      alias.asLoc = tok.getLoc();
      consume();
    }
    names.push_back(std::move(alias));
    if (!consumeIf(Token::comma))
      break;
    // A trailing comma is only allowed inside parentheses.
    if (parenthesized && tok.is(Token::r_paren))
      break;
  }
  if (parenthesized && !consumeIf(Token::r_paren)) {
    errorExpected("',' or ')' in import list");
    if (tok.is(Token::eof))
      emitNote(lParenLoc, "to match this '('");
    return nullptr;
  }
  return std::make_unique<ImportFromStmtAST>(loc, level, std::move(module),
                                             moduleLoc, std::move(names));
}

StmtPtr Parser::parseDecorated() {
  ExprList decorators;
  while (tok.is(Token::at)) {
    consume();
    ExprPtr decorator = parseTest();
    if (!decorator)
      return nullptr;
    if (!expect(Token::newline, "end of line", "after decorator"))
      return nullptr;
    decorators.push_back(std::move(decorator));
  }
  if (tok.is(Token::kw_def))
    return parseFunctionDef(std::move(decorators));
  if (tok.is(Token::kw_class))
    return parseClassDef(std::move(decorators));
  return errorExpected("'def' or 'class' after decorator");
}

StmtPtr Parser::parseFunctionDef(ExprList decorators) {
  SMLoc defLoc = tok.getLoc();
  consume();
  if (tok.isNot(Token::identifier))
    return errorExpected("function name after 'def'");
  StringRef name = tok.getSpelling();
  SMLoc nameLoc = tok.getLoc();
  consume();
  SMLoc lParenLoc = tok.getLoc();
  if (!expect(Token::l_paren, "'('", "after the function name"))
    return nullptr;
  std::vector<Param> params;
  if (!parseParameters(params, /*isLambda=*/false, lParenLoc))
    return nullptr;
  // Return annotations are parsed and dropped, as Python ignores them.
  if (consumeIf(Token::arrow) && !parseTest())
    return nullptr;
  if (!expect(Token::colon, "':'", "after the function signature"))
    return nullptr;

  // `return` is legal below; `break` of an enclosing loop is not.
  unsigned savedLoopDepth = loopDepth;
  loopDepth = 0;
  ++functionDepth;
  scopes.push_back({ScopeContext::Function, false, {}, {}, comprehensionDepth});
  StmtList body;
  bool ok = parseSuite(body, "function definition", defLoc);
  ScopeContext scope = std::move(scopes.back());
  scopes.pop_back();
  --functionDepth;
  loopDepth = savedLoopDepth;
  if (!ok)
    return nullptr;
  return std::make_unique<FunctionDefAST>(
      defLoc, name, nameLoc, std::move(decorators), std::move(params),
      std::move(body), scope.hasYield, std::move(scope.globals),
      std::move(scope.nonlocals));
}

StmtPtr Parser::parseClassDef(ExprList decorators) {
  SMLoc classLoc = tok.getLoc();
  consume();
  if (tok.isNot(Token::identifier))
    return errorExpected("class name after 'class'");
  StringRef name = tok.getSpelling();
  SMLoc nameLoc = tok.getLoc();
  consume();

  ExprList bases;
  SMLoc lParenLoc = tok.getLoc();
  if (consumeIf(Token::l_paren)) {
    while (tok.isNot(Token::r_paren)) {
      if (tok.is(Token::identifier) && peek().is(Token::equal))
        return emitError(tok.getLoc(), "keyword arguments in a class "
                                       "definition are not supported by "
                                       "slimc");
      if (tok.is(Token::star) || tok.is(Token::starstar))
        return emitError(tok.getLoc(), "unpacking in a class definition is "
                                       "not supported by slimc");
      ExprPtr base = parseTest();
      if (!base)
        return nullptr;
      bases.push_back(std::move(base));
      if (consumeIf(Token::comma))
        continue;
      if (tok.is(Token::r_paren))
        break;
      errorExpected("',' or ')' after base class");
      if (tok.is(Token::eof))
        emitNote(lParenLoc, "to match this '('");
      return nullptr;
    }
    consume();
  }
  if (!expect(Token::colon, "':'", "after the class name"))
    return nullptr;

  // A class body is not a function body: `return` and `break` are illegal
  // directly inside it (methods reset this again).
  unsigned savedLoopDepth = loopDepth, savedFunctionDepth = functionDepth;
  loopDepth = functionDepth = 0;
  scopes.push_back({ScopeContext::Class, false, {}, {}, comprehensionDepth});
  StmtList body;
  bool ok = parseSuite(body, "class definition", classLoc);
  scopes.pop_back();
  loopDepth = savedLoopDepth;
  functionDepth = savedFunctionDepth;
  if (!ok)
    return nullptr;
  return std::make_unique<ClassDefAST>(classLoc, name, nameLoc,
                                       std::move(decorators), std::move(bases),
                                       std::move(body));
}

bool Parser::parseParameters(std::vector<Param> &params, bool isLambda,
                             SMLoc openLoc) {
  Token::Kind closer = isLambda ? Token::colon : Token::r_paren;
  // Inline buckets: most signatures have a handful of parameters.
  llvm::SmallDenseMap<StringRef, SMLoc, 16> seen;
  bool seenDefault = false;
  bool seenStar = false;
  SMLoc bareStarLoc;
  bool seenKwArgs = false;

  auto checkBareStar = [&]() {
    if (bareStarLoc.isValid()) {
      emitError(bareStarLoc, "named parameters must follow bare '*'");
      return false;
    }
    return true;
  };

  while (tok.isNot(closer)) {
    if (seenKwArgs) {
      errorExpected(isLambda ? "':' after the '**' parameter"
                             : "')' after the '**' parameter");
      return false;
    }
    Param param;
    param.defaultValue = nullptr;
    if (tok.is(Token::star)) {
      SMLoc starLoc = tok.getLoc();
      if (seenStar) {
        emitError(starLoc, "only one '*' may appear in a parameter list");
        return false;
      }
      seenStar = true;
      consume();
      if (tok.is(Token::comma)) {
        bareStarLoc = starLoc;
        consume();
        continue;
      }
      if (tok.isNot(Token::identifier)) {
        errorExpected("parameter name or ',' after '*'");
        return false;
      }
      param.kind = Param::VarArgs;
    } else if (tok.is(Token::starstar)) {
      consume();
      if (tok.isNot(Token::identifier)) {
        errorExpected("parameter name after '**'");
        return false;
      }
      if (!checkBareStar())
        return false;
      param.kind = Param::KwArgs;
      seenKwArgs = true;
    } else if (tok.is(Token::slash)) {
      emitError(tok.getLoc(), "positional-only parameters ('/') are not "
                              "supported by slimc");
      return false;
    } else if (tok.is(Token::identifier)) {
      param.kind = seenStar ? Param::KeywordOnly : Param::Normal;
      bareStarLoc = SMLoc();
    } else {
      errorExpected("parameter name");
      return false;
    }

    param.name = tok.getSpelling();
    param.loc = tok.getLoc();
    consume();
    auto inserted = seen.try_emplace(param.name, param.loc);
    if (!inserted.second) {
      emitError(param.loc, "duplicate parameter '" + param.name +
                               "' in function definition");
      emitNote(inserted.first->second,
               "previous parameter '" + param.name + "' is here");
      return false;
    }
    // Annotations are parsed and dropped, as Python ignores them. In a
    // lambda the ':' ends the parameters instead.
    if (!isLambda && consumeIf(Token::colon) && !parseTest())
      return false;
    if (tok.is(Token::equal)) {
      if (param.kind == Param::VarArgs || param.kind == Param::KwArgs) {
        emitError(tok.getLoc(), "'*' and '**' parameters cannot have a "
                                "default value");
        return false;
      }
      consume();
      param.defaultValue = parseTest();
      if (!param.defaultValue)
        return false;
    }
    if (param.kind == Param::Normal) {
      if (param.defaultValue) {
        seenDefault = true;
      } else if (seenDefault) {
        emitError(param.loc, "parameter '" + param.name +
                                 "' without a default follows a parameter "
                                 "with a default");
        return false;
      }
    }
    params.push_back(std::move(param));
    if (!consumeIf(Token::comma))
      break;
  }
  if (!checkBareStar())
    return false;
  if (!consumeIf(closer)) {
    errorExpected(isLambda ? "',' or ':' in lambda parameter list"
                           : "',' or ')' in parameter list");
    if (!isLambda && tok.is(Token::eof))
      emitNote(openLoc, "to match this '('");
    return false;
  }
  return true;
}

bool Parser::parseSuite(StmtList &body, StringRef what, SMLoc stmtLoc) {
  // `if x: return y` puts simple statements on the same line.
  if (tok.isNot(Token::newline)) {
    switch (tok.getKind()) {
    case Token::kw_if:
    case Token::kw_for:
    case Token::kw_with:
    case Token::kw_while:
    case Token::kw_try:
    case Token::kw_def:
    case Token::kw_class:
    case Token::at:
      emitError(tok.getLoc(),
                "'" + tok.getSpelling() + "' must start a new line after ':'");
      return false;
    default:
      return parseSimpleStatements(body);
    }
  }
  consume();
  if (tok.isNot(Token::indent)) {
    errorExpected("an indented block after " + what + " on line " +
                  Twine(getLine(stmtLoc)));
    return false;
  }
  consume();
  if (blockDepth >= MaxBlockDepth) {
    emitError(tok.getLoc(), "blocks nested too deeply: at most " +
                                Twine(MaxBlockDepth) + " levels are allowed");
    return false;
  }
  ++blockDepth;
  auto restore = llvm::make_scope_exit([this] { --blockDepth; });
  while (tok.isNot(Token::dedent)) {
    if (tok.is(Token::eof) || tok.is(Token::error)) {
      errorExpected("end of the indented block");
      return false;
    }
    if (consumeIf(Token::newline))
      continue;
    if (!parseStatement(body))
      return false;
  }
  consume();
  return true;
}

StmtPtr Parser::parseIf() {
  std::vector<IfClause> clauses;
  do {
    IfClause clause;
    clause.loc = tok.getLoc();
    bool isElif = tok.is(Token::kw_elif);
    consume();
    clause.cond = parseTest();
    if (!clause.cond)
      return nullptr;
    StringRef what = isElif ? "'elif' statement" : "'if' statement";
    if (!expect(Token::colon, "':'",
                isElif ? "after the 'elif' condition"
                       : "after the 'if' condition"))
      return nullptr;
    if (!parseSuite(clause.body, what, clause.loc))
      return nullptr;
    clauses.push_back(std::move(clause));
  } while (tok.is(Token::kw_elif));

  SMLoc elseLoc;
  StmtList elseBody;
  if (tok.is(Token::kw_else)) {
    elseLoc = tok.getLoc();
    consume();
    if (!expect(Token::colon, "':'", "after 'else'"))
      return nullptr;
    if (!parseSuite(elseBody, "'else' statement", elseLoc))
      return nullptr;
  }
  return std::make_unique<IfStmtAST>(std::move(clauses), elseLoc,
                                     std::move(elseBody));
}

StmtPtr Parser::parseFor() {
  SMLoc loc = tok.getLoc();
  consume();
  ExprPtr target = parseTargetList();
  if (!target || !checkTarget(*target, /*allowTuple=*/true))
    return nullptr;
  if (!expect(Token::kw_in, "'in'", "after the loop variable"))
    return nullptr;
  ExprPtr iterable = parseTestList();
  if (!iterable)
    return nullptr;
  if (!expect(Token::colon, "':'", "after the 'for' iterable"))
    return nullptr;
  ++loopDepth;
  StmtList body;
  bool ok = parseSuite(body, "'for' statement", loc);
  --loopDepth;
  if (!ok)
    return nullptr;
  StmtList elseBody;
  if (!parseElse(elseBody))
    return nullptr;
  return std::make_unique<ForStmtAST>(loc, std::move(target),
                                      std::move(iterable), std::move(body),
                                      std::move(elseBody));
}

bool Parser::parseElse(StmtList &elseBody) {
  if (tok.isNot(Token::kw_else))
    return true;
  SMLoc elseLoc = tok.getLoc();
  consume();
  if (!expect(Token::colon, "':'", "after 'else'"))
    return false;
  if (!parseSuite(elseBody, "'else' statement", elseLoc))
    return false;
  // `else: pass` is legal Python and means the same as no else.
  if (elseBody.empty())
    elseBody.push_back(std::make_unique<PassStmtAST>(elseLoc));
  return true;
}

StmtPtr Parser::parseWhile() {
  SMLoc loc = tok.getLoc();
  consume();
  ExprPtr cond = parseTest();
  if (!cond)
    return nullptr;
  if (!expect(Token::colon, "':'", "after the 'while' condition"))
    return nullptr;
  ++loopDepth;
  StmtList body;
  bool ok = parseSuite(body, "'while' statement", loc);
  --loopDepth;
  if (!ok)
    return nullptr;
  StmtList elseBody;
  if (!parseElse(elseBody))
    return nullptr;
  return std::make_unique<WhileStmtAST>(loc, std::move(cond), std::move(body),
                                        std::move(elseBody));
}

StmtPtr Parser::parseTry() {
  SMLoc loc = tok.getLoc();
  consume();
  if (!expect(Token::colon, "':'", "after 'try'"))
    return nullptr;
  StmtList body;
  if (!parseSuite(body, "'try' statement", loc))
    return nullptr;
  std::vector<ExceptHandler> handlers;
  SMLoc bareExceptLoc;
  while (tok.is(Token::kw_except)) {
    ExceptHandler handler;
    handler.loc = tok.getLoc();
    if (bareExceptLoc.isValid())
      return emitError(bareExceptLoc, "default 'except:' must be last");
    consume();
    if (tok.isNot(Token::colon)) {
      handler.type = parseTest();
      if (!handler.type)
        return nullptr;
      if (tok.is(Token::comma))
        return emitError(tok.getLoc(), "multiple exception types must be "
                                       "parenthesized");
      if (consumeIf(Token::kw_as)) {
        if (tok.isNot(Token::identifier))
          return errorExpected("a name after 'as'");
        handler.name = tok.getSpelling();
        consume();
      }
    } else {
      bareExceptLoc = handler.loc;
    }
    if (!expect(Token::colon, "':'", "after the 'except' clause"))
      return nullptr;
    if (!parseSuite(handler.body, "'except' statement", handler.loc))
      return nullptr;
    handlers.push_back(std::move(handler));
  }
  StmtList elseBody;
  if (tok.is(Token::kw_else)) {
    if (handlers.empty())
      return emitError(tok.getLoc(), "'else' after 'try' needs an 'except' "
                                     "clause");
    if (!parseElse(elseBody))
      return nullptr;
  }
  SMLoc finallyLoc;
  StmtList finallyBody;
  if (tok.is(Token::kw_finally)) {
    finallyLoc = tok.getLoc();
    consume();
    if (!expect(Token::colon, "':'", "after 'finally'"))
      return nullptr;
    if (!parseSuite(finallyBody, "'finally' statement", finallyLoc))
      return nullptr;
  }
  if (handlers.empty() && !finallyLoc.isValid())
    return errorExpected("'except' or 'finally' block");
  return std::make_unique<TryStmtAST>(loc, std::move(body), std::move(handlers),
                                      std::move(elseBody), finallyLoc,
                                      std::move(finallyBody));
}

StmtPtr Parser::parseScopeDecl() {
  SMLoc loc = tok.getLoc();
  bool isGlobal = tok.is(Token::kw_global);
  StringRef keyword = tok.getSpelling();
  consume();
  std::vector<StringRef> names;
  do {
    if (tok.isNot(Token::identifier))
      return errorExpected("a name after '" + keyword + "'");
    names.push_back(tok.getSpelling());
    consume();
  } while (consumeIf(Token::comma));
  // The declaration applies to the innermost function. At module level
  // `global` is a no-op, as in Python; `nonlocal` needs an enclosing
  // function.
  ScopeContext *scope = scopes.empty() ? nullptr : &scopes.back();
  if (!isGlobal) {
    if (!scope || scope->kind != ScopeContext::Function || functionDepth < 2)
      return emitError(loc, "nonlocal declaration not allowed at module level "
                            "or in a function that is not nested");
  }
  if (scope && scope->kind == ScopeContext::Function) {
    auto &list = isGlobal ? scope->globals : scope->nonlocals;
    list.insert(list.end(), names.begin(), names.end());
  }
  return std::make_unique<ScopeDeclStmtAST>(isGlobal ? StmtAST::Stmt_Global
                                                     : StmtAST::Stmt_Nonlocal,
                                            loc, std::move(names));
}

StmtPtr Parser::parseWith() {
  SMLoc loc = tok.getLoc();
  consume();
  std::vector<WithItem> items;
  do {
    WithItem item;
    item.context = parseTest();
    if (!item.context)
      return nullptr;
    if (consumeIf(Token::kw_as)) {
      // A single target: `with a as x, b as y` has two items.
      item.target = parseArith();
      if (!item.target || !checkTarget(*item.target, /*allowTuple=*/true))
        return nullptr;
    }
    items.push_back(std::move(item));
  } while (consumeIf(Token::comma));
  if (!expect(Token::colon, "':'", "after the 'with' items"))
    return nullptr;
  StmtList body;
  if (!parseSuite(body, "'with' statement", loc))
    return nullptr;
  return std::make_unique<WithStmtAST>(loc, std::move(items), std::move(body));
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Parser::parseTestList() {
  SMLoc loc = tok.getLoc();
  ExprPtr first = parseTest();
  if (!first || tok.isNot(Token::comma))
    return first;
  ExprList elements;
  elements.push_back(std::move(first));
  while (consumeIf(Token::comma)) {
    if (!startsExpression(tok))
      break;
    ExprPtr element = parseTest();
    if (!element)
      return nullptr;
    elements.push_back(std::move(element));
  }
  return checkHeight(std::make_unique<TupleExprAST>(loc, std::move(elements)));
}

ExprPtr Parser::parseTargetList() {
  SMLoc loc = tok.getLoc();
  if (tok.is(Token::star))
    return emitError(loc, "starred assignment targets are not supported by "
                          "slimc");
  ExprPtr first = parseArith();
  if (!first || tok.isNot(Token::comma))
    return first;
  ExprList elements;
  elements.push_back(std::move(first));
  while (consumeIf(Token::comma)) {
    if (!startsExpression(tok))
      break;
    if (tok.is(Token::star))
      return emitError(tok.getLoc(), "starred assignment targets are not "
                                     "supported by slimc");
    ExprPtr element = parseArith();
    if (!element)
      return nullptr;
    elements.push_back(std::move(element));
  }
  return checkHeight(std::make_unique<TupleExprAST>(loc, std::move(elements)));
}

ExprPtr Parser::parseTest() {
  DepthGuard guard(*this);
  if (!checkDepth())
    return nullptr;
  if (tok.is(Token::kw_unsupported) || tok.is(Token::unsupported_op)) {
    diagnoseUnsupported();
    return nullptr;
  }
  if (tok.is(Token::kw_lambda))
    return parseLambda();
  ExprPtr value = parseOrTest();
  if (!value || tok.isNot(Token::kw_if))
    return value;
  SMLoc ifLoc = tok.getLoc();
  consume();
  ExprPtr cond = parseOrTest();
  if (!cond)
    return nullptr;
  if (!expect(Token::kw_else, "'else'", "in conditional expression"))
    return nullptr;
  ExprPtr elseValue = parseTest();
  if (!elseValue)
    return nullptr;
  return checkHeight(std::make_unique<IfElseExprAST>(
      ifLoc, std::move(value), std::move(cond), std::move(elseValue)));
}

ExprPtr Parser::parseLambda() {
  SMLoc loc = tok.getLoc();
  consume();
  std::vector<Param> params;
  if (!parseParameters(params, /*isLambda=*/true, loc))
    return nullptr;
  scopes.push_back({ScopeContext::Lambda, false, {}, {}, comprehensionDepth});
  ExprPtr body = parseTest();
  scopes.pop_back();
  if (!body)
    return nullptr;
  return checkHeight(
      std::make_unique<LambdaExprAST>(loc, std::move(params), std::move(body)));
}

ExprPtr Parser::parseOrTest() {
  ExprPtr lhs = parseAndTest();
  while (lhs && tok.is(Token::kw_or)) {
    SMLoc opLoc = tok.getLoc();
    consume();
    ExprPtr rhs = parseAndTest();
    if (!rhs)
      return nullptr;
    lhs = checkHeight(std::make_unique<LogicalExprAST>(
        LogicalOp::Or, opLoc, std::move(lhs), std::move(rhs)));
  }
  return lhs;
}

ExprPtr Parser::parseAndTest() {
  ExprPtr lhs = parseNotTest();
  while (lhs && tok.is(Token::kw_and)) {
    SMLoc opLoc = tok.getLoc();
    consume();
    ExprPtr rhs = parseNotTest();
    if (!rhs)
      return nullptr;
    lhs = checkHeight(std::make_unique<LogicalExprAST>(
        LogicalOp::And, opLoc, std::move(lhs), std::move(rhs)));
  }
  return lhs;
}

ExprPtr Parser::parseNotTest() {
  if (tok.isNot(Token::kw_not))
    return parseComparison();
  SMLoc loc = tok.getLoc();
  consume();
  DepthGuard guard(*this);
  if (!checkDepth())
    return nullptr;
  ExprPtr operand = parseNotTest();
  if (!operand)
    return nullptr;
  return checkHeight(
      std::make_unique<UnaryExprAST>(loc, UnaryOp::Not, std::move(operand)));
}

ExprPtr Parser::parseComparison() {
  ExprPtr lhs = parseArith();
  if (!lhs)
    return nullptr;
  std::vector<CompareLink> links;
  while (true) {
    SMLoc opLoc = tok.getLoc();
    CompareOp op;
    switch (tok.getKind()) {
    case Token::equalequal:
      op = CompareOp::Eq;
      break;
    case Token::notequal:
      op = CompareOp::NotEq;
      break;
    case Token::less:
      op = CompareOp::Lt;
      break;
    case Token::lessequal:
      op = CompareOp::LtE;
      break;
    case Token::greater:
      op = CompareOp::Gt;
      break;
    case Token::greaterequal:
      op = CompareOp::GtE;
      break;
    case Token::kw_in:
      op = CompareOp::In;
      break;
    case Token::kw_is:
      op = CompareOp::Is;
      break;
    case Token::kw_not:
      // `not` continues a comparison only as `not in`.
      if (peek().isNot(Token::kw_in))
        goto done;
      consume();
      op = CompareOp::NotIn;
      break;
    default:
      goto done;
    }
    consume();
    if (op == CompareOp::Is && consumeIf(Token::kw_not))
      op = CompareOp::IsNot;
    {
      ExprPtr rhs = parseArith();
      if (!rhs)
        return nullptr;
      links.push_back({op, opLoc, std::move(rhs)});
    }
  }
done:
  if (links.empty())
    return lhs;
  return checkHeight(
      std::make_unique<CompareExprAST>(std::move(lhs), std::move(links)));
}

ExprPtr Parser::parseArith() {
  ExprPtr lhs = parseTerm();
  while (lhs && (tok.is(Token::plus) || tok.is(Token::minus))) {
    BinaryOp op = tok.is(Token::plus) ? BinaryOp::Add : BinaryOp::Sub;
    SMLoc opLoc = tok.getLoc();
    consume();
    ExprPtr rhs = parseTerm();
    if (!rhs)
      return nullptr;
    lhs = checkHeight(std::make_unique<BinaryExprAST>(op, opLoc, std::move(lhs),
                                                      std::move(rhs)));
  }
  return lhs;
}

ExprPtr Parser::parseTerm() {
  ExprPtr lhs = parseFactor();
  while (lhs) {
    BinaryOp op;
    switch (tok.getKind()) {
    case Token::star:
      op = BinaryOp::Mul;
      break;
    case Token::slash:
      op = BinaryOp::Div;
      break;
    case Token::slashslash:
      op = BinaryOp::FloorDiv;
      break;
    case Token::percent:
      op = BinaryOp::Mod;
      break;
    case Token::at:
      op = BinaryOp::MatMul;
      break;
    default:
      return lhs;
    }
    SMLoc opLoc = tok.getLoc();
    consume();
    ExprPtr rhs = parseFactor();
    if (!rhs)
      return nullptr;
    lhs = checkHeight(std::make_unique<BinaryExprAST>(op, opLoc, std::move(lhs),
                                                      std::move(rhs)));
  }
  return lhs;
}

ExprPtr Parser::parseFactor() {
  if (tok.isNot(Token::minus) && tok.isNot(Token::plus))
    return parsePower();
  SMLoc loc = tok.getLoc();
  UnaryOp op = tok.is(Token::minus) ? UnaryOp::Neg : UnaryOp::Pos;
  consume();
  DepthGuard guard(*this);
  if (!checkDepth())
    return nullptr;
  ExprPtr operand = parseFactor();
  if (!operand)
    return nullptr;
  return checkHeight(
      std::make_unique<UnaryExprAST>(loc, op, std::move(operand)));
}

ExprPtr Parser::parsePower() {
  ExprPtr base = parsePrimary();
  if (!base || tok.isNot(Token::starstar))
    return base;
  SMLoc opLoc = tok.getLoc();
  consume();
  DepthGuard guard(*this);
  if (!checkDepth())
    return nullptr;
  ExprPtr exponent = parseFactor();
  if (!exponent)
    return nullptr;
  return checkHeight(std::make_unique<BinaryExprAST>(
      BinaryOp::Pow, opLoc, std::move(base), std::move(exponent)));
}

ExprPtr Parser::parsePrimary() {
  ExprPtr expr = parseAtom();
  while (expr) {
    switch (tok.getKind()) {
    case Token::l_paren:
      expr = parseCall(std::move(expr));
      break;
    case Token::l_square:
      expr = parseSubscript(std::move(expr));
      break;
    case Token::dot: {
      consume();
      if (tok.isNot(Token::identifier))
        return errorExpected("attribute name after '.'");
      StringRef name = tok.getSpelling();
      SMLoc nameLoc = tok.getLoc();
      consume();
      expr = checkHeight(
          std::make_unique<AttributeExprAST>(std::move(expr), name, nameLoc));
      break;
    }
    default:
      return expr;
    }
  }
  return nullptr;
}

ExprPtr Parser::parseCall(ExprPtr callee) {
  SMLoc lParenLoc = tok.getLoc();
  consume();
  std::vector<CallArgument> args;
  // Inline buckets: most calls pass a handful of keywords.
  llvm::SmallDenseMap<StringRef, SMLoc, 16> keywords;
  bool seenKeyword = false;
  bool seenDoubleStar = false;

  while (tok.isNot(Token::r_paren)) {
    CallArgument arg;
    arg.loc = tok.getLoc();
    if (tok.is(Token::star)) {
      consume();
      if (seenDoubleStar)
        return emitError(arg.loc, "iterable argument unpacking follows "
                                  "keyword argument unpacking");
      arg.kind = CallArgument::Star;
    } else if (tok.is(Token::starstar)) {
      consume();
      arg.kind = CallArgument::DoubleStar;
      seenDoubleStar = true;
    } else if (tok.is(Token::identifier) && peek().is(Token::equal)) {
      arg.kind = CallArgument::Keyword;
      arg.name = tok.getSpelling();
      consume();
      consume();
      auto inserted = keywords.try_emplace(arg.name, arg.loc);
      if (!inserted.second) {
        emitError(arg.loc, "keyword argument '" + arg.name + "' repeated");
        emitNote(inserted.first->second,
                 "'" + arg.name + "' was first given here");
        return nullptr;
      }
      seenKeyword = true;
    } else {
      arg.kind = CallArgument::Positional;
    }

    unsigned yieldsBefore = yieldCount();
    arg.value = parseTest();
    if (!arg.value)
      return nullptr;

    if (arg.kind == CallArgument::Positional) {
      if (tok.is(Token::equal))
        return emitError(arg.loc, "keyword argument name must be a plain "
                                  "identifier; use '==' to compare");
      if (tok.is(Token::kw_for)) {
        // `f(x for x in xs)`: a generator expression as the only argument.
        if (!args.empty())
          return emitError(arg.value->getLoc(),
                           "generator expression must be parenthesized");
        arg.value =
            parseComprehension(ComprehensionExprAST::Generator, arg.loc,
                               std::move(arg.value), nullptr, yieldsBefore);
        if (!arg.value)
          return nullptr;
        if (tok.isNot(Token::r_paren))
          return emitError(arg.value->getLoc(),
                           "generator expression must be parenthesized");
      }
      if (seenDoubleStar)
        return emitError(arg.loc, "positional argument follows keyword "
                                  "argument unpacking");
      if (seenKeyword)
        return emitError(arg.loc,
                         "positional argument follows keyword argument");
    }
    args.push_back(std::move(arg));

    if (consumeIf(Token::comma))
      continue;
    if (tok.is(Token::r_paren))
      break;
    const CallArgument &last = args.back();
    if (last.kind == CallArgument::Keyword)
      errorExpected("',' or ')' after keyword argument '" + last.name + "'");
    else
      errorExpected("',' or ')' after argument");
    if (tok.is(Token::eof))
      emitNote(lParenLoc, "to match this '('");
    return nullptr;
  }
  consume();
  return checkHeight(std::make_unique<CallExprAST>(std::move(callee), lParenLoc,
                                                   std::move(args)));
}

ExprPtr Parser::parseSubscript(ExprPtr base) {
  SMLoc lBracketLoc = tok.getLoc();
  consume();
  SMLoc indexLoc = tok.getLoc();
  ExprPtr index = parseSubscriptItem();
  if (!index)
    return nullptr;
  if (tok.is(Token::comma)) {
    ExprList items;
    items.push_back(std::move(index));
    while (consumeIf(Token::comma)) {
      if (tok.is(Token::r_square))
        break;
      ExprPtr item = parseSubscriptItem();
      if (!item)
        return nullptr;
      items.push_back(std::move(item));
    }
    index =
        checkHeight(std::make_unique<TupleExprAST>(indexLoc, std::move(items)));
    if (!index)
      return nullptr;
  }
  if (!consumeIf(Token::r_square)) {
    errorExpected("',' or ']' in subscript");
    if (tok.is(Token::eof))
      emitNote(lBracketLoc, "to match this '['");
    return nullptr;
  }
  return checkHeight(std::make_unique<SubscriptExprAST>(
      std::move(base), lBracketLoc, std::move(index)));
}

ExprPtr Parser::parseSubscriptItem() {
  SMLoc loc = tok.getLoc();
  ExprPtr lower, upper, step;
  if (tok.isNot(Token::colon)) {
    lower = parseTest();
    if (!lower || tok.isNot(Token::colon))
      return lower;
  }
  consume();
  auto endsPart = [this] {
    return tok.is(Token::colon) || tok.is(Token::comma) ||
           tok.is(Token::r_square);
  };
  if (!endsPart()) {
    upper = parseTest();
    if (!upper)
      return nullptr;
  }
  if (consumeIf(Token::colon) && !endsPart()) {
    step = parseTest();
    if (!step)
      return nullptr;
  }
  return checkHeight(std::make_unique<SliceExprAST>(
      loc, std::move(lower), std::move(upper), std::move(step)));
}

ExprPtr Parser::parseAtom() {
  SMLoc loc = tok.getLoc();
  switch (tok.getKind()) {
  case Token::identifier: {
    StringRef name = tok.getSpelling();
    consume();
    return std::make_unique<NameExprAST>(loc, name);
  }
  case Token::integer:
  case Token::floating:
    return parseNumber();
  case Token::string:
    return parseStrings();
  case Token::kw_None:
    consume();
    return std::make_unique<NoneExprAST>(loc);
  case Token::kw_True:
  case Token::kw_False: {
    bool value = tok.is(Token::kw_True);
    consume();
    return std::make_unique<BoolExprAST>(loc, value);
  }
  case Token::ellipsis:
    consume();
    return std::make_unique<EllipsisExprAST>(loc);
  case Token::l_paren:
    return parseParenAtom();
  case Token::l_square:
    return parseListAtom();
  case Token::l_brace:
    return parseDictAtom();
  case Token::star:
    return emitError(loc, "starred expressions are not supported here");
  default:
    return errorExpected("expression");
  }
}

ExprPtr Parser::parseParenAtom() {
  SMLoc lParenLoc = tok.getLoc();
  consume();
  if (consumeIf(Token::r_paren))
    return std::make_unique<TupleExprAST>(lParenLoc, ExprList());

  if (tok.is(Token::kw_yield)) {
    ExprPtr yield = parseYield();
    if (!yield)
      return nullptr;
    if (!consumeIf(Token::r_paren))
      return errorExpected("')' after the yield expression");
    return yield;
  }
  unsigned yieldsBefore = yieldCount();
  ExprPtr first = parseTest();
  if (!first)
    return nullptr;
  if (tok.is(Token::kw_for)) {
    ExprPtr gen = parseComprehension(ComprehensionExprAST::Generator, lParenLoc,
                                     std::move(first), nullptr, yieldsBefore);
    if (!gen)
      return nullptr;
    if (!consumeIf(Token::r_paren)) {
      errorExpected("')' at the end of the generator expression");
      if (tok.is(Token::eof))
        emitNote(lParenLoc, "to match this '('");
      return nullptr;
    }
    return gen;
  }
  // A parenthesized expression is the expression itself.
  if (consumeIf(Token::r_paren))
    return first;

  ExprList elements;
  elements.push_back(std::move(first));
  while (true) {
    if (tok.isNot(Token::comma)) {
      errorExpected("',' or ')' in tuple");
      if (tok.is(Token::eof))
        emitNote(lParenLoc, "to match this '('");
      return nullptr;
    }
    consume();
    if (consumeIf(Token::r_paren))
      break;
    ExprPtr element = parseTest();
    if (!element)
      return nullptr;
    elements.push_back(std::move(element));
    if (consumeIf(Token::r_paren))
      break;
  }
  return checkHeight(
      std::make_unique<TupleExprAST>(lParenLoc, std::move(elements)));
}

ExprPtr Parser::parseListAtom() {
  SMLoc lSquareLoc = tok.getLoc();
  consume();
  if (consumeIf(Token::r_square))
    return std::make_unique<ListExprAST>(lSquareLoc, ExprList());

  unsigned yieldsBefore = yieldCount();
  ExprPtr first = parseTest();
  if (!first)
    return nullptr;

  if (tok.is(Token::kw_for)) {
    ExprPtr comp = parseComprehension(ComprehensionExprAST::List, lSquareLoc,
                                      std::move(first), nullptr, yieldsBefore);
    if (!comp)
      return nullptr;
    if (!consumeIf(Token::r_square)) {
      errorExpected("']' at the end of the list comprehension");
      if (tok.is(Token::eof))
        emitNote(lSquareLoc, "to match this '['");
      return nullptr;
    }
    return comp;
  }

  ExprList elements;
  elements.push_back(std::move(first));
  while (true) {
    if (consumeIf(Token::r_square))
      break;
    if (tok.isNot(Token::comma)) {
      errorExpected("',' or ']' in list");
      if (tok.is(Token::eof))
        emitNote(lSquareLoc, "to match this '['");
      return nullptr;
    }
    consume();
    if (consumeIf(Token::r_square))
      break;
    ExprPtr element = parseTest();
    if (!element)
      return nullptr;
    elements.push_back(std::move(element));
  }
  return checkHeight(
      std::make_unique<ListExprAST>(lSquareLoc, std::move(elements)));
}

unsigned Parser::yieldCount() const {
  return scopes.empty() ? 0 : scopes.back().yields;
}

ExprPtr Parser::parseComprehension(ComprehensionExprAST::CompKind kind,
                                   SMLoc loc, ExprPtr element, ExprPtr value,
                                   unsigned yieldsBefore) {
  static const char *what[] = {"list comprehension", "generator expression",
                               "dict comprehension"};
  // The element was parsed before the `for` showed it is a comprehension.
  if (yieldCount() != yieldsBefore)
    return emitError(scopes.back().lastYieldLoc,
                     "'yield' inside a comprehension");
  std::vector<CompClause> clauses;
  ++comprehensionDepth;
  auto restore = llvm::make_scope_exit([this] { --comprehensionDepth; });
  while (tok.is(Token::kw_for)) {
    CompClause clause;
    clause.forLoc = tok.getLoc();
    consume();
    clause.target = parseTargetList();
    if (!clause.target || !checkTarget(*clause.target, /*allowTuple=*/true))
      return nullptr;
    std::string context = std::string("in ") + what[kind];
    if (!expect(Token::kw_in, "'in'", context))
      return nullptr;
    clause.iterable = parseOrTest();
    if (!clause.iterable)
      return nullptr;
    while (consumeIf(Token::kw_if)) {
      ExprPtr cond = parseOrTest();
      if (!cond)
        return nullptr;
      clause.conditions.push_back(std::move(cond));
    }
    clauses.push_back(std::move(clause));
  }
  return checkHeight(std::make_unique<ComprehensionExprAST>(
      loc, kind, std::move(element), std::move(value), std::move(clauses)));
}

ExprPtr Parser::parseYield() {
  SMLoc loc = tok.getLoc();
  consume();
  ScopeContext *scope = scopes.empty() ? nullptr : &scopes.back();
  if (!scope || scope->kind == ScopeContext::Class)
    return emitError(loc, "'yield' outside function");
  if (scope->kind == ScopeContext::Lambda)
    return emitError(loc, "'yield' inside a lambda is not supported by slimc");
  if (comprehensionDepth > scope->comprehensionBase)
    return emitError(loc, "'yield' inside a comprehension");
  scope->hasYield = true;
  ++scope->yields;
  scope->lastYieldLoc = loc;
  if (consumeIf(Token::kw_from)) {
    ExprPtr value = parseTest();
    if (!value)
      return nullptr;
    return checkHeight(
        std::make_unique<YieldExprAST>(loc, std::move(value), true));
  }
  ExprPtr value;
  if (startsExpression(tok)) {
    value = parseTestList();
    if (!value)
      return nullptr;
  }
  return checkHeight(
      std::make_unique<YieldExprAST>(loc, std::move(value), false));
}

ExprPtr Parser::parseDictAtom() {
  SMLoc lBraceLoc = tok.getLoc();
  consume();
  std::vector<DictEntry> entries;
  while (tok.isNot(Token::r_brace)) {
    if (tok.is(Token::starstar))
      return emitError(tok.getLoc(), "dict unpacking ('**') is not supported "
                                     "by slimc");
    DictEntry entry;
    unsigned yieldsBefore = yieldCount();
    entry.key = parseTest();
    if (!entry.key)
      return nullptr;
    if (tok.isNot(Token::colon)) {
      if (entries.empty() && (tok.is(Token::comma) || tok.is(Token::r_brace)))
        return emitError(lBraceLoc, "set literals are not supported by slimc");
      return errorExpected("':' after dict key");
    }
    consume();
    entry.value = parseTest();
    if (!entry.value)
      return nullptr;
    if (tok.is(Token::kw_for) && entries.empty()) {
      ExprPtr comp = parseComprehension(ComprehensionExprAST::Dict, lBraceLoc,
                                        std::move(entry.key),
                                        std::move(entry.value), yieldsBefore);
      if (!comp)
        return nullptr;
      if (!consumeIf(Token::r_brace)) {
        errorExpected("'}' at the end of the dict comprehension");
        if (tok.is(Token::eof))
          emitNote(lBraceLoc, "to match this '{'");
        return nullptr;
      }
      return comp;
    }
    entries.push_back(std::move(entry));
    if (consumeIf(Token::comma))
      continue;
    if (tok.is(Token::r_brace))
      break;
    errorExpected("',' or '}' in dict literal");
    if (tok.is(Token::eof))
      emitNote(lBraceLoc, "to match this '{'");
    return nullptr;
  }
  consume();
  return checkHeight(
      std::make_unique<DictExprAST>(lBraceLoc, std::move(entries)));
}

ExprPtr Parser::parseNumber() {
  SMLoc loc = tok.getLoc();
  std::string text;
  for (char c : tok.getSpelling())
    if (c != '_')
      text += c;
  bool isFloat = tok.is(Token::floating);
  consume();

  if (isFloat) {
    llvm::APFloat value(llvm::APFloat::IEEEdouble());
    auto status =
        value.convertFromString(text, llvm::APFloat::rmNearestTiesToEven);
    if (!status) {
      llvm::consumeError(status.takeError());
      return emitError(loc, "invalid floating-point literal");
    }
    if (*status & llvm::APFloat::opOverflow)
      return emitError(loc, "floating-point literal too large");
    return std::make_unique<FloatExprAST>(loc, value.convertToDouble());
  }

  StringRef digits(text);
  unsigned radix = 10;
  if (digits.size() > 2 && digits[0] == '0') {
    char p = digits[1] | 0x20;
    if (p == 'x' || p == 'o' || p == 'b') {
      radix = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      digits = digits.drop_front(2);
    }
  }
  uint64_t value;
  // getAsInteger fails on overflow of uint64_t.
  if (digits.getAsInteger(radix, value) ||
      value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return emitError(loc, "integer literal too large: slimc integers are "
                          "64-bit (at most 9223372036854775807)");
  return std::make_unique<IntExprAST>(loc, static_cast<int64_t>(value));
}

/// Appends code point \p cp to \p out as UTF-8.
static void appendUTF8(std::string &out, unsigned cp) {
  char buf[UNI_MAX_UTF8_BYTES_PER_CODE_POINT];
  char *ptr = buf;
  llvm::ConvertCodePointToUTF8(cp, ptr);
  out.append(buf, ptr);
}

ExprPtr Parser::parseStrings() {
  SMLoc loc = tok.getLoc();
  std::string value;
  bool isBytes = false;
  bool first = true;

  while (tok.is(Token::string)) {
    StringRef spelling = tok.getSpelling();
    size_t prefixLen = spelling.find_first_of("'\"");
    StringRef prefix = spelling.take_front(prefixLen);
    bool raw = prefix.find_insensitive('r') != StringRef::npos;
    bool bytes = prefix.find_insensitive('b') != StringRef::npos;
    if (!first && bytes != isBytes)
      return emitError(tok.getLoc(),
                       "cannot mix bytes and non-bytes string literals");
    isBytes = bytes;
    first = false;

    StringRef rest = spelling.drop_front(prefixLen);
    char q = rest[0];
    size_t quoteLen = rest.size() >= 6 && rest[1] == q && rest[2] == q ? 3 : 1;
    StringRef body = rest.drop_front(quoteLen).drop_back(quoteLen);

    for (size_t i = 0, e = body.size(); i < e; ++i) {
      char c = body[i];
      const char *here = body.data() + i;
      if (bytes && static_cast<unsigned char>(c) >= 0x80)
        return emitError(SMLoc::getFromPointer(here),
                         "bytes literals may only contain ASCII characters");
      // Line breaks inside triple-quoted literals read as '\n' whatever
      // the file's line endings.
      if (c == '\r') {
        if (i + 1 < e && body[i + 1] == '\n')
          ++i;
        value += '\n';
        continue;
      }
      if (c != '\\' || i + 1 == e) {
        value += c;
        continue;
      }
      char n = body[i + 1];
      if (raw) {
        // Raw strings keep the backslash; it only stopped the quote from
        // ending the literal.
        value += c;
        continue;
      }
      ++i;
      switch (n) {
      case '\n':
        continue;
      case '\r':
        if (i + 1 < e && body[i + 1] == '\n')
          ++i;
        continue;
      case '\\':
      case '\'':
      case '"':
        value += n;
        continue;
      case 'a':
        value += '\a';
        continue;
      case 'b':
        value += '\b';
        continue;
      case 'f':
        value += '\f';
        continue;
      case 'n':
        value += '\n';
        continue;
      case 'r':
        value += '\r';
        continue;
      case 't':
        value += '\t';
        continue;
      case 'v':
        value += '\v';
        continue;
      case 'x': {
        if (i + 2 >= e || !llvm::isHexDigit(body[i + 1]) ||
            !llvm::isHexDigit(body[i + 2]))
          return emitError(SMLoc::getFromPointer(here),
                           "invalid '\\x' escape: expected two hex digits");
        unsigned cp = llvm::hexDigitValue(body[i + 1]) * 16 +
                      llvm::hexDigitValue(body[i + 2]);
        i += 2;
        if (bytes)
          value += static_cast<char>(cp);
        else
          appendUTF8(value, cp);
        continue;
      }
      case 'u':
      case 'U': {
        if (bytes) {
          // Bytes literals keep \u as two characters, as Python does.
          value += '\\';
          value += n;
          continue;
        }
        unsigned len = n == 'u' ? 4 : 8;
        if (i + len >= e)
          return emitError(SMLoc::getFromPointer(here),
                           Twine("invalid '\\") + Twine(n) +
                               "' escape: expected " + Twine(len) +
                               " hex digits");
        unsigned cp = 0;
        for (unsigned k = 1; k <= len; ++k) {
          char h = body[i + k];
          if (!llvm::isHexDigit(h))
            return emitError(SMLoc::getFromPointer(here),
                             Twine("invalid '\\") + Twine(n) +
                                 "' escape: expected " + Twine(len) +
                                 " hex digits");
          cp = cp * 16 + llvm::hexDigitValue(h);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
          return emitError(SMLoc::getFromPointer(here),
                           "escape is not a valid unicode code point");
        i += len;
        appendUTF8(value, cp);
        continue;
      }
      case 'N':
        if (bytes)
          break;
        return emitError(SMLoc::getFromPointer(here),
                         "'\\N{...}' escapes are not supported by slimc");
      default:
        if (n >= '0' && n <= '7') {
          unsigned cp = n - '0';
          unsigned k = 1;
          for (; k < 3 && i + k < e && body[i + k] >= '0' && body[i + k] <= '7';
               ++k)
            cp = cp * 8 + (body[i + k] - '0');
          i += k - 1;
          if (bytes) {
            if (cp > 0xFF)
              return emitError(SMLoc::getFromPointer(here),
                               "octal escape out of range in bytes literal");
            value += static_cast<char>(cp);
          } else {
            appendUTF8(value, cp);
          }
          continue;
        }
        break;
      }
      // Unknown escapes keep their backslash, as in Python.
      value += '\\';
      value += n;
    }
    consume();
  }
  return std::make_unique<StringExprAST>(loc, std::move(value), isBytes);
}
