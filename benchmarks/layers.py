"""Training steps of purepax.nn layers against the same layers in Equinox and Flax NNX.

Two models, each in the three libraries with the same shapes and the same weights:

- a small CNN: Conv2d(3, 32, 3) -> relu -> MaxPool2d(2) -> Conv2d(32, 64, 3) -> relu ->
  MaxPool2d(2) -> Conv2d(64, 64, 3, stride 2) -> mean over space -> Linear(64, 10),
  cross-entropy on random images;
- an attention block (pre-norm transformer layer): x + MHA(LN(x)), then h + MLP(LN(h))
  with a 4x GELU MLP, mean-square loss.

One step is forward + backward + an SGD update, model in and model out, under each
library's own jit: `px.jit` + `px.value_and_grad`, `eqx.filter_jit` +
`eqx.filter_value_and_grad` (Equinox layers are unbatched: `jax.vmap` over the batch),
`nnx.jit` + `nnx.value_and_grad`. The losses of the three are checked to agree before timing.
Each round times `--steps` chained calls of every variant (blocking once at the end, so
async dispatch counts as in a training loop); rounds are interleaved and the table shows
the median per step and its ratio to the faster of Equinox and Flax NNX.

    python benchmarks/layers.py                 # small shapes, CPU, about a minute
    python benchmarks/layers.py --size full     # CIFAR-sized CNN, 256-wide block (for a GPU)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from flax import nnx

import purepax as px
from purepax import nn

LEARNING_RATE = 1e-3
SIZES = {
    # batch, image side, (attention) batch, time, dim, heads
    "small": {
        "cnn_batch": 16,
        "side": 16,
        "att_batch": 4,
        "time": 32,
        "dim": 64,
        "heads": 4,
    },
    "full": {
        "cnn_batch": 128,
        "side": 32,
        "att_batch": 32,
        "time": 256,
        "dim": 256,
        "heads": 8,
    },
}


def sgd(params: Any, grads: Any) -> Any:
    return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads)


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    return -jnp.mean(
        jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], axis=1)
    )


# --- the CNN -------------------------------------------------------------------------------


class PxCNN(px.Module):
    conv1: nn.Conv2d
    conv2: nn.Conv2d
    conv3: nn.Conv2d
    pool: nn.MaxPool2d
    head: nn.Linear

    def __init__(self, *, key: jax.Array) -> None:
        k1, k2, k3, k4 = jax.random.split(key, 4)
        self.conv1 = nn.Conv2d(3, 32, 3, key=k1)
        self.conv2 = nn.Conv2d(32, 64, 3, key=k2)
        self.conv3 = nn.Conv2d(64, 64, 3, stride=2, key=k3)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(64, 10, key=k4)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = self.pool(jax.nn.relu(self.conv1(x)))
        x = self.pool(jax.nn.relu(self.conv2(x)))
        return self.head(self.conv3(x).mean(axis=(1, 2)))


class EqxCNN(eqx.Module):
    conv1: eqx.nn.Conv2d
    conv2: eqx.nn.Conv2d
    conv3: eqx.nn.Conv2d
    pool: eqx.nn.MaxPool2d
    head: eqx.nn.Linear

    def __init__(self, ours: PxCNN) -> None:
        key = jax.random.key(0)

        def conv(layer: nn.Conv2d) -> eqx.nn.Conv2d:
            new = eqx.nn.Conv2d(
                layer.in_channels, layer.out_channels, 3, layer.stride, "SAME", key=key
            )
            bias = jnp.asarray(layer.bias).reshape(-1, 1, 1)
            return eqx.tree_at(
                lambda c: (c.weight, c.bias),
                new,
                (jnp.transpose(layer.weight, (3, 2, 0, 1)), bias),
            )

        self.conv1, self.conv2, self.conv3 = (
            conv(ours.conv1),
            conv(ours.conv2),
            conv(ours.conv3),
        )
        self.pool = eqx.nn.MaxPool2d(2, 2)
        head = eqx.nn.Linear(64, 10, key=key)
        self.head = eqx.tree_at(
            lambda h: (h.weight, h.bias), head, (ours.head.weight.T, ours.head.bias)
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        def one(image: jax.Array) -> jax.Array:  # (channels, height, width)
            h = self.pool(jax.nn.relu(self.conv1(image)))
            h = self.pool(jax.nn.relu(self.conv2(h)))
            return self.head(self.conv3(h).mean(axis=(1, 2)))

        return jax.vmap(one)(jnp.moveaxis(x, -1, 1))


class NnxCNN(nnx.Module):
    def __init__(self, ours: PxCNN) -> None:
        rngs = nnx.Rngs(0)

        def conv(layer: nn.Conv2d) -> nnx.Conv:
            new = nnx.Conv(
                layer.in_channels, layer.out_channels, (3, 3), layer.stride, rngs=rngs
            )
            new.kernel[...] = layer.weight
            assert new.bias is not None
            new.bias[...] = layer.bias
            return new

        self.conv1, self.conv2, self.conv3 = (
            conv(ours.conv1),
            conv(ours.conv2),
            conv(ours.conv3),
        )
        self.head = nnx.Linear(64, 10, rngs=rngs)
        self.head.kernel[...] = ours.head.weight
        assert self.head.bias is not None
        self.head.bias[...] = ours.head.bias

    def __call__(self, x: jax.Array) -> jax.Array:
        x = nnx.max_pool(jax.nn.relu(self.conv1(x)), (2, 2), (2, 2))
        x = nnx.max_pool(jax.nn.relu(self.conv2(x)), (2, 2), (2, 2))
        return self.head(self.conv3(x).mean(axis=(1, 2)))


# --- the attention block -------------------------------------------------------------------


class PxBlock(px.Module):
    norm1: nn.LayerNorm
    attention: nn.MultiHeadAttention
    norm2: nn.LayerNorm
    up: nn.Linear
    down: nn.Linear

    def __init__(self, dim: int, heads: int, *, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.norm1 = nn.LayerNorm(dim)
        self.attention = nn.MultiHeadAttention(heads, dim, key=k1)
        self.norm2 = nn.LayerNorm(dim)
        self.up = nn.Linear(dim, 4 * dim, key=k2)
        self.down = nn.Linear(4 * dim, dim, key=k3)

    def __call__(self, x: jax.Array) -> jax.Array:
        y = self.norm1(x)
        h = x + self.attention(y, y, y)
        return h + self.down(jax.nn.gelu(self.up(self.norm2(h))))


def _linear_to_eqx(layer: nn.Linear, key: jax.Array) -> eqx.nn.Linear:
    new = eqx.nn.Linear(layer.in_features, layer.out_features, key=key)
    return eqx.tree_at(lambda m: (m.weight, m.bias), new, (layer.weight.T, layer.bias))


class EqxBlock(eqx.Module):
    norm1: eqx.nn.LayerNorm
    attention: eqx.nn.MultiheadAttention
    norm2: eqx.nn.LayerNorm
    up: eqx.nn.Linear
    down: eqx.nn.Linear

    def __init__(self, ours: PxBlock, heads: int) -> None:
        key = jax.random.key(0)
        dim = ours.up.in_features
        self.norm1 = eqx.nn.LayerNorm(dim, eps=ours.norm1.eps)
        self.norm2 = eqx.nn.LayerNorm(dim, eps=ours.norm2.eps)
        attention = eqx.nn.MultiheadAttention(
            heads,
            dim,
            use_query_bias=True,
            use_key_bias=True,
            use_value_bias=True,
            use_output_bias=True,
            key=key,
        )
        a = ours.attention
        self.attention = eqx.tree_at(
            lambda m: (m.query_proj, m.key_proj, m.value_proj, m.output_proj),
            attention,
            tuple(
                _linear_to_eqx(p, key)
                for p in (a.q_proj, a.k_proj, a.v_proj, a.out_proj)
            ),
        )
        self.up, self.down = (
            _linear_to_eqx(ours.up, key),
            _linear_to_eqx(ours.down, key),
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        def one(seq: jax.Array) -> jax.Array:  # (time, dim)
            y = jax.vmap(self.norm1)(seq)
            h = seq + self.attention(y, y, y)
            return h + jax.vmap(
                lambda t: self.down(jax.nn.gelu(self.up(self.norm2(t))))
            )(h)

        return jax.vmap(one)(x)


class NnxBlock(nnx.Module):
    def __init__(self, ours: PxBlock, heads: int) -> None:
        rngs = nnx.Rngs(0)
        dim = ours.up.in_features
        self.norm1 = nnx.LayerNorm(dim, epsilon=ours.norm1.eps, rngs=rngs)
        self.norm2 = nnx.LayerNorm(dim, epsilon=ours.norm2.eps, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(heads, dim, decode=False, rngs=rngs)
        a, d = ours.attention, dim // heads
        for theirs, mine in (
            (self.attention.query, a.q_proj),
            (self.attention.key, a.k_proj),
            (self.attention.value, a.v_proj),
        ):
            theirs.kernel[...] = mine.weight.reshape(dim, heads, d)
            theirs.bias[...] = mine.bias.reshape(heads, d)
        self.attention.out.kernel[...] = a.out_proj.weight.reshape(heads, d, dim)
        self.attention.out.bias[...] = a.out_proj.bias
        self.up = nnx.Linear(dim, 4 * dim, rngs=rngs)
        self.down = nnx.Linear(4 * dim, dim, rngs=rngs)
        for theirs_linear, mine_linear in ((self.up, ours.up), (self.down, ours.down)):
            theirs_linear.kernel[...] = mine_linear.weight
            assert theirs_linear.bias is not None
            theirs_linear.bias[...] = mine_linear.bias

    def __call__(self, x: jax.Array) -> jax.Array:
        y = self.norm1(x)
        h = x + self.attention(y)
        return h + self.down(jax.nn.gelu(self.up(self.norm2(h))))


# --- one training step per library ----------------------------------------------------------


def steps(
    loss_of_output: Callable[[jax.Array, jax.Array], jax.Array],
) -> dict[str, Callable[..., Any]]:
    """A jitted SGD step (model, x, y) -> (model, loss) for each library."""

    def px_step(model: Any, x: jax.Array, y: jax.Array) -> tuple[Any, jax.Array]:
        loss, grads = px.value_and_grad(lambda m, x, y: loss_of_output(m(x), y))(
            model, x, y
        )
        return px.update_parameters(model, sgd(px.parameters(model), grads)), loss

    def eqx_step(model: Any, x: jax.Array, y: jax.Array) -> tuple[Any, jax.Array]:
        loss, grads = eqx.filter_value_and_grad(
            lambda m, x, y: loss_of_output(m(x), y)
        )(model, x, y)
        return eqx.apply_updates(
            model, jax.tree.map(lambda g: -LEARNING_RATE * g, grads)
        ), loss

    def nnx_step(model: Any, x: jax.Array, y: jax.Array) -> tuple[Any, jax.Array]:
        loss, grads = nnx.value_and_grad(lambda m, x, y: loss_of_output(m(x), y))(
            model, x, y
        )
        nnx.update(model, sgd(nnx.state(model, nnx.Param), grads))
        return model, loss

    return {
        "purepax (px.jit)": px.jit(px_step),
        "Equinox (filter_jit)": eqx.filter_jit(eqx_step),
        "Flax NNX (nnx.jit)": nnx.jit(nnx_step),
    }


def time_steps(
    step: Callable[..., Any], model: Any, x: jax.Array, y: jax.Array, n: int
) -> tuple[float, Any]:
    """Seconds per step of `n` chained steps, blocking once at the end."""
    start = time.perf_counter()
    for _ in range(n):
        model, loss = step(model, x, y)
    jax.block_until_ready(loss)
    return (time.perf_counter() - start) / n, model


def compare(
    title: str,
    models: dict[str, Any],
    step_fns: dict[str, Callable[..., Any]],
    x: jax.Array,
    y: jax.Array,
    rounds: int,
    n: int,
) -> None:
    losses = {name: float(step_fns[name](models[name], x, y)[1]) for name in models}
    first = next(iter(losses.values()))
    assert all(
        abs(v - first) <= 1e-3 * max(1.0, abs(first)) for v in losses.values()
    ), losses
    live = dict(models)
    for name in models:  # compile and warm up
        _, live[name] = time_steps(step_fns[name], live[name], x, y, 3)
    samples: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(rounds):
        for name in models:
            seconds, live[name] = time_steps(step_fns[name], live[name], x, y, n)
            samples[name].append(seconds)
    medians = {name: statistics.median(s) * 1e6 for name, s in samples.items()}
    peer = min(v for k, v in medians.items() if not k.startswith("purepax"))
    print(f"{title}  (first-step loss {first:.4f} in all three)")
    print(f"  {'library':<24}{'us/step':>10}{'x faster peer':>15}")
    for name, micros in medians.items():
        print(f"  {name:<24}{micros:>10.1f}{micros / peer:>15.3f}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument(
        "--rounds", type=int, default=15, help="interleaved rounds (median taken)"
    )
    parser.add_argument(
        "--steps", type=int, default=20, help="chained steps per round and library"
    )
    args = parser.parse_args()
    s = SIZES[args.size]
    print(
        f"JAX {jax.__version__} on {jax.devices()[0].platform}; size {args.size}; {args.rounds} rounds x {args.steps} steps\n"
    )
    keys = jax.random.split(jax.random.key(0), 4)

    cnn = PxCNN(key=keys[0])
    images = jax.random.normal(keys[1], (s["cnn_batch"], s["side"], s["side"], 3))
    labels = jax.random.randint(keys[2], (s["cnn_batch"],), 0, 10)
    compare(
        f"Small CNN, batch {s['cnn_batch']}, {s['side']}x{s['side']}x3 images: forward + backward + SGD",
        {
            "purepax (px.jit)": cnn,
            "Equinox (filter_jit)": EqxCNN(cnn),
            "Flax NNX (nnx.jit)": NnxCNN(cnn),
        },
        steps(cross_entropy),
        images,
        labels,
        args.rounds,
        args.steps,
    )

    block = PxBlock(s["dim"], s["heads"], key=keys[3])
    x = jax.random.normal(keys[1], (s["att_batch"], s["time"], s["dim"]))
    compare(
        f"Attention block, batch {s['att_batch']}, time {s['time']}, dim {s['dim']}, {s['heads']} heads: forward + backward + SGD",
        {
            "purepax (px.jit)": block,
            "Equinox (filter_jit)": EqxBlock(block, s["heads"]),
            "Flax NNX (nnx.jit)": NnxBlock(block, s["heads"]),
        },
        steps(lambda out, target: jnp.mean((out - target) ** 2)),
        x,
        jnp.zeros_like(x),
        args.rounds,
        args.steps,
    )


if __name__ == "__main__":
    main()
