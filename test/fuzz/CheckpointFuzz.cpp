//===- CheckpointFuzz.cpp - Reading a fuzzed checkpoint back --------------===//
#include "CheckpointFuzz.h"
#include "FuzzUtil.h"

#include "slim/slim_runtime.h"

#include <cstdlib>
#include <string>
#include <vector>

namespace slimfuzz {

void exerciseCheckpoint(const std::string &path) {
  slim_checkpoint *checkpoint = nullptr;
  slim_status status = slim_checkpoint_open(path.c_str(), &checkpoint);
  if (status) {
    // A failed open must say why and must not hand out a checkpoint.
    if (checkpoint || !slim_status_get_message(status))
      std::abort();
    slim_status_destroy(status);
    return;
  }
  size_t count = slim_checkpoint_num_tensors(checkpoint);
  std::vector<unsigned char> buffer;
  for (size_t i = 0; i < count; ++i) {
    slim_tensor_info info;
    if (slim_status s = slim_checkpoint_tensor_info(checkpoint, i, &info)) {
      slim_status_destroy(s);
      continue;
    }
    // The listing is what applications trust to size their buffers.
    if (!info.name || info.rank < 0 || (info.rank > 0 && !info.dims))
      std::abort();
    if (info.size_bytes > kMaxReadBytes)
      continue;
    buffer.resize(info.size_bytes);
    if (slim_status s = slim_checkpoint_read_tensor(
            checkpoint, info.name, buffer.data(), buffer.size()))
      slim_status_destroy(s);
  }
  slim_checkpoint_destroy(checkpoint);
}

} // namespace slimfuzz
