"""`MLP`: a multi-layer perceptron, `nn.Linear` layers with an activation between them."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._module import Module
from ._dropout import Dropout
from ._init import Initializer, check_initializer
from ._linear import Linear
from ._precision import DType


def _identity(x: jax.Array) -> jax.Array:
    return x


class MLP(Module):
    """A multi-layer perceptron: `depth` hidden layers of `width` features, as `eqx.nn.MLP`.

    `depth + 1` `nn.Linear` layers (field `layers`): `in_features -> width`, `depth - 1`
    times `width -> width`, then `width -> out_features` (with `depth=0`, one layer
    `in_features -> out_features`). `activation` follows every hidden layer, then dropout
    (with `dropout > 0`), and `final_activation` the last layer.

    Dropout is one `nn.Dropout` (field `dropout`, `None` with `dropout=0`), called after
    each hidden layer: in training mode a call then advances its key, a mutation, so call
    the MLP through `px.purecall` / `px.pure` as any model holding `nn.Dropout`; in eval
    mode (`px.eval_mode`) it is read-only.

    **Arguments:**

    - `in_features`, `out_features`: the sizes of the input's and the output's last axis.
    - `width`: the features of each hidden layer; `depth`: how many hidden layers.
    - `activation`: the function after each hidden layer (`jax.nn.relu` by default);
      `final_activation`: after the last layer (the identity by default). Both are
      static: functions, not modules holding arrays.
    - `dropout`: the dropout rate after each hidden activation, in `[0, 1]`.
    - `use_bias`: whether the hidden layers add a bias; `use_final_bias`: the last one.
    - `kernel_init`, `bias_init`: initializers for every layer, as `nn.Linear`'s (`None`:
      `nn.Linear`'s defaults, LeCun normal and zeros).
    - `dtype`, `param_dtype`: as `nn.Linear`'s.
    - `key`: the PRNG key that draws the weights (and seeds the dropout).

    **Returns:** called on `(*batch, in_features)`, an array `(*batch, out_features)`.

    ```python
    mlp = nn.MLP(2, 1, width=16, depth=2, activation=jax.nn.gelu, key=jax.random.key(0))
    y = mlp(jnp.ones((8, 2)))   # (8, 1)
    ```
    """

    layers: tuple[Linear, ...]
    dropout: Dropout | None
    activation: Callable[[jax.Array], jax.Array]
    final_activation: Callable[[jax.Array], jax.Array]
    in_features: int
    out_features: int
    width: int
    depth: int

    def __init__(
        self,
        in_features: int,
        out_features: int,
        width: int,
        depth: int,
        *,
        activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
        final_activation: Callable[[jax.Array], jax.Array] = _identity,
        dropout: float = 0.0,
        use_bias: bool = True,
        use_final_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        if depth < 0 or (depth > 0 and width < 1):
            raise ArgumentError(
                f"MLP: depth={depth}, width={width}; give depth >= 0 hidden layers "
                "of width >= 1 features (depth=0 is one Linear layer)."
            )
        if not 0 <= dropout <= 1:
            raise ArgumentError(
                f"MLP: dropout={dropout} must be in [0, 1] (the probability of zeroing an entry)."
            )
        for name, function in [
            ("activation", activation),
            ("final_activation", final_activation),
        ]:
            if not callable(function):
                raise ArgumentError(
                    f"MLP: {name}={function!r} is not callable; give a function such as "
                    "jax.nn.relu."
                )
        check_initializer("MLP", "kernel_init", kernel_init)
        check_initializer("MLP", "bias_init", bias_init)
        sizes = [in_features, *[width] * depth, out_features]
        keys = jax.random.split(key, depth + 2)
        self.layers = tuple(
            Linear(
                sizes[i],
                sizes[i + 1],
                use_bias=use_bias if i < depth else use_final_bias,
                kernel_init=kernel_init,
                bias_init=bias_init,
                dtype=dtype,
                param_dtype=param_dtype,
                key=keys[i],
            )
            for i in range(depth + 1)
        )
        self.dropout = Dropout(dropout, key=keys[-1]) if dropout > 0 else None
        self.activation = activation
        self.final_activation = final_activation
        self.in_features = in_features
        self.out_features = out_features
        self.width = width
        self.depth = depth

    def __call__(
        self, x: Float[Array, "*batch in_features"]
    ) -> Float[Array, "*batch out_features"]:
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
            if self.dropout is not None:
                x = self.dropout(x)
        return self.final_activation(self.layers[-1](x))
