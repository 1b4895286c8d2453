"""px.save / px.load: round trips, abstract `like`, mismatches, damaged files, atomicity."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jaxtyping import Array, Float, Int, UInt32

import purepax as px
import purepax._checkpoint as checkpoint
from purepax.optim import Optimizer


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key, dtype=jnp.float32):
        self.weight = jax.random.normal(key, (i, o)).astype(dtype)
        self.bias = jnp.zeros(o, dtype)

    def __call__(self, x):
        return x @ self.weight + self.bias


class Attention(px.Module):
    q_proj: Linear
    k_proj: Linear

    def __init__(self, dim: int, *, key):
        kq, kk = jax.random.split(key)
        self.q_proj = Linear(dim, dim, key=kq)
        self.k_proj = Linear(dim, dim, key=kk, dtype=jnp.bfloat16)


class Block(px.Module):
    attn: Attention
    steps: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0, jnp.int32))
    rng: jax.Array = px.state(default_factory=lambda: jax.random.key(1))
    raw_rng: UInt32[Array, "2"] = px.state(
        default_factory=lambda: jax.random.PRNGKey(2)
    )


class Model(px.Module):
    blocks: tuple[Block, ...]
    head: Linear
    dim: int = px.static(default=4)

    def __init__(self, dim: int = 4, depth: int = 2, *, key):
        keys = jax.random.split(key, depth + 1)
        self.dim = dim
        self.blocks = tuple(Block(Attention(dim, key=k)) for k in keys[:depth])
        self.head = Linear(dim, 1, key=keys[-1])

    def __call__(self, x):
        for block in self.blocks:
            x = jnp.tanh(block.attn.q_proj(x)) + block.attn.k_proj(
                x.astype(jnp.bfloat16)
            )
        return self.head(x)


def varied(model, key):
    """The model with every leaf changed, so a load that returned `like` would be caught."""

    def change(path, leaf):
        if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            return jax.random.fold_in(leaf, 7)
        if jnp.issubdtype(leaf.dtype, jnp.integer):
            return leaf + 5
        return leaf + jax.random.normal(
            jax.random.fold_in(key, len(path)), leaf.shape
        ).astype(leaf.dtype)

    return jax.tree_util.tree_map_with_path(change, model)


def assert_same(a, b):
    # static values (an optimizer's optax functions, say) come from `like`: compare paths and leaves
    pa, la = zip(*jax.tree_util.tree_flatten_with_path(a)[0])
    pb, lb = zip(*jax.tree_util.tree_flatten_with_path(b)[0])
    assert pa == pb
    for x, y in zip(la, lb):
        if jax.dtypes.issubdtype(getattr(x, "dtype", None), jax.dtypes.prng_key):
            assert jax.random.key_impl(x) == jax.random.key_impl(y)
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        assert type(x) is type(y) or isinstance(y, jax.Array)
        assert np.asarray(x).dtype == np.asarray(y).dtype
        assert np.array_equal(np.asarray(x), np.asarray(y))


@pytest.fixture
def model(getkey):
    return varied(Model(key=getkey()), getkey())


def test_round_trip_exact(tmp_path, model, getkey):
    path = tmp_path / "model.ckpt"
    px.save(path, model)
    like = Model(key=getkey())
    loaded = px.load(path, like=like)
    assert type(loaded) is Model and loaded.dim == 4
    assert_same(loaded, model)
    assert loaded.blocks[0].attn.k_proj.weight.dtype == jnp.bfloat16
    assert jax.dtypes.issubdtype(loaded.blocks[1].rng.dtype, jax.dtypes.prng_key)
    assert loaded.blocks[1].raw_rng.dtype == jnp.uint32
    # the loaded key draws what the saved one draws
    assert np.array_equal(
        jax.random.normal(loaded.blocks[1].rng, (3,)),
        jax.random.normal(model.blocks[1].rng, (3,)),
    )


def test_abstract_like_gives_real_arrays(tmp_path, model):
    path = tmp_path / "model.ckpt"
    px.save(path, model)
    abstract = jax.eval_shape(lambda: Model(key=jax.random.key(0)))
    assert isinstance(abstract.head.weight, jax.ShapeDtypeStruct)
    loaded = px.load(path, like=abstract)
    assert all(isinstance(x, jax.Array) for x in jax.tree.leaves(loaded))
    assert_same(loaded, model)
    assert float(loaded(jnp.ones((2, 4)))[0, 0]) == float(model(jnp.ones((2, 4)))[0, 0])


def test_model_and_optimizer_together_then_training_continues_identically(
    tmp_path, model, getkey
):
    opt = Optimizer(optax.adam(1e-2), model)
    loss = lambda m, x: jnp.mean(m(x).astype(jnp.float32) ** 2)
    step = px.jit(lambda m, o, x: o.apply_gradients(m, px.grad(loss)(m, x)))
    x = jax.random.normal(getkey(), (3, 4))
    model, opt = step(model, opt, x)
    path = tmp_path / "train.ckpt"
    px.save(path, (model, opt, 1))
    fresh = Model(key=getkey())
    like = (fresh, Optimizer(optax.adam(1e-2), fresh), 0)
    loaded_model, loaded_opt, epoch = px.load(path, like=like)
    assert epoch == 1 and type(epoch) is int
    assert_same((loaded_model, loaded_opt), (model, opt))
    assert_same(step(loaded_model, loaded_opt, x), step(model, opt, x))


def test_python_scalars_and_plain_pytrees(tmp_path):
    tree = {
        "step": 3,
        "lr": 0.5,
        "done": True,
        "w": np.arange(6, dtype=np.int16).reshape(2, 3),
    }
    px.save(tmp_path / "t.ckpt", tree)
    loaded = px.load(
        tmp_path / "t.ckpt",
        like={"step": 0, "lr": 0.0, "done": False, "w": np.zeros((2, 3), np.int16)},
    )
    assert loaded["step"] == 3 and type(loaded["step"]) is int
    assert loaded["lr"] == 0.5 and loaded["done"] is True
    assert np.array_equal(loaded["w"], tree["w"]) and loaded["w"].dtype == np.int16


def test_shape_mismatch_names_the_field(tmp_path, model, getkey):
    px.save(tmp_path / "m.ckpt", model)
    with pytest.raises(
        px.CheckpointError,
        match=r"blocks\[0\]\.attn\.q_proj\.weight: shape \(4, 4\) in the file, \(8, 8\)",
    ):
        px.load(tmp_path / "m.ckpt", like=Model(dim=8, key=getkey()))


def test_dtype_mismatch_names_the_field(tmp_path, model):
    px.save(tmp_path / "m.ckpt", model)
    like = jax.tree_util.tree_map_with_path(
        lambda p, x: (
            x.astype(jnp.float32) if "k_proj.weight" in jax.tree_util.keystr(p) else x
        ),
        model,
    )
    with pytest.raises(
        px.CheckpointError,
        match=r"blocks\[0\]\.attn\.k_proj\.weight: dtype bfloat16 in the file, float32",
    ):
        px.load(tmp_path / "m.ckpt", like=like)


def test_key_mismatch(tmp_path, model):
    px.save(tmp_path / "m.ckpt", model)
    like = px.replace(
        model,
        blocks=(
            model.blocks[0],
            px.replace(model.blocks[1], rng=jax.random.key(0, impl="rbg")),
        ),
    )
    with pytest.raises(
        px.CheckpointError,
        match=r"blocks\[1\]\.rng: PRNG key threefry2x32 in the file, rbg",
    ):
        px.load(tmp_path / "m.ckpt", like=like)


def test_structure_mismatch(tmp_path, model, getkey):
    px.save(tmp_path / "m.ckpt", model)
    with pytest.raises(
        px.CheckpointError, match=r"has no blocks\[2\]\.attn\.q_proj\.weight"
    ):
        px.load(tmp_path / "m.ckpt", like=Model(depth=3, key=getkey()))
    with pytest.raises(
        px.CheckpointError,
        match=r"has blocks\[1\]\.attn\.q_proj\.weight, which `like` does not",
    ):
        px.load(tmp_path / "m.ckpt", like=Model(depth=1, key=getkey()))
    with pytest.raises(px.CheckpointError, match="does not match"):
        px.load(tmp_path / "m.ckpt", like=(model, 1))


def _saved_bytes(tmp_path, model):
    px.save(tmp_path / "good.ckpt", model)
    return (tmp_path / "good.ckpt").read_bytes()


@pytest.mark.parametrize("fraction", [0.0, 0.003, 0.05, 0.5, 0.9, 0.999])
def test_truncated_file(tmp_path, model, fraction):
    data = _saved_bytes(tmp_path, model)
    (tmp_path / "cut.ckpt").write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(
        px.CheckpointError, match="cut short|not a purepax checkpoint|damaged"
    ):
        px.load(tmp_path / "cut.ckpt", like=model)


def test_altered_data_fails_the_checksum(tmp_path, model):
    data = bytearray(_saved_bytes(tmp_path, model))
    data[-3] ^= 0x40  # inside the last array (the file ends with it)
    (tmp_path / "bad.ckpt").write_bytes(bytes(data))
    with pytest.raises(px.CheckpointError, match="checksum"):
        px.load(tmp_path / "bad.ckpt", like=model)


def test_altered_header(tmp_path, model):
    data = _saved_bytes(tmp_path, model)
    length = int.from_bytes(data[8:16], "little")
    header = json.loads(data[16 : 16 + length])
    for change in (
        lambda h: h["arrays"][0].update(dtype="object"),
        lambda h: h["arrays"][0].update(offset=10**12),
        lambda h: h["arrays"][0].update(nbytes=1),
        lambda h: h["arrays"][1].update(shape=[-4]),
        lambda h: h.update(version=99),
        lambda h: h.pop("arrays"),
    ):
        altered = json.loads(json.dumps(header))
        change(altered)
        body = json.dumps(altered).encode().ljust(length)[:length]
        (tmp_path / "bad.ckpt").write_bytes(data[:16] + body + data[16 + length :])
        with pytest.raises(px.CheckpointError):
            px.load(tmp_path / "bad.ckpt", like=model)
    (tmp_path / "bad.ckpt").write_bytes(data[:16] + b"{" * length + data[16 + length :])
    with pytest.raises(px.CheckpointError, match="damaged header"):
        px.load(tmp_path / "bad.ckpt", like=model)


class _Bomb:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_foreign_files_and_pickle_bomb(tmp_path, model):
    marker = tmp_path / "exploded"
    files = {
        "empty": b"",
        "random": np.random.default_rng(0).bytes(1000),
        "pickle_bomb": pickle.dumps(_Bomb(str(marker))),
        "json": b'{"format": "purepax-checkpoint"}',
    }
    np.savez(tmp_path / "arrays.npz", w=np.ones(3))
    files["npz"] = (tmp_path / "arrays.npz").read_bytes()
    np.save(
        tmp_path / "obj.npy",
        np.array([_Bomb(str(marker))], dtype=object),
        allow_pickle=True,
    )
    files["object_npy"] = (tmp_path / "obj.npy").read_bytes()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(px.CheckpointError, match="not a purepax checkpoint"):
            px.load(tmp_path / name, like=model)
    assert not marker.exists()
    with pytest.raises(px.CheckpointError, match="cannot open"):
        px.load(tmp_path / "missing.ckpt", like=model)


def test_save_refuses_object_arrays_and_non_arrays(tmp_path):
    with pytest.raises(px.CheckpointError, match=r"\['a'\] has dtype object"):
        px.save(tmp_path / "x.ckpt", {"a": np.array([object()], dtype=object)})
    with pytest.raises(px.CheckpointError, match=r"\['b'\] is a str"):
        px.save(tmp_path / "x.ckpt", {"b": "text"})
    assert os.listdir(tmp_path) == []


class _ArrayLike:
    """Has a shape and a dtype, as an array does, but no values."""

    shape = (3,)
    dtype = np.dtype(np.float32)


def _abstract_model(model):
    return jax.eval_shape(lambda: model)


def _one_leaf_abstract(model):
    def abstract(path, leaf):
        if jax.tree_util.keystr(path) == ".blocks[1].attn.k_proj.weight":
            return jax.ShapeDtypeStruct(leaf.shape, leaf.dtype)
        return leaf

    return jax.tree_util.tree_map_with_path(abstract, model)


def _saved_inside_jit(path, model):
    def step(model):
        px.save(path, model)
        return model

    jax.jit(step)(model)


def _deleted(model):
    head = jnp.array(model.head.bias)
    head.delete()
    return (model, {"bias": head})


@pytest.mark.parametrize(
    "save, where, fix",
    [
        (
            lambda path, m: px.save(path, _abstract_model(m)),
            r"blocks\[0\]\.attn\.q_proj\.weight is a jax\.ShapeDtypeStruct",
            "not the result of jax.eval_shape",
        ),
        (
            lambda path, m: px.save(path, _one_leaf_abstract(m)),
            r"blocks\[1\]\.attn\.k_proj\.weight is a jax\.ShapeDtypeStruct",
            "Save the concrete model",
        ),
        (
            lambda path, m: px.save(path, {"a": _ArrayLike()}),
            r"\['a'\] is a _ArrayLike, which is not a concrete array",
            "convert it",
        ),
        (
            lambda path, m: px.save(path, _deleted(m)),
            r"\[1\]\['bias'\] is a deleted array",
            "Save the model that function returned",
        ),
        (
            _saved_inside_jit,
            r"blocks\[0\]\.attn\.q_proj\.weight is a traced value",
            "Call px.save outside the transformation",
        ),
        (
            lambda path, m: px.save(path, (m, np.array([object()], dtype=object))),
            r"\[1\] has dtype object",
            "Convert it",
        ),
    ],
    ids=[
        "eval_shape",
        "one_abstract_leaf",
        "array_like",
        "deleted_array",
        "inside_jit",
        "object_array",
    ],
)
def test_save_refuses_a_leaf_without_values_naming_it_and_keeps_the_previous_checkpoint(
    tmp_path, model, getkey, save, where, fix
):
    path = tmp_path / "m.ckpt"
    px.save(path, model)
    before = path.read_bytes()
    with pytest.raises(px.CheckpointError, match=where) as info:
        save(path, varied(model, getkey()))
    assert fix in str(info.value)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.ckpt"]


def test_static_fields_may_hold_any_python_object(tmp_path):
    class Activated(px.Module):
        w: Float[Array, "n"]
        activation: object = px.static(default=jax.nn.relu)

    px.save(tmp_path / "a.ckpt", Activated(jnp.ones(3)))
    loaded = px.load(tmp_path / "a.ckpt", like=Activated(jnp.zeros(3)))
    assert loaded.activation is jax.nn.relu and np.array_equal(loaded.w, jnp.ones(3))


def test_failed_save_keeps_the_previous_checkpoint(
    tmp_path, model, getkey, monkeypatch
):
    path = tmp_path / "m.ckpt"
    px.save(path, model)
    before = path.read_bytes()
    calls = []
    real = checkpoint._host_array

    def failing(leaf):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(leaf)

    monkeypatch.setattr(checkpoint, "_host_array", failing)
    with pytest.raises(OSError, match="disk full"):
        px.save(path, varied(model, getkey()))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.ckpt"]
    assert_same(px.load(path, like=model), model)


def test_killed_save_keeps_the_previous_checkpoint(tmp_path):
    path = tmp_path / "big.ckpt"
    first = {"w": np.full((64, 64), 1.0, np.float32), "v": np.arange(10)}
    px.save(path, first)
    script = textwrap.dedent(
        f"""
        import sys, time, numpy as np
        import purepax as px, purepax._checkpoint as checkpoint
        real = checkpoint._host_array
        count = [0]
        def slow(leaf):
            count[0] += 1
            if count[0] == 2:
                print("writing", flush=True)
                time.sleep(60)
            return real(leaf)
        checkpoint._host_array = slow
        px.save({str(path)!r}, {{"w": np.full((64, 64), 2.0, np.float32), "v": np.arange(10) * 2}})
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    loaded = px.load(path, like=first)
    assert np.array_equal(loaded["w"], first["w"]) and np.array_equal(
        loaded["v"], first["v"]
    )


def test_static_values_come_from_like(tmp_path, getkey):
    class Scaled(px.Module):
        w: Float[Array, "n"]
        scale: float = 1.0

    px.save(tmp_path / "s.ckpt", Scaled(jnp.ones(3), scale=2.0))
    loaded = px.load(tmp_path / "s.ckpt", like=Scaled(jnp.zeros(3), scale=5.0))
    assert loaded.scale == 5.0 and np.array_equal(loaded.w, jnp.ones(3))


def test_load_keeps_the_sharding_of_like(tmp_path):
    device = jax.devices()[0]
    sharding = jax.sharding.SingleDeviceSharding(device)
    like = {"w": jax.ShapeDtypeStruct((3,), jnp.float32, sharding=sharding)}
    px.save(tmp_path / "s.ckpt", {"w": jnp.arange(3.0)})
    loaded = px.load(tmp_path / "s.ckpt", like=like)
    assert loaded["w"].sharding == sharding and np.array_equal(
        loaded["w"], jnp.arange(3.0)
    )


def test_empty_and_large_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint, "_CHUNK", 1000)  # arrays span many chunks
    tree = {
        "empty": np.zeros((0, 5), np.float32),
        "big": np.random.default_rng(1).normal(size=(1234,)),
    }
    px.save(tmp_path / "e.ckpt", tree)
    loaded = px.load(tmp_path / "e.ckpt", like=tree)
    assert loaded["empty"].shape == (0, 5) and np.array_equal(
        loaded["big"], tree["big"]
    )


def test_save_and_load_stream_one_array_at_a_time(tmp_path):
    import tracemalloc

    tree = [jnp.full((1 << 20,), float(i)) for i in range(6)]  # 6 arrays of 4 MiB
    one = tree[0].nbytes
    tracemalloc.start()
    try:
        px.save(tmp_path / "big.ckpt", tree)
        _, save_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        loaded = px.load(tmp_path / "big.ckpt", like=jax.eval_shape(lambda: tree))
        # the loaded arrays may keep their host buffers (JAX on CPU can alias them): count
        # only what was freed again, the transient extra memory
        end, load_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert save_peak < one  # no host copy of the model (nor of one array, on CPU)
    assert load_peak - end < 2 * one + (1 << 20)  # one array read at a time
    assert all(float(x[0]) == i for i, x in enumerate(loaded))


def _format_v1_bytes(arrays):
    """A version 1 checkpoint built byte by byte from docs/checkpointing.md (no purepax code)."""
    import zlib

    entries, data, offset = [], b"", 0
    for path, array in arrays.items():
        offset += -offset % 64
        data = data.ljust(offset, b"\0")
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        entries.append(
            {
                "path": path,
                "dtype": array.dtype.name,
                "shape": list(array.shape),
                "nbytes": len(raw),
                "offset": offset,
                "crc32": f"{zlib.crc32(raw):08x}",
            }
        )
        data += raw
        offset += len(raw)
    body = json.dumps(
        {"format": "purepax-checkpoint", "version": 1, "arrays": entries},
        separators=(",", ":"),
    ).encode()
    body += b" " * (-(16 + len(body)) % 64)
    return b"PUREPAX\x00" + len(body).to_bytes(8, "little") + body + data


def test_the_file_is_format_version_1_byte_for_byte(tmp_path):
    # Pins the documented format: files written before (and by other writers) still load,
    # and what px.save writes now is what the docs describe, padding included.
    rng = np.random.default_rng(0)
    arrays = {
        "['a']": rng.normal(size=(3, 5)).astype(np.float32),
        "['b']": np.arange(7, dtype=np.int16),
        "['c']": np.zeros((0, 2), np.float32),
        "['d']": rng.normal(size=(300, 700)).astype(
            jnp.bfloat16
        ),  # large: checksummed on the second thread
        "['e']": np.array([True, False, True]),
    }
    expected = _format_v1_bytes(arrays)
    (tmp_path / "by_hand.ckpt").write_bytes(expected)
    tree = {k[2:-2]: v for k, v in arrays.items()}
    loaded = px.load(tmp_path / "by_hand.ckpt", like=jax.eval_shape(lambda: tree))
    for name, array in tree.items():
        assert loaded[name].dtype == array.dtype and np.array_equal(
            np.asarray(loaded[name]), array
        )
    px.save(tmp_path / "saved.ckpt", tree)
    assert (tmp_path / "saved.ckpt").read_bytes() == expected


@pytest.mark.parametrize("which", [0, 2, 5])
def test_an_altered_array_is_found_wherever_it_is(tmp_path, which, monkeypatch):
    # Each array is checked while the next one is read: a damaged first or middle array
    # must fail as surely as the last one, naming it.
    monkeypatch.setattr(checkpoint, "_THREADED", 1000)
    tree = [jnp.full((2000,), float(i)) for i in range(6)]
    px.save(tmp_path / "m.ckpt", tree)
    data = bytearray((tmp_path / "m.ckpt").read_bytes())
    length = int.from_bytes(data[8:16], "little")
    entry = json.loads(data[16 : 16 + length])["arrays"][which]
    data[16 + length + entry["offset"] + 123] ^= 0x01
    (tmp_path / "m.ckpt").write_bytes(bytes(data))
    with pytest.raises(
        px.CheckpointError, match=rf"bytes of \[{which}\] do not match their checksum"
    ):
        px.load(tmp_path / "m.ckpt", like=tree)


def test_loaded_arrays_are_independent_of_each_other_and_of_the_file(tmp_path):
    tree = {"w": jnp.arange(4096.0), "v": jnp.ones((64, 64), jnp.int32)}
    px.save(tmp_path / "m.ckpt", tree)
    first = px.load(tmp_path / "m.ckpt", like=jax.eval_shape(lambda: tree))
    px.save(tmp_path / "m.ckpt", {"w": -tree["w"], "v": 2 * tree["v"]})
    second = px.load(tmp_path / "m.ckpt", like=tree)
    assert np.array_equal(first["w"], tree["w"]) and np.array_equal(
        first["v"], tree["v"]
    )
    assert np.array_equal(second["w"], -tree["w"]) and np.array_equal(
        second["v"], 2 * tree["v"]
    )
    assert np.array_equal(jax.jit(lambda t: t["w"] * 2)(first), 2 * tree["w"])


def test_background_syncs_during_a_save(tmp_path, monkeypatch):
    import purepax._atomic_file as atomic_file

    synced = []
    real = getattr(os, "fdatasync", os.fsync)
    monkeypatch.setattr(atomic_file, "_SYNC_EVERY", 1)  # sync after every array
    monkeypatch.setattr(
        os, "fdatasync", lambda fd: (synced.append(fd), real(fd))[1], raising=False
    )
    tree = [np.full((1000,), i, np.float32) for i in range(5)]
    px.save(tmp_path / "m.ckpt", tree)
    assert synced
    assert all(
        np.array_equal(x, y)
        for x, y in zip(px.load(tmp_path / "m.ckpt", like=tree), tree)
    )


def test_a_failed_background_sync_fails_the_save_and_keeps_the_previous_checkpoint(
    tmp_path, monkeypatch
):
    import purepax._atomic_file as atomic_file

    path = tmp_path / "m.ckpt"
    first = [np.full((1000,), 1.0, np.float32)] * 3
    px.save(path, first)
    before = path.read_bytes()

    def failing(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(atomic_file, "_SYNC_EVERY", 1)
    monkeypatch.setattr(os, "fdatasync", failing, raising=False)
    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="I/O error"):
        px.save(path, [np.full((1000,), 2.0, np.float32)] * 3)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.ckpt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_saving_over_a_fifo_replaces_it_without_blocking(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    px.save(path, {"w": np.arange(3.0)})
    assert np.array_equal(px.load(path, like={"w": np.zeros(3)})["w"], np.arange(3.0))
