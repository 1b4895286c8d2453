"""Per-field sharding: the `sharding=` of `px.param` / `px.state`, as JAX's partition specs.

JAX's own engine distributes the work (meshes, `NamedSharding`, GSPMD under `jax.jit`,
`shard_map`); purepax only says, per field, how each array is laid out over a mesh's
axes. `px.partition_specs(m)` is a module of the same type whose array leaves are
`PartitionSpec`s (replicated where no sharding was given), ready for
`in_shardings`/`out_shardings`; `px.shard(m, mesh)` places (outside a trace) or
constrains (inside one) every array accordingly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import jax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ._distributed import place as _place
from ._fields import SHARDING_KEY
from ._module import Module, shallow_copy, spec_of
from ._trace import outside_transformations

_M = TypeVar("_M", bound=Module)


def _is_module(x: object) -> bool:
    return isinstance(x, Module)


def field_sharding(module: Module, name: str) -> tuple[Any, ...] | None:
    """How field `name` of `module` is sharded (None: replicated).

    A class may choose per instance by defining `__field_shardings__(self)`, a mapping
    from field names to axes (the layers of `purepax.nn` take a `sharding=` argument that
    way); other fields take the `sharding=` of their field specifier.
    """
    chosen: Callable[[Module], Mapping[str, tuple[Any, ...] | None]] | None = getattr(
        type(module), "__field_shardings__", None
    )
    if chosen is not None:
        by_name = chosen(module)
        if name in by_name:
            return by_name[name]
    sharding: tuple[Any, ...] | None = spec_of(type(module)).fields[name].field.metadata.get(SHARDING_KEY)
    return sharding


def check_axes(owner: str, what: str, sharding: Any, shape: tuple[int, ...]) -> tuple[Any, ...] | None:
    """`sharding` as a tuple of mesh-axis names, one per dimension of an array of `shape`
    (padded with `None`), or None; refused with a message when it cannot be one."""
    if sharding is None:
        return None
    if isinstance(sharding, str) or not isinstance(sharding, (tuple, list)):
        raise TypeError(
            f"{owner}: sharding={sharding!r} for {what}; give a tuple with one mesh-axis name "
            f"(or None) per dimension of its shape {shape}, e.g. {(None,) * (len(shape) - 1) + ('model',)}."
        )
    for entry in sharding:
        names = entry if isinstance(entry, tuple) else (entry,)
        if not all(n is None or isinstance(n, str) for n in names):
            raise TypeError(f"{owner}: sharding={tuple(sharding)!r} for {what}: entries are mesh-axis names or None.")
    if len(sharding) > len(shape):
        raise ValueError(
            f"{owner}: sharding={tuple(sharding)!r} has {len(sharding)} entries, but {what} has "
            f"shape {shape} ({len(shape)} dimensions). Give one mesh-axis name (or None) per "
            "dimension, at most."
        )
    return tuple(sharding) + (None,) * (len(shape) - len(sharding))


def partition_specs(module: _M) -> _M:
    """A module of the same type whose array leaves are `jax.sharding.PartitionSpec`s.

    Each array takes the `sharding=` of its field (`px.param(sharding=(None, "model"))`),
    and is fully replicated (`PartitionSpec()`) where none was given. A module class can
    say how its fields map to specs by defining `__partition_specs__(self)` (a stack of
    blocks adds its leading, replicated axis that way).

    **Arguments:** `module`, any purepax module.

    **Returns:** a module of the same type and tree structure, with `PartitionSpec` leaves.

    ```python
    specs = px.partition_specs(model)
    shardings = jax.tree.map(lambda spec: NamedSharding(mesh, spec), specs)
    step = px.jit(train_step, in_shardings=(shardings, None), out_shardings=shardings)
    ```
    """
    if not isinstance(module, Module):
        raise TypeError(f"px.partition_specs takes a purepax module, got {type(module).__name__}.")
    custom: Callable[[Module], Any] | None = getattr(type(module), "__partition_specs__", None)
    if custom is not None:
        specs: _M = custom(module)
        return specs
    new = shallow_copy(module)
    for name in spec_of(type(module)).dynamic_names(module):
        axes = field_sharding(module, name)
        spec = PartitionSpec() if axes is None else PartitionSpec(*axes)  # type: ignore[no-untyped-call]
        new.__dict__[name] = jax.tree_util.tree_map(
            lambda x: partition_specs(x) if _is_module(x) else spec, module.__dict__[name], is_leaf=_is_module
        )
    return new


def shard(module: _M, mesh: Mesh) -> _M:
    """A copy of `module` whose arrays are laid out over `mesh` as their fields say.

    Outside a trace, each array is placed with `jax.device_put(x, NamedSharding(mesh,
    spec))` (in a multi-process run, each process fills in the shards it owns). Inside one (`jax.jit`, `px.jit`, ...), each is constrained: with
    `jax.lax.with_sharding_constraint` on `Auto` mesh axes, and with
    `jax.sharding.reshard` where the spec names an `Explicit` axis (`jax.make_mesh` makes
    `Explicit` axes by default).

    **Arguments:** `module`; `mesh`, a `jax.sharding.Mesh` whose axis names the fields'
    `sharding=` use.

    **Returns:** a module of the same type, with the same values.

    ```python
    mesh = jax.make_mesh((2, 4), ("data", "model"))
    model = px.shard(model, mesh)
    ```
    """
    specs = partition_specs(module)
    if outside_transformations():
        place: Callable[[Any, PartitionSpec], Any] = lambda x, spec: _place(x, NamedSharding(mesh, spec))
    else:
        place = lambda x, spec: _constrain(x, mesh, spec)
    placed: _M = jax.tree_util.tree_map(place, module, specs)
    return placed


def _constrain(x: Any, mesh: Mesh, spec: PartitionSpec) -> Any:
    explicit = getattr(getattr(jax.sharding, "AxisType", None), "Explicit", None)
    types = dict(zip(mesh.axis_names, getattr(mesh, "axis_types", ()) or ()))
    named = [n for entry in spec for n in (entry if isinstance(entry, tuple) else (entry,)) if n is not None]
    if explicit is not None and (any(types.get(n) == explicit for n in named) or (not named and explicit in types.values())):
        reshard: Any = getattr(jax.sharding, "reshard")  # JAX 0.6 and newer, with Explicit axes
        return reshard(x, NamedSharding(mesh, spec))
    constrain: Any = jax.lax.with_sharding_constraint
    return constrain(x, NamedSharding(mesh, spec))
