"""Generation: decoding with a key-value cache against recomputing the prefix, and against Flax NNX.

The model is a small GPT (char_lm's shape: bytes, a learned position embedding, pre-norm
blocks of causal attention and a 4x GELU MLP, a final norm and a linear head), built once
in purepax (the blocks a `px.Stacked`, `nn.init_cache` for the caches) and once in Flax
NNX (`nnx.MultiHeadAttention(decode=True)`, `init_cache`, the blocks a list) with the
same weights. Every variant decodes a fixed sequence of `L` tokens one position per step
(teacher-forced, so that their outputs can be compared) in one compiled loop, and returns
the logits of every step:

- `purepax cached`: `px.jit` of a `px.scan` whose body is `px.purecall(decoder, token)`;
  caches of `max_length = L`. Twice: the blocks as a tuple called in a Python loop
  (`tuple`, NNX's layout: a list of blocks) and as the `px.Stacked` (`Stacked`: the loop
  carries the stack's weights one array per block, sliced once before it, and the stack
  runs its blocks unrolled, each writing its new position into the stacked caches in
  place);
- `nnx cached`: `jax.jit` of a `jax.lax.scan` whose body merges the model
  (`nnx.merge`), calls it on the token and splits it again (`nnx.split`), the functional
  NNX loop; caches of `max_length = L`;
- `purepax recompute`: no cache: each step runs the model on the whole prefix (padded
  to `L`, the future masked out, as a compiled loop must), so it costs `L` positions.
  Its cost does not depend on the step, so only the last `--recompute-steps` are run.

Then `purepax cached` again with caches of 1024 positions, timed on windows of
`--window` steps that end at positions 64 .. 1024 (the cache filled to the window's start
beforehand, not timed): the time per token against the position.

Timings are the median of `--rounds` interleaved rounds (every variant once per round,
the first one in turn; a sample repeats a short call to last 50 ms), after a
compile-and-check call. The goal "no slower than NNX" is
read on both layouts (tuple and Stacked, against NNX's list). Before timing, every variant's
logits are compared with one call of the model on the whole sequence; the script stops
with an error if any disagree (so what it times is what it claims to time).

    python benchmarks/generate.py --quick      # about a minute on 2 shared CPU cores
    python benchmarks/generate.py              # lengths 64 .. 1024, a few minutes
    JAX_PLATFORMS=cuda python benchmarks/generate.py --dim 512 --heads 8 --layers 6
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from flax import nnx  # noqa: E402

import purepax as px  # noqa: E402
from purepax import nn  # noqa: E402

VOCAB = 256
MAX_POSITION = 1024
SAMPLE = 0.05  # seconds: the shortest timed sample


# --- the model, in purepax -------------------------------------------------------------


class Block(px.Module):
    attention_norm: nn.LayerNorm
    attention: nn.MultiHeadAttention
    mlp_norm: nn.LayerNorm
    mlp_in: nn.Linear
    mlp_out: nn.Linear

    def __init__(self, dim: int, heads: int, *, key: jax.Array):
        k1, k2, k3 = jax.random.split(key, 3)
        self.attention_norm = nn.LayerNorm(dim)
        self.attention = nn.MultiHeadAttention(heads, dim, key=k1)
        self.mlp_norm = nn.LayerNorm(dim)
        self.mlp_in = nn.Linear(dim, 4 * dim, key=k2)
        self.mlp_out = nn.Linear(4 * dim, dim, key=k3)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = self.attention_norm(x)
        x = x + self.attention(h, h, h, causal=True)
        return x + self.mlp_out(jax.nn.gelu(self.mlp_in(self.mlp_norm(x))))


class GPT(px.Module):
    token_embedding: nn.Embedding
    position_embedding: nn.Embedding
    blocks: px.Stacked[Block] | tuple[Block, ...]
    final_norm: nn.LayerNorm
    head: nn.Linear

    def __init__(self, dim: int, heads: int, layers: int, *, key: jax.Array):
        keys = jax.random.split(key, 4)
        self.token_embedding = nn.Embedding(VOCAB, dim, key=keys[0])
        self.position_embedding = nn.Embedding(MAX_POSITION, dim, key=keys[1])
        self.blocks = px.stack(
            lambda k: Block(dim, heads, key=k), jax.random.split(keys[2], layers)
        )
        self.final_norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, VOCAB, key=keys[3])

    def __call__(self, ids: jax.Array) -> jax.Array:
        if isinstance(self.blocks, px.Stacked):
            cache = self.blocks.layers.attention.cache
            start = 0 if cache is None else cache.index[0]
        else:
            cache = self.blocks[0].attention.cache
            start = 0 if cache is None else cache.index
        x = self.token_embedding(ids) + self.position_embedding(
            start + jnp.arange(ids.shape[-1])
        )
        if isinstance(self.blocks, px.Stacked):
            x = self.blocks(x)
        else:
            for block in self.blocks:
                x = block(x)
        return self.head(self.final_norm(x))

    def unstacked(self) -> GPT:
        """The same model, its blocks a tuple called in a Python loop (as NNX's list)."""
        assert isinstance(self.blocks, px.Stacked)
        return px.replace(self, blocks=self.blocks.unstack())


# Every length and layout compiles apart, on purpose: no RetraceWarning.
@px.jit(max_traces=None)
def full(model: GPT, ids: jax.Array) -> jax.Array:
    return model(ids)


@px.jit(max_traces=None)
def decode_cached(decoder: GPT, ids: jax.Array) -> tuple[GPT, jax.Array]:
    """Feed `ids` (batch, steps) one position per step; the logits of every step."""

    def step(decoder: GPT, token: jax.Array) -> tuple[GPT, jax.Array]:
        decoder, logits = px.purecall(decoder, token[:, None])
        return decoder, logits[:, 0]

    decoder, logits = px.scan(step, decoder, ids.T)
    return decoder, logits.swapaxes(0, 1)


@px.jit(static_argnames="steps", max_traces=None)
def decode_recompute(model: GPT, ids: jax.Array, steps: int) -> jax.Array:
    """The last `steps` steps of L without a cache: each runs the model on the prefix so
    far (padded to L: the tokens after the step are zeros, masked out by causality)."""
    length = ids.shape[1]

    def step(model: GPT, position: jax.Array) -> tuple[GPT, jax.Array]:
        prefix = jnp.where(jnp.arange(length) <= position, ids, 0)
        return model, jax.lax.dynamic_index_in_dim(
            model(prefix), position, axis=1, keepdims=False
        )

    _, logits = px.scan(step, model, jnp.arange(length - steps, length))
    return logits.swapaxes(0, 1)


# --- the same model, in Flax NNX -------------------------------------------------------


class NNXBlock(nnx.Module):
    def __init__(self, dim: int, heads: int, rngs: nnx.Rngs):
        self.attention_norm = nnx.LayerNorm(dim, epsilon=1e-5, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(heads, dim, decode=True, rngs=rngs)
        self.mlp_norm = nnx.LayerNorm(dim, epsilon=1e-5, rngs=rngs)
        self.mlp_in = nnx.Linear(dim, 4 * dim, rngs=rngs)
        self.mlp_out = nnx.Linear(4 * dim, dim, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = self.attention_norm(x)
        x = x + self.attention(h, h, h)
        return x + self.mlp_out(jax.nn.gelu(self.mlp_in(self.mlp_norm(x))))


class NNXGPT(nnx.Module):
    def __init__(self, dim: int, heads: int, layers: int, rngs: nnx.Rngs):
        self.token_embedding = nnx.Embed(VOCAB, dim, rngs=rngs)
        self.position_embedding = nnx.Embed(MAX_POSITION, dim, rngs=rngs)
        self.blocks = nnx.List([NNXBlock(dim, heads, rngs) for _ in range(layers)])
        self.final_norm = nnx.LayerNorm(dim, epsilon=1e-5, rngs=rngs)
        self.head = nnx.Linear(dim, VOCAB, rngs=rngs)

    def __call__(self, token: jax.Array, position: jax.Array) -> jax.Array:
        x = self.token_embedding(token) + self.position_embedding(position)
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_norm(x))


def nnx_copy(model: GPT, dim: int, heads: int) -> NNXGPT:
    """The NNX model with `model`'s weights."""
    layers = (
        len(model.blocks.unstack())
        if isinstance(model.blocks, px.Stacked)
        else len(model.blocks)
    )
    theirs = NNXGPT(dim, heads, layers, nnx.Rngs(0))
    theirs.token_embedding.embedding[...] = model.token_embedding.weight
    theirs.position_embedding.embedding[...] = model.position_embedding.weight
    d = dim // heads

    def norm(to: nnx.LayerNorm, ours: nn.LayerNorm) -> None:
        to.scale[...], to.bias[...] = ours.scale, ours.bias  # type: ignore[index]

    def linear(to: nnx.Linear, ours: nn.Linear) -> None:
        to.kernel[...], to.bias[...] = ours.weight, ours.bias  # type: ignore[index]

    assert isinstance(model.blocks, px.Stacked)
    for i, block in enumerate(model.blocks):
        to = theirs.blocks[i]
        norm(to.attention_norm, block.attention_norm)
        norm(to.mlp_norm, block.mlp_norm)
        linear(to.mlp_in, block.mlp_in)
        linear(to.mlp_out, block.mlp_out)
        attention = block.attention
        for proj, ours in (
            (to.attention.query, attention.q_proj),
            (to.attention.key, attention.k_proj),
            (to.attention.value, attention.v_proj),
        ):
            proj.kernel[...] = ours.weight.reshape(dim, heads, d)
            proj.bias[...] = ours.bias.reshape(heads, d)  # type: ignore[union-attr]
        to.attention.out.kernel[...] = attention.out_proj.weight.reshape(heads, d, dim)
        to.attention.out.bias[...] = attention.out_proj.bias
    norm(theirs.final_norm, model.final_norm)
    linear(theirs.head, model.head)
    return theirs


def nnx_decoder(
    model: NNXGPT, batch: int, max_length: int
) -> tuple[Callable[..., Any], Any]:
    """A jitted NNX decode loop and the model's state with empty caches of `max_length`."""
    dim = model.token_embedding.embedding.shape[1]
    for block in model.blocks:
        block.attention.init_cache((batch, max_length, dim))
    graphdef, state = nnx.split(model)

    @jax.jit
    def decode(state: Any, ids: jax.Array) -> tuple[Any, jax.Array]:
        def step(state: Any, xs: tuple[jax.Array, jax.Array]) -> tuple[Any, jax.Array]:
            token, position = xs
            model = nnx.merge(graphdef, state)
            logits = model(token[:, None], position[None])
            return nnx.split(model)[1], logits[:, 0]

        state, logits = jax.lax.scan(step, state, (ids.T, jnp.arange(ids.shape[1])))
        return state, logits.swapaxes(0, 1)

    return decode, state


# --- timing ----------------------------------------------------------------------------


def check(name: str, got: jax.Array, want: jax.Array, tolerance: float) -> None:
    error = float(jnp.max(jnp.abs(got - want)))
    if not error <= tolerance:
        sys.exit(
            f"generate.py: {name}: its logits differ from the full model's by {error:.3g} "
            f"(tolerance {tolerance:g}); it does not compute what is timed, so nothing is reported."
        )


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Seconds per call of `fn`, over `repeat` calls in a row."""
    start = time.perf_counter()
    for _ in range(repeat):
        jax.block_until_ready(fn())
    return (time.perf_counter() - start) / repeat


def interleaved(
    variants: dict[str, Callable[[], Any]], rounds: int
) -> dict[str, float]:
    """Median seconds per call of each variant over `rounds` rounds, each round starting
    with the next one. A sample repeats the call to last about `SAMPLE` seconds (as
    many calls for every variant, set by the fastest), so that a call of a few
    milliseconds is not timed alone on a loaded machine."""
    names = list(variants)
    fastest = min(timed(variant) for variant in variants.values())
    repeat = max(1, round(SAMPLE / fastest))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(timed(variants[name], repeat))
    return {name: statistics.median(s) for name, s in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="lengths 64 and 1024 only, 5 rounds"
    )
    parser.add_argument(
        "--lengths", type=int, nargs="+", default=[64, 128, 256, 512, 1024]
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--recompute-steps", type=int, default=8)
    parser.add_argument("--window", type=int, default=32)
    args = parser.parse_args()
    if args.quick:
        args.lengths, args.rounds = [64, 1024], 5
    if max(args.lengths) > MAX_POSITION or min(args.lengths) < max(
        args.window, args.recompute_steps
    ):
        parser.error(
            f"--lengths must be from max(--window, --recompute-steps) to {MAX_POSITION}"
        )

    model = GPT(args.dim, args.heads, args.layers, key=jax.random.key(0))
    theirs = nnx_copy(model, args.dim, args.heads)
    ids = jax.random.randint(jax.random.key(1), (args.batch, MAX_POSITION), 0, VOCAB)
    reference = full(model, ids)
    tolerance = 1e-3 * float(jnp.max(jnp.abs(reference))) + 1e-4
    print(
        f"purepax generation benchmark: {jax.devices()[0].device_kind} ({jax.default_backend()}), JAX "
        f"{jax.__version__}, Flax {__import__('flax').__version__}; dim {args.dim}, {args.heads} heads, "
        f"{args.layers} blocks, batch {args.batch}; median of {args.rounds} interleaved rounds\n"
    )

    print(
        "tokens/s (higher is better); purepax's blocks as a tuple (NNX's layout: a list) and as a px.Stacked"
    )
    print(
        f"{'length':>7} {'tuple':>9} {'Stacked':>9} {'nnx':>9} {'recompute':>10}  {'tuple/nnx':>10} "
        f"{'Stacked/nnx':>12} {'tuple/recompute':>16}"
    )
    unstacked = model.unstacked()
    rows = []
    for length in args.lengths:
        x = ids[:, :length]
        decoder, tuple_decoder = (
            nn.init_cache(model, args.batch, length),
            nn.init_cache(unstacked, args.batch, length),
        )
        nnx_decode, nnx_state = nnx_decoder(theirs, args.batch, length)
        check(
            "purepax cached (Stacked)",
            decode_cached(decoder, x)[1],
            reference[:, :length],
            tolerance,
        )
        check(
            "purepax cached (tuple)",
            decode_cached(tuple_decoder, x)[1],
            reference[:, :length],
            tolerance,
        )
        check(
            "nnx cached", nnx_decode(nnx_state, x)[1], reference[:, :length], tolerance
        )
        check(
            "purepax recompute",
            decode_recompute(model, x, args.recompute_steps),
            reference[:, length - args.recompute_steps : length],
            tolerance,
        )
        seconds = interleaved(
            {
                "tuple": lambda: decode_cached(tuple_decoder, x),
                "Stacked": lambda: decode_cached(decoder, x),
                "nnx": lambda: nnx_decode(nnx_state, x),
                "recompute": lambda: decode_recompute(model, x, args.recompute_steps),
            },
            args.rounds,
        )
        steps = {
            "tuple": length,
            "Stacked": length,
            "nnx": length,
            "recompute": args.recompute_steps,
        }
        rates = {
            name: steps[name] * args.batch / value for name, value in seconds.items()
        }
        rows.append(rates)
        print(
            f"{length:>7} {rates['tuple']:>9,.0f} {rates['Stacked']:>9,.0f} {rates['nnx']:>9,.0f} "
            f"{rates['recompute']:>10,.0f}  {rates['tuple'] / rates['nnx']:>9.2f}x "
            f"{rates['Stacked'] / rates['nnx']:>11.2f}x {rates['tuple'] / rates['recompute']:>15.1f}x"
        )

    decoder = nn.init_cache(model, args.batch, MAX_POSITION)
    window = args.window
    ends = [p for p in (64, 128, 256, 512, 1024) if p >= window]
    variants = {}
    for end in ends:
        start = end - window
        ready = decode_cached(decoder, ids[:, :start])[0] if start else decoder
        check(
            f"purepax cached at positions {start}..{end - 1}",
            decode_cached(ready, ids[:, start:end])[1],
            reference[:, start:end],
            tolerance,
        )
        variants[str(end)] = lambda ready=ready, start=start, end=end: decode_cached(
            ready, ids[:, start:end]
        )
    per_token = {
        int(end): s / window for end, s in interleaved(variants, args.rounds).items()
    }
    print(
        f"\ntime per token against the position (the Stacked model, caches of {MAX_POSITION} positions, "
        f"windows of {window} steps):"
    )
    for end, seconds in per_token.items():
        print(
            f"  positions {end - window:>4}..{end - 1:<4} {seconds * 1e6:>9.1f} us   "
            f"{seconds / per_token[ends[0]]:.2f}x position {ends[0]}"
        )

    flat = max(per_token.values()) / min(per_token.values())
    slowest = min(row["tuple"] / row["nnx"] for row in rows)
    stacked = min(row["Stacked"] / row["nnx"] for row in rows)
    print(
        f"\ngoals: time per token within 1.5x from position {ends[0]} to {ends[-1]}: "
        f"{'met' if flat <= 1.5 else 'NOT met'} ({flat:.2f}x); cached decoding no slower than NNX's: "
        f"{'met' if min(slowest, stacked) >= 1.0 else 'NOT met'} (slowest over the lengths: "
        f"tuple/nnx {slowest:.2f}x, Stacked/nnx {stacked:.2f}x)"
    )


if __name__ == "__main__":
    main()
