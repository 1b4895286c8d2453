"""Scan over layers: a transformer LM train step with 12 blocks, six ways.

- `px.stack`: the blocks as a `px.Stacked` (one `lax.scan`);
- `px loop (tuple)`: the same purepax blocks as a tuple, called in a Python loop (12
  copies of the block in the traced program);
- `nnx.vmap+scan`: Flax NNX's recipe (`nnx.split_rngs` + `nnx.vmap` to build,
  `nnx.scan` with `in_axes=(nnx.Carry, 0)` to apply), `nnx.Optimizer`;
- `eqx.filter_vmap+scan`: Equinox's recipe (`eqx.filter_vmap` to build, `eqx.partition`
  the blocks, `lax.scan` over the arrays and `eqx.combine` in the body), optax;
- `raw JAX lax.scan`: no library: a dict of stacked arrays, the block a function applied
  with `jax.lax.scan`, the dropout keys carried beside the parameters. The floor: what a
  scan over layers costs XLA, whoever writes it;
- `raw JAX loop`: the same functions, the blocks a list of dicts called in a Python loop.

The model is `examples/char_lm.py`'s at its default sizes (batch 32, context 64, width
128, 4 heads, bytes: vocabulary 256) with 12 blocks. Every block is the same pre-norm
transformer block, as char_lm's: layer norm (scale and bias), causal attention (query,
key and value from one linear layer, an output projection), dropout 0.1, layer norm, a
4x GELU MLP, dropout 0.1. The layers are written by hand in each library so that the
arithmetic is the same. Every step is `value_and_grad` of the next-token cross-entropy
and one optax update inside the library's jit: `--optimizer adamw` (the default) is
char_lm's without its schedule and decay mask (global-norm clipping to 1, AdamW with
weight decay 0.1), `--optimizer sgd` plain SGD.

Figures per variant, medians over interleaved rounds (each variant first in turn):
- first call: a freshly wrapped step function called once, less one steady-state step
  (so trace + lowering + XLA compile), in wall seconds and in CPU seconds of the process
  (steadier than wall time on a shared machine); and of it the XLA compile alone (JAX's
  `/jax/core/compile/backend_compile_duration` events);
- step: the steady-state time of one compiled step (chained calls, blocking at the end);
- with `--phases`, fresh step functions again, `.lower(...)` (trace + lowering) and
  `.compile()` timed apart.

    python benchmarks/stacked.py --phases      # 10 to 20 minutes on 2 shared CPU cores
    python benchmarks/stacked.py --optimizer sgd --compile-rounds 7 --rounds 7
    JAX_PLATFORMS=cuda python benchmarks/stacked.py --blocks 24   # on a GPU
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
import optax  # noqa: E402
from flax import nnx  # noqa: E402
from jaxtyping import Array, Float, PRNGKeyArray  # noqa: E402

import purepax as px  # noqa: E402
from purepax.optim import Optimizer  # noqa: E402

BLOCKS = 12
BATCH, LENGTH, DIM, HEADS, VOCAB, RATE = 32, 64, 128, 4, 256, 0.1  # char_lm's defaults


def make_tx(name: str) -> optax.GradientTransformation:
    if name == "sgd":
        return optax.sgd(0.05)
    return optax.chain(
        optax.clip_by_global_norm(1.0), optax.adamw(1e-3, weight_decay=0.1)
    )


def attention(q: jax.Array, k: jax.Array, v: jax.Array) -> jax.Array:
    t, d = q.shape[-2:]

    def heads(a: jax.Array) -> jax.Array:
        return a.reshape(*a.shape[:-1], HEADS, d // HEADS).swapaxes(-2, -3)

    scores = heads(q) @ heads(k).swapaxes(-1, -2) / (d // HEADS) ** 0.5
    scores = jnp.where(jnp.tril(jnp.ones((t, t), bool)), scores, -1e9)
    return (jax.nn.softmax(scores) @ heads(v)).swapaxes(-2, -3).reshape(q.shape)


def normalise(x: jax.Array, scale: jax.Array, bias: jax.Array) -> jax.Array:
    x = x - x.mean(-1, keepdims=True)
    return x * jax.lax.rsqrt((x**2).mean(-1, keepdims=True) + 1e-5) * scale + bias


def dropout(key: jax.Array, x: jax.Array) -> jax.Array:
    return jnp.where(jax.random.bernoulli(key, 1 - RATE, x.shape), x / (1 - RATE), 0.0)


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


class LayerNorm(px.Module):
    scale: Float[Array, "d"]
    bias: Float[Array, "d"]

    def __call__(self, x: jax.Array) -> jax.Array:
        return normalise(x, self.scale, self.bias)


class Dropout(px.StateModule):
    key: PRNGKeyArray

    def __call__(self, x: jax.Array) -> jax.Array:
        if not self.training:
            return x
        self.key, sub = jax.random.split(self.key)
        return dropout(sub, x)


class Block(px.Module):
    norm1: LayerNorm
    qkv: Linear
    out: Linear
    dropout1: Dropout
    norm2: LayerNorm
    up: Linear
    down: Linear
    dropout2: Dropout

    def __init__(self, *, key: jax.Array) -> None:
        keys = jax.random.split(key, 6)
        self.norm1, self.norm2 = (
            LayerNorm(jnp.ones(DIM), jnp.zeros(DIM)),
            LayerNorm(jnp.ones(DIM), jnp.zeros(DIM)),
        )
        self.qkv = Linear(DIM, 3 * DIM, key=keys[0])
        self.out = Linear(DIM, DIM, key=keys[1])
        self.up = Linear(DIM, 4 * DIM, key=keys[2])
        self.down = Linear(4 * DIM, DIM, key=keys[3])
        self.dropout1, self.dropout2 = Dropout(keys[4]), Dropout(keys[5])

    def __call__(self, x: jax.Array) -> jax.Array:
        q, k, v = jnp.split(self.qkv(self.norm1(x)), 3, axis=-1)
        x = x + self.dropout1(self.out(attention(q, k, v)))
        return x + self.dropout2(self.down(jax.nn.gelu(self.up(self.norm2(x)))))


class StackLM(px.Module):
    embed: Float[Array, "vocab d"]
    blocks: px.Stacked[Block]
    head: Linear

    def __call__(self, ids: jax.Array) -> jax.Array:
        return self.head(self.blocks(self.embed[ids]))


class LoopLM(px.Module):
    embed: Float[Array, "vocab d"]
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

    def step(state: tuple[Any, Optimizer], tokens: jax.Array) -> tuple[Any, Optimizer]:
        model, optimizer = state
        (_, model), grads = px.value_and_grad(loss, has_aux=True)(model, tokens)
        return optimizer.apply_gradients(model, grads)

    return px.jit(step)


# --- Flax NNX: nnx.vmap to build, nnx.scan to apply ------------------------------------------


class NnxLinear(nnx.Module):
    def __init__(self, i: int, o: int, rngs: nnx.Rngs) -> None:
        self.weight = nnx.Param(jax.random.normal(rngs.params(), (i, o)) / i**0.5)
        self.bias = nnx.Param(jnp.zeros(o))

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.weight[...] + self.bias[...]


class NnxLayerNorm(nnx.Module):
    def __init__(self) -> None:
        self.scale, self.bias = nnx.Param(jnp.ones(DIM)), nnx.Param(jnp.zeros(DIM))

    def __call__(self, x: jax.Array) -> jax.Array:
        return normalise(x, self.scale[...], self.bias[...])


class NnxBlock(nnx.Module):
    def __init__(self, rngs: nnx.Rngs) -> None:
        self.norm1 = NnxLayerNorm()
        self.qkv = NnxLinear(DIM, 3 * DIM, rngs)
        self.out = NnxLinear(DIM, DIM, rngs)
        self.dropout1 = nnx.Dropout(RATE, rngs=rngs)
        self.norm2 = NnxLayerNorm()
        self.up = NnxLinear(DIM, 4 * DIM, rngs)
        self.down = NnxLinear(4 * DIM, DIM, rngs)
        self.dropout2 = nnx.Dropout(RATE, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        q, k, v = jnp.split(self.qkv(self.norm1(x)), 3, axis=-1)
        x = x + self.dropout1(self.out(attention(q, k, v)))
        return x + self.dropout2(self.down(jax.nn.gelu(self.up(self.norm2(x)))))


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

    def step(state: tuple[NnxLM, nnx.Optimizer[NnxLM]], tokens: jax.Array) -> None:
        model, optimizer = state
        optimizer.update(model, nnx.grad(loss)(model, tokens))

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


class EqxLayerNorm(eqx.Module):
    scale: jax.Array
    bias: jax.Array

    def __call__(self, x: jax.Array) -> jax.Array:
        return normalise(x, self.scale, self.bias)


class EqxBlock(eqx.Module):
    norm1: EqxLayerNorm
    qkv: EqxLinear
    out: EqxLinear
    dropout1: eqx.nn.Dropout
    norm2: EqxLayerNorm
    up: EqxLinear
    down: EqxLinear
    dropout2: eqx.nn.Dropout

    def __init__(self, *, key: jax.Array) -> None:
        keys = jax.random.split(key, 4)
        self.norm1, self.norm2 = (
            EqxLayerNorm(jnp.ones(DIM), jnp.zeros(DIM)),
            EqxLayerNorm(jnp.ones(DIM), jnp.zeros(DIM)),
        )
        self.qkv = EqxLinear(DIM, 3 * DIM, key=keys[0])
        self.out = EqxLinear(DIM, DIM, key=keys[1])
        self.up = EqxLinear(DIM, 4 * DIM, key=keys[2])
        self.down = EqxLinear(4 * DIM, DIM, key=keys[3])
        self.dropout1, self.dropout2 = eqx.nn.Dropout(RATE), eqx.nn.Dropout(RATE)

    def __call__(self, x: jax.Array, key: jax.Array) -> jax.Array:
        key1, key2 = jax.random.split(key)
        q, k, v = jnp.split(self.qkv(self.norm1(x)), 3, axis=-1)
        x = x + self.dropout1(self.out(attention(q, k, v)), key=key1)
        return x + self.dropout2(
            self.down(jax.nn.gelu(self.up(self.norm2(x)))), key=key2
        )


class EqxLM(eqx.Module):
    embed: jax.Array
    blocks: EqxBlock
    head: EqxLinear

    def __init__(self, *, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = jax.random.normal(k1, (VOCAB, DIM))
        self.blocks = eqx.filter_vmap(lambda k: EqxBlock(key=k))(
            jax.random.split(k2, BLOCKS)
        )
        self.head = EqxLinear(DIM, VOCAB, key=k3)

    def __call__(self, ids: jax.Array, key: jax.Array) -> jax.Array:
        dynamic, static = eqx.partition(self.blocks, eqx.is_array)

        def body(x: jax.Array, layer: tuple[Any, jax.Array]) -> tuple[jax.Array, None]:
            params, key = layer
            return eqx.combine(params, static)(x, key), None

        x, _ = jax.lax.scan(
            body, self.embed[ids], (dynamic, jax.random.split(key, BLOCKS))
        )
        return self.head(x)


def eqx_step_function(
    tx: optax.GradientTransformation,
) -> Callable[[Any, jax.Array], Any]:
    def loss(model: EqxLM, tokens: jax.Array, key: jax.Array) -> jax.Array:
        return cross_entropy(model(tokens[:, :-1], key), tokens)

    def step(
        state: tuple[EqxLM, Any, jax.Array], tokens: jax.Array
    ) -> tuple[EqxLM, Any, jax.Array]:
        model, opt_state, key = state
        key, sub = jax.random.split(key)
        grads = eqx.filter_grad(loss)(model, tokens, sub)
        updates, opt_state = tx.update(
            grads, opt_state, eqx.filter(model, eqx.is_array)
        )
        return eqx.apply_updates(model, updates), opt_state, key

    return eqx.filter_jit(step)


# --- raw JAX: a dict of arrays, lax.scan or a Python loop ----------------------------------------


def raw_parameters(key: jax.Array) -> dict[str, Any]:
    def linear(key: jax.Array, i: int, o: int) -> dict[str, jax.Array]:
        return {"weight": jax.random.normal(key, (i, o)) / i**0.5, "bias": jnp.zeros(o)}

    def norm() -> dict[str, jax.Array]:
        return {"scale": jnp.ones(DIM), "bias": jnp.zeros(DIM)}

    def block(key: jax.Array) -> dict[str, Any]:
        keys = jax.random.split(key, 4)
        return {
            "norm1": norm(),
            "qkv": linear(keys[0], DIM, 3 * DIM),
            "out": linear(keys[1], DIM, DIM),
            "norm2": norm(),
            "up": linear(keys[2], DIM, 4 * DIM),
            "down": linear(keys[3], 4 * DIM, DIM),
        }

    k1, k2, k3 = jax.random.split(key, 3)
    return {
        "embed": jax.random.normal(k1, (VOCAB, DIM)),
        "blocks": jax.vmap(block)(jax.random.split(k2, BLOCKS)),
        "head": linear(k3, DIM, VOCAB),
    }


def raw_block(
    p: dict[str, Any], x: jax.Array, keys: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """One block: `keys` are its two dropout keys, returned advanced."""

    def linear(q: dict[str, jax.Array], x: jax.Array) -> jax.Array:
        return x @ q["weight"] + q["bias"]

    (key1, sub1), (key2, sub2) = jax.random.split(keys[0]), jax.random.split(keys[1])
    q, k, v = jnp.split(linear(p["qkv"], normalise(x, **p["norm1"])), 3, axis=-1)
    x = x + dropout(sub1, linear(p["out"], attention(q, k, v)))
    x = x + dropout(
        sub2,
        linear(p["down"], jax.nn.gelu(linear(p["up"], normalise(x, **p["norm2"])))),
    )
    return x, jnp.stack([key1, key2])


def raw_step_function(
    tx: optax.GradientTransformation, scan: bool
) -> Callable[[Any, jax.Array], Any]:
    def loss(
        params: dict[str, Any], keys: jax.Array, tokens: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        x = params["embed"][tokens[:, :-1]]
        if scan:
            x, keys = jax.lax.scan(
                lambda x, layer: raw_block(layer[0], x, layer[1]),
                x,
                (params["blocks"], keys),
            )
        else:
            advanced = []
            for p, block_keys in zip(params["blocks"], keys):
                x, block_keys = raw_block(p, x, block_keys)
                advanced.append(block_keys)
            keys = jnp.stack(advanced)
        logits = x @ params["head"]["weight"] + params["head"]["bias"]
        return cross_entropy(logits, tokens), keys

    def step(
        state: tuple[Any, jax.Array, Any], tokens: jax.Array
    ) -> tuple[Any, jax.Array, Any]:
        params, keys, opt_state = state
        (_, keys), grads = jax.value_and_grad(loss, has_aux=True)(params, keys, tokens)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), keys, opt_state

    return jax.jit(step)


# --- timing -------------------------------------------------------------------------------------


def variants(
    optimizer: str,
) -> dict[str, tuple[Callable[[], Callable[[Any, jax.Array], Any]], Any]]:
    """name -> (a function making a fresh step function, the initial training state)."""
    tx = make_tx(optimizer)
    key = jax.random.key(0)
    stack_lm, loop_lm = px_models(key)
    nnx_lm = NnxLM(nnx.Rngs(0))
    eqx_lm = EqxLM(key=key)
    stacked = raw_parameters(key)
    looped = dict(
        stacked,
        blocks=[
            jax.tree.map(lambda a, i=i: a[i], stacked["blocks"]) for i in range(BLOCKS)
        ],
    )
    keys = jax.random.split(jax.random.key(1), (BLOCKS, 2))
    return {
        "px.stack": (px_step_function, (stack_lm, Optimizer(tx, stack_lm))),
        "px loop (tuple)": (px_step_function, (loop_lm, Optimizer(tx, loop_lm))),
        "nnx.vmap+scan": (
            nnx_step_function,
            (nnx_lm, nnx.Optimizer(nnx_lm, tx, wrt=nnx.Param)),
        ),
        "eqx.filter_vmap+scan": (
            lambda: eqx_step_function(tx),
            (eqx_lm, tx.init(eqx.filter(eqx_lm, eqx.is_array)), jax.random.key(1)),
        ),
        "raw JAX lax.scan": (
            lambda: raw_step_function(tx, scan=True),
            (stacked, keys, tx.init(stacked)),
        ),
        "raw JAX loop": (
            lambda: raw_step_function(tx, scan=False),
            (looped, keys, tx.init(looped)),
        ),
    }


def is_nnx(state: Any) -> bool:
    return any(
        isinstance(x, nnx.Module)
        for x in jax.tree.leaves(state, is_leaf=lambda x: isinstance(x, nnx.Module))
    )


def block(state: Any) -> None:
    jax.block_until_ready(jax.tree.leaves(nnx.state(state) if is_nnx(state) else state))


class Clock:
    """Wall and CPU seconds (of the whole process, all threads) since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


_compile_seconds: list[float] = []


def _record(event: str, duration_secs: float, **kwargs: str | int) -> None:
    if event == "/jax/core/compile/backend_compile_duration":
        _compile_seconds.append(duration_secs)


def first_call(
    make: Callable[[], Callable[[Any, jax.Array], Any]], state: Any, tokens: jax.Array
) -> tuple[tuple[float, float, float], Callable[[Any, jax.Array], Any], Any]:
    """(wall, CPU, XLA compile) seconds to wrap a fresh step function and call it once;
    the function and the state after it."""
    if is_nnx(state):
        state = nnx.clone(state)  # nnx.jit updates model and optimizer in place
    _compile_seconds.clear()
    clock = Clock()
    step = make()
    out = step(state, tokens)
    block(state if out is None else out)
    wall, cpu = clock.read()
    return (wall, cpu, sum(_compile_seconds)), step, state if out is None else out


def lower(step: Any, state: Any, tokens: jax.Array) -> Any:
    """`step` traced and lowered (`jax.jit` through `.trace`; Equinox's and NNX's jit have `.lower`)."""
    if hasattr(step, "trace") and not is_nnx(state):
        return step.trace(state, tokens).lower()
    return step.lower(state, tokens)


def phases(
    make: Callable[[], Callable[[Any, jax.Array], Any]], state: Any, tokens: jax.Array
) -> tuple[float, ...]:
    """(wall, CPU) seconds to trace and lower a fresh step function, then (wall, CPU) to compile it."""
    clock = Clock()
    lowered = lower(make(), state, tokens)
    lowering = clock.read()
    clock = Clock()
    lowered.compile()
    return (*lowering, *clock.read())


def step_time(
    step: Callable[[Any, jax.Array], Any], state: Any, tokens: jax.Array, steps: int
) -> tuple[tuple[float, float], Any]:
    """(wall, CPU) seconds per compiled step; the state after them."""
    block(state)
    clock = Clock()
    for _ in range(steps):
        out = step(state, tokens)
        state = state if out is None else out
    block(state)
    wall, cpu = clock.read()
    return (wall / steps, cpu / steps), state


def median(samples: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.median(column) for column in zip(*samples))


def main() -> None:
    global BLOCKS
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--optimizer", choices=("adamw", "sgd"), default="adamw")
    parser.add_argument("--compile-rounds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument(
        "--phases",
        action="store_true",
        help="also time trace+lower and XLA compile apart",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated variant names (default: all)"
    )
    parser.add_argument(
        "--blocks",
        type=int,
        default=BLOCKS,
        help="blocks in the model (default: %(default)s)",
    )
    args = parser.parse_args()
    BLOCKS = args.blocks
    tokens = jax.random.randint(jax.random.key(2), (BATCH, LENGTH + 1), 0, VOCAB)
    found = variants(args.optimizer)
    if args.only:
        found = {name: found[name] for name in args.only.split(",")}
    jax.monitoring.register_event_duration_secs_listener(_record)

    first_samples: dict[str, list[tuple[float, ...]]] = {name: [] for name in found}
    phase_samples: dict[str, list[tuple[float, ...]]] = {name: [] for name in found}
    steps: dict[str, Callable[[Any, jax.Array], Any]] = {}
    states: dict[str, Any] = {}
    names = list(found)
    for round_ in range(args.compile_rounds):
        for name in (
            names[round_ % len(names) :] + names[: round_ % len(names)]
        ):  # each goes first in turn
            make, state = found[name]
            first_seconds, steps[name], states[name] = first_call(make, state, tokens)
            first_samples[name].append(first_seconds)
            if args.phases:
                phase_samples[name].append(phases(make, state, tokens))

    step_samples: dict[str, list[tuple[float, ...]]] = {name: [] for name in found}
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            seconds, states[name] = step_time(
                steps[name], states[name], tokens, args.steps
            )
            step_samples[name].append(seconds)

    first = {name: median(samples) for name, samples in first_samples.items()}
    step = {name: median(samples) for name, samples in step_samples.items()}
    # The first call also runs one step: without it, it is trace + lowering + XLA compile.
    build = {
        name: (first[name][0] - step[name][0], first[name][1] - step[name][1])
        for name in found
    }
    loop = "px loop (tuple)" if "px loop (tuple)" in found else next(iter(found))
    print(
        f"JAX {jax.__version__} on {jax.devices()[0].platform}: {BLOCKS} blocks, batch {BATCH}, context {LENGTH}, "
        f"width {DIM}, {HEADS} heads, vocab {VOCAB}, dropout {RATE}, {args.optimizer}; medians of "
        f"{args.compile_rounds} first calls and {args.rounds} rounds x {args.steps} steps"
    )
    print(
        "  first call minus one step (trace + lowering + XLA compile): wall seconds, CPU seconds"
    )
    print(
        f"  {'variant':<22}{'first call':>11}{'of it XLA':>11}{'loop / this':>13}{'CPU':>9}{'loop / this':>13}"
        f"{'step':>10}{'this / loop':>13}"
    )
    for name in found:
        print(
            f"  {name:<22}{build[name][0]:>9.2f} s{first[name][2]:>9.2f} s{build[loop][0] / build[name][0]:>12.1f}x"
            f"{build[name][1]:>7.2f} s{build[loop][1] / build[name][1]:>12.1f}x"
            f"{step[name][0] * 1e3:>7.{0 if step[name][0] > 0.1 else 2}f} ms{step[name][0] / step[loop][0]:>12.2f}x"
        )
    if args.phases:
        print(
            "  fresh step functions, .lower(...) then .compile(): wall seconds (CPU seconds)"
        )
        print(
            f"  {'variant':<22}{'trace+lower':>18}{'XLA compile':>18}{'loop / this':>13}"
        )
        phase = {name: median(samples) for name, samples in phase_samples.items()}
        for name, (lowering, lowering_cpu, compiling, compiling_cpu) in phase.items():
            ratio = (phase[loop][0] + phase[loop][2]) / (lowering + compiling)
            print(
                f"  {name:<22}{lowering:>8.2f} s ({lowering_cpu:>5.2f}){compiling:>8.2f} s ({compiling_cpu:>5.2f})"
                f"{ratio:>12.1f}x"
            )


if __name__ == "__main__":
    main()
