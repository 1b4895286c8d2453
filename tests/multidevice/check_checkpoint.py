"""px.save / px.load of arrays sharded over 8 CPU devices: placement and host memory."""

from __future__ import annotations

import tracemalloc

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import purepax as px


def sharded_tree():
    mesh = jax.make_mesh((4, 2), ("data", "model"))
    return {
        "split": jax.device_put(
            jnp.arange(256 * 1024.0).reshape(256, 1024),
            NamedSharding(mesh, P("data", "model")),
        ),
        "rows": jax.device_put(
            jnp.arange(512 * 512, dtype=jnp.int32).reshape(512, 512),
            NamedSharding(mesh, P("data")),
        ),
        "replicated": jax.device_put(-jnp.arange(1024.0), NamedSharding(mesh, P())),
        "key": jax.device_put(jax.random.key(3), NamedSharding(mesh, P())),
    }


def test_round_trip_keeps_each_sharding(tmp_path):
    tree = sharded_tree()
    px.save(tmp_path / "s.ckpt", tree)
    like = jax.tree.map(
        lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding), tree
    )
    for loaded in (
        px.load(tmp_path / "s.ckpt", like=like),
        px.load(tmp_path / "s.ckpt", like=tree),
    ):
        for name, array in tree.items():
            assert loaded[name].sharding == array.sharding, name
            if name == "key":
                assert np.array_equal(
                    jax.random.key_data(loaded[name]), jax.random.key_data(array)
                )
            else:
                assert np.array_equal(np.asarray(loaded[name]), np.asarray(array)), name


def test_save_of_sharded_arrays_holds_one_array_on_the_host(tmp_path):
    # numpy.asarray of a sharded array keeps the host copy attached to the array: a save
    # that used it would end holding a copy of every array, the whole model.
    tree = [
        jax.device_put(
            jnp.full((1 << 20,), float(i)),
            NamedSharding(jax.make_mesh((8,), ("d",)), P("d")),
        )
        for i in range(4)
    ]
    one = tree[0].nbytes
    tracemalloc.start()
    try:
        px.save(tmp_path / "s.ckpt", tree)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < one + (1 << 20)
    assert after < (1 << 20)
    loaded = px.load(tmp_path / "s.ckpt", like=tree)
    assert all(
        np.asarray(x)[-1] == i and x.sharding == tree[i].sharding
        for i, x in enumerate(loaded)
    )
