//===- Lexer.h - Lexer for slimc model files --------------------*- C++ -*-===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//
//
// Splits a model file (Python syntax) into tokens, producing the NEWLINE,
// INDENT and DEDENT tokens that carry Python's block structure.
//
// Indentation rules: only spaces indent. A tab in the indentation of a
// line is an error rather than Python's 8-column rule, because mixing tabs
// and spaces is the one way two editors disagree about which block a line
// belongs to. Tabs elsewhere on a line are ordinary whitespace. Blank lines
// and comment-only lines never produce tokens; inside (), [] and {}, and
// after a `\` at the end of a line, newlines and indentation are ignored.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_LEXER_H
#define SLIM_FRONTEND_LEXER_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"

#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace slim {

/// A token: a kind plus its spelling, a slice of the SourceMgr buffer.
class Token {
public:
  enum Kind {
    // Markers.
    eof,
    /// A lexical error; the lexer has already printed the diagnostic.
    error,
    newline,
    indent,
    dedent,

    // Atoms.
    identifier,
    integer,
    floating,
    /// A string literal including its prefix and quotes.
    string,

    // Keywords slimc supports.
    kw_and,
    kw_as,
    kw_assert,
    kw_break,
    kw_class,
    kw_continue,
    kw_def,
    kw_del,
    kw_elif,
    kw_else,
    kw_False,
    kw_for,
    kw_from,
    kw_if,
    kw_import,
    kw_in,
    kw_is,
    kw_lambda,
    kw_None,
    kw_not,
    kw_or,
    kw_pass,
    kw_raise,
    kw_return,
    kw_True,
    kw_with,
    kw_while,
    kw_try,
    kw_except,
    kw_finally,
    kw_yield,
    kw_global,
    kw_nonlocal,
    /// A Python keyword slimc rejects: async, await.
    kw_unsupported,

    // Punctuation.
    plus,            // +
    minus,           // -
    star,            // *
    starstar,        // **
    slash,           // /
    slashslash,      // //
    percent,         // %
    at,              // @
    equalequal,      // ==
    notequal,        // !=
    less,            // <
    lessequal,       // <=
    greater,         // >
    greaterequal,    // >=
    equal,           // =
    plusequal,       // +=
    minusequal,      // -=
    starequal,       // *=
    starstarequal,   // **=
    slashequal,      // /=
    slashslashequal, // //=
    percentequal,    // %=
    atequal,         // @=
    comma,           // ,
    colon,           // :
    semicolon,       // ;
    dot,             // .
    ellipsis,        // ...
    arrow,           // ->
    l_paren,         // (
    r_paren,         // )
    l_square,        // [
    r_square,        // ]
    l_brace,         // {
    r_brace,         // }
    /// An operator slimc rejects: | & ^ ~ << >> (and their `=` forms), :=.
    unsupported_op,
  };

  Token(Kind kind, llvm::StringRef spelling) : kind(kind), spelling(spelling) {}

  Kind getKind() const { return kind; }
  bool is(Kind k) const { return kind == k; }
  bool isNot(Kind k) const { return kind != k; }
  /// The token's text. Empty for INDENT, DEDENT, EOF and the NEWLINE
  /// synthesized at end of file, which still point at a valid location.
  llvm::StringRef getSpelling() const { return spelling; }
  llvm::SMLoc getLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.data());
  }
  /// True for the keywords slimc supports (not kw_unsupported).
  bool isKeyword() const { return kind >= kw_and && kind <= kw_nonlocal; }

  /// Describes the token for "expected X, found Y" messages:
  /// "'foo'", "end of line", "end of file", "string literal", ...
  std::string describe() const;

private:
  Kind kind;
  llvm::StringRef spelling;
};

/// Tokenizes one SourceMgr buffer on demand. Errors are printed through
/// the SourceMgr and returned as a Token::error, after which the lexer
/// keeps returning that error token.
class Lexer {
public:
  Lexer(llvm::SourceMgr &sourceMgr, unsigned bufferId);

  /// Returns the next token. At the end of the buffer it produces a final
  /// NEWLINE (if the last line had tokens), one DEDENT per open block, and
  /// then EOF forever.
  Token lex();

  /// Prints an error at \p loc through the SourceMgr.
  void emitError(llvm::SMLoc loc, const llvm::Twine &message);

  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }
  /// True once a lexical error has been reported.
  bool hasFailed() const { return failed; }

  /// The most blocks that may be open at once; deeper indentation is an
  /// error ("too many levels of indentation").
  static constexpr unsigned maxIndentLevels = 100;

private:
  Token formToken(Token::Kind kind, const char *tokStart) {
    return Token(kind, llvm::StringRef(tokStart, curPtr - tokStart));
  }
  Token emitErrorToken(const char *loc, const llvm::Twine &message);

  /// Handles the start of a logical line: skips blank and comment lines and
  /// produces INDENT/DEDENT tokens. Returns true and sets \p result when it
  /// produced a token.
  bool lexLineStart(Token &result);
  /// Skips spaces, tabs, comments and backslash continuations, and
  /// newlines too when inside brackets. Returns false on a lexical error
  /// (already reported, with \p result set).
  bool skipTrivia(Token &result);
  Token lexEndOfFile();
  Token lexIdentifierOrString(const char *tokStart);
  Token lexString(const char *tokStart, const char *quote);
  Token lexNumber(const char *tokStart);
  /// Consumes `digit (['_'] digit)*` for the given radix; returns false on
  /// a misplaced underscore (the caller reports it). Sets \p any when at
  /// least one digit was consumed.
  bool lexDigits(unsigned radix, bool allowLeadingUnderscore, bool &any);

  bool atEnd() const { return curPtr == bufferEnd; }
  /// Returns the char at curPtr + n, or 0 past the end of the buffer.
  char peekChar(unsigned n = 0) const {
    return curPtr + n < bufferEnd ? curPtr[n] : '\0';
  }
  /// If curPtr is at a line terminator (\n, \r\n, \r), consumes it.
  bool consumeNewline();

  llvm::SourceMgr &sourceMgr;
  const char *bufferStart;
  const char *bufferEnd;
  const char *curPtr;

  /// Columns of the open blocks; the bottom entry is 0.
  llvm::SmallVector<unsigned, 16> indentStack;
  /// DEDENT tokens still to return before lexing on.
  unsigned pendingDedents = 0;
  const char *dedentLoc = nullptr;
  /// True when the next token starts a logical line.
  bool atLineStart = true;
  /// True when no token has been produced since the last NEWLINE.
  bool lineIsEmpty = true;
  /// Depth of open (), [] and {}; newlines are ignored while it is nonzero.
  unsigned bracketDepth = 0;
  /// Set after an error; lex() then keeps returning errorToken.
  bool failed = false;
  Token errorToken;
};

} // namespace slim

#endif // SLIM_FRONTEND_LEXER_H
