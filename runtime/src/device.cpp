//===- device.cpp - Driving a device model through its slim_device_ops ----===//

#include "device.h"

#include <utility>

namespace slimrt {

const char *deviceKindName(int32_t kind) {
  switch (kind) {
  case SLIM_DEVICE_CPU:
    return "CPU";
  case SLIM_DEVICE_CUDA:
    return "CUDA";
  default:
    return nullptr;
  }
}

std::string missingDeviceOps(const slim_device_ops &ops) {
  std::string missing;
  auto need = [&](const void *fn, const char *name) {
    if (fn)
      return;
    if (!missing.empty())
      missing += ", ";
    missing += name;
  };
  need(reinterpret_cast<const void *>(ops.probe), "probe");
  need(reinterpret_cast<const void *>(ops.describe), "describe");
  need(reinterpret_cast<const void *>(ops.alloc), "alloc");
  need(reinterpret_cast<const void *>(ops.free), "free");
  need(reinterpret_cast<const void *>(ops.copy_to_device), "copy_to_device");
  need(reinterpret_cast<const void *>(ops.copy_to_host), "copy_to_host");
  need(reinterpret_cast<const void *>(ops.context_create), "context_create");
  need(reinterpret_cast<const void *>(ops.context_destroy), "context_destroy");
  need(reinterpret_cast<const void *>(ops.context_copy_to_device),
       "context_copy_to_device");
  need(reinterpret_cast<const void *>(ops.context_copy_to_host),
       "context_copy_to_host");
  need(reinterpret_cast<const void *>(ops.context_synchronize),
       "context_synchronize");
  return missing;
}

DeviceBuffer::DeviceBuffer(const slim_device_ops *ops, uint64_t bytes,
                           const std::string &what)
    : ops(ops), bytes(bytes) {
  callDevice(
      SLIM_STATUS_RESOURCE_EXHAUSTED,
      cat("cannot allocate ", bytes, " bytes of device memory for ", what),
      [&](char *error, size_t size) {
        return ops->alloc(bytes, &ptr, error, size);
      });
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : ops(other.ops), ptr(std::exchange(other.ptr, nullptr)),
      bytes(std::exchange(other.bytes, 0)) {}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    reset();
    ops = other.ops;
    ptr = std::exchange(other.ptr, nullptr);
    bytes = std::exchange(other.bytes, 0);
  }
  return *this;
}

void DeviceBuffer::reset() {
  if (ptr)
    ops->free(ptr);
  ptr = nullptr;
  bytes = 0;
}

DeviceContext::DeviceContext(const slim_device_ops *ops) : ops(ops) {
  callDevice(SLIM_STATUS_RESOURCE_EXHAUSTED,
             "cannot create a device execution context",
             [&](char *error, size_t size) {
               return ops->context_create(&handle, error, size);
             });
}

DeviceContext::~DeviceContext() {
  if (ops)
    ops->context_destroy(handle);
}

void DeviceContext::copyToDevice(void *dst, const void *src, uint64_t bytes,
                                 const std::string &what) {
  callDevice(SLIM_STATUS_INTERNAL, what, [&](char *error, size_t size) {
    return ops->context_copy_to_device(handle, dst, src, bytes, error, size);
  });
}

void DeviceContext::copyToHost(void *dst, const void *src, uint64_t bytes,
                               const std::string &what) {
  callDevice(SLIM_STATUS_INTERNAL, what, [&](char *error, size_t size) {
    return ops->context_copy_to_host(handle, dst, src, bytes, error, size);
  });
}

void DeviceContext::synchronize(const std::string &what) {
  callDevice(SLIM_STATUS_INTERNAL, what, [&](char *error, size_t size) {
    return ops->context_synchronize(handle, error, size);
  });
}

void DeviceContext::drain() noexcept {
  char error[256];
  ops->context_synchronize(handle, error, sizeof(error));
}

void copyToDevice(const slim_device_ops *ops, void *dst, const void *src,
                  uint64_t bytes, const std::string &what) {
  callDevice(SLIM_STATUS_INTERNAL, what, [&](char *error, size_t size) {
    return ops->copy_to_device(dst, src, bytes, error, size);
  });
}

} // namespace slimrt
