//===- Parser.h - Parser for slimc model files ------------------*- C++ -*-===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//
//
// A recursive descent parser for the Python subset of TF-Slim model files.
// Each parseX() method carries the grammar rule it implements. The parser
// stops at the first error: it prints one diagnostic through the SourceMgr
// and returns null.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_PARSER_H
#define SLIM_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <memory>
#include <optional>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace slim {

/// Parses buffer \p bufferId of \p sourceMgr. On error, prints one
/// diagnostic (`file:line:col: error: ...`, source line, caret) through
/// `SourceMgr::PrintMessage` and returns null. The AST refers to the buffer,
/// so \p sourceMgr must outlive it.
std::unique_ptr<ModuleAST> parseModule(llvm::SourceMgr &sourceMgr,
                                       unsigned bufferId);

/// The parser proper. Most users want parseModule().
class Parser {
public:
  Parser(llvm::SourceMgr &sourceMgr, unsigned bufferId);

  /// file_input ::= (NEWLINE | statement)* EOF
  std::unique_ptr<ModuleAST> parseModule();

  /// Parses a single expression followed by the end of the buffer (for
  /// tests and tools).
  ///
  /// eval_input ::= testlist NEWLINE* EOF
  ExprPtr parseStandaloneExpression();

  /// The most parser recursion levels (nested brackets, unary operators,
  /// right-associative chains) before "nesting too deep".
  static constexpr unsigned maxRecursionDepth = 200;

private:
  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//

  /// statement ::= compound_stmt | simple_stmt
  bool parseStatement(StmtList &out);
  /// simple_stmt ::= small_stmt (';' small_stmt)* [';'] NEWLINE
  bool parseSimpleStatements(StmtList &out);
  /// small_stmt ::= expr_stmt | pass | break | continue | return_stmt
  ///              | raise_stmt | assert_stmt | import_stmt | from_stmt
  StmtPtr parseSmallStatement();
  /// expr_stmt ::= testlist (augassign testlist | ('=' testlist)*)
  StmtPtr parseExpressionStatement();
  /// return_stmt ::= 'return' [testlist]
  StmtPtr parseReturn();
  /// raise_stmt ::= 'raise' [test ['from' test]]
  StmtPtr parseRaise();
  /// assert_stmt ::= 'assert' test [',' test]
  StmtPtr parseAssert();
  /// del_stmt ::= 'del' target (',' target)*
  StmtPtr parseDel();
  /// import_stmt ::= 'import' dotted_as_name (',' dotted_as_name)*
  /// dotted_as_name ::= dotted_name ['as' NAME]
  StmtPtr parseImport();
  /// from_stmt ::= 'from' ('.'* dotted_name | '.'+) 'import'
  ///               ('(' import_as_names [','] ')' | import_as_names)
  /// import_as_names ::= NAME ['as' NAME] (',' NAME ['as' NAME])*
  StmtPtr parseFromImport();
  /// dotted_name ::= NAME ('.' NAME)*
  bool parseDottedName(std::string &name, llvm::SMLoc &loc);

  /// decorated ::= ('@' test NEWLINE)+ (funcdef | classdef)
  StmtPtr parseDecorated();
  /// funcdef ::= 'def' NAME '(' [parameters] ')' ['->' test] ':' suite
  StmtPtr parseFunctionDef(ExprList decorators);
  /// parameters ::= param (',' param)* [',']
  /// param ::= NAME [':' test] ['=' test] | '*' [NAME] | '**' NAME
  /// Consumes the closing ')' (or, for a lambda, the ':'); lambda
  /// parameters have no annotations. \p openLoc is the '(' (or `lambda`).
  bool parseParameters(std::vector<Param> &params, bool isLambda,
                       llvm::SMLoc openLoc);
  /// classdef ::= 'class' NAME ['(' [test (',' test)* [',']] ')'] ':' suite
  StmtPtr parseClassDef(ExprList decorators);
  /// if_stmt ::= 'if' test ':' suite ('elif' test ':' suite)*
  ///             ['else' ':' suite]
  StmtPtr parseIf();
  /// for_stmt ::= 'for' target_list 'in' testlist ':' suite
  StmtPtr parseFor();
  /// while_stmt ::= 'while' test ':' suite ['else' ':' suite]
  StmtPtr parseWhile();
  /// try_stmt ::= 'try' ':' suite (except_clause ':' suite)+
  ///              ['else' ':' suite] ['finally' ':' suite]
  ///            | 'try' ':' suite 'finally' ':' suite
  /// except_clause ::= 'except' [test ['as' NAME]]
  StmtPtr parseTry();
  /// ['else' ':' suite] after a loop or the handlers of a try.
  bool parseElse(StmtList &elseBody);
  /// global_stmt ::= ('global' | 'nonlocal') NAME (',' NAME)*
  StmtPtr parseScopeDecl();
  /// with_stmt ::= 'with' with_item (',' with_item)* ':' suite
  /// with_item ::= test ['as' target]
  StmtPtr parseWith();
  /// suite ::= simple_stmt | NEWLINE INDENT statement+ DEDENT
  /// \p what names the statement for "expected an indented block after
  /// 'if' statement on line 3".
  bool parseSuite(StmtList &body, llvm::StringRef what, llvm::SMLoc stmtLoc);

  //===--------------------------------------------------------------------===//
  // Expressions, lowest precedence first
  //===--------------------------------------------------------------------===//

  /// testlist ::= test (',' test)* [',']
  /// A single test without a comma is returned as is, otherwise a tuple.
  ExprPtr parseTestList();
  /// yield_expr | testlist (the right side of assignments).
  ExprPtr parseTestListOrYield();
  /// yield_expr ::= 'yield' ['from' test | testlist]
  ExprPtr parseYield();
  /// comp_for ::= ('for' target_list 'in' or_test ('if' or_test)*)+
  /// after \p element (and \p value for a dict comprehension).
  /// \p yieldsBefore is yieldCount() from before the element was parsed.
  ExprPtr parseComprehension(ComprehensionExprAST::CompKind kind,
                             llvm::SMLoc loc, ExprPtr element, ExprPtr value,
                             unsigned yieldsBefore);
  /// The number of `yield`s parsed so far in the innermost scope.
  unsigned yieldCount() const;
  /// test ::= or_test ['if' or_test 'else' test] | lambda_expr
  ExprPtr parseTest();
  /// lambda_expr ::= 'lambda' [parameters] ':' test
  ExprPtr parseLambda();
  /// or_test ::= and_test ('or' and_test)*
  ExprPtr parseOrTest();
  /// and_test ::= not_test ('and' not_test)*
  ExprPtr parseAndTest();
  /// not_test ::= 'not' not_test | comparison
  ExprPtr parseNotTest();
  /// comparison ::= arith (comp_op arith)*
  /// comp_op ::= '<' | '>' | '==' | '>=' | '<=' | '!=' | 'in' | 'not' 'in'
  ///           | 'is' | 'is' 'not'
  ExprPtr parseComparison();
  /// arith ::= term (('+' | '-') term)*
  ExprPtr parseArith();
  /// term ::= factor (('*' | '/' | '//' | '%' | '@') factor)*
  ExprPtr parseTerm();
  /// factor ::= ('+' | '-') factor | power
  ExprPtr parseFactor();
  /// power ::= primary ['**' factor]
  ExprPtr parsePower();
  /// primary ::= atom trailer*
  /// trailer ::= '(' [arglist] ')' | '[' subscriptlist ']' | '.' NAME
  ExprPtr parsePrimary();
  /// arglist ::= argument (',' argument)* [',']
  /// argument ::= test | NAME '=' test | '*' test | '**' test
  ExprPtr parseCall(ExprPtr callee);
  /// subscriptlist ::= subscript (',' subscript)* [',']
  /// subscript ::= test | [test] ':' [test] [':' [test]]
  ExprPtr parseSubscript(ExprPtr base);
  ExprPtr parseSubscriptItem();
  /// atom ::= NAME | NUMBER | STRING+ | 'None' | 'True' | 'False' | '...'
  ///        | '(' [testlist_comp] ')' | '[' [testlist_comp] ']'
  ///        | '{' [dict_items] '}'
  ExprPtr parseAtom();
  /// paren_atom ::= '(' ')' | '(' test ')' | '(' test ',' [testlist] ')'
  ExprPtr parseParenAtom();
  /// list_atom ::= '[' ']' | '[' test comp_for ']'
  ///             | '[' test (',' test)* [','] ']'
  /// comp_for ::= 'for' target_list 'in' or_test ['if' or_test]
  ExprPtr parseListAtom();
  /// dict_atom ::= '{' [test ':' test (',' test ':' test)* [',']] '}'
  ExprPtr parseDictAtom();
  /// STRING+ (adjacent literals are concatenated)
  ExprPtr parseStrings();
  ExprPtr parseNumber();

  /// target_list ::= target (',' target)* [',']
  /// target ::= arith  (then checked with checkTarget)
  ExprPtr parseTargetList();
  /// Checks that \p expr may be assigned to; reports an error otherwise.
  /// `verb` words the error: "cannot assign to literal", "cannot delete
  /// function call".
  bool checkTarget(const ExprAST &expr, bool allowTuple,
                   llvm::StringRef verb = "assign to");

  //===--------------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------------===//

  void consume() {
    if (peeked) {
      tok = *peeked;
      peeked.reset();
    } else {
      tok = lexer.lex();
    }
  }
  const Token &peek() {
    if (!peeked)
      peeked = lexer.lex();
    return *peeked;
  }
  /// Consumes the current token if it has kind \p k.
  bool consumeIf(Token::Kind k) {
    if (tok.isNot(k))
      return false;
    consume();
    return true;
  }
  /// Consumes a token of kind \p k, or reports "expected <what>, found ..."
  /// (or "expected <what> <context>, found ...").
  bool expect(Token::Kind k, llvm::StringRef what,
              llvm::StringRef context = "");
  /// Reports "expected <what>, found <current token>" at the current token.
  /// Returns null so callers can `return error...`.
  std::nullptr_t errorExpected(const llvm::Twine &what);
  /// Reports \p message at \p loc (unless the lexer already reported an
  /// error at the current token). Returns null.
  std::nullptr_t emitError(llvm::SMLoc loc, const llvm::Twine &message);
  void emitNote(llvm::SMLoc loc, const llvm::Twine &message);
  /// Reports the current token when it is a construct slimc does not
  /// support (`class`, `lambda`, `|`, ...); returns true if it did.
  bool diagnoseUnsupported();
  /// Checks the height of a freshly built node.
  ExprPtr checkHeight(ExprPtr expr);

  /// Bumps the recursion depth for the lifetime of the guard.
  struct DepthGuard {
    explicit DepthGuard(Parser &p) : p(p) { ++p.depth; }
    ~DepthGuard() { --p.depth; }
    Parser &p;
  };
  /// Reports "nesting too deep" when the recursion depth is exceeded.
  bool checkDepth();

  unsigned getLine(llvm::SMLoc loc) const;

  llvm::SourceMgr &sourceMgr;
  unsigned bufferId;
  Lexer lexer;
  Token tok;
  std::optional<Token> peeked;
  bool hadError = false;
  unsigned depth = 0;
  unsigned blockDepth = 0;
  /// Number of enclosing `for` loops in the current function (for break).
  unsigned loopDepth = 0;
  /// Number of enclosing `def`s (for return).
  unsigned functionDepth = 0;
  /// Number of enclosing comprehensions (where `yield` is illegal).
  unsigned comprehensionDepth = 0;
  /// The innermost def, lambda or class body being parsed: where `yield`
  /// may appear and which function `global`/`nonlocal` declare names for.
  struct ScopeContext {
    enum Kind { Function, Lambda, Class } kind;
    bool hasYield = false;
    std::vector<llvm::StringRef> globals, nonlocals;
    unsigned comprehensionBase = 0;
    unsigned yields = 0;
    llvm::SMLoc lastYieldLoc;
  };
  std::vector<ScopeContext> scopes;
};

} // namespace slim

#endif // SLIM_FRONTEND_PARSER_H
