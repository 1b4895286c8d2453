"""Per-call overhead of a jitted train step: purepax against raw JAX, Equinox and Flax NNX.

One SGD step on a two-layer MLP, at width 8 / batch 4 (where dispatch overhead is
everything) and width 256 / batch 32, every variant from the same weights:

- `jax.jit (dict)`: raw `jax.jit` over a dict of arrays, the floor;
- `px.jit`: a purepax MLP through `px.jit` + `px.grad`, model in and model out;
- Equinox's default API, `eqx.filter_jit`, and `eqx.partition + jax.jit` (partition and
  combine on every call); its documented fast path ("Low-overhead training loops" in
  Equinox's tricks): the model flattened once and its leaves carried through the step,
  under `eqx.filter_jit` as documented and under plain `jax.jit`;
- Flax NNX's default API, `nnx.jit` (graph mode), and `nnx.split/merge + jax.jit` (on every
  call); its fast paths: `nnx.jit(graph=False)` (tree mode), `nnx.cached_partial` and the
  "Functional training loop" (split once, a `jax.jit` step over the state) from Flax's
  "Performance considerations" guide, and `nnx.jit_partial(graph=False)`.

Each round times `--steps` chained calls of every variant (blocking only at the end,
so JAX's async dispatch counts, as in a training loop); rounds are interleaved, each
variant first in turn, and the table shows the median per call in microseconds and its
ratio to raw `jax.jit`. The losses of all variants are checked to agree before timing,
after the warm-up and after the timed rounds, so a variant whose calls did nothing fails
the run. Then the trace+compile time of the same annotated purepax step under `jax.jit`
and `px.jit` (type checks and closure check included).

    python benchmarks/overhead.py            # about 1.5 minutes on 2 quiet CPU cores
    python benchmarks/overhead.py --rounds 31 --steps 500
"""

from __future__ import annotations

import argparse
import functools
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


def px_loss(
    model: MLP, x: Float[Array, "b w"], y: Float[Array, "b w"]
) -> Float[Array, ""]:
    return jnp.mean((model(x) - y) ** 2)


def px_step(model: MLP, x: Float[Array, "b w"], y: Float[Array, "b w"]) -> MLP:
    grads = px.grad(px_loss)(model, x, y)
    new = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, px.parameters(model), grads)
    return px.update_parameters(model, new)


def dict_loss(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
    h = jax.nn.relu(x @ params["w1"] + params["b1"])
    return jnp.mean((h @ params["w2"] + params["b2"] - y) ** 2)


def dict_step(
    params: dict[str, jax.Array], x: jax.Array, y: jax.Array
) -> dict[str, jax.Array]:
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


def nnx_sgd(model: NnxMLP, x: jax.Array, y: jax.Array) -> None:
    grads = nnx.grad(nnx_loss)(model, x, y)
    params = nnx.state(model, nnx.Param)
    nnx.update(model, jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads))


def nnx_update(model: NnxMLP, x: jax.Array, y: jax.Array) -> NnxMLP:
    nnx_sgd(model, x, y)
    return model


# --- one step per variant: a function from carry to carry ---------------------------------

# name -> (step(carry) -> carry, first carry, loss(carry) of the model the carry holds)
Variants = dict[str, tuple[Callable[[Any], Any], Any, Callable[[Any], jax.Array]]]


def eqx_model_like(model: MLP) -> EqxMLP:
    """An Equinox MLP holding `model`'s weights (Equinox keeps `(out, in)` matrices)."""
    new = EqxMLP(model.hidden.weight.shape[0], key=jax.random.PRNGKey(1))
    where = lambda m: (m.hidden.weight, m.hidden.bias, m.output.weight, m.output.bias)
    return eqx.tree_at(
        where,
        new,
        (
            model.hidden.weight.T,
            model.hidden.bias,
            model.output.weight.T,
            model.output.bias,
        ),
    )


def nnx_model_like(model: MLP) -> NnxMLP:
    """A new Flax NNX MLP holding `model`'s weights (each variant mutates its own)."""
    new = NnxMLP(model.hidden.weight.shape[0], rngs=nnx.Rngs(1))
    for mine, theirs in ((new.hidden, model.hidden), (new.output, model.output)):
        mine.kernel.value, mine.bias.value = theirs.weight, theirs.bias
    return new


def variants(width: int, batch: int) -> Variants:
    """Every variant starts from the same weights, so their losses must agree step by step."""
    key = jax.random.PRNGKey(0)
    x = jax.random.normal(key, (batch, width))
    y = jnp.ones((batch, width))
    model = MLP(width, key=key)

    raw = jax.jit(dict_step)
    params = {
        "w1": model.hidden.weight,
        "b1": model.hidden.bias,
        "w2": model.output.weight,
        "b2": model.output.bias,
    }

    purepax_step = px.jit(px_step)

    filter_step = eqx.filter_jit(eqx_step)
    eqx_model = eqx_model_like(model)
    eqx_static = eqx.partition(eqx_model, eqx.is_array)[1]

    @jax.jit
    def partitioned(dynamic: Any, x: jax.Array, y: jax.Array) -> Any:
        model = eqx.combine(dynamic, eqx_static)
        return eqx.partition(eqx_step(model, x, y), eqx.is_array)[0]

    def eqx_partition_step(model: EqxMLP) -> EqxMLP:
        dynamic, static = eqx.partition(model, eqx.is_array)
        return eqx.combine(partitioned(dynamic, x, y), static)

    # Equinox's "Low-overhead training loops" (docs/tricks.md): flatten the model once and
    # carry its leaves through the jitted step, which unflattens them inside. The trick as
    # documented keeps `eqx.filter_jit`; with every leaf an array, plain `jax.jit` serves too.
    eqx_leaves, eqx_treedef = jax.tree_util.tree_flatten(eqx_model)

    def flat_step(
        leaves: list[jax.Array], x: jax.Array, y: jax.Array
    ) -> list[jax.Array]:
        model = jax.tree_util.tree_unflatten(eqx_treedef, leaves)
        return jax.tree_util.tree_leaves(eqx_step(model, x, y))

    eqx_flat_filter_jit = eqx.filter_jit(flat_step)
    eqx_flat_jax_jit = jax.jit(flat_step)

    def eqx_flat_loss(leaves: list[jax.Array]) -> jax.Array:
        return eqx_loss(jax.tree_util.tree_unflatten(eqx_treedef, leaves), x, y)

    nnx_step = nnx.jit(nnx_update)
    nnx_tree_step = nnx.jit(nnx_sgd, graph=False)  # tree mode returns no input Variable
    nnx_graphdef = nnx.split(nnx_model_like(model))[0]

    @jax.jit
    def split_merge(state: Any, x: jax.Array, y: jax.Array) -> Any:
        model = nnx.merge(nnx_graphdef, state)
        return nnx.split(nnx_update(model, x, y))[1]

    def nnx_split_step(model: NnxMLP) -> NnxMLP:
        graphdef, state = nnx.split(model)
        return nnx.merge(graphdef, split_merge(state, x, y))

    # Flax's performance guide, "Functional training loop": split once before the loop,
    # a `jax.jit` step over the state that merges inside and returns the new state.
    @jax.jit
    def functional(state: Any, x: jax.Array, y: jax.Array) -> Any:
        model = nnx.merge(nnx_graphdef, state)
        nnx_sgd(model, x, y)
        return nnx.state(model)

    # `nnx.cached_partial` (graph mode, the guide's "Caching graph node traversals") and
    # `nnx.jit_partial` (tree mode) bind the model once; the step updates it in place.
    cached_model, partial_model = nnx_model_like(model), nnx_model_like(model)
    cached = nnx.cached_partial(nnx.jit(nnx_update), cached_model)
    jit_partial = nnx.jit_partial(nnx_sgd, partial_model, graph=False)

    def nnx_loss_of(state: Any) -> jax.Array:
        return nnx_loss(nnx.merge(nnx_graphdef, state), x, y)

    def in_place(
        call: Callable[[jax.Array, jax.Array], Any],
    ) -> Callable[[NnxMLP], NnxMLP]:
        def step(model: NnxMLP) -> NnxMLP:
            call(x, y)
            return model

        return step

    return {
        "jax.jit (dict)": (
            lambda p: raw(p, x, y),
            params,
            lambda p: dict_loss(p, x, y),
        ),
        "px.jit": (lambda m: purepax_step(m, x, y), model, lambda m: px_loss(m, x, y)),
        "eqx.filter_jit": (
            lambda m: filter_step(m, x, y),
            eqx_model,
            lambda m: eqx_loss(m, x, y),
        ),
        "eqx.partition + jax.jit": (
            eqx_partition_step,
            eqx_model,
            lambda m: eqx_loss(m, x, y),
        ),
        "eqx leaves + filter_jit": (
            lambda v: eqx_flat_filter_jit(v, x, y),
            eqx_leaves,
            eqx_flat_loss,
        ),
        "eqx leaves + jax.jit": (
            lambda v: eqx_flat_jax_jit(v, x, y),
            eqx_leaves,
            eqx_flat_loss,
        ),
        "nnx.jit": (
            lambda m: nnx_step(m, x, y),
            nnx_model_like(model),
            lambda m: nnx_loss(m, x, y),
        ),
        "nnx.jit(graph=False)": (
            lambda m: (nnx_tree_step(m, x, y), m)[1],
            nnx_model_like(model),
            lambda m: nnx_loss(m, x, y),
        ),
        "nnx.split/merge + jax.jit": (
            nnx_split_step,
            nnx_model_like(model),
            lambda m: nnx_loss(m, x, y),
        ),
        "nnx.cached_partial": (
            in_place(cached),
            cached_model,
            lambda m: nnx_loss(m, x, y),
        ),
        "nnx.jit_partial(graph=False)": (
            in_place(jit_partial),
            partial_model,
            lambda m: nnx_loss(m, x, y),
        ),
        "nnx split once + jax.jit": (
            lambda s: functional(s, x, y),
            nnx.split(nnx_model_like(model))[1],
            nnx_loss_of,
        ),
    }


def time_steps(step: Callable[[Any], Any], carry: Any, steps: int) -> tuple[float, Any]:
    """Seconds per call of `steps` chained calls, blocking once at the end."""
    start = time.perf_counter()
    for _ in range(steps):
        carry = step(carry)
    jax.block_until_ready(
        jax.tree.leaves(nnx.state(carry) if isinstance(carry, nnx.Module) else carry)
    )
    return (time.perf_counter() - start) / steps, carry


def check_losses(
    runs: Variants, carries: dict[str, Any], before: float | None, when: str
) -> float:
    """Fail unless every variant holds the same model: same start, same number of SGD steps.

    Returns their common loss; with `before`, also fail unless it moved from there (a step
    that silently did nothing would leave it).
    """
    losses = {name: float(runs[name][2](carry)) for name, carry in carries.items()}
    reference = losses["jax.jit (dict)"]
    wrong = {
        name: loss
        for name, loss in losses.items()
        if abs(loss - reference) > 1e-4 * abs(reference) + 1e-6
    }
    if wrong:
        raise SystemExit(
            f"{when}: these variants' losses differ from raw jax.jit's {reference!r}: {wrong}"
        )
    if before is not None and abs(reference - before) < 1e-6 * abs(before):
        raise SystemExit(
            f"{when}: the loss did not move from {before!r}: the timed steps did not run"
        )
    return reference


def dispatch_table(
    width: int, batch: int, rounds: int, steps: int
) -> list[tuple[str, float]]:
    runs = variants(width, batch)
    carries = {name: carry for name, (_, carry, _) in runs.items()}
    initial = check_losses(runs, carries, None, "before training")
    for name, (step, _, _) in runs.items():  # compile, and warm the caches
        _, carries[name] = time_steps(step, carries[name], 3)
    warm = check_losses(runs, carries, initial, "after 3 warm-up steps")
    samples: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(rounds):
        for name in (
            names[round_ % len(names) :] + names[: round_ % len(names)]
        ):  # each goes first in turn
            seconds, carries[name] = time_steps(runs[name][0], carries[name], steps)
            samples[name].append(seconds)
    check_losses(runs, carries, warm, f"after {rounds} rounds of {steps} timed steps")
    return [(name, statistics.median(s) * 1e6) for name, s in samples.items()]


def compile_times(rounds: int) -> tuple[float, float]:
    """Median trace+compile seconds of the annotated purepax step under jax.jit and px.jit."""
    key = jax.random.PRNGKey(0)
    model, x = MLP(8, key=key), jnp.ones((4, 8))
    samples: dict[str, list[float]] = {"jax.jit": [], "px.jit": []}
    # Each round traces a new function on purpose: no px.RetraceWarning for it.
    quiet_jit = functools.partial(px.jit, max_traces=None)
    for _ in range(rounds):
        for name, transform in (("jax.jit", jax.jit), ("px.jit", quiet_jit)):
            # A new function object each time, so no cache of JAX or purepax helps.
            def step(model: MLP, x: Float[Array, "b w"], y: Float[Array, "b w"]) -> MLP:
                return px_step(model, x, y)

            start = time.perf_counter()
            transform(step).lower(model, x, x).compile()
            samples[name].append(time.perf_counter() - start)
    return statistics.median(samples["jax.jit"]), statistics.median(samples["px.jit"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=21, help="interleaved rounds (median taken)"
    )
    parser.add_argument(
        "--steps", type=int, default=300, help="chained calls per round and variant"
    )
    parser.add_argument("--compile-rounds", type=int, default=11)
    args = parser.parse_args()
    print(
        f"JAX {jax.__version__} on {jax.devices()[0].platform}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}; {args.rounds} rounds x {args.steps} steps\n"
    )
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
