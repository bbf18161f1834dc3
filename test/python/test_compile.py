"""slimc.compile: the packaged driver, its headers, and compile errors."""

import os

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


def test_options_are_passed_only_when_given(tmp_path):
    # --max-batch is passed only when asked for; today's slimc may not know it,
    # and then says so as a CompileError rather than being silently dropped.
    src = os.path.join(HERE, "dense.slim")
    try:
        slimc.compile(src, output=tmp_path / "m.so", max_batch=4)
    except slimc.CompileError as err:
        assert "max-batch" in str(err)
        assert "--max-batch" in err.command
    lib = slimc.compile(src, output=tmp_path / "d.so")
    with slimc.Model(lib) as model:
        assert model.inputs[0].shape == (1, 4)  # slimc's default batch
