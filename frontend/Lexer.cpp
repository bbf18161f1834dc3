//===- Lexer.cpp - Lexer for slimc model files ----------------------------===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//

#include "frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace slim;
using llvm::SMLoc;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Token
//===----------------------------------------------------------------------===//

std::string Token::describe() const {
  switch (kind) {
  case eof:
    return "end of file";
  case error:
    return "invalid token";
  case newline:
    return "end of line";
  case indent:
    return "an indented block";
  case dedent:
    return "end of the indented block";
  case string:
    return "string literal";
  case integer:
  case floating:
    return ("number '" + spelling + "'").str();
  default:
    break;
  }
  // Identifiers and punctuation: quote the spelling, shortened so a long
  // identifier does not swamp the message.
  if (spelling.size() > 32)
    return ("'" + spelling.take_front(29) + "...'").str();
  return ("'" + spelling + "'").str();
}

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

static bool isIdentStart(char c) { return llvm::isAlpha(c) || c == '_'; }
static bool isIdentChar(char c) { return llvm::isAlnum(c) || c == '_'; }

Lexer::Lexer(llvm::SourceMgr &sourceMgr, unsigned bufferId)
    : sourceMgr(sourceMgr), errorToken(Token::error, StringRef()) {
  StringRef buffer = sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  bufferStart = buffer.begin();
  bufferEnd = buffer.end();
  curPtr = bufferStart;
  // Editors on Windows may start a UTF-8 file with a byte order mark.
  if (buffer.starts_with("\xEF\xBB\xBF"))
    curPtr += 3;
  indentStack.push_back(0);
}

void Lexer::emitError(SMLoc loc, const llvm::Twine &message) {
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
}

Token Lexer::emitErrorToken(const char *loc, const llvm::Twine &message) {
  emitError(SMLoc::getFromPointer(loc), message);
  failed = true;
  errorToken = Token(Token::error, StringRef(loc, 0));
  return errorToken;
}

bool Lexer::consumeNewline() {
  if (atEnd())
    return false;
  if (*curPtr == '\n') {
    ++curPtr;
    return true;
  }
  if (*curPtr == '\r') {
    ++curPtr;
    if (!atEnd() && *curPtr == '\n')
      ++curPtr;
    return true;
  }
  return false;
}

bool Lexer::lexLineStart(Token &result) {
  // Skip blank lines and comment-only lines, measuring the indentation of
  // the first line that has a token.
  unsigned column;
  while (true) {
    column = 0;
    const char *tabLoc = nullptr;
    while (!atEnd()) {
      char c = *curPtr;
      if (c == ' ') {
        ++column;
      } else if (c == '\t') {
        if (!tabLoc)
          tabLoc = curPtr;
      } else if (c == '\f') {
        // Python resets the indentation count at a form feed.
        column = 0;
      } else {
        break;
      }
      ++curPtr;
    }
    if (atEnd())
      return false;
    if (*curPtr == '#') {
      while (!atEnd() && *curPtr != '\n' && *curPtr != '\r')
        ++curPtr;
    }
    if (consumeNewline())
      continue;
    if (atEnd())
      return false;
    // A line with a token. Tabs only matter in the indentation of such
    // lines.
    if (tabLoc) {
      result = emitErrorToken(tabLoc, "tab in indentation is not supported by "
                                      "slimc; indent with spaces");
      return true;
    }
    break;
  }

  atLineStart = false;
  if (column > indentStack.back()) {
    if (indentStack.size() > maxIndentLevels) {
      result = emitErrorToken(curPtr, "too many levels of indentation");
      return true;
    }
    indentStack.push_back(column);
    result = Token(Token::indent, StringRef(curPtr, 0));
    return true;
  }
  if (column == indentStack.back())
    return false;

  unsigned dedents = 0;
  while (column < indentStack.back()) {
    indentStack.pop_back();
    ++dedents;
  }
  if (column != indentStack.back()) {
    result = emitErrorToken(
        curPtr, "unindent does not match any outer indentation level");
    return true;
  }
  pendingDedents = dedents - 1;
  dedentLoc = curPtr;
  result = Token(Token::dedent, StringRef(curPtr, 0));
  return true;
}

bool Lexer::skipTrivia(Token &result) {
  while (!atEnd()) {
    char c = *curPtr;
    if (c == ' ' || c == '\t' || c == '\f') {
      ++curPtr;
      continue;
    }
    if (c == '#') {
      while (!atEnd() && *curPtr != '\n' && *curPtr != '\r')
        ++curPtr;
      continue;
    }
    if (c == '\\') {
      const char *backslash = curPtr;
      ++curPtr;
      if (consumeNewline())
        continue;
      if (atEnd())
        result = emitErrorToken(backslash, "unexpected end of file after line "
                                           "continuation character");
      else
        result = emitErrorToken(backslash, "unexpected character after line "
                                           "continuation character");
      return false;
    }
    if ((c == '\n' || c == '\r') && bracketDepth > 0) {
      consumeNewline();
      continue;
    }
    break;
  }
  return true;
}

Token Lexer::lexEndOfFile() {
  // Inside an unclosed bracket the line never ended; the parser reports
  // the missing closer at end of file.
  if (bracketDepth > 0)
    return Token(Token::eof, StringRef(curPtr, 0));
  if (!lineIsEmpty) {
    lineIsEmpty = true;
    return Token(Token::newline, StringRef(curPtr, 0));
  }
  if (indentStack.size() > 1) {
    indentStack.pop_back();
    return Token(Token::dedent, StringRef(curPtr, 0));
  }
  return Token(Token::eof, StringRef(curPtr, 0));
}

Token Lexer::lex() {
  if (failed)
    return errorToken;
  if (pendingDedents > 0) {
    --pendingDedents;
    return Token(Token::dedent, StringRef(dedentLoc, 0));
  }

  Token result(Token::error, StringRef());
  if (atLineStart && bracketDepth == 0) {
    if (lexLineStart(result))
      return result;
  }
  if (!skipTrivia(result))
    return result;
  if (atEnd())
    return lexEndOfFile();

  const char *tokStart = curPtr;
  char c = *curPtr;

  // End of a logical line (newlines inside brackets were skipped above).
  if (c == '\n' || c == '\r') {
    consumeNewline();
    atLineStart = true;
    lineIsEmpty = true;
    return Token(Token::newline, StringRef(tokStart, 1));
  }

  lineIsEmpty = false;
  if (isIdentStart(c))
    return lexIdentifierOrString(tokStart);
  if (llvm::isDigit(c) || (c == '.' && llvm::isDigit(peekChar(1))))
    return lexNumber(tokStart);

  ++curPtr;
  auto next = [&](char expected) {
    if (atEnd() || *curPtr != expected)
      return false;
    ++curPtr;
    return true;
  };

  switch (c) {
  case '"':
  case '\'':
    return lexString(tokStart, tokStart);
  case '(':
  case '[':
  case '{':
    ++bracketDepth;
    return formToken(c == '('   ? Token::l_paren
                     : c == '[' ? Token::l_square
                                : Token::l_brace,
                     tokStart);
  case ')':
  case ']':
  case '}':
    // A stray closer is the parser's error to report; just don't wrap.
    if (bracketDepth > 0)
      --bracketDepth;
    return formToken(c == ')'   ? Token::r_paren
                     : c == ']' ? Token::r_square
                                : Token::r_brace,
                     tokStart);
  case ',':
    return formToken(Token::comma, tokStart);
  case ';':
    return formToken(Token::semicolon, tokStart);
  case ':':
    if (next('='))
      return formToken(Token::unsupported_op, tokStart);
    return formToken(Token::colon, tokStart);
  case '.':
    if (peekChar() == '.' && peekChar(1) == '.') {
      curPtr += 2;
      return formToken(Token::ellipsis, tokStart);
    }
    return formToken(Token::dot, tokStart);
  case '+':
    return formToken(next('=') ? Token::plusequal : Token::plus, tokStart);
  case '-':
    if (next('>'))
      return formToken(Token::arrow, tokStart);
    return formToken(next('=') ? Token::minusequal : Token::minus, tokStart);
  case '*':
    if (next('*'))
      return formToken(next('=') ? Token::starstarequal : Token::starstar,
                       tokStart);
    return formToken(next('=') ? Token::starequal : Token::star, tokStart);
  case '/':
    if (next('/'))
      return formToken(next('=') ? Token::slashslashequal : Token::slashslash,
                       tokStart);
    return formToken(next('=') ? Token::slashequal : Token::slash, tokStart);
  case '%':
    return formToken(next('=') ? Token::percentequal : Token::percent,
                     tokStart);
  case '@':
    return formToken(next('=') ? Token::atequal : Token::at, tokStart);
  case '=':
    return formToken(next('=') ? Token::equalequal : Token::equal, tokStart);
  case '!':
    if (next('='))
      return formToken(Token::notequal, tokStart);
    return emitErrorToken(tokStart, "unexpected character '!'; use 'not' for "
                                    "logical negation");
  case '<':
    if (next('<')) {
      next('=');
      return formToken(Token::unsupported_op, tokStart);
    }
    if (next('>'))
      return emitErrorToken(tokStart, "'<>' is not supported; use '!='");
    return formToken(next('=') ? Token::lessequal : Token::less, tokStart);
  case '>':
    if (next('>')) {
      next('=');
      return formToken(Token::unsupported_op, tokStart);
    }
    return formToken(next('=') ? Token::greaterequal : Token::greater,
                     tokStart);
  case '|':
  case '&':
  case '^':
    next('=');
    return formToken(Token::unsupported_op, tokStart);
  case '~':
    return formToken(Token::unsupported_op, tokStart);
  default:
    break;
  }

  if (static_cast<unsigned char>(c) >= 0x80)
    return emitErrorToken(tokStart, "unexpected non-ASCII character; only "
                                    "strings and comments may contain them");
  if (llvm::isPrint(c))
    return emitErrorToken(tokStart, llvm::Twine("unexpected character '") +
                                        llvm::Twine(c) + "'");
  unsigned char byte = static_cast<unsigned char>(c);
  char hex[] = {llvm::hexdigit(byte >> 4, /*LowerCase=*/true),
                llvm::hexdigit(byte & 15, /*LowerCase=*/true), '\0'};
  return emitErrorToken(tokStart,
                        llvm::Twine("unexpected character '\\x") + hex + "'");
}

Token Lexer::lexIdentifierOrString(const char *tokStart) {
  while (!atEnd() && isIdentChar(*curPtr))
    ++curPtr;
  StringRef spelling(tokStart, curPtr - tokStart);

  // A string prefix: r, u, b, f and the combinations Python 3 accepts.
  if (!atEnd() && (*curPtr == '\'' || *curPtr == '"') && spelling.size() <= 2) {
    std::string lower = spelling.lower();
    bool isPrefix = llvm::StringSwitch<bool>(lower)
                        .Cases("r", "u", "b", "br", "rb", true)
                        .Cases("f", "fr", "rf", true)
                        .Default(false);
    if (isPrefix) {
      if (lower.find('f') != std::string::npos)
        return emitErrorToken(tokStart,
                              "f-strings are not supported by slimc; use "
                              "'%' or '.format()'");
      const char *quote = curPtr;
      ++curPtr;
      return lexString(tokStart, quote);
    }
  }

  Token::Kind kind = llvm::StringSwitch<Token::Kind>(spelling)
                         .Case("and", Token::kw_and)
                         .Case("as", Token::kw_as)
                         .Case("assert", Token::kw_assert)
                         .Case("break", Token::kw_break)
                         .Case("class", Token::kw_class)
                         .Case("continue", Token::kw_continue)
                         .Case("def", Token::kw_def)
                         .Case("del", Token::kw_del)
                         .Case("elif", Token::kw_elif)
                         .Case("else", Token::kw_else)
                         .Case("False", Token::kw_False)
                         .Case("for", Token::kw_for)
                         .Case("from", Token::kw_from)
                         .Case("if", Token::kw_if)
                         .Case("import", Token::kw_import)
                         .Case("in", Token::kw_in)
                         .Case("is", Token::kw_is)
                         .Case("lambda", Token::kw_lambda)
                         .Case("None", Token::kw_None)
                         .Case("not", Token::kw_not)
                         .Case("or", Token::kw_or)
                         .Case("pass", Token::kw_pass)
                         .Case("raise", Token::kw_raise)
                         .Case("return", Token::kw_return)
                         .Case("True", Token::kw_True)
                         .Case("with", Token::kw_with)
                         .Case("while", Token::kw_while)
                         .Case("try", Token::kw_try)
                         .Case("except", Token::kw_except)
                         .Case("finally", Token::kw_finally)
                         .Case("yield", Token::kw_yield)
                         .Case("global", Token::kw_global)
                         .Case("nonlocal", Token::kw_nonlocal)
                         .Cases("async", "await", Token::kw_unsupported)
                         .Default(Token::identifier);
  return formToken(kind, tokStart);
}

/// Lexes a string literal whose opening quote is at \p quote (curPtr is
/// just past it). Escapes are only skipped here so that `\'` does not end
/// the literal; the parser decodes them.
Token Lexer::lexString(const char *tokStart, const char *quote) {
  char q = *quote;
  bool triple = peekChar() == q && peekChar(1) == q;
  if (triple)
    curPtr += 2;

  while (true) {
    if (atEnd())
      return emitErrorToken(tokStart,
                            triple ? "unterminated triple-quoted string literal"
                                   : "unterminated string literal");
    char c = *curPtr;
    if (c == '\\') {
      ++curPtr;
      // An escaped line break continues the literal on the next line, in
      // raw strings too.
      if (!consumeNewline() && !atEnd())
        ++curPtr;
      continue;
    }
    if ((c == '\n' || c == '\r') && !triple)
      return emitErrorToken(tokStart, "unterminated string literal");
    if (c == q) {
      if (!triple) {
        ++curPtr;
        break;
      }
      if (peekChar(1) == q && peekChar(2) == q) {
        curPtr += 3;
        break;
      }
    }
    ++curPtr;
  }
  return formToken(Token::string, tokStart);
}

bool Lexer::lexDigits(unsigned radix, bool allowLeadingUnderscore, bool &any) {
  auto isRadixDigit = [radix](char c) {
    switch (radix) {
    case 2:
      return c == '0' || c == '1';
    case 8:
      return c >= '0' && c <= '7';
    case 16:
      return llvm::isHexDigit(c);
    default:
      return llvm::isDigit(c);
    }
  };
  any = false;
  bool lastWasUnderscore = false;
  while (!atEnd()) {
    char c = *curPtr;
    if (c == '_') {
      // One underscore between digits (or right after a 0x prefix).
      if (lastWasUnderscore || (!any && !allowLeadingUnderscore))
        return false;
      lastWasUnderscore = true;
      ++curPtr;
      continue;
    }
    if (!isRadixDigit(c))
      break;
    any = true;
    lastWasUnderscore = false;
    ++curPtr;
  }
  return !lastWasUnderscore;
}

Token Lexer::lexNumber(const char *tokStart) {
  bool any = false;
  auto badUnderscore = [&] {
    return emitErrorToken(tokStart, "invalid underscore in numeric literal");
  };
  auto finish = [&](Token::Kind kind) {
    if (!atEnd() && (*curPtr == 'j' || *curPtr == 'J'))
      return emitErrorToken(tokStart,
                            "complex literals are not supported by slimc");
    if (!atEnd() && (isIdentChar(*curPtr) || *curPtr == '.'))
      return emitErrorToken(curPtr, llvm::Twine("invalid character '") +
                                        llvm::Twine(*curPtr) +
                                        "' in numeric literal");
    return formToken(kind, tokStart);
  };

  // 0x, 0o, 0b integers.
  if (*curPtr == '0' && llvm::StringRef("xXoObB").contains(peekChar(1))) {
    char p = peekChar(1) | 0x20;
    unsigned radix = p == 'x' ? 16 : p == 'o' ? 8 : 2;
    curPtr += 2;
    if (!lexDigits(radix, /*allowLeadingUnderscore=*/true, any))
      return badUnderscore();
    if (!any)
      return emitErrorToken(tokStart, llvm::Twine("expected digits after '0") +
                                          llvm::Twine(p) + "'");
    return finish(Token::integer);
  }

  // Decimal: int part, optional fraction, optional exponent.
  bool isFloat = false;
  if (*curPtr != '.') {
    if (!lexDigits(10, /*allowLeadingUnderscore=*/false, any))
      return badUnderscore();
  }
  if (!atEnd() && *curPtr == '.') {
    isFloat = true;
    ++curPtr;
    if (llvm::isDigit(peekChar()) &&
        !lexDigits(10, /*allowLeadingUnderscore=*/false, any))
      return badUnderscore();
  }
  if (!atEnd() && (*curPtr == 'e' || *curPtr == 'E')) {
    const char *expStart = curPtr;
    ++curPtr;
    if (!atEnd() && (*curPtr == '+' || *curPtr == '-'))
      ++curPtr;
    if (!llvm::isDigit(peekChar()))
      return emitErrorToken(expStart, "expected digits in the exponent of a "
                                      "numeric literal");
    if (!lexDigits(10, /*allowLeadingUnderscore=*/false, any))
      return badUnderscore();
    isFloat = true;
  }
  if (isFloat)
    return finish(Token::floating);

  // Python 3 rejects 007 (it would be octal in Python 2); 000 is fine.
  StringRef digits(tokStart, curPtr - tokStart);
  if (digits.size() > 1 && digits[0] == '0' &&
      digits.find_first_not_of("0_") != StringRef::npos)
    return emitErrorToken(tokStart, "leading zeros in decimal integer "
                                    "literals are not permitted; use '0o' "
                                    "for octal");
  return finish(Token::integer);
}
