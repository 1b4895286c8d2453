"""Train a small CNN with BatchNorm and Dropout on images it draws itself, then test it in eval mode.

The data set is made with numpy, nothing is downloaded: 16x16 grey images of four shapes
(a horizontal bar, a vertical bar, a square outline, a filled disc) at random places and
sizes, under noise. The network is `Conv2d -> BatchNorm -> relu -> MaxPool2d` twice, then
`Dropout -> Linear`. In training mode BatchNorm updates its running statistics and Dropout
advances its key, so a training call is a mutation: the step calls the model with
`px.purecall` inside `px.jit` and returns the updated model. Testing uses `px.eval_mode`
(running statistics, no dropout), a read-only call.

    python examples/cnn_classifier.py            # well under a minute on 2 CPU cores
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float, Int, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer

SIZE = 16
CLASSES = ("horizontal bar", "vertical bar", "square outline", "disc")


def make_images(
    n: int, seed: int
) -> tuple[Float[Array, "n 16 16 1"], Int[Array, " n"]]:
    """`n` noisy 16x16 images of the four shapes, `(n, 16, 16, 1)` float32, and their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES), n)
    images = np.zeros((n, SIZE, SIZE), np.float32)
    rows, cols = np.mgrid[:SIZE, :SIZE]
    for image, label in zip(images, labels):
        r, c = rng.integers(3, SIZE - 3, 2)
        half = rng.integers(2, 4)
        if label == 0:
            image[r, max(c - 2 * half, 0) : c + 2 * half + 1] = 1
        elif label == 1:
            image[max(r - 2 * half, 0) : r + 2 * half + 1, c] = 1
        elif label == 2:
            box = (abs(rows - r) <= half) & (abs(cols - c) <= half)
            inner = (abs(rows - r) <= half - 1) & (abs(cols - c) <= half - 1)
            image[box & ~inner] = 1
        else:
            image[(rows - r) ** 2 + (cols - c) ** 2 <= half**2] = 1
    images += rng.normal(0, 0.35, images.shape).astype(np.float32)
    return jnp.asarray(images[..., None]), jnp.asarray(labels, jnp.int32)


class CNN(px.Module):
    conv1: nn.Conv2d
    norm1: nn.BatchNorm
    conv2: nn.Conv2d
    norm2: nn.BatchNorm
    pool: nn.MaxPool2d
    dropout: nn.Dropout
    head: nn.Linear

    def __init__(self, *, key: PRNGKeyArray):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        self.conv1 = nn.Conv2d(1, 16, 3, key=k1)
        self.norm1 = nn.BatchNorm(16, momentum=0.9)
        self.conv2 = nn.Conv2d(16, 32, 3, key=k2)
        self.norm2 = nn.BatchNorm(32, momentum=0.9)
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(0.3, key=k3)
        self.head = nn.Linear(32 * (SIZE // 4) ** 2, len(CLASSES), key=k4)

    def __call__(self, x: Float[Array, "batch 16 16 1"]) -> Float[Array, "batch 4"]:
        x = self.pool(jax.nn.relu(self.norm1(self.conv1(x))))
        x = self.pool(jax.nn.relu(self.norm2(self.conv2(x))))
        return self.head(self.dropout(x.reshape(x.shape[0], -1)))


def loss_fn(model: CNN, x: jax.Array, y: jax.Array) -> tuple[jax.Array, CNN]:
    model, logits = px.purecall(model, x)  # batch statistics and the dropout key change
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), model


@px.jit
def train_step(
    model: CNN, optimizer: Optimizer, x: jax.Array, y: jax.Array
) -> tuple[CNN, Optimizer, jax.Array]:
    (loss, model), grads = px.value_and_grad(loss_fn, has_aux=True)(model, x, y)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


@px.jit
def accuracy(model: CNN, x: jax.Array, y: Int[Array, " batch"]) -> jax.Array:
    return jnp.mean(jnp.argmax(model(x), axis=-1) == y)  # eval mode: read-only


def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--train-size", type=int, default=4000)
    p.add_argument("--test-size", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    start = time.perf_counter()
    train_x, train_y = make_images(args.train_size, args.seed)
    test_x, test_y = make_images(args.test_size, args.seed + 1)
    model = CNN(key=jax.random.key(args.seed))
    optimizer = Optimizer(optax.adam(3e-3), model)
    print(
        f"{args.train_size} training and {args.test_size} test images of {len(CLASSES)} shapes; "
        f"chance is {1 / len(CLASSES):.2f}"
    )
    print(
        f"test accuracy before training: {float(accuracy(px.eval_mode(model), test_x, test_y)):.3f}"
    )

    rng = np.random.default_rng(args.seed)
    first_loss = loss = None
    for step in range(1, args.steps + 1):
        batch = rng.integers(0, args.train_size, args.batch)
        model, optimizer, loss = train_step(
            model, optimizer, train_x[batch], train_y[batch]
        )
        if first_loss is None:
            first_loss = float(loss)
        if step % 100 == 0 or step == args.steps:
            print(f"step {step}: loss {float(loss):.3f}")
    assert first_loss is not None and loss is not None
    print(f"train loss: first {first_loss:.3f}, last {float(loss):.3f}")
    test_accuracy = float(accuracy(px.eval_mode(model), test_x, test_y))
    print(
        f"test accuracy: {test_accuracy:.3f} (eval mode: running statistics, no dropout)"
    )
    print(f"took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
