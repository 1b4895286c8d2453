"""Per-field sharding: the `sharding=` of `px.param` / `px.state`, as JAX's partition specs.

JAX's own engine distributes the work (meshes, `NamedSharding`, GSPMD under `jax.jit`,
`shard_map`); purepax only says, per field, how each array is laid out over a mesh's
axes. `px.partition_specs(m)` is a module of the same type whose array leaves are
`PartitionSpec`s (replicated where no sharding was given), ready for
`in_shardings`/`out_shardings`; `px.shard(m, mesh)` places (outside a trace) or
constrains (inside one) every array accordingly. `matmul` and `take_rows` are what the
layers of `purepax.nn` compute with, so that they also run on `Explicit` mesh axes.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ._class_spec import field_sharding, spec_of
from ._distributed import place as _place
from ._errors import ArgumentError
from ._module import Module, shallow_copy
from ._module_marker import is_module
from ._trace import outside_transformations

_M = TypeVar("_M", bound=Module)


def check_axes(
    owner: str, what: str, sharding: Any, shape: tuple[int, ...]
) -> tuple[Any, ...] | None:
    """`sharding` as a tuple of mesh-axis names, one per dimension of an array of `shape`
    (padded with `None`), or None; refused with a message when it cannot be one."""
    if sharding is None:
        return None
    if isinstance(sharding, str) or not isinstance(sharding, (tuple, list)):
        raise ArgumentError(
            f"{owner}: sharding={sharding!r} for {what}; give a tuple with one mesh-axis name "
            f"(or None) per dimension of its shape {shape}, e.g. {(None,) * (len(shape) - 1) + ('model',)}."
        )
    for entry in sharding:
        names = entry if isinstance(entry, tuple) else (entry,)
        if not all(n is None or isinstance(n, str) for n in names):
            raise ArgumentError(
                f"{owner}: sharding={tuple(sharding)!r} for {what}: entries are mesh-axis names or None."
            )
    if len(sharding) > len(shape):
        raise ArgumentError(
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
        raise ArgumentError(
            f"px.partition_specs takes a purepax module, got {type(module).__name__}."
        )
    custom: Callable[[Module], Any] | None = getattr(
        type(module), "__partition_specs__", None
    )
    if custom is not None:
        specs: _M = custom(module)
        return specs
    new = shallow_copy(module)
    for name in spec_of(type(module)).dynamic_names(module):
        axes = field_sharding(module, name)
        spec = PartitionSpec() if axes is None else PartitionSpec(*axes)  # type: ignore[no-untyped-call]
        new.__dict__[name] = jax.tree_util.tree_map(
            lambda x: partition_specs(x) if is_module(x) else spec,
            module.__dict__[name],
            is_leaf=is_module,
        )
    return new


def shard(module: _M, mesh: Mesh) -> _M:
    """A copy of `module` whose arrays are laid out over `mesh` as their fields say.

    Outside a trace, each array is placed with `jax.device_put(x, NamedSharding(mesh,
    spec))` (in a multi-process run, each process fills in the shards it owns). Inside one (`jax.jit`, `px.jit`, ...), each is constrained: with
    `jax.lax.with_sharding_constraint` on `Auto` mesh axes, and with
    `jax.sharding.reshard` where the spec names an `Explicit` axis (`jax.make_mesh` makes
    `Explicit` axes by default). An abstract module (the `jax.ShapeDtypeStruct` leaves of
    `jax.eval_shape`) gets `ShapeDtypeStruct`s that carry their `NamedSharding(mesh,
    spec)`: a `like` for `px.load` that places every array, nothing built first.

    **Arguments:** `module`; `mesh`, a `jax.sharding.Mesh` whose axis names the fields'
    `sharding=` use.

    **Returns:** a module of the same type, with the same values.

    ```python
    mesh = jax.make_mesh((2, 4), ("data", "model"))
    model = px.shard(model, mesh)
    target = px.shard(jax.eval_shape(lambda: Model(key=jax.random.key(0))), mesh)
    ```
    """
    specs = partition_specs(module)
    if outside_transformations():
        place: Callable[[Any, PartitionSpec], Any] = lambda x, spec: _place(
            x, NamedSharding(mesh, spec)
        )
    else:
        place = lambda x, spec: _constrain(x, mesh, spec)

    def shard_leaf(x: Any, spec: PartitionSpec) -> Any:
        if isinstance(x, jax.ShapeDtypeStruct):
            # jax.eval_shape of a placed array keeps no sharding on Auto axes, and only an
            # AbstractMesh's (no devices) on Explicit ones: a shape gets the mesh's here.
            sharding = NamedSharding(mesh, spec)
            return jax.ShapeDtypeStruct(
                x.shape, x.dtype, sharding=sharding, weak_type=x.weak_type
            )  # type: ignore[no-untyped-call, unused-ignore]
        return place(x, spec)

    placed: _M = jax.tree_util.tree_map(shard_leaf, module, specs)
    return placed


def _constrain(x: Any, mesh: Mesh, spec: PartitionSpec) -> Any:
    explicit = getattr(getattr(jax.sharding, "AxisType", None), "Explicit", None)
    types = dict(zip(mesh.axis_names, getattr(mesh, "axis_types", ()) or ()))
    named = [
        n
        for entry in spec
        for n in (entry if isinstance(entry, tuple) else (entry,))
        if n is not None
    ]
    if explicit is not None and (
        any(types.get(n) == explicit for n in named)
        or (not named and explicit in types.values())
    ):
        reshard: Any = getattr(
            jax.sharding, "reshard"
        )  # JAX 0.6 and newer, with Explicit axes
        return reshard(x, NamedSharding(mesh, spec))
    constrain: Any = jax.lax.with_sharding_constraint
    return constrain(x, NamedSharding(mesh, spec))


def _typed_axes(x: jax.Array) -> tuple[Any, ...] | None:
    """The mesh axes that `x`'s type shards it over, one entry per dimension, where it
    names any: `Explicit` mesh axes, in JAX with sharding in types (`jax.typeof(x).sharding`).
    None on `Auto` axes (the type names none), without a mesh, and on JAX without `jax.typeof`."""
    typeof: Any = getattr(jax, "typeof", None)
    if typeof is None:
        return None
    spec = getattr(getattr(typeof(x), "sharding", None), "spec", None)
    if spec is None or all(entry is None for entry in spec):
        return None
    return tuple(spec) + (None,) * (x.ndim - len(spec))


def _axis_names(entry: Any) -> set[str]:
    return set(entry) if isinstance(entry, tuple) else {entry} - {None}


def _typed_mesh(*arrays: jax.Array) -> Any:
    """The (abstract) mesh of the first of `arrays` whose type names mesh axes."""
    typeof: Any = getattr(jax, "typeof")
    return next(typeof(x).sharding.mesh for x in arrays if _typed_axes(x) is not None)


@functools.lru_cache(maxsize=None)
def _takes_out_sharding(function: Callable[..., Any]) -> bool:
    return "out_sharding" in inspect.signature(function).parameters


def matmul(x: jax.Array, w: jax.Array) -> jax.Array:
    """`x @ w` for a matrix `w`. Where both contracted dimensions are sharded over
    `Explicit` mesh axes (a row-parallel layer), JAX asks for the result's sharding: `x`'s
    leading dimensions keep theirs and the last takes `w`'s (the sum over the shards is a
    reduction the partitioner inserts). Elsewhere, plainly `x @ w`."""
    x_axes, w_axes = _typed_axes(x), _typed_axes(w)
    if x_axes is None or w_axes is None or x_axes[-1] is None or w_axes[0] is None:
        return x @ w
    if not _takes_out_sharding(jnp.matmul):
        return x @ w
    leading = x_axes[:-1]
    taken = set().union(*map(_axis_names, leading))
    last = None if _axis_names(w_axes[-1]) & taken else w_axes[-1]
    sharding = NamedSharding(_typed_mesh(w), PartitionSpec(*leading, last))  # type: ignore[no-untyped-call]
    matmul_: Any = jnp.matmul
    out: jax.Array = matmul_(x, w, out_sharding=sharding)
    return out


def take_rows(table: jax.Array, ids: jax.Array) -> jax.Array:
    """`jnp.take(table, ids, axis=0)`. Where the table or the ids are sharded over
    `Explicit` mesh axes, JAX asks for the result's sharding: the ids' dimensions keep
    theirs, the table's others follow (replicated where the ids took their mesh axis).
    Elsewhere, plainly `jnp.take`."""
    table_axes, ids_axes = _typed_axes(table), _typed_axes(ids)
    rows = None if table_axes is None and ids_axes is None else table.at[ids]
    if rows is None or not _takes_out_sharding(type(rows).get):
        return jnp.take(table, ids, axis=0)
    leading = ids_axes or (None,) * ids.ndim
    taken = set().union(*map(_axis_names, leading))
    rest = [
        None if _axis_names(entry) & taken else entry
        for entry in (table_axes or (None,) * table.ndim)[1:]
    ]
    sharding = NamedSharding(_typed_mesh(table, ids), PartitionSpec(*leading, *rest))  # type: ignore[no-untyped-call]
    get: Any = rows.get
    out: jax.Array = get(
        mode="fill", out_sharding=sharding
    )  # jnp.take's mode: NaN rows for ids out of range
    return out
