"""The main job's train step (`examples/char_lm.py`) in purepax, raw JAX, Equinox and Flax NNX.

One step of the character LM at the example's default sizes (context 64, width 128, 4
heads, 3 pre-norm blocks with dropout 0.1, batch 32): forward, backward, and the same
optax transformation (global-norm clipping, AdamW with warm-up and cosine decay, weight
decay on matrices), model and optimizer state in and out.

- `purepax`: the example's own `train_step` (`px.jit`, `px.value_and_grad` with the model
  updated by `px.purecall`, `Optimizer.apply_gradients`), blocks in a `px.Stacked`.
- `raw JAX`: hand-written functions over a dict of arrays, blocks stacked and applied with
  `jax.lax.scan`, dropout keys carried in the dict, `jax.jit`.
- `Equinox`: `eqx.nn` layers, blocks made with `eqx.filter_vmap` and scanned
  (`eqx.partition`/`combine`), a dropout key per step; its default API, `eqx.filter_jit`,
  and its documented fast path ("Low-overhead training loops" in Equinox's tricks): model
  and optimizer state flattened once, their leaves carried through a `jax.jit` step.
- `Flax NNX`: `nnx` layers, blocks made with `nnx.vmap` and scanned with `nnx.scan`,
  dropout streams as module state, `nnx.Optimizer`; its default API, `nnx.jit`, and its
  fast paths: `nnx.cached_partial` and the "Functional training loop" (`nnx.split` once, a
  `jax.jit` step over the state) from Flax's "Performance considerations" guide, and
  `nnx.jit_partial(..., graph=False)` (tree mode).

All start from the same weights; their eval-mode losses are checked to agree before
timing. After timing, every variant's eval-mode loss must have moved, and each peer's fast
path must end where its default API ends (same program, same keys, same steps), so a
variant whose calls did nothing fails the run. Each round times `--steps` chained steps of
every variant, blocking once at the end (as a training loop does); rounds are interleaved,
each variant first in turn; the table gives the median per step and the ratio to raw JAX.

    python benchmarks/train_step.py            # about 3 minutes on 2 quiet CPU cores
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from flax import nnx

import purepax as px

_spec = importlib.util.spec_from_file_location(
    "char_lm", Path(__file__).resolve().parent.parent / "examples" / "char_lm.py"
)
assert _spec is not None and _spec.loader is not None
char_lm = importlib.util.module_from_spec(_spec)
sys.modules["char_lm"] = char_lm
_spec.loader.exec_module(char_lm)

CONFIG = {
    "context": 64,
    "dim": 128,
    "heads": 4,
    "layers": 3,
    "dropout": 0.1,
    "batch": 32,
    "seed": 0,
    "lr": 2e-3,
    "warmup": 100,
    "decay_steps": 1200,
    "data": None,
}
VOCAB = 256


def make_tx() -> optax.GradientTransformation:
    """The example's optax transformation (the same function builds purepax's)."""
    schedule = optax.warmup_cosine_decay_schedule(
        0.0, CONFIG["lr"], CONFIG["warmup"], CONFIG["decay_steps"], CONFIG["lr"] / 10
    )
    return optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.adamw(schedule, weight_decay=0.1, mask=matrices),
    )


def matrices(params: Any) -> Any:
    """The example's weight-decay mask for any of the four layouts: matrices only; the
    stacked blocks (under a key or attribute named `blocks`) have a leading block axis."""

    def is_matrix(path: tuple[Any, ...], p: Any) -> bool:
        stacked = any(
            "blocks" in (getattr(k, "name", None), getattr(k, "key", None))
            for k in path
        )
        return bool(p.ndim - stacked >= 2)

    return jax.tree_util.tree_map_with_path(is_matrix, params)


def cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
    return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()


def attention(q: jax.Array, k: jax.Array, v: jax.Array, heads: int) -> jax.Array:
    """Causal multi-head attention on projected `(*batch, time, dim)` arrays (as nn.MultiHeadAttention)."""
    d = q.shape[-1] // heads
    split = lambda x: x.reshape(*x.shape[:-1], heads, d)  # noqa: E731
    scores = jnp.einsum("...qhd,...khd->...hqk", split(q) / math.sqrt(d), split(k))
    t = q.shape[-2]
    scores = jnp.where(
        jnp.tril(jnp.ones((t, t), bool)), scores, jnp.finfo(scores.dtype).min
    )
    out = jnp.einsum("...hqk,...khd->...qhd", jax.nn.softmax(scores, axis=-1), split(v))
    return out.reshape(*out.shape[:-2], heads * d)


def dropout(x: jax.Array, key: jax.Array, rate: float) -> jax.Array:
    keep = jax.random.bernoulli(key, 1 - rate, x.shape)
    return jnp.where(keep, x / (1 - rate), 0)


def layer_norm(x: jax.Array, scale: jax.Array, bias: jax.Array) -> jax.Array:
    mean = x.mean(-1, keepdims=True)
    var = jnp.square(x - mean).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + 1e-5) * scale + bias


# --- raw JAX ------------------------------------------------------------------------------


def raw_params(model: Any) -> dict[str, Any]:
    b = model.blocks.layers
    lin = lambda l: {"w": l.weight, "b": l.bias}  # noqa: E731
    return {
        "tok": model.token_embedding.weight,
        "pos": model.position_embedding.weight,
        "blocks": {
            "ln1": {"scale": b.attention_norm.scale, "bias": b.attention_norm.bias},
            "q": lin(b.attention.q_proj),
            "k": lin(b.attention.k_proj),
            "v": lin(b.attention.v_proj),
            "o": lin(b.attention.out_proj),
            "ln2": {"scale": b.mlp_norm.scale, "bias": b.mlp_norm.bias},
            "fc1": lin(b.mlp_in),
            "fc2": lin(b.mlp_out),
        },
        "lnf": {"scale": model.final_norm.scale, "bias": model.final_norm.bias},
        "head": lin(model.head),
    }


def raw_forward(
    params: dict[str, Any], keys: jax.Array | None, ids: jax.Array
) -> tuple[jax.Array, jax.Array | None]:
    x = params["tok"][ids] + params["pos"][jnp.arange(ids.shape[-1])]
    lin = lambda p, h: h @ p["w"] + p["b"]  # noqa: E731

    def block(
        x: jax.Array, layer: tuple[dict[str, Any], jax.Array | None]
    ) -> tuple[jax.Array, jax.Array | None]:
        p, key = layer
        new_key = None
        if key is not None:
            key1, sub1 = jax.random.split(key[0])
            key2, sub2 = jax.random.split(key[1])
            new_key = jnp.stack([key1, key2])
        h = layer_norm(x, p["ln1"]["scale"], p["ln1"]["bias"])
        h = lin(
            p["o"],
            attention(lin(p["q"], h), lin(p["k"], h), lin(p["v"], h), CONFIG["heads"]),
        )
        x = x + (dropout(h, sub1, CONFIG["dropout"]) if key is not None else h)
        h = lin(
            p["fc2"],
            jax.nn.gelu(
                lin(p["fc1"], layer_norm(x, p["ln2"]["scale"], p["ln2"]["bias"]))
            ),
        )
        return x + (
            dropout(h, sub2, CONFIG["dropout"]) if key is not None else h
        ), new_key

    x, new_keys = jax.lax.scan(block, x, (params["blocks"], keys))
    return lin(
        params["head"], layer_norm(x, params["lnf"]["scale"], params["lnf"]["bias"])
    ), new_keys


@jax.jit
def raw_step(
    params: Any, keys: jax.Array, opt_state: Any, x: jax.Array, y: jax.Array
) -> tuple[Any, jax.Array, Any, jax.Array]:
    def loss_fn(params: Any) -> tuple[jax.Array, jax.Array]:
        logits, new_keys = raw_forward(params, keys, x)
        return cross_entropy(logits, y), new_keys

    (loss, keys), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    updates, opt_state = TX.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), keys, opt_state, loss


# --- Equinox ------------------------------------------------------------------------------


class EqxBlock(eqx.Module):
    ln1: eqx.nn.LayerNorm
    q: eqx.nn.Linear
    k: eqx.nn.Linear
    v: eqx.nn.Linear
    o: eqx.nn.Linear
    ln2: eqx.nn.LayerNorm
    fc1: eqx.nn.Linear
    fc2: eqx.nn.Linear
    drop: eqx.nn.Dropout

    def __init__(self, key: jax.Array) -> None:
        d, keys = CONFIG["dim"], jax.random.split(key, 6)
        self.ln1, self.ln2 = eqx.nn.LayerNorm(d), eqx.nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (eqx.nn.Linear(d, d, key=k) for k in keys[:4])
        self.fc1, self.fc2 = (
            eqx.nn.Linear(d, 4 * d, key=keys[4]),
            eqx.nn.Linear(4 * d, d, key=keys[5]),
        )
        self.drop = eqx.nn.Dropout(CONFIG["dropout"])

    def __call__(
        self, x: jax.Array, key: jax.Array | None
    ) -> jax.Array:  # x: (time, dim)
        inference = key is None
        k1, k2 = jax.random.split(key) if key is not None else (None, None)
        h = jax.vmap(self.ln1)(x)
        h = jax.vmap(self.o)(
            attention(
                jax.vmap(self.q)(h),
                jax.vmap(self.k)(h),
                jax.vmap(self.v)(h),
                CONFIG["heads"],
            )
        )
        x = x + self.drop(h, key=k1, inference=inference)
        h = jax.vmap(self.fc2)(jax.nn.gelu(jax.vmap(self.fc1)(jax.vmap(self.ln2)(x))))
        return x + self.drop(h, key=k2, inference=inference)


class EqxLM(eqx.Module):
    tok: eqx.nn.Embedding
    pos: eqx.nn.Embedding
    blocks: EqxBlock
    lnf: eqx.nn.LayerNorm
    head: eqx.nn.Linear

    def __init__(self, ours: Any) -> None:
        d, key = CONFIG["dim"], jax.random.key(1)
        self.tok = eqx.nn.Embedding(weight=ours.token_embedding.weight)
        self.pos = eqx.nn.Embedding(weight=ours.position_embedding.weight)
        blocks = eqx.filter_vmap(EqxBlock)(jax.random.split(key, CONFIG["layers"]))
        b = ours.blocks.layers
        t = lambda w: jnp.swapaxes(w, -1, -2)  # noqa: E731  (in, out) -> Equinox's (out, in)
        where = lambda m: (
            m.ln1.weight,
            m.ln1.bias,
            m.q.weight,
            m.q.bias,
            m.k.weight,
            m.k.bias,
            m.v.weight,  # noqa: E731
            m.v.bias,
            m.o.weight,
            m.o.bias,
            m.ln2.weight,
            m.ln2.bias,
            m.fc1.weight,
            m.fc1.bias,
            m.fc2.weight,
            m.fc2.bias,
        )
        a = b.attention
        self.blocks = eqx.tree_at(
            where,
            blocks,
            (
                b.attention_norm.scale,
                b.attention_norm.bias,
                t(a.q_proj.weight),
                a.q_proj.bias,
                t(a.k_proj.weight),
                a.k_proj.bias,
                t(a.v_proj.weight),
                a.v_proj.bias,
                t(a.out_proj.weight),
                a.out_proj.bias,
                b.mlp_norm.scale,
                b.mlp_norm.bias,
                t(b.mlp_in.weight),
                b.mlp_in.bias,
                t(b.mlp_out.weight),
                b.mlp_out.bias,
            ),
        )
        self.lnf = eqx.tree_at(
            lambda m: (m.weight, m.bias),
            eqx.nn.LayerNorm(d),
            (ours.final_norm.scale, ours.final_norm.bias),
        )
        self.head = eqx.tree_at(
            lambda m: (m.weight, m.bias),
            eqx.nn.Linear(d, VOCAB, key=key),
            (t(ours.head.weight), ours.head.bias),
        )

    def __call__(
        self, ids: jax.Array, key: jax.Array | None
    ) -> jax.Array:  # ids: (time,)
        x = jax.vmap(self.tok)(ids) + jax.vmap(self.pos)(jnp.arange(ids.shape[0]))
        dynamic, static = eqx.partition(self.blocks, eqx.is_array)
        keys = None if key is None else jax.random.split(key, CONFIG["layers"])

        def body(x: jax.Array, layer: tuple[Any, Any]) -> tuple[jax.Array, None]:
            return eqx.combine(layer[0], static)(x, layer[1]), None

        x, _ = jax.lax.scan(body, x, (dynamic, keys))
        return jax.vmap(self.head)(jax.vmap(self.lnf)(x))


def eqx_train(
    model: EqxLM, opt_state: Any, x: jax.Array, y: jax.Array, key: jax.Array
) -> tuple[EqxLM, Any, jax.Array, jax.Array]:
    key, sub = jax.random.split(key)

    def loss_fn(model: EqxLM) -> jax.Array:
        return cross_entropy(jax.vmap(model)(x, jax.random.split(sub, x.shape[0])), y)

    loss, grads = eqx.filter_value_and_grad(loss_fn)(model)
    updates, opt_state = TX.update(
        grads, opt_state, eqx.filter(model, eqx.is_inexact_array)
    )
    return eqx.apply_updates(model, updates), opt_state, loss, key


eqx_step = eqx.filter_jit(eqx_train)


def eqx_flat_step(
    model: EqxLM, opt_state: Any
) -> tuple[Callable[..., Any], list[jax.Array], Callable[[list[jax.Array]], EqxLM]]:
    """Equinox's "Low-overhead training loops" (its docs/tricks.md): flatten model and
    optimizer state once and carry the leaves through the jitted step, which unflattens them
    inside. The model's non-array leaves (dropout's rate and flag) are partitioned out once
    first, so that plain `jax.jit` takes the leaves.

    Returns the step `(leaves, x, y, key) -> (leaves, loss, key)`, the first leaves, and a
    function from leaves back to the model."""
    dynamic, static = eqx.partition(model, eqx.is_array)
    leaves, treedef = jax.tree_util.tree_flatten((dynamic, opt_state))

    def unflatten(leaves: list[jax.Array]) -> tuple[EqxLM, Any]:
        dynamic, opt_state = jax.tree_util.tree_unflatten(treedef, leaves)
        return eqx.combine(dynamic, static), opt_state

    @jax.jit
    def step(
        leaves: list[jax.Array], x: jax.Array, y: jax.Array, key: jax.Array
    ) -> tuple[list[jax.Array], jax.Array, jax.Array]:
        model, opt_state, loss, key = eqx_train(*unflatten(leaves), x, y, key)
        return (
            jax.tree_util.tree_leaves((eqx.filter(model, eqx.is_array), opt_state)),
            loss,
            key,
        )

    return step, leaves, lambda leaves: unflatten(leaves)[0]


# --- Flax NNX -----------------------------------------------------------------------------


class NnxBlock(nnx.Module):
    def __init__(self, rngs: nnx.Rngs) -> None:
        d = CONFIG["dim"]
        self.ln1, self.ln2 = nnx.LayerNorm(d, rngs=rngs), nnx.LayerNorm(d, rngs=rngs)
        self.q, self.k, self.v, self.o = (nnx.Linear(d, d, rngs=rngs) for _ in range(4))
        self.fc1, self.fc2 = (
            nnx.Linear(d, 4 * d, rngs=rngs),
            nnx.Linear(4 * d, d, rngs=rngs),
        )
        self.drop1 = nnx.Dropout(CONFIG["dropout"], rngs=rngs)
        self.drop2 = nnx.Dropout(CONFIG["dropout"], rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = self.ln1(x)
        x = x + self.drop1(
            self.o(attention(self.q(h), self.k(h), self.v(h), CONFIG["heads"]))
        )
        return x + self.drop2(self.fc2(jax.nn.gelu(self.fc1(self.ln2(x)))))


class NnxLM(nnx.Module):
    def __init__(self, ours: Any) -> None:
        d, rngs = CONFIG["dim"], nnx.Rngs(params=1, dropout=2)
        self.tok = nnx.Embed(VOCAB, d, rngs=rngs)
        self.pos = nnx.Embed(CONFIG["context"], d, rngs=rngs)

        @nnx.split_rngs(splits=CONFIG["layers"])
        @nnx.vmap(in_axes=(0,), out_axes=0)
        def make(rngs: nnx.Rngs) -> NnxBlock:
            return NnxBlock(rngs)

        self.blocks = make(rngs)
        self.lnf = nnx.LayerNorm(d, rngs=rngs)
        self.head = nnx.Linear(d, VOCAB, rngs=rngs)
        b, a = ours.blocks.layers, ours.blocks.layers.attention
        self.tok.embedding.value = ours.token_embedding.weight
        self.pos.embedding.value = ours.position_embedding.weight
        for mine, theirs in (
            (self.blocks.q, a.q_proj),
            (self.blocks.k, a.k_proj),
            (self.blocks.v, a.v_proj),
            (self.blocks.o, a.out_proj),
            (self.blocks.fc1, b.mlp_in),
            (self.blocks.fc2, b.mlp_out),
            (self.head, ours.head),
        ):
            mine.kernel.value, mine.bias.value = theirs.weight, theirs.bias
        for mine, theirs in (
            (self.blocks.ln1, b.attention_norm),
            (self.blocks.ln2, b.mlp_norm),
            (self.lnf, ours.final_norm),
        ):
            mine.scale.value, mine.bias.value = theirs.scale, theirs.bias

    def __call__(self, ids: jax.Array) -> jax.Array:
        x = self.tok(ids) + self.pos(jnp.arange(ids.shape[-1]))

        @nnx.scan(in_axes=(nnx.Carry, 0), out_axes=nnx.Carry)
        def body(x: jax.Array, block: NnxBlock) -> jax.Array:
            return block(x)

        return self.head(self.lnf(body(x, self.blocks)))


def nnx_train(
    model: NnxLM, optimizer: nnx.Optimizer, x: jax.Array, y: jax.Array
) -> jax.Array:
    loss, grads = nnx.value_and_grad(lambda m: cross_entropy(m(x), y))(model)
    optimizer.update(model, grads)
    return loss


nnx_step = nnx.jit(nnx_train)


def nnx_functional_step(
    model: NnxLM, optimizer: nnx.Optimizer
) -> tuple[Callable[..., Any], Any, Callable[[Any], NnxLM]]:
    """Flax's performance guide, "Functional training loop": `nnx.split` once before the
    loop, a `jax.jit` step over the state that merges inside and returns the new state.

    Returns the step `(state, x, y) -> (state, loss)`, the first state, and a function from
    a state to the model."""
    graphdef, state = nnx.split((model, optimizer))

    @jax.jit
    def step(state: Any, x: jax.Array, y: jax.Array) -> tuple[Any, jax.Array]:
        model, optimizer = nnx.merge(graphdef, state)
        loss = nnx_train(model, optimizer, x, y)
        return nnx.state((model, optimizer)), loss

    return step, state, lambda state: nnx.merge(graphdef, state)[0]


# --- timing -------------------------------------------------------------------------------

TX = make_tx()


# name -> (step(carry, x, y) -> carry, first carry, eval-mode loss(carry, x, y)); every
# carry ends with the last training loss.
Variants = dict[
    str,
    tuple[
        Callable[[Any, jax.Array, jax.Array], Any],
        Any,
        Callable[[Any, jax.Array, jax.Array], jax.Array],
    ],
]

# Each peer's fast path runs the program of its default API from the same weights and
# random keys, so after the same steps it must hold the same model as the default.
DEFAULTS = {"Equinox": "Equinox (filter_jit)", "Flax NNX": "Flax NNX (nnx.jit)"}


def variants(ours: Any) -> Variants:
    optimizer = char_lm.make_optimizer(ours, CONFIG)
    params = raw_params(ours)
    raw_keys = jax.random.split(jax.random.key(3), CONFIG["layers"] * 2).reshape(
        CONFIG["layers"], 2
    )
    eqx_model = EqxLM(ours)
    eqx_opt_state = TX.init(eqx.filter(eqx_model, eqx.is_inexact_array))
    eqx_flat, eqx_leaves, eqx_unflatten = eqx_flat_step(eqx_model, eqx_opt_state)

    def nnx_pair() -> tuple[NnxLM, nnx.Optimizer]:
        """A model and optimizer of its own for each NNX variant (they update in place)."""
        model = NnxLM(ours)
        return model, nnx.Optimizer(model, TX, wrt=nnx.Param)

    nnx_model, nnx_opt = nnx_pair()
    cached_model, cached_opt = nnx_pair()
    cached = nnx.cached_partial(nnx_step, cached_model, cached_opt)
    partial_model, partial_opt = nnx_pair()
    jit_partial = nnx.jit_partial(nnx_train, partial_model, partial_opt, graph=False)
    functional, nnx_state, nnx_model_of = nnx_functional_step(*nnx_pair())

    def px_step(c: Any, x: jax.Array, y: jax.Array) -> Any:
        return char_lm.train_step(c[0], c[1], x, y)

    def raw(c: Any, x: jax.Array, y: jax.Array) -> Any:
        return raw_step(c[0], c[1], c[2], x, y)

    def eqx_(c: Any, x: jax.Array, y: jax.Array) -> Any:
        model, state, loss, key = eqx_step(c[0], c[1], x, y, c[2])
        return model, state, key, loss

    def eqx_leaves_(c: Any, x: jax.Array, y: jax.Array) -> Any:
        leaves, loss, key = eqx_flat(c[0], x, y, c[1])
        return leaves, key, loss

    def eqx_loss(model: EqxLM, x: jax.Array, y: jax.Array) -> jax.Array:
        return cross_entropy(jax.vmap(lambda i: model(i, None))(x), y)

    def nnx_loss(model: NnxLM, x: jax.Array, y: jax.Array) -> jax.Array:
        model.eval()
        loss = cross_entropy(model(x), y)
        model.train()
        return loss

    return {
        "raw JAX (jax.jit, dicts)": (
            raw,
            (params, raw_keys, TX.init(params), None),
            lambda c, x, y: cross_entropy(raw_forward(c[0], None, x)[0], y),
        ),
        "purepax (px.jit)": (
            px_step,
            (ours, optimizer, None),
            lambda c, x, y: cross_entropy(px.eval_mode(c[0])(x), y),
        ),
        "Equinox (filter_jit)": (
            eqx_,
            (eqx_model, eqx_opt_state, jax.random.key(4), None),
            lambda c, x, y: eqx_loss(c[0], x, y),
        ),
        "Equinox (leaves + jax.jit)": (
            eqx_leaves_,
            (eqx_leaves, jax.random.key(4), None),
            lambda c, x, y: eqx_loss(eqx_unflatten(c[0]), x, y),
        ),
        "Flax NNX (nnx.jit)": (
            lambda c, x, y: (*c[:2], nnx_step(c[0], c[1], x, y)),
            (nnx_model, nnx_opt, None),
            lambda c, x, y: nnx_loss(c[0], x, y),
        ),
        "Flax NNX (cached_partial)": (
            lambda c, x, y: (c[0], cached(x, y)),
            (cached_model, None),
            lambda c, x, y: nnx_loss(c[0], x, y),
        ),
        "Flax NNX (jit_partial, tree)": (
            lambda c, x, y: (c[0], jit_partial(x, y)),
            (partial_model, None),
            lambda c, x, y: nnx_loss(c[0], x, y),
        ),
        "Flax NNX (split + jax.jit)": (
            lambda c, x, y: functional(c[0], x, y),
            (nnx_state, None),
            lambda c, x, y: nnx_loss(nnx_model_of(c[0]), x, y),
        ),
    }


def eval_losses(
    runs: Variants, carries: dict[str, Any], x: jax.Array, y: jax.Array
) -> dict[str, float]:
    return {name: float(runs[name][2](carry, x, y)) for name, carry in carries.items()}


def time_steps(
    step: Callable[..., Any], carry: Any, x: jax.Array, y: jax.Array, n: int
) -> tuple[float, Any]:
    start = time.perf_counter()
    for _ in range(n):
        carry = step(carry, x, y)
    jax.block_until_ready(
        carry[-1]
    )  # the last loss (every variant's carry ends with it)
    return (time.perf_counter() - start) / n, carry


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=11, help="interleaved rounds (median taken)"
    )
    parser.add_argument(
        "--steps", type=int, default=10, help="chained steps per round and variant"
    )
    args = parser.parse_args()
    ours = char_lm.CharLM(
        **{k: CONFIG[k] for k in char_lm.MODEL_OPTIONS}, key=jax.random.key(0)
    )
    data = jax.random.randint(jax.random.key(5), (100_000,), 0, VOCAB).astype(jnp.uint8)
    x, y = char_lm.get_batch(data, 0, 0, CONFIG["batch"], CONFIG["context"])
    runs = variants(ours)
    live = {name: carry for name, (_, carry, _) in runs.items()}
    initial = eval_losses(runs, live, x, y)
    first = initial["purepax (px.jit)"]
    if any(abs(v - first) > 1e-4 for v in initial.values()):
        raise SystemExit(f"the models do not start from the same weights: {initial}")
    print(
        f"JAX {jax.__version__} on {jax.devices()[0].platform}; char_lm step: batch {CONFIG['batch']}, context "
        f"{CONFIG['context']}, width {CONFIG['dim']}, {CONFIG['layers']} blocks; {args.rounds} rounds x {args.steps} steps; "
        f"{os.cpu_count()} CPUs, load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    print(
        f"eval-mode loss of the shared initial weights: {first:.5f} in all {len(runs)}"
    )
    for name, (step, _, _) in runs.items():  # compile and warm up
        _, live[name] = time_steps(step, live[name], x, y, 2)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(args.rounds):
        for name in (
            names[round_ % len(names) :] + names[: round_ % len(names)]
        ):  # each goes first in turn
            seconds, live[name] = time_steps(
                runs[name][0], live[name], x, y, args.steps
            )
            samples[name].append(seconds)
    check_trained(eval_losses(runs, live, x, y), first)
    medians = {name: statistics.median(s) * 1e3 for name, s in samples.items()}
    raw = medians["raw JAX (jax.jit, dicts)"]
    print(f"  {'variant':<32}{'ms/step':>10}{'x raw JAX':>12}")
    for name, ms in medians.items():
        print(f"  {name:<32}{ms:>10.2f}{ms / raw:>12.3f}")


def check_trained(losses: dict[str, float], initial: float) -> None:
    """Fail unless every variant trained (its eval-mode loss moved from the shared start)
    and each peer's fast path holds the same model as its default API after the same steps."""
    untrained = {
        name: loss for name, loss in losses.items() if abs(loss - initial) < 1e-3
    }
    if untrained:
        raise SystemExit(
            f"these variants' eval-mode losses did not move from {initial:.5f}: {untrained}"
        )
    for name, loss in losses.items():
        default = next(
            (d for library, d in DEFAULTS.items() if name.startswith(library)), name
        )
        if abs(loss - losses[default]) > 1e-4:
            raise SystemExit(
                f"{name} ends at eval-mode loss {loss!r}, {default} at {losses[default]!r}: not the same steps"
            )
    print(
        "eval-mode loss after the timed steps: "
        + ", ".join(f"{name} {loss:.5f}" for name, loss in losses.items())
        + "\n"
    )


if __name__ == "__main__":
    main()
