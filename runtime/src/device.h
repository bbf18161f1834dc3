//===- device.h - Driving a device model through its slim_device_ops -*- C++
//-*-===//
//
// The runtime never links or loads an accelerator's libraries: a device
// model brings its own `slim_device_ops` (model_abi.h). These helpers turn
// those C entry points, which report errors through a message buffer, into
// slimrt::Error exceptions, and own device memory and contexts with RAII so
// that every exit path frees them, always before the model library (whose
// code the function pointers are) is unloaded.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_RUNTIME_DEVICE_H
#define SLIM_RUNTIME_DEVICE_H

#include "common.h"

#include <string>

namespace slimrt {

/// The largest alignment a device buffer is guaranteed (`alloc`'s contract);
/// a device model asking more of its params or arena is refused at open.
constexpr uint64_t kDeviceAlignment = 256;

/// "CPU", "CUDA"; null for a kind this runtime does not know.
const char *deviceKindName(int32_t kind);

/// Names the entry points of `ops` that are null ("" when none is), so a
/// malformed library is refused at open instead of crashing later.
std::string missingDeviceOps(const slim_device_ops &ops);

/// Calls `fn(error, error_size)`; on a nonzero result throws Error(`code`)
/// with `what` and the message the device code wrote.
template <typename Fn>
void callDevice(slim_status_code code, const std::string &what, Fn &&fn) {
  char error[1024] = "";
  int32_t rc = fn(error, sizeof(error));
  error[sizeof(error) - 1] = '\0'; // Never trust the model to terminate.
  // The device code's message names the failure (CUDA's error name); its
  // numeric code adds nothing an application can act on.
  if (rc)
    fail(code, what, ": ", error[0] ? error : cat("error code ", rc));
}

/// Device memory from `ops.alloc`, freed with `ops.free`. A zero-byte buffer
/// may hold a null pointer (alloc's contract).
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  /// Allocates `bytes`; fails with RESOURCE_EXHAUSTED naming `what`.
  DeviceBuffer(const slim_device_ops *ops, uint64_t bytes,
               const std::string &what);
  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer() { reset(); }

  void reset();
  void *data() const { return ptr; }
  uint64_t size() const { return bytes; }

private:
  const slim_device_ops *ops = nullptr;
  void *ptr = nullptr;
  uint64_t bytes = 0;
};

/// A context's device state (its stream), from `ops.context_create`.
class DeviceContext {
public:
  DeviceContext() = default;
  explicit DeviceContext(const slim_device_ops *ops);
  DeviceContext(const DeviceContext &) = delete;
  DeviceContext &operator=(const DeviceContext &) = delete;
  ~DeviceContext();

  void *get() const { return handle; }

  /// Asynchronous copies on this context's stream; INTERNAL on failure.
  void copyToDevice(void *dst, const void *src, uint64_t bytes,
                    const std::string &what);
  void copyToHost(void *dst, const void *src, uint64_t bytes,
                  const std::string &what);
  /// Waits for the stream; INTERNAL with the device's message on failure.
  void synchronize(const std::string &what);
  /// Waits for the stream, ignoring errors: used on failure paths so that no
  /// copy into or out of the application's buffers outlives the call.
  void drain() noexcept;

private:
  const slim_device_ops *ops = nullptr;
  void *handle = nullptr;
};

/// Synchronous copy of host memory into a device buffer (uploads).
void copyToDevice(const slim_device_ops *ops, void *dst, const void *src,
                  uint64_t bytes, const std::string &what);

} // namespace slimrt

#endif // SLIM_RUNTIME_DEVICE_H
