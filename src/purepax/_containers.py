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

from ._errors import FieldError
from ._module_marker import ModuleMarker

_K = TypeVar("_K")
_V = TypeVar("_V")

ARRAY_TYPES: tuple[type, ...] = (
    jax.Array,
    np.ndarray,
    np.generic,
    jax.ShapeDtypeStruct,
)


def same_structure(a: Any, b: Any) -> bool:
    """Whether two tree definitions are equal (typed loosely: JAX's stubs differ by version)."""
    return bool(a == b)


def is_array(x: object) -> bool:
    """Whether `x` is an array leaf (JAX or NumPy array, tracer, or shape-dtype struct)."""
    return isinstance(x, ARRAY_TYPES)


class FrozenDict(Mapping[_K, _V]):
    """A read-only mapping: what a dict becomes when it is stored in a module.

    Items that are neither arrays nor modules nor containers of them are kept in the
    tree structure (static); the rest are children of the tree. Which items are static
    is decided once, when the dict is made, and kept by every copy JAX rebuilds: so
    `jax.tree.map` to bools, `None` or shapes keeps the structure (optax masks,
    sharding specs), as it does for a plain dict.
    """

    __slots__ = ("_items", "_static")
    _items: dict[_K, _V]
    _static: frozenset[_K]

    def __init__(self, items: Mapping[_K, _V] | None = None) -> None:
        values = dict(items or {})
        object.__setattr__(self, "_items", values)
        object.__setattr__(
            self,
            "_static",
            frozenset(k for k, v in values.items() if not holds_dynamic(v)),
        )

    @classmethod
    def _rebuild(cls, items: dict[_K, _V], static: frozenset[_K]) -> FrozenDict[_K, _V]:
        new = object.__new__(cls)
        object.__setattr__(new, "_items", items)
        object.__setattr__(new, "_static", static)
        return new

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
        raise FieldError(
            "FrozenDict is read-only; build a new dict and assign it in px.pure instead"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenDict._rebuild, (dict(self._items), self._static)

    def __or__(self, other: Mapping[_K, _V]) -> FrozenDict[_K, _V]:
        return FrozenDict({**self._items, **other})


def _flatten_frozendict_with_keys(
    d: FrozenDict[Any, Any],
) -> tuple[list[Any], tuple[Any, ...]]:
    items, static = d._items, d._static
    children = [
        (jax.tree_util.DictKey(k), v) for k, v in items.items() if k not in static
    ]
    return children, (
        tuple(items),
        static,
        tuple((k, items[k]) for k in items if k in static),
    )


def _flatten_frozendict(d: FrozenDict[Any, Any]) -> tuple[list[Any], tuple[Any, ...]]:
    items, static = d._items, d._static
    children = [v for k, v in items.items() if k not in static]
    return children, (
        tuple(items),
        static,
        tuple((k, items[k]) for k in items if k in static),
    )


def _unflatten_frozendict(aux: tuple[Any, ...], children: Any) -> FrozenDict[Any, Any]:
    keys, static, static_items = aux
    values = dict(static_items)
    values.update(zip((k for k in keys if k not in static), children))
    return FrozenDict._rebuild({k: values[k] for k in keys}, static)


jax.tree_util.register_pytree_with_keys(
    FrozenDict,
    _flatten_frozendict_with_keys,
    _unflatten_frozendict,
    flatten_func=_flatten_frozendict,
)


class MixedTuple(tuple):  # type: ignore[type-arg]
    """A tuple of submodules or arrays that also holds static items (e.g. `jax.nn.relu`).

    It is a real tuple (indexing, iteration and `==` as usual); only its static items
    are kept in the tree structure instead of being leaves. Which items are static is
    decided when it is made and kept by JAX's rebuilds, as for `FrozenDict`.
    """

    _static: tuple[int, ...]

    def __new__(
        cls, items: Any = (), static: tuple[int, ...] | None = None
    ) -> MixedTuple:
        new = super().__new__(cls, items)
        if static is None:
            static = tuple(i for i, x in enumerate(new) if not holds_dynamic(x))
        new._static = static
        return new

    def __reduce__(self) -> tuple[Any, ...]:
        return MixedTuple, (tuple(self), self._static)


def _flatten_mixed_with_keys(t: MixedTuple) -> tuple[list[Any], tuple[Any, ...]]:
    static = t._static
    children = [
        (jax.tree_util.SequenceKey(i), x) for i, x in enumerate(t) if i not in static
    ]
    return children, (len(t), static, tuple(t[i] for i in static))


def _flatten_mixed(t: MixedTuple) -> tuple[list[Any], tuple[Any, ...]]:
    static = t._static
    return [x for i, x in enumerate(t) if i not in static], (
        len(t),
        static,
        tuple(t[i] for i in static),
    )


def _unflatten_mixed(aux: tuple[Any, ...], children: Any) -> MixedTuple:
    size, static, static_items = aux
    items: list[Any] = [None] * size
    for i, x in zip(static, static_items):
        items[i] = x
    dynamic = iter(children)
    for i in range(size):
        if i not in static:
            items[i] = next(dynamic)
    return MixedTuple(items, static)


jax.tree_util.register_pytree_with_keys(
    MixedTuple, _flatten_mixed_with_keys, _unflatten_mixed, flatten_func=_flatten_mixed
)

_DYNAMIC_TYPES = (*ARRAY_TYPES, ModuleMarker)


def holds_dynamic(value: object) -> bool:
    """Whether `value` is, or contains, an array or a module (anything JAX must trace)."""
    if isinstance(value, _DYNAMIC_TYPES):
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
    if kind is MixedTuple:
        return MixedTuple(tuple(freeze(x) for x in value), value._static)
    if kind is list or kind is tuple:
        items = tuple(freeze(x) for x in value)
        dynamic = [holds_dynamic(x) for x in items if x is not None]
        return MixedTuple(items) if any(dynamic) and not all(dynamic) else items
    if kind is FrozenDict:
        # Already decided which items are static: keep that (a copy JAX rebuilt may hold
        # `None` or bools where arrays were).
        return FrozenDict._rebuild(
            {k: freeze(v) for k, v in value.items()}, value._static
        )
    if kind is dict:
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    return value


def freeze_static(value: Any) -> Any:
    """A static value made immutable: lists become tuples (recursively). Dicts are left as they are."""
    if type(value) in (list, tuple):
        return tuple(freeze_static(x) for x in value)
    return value
