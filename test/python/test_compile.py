"""slimc.compile: the packaged driver, its headers, and compile errors."""

import os

import numpy as np
import pytest

import slimc

HERE = os.path.dirname(os.path.abspath(__file__))


def test_package_carries_driver_runtime_and_headers():
    pkg = os.path.dirname(slimc.__file__)
    assert slimc.slimc_path() == os.path.join(pkg, "bin", "slimc")
    assert os.access(slimc.slimc_path(), os.X_OK)
    assert slimc.runtime_library_path().startswith(os.path.join(pkg, "lib"))
    assert os.path.isfile(
        os.path.join(slimc.include_dir(), "slim", "model_abi.h"))
    assert slimc.runtime_version() >= (0, 4, 0)


def test_compile_returns_the_library_path(tmp_path):
    out = tmp_path / "dense.so"
    lib = slimc.compile(os.path.join(HERE, "dense.slim"), output=out, batch=3)
    assert lib == str(out) and os.path.isfile(lib)
    with slimc.Model(lib) as model:
        assert model.inputs[0].shape == (3, 4)


def test_default_output_is_next_to_the_source(tmp_path):
    src = tmp_path / "m.slim"
    with open(os.path.join(HERE, "dense.slim")) as f:
        src.write_text(f.read())
    assert slimc.compile(src) == str(tmp_path / "m.so")
    assert (tmp_path / "m.so").is_file()


def test_compile_error_carries_file_line_col(tmp_path):
    src = tmp_path / "bad.slim"
    src.write_text("import tensorflow as tf\n"
                   "import tf_slim as slim\n"
                   "x = tf.placeholder(tf.float32, [1, 8, 8, 3], name='x')\n"
                   "y = slim.conv2d(x, 4, [3, 3], no_such_keyword=1)\n"
                   "tf.identity(y, name='y')\n")
    out = tmp_path / "bad.so"
    with pytest.raises(slimc.CompileError) as info:
        slimc.compile(src, output=out)
    err = info.value
    assert err.returncode != 0
    first = err.first_error
    assert first is not None
    assert first.file.endswith("bad.slim") and first.line == 4
    assert first.column > 0
    assert "%s:4:" % src in str(err)
    assert "no_such_keyword" in str(err)
    assert not out.exists()  # nothing written on error


def test_compile_error_for_a_missing_file(tmp_path):
    with pytest.raises(slimc.CompileError) as info:
        slimc.compile(tmp_path / "missing.slim")
    assert "missing.slim" in str(info.value)


def test_max_batch_runs_every_batch_up_to_it(tmp_path):
    src = os.path.join(HERE, "dense.slim")
    lib = slimc.compile(src, output=tmp_path / "m.so", max_batch=4)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 4)).astype(np.float32)
    with slimc.Model(lib) as model:
        assert model.dynamic_batch and model.max_batch == 4
        assert model.inputs[0].shape == (4, 4)  # reported at the max batch
        model.initialize(seed=1)
        full = model.run(x)
        assert full["logits"].shape == (4, 3)
        for b in range(1, 4):
            part = model.run(x[:b])
            assert part["logits"].shape == (b, 3)
            # Each sample's outputs do not depend on the batch it ran in.
            np.testing.assert_allclose(part["logits"], full["logits"][:b],
                                       rtol=1e-6, atol=1e-6)
        with pytest.raises(slimc.InvalidArgumentError, match=r"1\.\.4"):
            model.run(np.zeros((5, 4), np.float32))
        with pytest.raises(slimc.InvalidArgumentError, match="inner|N, 4"):
            model.run(np.zeros((2, 5), np.float32))


def test_static_batch_runs_only_its_batch(tmp_path):
    src = os.path.join(HERE, "dense.slim")
    lib = slimc.compile(src, output=tmp_path / "s.so", batch=2,
                        extra_args=["--static-batch"])
    with slimc.Model(lib) as model:
        assert not model.dynamic_batch and model.max_batch == 2
        model.initialize(seed=1)
        assert model.run(np.zeros((2, 4), np.float32))["logits"].shape == (2, 3)
        with pytest.raises(slimc.InvalidArgumentError, match="batch 2 only"):
            model.run(np.zeros((1, 4), np.float32))


def test_default_batch_is_one(tmp_path):
    lib = slimc.compile(os.path.join(HERE, "dense.slim"),
                        output=tmp_path / "d.so")
    with slimc.Model(lib) as model:
        assert model.inputs[0].shape == (1, 4)  # slimc's default batch
        assert model.max_batch == 1
