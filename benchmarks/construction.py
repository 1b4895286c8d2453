"""What does building a module cost? purepax (runtime checks on and off) beside Equinox and Flax NNX.

Construction runs purepax's checks (roles, frozen containers, shared submodules, leaked
tracers, and the beartype + jaxtyping annotation check), so it is where purepax spends
Python time that a jitted step never does. Two cases, each building from arrays that
already exist (so no initialiser is timed): a small layer (two annotated arrays) and an
MLP holding three of them. Rounds are interleaved; medians reported as ratios to Equinox.

    .venv/bin/python benchmarks/construction.py [--rounds 15] [--number 2000]

Goal (issue 10): purepax with checks on within 2x of Equinox.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from flax import nnx
from jaxtyping import Array, Float

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, " o"]


class MLP(px.Module):
    layers: tuple[Linear, ...]


class EqxLinear(eqx.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, " o"]


class EqxMLP(eqx.Module):
    layers: tuple[EqxLinear, ...]


class NnxLinear(nnx.Module):
    def __init__(self, weight: Array, bias: Array) -> None:
        self.weight = nnx.Param(weight)
        self.bias = nnx.Param(bias)


class NnxMLP(nnx.Module):
    def __init__(self, layers: list[NnxLinear]) -> None:
        self.layers = nnx.List(layers) if hasattr(nnx, "List") else layers


def per_call_us(make: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        make()
    return (time.perf_counter() - start) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()

    w, b = jnp.ones((8, 8)), jnp.zeros(8)

    cases: dict[str, dict[str, Callable[[], Any]]] = {
        "layer": {
            "equinox": lambda: EqxLinear(w, b),
            "flax nnx": lambda: NnxLinear(w, b),
            "purepax": lambda: Linear(w, b),
            "purepax, checks off": lambda: Linear(w, b),
        },
        "mlp of 3 layers": {
            "equinox": lambda: EqxMLP(tuple(EqxLinear(w, b) for _ in range(3))),
            "flax nnx": lambda: NnxMLP([NnxLinear(w, b) for _ in range(3)]),
            "purepax": lambda: MLP(tuple(Linear(w, b) for _ in range(3))),
            "purepax, checks off": lambda: MLP(tuple(Linear(w, b) for _ in range(3))),
        },
    }
    print(
        f"jax {jax.__version__}, equinox {eqx.__version__}, flax {nnx.__name__.split('.')[0]} "
        f"{__import__('flax').__version__}; {args.rounds} rounds x {args.number} builds, medians"
    )
    for case, makers in cases.items():
        times: dict[str, list[float]] = {name: [] for name in makers}
        for _ in range(args.rounds):
            for name, make in makers.items():
                os.environ["PUREPAX_TYPECHECK"] = (
                    "0" if name.endswith("checks off") else "1"
                )
                times[name].append(per_call_us(make, args.number))
        os.environ["PUREPAX_TYPECHECK"] = "1"
        base = statistics.median(times["equinox"])
        print(f"\n{case}")
        print(f"  {'library':<22}{'us per build':>14}{'vs equinox':>12}")
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"  {name:<22}{median:>14.2f}{median / base:>11.2f}x")


if __name__ == "__main__":
    main()
