//===- test_util.h - Shared helpers of the runtime tests --------*- C++ -*-===//
#ifndef SLIM_TEST_RUNTIME_TEST_UTIL_H
#define SLIM_TEST_RUNTIME_TEST_UTIL_H

#include "slim/slim_runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace slimtest {

inline std::string modelPath(const std::string &name) {
  return std::string(SLIM_TEST_MODEL_DIR) + "/" + name + ".so";
}

inline std::string fixture(const std::string &name) {
  return std::string(SLIM_FIXTURE_DIR) + "/" + name;
}

/// A fresh temporary directory per test, removed afterwards.
class TempDir {
public:
  TempDir() {
    char templ[] = "/tmp/slim-rt-test-XXXXXX";
    path = mkdtemp(templ);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string file(const std::string &name) const { return path + "/" + name; }
  std::string path;
};

inline std::vector<unsigned char> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

inline void writeFile(const std::string &path,
                      const std::vector<unsigned char> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            std::streamsize(bytes.size()));
}

/// Takes ownership of `status`; returns its code and copies its message.
inline slim_status_code consume(slim_status status, std::string *message) {
  slim_status_code code = slim_status_get_code(status);
  if (message)
    *message = slim_status_get_message(status);
  slim_status_destroy(status);
  return code;
}

} // namespace slimtest

/// Asserts success, printing the message otherwise.
#define SLIM_ASSERT_OK(expr)                                                   \
  do {                                                                         \
    std::string slimMsg_;                                                      \
    slim_status_code slimCode_ = slimtest::consume((expr), &slimMsg_);         \
    ASSERT_EQ(slimCode_, SLIM_STATUS_OK) << slimMsg_;                          \
  } while (0)

/// Expects failure with `code` and a message containing `substr`.
#define SLIM_EXPECT_ERROR(expr, code, substr)                                  \
  do {                                                                         \
    std::string slimMsg_;                                                      \
    slim_status_code slimCode_ = slimtest::consume((expr), &slimMsg_);         \
    EXPECT_EQ(slimCode_, (code)) << slimMsg_;                                  \
    EXPECT_NE(slimMsg_.find(substr), std::string::npos)                        \
        << "message: " << slimMsg_ << "\nexpected to contain: " << (substr);   \
  } while (0)

#endif // SLIM_TEST_RUNTIME_TEST_UTIL_H
