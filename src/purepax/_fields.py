"""Field specifiers (`param`, `state`, `static`) and how a field's role is decided.

A field of a module has one of four roles:

- `PARAM`: trainable array(s), what `px.parameters` keeps and `px.grad` differentiates;
- `STATE`: non-trainable array(s): counters, running statistics, PRNG keys;
- `CHILD`: submodule(s), or a container of modules and arrays; its own arrays take the
  module's default array role (parameter in a `Module`, state in a `StateModule`);
- `STATIC`: hashable configuration kept in the tree structure, never traced.

The role follows the specifier, else the annotation; an annotation that does not
decide (`tuple`, `dict`, `Any`, no type arguments) leaves it to the value given at
construction (`UNDECIDED`).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import jax
import numpy as np

_T = TypeVar("_T")
ROLE_KEY = "purepax_role"
SHARDING_KEY = "purepax_sharding"
Sharding = tuple[str | tuple[str, ...] | None, ...] | None


class Role(enum.Enum):
    PARAM = "parameter"
    STATE = "state"
    CHILD = "child"
    STATIC = "static"
    UNDECIDED = "undecided"


def _specifier(
    role: Role,
    default: Any,
    default_factory: Any,
    init: bool,
    repr: bool,
    kw_only: Any,
    sharding: Sharding,
) -> Any:
    kwargs: dict[str, Any] = {"init": init, "repr": repr}
    if kw_only is not dataclasses.MISSING:
        kwargs["kw_only"] = kw_only
    if default is not dataclasses.MISSING and default.__class__.__hash__ is None:
        if isinstance(default, (jax.Array, np.ndarray)):
            # Each instance gets its own copy: a buffer shared by every instance would be
            # deleted for all of them by one `donate_argnums` (and NumPy arrays can change).
            default_factory, default = _copier(default), dataclasses.MISSING
    metadata = {
        ROLE_KEY: role,
        SHARDING_KEY: None if sharding is None else tuple(sharding),
    }
    return dataclasses.field(
        default=default, default_factory=default_factory, metadata=metadata, **kwargs
    )


def _copier(array: Any) -> Callable[[], Any]:
    if isinstance(array, np.ndarray):
        return lambda: np.array(array, copy=True)
    import jax.numpy as jnp

    return lambda: jnp.array(array, copy=True)


def _make_specifier(role: Role, name: str, doc: str) -> Any:
    def specifier(
        *,
        default: Any = dataclasses.MISSING,
        default_factory: Any = dataclasses.MISSING,
        init: bool = True,
        repr: bool = True,
        kw_only: Any = dataclasses.MISSING,
        sharding: Sharding = None,
    ) -> Any:
        return _specifier(role, default, default_factory, init, repr, kw_only, sharding)

    specifier.__name__ = specifier.__qualname__ = name
    specifier.__doc__ = doc
    return specifier


if typing.TYPE_CHECKING:

    @overload
    def param(
        *,
        default: _T,
        init: bool = True,
        repr: bool = True,
        kw_only: bool = ...,
        sharding: Sharding = None,
    ) -> _T: ...
    @overload
    def param(
        *,
        default_factory: Callable[[], _T],
        init: bool = True,
        repr: bool = True,
        kw_only: bool = ...,
        sharding: Sharding = None,
    ) -> _T: ...
    @overload
    def param(
        *,
        init: bool = True,
        repr: bool = True,
        kw_only: bool = ...,
        sharding: Sharding = None,
    ) -> Any: ...
    def param(**kwargs: Any) -> Any: ...

    state = param
    static = param
else:
    param = _make_specifier(
        Role.PARAM,
        "param",
        """A trainable array field (or a container of arrays).

    **Arguments:** the `dataclasses.field` keywords `default`, `default_factory`,
    `init`, `repr`, `kw_only`; `sharding`: one mesh-axis name (or `None`) per array
    dimension. An array given as `default` is copied for each instance (so donating one
    instance's buffers never deletes another's).

    ```python
    class Scale(px.Module):
        factor: jax.Array = px.param(default_factory=lambda: jnp.ones(()))
    ```
    """,
    )
    state = _make_specifier(
        Role.STATE,
        "state",
        """A non-trainable array field: counters, running statistics, PRNG keys.

    Takes the same keywords as `px.param`. `px.parameters` drops it and `px.grad`
    holds it fixed.
    """,
    )
    static = _make_specifier(
        Role.STATIC,
        "static",
        """A hashable configuration field, kept in the tree structure and never traced.

    Takes the same keywords as `px.param`. A list given to a static field becomes a
    tuple; a dict is refused.
    """,
    )


# --- deciding a role from an annotation -------------------------------------------------

_ARRAY_TYPES: tuple[type, ...] = (
    jax.Array,
    np.ndarray,
    np.generic,
    jax.ShapeDtypeStruct,
)
_SEQUENCE_ORIGINS = (tuple, list, collections.abc.Sequence)
_MAPPING_ORIGINS = (dict, collections.abc.Mapping)
_UNDECIDED_TYPES = (
    tuple,
    list,
    dict,
    object,
    collections.abc.Sequence,
    collections.abc.Mapping,
)


def _is_class(tp: Any) -> bool:
    """Whether `tp` is a class (on Python 3.10, `tuple[int, ...]` is an instance of `type` too)."""
    return isinstance(tp, type) and not isinstance(tp, types.GenericAlias)


def _is_array_type(tp: Any) -> bool:
    if tp in _ARRAY_TYPES:
        return True
    import jaxtyping

    return _is_class(tp) and issubclass(tp, (jaxtyping.AbstractArray, *_ARRAY_TYPES))


def _combine(roles: list[Role], array_role: Role) -> Role:
    """The role of a union or a container whose members have `roles`."""
    if not roles:
        return Role.UNDECIDED
    if all(r is Role.STATIC for r in roles):
        return Role.STATIC
    if Role.UNDECIDED in roles:
        return Role.UNDECIDED
    if all(r is array_role for r in roles):
        return array_role
    if Role.STATIC in roles:
        # e.g. `Linear | int`: the value decides.
        return Role.UNDECIDED
    return Role.CHILD


def role_of_annotation(tp: Any, module_type: type, array_role: Role) -> Role:
    """The role an annotation gives a field of a module whose arrays default to `array_role`."""
    if tp is Any or tp is None or tp is type(None):
        return Role.UNDECIDED if tp is Any else Role.STATIC
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return role_of_annotation(args[0], module_type, array_role)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in args if a is not type(None)]
        return _combine(
            [role_of_annotation(a, module_type, array_role) for a in members],
            array_role,
        )
    if origin is typing.ClassVar or origin is Literal:
        return Role.STATIC
    if _is_array_type(tp):
        return array_role
    if _is_class(tp) and issubclass(tp, module_type):
        return Role.CHILD
    if tp in _UNDECIDED_TYPES or isinstance(tp, TypeVar):
        return Role.UNDECIDED
    if _is_class(origin) and issubclass(origin, module_type):
        return (
            Role.CHILD
        )  # a parametrised generic module: `Box[int]`, `px.Stacked[Block]`
    if origin is not None and _is_class(origin):
        if issubclass(origin, _SEQUENCE_ORIGINS):
            members = [a for a in args if a is not Ellipsis]
        elif issubclass(origin, _MAPPING_ORIGINS):
            members = list(args[1:])
        else:
            return Role.STATIC
        role = _combine(
            [role_of_annotation(a, module_type, array_role) for a in members],
            array_role,
        )
        return Role.CHILD if role is array_role else role
    if isinstance(tp, (str, typing.ForwardRef)):
        return Role.UNDECIDED
    return Role.STATIC
