"""Scan over layers: a transformer LM train step with 12 blocks, four ways.

- `px.stack`: the blocks as a `px.Stacked` (one `lax.scan`);
- `px loop`: the same purepax blocks as a tuple, called in a Python loop (12 copies of the
  block in the traced program);
- `nnx.vmap+scan`: Flax NNX's recipe (`nnx.split_rngs` + `nnx.vmap` to build,
  `nnx.scan` with `in_axes=(nnx.Carry, 0)` to apply);
- `eqx.filter_vmap+scan`: Equinox's recipe (`eqx.filter_vmap` to build, `eqx.partition`
  the blocks, `lax.scan` over the arrays and `eqx.combine` in the body).

Every block is the same pre-norm transformer block (causal attention, a 4x MLP,
dropout 0.1 after the attention; hand-written linear layers and normalisation in each
library, so the arithmetic is the same), and every step is one SGD step of
`value_and_grad` of the next-token cross-entropy inside the library's jit.

Two figures per variant, medians over interleaved rounds:
- first call: a freshly wrapped step function called once (trace + compile + one run);
- step: the steady-state time of one compiled step (chained calls, blocking at the end).

    python benchmarks/stacked.py                    # 1 to 3 minutes on 2 busy CPU cores
    python benchmarks/stacked.py --compile-rounds 5 --rounds 9 --steps 50
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
from jaxtyping import Array, Float, PRNGKeyArray  # noqa: E402

import purepax as px  # noqa: E402

BLOCKS, DIM, HEADS, VOCAB, LENGTH, BATCH = 12, 64, 4, 128, 32, 8
RATE, LEARNING_RATE = 0.1, 0.05


def attention(q: jax.Array, k: jax.Array, v: jax.Array) -> jax.Array:
    t, d = q.shape[-2:]

    def heads(a: jax.Array) -> jax.Array:
        return a.reshape(*a.shape[:-1], HEADS, d // HEADS).swapaxes(-2, -3)

    scores = heads(q) @ heads(k).swapaxes(-1, -2) / (d // HEADS) ** 0.5
    scores = jnp.where(jnp.tril(jnp.ones((t, t), bool)), scores, -1e9)
    return (jax.nn.softmax(scores) @ heads(v)).swapaxes(-2, -3).reshape(q.shape)


def normalise(x: jax.Array, scale: jax.Array) -> jax.Array:
    x = x - x.mean(-1, keepdims=True)
    return x * jax.lax.rsqrt((x**2).mean(-1, keepdims=True) + 1e-5) * scale


def cross_entropy(logits: jax.Array, tokens: jax.Array) -> jax.Array:
    logp = jax.nn.log_softmax(logits)
    return -jnp.take_along_axis(logp, tokens[:, 1:, None], axis=-1).mean()


# --- purepax ---------------------------------------------------------------------------------


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.weight + self.bias


class Dropout(px.StateModule):
    key: PRNGKeyArray
    rate: float = px.static(default=RATE)

    def __call__(self, x: jax.Array) -> jax.Array:
        if not self.training:
            return x
        self.key, sub = jax.random.split(self.key)
        return jnp.where(jax.random.bernoulli(sub, 1 - self.rate, x.shape), x / (1 - self.rate), 0.0)


class Block(px.Module):
    scale1: Float[Array, "d"]
    scale2: Float[Array, "d"]
    qkv: Linear
    out: Linear
    up: Linear
    down: Linear
    dropout: Dropout

    def __init__(self, *, key: jax.Array) -> None:
        keys = jax.random.split(key, 5)
        self.scale1, self.scale2 = jnp.ones(DIM), jnp.ones(DIM)
        self.qkv = Linear(DIM, 3 * DIM, key=keys[0])
        self.out = Linear(DIM, DIM, key=keys[1])
        self.up = Linear(DIM, 4 * DIM, key=keys[2])
        self.down = Linear(4 * DIM, DIM, key=keys[3])
        self.dropout = Dropout(keys[4])

    def __call__(self, x: jax.Array) -> jax.Array:
        q, k, v = jnp.split(self.qkv(normalise(x, self.scale1)), 3, axis=-1)
        x = x + self.dropout(self.out(attention(q, k, v)))
        return x + self.down(jax.nn.gelu(self.up(normalise(x, self.scale2))))


class StackLM(px.Module):
    embed: jax.Array
    blocks: px.Stacked[Block]
    head: Linear

    def __call__(self, ids: jax.Array) -> jax.Array:
        return self.head(self.blocks(self.embed[ids]))


class LoopLM(px.Module):
    embed: jax.Array
    blocks: tuple[Block, ...]
    head: Linear

    def __call__(self, ids: jax.Array) -> jax.Array:
        x = self.embed[ids]
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def px_models(key: jax.Array) -> tuple[StackLM, LoopLM]:
    k1, k2, k3 = jax.random.split(key, 3)
    embed = jax.random.normal(k1, (VOCAB, DIM))
    head = Linear(DIM, VOCAB, key=k3)
    blocks = px.stack(lambda k: Block(key=k), jax.random.split(k2, BLOCKS))
    return StackLM(embed, blocks, head), LoopLM(embed, blocks.unstack(), head)


def px_step_function() -> Callable[[Any, jax.Array], Any]:
    def loss(model: Any, tokens: jax.Array) -> tuple[jax.Array, Any]:
        model, logits = px.purecall(model, tokens[:, :-1])
        return cross_entropy(logits, tokens), model

    def step(model: Any, tokens: jax.Array) -> Any:
        (_, model), grads = px.value_and_grad(loss, has_aux=True)(model, tokens)
        params = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, px.parameters(model), grads)
        return px.update_parameters(model, params)

    return px.jit(step)


# --- Flax NNX: nnx.vmap to build, nnx.scan to apply ------------------------------------------


class NnxLinear(nnx.Module):
    def __init__(self, i: int, o: int, rngs: nnx.Rngs) -> None:
        self.weight = nnx.Param(jax.random.normal(rngs.params(), (i, o)) / i**0.5)
        self.bias = nnx.Param(jnp.zeros(o))

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.weight[...] + self.bias[...]


class NnxBlock(nnx.Module):
    def __init__(self, rngs: nnx.Rngs) -> None:
        self.scale1, self.scale2 = nnx.Param(jnp.ones(DIM)), nnx.Param(jnp.ones(DIM))
        self.qkv = NnxLinear(DIM, 3 * DIM, rngs)
        self.out = NnxLinear(DIM, DIM, rngs)
        self.up = NnxLinear(DIM, 4 * DIM, rngs)
        self.down = NnxLinear(4 * DIM, DIM, rngs)
        self.dropout = nnx.Dropout(RATE, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        q, k, v = jnp.split(self.qkv(normalise(x, self.scale1[...])), 3, axis=-1)
        x = x + self.dropout(self.out(attention(q, k, v)))
        return x + self.down(jax.nn.gelu(self.up(normalise(x, self.scale2[...]))))


class NnxLM(nnx.Module):
    def __init__(self, rngs: nnx.Rngs) -> None:
        self.embed = nnx.Param(jax.random.normal(rngs.params(), (VOCAB, DIM)))

        @nnx.split_rngs(splits=BLOCKS)
        @nnx.vmap(in_axes=(0,), out_axes=0)
        def create_block(rngs: nnx.Rngs) -> NnxBlock:
            return NnxBlock(rngs)

        self.blocks = create_block(rngs)
        self.head = NnxLinear(DIM, VOCAB, rngs)

    def __call__(self, ids: jax.Array) -> jax.Array:
        @nnx.scan(in_axes=(nnx.Carry, 0), out_axes=nnx.Carry)
        def forward(x: jax.Array, block: NnxBlock) -> jax.Array:
            return block(x)

        return self.head(forward(self.embed[...][ids], self.blocks))


def nnx_step_function() -> Callable[[Any, jax.Array], Any]:
    def loss(model: NnxLM, tokens: jax.Array) -> jax.Array:
        return cross_entropy(model(tokens[:, :-1]), tokens)

    def step(model: NnxLM, tokens: jax.Array) -> NnxLM:
        grads = nnx.grad(loss)(model, tokens)
        params = nnx.state(model, nnx.Param)
        nnx.update(model, jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads))
        return model

    return nnx.jit(step)


# --- Equinox: filter_vmap to build, partition + lax.scan to apply ------------------------------


class EqxLinear(eqx.Module):
    weight: jax.Array
    bias: jax.Array

    def __init__(self, i: int, o: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.weight + self.bias


class EqxBlock(eqx.Module):
    scale1: jax.Array
    scale2: jax.Array
    qkv: EqxLinear
    out: EqxLinear
    up: EqxLinear
    down: EqxLinear
    dropout: eqx.nn.Dropout

    def __init__(self, *, key: jax.Array) -> None:
        keys = jax.random.split(key, 4)
        self.scale1, self.scale2 = jnp.ones(DIM), jnp.ones(DIM)
        self.qkv = EqxLinear(DIM, 3 * DIM, key=keys[0])
        self.out = EqxLinear(DIM, DIM, key=keys[1])
        self.up = EqxLinear(DIM, 4 * DIM, key=keys[2])
        self.down = EqxLinear(4 * DIM, DIM, key=keys[3])
        self.dropout = eqx.nn.Dropout(RATE)

    def __call__(self, x: jax.Array, key: jax.Array) -> jax.Array:
        q, k, v = jnp.split(self.qkv(normalise(x, self.scale1)), 3, axis=-1)
        x = x + self.dropout(self.out(attention(q, k, v)), key=key)
        return x + self.down(jax.nn.gelu(self.up(normalise(x, self.scale2))))


class EqxLM(eqx.Module):
    embed: jax.Array
    blocks: EqxBlock
    head: EqxLinear

    def __init__(self, *, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = jax.random.normal(k1, (VOCAB, DIM))
        self.blocks = eqx.filter_vmap(lambda k: EqxBlock(key=k))(jax.random.split(k2, BLOCKS))
        self.head = EqxLinear(DIM, VOCAB, key=k3)

    def __call__(self, ids: jax.Array, key: jax.Array) -> jax.Array:
        dynamic, static = eqx.partition(self.blocks, eqx.is_array)

        def body(x: jax.Array, layer: tuple[Any, jax.Array]) -> tuple[jax.Array, None]:
            params, key = layer
            return eqx.combine(params, static)(x, key), None

        x, _ = jax.lax.scan(body, self.embed[ids], (dynamic, jax.random.split(key, BLOCKS)))
        return self.head(x)


def eqx_step_function() -> Callable[[Any, jax.Array], Any]:
    def loss(model: EqxLM, tokens: jax.Array, key: jax.Array) -> jax.Array:
        return cross_entropy(model(tokens[:, :-1], key), tokens)

    def step(state: tuple[EqxLM, jax.Array], tokens: jax.Array) -> tuple[EqxLM, jax.Array]:
        model, key = state
        key, sub = jax.random.split(key)
        grads = eqx.filter_grad(loss)(model, tokens, sub)
        return eqx.apply_updates(model, jax.tree.map(lambda g: -LEARNING_RATE * g, grads)), key

    return eqx.filter_jit(step)


# --- timing -------------------------------------------------------------------------------------


def variants() -> dict[str, tuple[Callable[[], Callable[[Any, jax.Array], Any]], Any]]:
    """name -> (a function making a fresh step function, the initial model)."""
    key = jax.random.key(0)
    stack_lm, loop_lm = px_models(key)
    return {
        "px.stack": (px_step_function, stack_lm),
        "px loop (tuple)": (px_step_function, loop_lm),
        "nnx.vmap+scan": (nnx_step_function, NnxLM(nnx.Rngs(0))),
        "eqx.filter_vmap+scan": (eqx_step_function, (EqxLM(key=key), jax.random.key(1))),
    }


def block(tree: Any) -> None:
    jax.block_until_ready(jax.tree.leaves(nnx.state(tree) if isinstance(tree, nnx.Module) else tree))


def first_call(make: Callable[[], Callable[[Any, jax.Array], Any]], model: Any, tokens: jax.Array) -> tuple[float, Any, Any]:
    """Seconds to wrap a fresh step function and call it once; the function and the model after it."""
    if isinstance(model, nnx.Module):
        model = nnx.clone(model)  # nnx.jit updates the model in place
    start = time.perf_counter()
    step = make()
    out = step(model, tokens)
    block(out)
    seconds = time.perf_counter() - start
    return seconds, step, model if isinstance(model, nnx.Module) else out


def step_time(step: Callable[[Any, jax.Array], Any], model: Any, tokens: jax.Array, steps: int) -> tuple[float, Any]:
    block(model)
    start = time.perf_counter()
    for _ in range(steps):
        out = step(model, tokens)
        model = model if isinstance(model, nnx.Module) else out
    block(model)
    return (time.perf_counter() - start) / steps, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compile-rounds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    tokens = jax.random.randint(jax.random.key(2), (BATCH, LENGTH + 1), 0, VOCAB)
    found = variants()

    compile_samples: dict[str, list[float]] = {name: [] for name in found}
    steps: dict[str, Callable[[Any, jax.Array], Any]] = {}
    models: dict[str, Any] = {}
    for _ in range(args.compile_rounds):
        for name, (make, model) in found.items():
            seconds, steps[name], models[name] = first_call(make, model, tokens)
            compile_samples[name].append(seconds)

    step_samples: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(args.rounds):
        for name in found:
            seconds, models[name] = step_time(steps[name], models[name], tokens, args.steps)
            step_samples[name].append(seconds)

    first = {name: statistics.median(s) for name, s in compile_samples.items()}
    step = {name: statistics.median(s) for name, s in step_samples.items()}
    print(
        f"JAX {jax.__version__} on {jax.devices()[0].platform}: {BLOCKS} blocks, dim {DIM}, {HEADS} heads, "
        f"length {LENGTH}, batch {BATCH}, vocab {VOCAB}, dropout {RATE}; medians of "
        f"{args.compile_rounds} first calls and {args.rounds} rounds x {args.steps} steps"
    )
    print(f"  {'variant':<24}{'first call':>12}{'loop / this':>13}{'step':>11}{'this / loop':>13}")
    loop = "px loop (tuple)"
    for name in found:
        print(
            f"  {name:<24}{first[name]:>10.2f} s{first[loop] / first[name]:>12.1f}x"
            f"{step[name] * 1e3:>8.2f} ms{step[name] / step[loop]:>12.2f}x"
        )


if __name__ == "__main__":
    main()
