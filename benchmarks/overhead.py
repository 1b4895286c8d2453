"""Per-call overhead of a jitted train step: purepax against raw JAX, Equinox and Flax NNX.

One SGD step (model in, model out) on a two-layer MLP, at width 8 / batch 4 (where
dispatch overhead is everything) and width 256 / batch 32:

- `jax.jit (dict)`: raw `jax.jit` over a dict of arrays, the floor;
- `px.jit`: a purepax MLP through `px.jit` + `px.grad`;
- `eqx.filter_jit`; `eqx.partition + jax.jit` (partition and combine on every call);
- `nnx.jit` (default); `nnx.split/merge + jax.jit` (split and merge on every call).

Each round times `--steps` chained calls of every variant (blocking only at the end,
so JAX's async dispatch counts, as in a training loop); rounds are interleaved and the
table shows the median per call in microseconds and its ratio to raw `jax.jit`. Then
the trace+compile time of the same annotated purepax step under `jax.jit` and
`px.jit` (type checks and closure check included).

    python benchmarks/overhead.py            # under a minute on 2 CPU cores
    python benchmarks/overhead.py --rounds 31 --steps 500
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import equinox as eqx  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from flax import nnx  # noqa: E402
from jaxtyping import Array, Float  # noqa: E402

import purepax as px  # noqa: E402

LEARNING_RATE = 0.01


# --- the same MLP in every library ---------------------------------------------------------


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x: Float[Array, "b i"]) -> Float[Array, "b o"]:
        return x @ self.weight + self.bias


class MLP(px.Module):
    hidden: Linear
    output: Linear

    def __init__(self, width: int, *, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = Linear(width, width, key=k1)
        self.output = Linear(width, width, key=k2)

    def __call__(self, x: Float[Array, "b w"]) -> Float[Array, "b w"]:
        return self.output(jax.nn.relu(self.hidden(x)))


def px_loss(model: MLP, x: Float[Array, "b w"], y: Float[Array, "b w"]) -> Float[Array, ""]:
    return jnp.mean((model(x) - y) ** 2)


def px_step(model: MLP, x: Float[Array, "b w"], y: Float[Array, "b w"]) -> MLP:
    grads = px.grad(px_loss)(model, x, y)
    new = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, px.parameters(model), grads)
    return px.update_parameters(model, new)


def dict_loss(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
    h = jax.nn.relu(x @ params["w1"] + params["b1"])
    return jnp.mean((h @ params["w2"] + params["b2"] - y) ** 2)


def dict_step(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> dict[str, jax.Array]:
    grads = jax.grad(dict_loss)(params, x, y)
    return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads)


class EqxMLP(eqx.Module):
    hidden: eqx.nn.Linear
    output: eqx.nn.Linear

    def __init__(self, width: int, *, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = eqx.nn.Linear(width, width, key=k1)
        self.output = eqx.nn.Linear(width, width, key=k2)

    def __call__(self, x: jax.Array) -> jax.Array:
        return jax.vmap(lambda v: self.output(jax.nn.relu(self.hidden(v))))(x)


def eqx_loss(model: EqxMLP, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)


def eqx_step(model: EqxMLP, x: jax.Array, y: jax.Array) -> EqxMLP:
    grads = eqx.filter_grad(eqx_loss)(model, x, y)
    return eqx.apply_updates(model, jax.tree.map(lambda g: -LEARNING_RATE * g, grads))


class NnxMLP(nnx.Module):
    def __init__(self, width: int, *, rngs: nnx.Rngs) -> None:
        self.hidden = nnx.Linear(width, width, rngs=rngs)
        self.output = nnx.Linear(width, width, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.output(jax.nn.relu(self.hidden(x)))


def nnx_loss(model: NnxMLP, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)


def nnx_update(model: NnxMLP, x: jax.Array, y: jax.Array) -> NnxMLP:
    grads = nnx.grad(nnx_loss)(model, x, y)
    params = nnx.state(model, nnx.Param)
    nnx.update(model, jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads))
    return model


# --- one step per variant: a function from model to model -----------------------------------


def variants(width: int, batch: int) -> dict[str, tuple[Callable[[Any], Any], Any]]:
    key = jax.random.PRNGKey(0)
    x = jax.random.normal(key, (batch, width))
    y = jnp.ones((batch, width))
    model = MLP(width, key=key)

    raw = jax.jit(dict_step)
    params = {"w1": model.hidden.weight, "b1": model.hidden.bias,
              "w2": model.output.weight, "b2": model.output.bias}

    purepax_step = px.jit(px_step)

    filter_step = eqx.filter_jit(eqx_step)
    eqx_model = EqxMLP(width, key=key)
    eqx_static = eqx.partition(eqx_model, eqx.is_array)[1]

    @jax.jit
    def partitioned(dynamic: Any, x: jax.Array, y: jax.Array) -> Any:
        model = eqx.combine(dynamic, eqx_static)
        return eqx.partition(eqx_step(model, x, y), eqx.is_array)[0]

    def eqx_partition_step(model: EqxMLP) -> EqxMLP:
        dynamic, static = eqx.partition(model, eqx.is_array)
        return eqx.combine(partitioned(dynamic, x, y), static)

    nnx_step = nnx.jit(nnx_update)
    nnx_model = NnxMLP(width, rngs=nnx.Rngs(0))
    nnx_graphdef = nnx.split(nnx_model)[0]

    @jax.jit
    def split_merge(state: Any, x: jax.Array, y: jax.Array) -> Any:
        model = nnx.merge(nnx_graphdef, state)
        return nnx.split(nnx_update(model, x, y))[1]

    def nnx_split_step(model: NnxMLP) -> NnxMLP:
        graphdef, state = nnx.split(model)
        return nnx.merge(graphdef, split_merge(state, x, y))

    return {
        "jax.jit (dict)": (lambda p: raw(p, x, y), params),
        "px.jit": (lambda m: purepax_step(m, x, y), model),
        "eqx.filter_jit": (lambda m: filter_step(m, x, y), eqx_model),
        "eqx.partition + jax.jit": (eqx_partition_step, eqx_model),
        "nnx.jit": (lambda m: nnx_step(m, x, y), nnx_model),
        "nnx.split/merge + jax.jit": (nnx_split_step, NnxMLP(width, rngs=nnx.Rngs(0))),
    }


def time_steps(step: Callable[[Any], Any], model: Any, steps: int) -> tuple[float, Any]:
    """Seconds per call of `steps` chained calls, blocking once at the end."""
    start = time.perf_counter()
    for _ in range(steps):
        model = step(model)
    jax.block_until_ready(jax.tree.leaves(nnx.state(model) if isinstance(model, nnx.Module) else model))
    return (time.perf_counter() - start) / steps, model


def dispatch_table(width: int, batch: int, rounds: int, steps: int) -> list[tuple[str, float]]:
    runs = variants(width, batch)
    models = {name: model for name, (_, model) in runs.items()}
    for name, (step, _) in runs.items():  # compile, and warm the caches
        _, models[name] = time_steps(step, models[name], 3)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (step, _) in runs.items():
            seconds, models[name] = time_steps(step, models[name], steps)
            samples[name].append(seconds)
    return [(name, statistics.median(s) * 1e6) for name, s in samples.items()]


def compile_times(rounds: int) -> tuple[float, float]:
    """Median trace+compile seconds of the annotated purepax step under jax.jit and px.jit."""
    key = jax.random.PRNGKey(0)
    model, x = MLP(8, key=key), jnp.ones((4, 8))
    samples: dict[str, list[float]] = {"jax.jit": [], "px.jit": []}
    for _ in range(rounds):
        for name, transform in (("jax.jit", jax.jit), ("px.jit", px.jit)):
            # A new function object each time, so no cache of JAX or purepax helps.
            def step(model: MLP, x: Float[Array, "b w"], y: Float[Array, "b w"]) -> MLP:
                return px_step(model, x, y)

            start = time.perf_counter()
            transform(step).lower(model, x, x).compile()
            samples[name].append(time.perf_counter() - start)
    return statistics.median(samples["jax.jit"]), statistics.median(samples["px.jit"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=21, help="interleaved rounds (median taken)")
    parser.add_argument("--steps", type=int, default=300, help="chained calls per round and variant")
    parser.add_argument("--compile-rounds", type=int, default=11)
    args = parser.parse_args()
    print(f"JAX {jax.__version__} on {jax.devices()[0].platform}; {args.rounds} rounds x {args.steps} steps\n")
    for width, batch in ((8, 4), (256, 32)):
        table = dispatch_table(width, batch, args.rounds, args.steps)
        raw = table[0][1]
        print(f"SGD step, MLP width {width}, batch {batch}")
        print(f"  {'variant':<28}{'us/step':>10}{'x raw':>8}")
        for name, micros in table:
            print(f"  {name:<28}{micros:>10.1f}{micros / raw:>8.2f}")
        print()
    plain, checked = compile_times(args.compile_rounds)
    print("Trace+compile of the annotated purepax step (width 8)")
    print(f"  {'jax.jit':<28}{plain * 1e3:>10.1f} ms")
    print(f"  {'px.jit':<28}{checked * 1e3:>10.1f} ms{checked / plain:>8.2f}")


if __name__ == "__main__":
    main()
