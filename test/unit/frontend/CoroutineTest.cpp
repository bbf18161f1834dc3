//===- CoroutineTest.cpp - Generators' coroutines and Python exceptions ---===//
//
// The handoff under generators (Coroutine): the body and its resumer take
// strict turns, the body keeps its stack frames across suspensions, a body
// that is never started costs no thread, and every started body is joined.
// Also the builtin exception hierarchy `except` matches against.
//
//===----------------------------------------------------------------------===//

#include "frontend/Coroutine.h"
#include "frontend/Value.h"

#include "gtest/gtest.h"

#include <thread>
#include <vector>

using namespace slim;

namespace {

constexpr size_t kStack = size_t(8) << 20;

/// resume(), failing the test with the reason if the thread cannot start.
::testing::AssertionResult resumed(Coroutine &co) {
  if (llvm::Error error = co.resume())
    return ::testing::AssertionFailure() << llvm::toString(std::move(error));
  return ::testing::AssertionSuccess();
}

TEST(CoroutineTest, TurnsAlternateAndFramesSurvive) {
  std::vector<std::string> log;
  Coroutine *self = nullptr;
  Coroutine co(
      [&] {
        // A local on the body's stack, alive across suspensions.
        int counter = 0;
        for (int i = 0; i < 3; ++i) {
          log.push_back("body " + std::to_string(counter++));
          self->suspend();
        }
        log.push_back("body end");
      },
      kStack);
  self = &co;
  EXPECT_FALSE(co.isStarted());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(resumed(co));
    log.push_back("resumer " + std::to_string(i));
    EXPECT_FALSE(co.isFinished());
  }
  ASSERT_TRUE(resumed(co));
  EXPECT_TRUE(co.isFinished());
  EXPECT_EQ(log, (std::vector<std::string>{"body 0", "resumer 0", "body 1",
                                           "resumer 1", "body 2", "resumer 2",
                                           "body end"}));
}

TEST(CoroutineTest, BodyRunsOnItsOwnThreadOneAtATime) {
  std::thread::id resumer = std::this_thread::get_id(), body;
  bool overlapped = false;
  bool bodyRunning = false;
  Coroutine *self = nullptr;
  Coroutine co(
      [&] {
        body = std::this_thread::get_id();
        bodyRunning = true;
        self->suspend();
        bodyRunning = true;
      },
      kStack);
  self = &co;
  ASSERT_TRUE(resumed(co));
  // The body handed control back: it is not running any more.
  overlapped |= !bodyRunning;
  bodyRunning = false;
  ASSERT_TRUE(resumed(co));
  EXPECT_TRUE(bodyRunning);
  EXPECT_FALSE(overlapped);
  EXPECT_NE(body, resumer);
  EXPECT_TRUE(co.isFinished());
}

TEST(CoroutineTest, NeverStartedCostsNothing) {
  bool ran = false;
  {
    Coroutine co([&] { ran = true; }, kStack);
    EXPECT_FALSE(co.isStarted());
  }
  EXPECT_FALSE(ran);
}

TEST(CoroutineTest, DeepRecursionFitsTheStack) {
  // The body may recurse as deeply as the elaborator's own thread.
  std::function<int(int)> depth = [&](int n) {
    volatile char frame[1024];
    frame[0] = char(n);
    return n == 0 ? frame[0] : depth(n - 1) + 1;
  };
  int result = 0;
  Coroutine co([&] { result = depth(4000); }, kStack);
  ASSERT_TRUE(resumed(co));
  EXPECT_EQ(result, 4000);
}

TEST(ExceptionHierarchyTest, MatchesPythonsBuiltins) {
  EXPECT_TRUE(exceptionIsSubclass("KeyError", "LookupError"));
  EXPECT_TRUE(exceptionIsSubclass("KeyError", "Exception"));
  EXPECT_TRUE(exceptionIsSubclass("KeyError", "BaseException"));
  EXPECT_TRUE(exceptionIsSubclass("NotImplementedError", "RuntimeError"));
  EXPECT_TRUE(exceptionIsSubclass("ZeroDivisionError", "ArithmeticError"));
  EXPECT_TRUE(exceptionIsSubclass("ModuleNotFoundError", "ImportError"));
  EXPECT_TRUE(exceptionIsSubclass("StopIteration", "Exception"));
  EXPECT_FALSE(exceptionIsSubclass("GeneratorExit", "Exception"));
  EXPECT_TRUE(exceptionIsSubclass("GeneratorExit", "BaseException"));
  EXPECT_FALSE(exceptionIsSubclass("KeyError", "IndexError"));
  EXPECT_FALSE(exceptionIsSubclass("ValueError", "TypeError"));
  // slimc's compile errors are no Python exception at all.
  EXPECT_FALSE(exceptionIsSubclass("error", "BaseException"));
}

} // namespace
