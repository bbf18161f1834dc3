#!/usr/bin/env python3
"""Scores a directory of images with a slimc-compiled model on a Dask cluster.

Each ``.npy`` file in the input directory holds one image (H, W, C), as the
model's input takes it without the batch dimension. The files, in sorted
order, are cut into shards of ``--shard-size``; each shard is one task, which
runs the model over its images batch by batch and writes

    OUTPUT_DIR/shard-00000.<output>.npy    every output of the model, stacked
    OUTPUT_DIR/shard-00000.files.txt       the image files, in the same order

(each written to a temporary name first and renamed, so a shard file is
complete or absent). Every worker opens the library once, in a worker plugin,
and keeps it for all the shards it scores.

    # a local cluster of 2 worker processes
    python score.py --library tiny.so --checkpoint tiny.safetensors \\
        --input-dir images/ --output-dir scores/ --workers 2
    # the same against a running scheduler (every worker needs the slimc
    # package, and the library, checkpoint and directories at the same paths)
    python score.py --scheduler tcp://10.0.0.1:8786 --library ... 
    # one process, no Dask (the reference the test compares against)
    python score.py --local --library ...
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

import slimc

PLUGIN_NAME = "slimc-model"


def open_model(library: str, checkpoint: Optional[str], seed: Optional[int],
               num_threads: int) -> slimc.Model:
    """Opens the library and gives it weights (a checkpoint, else a seed)."""
    model = slimc.Model(library, num_threads=num_threads)
    if checkpoint:
        model.restore(checkpoint)
    elif seed is not None:
        model.initialize(seed=seed)
    else:
        raise ValueError("give a checkpoint or a seed for the weights")
    model.freeze()  # inference only: weights held once
    return model


def list_images(input_dir: str) -> List[str]:
    return sorted(os.path.join(input_dir, f) for f in os.listdir(input_dir)
                  if f.endswith(".npy"))


def plan_shards(files: Sequence[str],
                shard_size: int) -> List[Tuple[int, List[str]]]:
    return [(i // shard_size, list(files[i:i + shard_size]))
            for i in range(0, len(files), shard_size)]


def run_batches(model: slimc.Model,
                images: np.ndarray) -> Dict[str, np.ndarray]:
    """Runs ``images`` (N, ...) through the model; every output, N first.

    The library runs the batch it was compiled for (slimc --batch), so the
    last batch is padded with zeros and the padding dropped from the results.
    (With dynamic batch, the last batch would run at its own size.)
    """
    spec = model.inputs[0]
    batch = spec.shape[0]
    if images.shape[1:] != spec.shape[1:]:
        raise ValueError("images have shape %s, the model's input '%s' takes "
                         "%s per image" % (images.shape[1:], spec.name,
                                           spec.shape[1:]))
    parts: Dict[str, List[np.ndarray]] = {o.name: [] for o in model.outputs}
    for begin in range(0, len(images), batch):
        chunk = images[begin:begin + batch]
        n = len(chunk)
        if n < batch:
            pad = np.zeros((batch - n,) + chunk.shape[1:], chunk.dtype)
            chunk = np.concatenate([chunk, pad])
        result = model.run(np.ascontiguousarray(chunk, np.float32))
        for name, value in result.items():
            parts[name].append(value[:n])
    return {name: np.concatenate(v) for name, v in parts.items()}


def _write_atomic(path: str, write) -> None:
    tmp = path + ".tmp-%d" % os.getpid()
    with open(tmp, "wb") as f:
        write(f)
    os.replace(tmp, path)


def score_shard(model: slimc.Model, shard: int, files: Sequence[str],
                output_dir: str) -> Dict[str, Any]:
    """Scores one shard's images and writes its files; returns a summary."""
    images = np.stack([np.load(f) for f in files])
    outputs = run_batches(model, images)
    stem = os.path.join(output_dir, "shard-%05d" % shard)
    for name, value in outputs.items():
        safe = name.replace("/", "_")
        _write_atomic("%s.%s.npy" % (stem, safe),
                      lambda f, v=value: np.save(f, v))
    names = "".join(os.path.basename(f) + "\n" for f in files)
    _write_atomic(stem + ".files.txt", lambda f: f.write(names.encode()))
    return {"shard": shard, "count": len(files), "pid": os.getpid()}


try:
    from distributed import WorkerPlugin
except ImportError:  # --local needs no Dask
    WorkerPlugin = object  # type: ignore


class ModelPlugin(WorkerPlugin):  # type: ignore[misc, valid-type]
    """Opens the model once per worker; the worker's tasks share it.

    slimc.Model runs from several threads at once (one execution context per
    concurrent run), so a worker with several threads needs one copy only.
    """

    name = PLUGIN_NAME

    def __init__(self, library: str, checkpoint: Optional[str],
                 seed: Optional[int], num_threads: int) -> None:
        self.library = library
        self.checkpoint = checkpoint
        self.seed = seed
        self.num_threads = num_threads
        self.model: Optional[slimc.Model] = None
        self.opens = 0

    def setup(self, worker) -> None:
        self.model = open_model(self.library, self.checkpoint, self.seed,
                                self.num_threads)
        self.opens += 1

    def teardown(self, worker) -> None:
        if self.model is not None:
            self.model.close()
            self.model = None


def _score_shard_on_worker(shard: int, files: List[str],
                           output_dir: str) -> Dict[str, Any]:
    from distributed import get_worker
    plugin: Any = get_worker().plugins[PLUGIN_NAME]
    return score_shard(plugin.model, shard, files, output_dir)


def score_directory(input_dir: str, output_dir: str, library: str, *,
                    client=None, checkpoint: Optional[str] = None,
                    seed: Optional[int] = None, shard_size: int = 64,
                    num_threads: int = 1) -> List[Dict[str, Any]]:
    """Scores every image of ``input_dir`` into shards in ``output_dir``.

    With a ``distributed.Client`` the shards are tasks on its cluster; without
    one they run here, one after another, on one model.
    """
    if shard_size <= 0:
        raise ValueError("shard_size must be positive")
    files = list_images(input_dir)
    if not files:
        raise ValueError("no .npy images in %s" % input_dir)
    os.makedirs(output_dir, exist_ok=True)
    shards = plan_shards(files, shard_size)
    if client is None:
        with open_model(library, checkpoint, seed, num_threads) as model:
            return [score_shard(model, i, f, output_dir) for i, f in shards]
    # Ship this module's functions and plugin by value: the workers need the
    # slimc package, not this file.
    if __name__ != "__main__":  # __main__ is pickled by value anyway
        import cloudpickle  # type: ignore[import-untyped]
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    client.register_plugin(ModelPlugin(library, checkpoint, seed, num_threads))
    futures = [client.submit(_score_shard_on_worker, i, f, output_dir,
                             pure=False) for i, f in shards]
    return client.gather(futures)


def load_shards(output_dir: str, output: str) -> Tuple[List[str], np.ndarray]:
    """The image names and one output of every shard, in order."""
    names: List[str] = []
    parts = []
    shard = 0
    while os.path.exists(os.path.join(output_dir,
                                      "shard-%05d.files.txt" % shard)):
        stem = os.path.join(output_dir, "shard-%05d" % shard)
        with open(stem + ".files.txt") as f:
            names += f.read().split()
        parts.append(np.load("%s.%s.npy" % (stem, output.replace("/", "_"))))
        shard += 1
    return names, np.concatenate(parts) if parts else np.zeros((0,))


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--library", required=True, help="a slimc-compiled .so")
    p.add_argument("--checkpoint", help="weights: TF V1/V2 or safetensors")
    p.add_argument("--seed", type=int, help="weights from the initializers")
    p.add_argument("--input-dir", required=True)
    p.add_argument("--output-dir", required=True)
    p.add_argument("--shard-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=1,
                   help="runtime threads per run (default 1: Dask's workers "
                        "are the parallelism)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="a running scheduler's address")
    where.add_argument("--workers", type=int, default=2,
                       help="worker processes of a local cluster (default 2)")
    where.add_argument("--local", action="store_true",
                       help="one process, no Dask")
    args = p.parse_args(argv)
    kwargs = dict(checkpoint=args.checkpoint, seed=args.seed,
                  shard_size=args.shard_size, num_threads=args.threads)
    if args.local:
        done = score_directory(args.input_dir, args.output_dir, args.library,
                               **kwargs)
    else:
        from distributed import Client, LocalCluster
        if args.scheduler:
            with Client(args.scheduler) as client:
                done = score_directory(args.input_dir, args.output_dir,
                                       args.library, client=client, **kwargs)
        else:
            with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                              processes=True) as cluster, \
                    Client(cluster) as client:
                done = score_directory(args.input_dir, args.output_dir,
                                       args.library, client=client, **kwargs)
    print("scored %d images in %d shards into %s" %
          (sum(int(d["count"]) for d in done), len(done), args.output_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
