//===- checkpoint_api.cpp - C API over the checkpoint readers -------------===//

#include "checkpoint.h"

using namespace slimrt;

void slimrt::checkWritableFormat(const std::string &path,
                                 slim_checkpoint_format format) {
  switch (format) {
  case SLIM_CHECKPOINT_SAFETENSORS:
  case SLIM_CHECKPOINT_TF_V2:
    return;
  case SLIM_CHECKPOINT_TF_V1:
    fail(SLIM_STATUS_UNIMPLEMENTED, "cannot save '", path,
         "': writing TensorFlow V1 checkpoints is not supported (TensorFlow "
         "itself writes V2 only); save as TensorFlow V2");
  }
  fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot save '", path,
       "': unknown checkpoint format ", int(format));
}

void slimrt::writeCheckpoint(const std::string &path,
                             slim_checkpoint_format format,
                             const std::vector<TensorToWrite> &tensors,
                             const std::map<std::string, std::string> &meta) {
  checkWritableFormat(path, format);
  if (format == SLIM_CHECKPOINT_TF_V2)
    writeTFV2(path, tensors);
  else
    writeSafetensors(path, tensors, meta);
}

struct slim_checkpoint {
  std::unique_ptr<CheckpointReader> reader;
};

extern "C" {

slim_status slim_checkpoint_open(const char *path,
                                 slim_checkpoint **out_checkpoint) {
  return guard([&] {
    if (!path)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "checkpoint path is null");
    if (!out_checkpoint)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "out_checkpoint is null");
    auto ck = std::make_unique<slim_checkpoint>();
    ck->reader = openCheckpoint(path);
    *out_checkpoint = ck.release();
  });
}

void slim_checkpoint_destroy(slim_checkpoint *checkpoint) { delete checkpoint; }

slim_checkpoint_format
slim_checkpoint_get_format(const slim_checkpoint *checkpoint) {
  return checkpoint ? checkpoint->reader->format() : slim_checkpoint_format(0);
}

size_t slim_checkpoint_num_tensors(const slim_checkpoint *checkpoint) {
  return checkpoint ? checkpoint->reader->tensors().size() : 0;
}

slim_status slim_checkpoint_tensor_info(const slim_checkpoint *checkpoint,
                                        size_t index,
                                        slim_tensor_info *out_info) {
  return guard([&] {
    if (!checkpoint || !out_info)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "checkpoint or out_info is null");
    const auto &tensors = checkpoint->reader->tensors();
    if (index >= tensors.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "tensor index ", index,
           " out of range: checkpoint has ", tensors.size(), " tensors");
    const TensorEntry &e = tensors[index];
    out_info->name = e.name.c_str();
    out_info->dtype = slim_dtype(e.dtype);
    out_info->rank = int32_t(e.dims.size());
    out_info->dims = e.dims.data();
    out_info->num_elements = e.numElements;
    out_info->size_bytes = e.sizeBytes;
  });
}

slim_status slim_checkpoint_read_tensor(const slim_checkpoint *checkpoint,
                                        const char *name, void *dst,
                                        size_t size_bytes) {
  return guard([&] {
    if (!checkpoint || !name || (!dst && size_bytes))
      fail(SLIM_STATUS_INVALID_ARGUMENT,
           "checkpoint, name or destination is null");
    ptrdiff_t i = checkpoint->reader->find(name);
    if (i < 0)
      fail(SLIM_STATUS_NOT_FOUND, "checkpoint '", checkpoint->reader->path(),
           "' has no tensor '", name, "'");
    const TensorEntry &e = checkpoint->reader->tensors()[size_t(i)];
    // A type the runtime cannot load is refused by every format alike,
    // before the buffer is touched: its size would not be checked.
    if (e.dtype == SLIM_DTYPE_INVALID)
      fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint '",
           checkpoint->reader->path(), "' tensor '", name, "' has dtype ",
           e.dtypeName, ", which the runtime cannot load");
    if (size_bytes != e.sizeBytes)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "tensor '", name, "' ",
           shapeString(e.dims), " ", e.dtypeName, " has ", e.sizeBytes,
           " bytes, buffer has ", size_bytes);
    if (e.sizeBytes)
      checkpoint->reader->read(size_t(i), dst);
  });
}

slim_status slim_checkpoint_convert(const char *src_path,
                                    const char *dst_path) {
  return slim_checkpoint_convert_as(src_path, dst_path,
                                    SLIM_CHECKPOINT_SAFETENSORS);
}

slim_status slim_checkpoint_convert_as(const char *src_path,
                                       const char *dst_path,
                                       slim_checkpoint_format format) {
  return guard([&] {
    if (!src_path || !dst_path)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "checkpoint path is null");
    checkWritableFormat(dst_path, format);
    std::unique_ptr<CheckpointReader> reader = openCheckpoint(src_path);
    std::vector<AlignedBuffer> buffers;
    std::vector<TensorToWrite> tensors;
    std::vector<std::string> skipped;
    for (size_t i = 0; i < reader->tensors().size(); ++i) {
      const TensorEntry &e = reader->tensors()[i];
      if (e.dtype == SLIM_DTYPE_INVALID) {
        skipped.push_back(e.name + " (" + e.dtypeName + ")");
        continue;
      }
      buffers.emplace_back(e.sizeBytes);
      reader->read(i, buffers.back().data());
      tensors.push_back(
          {e.name, e.dtype, e.dims, buffers.back().data(), e.sizeBytes});
    }
    std::string note;
    for (const std::string &s : skipped)
      note += (note.empty() ? "" : ", ") + s;
    std::map<std::string, std::string> meta{
        {"format", "slimc"},
        {"slim.format_version", std::to_string(SLIM_CHECKPOINT_FORMAT_VERSION)},
        {"slim.converted_from", reader->formatName()}};
    if (!note.empty())
      meta["slim.skipped_tensors"] = note;
    writeCheckpoint(dst_path, format, tensors, meta);
  });
}

} // extern "C"
