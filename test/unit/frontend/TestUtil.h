//===- TestUtil.h - Helpers for the frontend syntax unit tests --*- C++ -*-===//
//
// Part of slimc.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_TEST_UNIT_FRONTEND_TESTUTIL_H
#define SLIM_TEST_UNIT_FRONTEND_TESTUTIL_H

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace slim::test {

/// Owns a SourceMgr holding one buffer and records every diagnostic printed
/// through it as "line:col: kind: message" (1-based line and column), plus
/// the full rendering `PrintMessage` would have printed.
class SourceFixture {
public:
  /// Adds \p source as buffer "test.slim" and returns its id. Forgets the
  /// diagnostics of earlier buffers.
  unsigned load(llvm::StringRef source) {
    diagnostics.clear();
    rendered.clear();
    auto buffer = llvm::MemoryBuffer::getMemBufferCopy(source, "test.slim");
    sourceMgr.setDiagHandler(&SourceFixture::handle, this);
    return sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  }

  llvm::SourceMgr sourceMgr;
  /// "3:7: error: expected ..." for each diagnostic, in order.
  std::vector<std::string> diagnostics;
  /// All diagnostics as PrintMessage renders them (with source lines and
  /// carets).
  std::string rendered;

  /// The diagnostics joined with newlines.
  std::string allDiagnostics() const {
    std::string out;
    for (const std::string &d : diagnostics)
      out += d + "\n";
    return out;
  }

private:
  static void handle(const llvm::SMDiagnostic &diag, void *context) {
    auto *self = static_cast<SourceFixture *>(context);
    const char *kind = diag.getKind() == llvm::SourceMgr::DK_Error  ? "error"
                       : diag.getKind() == llvm::SourceMgr::DK_Note ? "note"
                                                                    : "other";
    self->diagnostics.push_back(std::to_string(diag.getLineNo()) + ":" +
                                std::to_string(diag.getColumnNo() + 1) + ": " +
                                kind + ": " + diag.getMessage().str());
    llvm::raw_string_ostream os(self->rendered);
    diag.print(nullptr, os, /*ShowColors=*/false);
  }
};

} // namespace slim::test

#endif // SLIM_TEST_UNIT_FRONTEND_TESTUTIL_H
