//===- LexerTest.cpp - Unit tests for the slimc lexer ---------------------===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//

#include "frontend/Lexer.h"
#include "TestUtil.h"

#include "gtest/gtest.h"

using namespace slim;

namespace {

/// Short names for token kinds, so expectations read like the token stream.
const char *kindName(Token::Kind kind) {
  switch (kind) {
  case Token::eof:
    return "EOF";
  case Token::error:
    return "ERROR";
  case Token::newline:
    return "NL";
  case Token::indent:
    return "INDENT";
  case Token::dedent:
    return "DEDENT";
  case Token::identifier:
    return "id";
  case Token::integer:
    return "int";
  case Token::floating:
    return "float";
  case Token::string:
    return "str";
  case Token::kw_unsupported:
    return "unsupported";
  case Token::unsupported_op:
    return "unsupported_op";
  default:
    return nullptr;
  }
}

class LexerTest : public ::testing::Test {
protected:
  /// Lexes \p source to the end and renders the tokens: markers by name,
  /// atoms as kind(spelling), keywords and punctuation by spelling.
  std::string lex(llvm::StringRef source) {
    unsigned id = fixture.load(source);
    Lexer lexer(fixture.sourceMgr, id);
    std::string out;
    for (unsigned i = 0; i < 10000; ++i) {
      Token tok = lexer.lex();
      if (!out.empty())
        out += ' ';
      const char *name = kindName(tok.getKind());
      if (!name)
        out += tok.getSpelling().str();
      else if (tok.is(Token::identifier) || tok.is(Token::integer) ||
               tok.is(Token::floating) || tok.is(Token::string) ||
               tok.is(Token::kw_unsupported) || tok.is(Token::unsupported_op))
        out += std::string(name) + "(" + tok.getSpelling().str() + ")";
      else
        out += name;
      if (tok.is(Token::eof) || tok.is(Token::error))
        break;
    }
    return out;
  }

  /// Lexes \p source, expecting an error; returns "line:col: message".
  std::string lexError(llvm::StringRef source) {
    std::string tokens = lex(source);
    EXPECT_NE(tokens.find("ERROR"), std::string::npos) << tokens;
    EXPECT_EQ(fixture.diagnostics.size(), 1u) << fixture.allDiagnostics();
    if (fixture.diagnostics.empty())
      return "";
    llvm::StringRef d = fixture.diagnostics.front();
    // Drop the "error: " kind to keep expectations short.
    size_t pos = d.find(" error: ");
    return (d.take_front(pos) + " " + d.drop_front(pos + 8)).str();
  }

  test::SourceFixture fixture;
};

TEST_F(LexerTest, SimpleStatement) {
  EXPECT_EQ(lex("net = slim.conv2d(x, 64)\n"),
            "id(net) = id(slim) . id(conv2d) ( id(x) , int(64) ) NL EOF");
}

TEST_F(LexerTest, MissingFinalNewlineIsSynthesized) {
  EXPECT_EQ(lex("a"), "id(a) NL EOF");
  EXPECT_EQ(lex(""), "EOF");
  EXPECT_EQ(lex("\n\n  \n# only a comment\n"), "EOF");
}

TEST_F(LexerTest, IndentDedent) {
  EXPECT_EQ(lex("def f():\n"
                "  if a:\n"
                "    b\n"
                "  c\n"
                "d\n"),
            "def id(f) ( ) : NL INDENT if id(a) : NL INDENT id(b) NL DEDENT "
            "id(c) NL DEDENT id(d) NL EOF");
}

TEST_F(LexerTest, MultipleDedentsAndEndOfFile) {
  EXPECT_EQ(lex("if a:\n  if b:\n    c\nd"),
            "if id(a) : NL INDENT if id(b) : NL INDENT id(c) NL DEDENT DEDENT "
            "id(d) NL EOF");
  // Open blocks are closed at the end of the file.
  EXPECT_EQ(lex("if a:\n  if b:\n    c"),
            "if id(a) : NL INDENT if id(b) : NL INDENT id(c) NL DEDENT DEDENT "
            "EOF");
}

TEST_F(LexerTest, BlankAndCommentLinesDoNotAffectIndentation) {
  EXPECT_EQ(lex("if a:\n"
                "\n"
                "      # a comment at another indentation\n"
                "  b  # trailing comment\n"
                "   \n"
                "  c\n"),
            "if id(a) : NL INDENT id(b) NL id(c) NL DEDENT EOF");
}

TEST_F(LexerTest, ImplicitLineJoining) {
  EXPECT_EQ(lex("f(a,\n"
                "      b,  # comment inside brackets\n"
                "\n"
                "  [c,\n"
                "{d: e}])\n"
                "g\n"),
            "id(f) ( id(a) , id(b) , [ id(c) , { id(d) : id(e) } ] ) NL "
            "id(g) NL EOF");
}

TEST_F(LexerTest, BackslashContinuation) {
  EXPECT_EQ(lex("x = 1 + \\\n      2\ny\n"),
            "id(x) = int(1) + int(2) NL id(y) NL EOF");
  EXPECT_EQ(lex("x = 1 + \\\r\n2\r\n"), "id(x) = int(1) + int(2) NL EOF");
}

TEST_F(LexerTest, CarriageReturnLineEndings) {
  EXPECT_EQ(lex("if a:\r\n  b\r\nc\r"),
            "if id(a) : NL INDENT id(b) NL DEDENT id(c) NL EOF");
}

TEST_F(LexerTest, Keywords) {
  EXPECT_EQ(lex("def return if elif else for in with as import from not and "
                "or is None True False pass break continue raise assert"),
            "def return if elif else for in with as import from not and or "
            "is None True False pass break continue raise assert NL EOF");
  EXPECT_EQ(lex("class lambda"), "class lambda NL EOF");
  // `del`, loops, exceptions, generators and scope declarations are
  // statements slimc runs (TF-Slim's net files use them); async is not.
  EXPECT_EQ(lex("while yield global nonlocal try except finally del print"),
            "while yield global nonlocal try except finally del id(print) NL "
            "EOF");
  EXPECT_EQ(lex("async await"), "unsupported(async) unsupported(await) NL EOF");
}

TEST_F(LexerTest, Operators) {
  EXPECT_EQ(lex("+ - * / // % ** == != < <= > >= = += -= *= /= //= %= **= "
                ", : . ( ) [ ] { } @ -> ... ;"),
            "+ - * / // % ** == != < <= > >= = += -= *= /= //= %= **= , : . "
            "( ) [ ] { } @ -> ... ; NL EOF");
  EXPECT_EQ(lex("a | b & c ^ ~d << e >> f := g"),
            "id(a) unsupported_op(|) id(b) unsupported_op(&) id(c) "
            "unsupported_op(^) unsupported_op(~) id(d) unsupported_op(<<) "
            "id(e) unsupported_op(>>) id(f) unsupported_op(:=) id(g) NL EOF");
  // `..` is two dots (relative imports); `...` is one token.
  EXPECT_EQ(lex(".. ...."), ". . ... . NL EOF");
}

TEST_F(LexerTest, Numbers) {
  EXPECT_EQ(lex("0 7 1_000 0x1F 0XfF 0o17 0b1_01 000"),
            "int(0) int(7) int(1_000) int(0x1F) int(0XfF) int(0o17) "
            "int(0b1_01) int(000) NL EOF");
  EXPECT_EQ(lex("1e-3 .5 5. 0.0005 1_0.2_5 3E+2 0e0"),
            "float(1e-3) float(.5) float(5.) float(0.0005) float(1_0.2_5) "
            "float(3E+2) float(0e0) NL EOF");
  // A dot after a name is an attribute access, not a float.
  EXPECT_EQ(lex("a.b[1:2]"), "id(a) . id(b) [ int(1) : int(2) ] NL EOF");
}

TEST_F(LexerTest, Strings) {
  EXPECT_EQ(lex(R"('a' "b" r'\d' b"x" u'y' Rb'z' 'it\'s' "q\"q")"),
            R"(str('a') str("b") str(r'\d') str(b"x") str(u'y') str(Rb'z') )"
            R"(str('it\'s') str("q\"q") NL EOF)");
  EXPECT_EQ(lex("x = '''line1\n  line2'''\ny = \"\"\"a\"b\"\"\"\n"),
            "id(x) = str('''line1\n  line2''') NL id(y) = "
            "str(\"\"\"a\"b\"\"\") NL EOF");
  // An escaped line break continues a single-quoted literal.
  EXPECT_EQ(lex("'a\\\nb'"), "str('a\\\nb') NL EOF");
  EXPECT_EQ(lex("'' \"\""), "str('') str(\"\") NL EOF");
}

TEST_F(LexerTest, TokenLocations) {
  unsigned id = fixture.load("if a:\n  bb = 'x'\n");
  Lexer lexer(fixture.sourceMgr, id);
  auto lineCol = [&](const Token &tok) {
    auto lc = fixture.sourceMgr.getLineAndColumn(tok.getLoc(), id);
    return std::to_string(lc.first) + ":" + std::to_string(lc.second);
  };
  std::vector<std::string> locs;
  for (Token tok = lexer.lex(); tok.isNot(Token::eof); tok = lexer.lex())
    locs.push_back(lineCol(tok));
  // if a : NL INDENT bb = 'x' NL DEDENT
  std::vector<std::string> expected = {"1:1", "1:4", "1:5", "1:6",  "2:3",
                                       "2:3", "2:6", "2:8", "2:11", "3:1"};
  EXPECT_EQ(locs, expected);
}

TEST_F(LexerTest, Describe) {
  EXPECT_EQ(Token(Token::identifier, "foo").describe(), "'foo'");
  EXPECT_EQ(Token(Token::newline, "\n").describe(), "end of line");
  EXPECT_EQ(Token(Token::eof, "").describe(), "end of file");
  EXPECT_EQ(Token(Token::string, "'x'").describe(), "string literal");
  EXPECT_EQ(Token(Token::integer, "42").describe(), "number '42'");
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(LexerTest, ErrorUnterminatedString) {
  EXPECT_EQ(lexError("x = 'abc\ny = 2\n"), "1:5: unterminated string literal");
  EXPECT_EQ(lexError("x = 'abc"), "1:5: unterminated string literal");
  EXPECT_EQ(lexError("a\nx = \"\"\"abc\n\ndef\n"),
            "2:5: unterminated triple-quoted string literal");
  EXPECT_EQ(lexError("x = 'abc\\"), "1:5: unterminated string literal");
}

TEST_F(LexerTest, ErrorBadCharacter) {
  EXPECT_EQ(lexError("x = $a"), "1:5: unexpected character '$'");
  EXPECT_EQ(lexError("x = a ? b"), "1:7: unexpected character '?'");
  EXPECT_EQ(lexError("x = `a`"), "1:5: unexpected character '`'");
  EXPECT_EQ(lexError("x = \x01"), "1:5: unexpected character '\\x01'");
  EXPECT_EQ(lexError("caf\xc3\xa9 = 1"),
            "1:4: unexpected non-ASCII character; only strings and comments "
            "may contain them");
  EXPECT_EQ(lexError("x = !a"),
            "1:5: unexpected character '!'; use 'not' for logical negation");
  EXPECT_EQ(lexError("a <> b"), "1:3: '<>' is not supported; use '!='");
}

TEST_F(LexerTest, NonAsciiInStringsAndComments) {
  EXPECT_EQ(lex("x = '\xe5\x8d\xb7\xe7\xa7\xaf'  # \xe6\xb3\xa8\xe9\x87\x8a\n"),
            "id(x) = str('\xe5\x8d\xb7\xe7\xa7\xaf') NL EOF");
}

TEST_F(LexerTest, ErrorIndentation) {
  EXPECT_EQ(lexError("if a:\n    b\n  c\n"),
            "3:3: unindent does not match any outer indentation level");
  EXPECT_EQ(lexError("if a:\n\tb\n"),
            "2:1: tab in indentation is not supported by slimc; indent with "
            "spaces");
  EXPECT_EQ(lexError("if a:\n  \tb\n"),
            "2:3: tab in indentation is not supported by slimc; indent with "
            "spaces");
}

TEST_F(LexerTest, TabsOutsideIndentationAreWhitespace) {
  EXPECT_EQ(lex("a\t=\t1\n\t\n"), "id(a) = int(1) NL EOF");
}

TEST_F(LexerTest, ErrorBackslash) {
  EXPECT_EQ(lexError("x = 1 \\ 2"),
            "1:7: unexpected character after line continuation character");
  EXPECT_EQ(lexError("x = 1 \\"),
            "1:7: unexpected end of file after line continuation character");
}

TEST_F(LexerTest, ErrorNumbers) {
  EXPECT_EQ(lexError("x = 1__0"), "1:5: invalid underscore in numeric literal");
  EXPECT_EQ(lexError("x = 1_"), "1:5: invalid underscore in numeric literal");
  EXPECT_EQ(lexError("x = 0x"), "1:5: expected digits after '0x'");
  EXPECT_EQ(lexError("x = 0b102"),
            "1:9: invalid character '2' in numeric literal");
  EXPECT_EQ(lexError("x = 007"),
            "1:5: leading zeros in decimal integer literals are not "
            "permitted; use '0o' for octal");
  EXPECT_EQ(lexError("x = 12abc"),
            "1:7: invalid character 'a' in numeric literal");
  EXPECT_EQ(lexError("x = 1e"),
            "1:6: expected digits in the exponent of a numeric literal");
  EXPECT_EQ(lexError("x = 3j"),
            "1:5: complex literals are not supported by slimc");
  EXPECT_EQ(lexError("x = 1.2.3"),
            "1:8: invalid character '.' in numeric literal");
}

TEST_F(LexerTest, ErrorFString) {
  EXPECT_EQ(lexError("x = f'{a}'"),
            "1:5: f-strings are not supported by slimc; use '%' or "
            "'.format()'");
}

TEST_F(LexerTest, ErrorIsSticky) {
  unsigned id = fixture.load("$ a b c");
  Lexer lexer(fixture.sourceMgr, id);
  EXPECT_TRUE(lexer.lex().is(Token::error));
  EXPECT_TRUE(lexer.lex().is(Token::error));
  EXPECT_TRUE(lexer.hasFailed());
  EXPECT_EQ(fixture.diagnostics.size(), 1u);
}

TEST_F(LexerTest, TooManyIndentationLevels) {
  std::string source;
  for (unsigned i = 0; i < 150; ++i)
    source += std::string(i, ' ') + "if a:\n";
  source += std::string(150, ' ') + "b\n";
  EXPECT_EQ(lexError(source), "102:102: too many levels of indentation");
}

TEST_F(LexerTest, ByteOrderMark) {
  EXPECT_EQ(lex("\xEF\xBB\xBFx = 1\n"), "id(x) = int(1) NL EOF");
}

TEST_F(LexerTest, LongInputIsLinear) {
  // 100k lines lex quickly; a quadratic lexer would time out here.
  std::string source;
  for (unsigned i = 0; i < 100000; ++i)
    source += "x = f(a, [1, 2], 'abc')  # comment\n";
  unsigned id = fixture.load(source);
  Lexer lexer(fixture.sourceMgr, id);
  unsigned count = 0;
  for (Token tok = lexer.lex(); tok.isNot(Token::eof); tok = lexer.lex()) {
    ASSERT_TRUE(tok.isNot(Token::error));
    ++count;
  }
  EXPECT_EQ(count, 100000u * 15);
}

} // namespace
