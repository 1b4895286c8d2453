"""Immutable containers that module fields hold, and how a value is frozen into them.

Once construction ends a list held by a module becomes a tuple and a dict a
`FrozenDict`, so `m.layers.append(...)` or `m.cfg["k"] = v` cannot change a module
behind `px.pure`'s back. Inside a container of submodules and arrays, other items
(an activation function, a name) are kept static: they live in the tree structure,
so raw `jax.jit` never sees them as leaves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import jax
import numpy as np

_K = TypeVar("_K")
_V = TypeVar("_V")

ARRAY_TYPES: tuple[type, ...] = (jax.Array, np.ndarray, np.generic, jax.ShapeDtypeStruct)


def is_array(x: object) -> bool:
    """Whether `x` is an array leaf (JAX or NumPy array, tracer, or shape-dtype struct)."""
    return isinstance(x, ARRAY_TYPES)


class FrozenDict(Mapping[_K, _V]):
    """A read-only mapping: what a dict becomes when it is stored in a module.

    Items that are neither arrays nor modules nor containers of them are kept in
    the tree structure (static); the rest are children of the tree.
    """

    __slots__ = ("_items",)
    _items: dict[_K, _V]

    def __init__(self, items: Mapping[_K, _V] | None = None) -> None:
        object.__setattr__(self, "_items", dict(items or {}))

    def __getitem__(self, key: _K) -> _V:
        return self._items[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"FrozenDict({self._items!r})"

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __setattr__(self, name: str, value: object) -> None:
        raise TypeError("FrozenDict is read-only; build a new dict and assign it in px.pure instead")

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V]], tuple[dict[_K, _V]]]:
        return FrozenDict, (dict(self._items),)

    def __or__(self, other: Mapping[_K, _V]) -> FrozenDict[_K, _V]:
        return FrozenDict({**self._items, **other})


def _flatten_frozendict(d: FrozenDict[Any, Any]) -> tuple[list[Any], tuple[Any, ...]]:
    keys = tuple(d)
    dynamic = tuple(k for k in keys if holds_dynamic(d[k]))
    static = tuple((k, d[k]) for k in keys if k not in dynamic)
    return [(jax.tree_util.DictKey(k), d[k]) for k in dynamic], (keys, dynamic, static)


def _unflatten_frozendict(aux: tuple[Any, ...], children: Any) -> FrozenDict[Any, Any]:
    keys, dynamic, static = aux
    values = dict(zip(dynamic, children))
    values.update(static)
    return FrozenDict({k: values[k] for k in keys})


jax.tree_util.register_pytree_with_keys(
    FrozenDict,
    _flatten_frozendict,
    _unflatten_frozendict,
    flatten_func=lambda d: ([v for _, v in _flatten_frozendict(d)[0]], _flatten_frozendict(d)[1]),
)


class MixedTuple(tuple):  # type: ignore[type-arg]
    """A tuple of submodules or arrays that also holds static items (e.g. `jax.nn.relu`).

    It is a real tuple (indexing, iteration and `==` as usual); only its static items
    are kept in the tree structure instead of being leaves.
    """

    __slots__ = ()


def _flatten_mixed(t: MixedTuple) -> tuple[list[Any], tuple[Any, ...]]:
    dynamic = tuple(i for i, x in enumerate(t) if holds_dynamic(x))
    static = tuple((i, x) for i, x in enumerate(t) if i not in dynamic)
    return [(jax.tree_util.SequenceKey(i), t[i]) for i in dynamic], (len(t), dynamic, static)


def _unflatten_mixed(aux: tuple[Any, ...], children: Any) -> MixedTuple:
    size, dynamic, static = aux
    items: list[Any] = [None] * size
    for i, x in zip(dynamic, children):
        items[i] = x
    for i, x in static:
        items[i] = x
    return MixedTuple(items)


jax.tree_util.register_pytree_with_keys(
    MixedTuple,
    _flatten_mixed,
    _unflatten_mixed,
    flatten_func=lambda t: ([v for _, v in _flatten_mixed(t)[0]], _flatten_mixed(t)[1]),
)

# `(Module,)`, set by `_module` when it defines the class (it imports this file, not
# the other way round).
module_types: tuple[type, ...] = ()


def holds_dynamic(value: object) -> bool:
    """Whether `value` is, or contains, an array or a module (anything JAX must trace)."""
    if isinstance(value, ARRAY_TYPES) or isinstance(value, module_types):
        return True
    if isinstance(value, (tuple, list)):
        return any(holds_dynamic(x) for x in value)
    if isinstance(value, (dict, FrozenDict)):
        return any(holds_dynamic(x) for x in value.values())
    return False


def freeze(value: Any) -> Any:
    """`value` with every list made a tuple and every dict a `FrozenDict`, recursively.

    A tuple that mixes static items with arrays or modules becomes a `MixedTuple`.
    Other objects (arrays, modules, namedtuples, functions, ...) are returned as they are.
    """
    kind = type(value)
    if kind is list or kind is tuple or kind is MixedTuple:
        items = tuple(freeze(x) for x in value)
        dynamic = [holds_dynamic(x) for x in items if x is not None]
        return MixedTuple(items) if any(dynamic) and not all(dynamic) else items
    if kind is dict or kind is FrozenDict:
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    return value


def freeze_static(value: Any) -> Any:
    """A static value made immutable: lists become tuples (recursively). Dicts are left as they are."""
    if type(value) in (list, tuple):
        return tuple(freeze_static(x) for x in value)
    return value
