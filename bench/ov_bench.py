"""Times an ONNX model in OpenVINO on the CPU: the same file bench/ort_bench.py times (written by
bench/tf_bench.py --onnx with tf2onnx, or for VGG-16 by bench/onnx_export.py).

Usage: python bench/ov_bench.py MODEL.onnx --threads T --runs R [--warmup W] [--ref REF.npz]
Prints: ov MODEL threads=T runs=R min_ms=.. median_ms=.. p90_ms=.. cpu_ms=.. [rel_diff=..]
        precision=.. streams=.. pinning=..
(cpu_ms: median process CPU time per run, all threads)

The model is compiled for the CPU plugin with
  INFERENCE_PRECISION_HINT = f32  (the plugin's default is bf16 on CPUs with AVX-512 BF16, such as
                                   Zen 4/5; slimc, ORT and TF all compute in f32)
  INFERENCE_NUM_THREADS    = T    (the thread count the other peers get)
  PERFORMANCE_HINT = LATENCY, NUM_STREAMS = 1   (one request at a time, all T threads on it: the
                                                 batch-1 latency the other peers measure)
and timed with synchronous infer() calls on one infer request. The properties the compiled model
reports back are printed. With --ref (TensorFlow's input and logits, bench/tf_ref.py) it first
checks OpenVINO's output against TensorFlow's and exits 1 without timing when they disagree.
"""
import argparse
import os

import openvino as ov
import tf_ref


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('model')
  ap.add_argument('--threads', type=int, default=1)
  ap.add_argument('--runs', type=int, default=10)
  ap.add_argument('--warmup', type=int, default=2)
  ap.add_argument('--ref', default=None, help="TensorFlow's input and logits (.npz)")
  args = ap.parse_args()

  core = ov.Core()
  compiled = core.compile_model(core.read_model(args.model), 'CPU', {
      'INFERENCE_PRECISION_HINT': 'f32',
      'INFERENCE_NUM_THREADS': str(args.threads),
      'PERFORMANCE_HINT': 'LATENCY',
      'NUM_STREAMS': '1',
  })
  name = os.path.basename(args.model)
  prop = compiled.get_property
  precision = prop('INFERENCE_PRECISION_HINT').to_string()
  if precision != 'f32' or int(prop('INFERENCE_NUM_THREADS')) != args.threads:
    raise SystemExit('ov %s: compiled for %s with %s threads, asked for f32 with %d' %
                     (name, precision, prop('INFERENCE_NUM_THREADS'), args.threads))
  request = compiled.create_infer_request()
  checked = ''
  if args.ref:
    x, ref = tf_ref.load(args.ref)
    request.infer({0: x})
    checked = tf_ref.check('ov', name, request.get_output_tensor(0).data, ref)
  else:
    x = tf_ref.batch(tuple(compiled.input(0).get_shape()))
  for _ in range(args.warmup):
    request.infer({0: x})
  wall, cpu = tf_ref.timed(lambda: request.infer({0: x}), args.runs)
  print('ov %s threads=%d runs=%d %s%s precision=%s streams=%s pinning=%s' %
        (name, args.threads, args.runs, tf_ref.summary(wall, cpu), checked, precision,
         prop('NUM_STREAMS'), prop('ENABLE_CPU_PINNING')))


if __name__ == '__main__':
  main()
