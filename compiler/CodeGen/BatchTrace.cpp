//===- BatchTrace.cpp - A run-time batch from sources traced at several -===//
//
// slimc --max-batch N compiles a model whose batch is `None` at several
// batches (N, 1 and two more) with the same pipeline and emitter, and
// generalizeBatch merges those sources into one whose `run` takes the batch
// at run time. Which numbers follow the batch is read off the traces, not
// guessed from their values: a literal of `run` that is the same in every
// trace is a constant, one that differs must be an exact affine function of
// the batch (p.batch = 2 -> batch, at(arena, 6422528) -> batch * 3211264, a
// copy of 2000 floats -> batch * 1000). A structural difference between the
// traces (a kernel path chosen by the batch, a float that depends on it) or
// a literal that is not affine is an error: that code cannot run every
// batch. Outside `run` only the tables that describe the max batch may
// differ (tensor shapes, layer flops, the arena size).
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CodeGen.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cctype>
#include <cstring>
#include <tuple>

using namespace llvm;

namespace {

enum class Kind { Number, Comment, Other };

struct Token {
  Kind kind;
  size_t begin, size;
};

bool isIdentChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

/// Splits C++ source into numbers, comments, identifiers, string literals
/// and single characters; enough for the text slimc writes.
std::vector<Token> tokenize(StringRef s) {
  std::vector<Token> tokens;
  size_t i = 0, n = s.size();
  while (i < n) {
    size_t start = i;
    char c = s[i];
    Kind kind = Kind::Other;
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i < n && s[i] != '\n')
        ++i;
      kind = Kind::Comment;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      i = end == StringRef::npos ? n : end + 2;
      kind = Kind::Comment;
    } else if (c == '"' || c == '\'') {
      ++i;
      while (i < n && s[i] != c) {
        if (s[i] == '\\')
          ++i;
        ++i;
      }
      i = std::min(i + 1, n);
    } else if (std::isdigit((unsigned char)c)) {
      // A number: digits, letters (suffixes, exponents, hex), dots, and a
      // sign right after a decimal exponent.
      bool hex = c == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X');
      ++i;
      while (i < n && (isIdentChar(s[i]) || s[i] == '.' ||
                       (!hex && (s[i] == '+' || s[i] == '-') &&
                        (s[i - 1] == 'e' || s[i - 1] == 'E'))))
        ++i;
      kind = Kind::Number;
    } else if (isIdentChar(c)) {
      while (i < n && isIdentChar(s[i]))
        ++i;
    } else {
      ++i;
    }
    tokens.push_back({kind, start, i - start});
  }
  return tokens;
}

/// A decimal integer literal with an optional u/l suffix.
std::optional<int64_t> integerValue(StringRef text) {
  StringRef digits = text.rtrim("uUlL");
  int64_t v;
  if (digits.empty() || digits.getAsInteger(10, v))
    return std::nullopt;
  return v;
}

/// 1-based line of byte `offset` in `s`.
size_t lineOf(StringRef s, size_t offset) {
  return s.take_front(offset).count('\n') + 1;
}

StringRef lineAt(StringRef s, size_t offset) {
  size_t begin = s.rfind('\n', offset);
  begin = begin == StringRef::npos ? 0 : begin + 1;
  size_t end = s.find('\n', offset);
  return s.slice(begin, end).trim();
}

/// The byte range of `run`'s body and of the tensor and layer tables.
struct Regions {
  size_t runBegin = 0, runEnd = 0;
  std::vector<std::pair<size_t, size_t>> tables;
  bool inRun(size_t at) const { return at >= runBegin && at < runEnd; }
  bool inTable(size_t at) const {
    for (auto [b, e] : tables)
      if (at >= b && at < e)
        return true;
    return false;
  }
};

Regions findRegions(StringRef s) {
  Regions r;
  size_t run = s.find("\nint32_t run(");
  if (run != StringRef::npos) {
    r.runBegin = run;
    size_t end = s.find("\n}\n", run);
    r.runEnd = end == StringRef::npos ? s.size() : end;
  }
  for (StringRef table : {"kInputs[]", "kOutputs[]", "kLayers[]"}) {
    size_t at = s.find(table);
    if (at == StringRef::npos)
      continue;
    size_t end = s.find("\n};", at);
    r.tables.push_back({at, end == StringRef::npos ? s.size() : end});
  }
  return r;
}

std::string affine(int64_t a, int64_t c) {
  std::string term = a == 1 ? "batch" : "batch * " + std::to_string(a);
  if (c == 0)
    return a == 1 ? term : "(" + term + ")";
  return "(" + term + (c < 0 ? " - " : " + ") + std::to_string(c < 0 ? -c : c) +
         ")";
}

Error traceError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           "cannot compile a run-time batch: " + message);
}

} // namespace

Expected<std::string> mlir::slim::generalizeBatch(ArrayRef<std::string> sources,
                                                  ArrayRef<int64_t> batches) {
  assert(sources.size() == batches.size() && sources.size() >= 3 &&
         "three traces or more");
  StringRef base = sources[0];
  std::vector<std::vector<Token>> tokens;
  for (const std::string &s : sources)
    tokens.push_back(tokenize(s));
  Regions regions = findRegions(base);
  const std::vector<Token> &t0 = tokens[0];
  for (size_t k = 1; k < tokens.size(); ++k)
    if (tokens[k].size() != t0.size())
      return traceError(formatv("the code generated at batch {0} and at "
                                "batch {1} differs in structure",
                                batches[0], batches[k]));

  // (offset in base, bytes replaced, replacement), in order.
  std::vector<std::tuple<size_t, size_t, std::string>> edits;
  int64_t arenaSlope = -1;
  auto text = [&](size_t k, size_t i) {
    return StringRef(sources[k]).substr(tokens[k][i].begin, tokens[k][i].size);
  };
  for (size_t i = 0; i < t0.size(); ++i) {
    const Token &tok = t0[i];
    bool same = true;
    for (size_t k = 1; k < tokens.size() && same; ++k)
      same = tokens[k][i].kind == tok.kind && text(k, i) == text(0, i);
    if (same || tok.kind == Kind::Comment)
      continue;
    size_t line = lineOf(base, tok.begin);
    std::string where =
        formatv("line {0} of the generated code at batch {1} ('{2}')", line,
                batches[0], lineAt(base, tok.begin))
            .str();
    if (tok.kind != Kind::Number)
      return traceError("the code depends on the batch in structure, at " +
                        where);
    SmallVector<int64_t> values;
    for (size_t k = 0; k < tokens.size(); ++k) {
      if (tokens[k][i].kind != Kind::Number)
        return traceError("the code depends on the batch in structure, at " +
                          where);
      std::optional<int64_t> v = integerValue(text(k, i));
      if (!v)
        return traceError("a non-integer literal depends on the batch, at " +
                          where);
      values.push_back(*v);
    }
    // values[k] = a * batches[k] + c, fitted on the first two traces.
    int64_t db = batches[1] - batches[0], dv = values[1] - values[0];
    bool affineFit = dv % db == 0;
    int64_t a = affineFit ? dv / db : 0;
    int64_t c = values[0] - a * batches[0];
    for (size_t k = 2; k < values.size() && affineFit; ++k)
      affineFit = values[k] == a * batches[k] + c;
    if (!affineFit)
      return traceError("a literal is not an affine function of the batch, "
                        "at " +
                        where);
    if (regions.inRun(tok.begin)) {
      // A static local (`static const int64_t dims[] = {2, 7, 7, 12};`)
      // would keep the batch of the first call: it becomes an automatic
      // one.
      size_t lineBegin = base.rfind('\n', tok.begin) + 1;
      size_t first = base.find_first_not_of(" ", lineBegin);
      if (base.substr(first).starts_with("static ") &&
          (edits.empty() || std::get<0>(edits.back()) < first))
        edits.emplace_back(first, strlen("static "), "");
      edits.emplace_back(tok.begin, tok.size, affine(a, c));
      continue;
    }
    StringRef l = lineAt(base, tok.begin);
    if (l.contains("/* arena_size */")) {
      if (a < 0 || c < 0)
        return traceError("the arena shrinks with the batch, at " + where);
      arenaSlope = a;
      continue;
    }
    // The tables describe the max batch (dim 0 of a tensor, a layer's
    // flops) and keep its values.
    if (regions.inTable(tok.begin))
      continue;
    return traceError("a literal outside the run function depends on the "
                      "batch, at " +
                      where);
  }
  std::string out;
  size_t copied = 0;
  for (auto &[at, size, text] : edits) {
    out += base.slice(copied, at).str();
    out += text;
    copied = at + size;
  }
  out += base.substr(copied).str();
  StringRef marker = "0u /* arena_bytes_per_sample */";
  size_t at = out.find(marker.str());
  if (at == std::string::npos)
    return traceError("the generated code has no arena_bytes_per_sample");
  out.replace(at, marker.size(),
              std::to_string(std::max<int64_t>(arenaSlope, 0)) +
                  "u /* arena_bytes_per_sample */");
  return out;
}
