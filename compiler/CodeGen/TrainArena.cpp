//===- TrainArena.cpp - The train step's arena plan -----------------------===//

#include "compiler/CodeGen/TrainArena.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <numeric>
#include <utility>

using namespace llvm;

namespace mlir {
namespace slim {
namespace codegen {

namespace {

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

/// One line of C++ as the liveness scan sees it.
struct ScannedLine {
  SmallVector<StringRef> idents;
  int braces = 0; // opened minus closed
  char lastCode = 0;
  /// The name a declaration at the start of the line introduces, and the
  /// index in `idents` where its initializer starts.
  StringRef declared;
  size_t initFrom = 0;
};

ScannedLine scanLine(StringRef line) {
  ScannedLine s;
  size_t i = 0, n = line.size();
  size_t eqIdent = StringRef::npos;
  while (i < n) {
    char c = line[i];
    if (c == '/' && i + 1 < n && line[i + 1] == '/')
      break; // a comment to the end of the line
    if (c == '"' || c == '\'') {
      for (++i; i < n && line[i] != c; ++i)
        if (line[i] == '\\')
          ++i;
      ++i;
      s.lastCode = c;
      continue;
    }
    if (isIdentStart(c)) {
      size_t b = i;
      while (i < n && isIdentChar(line[i]))
        ++i;
      s.idents.push_back(line.slice(b, i));
      s.lastCode = 'a';
      continue;
    }
    if (c >= '0' && c <= '9') {
      while (i < n && (isIdentChar(line[i]) || line[i] == '.'))
        ++i;
      s.lastCode = '0';
      continue;
    }
    if (c == '{')
      ++s.braces;
    else if (c == '}')
      --s.braces;
    else if (c == '=' && eqIdent == StringRef::npos && i + 1 < n &&
             line[i + 1] != '=' && i > 0 &&
             StringRef("!<>=+-*/%&|^").find(line[i - 1]) == StringRef::npos)
      eqIdent = s.idents.size();
    if (c != ' ' && c != '\t')
      s.lastCode = c;
    ++i;
  }
  // `TYPE [*]const NAME[[]] = ...`: a declaration when it starts with a
  // type word.
  static const StringSet<> types = {"const", "float",   "double",   "int",
                                    "char",  "int64_t", "int32_t",  "uint64_t",
                                    "auto",  "bool",    "uint32_t", "uint8_t"};
  if (eqIdent != StringRef::npos && eqIdent >= 2 && !s.idents.empty() &&
      types.contains(s.idents.front())) {
    s.declared = s.idents[eqIdent - 1];
    s.initFrom = eqIdent;
  }
  return s;
}

} // namespace

void computeArenaLiveness(StringRef body, const StringMap<unsigned> &sliceOf,
                          MutableArrayRef<ArenaSlice> slices) {
  for (ArenaSlice &s : slices)
    s.first = s.last = -1;
  // Pointers declared at the top level from slices: the slices they reach.
  StringMap<SmallVector<unsigned, 2>> aliases;
  int64_t group = 0;
  int depth = 0;
  auto touch = [&](unsigned k) {
    ArenaSlice &s = slices[k];
    if (s.first < 0)
      s.first = group;
    s.last = std::max(s.last, group);
  };
  auto reached = [&](StringRef id, SmallVectorImpl<unsigned> &out) {
    auto it = sliceOf.find(id);
    if (it != sliceOf.end())
      out.push_back(it->second);
    auto a = aliases.find(id);
    if (a != aliases.end())
      out.append(a->second.begin(), a->second.end());
  };
  SmallVector<StringRef> lines;
  body.split(lines, '\n');
  for (StringRef line : lines) {
    StringRef code = line.trim();
    if (code.empty())
      continue;
    ScannedLine s = scanLine(code);
    SmallVector<unsigned, 8> used;
    for (StringRef id : s.idents)
      reached(id, used);
    for (unsigned k : used)
      touch(k);
    if (depth == 0 && !s.declared.empty()) {
      SmallVector<unsigned, 2> targets;
      for (size_t i = s.initFrom; i < s.idents.size(); ++i)
        reached(s.idents[i], targets);
      if (!targets.empty())
        aliases[s.declared] = std::move(targets);
    }
    depth = std::max(0, depth + s.braces);
    // A group ends with a complete top-level statement or block; a
    // `for (...)` header (or a comment) continues into the next line.
    if (depth == 0 && (s.lastCode == ';' || s.lastCode == '}'))
      ++group;
  }
}

uint64_t planArena(MutableArrayRef<ArenaSlice> slices) {
  SmallVector<unsigned> order;
  for (unsigned i = 0; i < slices.size(); ++i) {
    slices[i].offset = 0;
    if (slices[i].first >= 0)
      order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
    if (slices[a].bytes != slices[b].bytes)
      return slices[a].bytes > slices[b].bytes;
    return slices[a].first < slices[b].first;
  });
  uint64_t size = 0;
  SmallVector<unsigned> placed;
  SmallVector<std::pair<uint64_t, uint64_t>> busy;
  for (unsigned i : order) {
    ArenaSlice &s = slices[i];
    busy.clear();
    for (unsigned j : placed) {
      const ArenaSlice &o = slices[j];
      if (o.first <= s.last && s.first <= o.last)
        busy.push_back({o.offset, o.offset + o.bytes});
    }
    llvm::sort(busy);
    uint64_t at = 0;
    for (auto [b, e] : busy) {
      if (at + s.bytes <= b)
        break;
      at = std::max(at, e);
    }
    s.offset = at;
    size = std::max(size, at + s.bytes);
    placed.push_back(i);
  }
  return size;
}

std::string checkArenaPlan(ArrayRef<ArenaSlice> slices) {
  std::string why;
  raw_string_ostream os(why);
  SmallVector<unsigned> live;
  for (unsigned i = 0; i < slices.size(); ++i)
    if (slices[i].first >= 0)
      live.push_back(i);
  // In address order, each slice against the ones that start inside it.
  llvm::sort(live, [&](unsigned a, unsigned b) {
    return slices[a].offset < slices[b].offset;
  });
  for (size_t x = 0; x < live.size(); ++x) {
    const ArenaSlice &a = slices[live[x]];
    if (a.offset % 64 || a.bytes % 64)
      os << "slice " << live[x] << " is not 64-byte aligned\n";
    for (size_t y = x + 1; y < live.size(); ++y) {
      const ArenaSlice &b = slices[live[y]];
      if (b.offset >= a.offset + a.bytes)
        break;
      if (a.first <= b.last && b.first <= a.last)
        os << "slices " << live[x] << " and " << live[y]
           << " are live together in groups [" << std::max(a.first, b.first)
           << ", " << std::min(a.last, b.last) << "] and share bytes ["
           << b.offset << ", "
           << std::min(a.offset + a.bytes, b.offset + b.bytes) << ")\n";
    }
  }
  return why;
}

} // namespace codegen
} // namespace slim
} // namespace mlir
