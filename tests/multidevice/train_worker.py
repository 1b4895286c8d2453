"""One process of a data- and tensor-parallel training run (see check_multiprocess.py).

    python train_worker.py PROCESS_ID NUM_PROCESSES PORT OUT

With NUM_PROCESSES 1 it is the single-process reference on 4 local devices; with 2, each
process has 2 local devices, joins the others through `jax.distributed` (coordinator on
127.0.0.1, CPU collectives over gloo), and feeds its half of every batch. Each process
writes its report, as JSON, to OUT.PROCESS_ID.
"""

from __future__ import annotations

import json
import os
import sys

process_id, num_processes, port, out = (
    int(sys.argv[1]),
    int(sys.argv[2]),
    sys.argv[3],
    sys.argv[4],
)
os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={4 // num_processes}"
os.environ["JAX_PLATFORMS"] = "cpu"

import jax  # noqa: E402

if num_processes > 1:
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=f"127.0.0.1:{port}",
        num_processes=num_processes,
        process_id=process_id,
        initialization_timeout=120,
    )

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, Float  # noqa: E402

import purepax as px  # noqa: E402


class Linear(px.Module):
    weight: Float[Array, "i o"] = px.param(sharding=(None, "model"))
    bias: Float[Array, " o"] = px.param(sharding=("model",))

    def __call__(self, x: Float[Array, "b i"]) -> Float[Array, "b o"]:
        return x @ self.weight + self.bias


class MLP(px.Module):
    hidden: Linear
    out: Float[Array, "h c"] = px.param(sharding=("model", None))

    def __call__(self, x: Float[Array, "b i"]) -> Float[Array, "b c"]:
        return jnp.tanh(self.hidden(x)) @ self.out


def loss(
    model: MLP, x: Float[Array, "b i"], y: Float[Array, "b c"]
) -> Float[Array, ""]:
    return jnp.mean((model(x) - y) ** 2)


def step(
    model: MLP, x: Float[Array, "b i"], y: Float[Array, "b c"]
) -> tuple[MLP, Float[Array, ""]]:
    value, grads = px.value_and_grad(loss)(model, x, y)
    params = jax.tree.map(lambda p, g: p - 0.2 * g, px.parameters(model), grads)
    return px.update_parameters(model, params), value


def main() -> None:
    # Auto axes: GSPMD decides the layouts in between (Explicit axes would ask for an
    # out_sharding on the contraction over the sharded hidden dimension).
    auto = (
        {"axis_types": (jax.sharding.AxisType.Auto,) * 2}
        if hasattr(jax.sharding, "AxisType")
        else {}
    )
    mesh = jax.make_mesh((2, 2), ("data", "model"), **auto)
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    model = MLP(
        Linear(jax.random.normal(k1, (8, 16)) / 3, jnp.zeros(16)),
        jax.random.normal(k2, (16, 2)) / 4,
    )
    model = px.shard(model, mesh)
    shardings = jax.tree.map(
        lambda spec: NamedSharding(mesh, spec), px.partition_specs(model)
    )
    data = NamedSharding(mesh, P("data"))
    train = px.jit(
        step,
        in_shardings=(shardings, data, data),
        out_shardings=(shardings, NamedSharding(mesh, P())),
    )
    losses = []
    for i in range(20):
        x = jax.random.normal(jax.random.fold_in(k3, i), (16, 8))
        y = jnp.stack([jnp.sin(x.sum(1)), jnp.cos(x[:, 0])], axis=1)
        # This process's half of the global batch (all of it with one process).
        rows = slice(
            process_id * 16 // num_processes, (process_id + 1) * 16 // num_processes
        )
        xs = jax.make_array_from_process_local_data(data, np.asarray(x[rows]))
        ys = jax.make_array_from_process_local_data(data, np.asarray(y[rows]))
        model, value = train(model, xs, ys)
        losses.append(float(value))
    # Every process saves; arrays sharded across processes are gathered, process 0 writes.
    checkpoint = out + ".ckpt"
    px.save(checkpoint, model)
    restored = px.load(checkpoint, like=model)  # each process fills in its own shards
    same = all(
        a.sharding == b.sharding
        and len(a.addressable_shards) == len(b.addressable_shards)
        and all(
            sa.device == sb.device
            and sa.index == sb.index
            and np.array_equal(sa.data, sb.data)
            for sa, sb in zip(a.addressable_shards, b.addressable_shards)
        )
        for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(model))
    )
    # The file holds whole arrays: read back without any sharding (local, on one device).
    local = jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype), model)
    saved = px.load(checkpoint, like=local)
    # Every process reports what it restored and read back (its own shards differ).
    with open(f"{out}.{process_id}", "w") as f:
        json.dump(
            {
                "losses": losses,
                "devices": jax.device_count(),
                "processes": jax.process_count(),
                "restored_exactly": same,
                "saved": [
                    np.asarray(x).ravel().tolist() for x in jax.tree.leaves(saved)
                ],
            },
            f,
        )
    if num_processes > 1:
        jax.distributed.shutdown()


if __name__ == "__main__":
    main()
