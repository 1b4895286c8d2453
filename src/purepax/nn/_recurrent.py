"""Recurrent layers: `LSTMCell` and `GRUCell` (one step), `LSTM` and `GRU` (scanned over time).

Weights are stored input-major (`x @ weight_ih`), like every purepax layer, with the
gates side by side along the last axis in PyTorch's order; the initialisation is
PyTorch's (every weight and bias uniform in `[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]`).
PyTorch's two biases are one here (`b_ih + b_hh`), as in Equinox, except the GRU's
recurrent bias of its candidate gate, which sits inside the reset product (`bias_n`).

`kernel_init`, `recurrent_kernel_init` and `bias_init` are called with the shapes Flax
NNX's cells call them with, so `jax.nn.initializers.orthogonal()` makes the same
matrices orthogonal: `LSTMCell` calls them once per gate (each gate is a `Linear` there)
and puts the gates side by side; `GRUCell` once for its three gates (fused there), and
`bias_init` once more for `bias_n`, which NNX's GRU lacks.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._fields import static
from .._module import Module
from ._init import Initializer, initialize

LSTMState = tuple[jax.Array, jax.Array]


def _uniform(
    key: PRNGKeyArray, shape: tuple[int, ...], hidden_size: int, dtype: Any
) -> jax.Array:
    bound = 1 / math.sqrt(hidden_size)
    return jax.random.uniform(key, shape, dtype, -bound, bound)


def _weight(
    layer: str,
    argument: str,
    init: Initializer | None,
    key: PRNGKeyArray,
    gate_shape: tuple[int, ...],
    gates: int,
    hidden_size: int,
    dtype: Any,
) -> jax.Array:
    """`gates` blocks of `gate_shape` side by side: PyTorch's uniform where `init` is None,
    else `init` called once per gate, each with its own key."""
    if init is None:
        shape = (*gate_shape[:-1], gates * gate_shape[-1])
        return _uniform(key, shape, hidden_size, dtype)
    blocks = [
        initialize(layer, argument, init, gate_key, gate_shape, dtype)
        for gate_key in jax.random.split(key, gates)
    ]
    return jnp.concatenate(blocks, axis=-1)


def _compute_dtype(x: jax.Array, dtype: Any) -> Any:
    if dtype is not None:
        return dtype
    return x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.float32


class LSTMCell(Module):
    """One step of a long short-term memory cell (Hochreiter and Schmidhuber, 1997).

    With `z = x @ weight_ih + h @ weight_hh + bias` split into gates `i, f, g, o` (PyTorch's
    order, `hidden_size` columns each): `c' = sigmoid(f) * c + sigmoid(i) * tanh(g)` and
    `h' = sigmoid(o) * tanh(c')`. Parameters `weight_ih` `(input_size, 4*hidden_size)`,
    `weight_hh` `(hidden_size, 4*hidden_size)`, `bias` `(4*hidden_size,)` or `None`;
    initialised as PyTorch's `nn.LSTMCell`. No state: calling it is read-only.

    **Arguments:** `input_size`, `hidden_size`; keyword-only `use_bias`, `kernel_init`,
    `recurrent_kernel_init`, `bias_init` (initializers `(key, shape, dtype) -> array`,
    called once per gate with `(input_size, hidden_size)`, `(hidden_size, hidden_size)`
    and `(hidden_size,)`; Flax's defaults are `lecun_normal()`, `orthogonal()` and
    `zeros`; `None`: PyTorch's uniform), `dtype` (computation dtype; `None` follows the
    input), `param_dtype`, `key`.

    **Returns** (called as `cell(x, (h, c))` on `(*batch, input_size)` and two
    `(*batch, hidden_size)` arrays): the new state `(h, c)`.

    ```python
    cell = nn.LSTMCell(3, 5, key=jax.random.key(0))
    x = jnp.ones((2, 3))
    h, c = cell(x, cell.initial_state((2,)))  # each (2, 5)
    ```
    """

    weight_ih: Float[Array, "input_size gates"]
    weight_hh: Float[Array, "hidden_size gates"]
    bias: Float[Array, "gates"] | None
    input_size: int = static()
    hidden_size: int = static()
    dtype: Any = static()

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        recurrent_kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        ikey, hkey, bkey = jax.random.split(key, 3)
        h, name = hidden_size, "LSTMCell"
        self.weight_ih = _weight(
            name, "kernel_init", kernel_init, ikey, (input_size, h), 4, h, param_dtype
        )
        self.weight_hh = _weight(
            name,
            "recurrent_kernel_init",
            recurrent_kernel_init,
            hkey,
            (h, h),
            4,
            h,
            param_dtype,
        )
        self.bias = (
            _weight(name, "bias_init", bias_init, bkey, (h,), 4, h, param_dtype)
            if use_bias
            else None
        )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.dtype = dtype

    def initial_state(
        self, batch_shape: tuple[int, ...] = (), dtype: Any = None
    ) -> LSTMState:
        """Zeros `(h, c)`, each `(*batch_shape, hidden_size)` (dtype: the layer's, else float32)."""
        dtype = dtype or self.dtype or jnp.float32
        zeros = jnp.zeros((*batch_shape, self.hidden_size), dtype)
        return zeros, zeros

    def __call__(
        self,
        x: Float[Array, "*batch input_size"],
        state: tuple[
            Float[Array, "*batch hidden_size"], Float[Array, "*batch hidden_size"]
        ],
    ) -> tuple[Float[Array, "*batch hidden_size"], Float[Array, "*batch hidden_size"]]:
        dtype = _compute_dtype(x, self.dtype)
        h, c = state
        z = x.astype(dtype) @ self.weight_ih.astype(dtype) + h.astype(
            dtype
        ) @ self.weight_hh.astype(dtype)
        if self.bias is not None:
            z = z + self.bias.astype(dtype)
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c.astype(dtype) + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return h, c


class GRUCell(Module):
    """One step of a gated recurrent unit (Cho et al., 2014), as PyTorch defines it.

    With `a = x @ weight_ih + bias` and `b = h @ weight_hh`, each split into gates
    `r, z, n` (PyTorch's order): `r = sigmoid(a_r + b_r)`, `z = sigmoid(a_z + b_z)`,
    `n = tanh(a_n + r * (b_n + bias_n))` and `h' = (1 - z) * n + z * h`. Parameters
    `weight_ih` `(input_size, 3*hidden_size)`, `weight_hh` `(hidden_size, 3*hidden_size)`,
    `bias` `(3*hidden_size,)` and `bias_n` `(hidden_size,)`, or `None` without bias;
    initialised as PyTorch's `nn.GRUCell`. No state: calling it is read-only.

    **Arguments:** `input_size`, `hidden_size`; keyword-only `use_bias`, `kernel_init`,
    `recurrent_kernel_init`, `bias_init` (initializers called as Flax NNX's `GRUCell`
    calls them, for all three gates at once: `(input_size, 3*hidden_size)`,
    `(hidden_size, 3*hidden_size)`, `(3*hidden_size,)`, and `bias_init` again with
    `(hidden_size,)` for `bias_n`; `None`: PyTorch's uniform), `dtype`, `param_dtype`,
    `key`.

    **Returns** (called as `cell(x, h)` on `(*batch, input_size)` and
    `(*batch, hidden_size)`): the new `h`.

    ```python
    cell = nn.GRUCell(3, 5, key=jax.random.key(0))
    h = cell(jnp.ones((2, 3)), cell.initial_state((2,)))  # (2, 5)
    ```
    """

    weight_ih: Float[Array, "input_size gates"]
    weight_hh: Float[Array, "hidden_size gates"]
    bias: Float[Array, "gates"] | None
    bias_n: Float[Array, "hidden_size"] | None
    input_size: int = static()
    hidden_size: int = static()
    dtype: Any = static()

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        recurrent_kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        ikey, hkey, bkey, nkey = jax.random.split(key, 4)
        h, name = hidden_size, "GRUCell"
        self.weight_ih = _weight(
            name,
            "kernel_init",
            kernel_init,
            ikey,
            (input_size, 3 * h),
            1,
            h,
            param_dtype,
        )
        self.weight_hh = _weight(
            name,
            "recurrent_kernel_init",
            recurrent_kernel_init,
            hkey,
            (h, 3 * h),
            1,
            h,
            param_dtype,
        )
        self.bias = (
            _weight(name, "bias_init", bias_init, bkey, (3 * h,), 1, h, param_dtype)
            if use_bias
            else None
        )
        self.bias_n = (
            _weight(name, "bias_init", bias_init, nkey, (h,), 1, h, param_dtype)
            if use_bias
            else None
        )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.dtype = dtype

    def initial_state(
        self, batch_shape: tuple[int, ...] = (), dtype: Any = None
    ) -> jax.Array:
        """Zeros `(*batch_shape, hidden_size)` (dtype: the layer's, else float32)."""
        return jnp.zeros(
            (*batch_shape, self.hidden_size), dtype or self.dtype or jnp.float32
        )

    def __call__(
        self,
        x: Float[Array, "*batch input_size"],
        state: Float[Array, "*batch hidden_size"],
    ) -> Float[Array, "*batch hidden_size"]:
        dtype = _compute_dtype(x, self.dtype)
        h = state.astype(dtype)
        a = x.astype(dtype) @ self.weight_ih.astype(dtype)
        b = h @ self.weight_hh.astype(dtype)
        if self.bias is not None:
            a = a + self.bias.astype(dtype)
        a_r, a_z, a_n = jnp.split(a, 3, axis=-1)
        b_r, b_z, b_n = jnp.split(b, 3, axis=-1)
        if self.bias_n is not None:
            b_n = b_n + self.bias_n.astype(dtype)
        r = jax.nn.sigmoid(a_r + b_r)
        z = jax.nn.sigmoid(a_z + b_z)
        n = jnp.tanh(a_n + r * b_n)
        new_h: jax.Array = (1 - z) * n + z * h
        return new_h


def _scan_cell(
    cell: LSTMCell | GRUCell, state: Any, x: jax.Array
) -> tuple[Any, jax.Array]:
    """Run `cell` over axis -2 of `x`; the new state at every step, stacked on axis -2.

    The cell travels in the carry (unchanged) rather than being closed over, so the scan
    body takes every module it uses as an argument (purepax's rule for transforms).
    """

    def step(carry: tuple[Any, Any], x_t: jax.Array) -> tuple[tuple[Any, Any], Any]:
        cell, state = carry
        state = cell(x_t, state)
        return (cell, state), state

    (_, final), states = jax.lax.scan(step, (cell, state), jnp.moveaxis(x, -2, 0))
    return final, states


def _check_input(layer: str, x: jax.Array, input_size: int) -> None:
    if x.ndim < 2 or x.shape[-1] != input_size:
        raise ArgumentError(
            f"{layer} expects an input (*batch, time, {input_size}), got shape {tuple(x.shape)}."
        )


class LSTM(Module):
    """An `LSTMCell` scanned over time with `jax.lax.scan` (traced once, whatever the length).

    Maps `(batch, time, input_size)` (any number of batch axes, or none) to the hidden
    state at every step, `(batch, time, hidden_size)`, starting from `initial_state`
    (zeros by default). Parameters: those of its `cell`; no state, so calling it is
    read-only. Initialised as PyTorch's `nn.LSTM` (one layer, batch first).

    **Arguments:** `input_size`, `hidden_size`; keyword-only `use_bias`, `kernel_init`,
    `recurrent_kernel_init`, `bias_init` (passed to the cell), `dtype`, `param_dtype`,
    `key`.

    **Returns:** `(batch, time, hidden_size)`.

    ```python
    lstm = nn.LSTM(3, 5, key=jax.random.key(0))
    ys = lstm(jnp.ones((2, 7, 3)))  # (2, 7, 5)
    ```
    """

    cell: LSTMCell

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        recurrent_kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        self.cell = LSTMCell(
            input_size,
            hidden_size,
            use_bias=use_bias,
            kernel_init=kernel_init,
            recurrent_kernel_init=recurrent_kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )

    def __call__(
        self,
        x: Float[Array, "*batch time input_size"],
        initial_state: LSTMState | None = None,
    ) -> Float[Array, "*batch time hidden_size"]:
        _check_input("LSTM", x, self.cell.input_size)
        dtype = _compute_dtype(x, self.cell.dtype)
        if initial_state is None:
            initial_state = self.cell.initial_state(x.shape[:-2], dtype)
        h, c = initial_state
        _, (hs, _) = _scan_cell(self.cell, (h.astype(dtype), c.astype(dtype)), x)
        return jnp.moveaxis(hs, 0, -2)


class GRU(Module):
    """A `GRUCell` scanned over time with `jax.lax.scan` (traced once, whatever the length).

    Maps `(batch, time, input_size)` (any number of batch axes, or none) to the hidden
    state at every step, `(batch, time, hidden_size)`, starting from `initial_state`
    (zeros by default). Parameters: those of its `cell`; no state, so calling it is
    read-only. Initialised as PyTorch's `nn.GRU` (one layer, batch first).

    **Arguments:** `input_size`, `hidden_size`; keyword-only `use_bias`, `kernel_init`,
    `recurrent_kernel_init`, `bias_init` (passed to the cell), `dtype`, `param_dtype`,
    `key`.

    **Returns:** `(batch, time, hidden_size)`.

    ```python
    gru = nn.GRU(3, 5, key=jax.random.key(0))
    ys = gru(jnp.ones((2, 7, 3)))  # (2, 7, 5)
    ```
    """

    cell: GRUCell

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        recurrent_kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray,
    ) -> None:
        self.cell = GRUCell(
            input_size,
            hidden_size,
            use_bias=use_bias,
            kernel_init=kernel_init,
            recurrent_kernel_init=recurrent_kernel_init,
            bias_init=bias_init,
            dtype=dtype,
            param_dtype=param_dtype,
            key=key,
        )

    def __call__(
        self,
        x: Float[Array, "*batch time input_size"],
        initial_state: Float[Array, "*batch hidden_size"] | None = None,
    ) -> Float[Array, "*batch time hidden_size"]:
        _check_input("GRU", x, self.cell.input_size)
        dtype = _compute_dtype(x, self.cell.dtype)
        if initial_state is None:
            initial_state = self.cell.initial_state(x.shape[:-2], dtype)
        _, hs = _scan_cell(self.cell, initial_state.astype(dtype), x)
        return jnp.moveaxis(hs, 0, -2)
