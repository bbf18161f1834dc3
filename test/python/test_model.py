"""slimc.Model: open, describe, restore (TF V1, TF V2, safetensors), run,
variables, errors."""

import os

import numpy as np
import pytest

import slimc
from conftest import DENSE_X, FIXTURES

V1 = os.path.join(FIXTURES, "dense_v1.ckpt")
V2 = os.path.join(FIXTURES, "dense_v2", "model.ckpt")
SAFETENSORS = os.path.join(FIXTURES, "dense_expected.safetensors")
NAMES = ["net/fc1/weights", "net/fc1/biases", "net/fc2/weights",
         "net/fc2/biases"]


def test_describes_inputs_outputs_variables(dense):
    assert dense.name
    assert dense.inputs == (slimc.TensorInfo("x", (2, 4), np.dtype("float32")),)
    assert [o.name for o in dense.outputs] == ["logits", "probs"]
    assert all(o.shape == (2, 3) for o in dense.outputs)
    vs = dense.variables
    assert [v.name for v in vs] == NAMES
    w1 = vs[0]
    assert w1.shape == (4, 8) and w1.dtype == np.float32
    assert w1.collection == "model" and w1.trainable
    assert (w1.l1, w1.l2) == (0.0, 0.01)
    assert (vs[2].l1, vs[2].l2) == (0.001, 0.002)
    assert not any(v.initialized for v in vs)


@pytest.mark.parametrize("path", [V1, V2, V2 + ".index", SAFETENSORS],
                         ids=["tf_v1", "tf_v2", "tf_v2_index", "safetensors"])
def test_restore_reproduces_tensorflow(dense, expected, path):
    dense.restore(path)
    assert all(v.initialized for v in dense.variables)
    for name in NAMES:
        np.testing.assert_array_equal(dense.get_variable(name), expected[name])
    out = dense(DENSE_X)
    assert set(out) == {"logits", "probs"}
    # TensorFlow's own outputs for this input; float32 sums in another order.
    np.testing.assert_allclose(out["logits"], expected["output/logits"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["probs"], expected["output/probs"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dense.regularization_loss(),
                               expected["output/regularization_loss"][0],
                               rtol=1e-6)


def test_restore_exclude_include_and_missing(dense, expected):
    dense.initialize(seed=3)
    before = dense.get_variable("net/fc2/weights")
    dense.restore(V2, exclude=["net/fc2"])
    np.testing.assert_array_equal(dense.get_variable("net/fc2/weights"), before)
    np.testing.assert_array_equal(dense.get_variable("net/fc1/weights"),
                                  expected["net/fc1/weights"])
    # Scopes match from the start of the name (re.match), as in TF-Slim.
    dense.initialize(seed=3)
    dense.restore(V2, include="fc1")  # matches nothing
    np.testing.assert_array_equal(dense.get_variable("net/fc2/weights"), before)
    dense.restore(V2, include=["net/fc2"])
    np.testing.assert_array_equal(dense.get_variable("net/fc2/weights"),
                                  expected["net/fc2/weights"])


def test_restore_with_prefix_mapping(dense, expected):
    scoped = os.path.join(FIXTURES, "dense_scoped_v2", "model.ckpt")
    with pytest.raises(slimc.NotFoundError) as info:
        dense.restore(scoped)
    assert "net/fc1/weights" in info.value.message
    dense.restore(scoped, model_prefix="net/", checkpoint_prefix="outer/net/")
    assert all(v.initialized for v in dense.variables)


def test_restore_errors_carry_code_and_message(dense, tmp_path):
    with pytest.raises(slimc.SlimError) as info:
        dense.restore(tmp_path / "nothing.ckpt")
    assert info.value.code in (slimc.StatusCode.NOT_FOUND,
                               slimc.StatusCode.IO_ERROR)
    assert "nothing.ckpt" in info.value.message
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(slimc.SlimError) as info:
        dense.restore(bad)
    assert info.value.code_name == info.value.code.name
    assert info.value.code in (slimc.StatusCode.DATA_LOSS,
                               slimc.StatusCode.INVALID_ARGUMENT)
    # The misc checkpoint has none of the model's names: nothing changes and
    # one message lists what is missing; ignore_missing accepts it.
    misc = os.path.join(FIXTURES, "misc_v2", "ckpt")
    with pytest.raises(slimc.NotFoundError) as info:
        dense.restore(misc)
    assert info.value.code == slimc.StatusCode.NOT_FOUND
    assert not any(v.initialized for v in dense.variables)
    dense.restore(misc, ignore_missing=True)
    assert not any(v.initialized for v in dense.variables)


def test_running_without_weights_fails(dense):
    with pytest.raises(slimc.FailedPreconditionError) as info:
        dense(DENSE_X)
    assert info.value.code == slimc.StatusCode.FAILED_PRECONDITION
    assert "net/fc1/weights" in info.value.message


def test_initialize_is_deterministic(dense):
    dense.initialize(seed=1)
    a = dense.get_variable("net/fc1/weights")
    assert np.all(dense.get_variable("net/fc1/biases") == 0)
    np.testing.assert_array_equal(dense.get_variable("net/fc2/biases"),
                                  np.float32(0.1))
    # xavier_initializer: uniform within sqrt(6 / (fan_in + fan_out)).
    assert np.abs(a).max() <= np.sqrt(6.0 / 12) and a.std() > 0
    dense.initialize(seed=2)
    assert not np.array_equal(a, dense.get_variable("net/fc1/weights"))
    dense.initialize(seed=1)
    np.testing.assert_array_equal(a, dense.get_variable("net/fc1/weights"))


def test_set_variable_save_and_restore_round_trip(dense, dense_lib, tmp_path):
    dense.initialize(seed=5)
    w = np.arange(32, dtype=np.float64).reshape(4, 8) / 10  # converted
    dense.set_variable("net/fc1/weights", w)
    np.testing.assert_array_equal(dense.get_variable("net/fc1/weights"),
                                  w.astype(np.float32))
    loss = dense.regularization_loss()
    y = dense(DENSE_X)["logits"]
    path = tmp_path / "saved.safetensors"
    dense.save(path)
    with slimc.Model(dense_lib) as other:
        other.restore(path)
        np.testing.assert_array_equal(other(DENSE_X)["logits"], y)
        assert other.regularization_loss() == loss
    with pytest.raises(slimc.InvalidArgumentError):
        dense.set_variable("net/fc1/weights", np.zeros((8, 4)))
    with pytest.raises(slimc.NotFoundError):
        dense.set_variable("net/fc9/weights", np.zeros(3))
    with pytest.raises(slimc.NotFoundError):
        dense.get_variable("nope")


def test_inputs_by_position_name_and_dtype(dense, expected):
    dense.restore(SAFETENSORS)
    ref = dense(DENSE_X)["logits"]
    np.testing.assert_array_equal(dense([DENSE_X])["logits"], ref)
    np.testing.assert_array_equal(dense({"x": DENSE_X})["logits"], ref)
    # float64 and non-contiguous inputs are converted (a copy) first.
    np.testing.assert_array_equal(
        dense(DENSE_X.astype(np.float64))["logits"], ref)
    fortran = np.asfortranarray(DENSE_X)
    assert not fortran.flags.c_contiguous
    np.testing.assert_array_equal(dense(fortran)["logits"], ref)
    np.testing.assert_array_equal(dense(DENSE_X.tolist())["logits"], ref)


def test_contiguous_float32_inputs_are_not_copied(dense):
    x = np.ascontiguousarray(DENSE_X)
    (arr,) = dense._as_inputs(x)
    assert arr is x  # the runtime reads x's own buffer
    (arr,) = dense._as_inputs(x.astype(np.float64))
    assert arr.dtype == np.float32 and arr.flags.c_contiguous


def test_bad_inputs_raise_invalid_argument(dense):
    dense.initialize(seed=1)
    with pytest.raises(slimc.InvalidArgumentError) as info:
        dense(np.zeros((3, 4), np.float32))
    assert "outside 1..2" in str(info.value)  # a run-time batch of 1..2
    assert info.value.code == slimc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError
        dense(np.zeros((2, 5), np.float32))
    with pytest.raises(slimc.InvalidArgumentError):
        dense({"y": DENSE_X})
    with pytest.raises(slimc.InvalidArgumentError):
        dense([DENSE_X, DENSE_X])


def test_open_errors(tmp_path):
    with pytest.raises(slimc.SlimError) as info:
        slimc.Model(tmp_path / "missing.so")
    assert info.value.code == slimc.StatusCode.NOT_FOUND
    not_a_lib = tmp_path / "junk.so"
    not_a_lib.write_bytes(b"not an ELF file")
    with pytest.raises(slimc.SlimError) as info:
        slimc.Model(not_a_lib)
    assert "junk.so" in info.value.message


def test_freeze_and_close(dense, expected):
    dense.restore(V1)
    y = dense(DENSE_X)["logits"]
    dense.freeze()
    assert dense.frozen
    np.testing.assert_array_equal(dense(DENSE_X)["logits"], y)
    with pytest.raises(slimc.FailedPreconditionError):
        dense.initialize(seed=1)
    dense.close()
    assert dense.closed
    dense.close()  # idempotent
    with pytest.raises(slimc.InvalidArgumentError):
        dense(DENSE_X)


def test_num_threads(dense):
    dense.restore(V1)
    y = dense(DENSE_X)["logits"]
    dense.num_threads = 1
    assert dense.num_threads == 1
    np.testing.assert_array_equal(dense(DENSE_X)["logits"], y)
    with pytest.raises(slimc.InvalidArgumentError):
        dense.num_threads = -1
    n = slimc.get_num_threads()
    assert n >= 1
    slimc.set_num_threads(1)
    try:
        assert slimc.get_num_threads() == 1
        np.testing.assert_array_equal(dense(DENSE_X)["logits"], y)
    finally:
        slimc.set_num_threads(0)
