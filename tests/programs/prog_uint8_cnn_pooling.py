"""A CNN fed raw uint8 images, and a 1D model whose padding mask is pooled with its features.

Images arrive as uint8, as a data loader hands them over: the first layer is an
`nn.AvgPool2d` that downsamples them and averages in float (a window of 255s averages to
255.0, not to an overflowed uint8), before scaling to [0, 1] and a conv/max-pool stack.

Signals of different lengths are padded; the 1D model halves the time axis with
`nn.MaxPool1d` and pools the boolean padding mask with the same layer, which keeps it
boolean (a window is valid if any step in it is), then takes a masked mean over time.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray, UInt8

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class ImageNet(px.Module):
    downsample: nn.AvgPool2d
    conv: nn.Conv2d
    pool: nn.MaxPool2d
    head: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.downsample = nn.AvgPool2d(2)
        self.conv = nn.Conv2d(1, 8, 3, key=k1)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(3 * 3 * 8, 2, key=k2)

    def __call__(self, images: UInt8[Array, "b 12 12 1"]) -> Float[Array, "b 2"]:
        x = self.downsample(images) / 255.0
        x = self.pool(jax.nn.relu(self.conv(x)))
        return self.head(x.reshape(x.shape[0], -1))


class SignalNet(px.Module):
    conv: nn.Conv1d
    pool: nn.MaxPool1d
    head: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.conv = nn.Conv1d(1, 4, 3, key=k1)
        self.pool = nn.MaxPool1d(2)
        self.head = nn.Linear(4, 2, key=k2)

    def __call__(self, x: Float[Array, "b t 1"], mask: Bool[Array, "b t 1"]) -> Float[Array, "b 2"]:
        h = self.pool(jax.nn.relu(self.conv(jnp.where(mask, x, 0.0))))
        valid = self.pool(mask)
        mean = jnp.sum(jnp.where(valid, h, 0.0), axis=1) / jnp.sum(valid, axis=1)
        return self.head(mean)


def stripes(n: int, seed: int) -> tuple[UInt8[Array, "n 12 12 1"], Int[Array, " n"]]:
    """Horizontal (0) or vertical (1) stripes in uint8, with noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    lines = (np.arange(12) % 4 < 2).astype(np.float64) * 200
    images = np.where(labels[:, None, None] == 0, lines[None, :, None], lines[None, None, :])
    images = np.clip(images + rng.normal(0, 30, (n, 12, 12)), 0, 255)
    return jnp.asarray(images[..., None].astype(np.uint8)), jnp.asarray(labels, jnp.int32)


def signals(n: int, seed: int) -> tuple[Float[Array, "n 16 1"], Bool[Array, "n 16 1"], Int[Array, " n"]]:
    """Padded signals of 6 to 16 steps: a slow (0) or fast (1) square wave."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    lengths = rng.integers(6, 17, n)
    t = np.arange(16)
    period = np.where(labels == 0, 8, 2)[:, None]
    x = np.where((t[None, :] // (period // 2)) % 2 == 0, 1.0, -1.0)
    mask = t[None, :] < lengths[:, None]
    x = np.where(mask, x + rng.normal(0, 0.2, x.shape), 0.0)
    return jnp.asarray(x[..., None], jnp.float32), jnp.asarray(mask[..., None]), jnp.asarray(labels, jnp.int32)


def image_loss(model: ImageNet, images: jax.Array, labels: jax.Array) -> jax.Array:
    return optax.softmax_cross_entropy_with_integer_labels(model(images), labels).mean()


def signal_loss(model: SignalNet, x: jax.Array, mask: jax.Array, labels: jax.Array) -> jax.Array:
    return optax.softmax_cross_entropy_with_integer_labels(model(x, mask), labels).mean()


@px.jit
def image_step(
    model: ImageNet, optimizer: Optimizer, images: jax.Array, labels: jax.Array
) -> tuple[ImageNet, Optimizer, jax.Array]:
    loss, grads = px.value_and_grad(image_loss)(model, images, labels)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


@px.jit
def signal_step(
    model: SignalNet, optimizer: Optimizer, x: jax.Array, mask: jax.Array, labels: jax.Array
) -> tuple[SignalNet, Optimizer, jax.Array]:
    loss, grads = px.value_and_grad(signal_loss)(model, x, mask, labels)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


@px.jit
def accuracy(model: ImageNet, images: jax.Array, labels: jax.Array) -> jax.Array:
    return jnp.mean(jnp.argmax(model(images), -1) == labels)


def main() -> None:
    k1, k2 = jax.random.split(jax.random.key(0))
    images, labels = stripes(64, seed=0)
    assert images.dtype == jnp.uint8

    model = ImageNet(key=k1)
    white = jnp.full((1, 12, 12, 1), 255, jnp.uint8)
    pooled = model.downsample(white)
    assert pooled.dtype == jnp.float32 and float(pooled.min()) == 255.0  # no uint8 overflow
    assert jnp.allclose(model.downsample(images), images.astype(jnp.float32).reshape(64, 6, 2, 6, 2, 1).mean((2, 4)))

    optimizer = Optimizer(optax.adam(1e-2), model)
    losses = []
    for _ in range(40):
        model, optimizer, loss = image_step(model, optimizer, images, labels)
        losses.append(float(loss))
    assert losses[-1] < 0.3 * losses[0], (losses[0], losses[-1])
    assert float(accuracy(model, images, labels)) > 0.9

    x, mask, signal_labels = signals(64, seed=1)
    signal_model = SignalNet(key=k2)
    valid = signal_model.pool(mask)
    assert valid.dtype == jnp.bool_ and valid.shape == (64, 8, 1)
    assert jnp.array_equal(valid, mask.reshape(64, 8, 2, 1).any(axis=2))
    signal_optimizer = Optimizer(optax.adam(3e-2), signal_model)
    losses = []
    for _ in range(60):
        signal_model, signal_optimizer, loss = signal_step(signal_model, signal_optimizer, x, mask, signal_labels)
        losses.append(float(loss))
    assert losses[-1] < 0.3 * losses[0], (losses[0], losses[-1])


if __name__ == "__main__":
    main()
