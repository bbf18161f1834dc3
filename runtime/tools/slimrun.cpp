//===- slimrun.cpp - Run, benchmark and profile a compiled model ----------===//
//
//   slimrun MODEL.so [--checkpoint PATH | --init-seed N] [--input
//   NAME=FILE.npy]
//           [--output-dir DIR] [--batch B] [--bench N] [--warmup N] [--profile]
//           [--threads N] [--memory] [--no-freeze] [restore options]
//
// In the spirit of iree-run-module and TFLite's benchmark_model. It uses only
// the public C API, plus the runtime's .npy helpers. Device (CUDA) models run
// through the same calls: slimrun hands host buffers to slim_context_run_sized,
// which copies them to the device and back.
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.h"

#include "npy.h"
#include "slimrun_train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

const char *kUsage =
    "usage: slimrun MODEL.so [options]\n"
    "\n"
    "weights (one of; without either, running fails unless the model has "
    "no variables):\n"
    "  --checkpoint PATH        safetensors, TF V2 prefix or TF V1 file\n"
    "  --init-seed N            initialize variables from their initializers\n"
    "restore options (with --checkpoint):\n"
    "  --include SCOPE          restore only variables matching SCOPE "
    "(repeatable)\n"
    "  --exclude SCOPE          skip variables matching SCOPE (repeatable)\n"
    "  --ignore-missing         leave variables absent from the checkpoint\n"
    "  --model-prefix P --checkpoint-prefix Q  look up model name P... as "
    "Q...\n"
    "inputs and outputs:\n"
    "  --input NAME=FILE.npy    an input (repeatable); missing inputs get "
    "fixed pseudo-random values\n"
    "  --output-dir DIR         write every output as DIR/NAME.npy\n"
    "  --batch B                run B samples (1..the max batch) of a model "
    "compiled with\n"
    "                           a run-time batch (slimc --max-batch); default "
    "its max\n"
    "                           batch. Inputs, outputs and --bench use that "
    "batch; a\n"
    "                           static model runs only its own batch\n"
    "  --save-checkpoint PATH   save the variables (after any restore or "
    "initialization)\n"
    "  --save-format FORMAT     safetensors (default: the file PATH) or tf "
    "(a TensorFlow V2\n"
    "                           checkpoint: PATH is a prefix, PATH.index and "
    "PATH.data-*)\n"
    "  --regularization-loss    print the model's regularization loss\n"
    "performance:\n"
    "  --bench N                time N runs after warm-up; print min/median/"
    "p90 latency and throughput\n"
    "  --warmup N               warm-up runs before timing (default "
    "max(1, N/10))\n"
    "  --profile                per-layer time and GFLOP/s\n"
    "  --guard-arena            run in an application arena of exactly "
    "the batch's size\n"
    "                           (slim_model_arena_size_for_batch) that ends "
    "at an\n"
    "                           inaccessible page: a kernel writing or "
    "reading past it\n"
    "                           crashes (a test of the memory plan; CPU "
    "models only)\n"
    "  --threads N              threads to run with (default: the model's "
    "slimc --threads,\n"
    "                           else one per CPU; CPU models only)\n"
    "memory:\n"
    "  --memory                 print the runtime's memory accounting and the "
    "process's\n"
    "                           resident memory after the runs\n"
    "  --no-freeze              keep every variable (by default, after any "
    "save and\n"
    "                           loss, variables only the packed weights need "
    "are\n"
    "                           released so weights are held once; on a "
    "device model\n"
    "                           every host variable, the device holds the "
    "weights)\n"
    "training (a library compiled with slimc --train):\n"
    "  --train                  run train steps instead of inference\n"
    "  --data FILE.npy          float32 [samples, ...]: the train input\n"
    "  --labels FILE.npy        [samples] int32/int64 class ids or [samples, "
    "C] float32\n"
    "  --steps K                train steps; step i takes samples [(i*N) mod "
    "samples, ...)\n"
    "                           in order, wrapping around\n"
    "  --batch N                samples per step (must be the compiled "
    "batch; default it)\n"
    "  --restore CKPT           start from a checkpoint (or --init-seed S)\n"
    "  --log-every N            a progress line every N steps (default 10)\n"
    "  --dump-gradients FILE    safetensors of step 1's gradients, by "
    "variable name\n"
    "  --save-checkpoint PATH   save every variable after the last step "
    "(--save-format)\n";

} // namespace

namespace slimrun {

[[noreturn]] void die(const std::string &msg) {
  std::fprintf(stderr, "slimrun: error: %s\n", msg.c_str());
  std::exit(1);
}

void check(slim_status s, const char *what) {
  if (!s)
    return;
  std::string msg = std::string(what) + ": " + slim_status_get_message(s);
  slim_status_destroy(s);
  die(msg);
}

} // namespace slimrun

namespace {
using slimrun::check;
using slimrun::die;

long long parseInt(const std::string &s, const char *flag) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || errno)
    die(std::string("invalid number '") + s + "' for " + flag);
  return v;
}

std::string shapeStr(const slim_tensor_info &t) {
  std::string s = "[";
  for (int i = 0; i < t.rank; ++i)
    s += (i ? ", " : "") + std::to_string(t.dims[i]);
  return s + "]";
}

/// Output names may contain '/', which cannot be part of a file name.
std::string fileNameFor(const std::string &name) {
  std::string f = name;
  std::replace(f.begin(), f.end(), '/', '_');
  return f;
}

double valueAt(const std::vector<unsigned char> &buf, slim_dtype dtype,
               size_t i) {
  switch (dtype) {
  case SLIM_DTYPE_F32:
    return reinterpret_cast<const float *>(buf.data())[i];
  case SLIM_DTYPE_F64:
    return reinterpret_cast<const double *>(buf.data())[i];
  case SLIM_DTYPE_I32:
    return reinterpret_cast<const int32_t *>(buf.data())[i];
  case SLIM_DTYPE_I64:
    return double(reinterpret_cast<const int64_t *>(buf.data())[i]);
  case SLIM_DTYPE_U8:
    return buf[i];
  default:
    return 0;
  }
}

/// Deterministic stand-in data in [-1, 1) (or 0..255 for uint8).
void fillPseudoRandom(std::vector<unsigned char> &buf, slim_dtype dtype,
                      size_t n) {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double u = double(state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
    switch (dtype) {
    case SLIM_DTYPE_F32:
      reinterpret_cast<float *>(buf.data())[i] = float(u);
      break;
    case SLIM_DTYPE_F64:
      reinterpret_cast<double *>(buf.data())[i] = u;
      break;
    case SLIM_DTYPE_I32:
      reinterpret_cast<int32_t *>(buf.data())[i] = int32_t(u * 100);
      break;
    case SLIM_DTYPE_I64:
      reinterpret_cast<int64_t *>(buf.data())[i] = int64_t(u * 100);
      break;
    case SLIM_DTYPE_U8:
      buf[i] = uint8_t((u + 1) * 127.5);
      break;
    default:
      break;
    }
  }
}

double percentile(std::vector<double> sorted, double p) {
  size_t idx = size_t(std::ceil(p * double(sorted.size()))) - 1;
  return sorted[std::min(idx, sorted.size() - 1)];
}

/// Resident memory of this process, from /proc/self/status (KiB; 0 when
/// unavailable).
struct ProcessMemory {
  long long rssKiB = 0, peakKiB = 0;
};

ProcessMemory readProcessMemory() {
  ProcessMemory m;
  if (FILE *f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof(line), f)) {
      long long v = 0;
      if (std::sscanf(line, "VmRSS: %lld", &v) == 1)
        m.rssKiB = v;
      else if (std::sscanf(line, "VmHWM: %lld", &v) == 1)
        m.peakKiB = v;
    }
    std::fclose(f);
  }
  return m;
}

/// "CUDA device NVIDIA H100 80GB HBM3 (79.1 GiB)"; "" for CPU models.
std::string deviceDescription(slim_model *model) {
  slim_device_info d;
  check(slim_model_device_info(model, &d), "device info");
  if (d.kind == SLIM_DEVICE_CPU)
    return "";
  char total[64];
  std::snprintf(total, sizeof(total), " (%.1f GiB)",
                double(d.total_memory_bytes) / (1024.0 * 1024.0 * 1024.0));
  return std::string(d.kind == SLIM_DEVICE_CUDA ? "CUDA" : "unknown") +
         " device " + d.name + total;
}

void printMemoryReport(slim_model *model, const ProcessMemory &before,
                       const ProcessMemory &after) {
  slim_memory_info m;
  check(slim_model_memory_info(model, &m), "memory info");
  bool device = m.device != SLIM_DEVICE_CPU;
  auto line = [](const char *what, uint64_t bytes, const char *extra) {
    std::printf("memory: %-22s %10.1f MiB (%llu B)%s\n", what,
                double(bytes) / (1024.0 * 1024.0), (unsigned long long)bytes,
                extra);
  };
  if (device)
    std::printf("memory: model runs on %s\n", deviceDescription(model).c_str());
  line("variables held", m.variable_bytes, device ? " (host)" : "");
  line("  of which mapped", m.mapped_variable_bytes, " (checkpoint file)");
  line("variables released", m.released_variable_bytes, "");
  line("derived params", m.param_bytes, device ? " (device)" : "");
  if (device)
    line("variable copies", m.device_variable_bytes, " (device, read by run)");
  line("arena per context", m.arena_bytes_per_context,
       device ? " (device)" : "");
  if (device)
    line("staging per context", m.device_staging_bytes_per_context,
         " (device, inputs and outputs)");
  line("prepare scratch", m.prepare_scratch_bytes,
       device ? " (host, freed after prepare; so are the host params)"
              : " (freed after prepare)");
  if (after.rssKiB > 0)
    std::printf("memory: process resident %.1f MiB now, peak %.1f MiB "
                "(%.1f MiB before the model was opened)\n",
                double(after.rssKiB) / 1024.0, double(after.peakKiB) / 1024.0,
                double(before.rssKiB) / 1024.0);
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, checkpoint, outputDir, saveCheckpoint;
  slim_checkpoint_format saveFormat = SLIM_CHECKPOINT_SAFETENSORS;
  std::string modelPrefix, checkpointPrefix;
  std::vector<std::string> includes, excludes;
  std::map<std::string, std::string> inputFiles;
  long long seed = -1, bench = 0, warmup = -1, threads = -1, runBatch = 0;
  bool profile = false, ignoreMissing = false, printRegLoss = false;
  bool printMemory = false, freeze = true, guardArena = false;
  bool train = false;
  slimrun::TrainOptions trainOptions;

  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        die(a + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--checkpoint" || a == "--restore") {
      if (!checkpoint.empty())
        die("give one --checkpoint or --restore");
      checkpoint = value();
    } else if (a == "--train") {
      train = true;
    } else if (a == "--data") {
      trainOptions.data = value();
    } else if (a == "--labels") {
      trainOptions.labels = value();
    } else if (a == "--steps") {
      trainOptions.steps = parseInt(value(), "--steps");
      if (trainOptions.steps < 1)
        die("--steps needs a positive count");
    } else if (a == "--log-every") {
      trainOptions.logEvery = parseInt(value(), "--log-every");
      if (trainOptions.logEvery < 1)
        die("--log-every needs a positive count");
    } else if (a == "--dump-gradients") {
      trainOptions.dumpGradients = value();
    } else if (a == "--init-seed") {
      seed = parseInt(value(), "--init-seed");
      if (seed < 0)
        die("--init-seed must be >= 0");
    } else if (a == "--input") {
      std::string v = value();
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0)
        die("--input expects NAME=FILE.npy, got '" + v + "'");
      if (!inputFiles.emplace(v.substr(0, eq), v.substr(eq + 1)).second)
        die("input '" + v.substr(0, eq) + "' given twice");
    } else if (a == "--batch") {
      runBatch = parseInt(value(), "--batch");
      if (runBatch < 1)
        die("--batch needs a positive batch");
    } else if (a == "--guard-arena") {
      guardArena = true;
    } else if (a == "--output-dir") {
      outputDir = value();
    } else if (a == "--save-checkpoint") {
      saveCheckpoint = value();
    } else if (a == "--save-format") {
      std::string f = value();
      if (f == "safetensors")
        saveFormat = SLIM_CHECKPOINT_SAFETENSORS;
      else if (f == "tf")
        saveFormat = SLIM_CHECKPOINT_TF_V2;
      else
        die("--save-format expects safetensors or tf, got '" + f + "'");
    } else if (a == "--bench") {
      bench = parseInt(value(), "--bench");
      if (bench < 1)
        die("--bench needs a positive run count");
    } else if (a == "--warmup") {
      warmup = parseInt(value(), "--warmup");
      if (warmup < 0)
        die("--warmup must be >= 0");
    } else if (a == "--profile") {
      profile = true;
    } else if (a == "--regularization-loss") {
      printRegLoss = true;
    } else if (a == "--memory") {
      printMemory = true;
    } else if (a == "--no-freeze") {
      freeze = false;
    } else if (a == "--threads") {
      threads = parseInt(value(), "--threads");
      if (threads < 1)
        die("--threads needs a positive count");
    } else if (a == "--include") {
      includes.push_back(value());
    } else if (a == "--exclude") {
      excludes.push_back(value());
    } else if (a == "--ignore-missing") {
      ignoreMissing = true;
    } else if (a == "--model-prefix") {
      modelPrefix = value();
    } else if (a == "--checkpoint-prefix") {
      checkpointPrefix = value();
    } else if (!a.empty() && a[0] == '-') {
      die("unknown option '" + a + "' (see --help)");
    } else if (modelPath.empty()) {
      modelPath = a;
    } else {
      die("unexpected argument '" + a + "'");
    }
  }
  if (modelPath.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (!checkpoint.empty() && seed >= 0)
    die("--checkpoint and --init-seed exclude each other");
  if (train) {
    if (trainOptions.data.empty() || trainOptions.labels.empty() ||
        trainOptions.steps == 0)
      die("--train needs --data, --labels and --steps");
    if (checkpoint.empty() && seed < 0)
      die("--train needs starting values: --restore CKPT or --init-seed S");
    if (!inputFiles.empty() || bench || !outputDir.empty() || profile ||
        guardArena || printRegLoss || printMemory)
      die("--input, --bench, --output-dir, --profile, --guard-arena, "
          "--regularization-loss and --memory do not apply to --train");
    trainOptions.batch = runBatch;
    trainOptions.saveCheckpoint = saveCheckpoint;
    trainOptions.saveFormat = saveFormat;
    saveCheckpoint.clear(); // Saved after training.
  } else if (!trainOptions.data.empty() || !trainOptions.labels.empty() ||
             trainOptions.steps || !trainOptions.dumpGradients.empty()) {
    die("--data, --labels, --steps and --dump-gradients need --train");
  }

  if (threads > 0)
    check(slim_set_num_threads(int32_t(threads)), "--threads");
  // Peak resident memory before the model exists, for --memory.
  ProcessMemory before = readProcessMemory();
  slim_model *model = nullptr;
  check(slim_model_open(modelPath.c_str(), &model), "cannot open model");

  if (!checkpoint.empty()) {
    std::vector<const char *> inc, exc;
    for (auto &s : includes)
      inc.push_back(s.c_str());
    for (auto &s : excludes)
      exc.push_back(s.c_str());
    slim_restore_options opts;
    slim_restore_options_initialize(&opts);
    opts.include_scopes = inc.data();
    opts.num_include_scopes = inc.size();
    opts.exclude_scopes = exc.data();
    opts.num_exclude_scopes = exc.size();
    opts.ignore_missing_vars = ignoreMissing;
    opts.model_prefix = modelPrefix.c_str();
    opts.checkpoint_prefix = checkpointPrefix.c_str();
    check(slim_model_load_checkpoint(model, checkpoint.c_str(), &opts),
          "cannot restore checkpoint");
  } else if (seed >= 0) {
    check(slim_model_initialize_variables(model, uint64_t(seed)),
          "cannot initialize variables");
  }
  if (train) {
    int status = slimrun::runTraining(model, trainOptions);
    slim_model_destroy(model);
    return status;
  }
  if (!saveCheckpoint.empty())
    check(slim_model_save_checkpoint_as(model, saveCheckpoint.c_str(),
                                        saveFormat),
          "cannot save checkpoint");
  if (printRegLoss) {
    double loss = 0;
    check(slim_model_regularization_loss(model, &loss),
          "cannot compute the regularization loss");
    std::printf("regularization_loss: %.9g\n", loss);
  }
  // Nothing below reads or changes variables: hold the weights once.
  if (freeze)
    check(slim_model_freeze(model), "cannot prepare the model");

  // Inputs.
  size_t numInputs = slim_model_num_inputs(model);
  std::vector<std::vector<unsigned char>> inBufs(numInputs);
  std::vector<const void *> inPtrs(numInputs);
  std::vector<size_t> inSizes(numInputs);
  int64_t batch = 1;
  // The info gives the max batch; a run of --batch B holds B along dim 0.
  const int64_t maxBatch = slim_model_max_batch(model);
  if (runBatch == 0)
    runBatch = maxBatch;
  std::deque<std::vector<int64_t>> runDims; // What the infos point to.
  auto atRunBatch = [&](slim_tensor_info &t) {
    if (!slim_model_has_dynamic_batch(model) || t.rank < 1)
      return;
    t.num_elements = t.num_elements / uint64_t(maxBatch) * uint64_t(runBatch);
    t.size_bytes = t.size_bytes / uint64_t(maxBatch) * uint64_t(runBatch);
    runDims.emplace_back(t.dims, t.dims + t.rank);
    runDims.back()[0] = runBatch;
    t.dims = runDims.back().data();
  };
  for (size_t i = 0; i < numInputs; ++i) {
    slim_tensor_info t;
    check(slim_model_input_info(model, i, &t), "input");
    atRunBatch(t);
    if (i == 0 && t.rank > 0)
      batch = t.dims[0];
    auto it = inputFiles.find(t.name);
    if (it == inputFiles.end()) {
      inBufs[i].resize(t.size_bytes);
      fillPseudoRandom(inBufs[i], t.dtype, t.num_elements);
      std::fprintf(stderr,
                   "slimrun: note: input '%s' %s %s not given; using fixed "
                   "pseudo-random values\n",
                   t.name, shapeStr(t).c_str(), slim_dtype_name(t.dtype));
    } else {
      slimrt::NpyArray a;
      try {
        a = slimrt::readNpy(it->second);
      } catch (const std::exception &e) {
        die(e.what());
      }
      std::vector<int64_t> want(t.dims, t.dims + t.rank);
      if (a.dtype != t.dtype || a.dims != want)
        die("input '" + std::string(t.name) + "' expects " + shapeStr(t) + " " +
            slim_dtype_name(t.dtype) + ", '" + it->second + "' holds " +
            slimrt::shapeString(a.dims) + " " +
            slim_dtype_name(slim_dtype(a.dtype)));
      inBufs[i] = std::move(a.data);
      inputFiles.erase(it);
    }
    inPtrs[i] = inBufs[i].data();
    inSizes[i] = inBufs[i].size();
  }
  if (!inputFiles.empty())
    die("model '" + std::string(slim_model_name(model)) +
        "' has no input named '" + inputFiles.begin()->first + "'");

  size_t numOutputs = slim_model_num_outputs(model);
  std::vector<std::vector<unsigned char>> outBufs(numOutputs);
  std::vector<void *> outPtrs(numOutputs);
  std::vector<size_t> outSizes(numOutputs);
  std::vector<slim_tensor_info> outInfo(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i) {
    check(slim_model_output_info(model, i, &outInfo[i]), "output");
    atRunBatch(outInfo[i]);
    outBufs[i].resize(outInfo[i].size_bytes);
    outPtrs[i] = outBufs[i].data();
    outSizes[i] = outBufs[i].size();
  }

  slim_context *ctx = nullptr;
  void *arena = nullptr;
  size_t arenaBytes = 0;
  if (guardArena) {
    // The arena's last byte is the last before a PROT_NONE page.
    arenaBytes = slim_model_arena_size_for_batch(model, runBatch);
    if (!arenaBytes && slim_model_get_definition(model)->arena_size)
      die("--batch " + std::to_string(runBatch) +
          " is out of the model's range");
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t body = (arenaBytes + page - 1) / page * page;
    void *map = mmap(nullptr, body + page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED ||
        mprotect(static_cast<char *>(map) + body, page, PROT_NONE))
      die("--guard-arena: cannot map the arena");
    // Arena sizes are multiples of their 64-byte alignment.
    arena = static_cast<char *>(map) + (body - arenaBytes) / 64 * 64;
  }
  check(slim_context_create_for_batch(model, runBatch, arena, arenaBytes, &ctx),
        "cannot create context (--batch)");
  if (threads > 0)
    check(slim_context_set_max_threads(ctx, int32_t(threads)), "--threads");
  int threadsUsed = slim_get_num_threads();
  if (int modelDefault = slim_model_get_definition(model)->default_num_threads;
      threads <= 0 && modelDefault > 0)
    threadsUsed = std::min(threadsUsed, modelDefault);
  auto runOnce = [&] {
    check(slim_context_run_batch(ctx, runBatch, inPtrs.data(), inSizes.data(),
                                 numInputs, outPtrs.data(), outSizes.data(),
                                 numOutputs),
          "run failed");
  };
  runOnce(); // Also computes the derived parameters, outside any timing.

  if (bench > 0) {
    long long w = warmup >= 0 ? warmup : std::max(1LL, bench / 10);
    for (long long i = 0; i < w; ++i)
      runOnce();
    if (profile)
      check(slim_context_enable_profiling(ctx, 1), "profiling");
    // Wall time per run, and the process's CPU time (all threads) per run:
    // on a shared machine the second shows the work done, whatever share of
    // the cores the scheduler gave us (spinning workers count in it too).
    std::vector<double> ms, cpuMs;
    for (long long i = 0; i < bench; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      std::clock_t c0 = std::clock();
      runOnce();
      cpuMs.push_back(1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC);
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(cpuMs.begin(), cpuMs.end());
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double mean = 0;
    for (double x : ms)
      mean += x;
    mean /= double(ms.size());
    double median = percentile(sorted, 0.5);
    if (slim_model_device(model) == SLIM_DEVICE_CPU)
      std::printf("model %s: %lld runs after %lld warm-up, %d threads\n",
                  slim_model_name(model), bench, w, threadsUsed);
    else
      std::printf("model %s: %lld runs after %lld warm-up, on %s; times "
                  "include copying inputs and outputs between host and "
                  "device\n",
                  slim_model_name(model), bench, w,
                  deviceDescription(model).c_str());
    std::printf("latency ms: min %.3f  median %.3f  p90 %.3f  mean %.3f  "
                "max %.3f\n",
                sorted.front(), median, percentile(sorted, 0.9), mean,
                sorted.back());
    std::printf("cpu ms: median %.3f (process CPU time per run, all "
                "threads)\n",
                percentile(cpuMs, 0.5));
    std::printf("throughput: %.2f runs/s, %.2f samples/s (batch %lld)\n",
                1000.0 / median, 1000.0 / median * double(runBatch),
                (long long)runBatch);
  } else if (profile) {
    check(slim_context_enable_profiling(ctx, 1), "profiling");
    runOnce();
  }

  if (profile) {
    size_t layers = slim_context_num_profiled_layers(ctx);
    if (layers == 0) {
      std::printf("profile: model '%s' declares no layers\n",
                  slim_model_name(model));
    } else {
      std::vector<slim_layer_profile> p(layers);
      double total = 0, totalFlops = 0;
      for (size_t i = 0; i < layers; ++i) {
        check(slim_context_layer_profile(ctx, i, &p[i]), "profile");
        total += p[i].total_ns;
        totalFlops += p[i].flops;
      }
      uint64_t calls = p[0].calls ? p[0].calls : 1;
      if (slim_model_device(model) != SLIM_DEVICE_CPU)
        std::printf("profile: layer times measured on the device; copies "
                    "between host and device are not layers\n");
      std::printf("%-40s %-24s %10s %7s %9s\n", "layer", "op", "ms/run",
                  "time%", "GFLOP/s");
      for (const slim_layer_profile &l : p) {
        double perRun = l.total_ns / double(calls);
        std::printf("%-40s %-24s %10.4f %6.1f%% %9.2f\n", l.name, l.op,
                    perRun / 1e6, total > 0 ? 100.0 * l.total_ns / total : 0,
                    perRun > 0 ? l.flops / perRun : 0.0);
      }
      double perRun = total / double(calls);
      std::printf("%-40s %-24s %10.4f %6.1f%% %9.2f\n", "total", "",
                  perRun / 1e6, 100.0, perRun > 0 ? totalFlops / perRun : 0);
    }
  }

  for (size_t i = 0; i < numOutputs; ++i) {
    const slim_tensor_info &t = outInfo[i];
    if (!outputDir.empty()) {
      mkdir(outputDir.c_str(), 0755);
      std::string path = outputDir + "/" + fileNameFor(t.name) + ".npy";
      try {
        slimrt::writeNpy(path, t.dtype,
                         std::vector<int64_t>(t.dims, t.dims + t.rank),
                         outBufs[i].data());
      } catch (const std::exception &e) {
        die(e.what());
      }
      std::printf("wrote %s %s %s\n", path.c_str(), shapeStr(t).c_str(),
                  slim_dtype_name(t.dtype));
    } else if (bench == 0 && !profile) {
      std::printf("%s %s %s:", t.name, shapeStr(t).c_str(),
                  slim_dtype_name(t.dtype));
      for (size_t k = 0; k < t.num_elements && k < 10; ++k)
        std::printf(" %g", valueAt(outBufs[i], t.dtype, k));
      if (t.num_elements > 10)
        std::printf(" ... (%llu values)", (unsigned long long)t.num_elements);
      std::printf("\n");
    }
  }
  if (printMemory)
    printMemoryReport(model, before, readProcessMemory());
  slim_context_destroy(ctx);
  slim_model_destroy(model);
  return 0;
}
