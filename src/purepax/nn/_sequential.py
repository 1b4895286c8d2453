"""`Sequential` (layers applied in order) and `Lambda` (a function as a layer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, overload

from .._errors import ArgumentError
from .._module import Module


class Lambda(Module):
    """A plain function as a layer, e.g. inside a `Sequential`.

    **Arguments:** `fn`, any callable; it is static (kept in the tree structure, never
    traced), so it must be hashable: a function, not an object holding arrays.

    **Returns:** called on `x`, `fn(x)`.

    ```python
    double = nn.Lambda(lambda x: 2 * x)
    y = double(jnp.ones(3))
    ```
    """

    fn: Callable[..., Any]

    def __call__(self, x: Any) -> Any:
        return self.fn(x)


class Sequential(Module):
    """Layers applied in order: `Sequential(a, b, c)(x)` is `c(b(a(x)))`.

    **Arguments:** `*layers`, modules or plain callables (e.g. `jax.nn.relu`); modules
    are children of the tree (their parameters are trained), plain callables are kept
    static.

    The field `layers` is a tuple; `seq[i]` is a layer, `seq[i:j]` a `Sequential`,
    `len(seq)` the number of layers.

    **Returns:** called on `x`, the last layer's output.

    ```python
    mlp = nn.Sequential(
        nn.Linear(3, 16, key=jax.random.key(0)), jax.nn.relu, nn.Linear(16, 2, key=jax.random.key(1))
    )
    y = mlp(jnp.ones((4, 3)))   # (4, 2)
    ```
    """

    layers: tuple[Module | Callable[..., Any], ...]

    def __init__(self, *layers: Module | Callable[..., Any]) -> None:
        for i, layer in enumerate(layers):
            if not callable(layer):
                raise ArgumentError(
                    f"Sequential: layer {i} is a {type(layer).__name__}, which is not callable. "
                    "Pass modules or functions."
                )
        self.layers = layers

    def __call__(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    # The layer at a position is typed `Any`: each position holds its own layer type, and
    # `model[0].weight` is how users read it (a union would reject that in mypy and pyright).
    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module | Callable[..., Any]]:
        return iter(self.layers)
