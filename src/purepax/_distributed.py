"""What checkpoints need in a multi-process run (`jax.distributed`): whole arrays on the
host, one writer, and arrays placed back on devices that other processes own.

In one process every function here is what a single-device program would do
(`np.asarray`, `True`, nothing, `jax.device_put`).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np


def host_value(leaf: Any) -> Any:
    """`leaf` as a whole host array, gathered from the other processes where it is
    sharded across them (a collective: every process must ask, in the same order)."""
    if not isinstance(leaf, jax.Array) or leaf.is_fully_addressable:
        return leaf
    if leaf.is_fully_replicated:
        return np.asarray(leaf.addressable_data(0))
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(leaf, tiled=True))


def is_writer() -> bool:
    """Whether this process writes shared files (process 0; the only one in a single run)."""
    return jax.process_index() == 0


def wait_for_all(name: str) -> None:
    """Return once every process has reached this point (nothing to wait for in one process)."""
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


def place(value: Any, sharding: Any) -> jax.Array:
    """A device array with `value`'s values and `sharding`, which may span devices of other
    processes (each process then fills in the shards it owns from its own `value`)."""
    placed: jax.Array
    if sharding.is_fully_addressable:
        placed = jax.device_put(value, sharding)
    elif isinstance(value, jax.Array) and jax.dtypes.issubdtype(
        value.dtype, jax.dtypes.prng_key
    ):
        data = place(jax.random.key_data(value), sharding)
        placed = jax.random.wrap_key_data(data, impl=jax.random.key_impl(value))
    else:
        host = np.asarray(value)
        placed = jax.make_array_from_callback(
            host.shape, sharding, lambda index: host[index]
        )
    return placed
