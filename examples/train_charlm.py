"""Train a small character-level language model with purepax, on text every machine has.

The model reads the previous `--context` bytes and predicts the next one (Bengio et al.'s
neural language model: embed, concatenate, one hidden layer). The text is Python's own
standard library source, found through `sysconfig` (nothing is downloaded); `--data PATH`
trains on any text file instead. The optimizer is Adam written as a `px.StateModule`,
updated with `px.purecall` inside one `px.jit`-compiled train step.

    .venv/bin/python examples/train_charlm.py [--steps 3000] [--data PATH]
"""

from __future__ import annotations

import argparse
import sysconfig
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PRNGKeyArray

import purepax as px

STDLIB_FILES = ("textwrap.py", "string.py", "fractions.py", "argparse.py", "dataclasses.py", "inspect.py")


class Embedding(px.Module):
    weight: Float[Array, "vocab dim"]

    def __init__(self, vocab: int, dim: int, *, key: PRNGKeyArray):
        self.weight = jax.random.normal(key, (vocab, dim))

    def __call__(self, ids: Int[Array, "*batch"]) -> Float[Array, "*batch dim"]:
        return self.weight[ids]


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, in_features: int, out_features: int, *, key: PRNGKeyArray):
        self.weight = jax.random.normal(key, (in_features, out_features)) / in_features**0.5
        self.bias = jnp.zeros(out_features)

    def __call__(self, x: Float[Array, "*batch i"]) -> Float[Array, "*batch o"]:
        return x @ self.weight + self.bias


class CharLM(px.Module):
    embed: Embedding
    hidden: Linear
    out: Linear
    context: int = px.static(default=16)

    def __init__(self, *, context: int, dim: int, hidden: int, key: PRNGKeyArray):
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = Embedding(256, dim, key=k1)
        self.hidden = Linear(context * dim, hidden, key=k2)
        self.out = Linear(hidden, 256, key=k3)
        self.context = context

    def __call__(self, ids: Int[Array, "batch context"]) -> Float[Array, "batch 256"]:
        x = self.embed(ids).reshape(ids.shape[0], -1)
        return self.out(jnp.tanh(self.hidden(x)))


class Adam(px.StateModule):
    """Adam's moment estimates, held as state shaped like the model's parameters."""

    mu: CharLM
    nu: CharLM
    count: Int[Array, ""]
    learning_rate: float = px.static(default=3e-3)

    def __init__(self, model: CharLM, learning_rate: float):
        params = px.parameters(model)
        self.mu = jax.tree.map(jnp.zeros_like, params)
        self.nu = jax.tree.map(jnp.zeros_like, params)
        self.count = jnp.array(0)
        self.learning_rate = learning_rate

    def apply(self, model: CharLM, grads: CharLM) -> CharLM:
        """Update the moments (a mutation: call it with px.purecall) and return the new model."""
        b1, b2, eps = 0.9, 0.999, 1e-8
        self.count = self.count + 1
        self.mu = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, self.mu, grads)
        self.nu = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, self.nu, grads)
        t = self.count.astype(jnp.float32)
        scale = self.learning_rate * jnp.sqrt(1 - b2**t) / (1 - b1**t)
        step = jax.tree.map(lambda m, v: scale * m / (jnp.sqrt(v) + eps), self.mu, self.nu)
        new_params = jax.tree.map(lambda p, s: p - s, px.parameters(model), step)
        return px.update_parameters(model, new_params)


def loss_fn(model: CharLM, ids: Int[Array, "batch context"], targets: Int[Array, " batch"]) -> Array:
    logits = model(ids)
    log_probs = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(log_probs, targets[:, None], axis=1))


@px.jit
def train_step(
    model: CharLM, opt: Adam, ids: Int[Array, "batch context"], targets: Int[Array, " batch"]
) -> tuple[CharLM, Adam, Array]:
    loss, grads = px.value_and_grad(loss_fn)(model, ids, targets)
    opt, model = px.purecall(opt.apply, model, grads)
    return model, opt, loss


@px.jit
def eval_loss(model: CharLM, ids: Int[Array, "batch context"], targets: Int[Array, " batch"]) -> Array:
    return loss_fn(model, ids, targets)


def load_text(path: str | None) -> bytes:
    if path is not None:
        return Path(path).read_bytes()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return b"\n".join((stdlib / name).read_bytes() for name in STDLIB_FILES)


def batches(data: np.ndarray, context: int, batch: int, rng: np.random.Generator):
    while True:
        starts = rng.integers(0, len(data) - context - 1, size=batch)
        windows = data[starts[:, None] + np.arange(context + 1)]
        yield jnp.asarray(windows[:, :-1]), jnp.asarray(windows[:, -1])


def sample(model: CharLM, prompt: bytes, length: int, key: PRNGKeyArray) -> str:
    @px.jit
    def next_byte(model: CharLM, window: Int[Array, "1 context"], key: PRNGKeyArray) -> Array:
        return jax.random.categorical(key, model(window)[0] / 0.8)

    ids = list(prompt[-model.context :].rjust(model.context, b" "))
    for k in jax.random.split(key, length):
        window = jnp.asarray([ids[-model.context :]], dtype=jnp.int32)
        ids.append(int(next_byte(model, window, k)))
    return bytes(ids[model.context :]).decode("utf-8", errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a text file to train on (default: Python stdlib sources)")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--context", type=int, default=24)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=384)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    text = np.frombuffer(load_text(args.data), dtype=np.uint8).astype(np.int32)
    split = int(len(text) * 0.95)
    train, held_out = text[:split], text[split:]
    print(f"text: {len(text):,} bytes ({len(train):,} train, {len(held_out):,} held out)")

    key = jax.random.PRNGKey(args.seed)
    model = CharLM(context=args.context, dim=args.dim, hidden=args.hidden, key=key)
    opt = Adam(model, args.lr)
    rng = np.random.default_rng(args.seed)
    eval_ids, eval_targets = next(batches(held_out, args.context, 2048, rng))
    print(f"held-out loss before training: {float(eval_loss(model, eval_ids, eval_targets)):.3f} nats/byte")

    start = time.perf_counter()
    for step, (ids, targets) in zip(range(1, args.steps + 1), batches(train, args.context, args.batch, rng)):
        model, opt, loss = train_step(model, opt, ids, targets)
        if step % 250 == 0 or step == args.steps:
            rate = step * args.batch / (time.perf_counter() - start)
            print(f"step {step:5d}  loss {float(loss):.3f}  {rate:,.0f} tokens/s")
    final = float(eval_loss(model, eval_ids, eval_targets))
    print(f"held-out loss after training: {final:.3f} nats/byte")
    print("sample:", repr(sample(model, b"def ", 120, jax.random.PRNGKey(args.seed + 1))))


if __name__ == "__main__":
    main()
