"""Shared fixtures of the Python package's tests (run by test/python/run.sh).

They test the package as pip installed it: slimc, the runtime library and the
headers come from inside the installed package, not from a build tree.
"""

import os
import subprocess

import numpy as np
import pytest

import slimc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "test", "runtime", "fixtures")

# The input test/runtime/fixtures/make_fixtures.py fed TensorFlow.
DENSE_X = np.array([[0.5, -1.0, 2.0, 0.25], [-0.75, 1.5, 0.0, -2.0]],
                   np.float32)


@pytest.fixture(scope="session")
def dense_lib(tmp_path_factory):
    """test/python/dense.slim compiled for batch 2 by the packaged slimc."""
    out = tmp_path_factory.mktemp("dense") / "dense.so"
    return slimc.compile(os.path.join(HERE, "dense.slim"), output=out, batch=2)


@pytest.fixture
def dense(dense_lib):
    with slimc.Model(dense_lib) as model:
        yield model


@pytest.fixture(scope="session")
def expected():
    """Variables and TensorFlow's outputs for DENSE_X (safetensors fixture)."""
    path = os.path.join(FIXTURES, "dense_expected.safetensors")
    return read_safetensors(path)


def read_safetensors(path):
    """A minimal safetensors reader (the tests need no extra package)."""
    import json
    import struct
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64,
              "I32": np.int32, "U8": np.uint8}
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        out[name] = np.frombuffer(data[base + begin:base + end],
                                  dtypes[meta["dtype"]]).reshape(meta["shape"])
    return out


@pytest.fixture(scope="session")
def barrier_lib(tmp_path_factory):
    """test/python/barrier_model.c built against the packaged headers."""
    out = tmp_path_factory.mktemp("barrier") / "barrier.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-I", slimc.include_dir(),
                    os.path.join(HERE, "barrier_model.c"), "-o", str(out)],
                   check=True)
    return str(out)
