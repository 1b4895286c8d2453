"""Every public layer of `purepax.nn`, built and called as its docstring and docs/layers.md show.

Correct code: it runs, and mypy (with or without the purepax plugin) and pyright must
report nothing on it; each `reveal_type` must reveal the type in its `# revealed:`
comment (tests/nn/test_layer_typing.py).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from typing_extensions import reveal_type

import purepax as px
from purepax import nn

keys = iter(jax.random.split(jax.random.key(0), 100))

# Linear and Identity
linear = nn.Linear(3, 4, key=next(keys))
no_bias = nn.Linear(in_features=3, out_features=4, use_bias=False, dtype=jnp.bfloat16, key=next(keys))
reveal_type(linear)  # revealed: Linear
reveal_type(linear(jnp.ones((2, 3))))  # revealed: Array
assert no_bias(jnp.ones((2, 3))).dtype == jnp.bfloat16 and no_bias.bias is None
x23 = jnp.ones((2, 3))
assert nn.Identity()(x23) is x23

# Convolutions, positional and keyword, every option
conv1 = nn.Conv1d(4, 8, 5, padding="VALID", dilation=2, groups=2, key=next(keys))
conv2 = nn.Conv2d(3, 8, 3, stride=2, key=next(keys))
conv2_kw = nn.Conv2d(
    in_channels=1,
    out_channels=4,
    kernel_size=(3, 3),
    stride=(1, 1),
    padding=1,
    dilation=1,
    groups=1,
    use_bias=False,
    dtype=None,
    param_dtype=jnp.float32,
    key=next(keys),
)
conv3 = nn.Conv3d(1, 2, (3, 3, 1), padding=((1, 1), (1, 1), (0, 0)), key=next(keys))
reveal_type(conv2)  # revealed: Conv2d
reveal_type(conv2(jnp.ones((1, 8, 8, 3))))  # revealed: Array
assert conv1(jnp.ones((4, 20, 4))).shape == (4, 12, 8)
assert conv2_kw(jnp.ones((1, 8, 8, 1))).shape == (1, 8, 8, 4)
assert conv3(jnp.ones((1, 8, 8, 8, 1))).shape == (1, 8, 8, 8, 2)

# Transposed convolutions take the same arguments
up1 = nn.ConvTranspose1d(2, 2, 4, stride=2, padding="VALID", key=next(keys))
up2 = nn.ConvTranspose2d(8, 3, 4, stride=2, key=next(keys))
up3 = nn.ConvTranspose3d(
    in_channels=2, out_channels=2, kernel_size=(2, 2, 2), stride=2, padding="SAME", use_bias=True, key=next(keys)
)
reveal_type(up2)  # revealed: ConvTranspose2d
assert up1(jnp.ones((1, 5, 2))).shape == (1, 12, 2)
assert up2(conv2(jnp.ones((1, 16, 16, 3)))).shape == (1, 16, 16, 3)
assert up3(jnp.ones((1, 2, 2, 2, 2))).shape == (1, 4, 4, 4, 2)

# Pooling: (window, stride=None, padding="VALID"), positional or keyword
images = jnp.arange(16.0).reshape(1, 4, 4, 1)
max2 = nn.MaxPool2d(2)
avg2 = nn.AvgPool2d(2, 2, "VALID")
reveal_type(max2)  # revealed: MaxPool2d
reveal_type(max2(images))  # revealed: Array
assert avg2(images).shape == (1, 2, 2, 1)
assert nn.MaxPool1d(2, stride=1)(jnp.ones((1, 4, 1))).shape == (1, 3, 1)
assert nn.MaxPool3d(window=(2, 2, 2), stride=None, padding="SAME")(jnp.ones((1, 3, 3, 3, 1))).shape == (1, 2, 2, 2, 1)
assert nn.AvgPool1d(3, stride=1, padding="SAME")(jnp.ones((1, 4, 1))).shape == (1, 4, 1)
assert nn.AvgPool3d(2, padding=((0, 1), (0, 1), (0, 1)))(jnp.ones((1, 3, 3, 3, 1))).shape == (1, 2, 2, 2, 1)

# The base classes name a family, e.g. in annotations
downsamplers: list[nn.Conv | nn.Pool] = [conv2, max2, nn.AvgPool2d(2)]
decoders: tuple[nn.ConvTranspose, ...] = (up1, up2, up3)
pools: tuple[nn.MaxPool, nn.AvgPool] = (max2, avg2)
assert len(downsamplers) == 3 and len(decoders) == 3 and len(pools) == 2

# Embedding
embed = nn.Embedding(100, 8, key=next(keys))
tokens = jnp.array([[1, 5, 7], [2, 2, 0]])
reveal_type(embed(tokens))  # revealed: Array
assert embed.attend(embed(tokens)).shape == (2, 3, 100)
assert nn.Embedding(num_embeddings=10, embedding_dim=4, dtype=jnp.bfloat16, key=next(keys))(tokens).dtype == jnp.bfloat16

# Normalisation: three read-only layers, BatchNorm a mutation in training mode
x = jax.random.normal(next(keys), (2, 5, 4))
layer_norm = nn.LayerNorm(4)
rms_norm = nn.RMSNorm(4, eps=1e-6)
group_norm = nn.GroupNorm(2, 4)
assert layer_norm(x).shape == rms_norm(x).shape == group_norm(x).shape == (2, 5, 4)
assert nn.LayerNorm((5, 4), use_bias=False).bias is None
assert nn.GroupNorm(num_groups=1, num_channels=4, eps=1e-5, use_scale=False)(x).shape == (2, 5, 4)
bn = nn.BatchNorm(4, momentum=0.9)
bn, y = px.purecall(bn, x)
reveal_type(bn)  # revealed: BatchNorm
assert y.shape == (2, 5, 4)
assert px.eval_mode(nn.BatchNorm(num_features=4, eps=1e-3, axis_name=None))(x).shape == (2, 5, 4)

# Dropout keeps its key as state: a mutation in training mode, identity in eval mode
drop = nn.Dropout(0.5, key=jax.random.key(0))
drop, dropped = px.purecall(drop, jnp.ones(8))
assert set(dropped.tolist()) <= {0.0, 2.0}
assert bool(jnp.all(px.eval_mode(nn.Dropout(rate=0.1, key=next(keys)))(jnp.ones(3)) == 1))

# Recurrent cells and layers
xs = jax.random.normal(next(keys), (2, 7, 3))
lstm_cell = nn.LSTMCell(3, 5, key=next(keys))
h, c = lstm_cell(xs[:, 0], lstm_cell.initial_state((2,)))
reveal_type(lstm_cell(xs[:, 0], (h, c)))  # revealed: tuple[Array, Array]
gru_cell = nn.GRUCell(input_size=3, hidden_size=5, use_bias=False, key=next(keys))
assert gru_cell(xs[:, 0], gru_cell.initial_state((2,))).shape == (2, 5)
lstm = nn.LSTM(3, 5, key=next(keys))
gru = nn.GRU(3, 5, dtype=jnp.float32, key=next(keys))
assert lstm(xs).shape == gru(xs).shape == (2, 7, 5)
assert lstm(xs, lstm.cell.initial_state((2,))).shape == (2, 7, 5)

# Attention
mha = nn.MultiHeadAttention(2, 8, key=next(keys))
seq = jnp.ones((3, 5, 8))
reveal_type(mha(seq, seq, seq, causal=True))  # revealed: Array
mask = jnp.ones((3, 1, 5, 5), bool)
fast = nn.MultiHeadAttention(num_heads=4, dim=8, use_bias=False, dtype=jnp.bfloat16, key=next(keys))
assert fast(seq, seq, seq, mask=mask, causal=True).dtype == jnp.bfloat16

# Sequential and Lambda
mlp = nn.Sequential(
    nn.Linear(2, 16, key=next(keys)),
    jax.nn.relu,
    nn.Linear(16, 16, key=next(keys)),
    nn.Lambda(jnp.tanh),
    nn.Linear(16, 1, key=next(keys)),
)
reveal_type(mlp[1:3])  # revealed: Sequential
assert mlp(jnp.ones((64, 2))).shape == (64, 1) and len(mlp) == 5
double = nn.Lambda(lambda v: 2 * v)
assert double(jnp.ones(3)).shape == (3,)


# MLP: positional or keyword width and depth, activations, dropout (a mutation in training)
init = jax.nn.initializers
perceptron = nn.MLP(2, 1, 16, 2, key=next(keys))
reveal_type(perceptron)  # revealed: MLP
reveal_type(perceptron(jnp.ones((64, 2))))  # revealed: Array
deep = nn.MLP(
    in_features=2,
    out_features=3,
    width=8,
    depth=3,
    activation=jax.nn.gelu,
    final_activation=jnp.tanh,
    dropout=0.1,
    use_bias=True,
    use_final_bias=False,
    kernel_init=init.he_normal(),
    bias_init=init.constant(0.1),
    dtype=jnp.bfloat16,
    param_dtype=jnp.float32,
    key=next(keys),
)
deep, deep_out = px.purecall(deep, jnp.ones((4, 2)))
assert deep_out.shape == (4, 3) and px.eval_mode(deep)(jnp.ones(2)).shape == (3,)
assert nn.MLP(2, 1, 8, 1, activation=lambda v: jax.nn.leaky_relu(v, 0.1), key=next(keys)).layers[0].weight.shape == (2, 8)

# Initializers: any of jax.nn.initializers (Flax's), or a function (key, shape, dtype)
def scaled_normal(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype) -> jax.Array:
    return 0.02 * jax.random.normal(key, shape, dtype)


inits = [
    nn.Linear(3, 4, kernel_init=init.normal(0.02), bias_init=init.zeros, key=next(keys)),
    nn.Linear(3, 4, kernel_init=scaled_normal, param_dtype=jnp.bfloat16, key=next(keys)),
    nn.Conv2d(3, 8, 3, kernel_init=init.lecun_normal(), bias_init=init.ones, key=next(keys)),
    nn.ConvTranspose2d(8, 3, 4, stride=2, kernel_init=init.orthogonal(), key=next(keys)),
    nn.Embedding(100, 8, embedding_init=init.variance_scaling(1.0, "fan_in", "normal", out_axis=0), key=next(keys)),
    nn.LayerNorm(4, scale_init=init.zeros, bias_init=init.zeros),
    nn.RMSNorm(4, scale_init=init.normal(1.0), key=next(keys)),
    nn.GroupNorm(2, 4, scale_init=init.ones, bias_init=init.zeros),
    nn.BatchNorm(4, scale_init=init.zeros),
    nn.LSTMCell(3, 5, kernel_init=init.lecun_normal(), recurrent_kernel_init=init.orthogonal(), bias_init=init.zeros, key=next(keys)),
    nn.GRUCell(3, 5, recurrent_kernel_init=init.orthogonal(), key=next(keys)),
    nn.LSTM(3, 5, kernel_init=init.xavier_uniform(), key=next(keys)),
    nn.GRU(3, 5, bias_init=init.zeros, key=next(keys)),
    nn.MultiHeadAttention(2, 8, kernel_init=init.normal(0.02), bias_init=init.zeros, key=next(keys)),
]
assert len(inits) == 14

# A model as users write one, from docs/layers.md
def make(key: jax.Array) -> nn.Sequential:
    k1, k2, k3 = jax.random.split(key, 3)
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, dtype=jnp.bfloat16, key=k1),
        jax.nn.relu,
        nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, dtype=jnp.bfloat16, key=k2),
        jax.nn.relu,
        nn.Lambda(lambda h: h.mean(axis=(1, 2))),
        nn.Linear(8, 10, dtype=jnp.bfloat16, key=k3),
    )


class Net(px.Module):
    conv: nn.Conv2d
    pool: nn.AvgPool2d
    norm: nn.BatchNorm
    drop: nn.Dropout
    head: nn.Linear

    def __init__(self, *, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.conv = nn.Conv2d(1, 4, 3, key=k1)
        self.pool = nn.AvgPool2d(2)
        self.norm = nn.BatchNorm(4)
        self.drop = nn.Dropout(0.1, key=k2)
        self.head = nn.Linear(4, 1, key=k3)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = self.pool(jax.nn.relu(self.norm(self.conv(x))))
        return self.head(self.drop(h.mean(axis=(1, 2))))


class ResidualConv(nn.Conv2d):
    """A layer built on a library one: its own `__init__` calls the layer's."""

    def __init__(self, channels: int, *, key: jax.Array) -> None:
        super().__init__(channels, channels, 3, padding="SAME", key=key)

    def __call__(self, x: jax.Array) -> jax.Array:
        return x + super().__call__(x)


residual = ResidualConv(4, key=next(keys))
reveal_type(residual(jnp.ones((2, 6, 6, 4))))  # revealed: Array
cnn = make(next(keys))
batch = jax.random.normal(next(keys), (2, 8, 8, 1))
assert cnn(batch).dtype == jnp.bfloat16
net = Net(key=next(keys))
net, out = px.purecall(net, batch)
reveal_type(net)  # revealed: Net
assert out.shape == (2, 1)
