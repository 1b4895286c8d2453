"""Does a purepax module cost what a plain pytree costs?

One `jax.jit` SGD train step that takes and returns the model, on an MLP of 4 modules
(the MLP and 3 Linear layers, 6 arrays), against the same step on a dict of the same
arrays and on a `jax.tree_util.register_dataclass` dataclass (JAX's C++ dataclass node).
Rounds are interleaved and the medians reported as ratios to the dict.

    .venv/bin/python benchmarks/pytree_step.py [--width 8] [--batch 4] [--rounds 30]

Goal (issue 2): purepax within 1.10x of the dict.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __call__(self, x: Array) -> Array:
        return x @ self.weight + self.bias


class MLP(px.Module):
    layers: tuple[Linear, Linear, Linear]

    def __call__(self, x: Array) -> Array:
        for layer in self.layers[:-1]:
            x = jnp.tanh(layer(x))
        return self.layers[-1](x)


@jax.tree_util.register_dataclass
@dataclasses.dataclass
class PlainLinear:
    weight: Array
    bias: Array


@jax.tree_util.register_dataclass
@dataclasses.dataclass
class PlainMLP:
    layers: tuple[PlainLinear, PlainLinear, PlainLinear]


def make_arrays(width: int) -> list[tuple[Array, Array]]:
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    return [
        (jax.random.normal(k, (width, width)) / width**0.5, jnp.zeros(width))
        for k in keys
    ]


def forward(layers: Any, x: Array) -> Array:
    for i, (w, b) in enumerate(layers):
        x = x @ w + b
        if i < len(layers) - 1:
            x = jnp.tanh(x)
    return x


def sgd_step(
    loss: Callable[[Any, Array, Array], Array],
) -> Callable[[Any, Array, Array], Any]:
    def step(model: Any, x: Array, y: Array) -> Any:
        grads = jax.grad(loss)(model, x, y)
        return jax.tree.map(lambda p, g: p - 0.01 * g, model, grads)

    return jax.jit(step)


def dict_loss(d: dict[str, Array], x: Array, y: Array) -> Array:
    layers = [(d[f"w{i}"], d[f"b{i}"]) for i in range(3)]
    return jnp.mean((forward(layers, x) - y) ** 2)


def module_loss(m: MLP, x: Array, y: Array) -> Array:
    return jnp.mean((m(x) - y) ** 2)


def plain_loss(m: PlainMLP, x: Array, y: Array) -> Array:
    return jnp.mean((forward([(l.weight, l.bias) for l in m.layers], x) - y) ** 2)


def time_steps(
    step: Callable[..., Any], model: Any, x: Array, y: Array, n: int
) -> float:
    """Microseconds per step over `n` dispatched steps (async dispatch kept; one final sync)."""
    start = time.perf_counter()
    for _ in range(n):
        model = step(model, x, y)
    jax.block_until_ready(model)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=8)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()

    arrays = make_arrays(args.width)
    x = jax.random.normal(jax.random.PRNGKey(1), (args.batch, args.width))
    y = jnp.sin(x)
    cases: dict[str, tuple[Callable[..., Any], Any]] = {
        "dict of arrays": (
            sgd_step(dict_loss),
            {
                **{f"w{i}": w for i, (w, _) in enumerate(arrays)},
                **{f"b{i}": b for i, (_, b) in enumerate(arrays)},
            },
        ),
        "register_dataclass": (
            sgd_step(plain_loss),
            PlainMLP(tuple(PlainLinear(w, b) for w, b in arrays)),  # type: ignore[arg-type]
        ),
        "purepax Module": (
            sgd_step(module_loss),
            MLP(tuple(Linear(w, b) for w, b in arrays)),
        ),  # type: ignore[arg-type]
    }
    for step, model in cases.values():  # compile and warm up
        time_steps(step, model, x, y, 20)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (step, model) in cases.items():
            times[name].append(time_steps(step, model, x, y, args.steps))

    base = statistics.median(times["dict of arrays"])
    print(
        f"jax.jit SGD step, MLP width {args.width}, batch {args.batch}, {jax.devices()[0].platform}"
    )
    print(f"{'model':<22}{'median us/step':>16}{'ratio to dict':>15}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<22}{median:>16.1f}{median / base:>15.3f}")


if __name__ == "__main__":
    main()
