"""examples/dask_batch: a two-worker LocalCluster scores a directory exactly
as one process does, each worker opening the library once."""

import os
import subprocess
import sys

import numpy as np
import pytest

import slimc

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples",
                       "dask_batch")
sys.path.insert(0, EXAMPLE)
import score  # noqa: E402

import distributed  # noqa: E402  (installed by test/python/run.sh)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask_batch")
    lib = slimc.compile(os.path.join(EXAMPLE, "tiny_cnn.slim"),
                        output=tmp / "tiny.so", batch=4)
    ckpt = str(tmp / "tiny.safetensors")
    with slimc.Model(lib) as model:
        model.initialize(seed=7)
        model.save(ckpt)
    images = tmp / "images"
    images.mkdir()
    rng = np.random.default_rng(1)
    for i in range(22):  # not a multiple of the batch (4) or the shard (8)
        np.save(images / ("img%03d.npy" % i),
                rng.standard_normal((16, 16, 3)).astype(np.float32))
    return tmp, lib, ckpt, str(images)


def test_two_workers_match_one_process(setup):
    tmp, lib, ckpt, images = setup
    local_dir, dask_dir = str(tmp / "local"), str(tmp / "dask")
    score.score_directory(images, local_dir, lib, checkpoint=ckpt,
                          shard_size=8)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        done = score.score_directory(images, dask_dir, lib, client=client,
                                     checkpoint=ckpt, shard_size=8)
        opens = client.run(
            lambda dask_worker: dask_worker.plugins[score.PLUGIN_NAME].opens)
    assert sorted(d["shard"] for d in done) == [0, 1, 2]
    assert [d["count"] for d in sorted(done, key=lambda d: d["shard"])] == \
        [8, 8, 6]
    # Worker processes, not this one; each opened the library exactly once.
    assert all(d["pid"] != os.getpid() for d in done)
    assert len(opens) == 2 and set(opens.values()) == {1}

    names_l, probs_l = score.load_shards(local_dir, "probs")
    names_d, probs_d = score.load_shards(dask_dir, "probs")
    assert names_l == names_d == sorted(os.listdir(images))
    assert probs_l.shape == (22, 10)
    # Same library, same weights, same batches, one runtime thread each.
    np.testing.assert_array_equal(probs_d, probs_l)
    np.testing.assert_allclose(probs_l.sum(axis=1), 1.0, rtol=1e-5)
    # The padded last batch does not change the real images' results.
    with slimc.Model(lib) as model:
        model.restore(ckpt)
        x = np.stack([np.load(os.path.join(images, n)) for n in names_l[:4]])
        np.testing.assert_array_equal(model(x), probs_l[:4])
    leftovers = [f for f in os.listdir(dask_dir) if ".tmp-" in f]
    assert not leftovers


def test_command_line_local(setup, tmp_path):
    _, lib, ckpt, images = setup
    out = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, os.path.join(EXAMPLE, "score.py"), "--local",
         "--library", lib, "--checkpoint", ckpt, "--input-dir", images,
         "--output-dir", str(out), "--shard-size", "16"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "scored 22 images in 2 shards" in proc.stdout
    names, probs = score.load_shards(str(out), "probs")
    assert len(names) == 22 and probs.shape == (22, 10)
