"""What a model costs: `px.summary` (its submodules, arrays, counts and bytes per device)
and `px.step_cost` (a compiled step's FLOPs and memory, as XLA counts them)."""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Mapping
from typing import Any

import jax
import numpy as np
from jax.sharding import PartitionSpec

from ._class_spec import spec_of
from ._errors import ArgumentError
from ._functional import parameters
from ._module import Module
from ._module_marker import is_module
from ._sharding import partition_specs

if typing.TYPE_CHECKING:
    from jax.sharding import AbstractMesh, Mesh

_SHORT = {
    "float64": "f64",
    "float32": "f32",
    "float16": "f16",
    "bfloat16": "bf16",
    "int64": "i64",
    "int32": "i32",
    "int16": "i16",
    "int8": "i8",
    "uint64": "u64",
    "uint32": "u32",
    "uint16": "u16",
    "uint8": "u8",
    "bool": "bool",
    "complex64": "c64",
    "complex128": "c128",
}


def _describe(leaf: Any, spec: tuple[Any, ...]) -> tuple[str, int]:
    """`f32[3,4@model]` for an array (`key<fry>[2]` for PRNG keys), and its size."""
    dtype = getattr(leaf, "dtype", None)
    shape = tuple(getattr(leaf, "shape", ()))
    if dtype is None:
        return f"{type(leaf).__name__}", 1
    return _format(dtype, shape, spec)


def _format(
    dtype: Any, shape: tuple[int, ...], spec: tuple[Any, ...]
) -> tuple[str, int]:
    if jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        name = str(dtype)
    else:
        name = _SHORT.get(np.dtype(dtype).name, np.dtype(dtype).name)
    # A sharded dimension is written as `jax.typeof` writes it: `8@model`.
    dims = ",".join(f"{n}{_at(entry)}" for n, entry in zip(shape, _padded(spec, shape)))
    return f"{name}[{dims}]", int(np.prod(shape, dtype=np.int64))


def _padded(spec: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[Any, ...]:
    return tuple(spec) + (None,) * (len(shape) - len(spec))


def _at(entry: Any) -> str:
    if entry is None:
        return ""
    if isinstance(entry, tuple):
        return "@(" + ",".join(entry) + ")"
    return f"@{entry}"


def _device_bytes(
    leaf: Any, spec: tuple[Any, ...], mesh: Mapping[str, int] | None, where: str
) -> int:
    """The bytes of `leaf` that each device holds when it is laid out by `spec` over a
    mesh of axis sizes `mesh` (an uneven split rounds up: the largest shard)."""
    dtype = getattr(leaf, "dtype", None)
    itemsize = int((np.asarray(leaf).dtype if dtype is None else dtype).itemsize)
    shape: tuple[int, ...] = tuple(getattr(leaf, "shape", ()))
    if mesh is None:
        return itemsize * math.prod(shape)
    total = itemsize
    for n, entry in zip(shape, _padded(spec, shape)):
        ways = 1
        for axis in _axis_names(entry):
            if axis not in mesh:
                raise ArgumentError(
                    f"px.summary: {where} is sharded over the mesh axis {axis!r}, but the "
                    f"mesh has the axes {tuple(mesh)}. Pass the mesh the model is laid out "
                    "on (one that has every axis the fields' sharding= names)."
                )
            ways *= mesh[axis]
        total *= -(-n // ways)
    return total


def _axis_names(entry: Any) -> tuple[str, ...]:
    if entry is None:
        return ()
    return tuple(entry) if isinstance(entry, tuple) else (entry,)


def _specs_by_path(module: Module) -> dict[Any, tuple[Any, ...]]:
    """Each leaf's partition spec (as a tuple), by its path in `module`."""
    is_spec = lambda x: isinstance(x, PartitionSpec)  # noqa: E731
    leaves = jax.tree_util.tree_flatten_with_path(
        partition_specs(module), is_leaf=is_spec
    )[0]
    return {path: tuple(spec) for path, spec in leaves}


def _bytes_text(n: int) -> str:
    """`1536 bytes (1.5 KiB)`."""
    if n < 1024:
        return f"{n} bytes"
    unit, size = next(
        (u, n / 1024**p)
        for p, u in ((4, "TiB"), (3, "GiB"), (2, "MiB"), (1, "KiB"))
        if n >= 1024**p
    )
    return f"{n} bytes ({size:.1f} {unit})"


def summary(
    module: Module,
    *,
    mesh: Mesh | AbstractMesh | Mapping[str, int] | None = None,
    optimizer: Module | None = None,
    step: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
) -> str:
    """A table of `module`'s submodules: path, class, arrays, and parameter counts.

    One row per module (the root first, then submodules in tree order), with the
    shapes and dtypes of the arrays it holds itself (`f32[3,4]`; a dimension that its
    field's `sharding=` lays over a mesh axis is written as `jax.typeof` writes it,
    `f32[3,4@model]`), its own number of parameters and of state values (a `px.Stacked`
    is one row: block type, number of blocks, the arrays of one block, per-block and
    total counts, and its `remat` and `unroll`) (state, such as counters and running
    statistics, is not trained and is counted apart), then the totals. Counts are plain
    integers.

    With a `mesh` or an `optimizer`, a column gives the bytes each device holds of each
    row's arrays, and a last line the totals per device: parameters, state and the
    optimizer's state. Each array is split as `px.partition_specs` says (the optimizer's
    state like the parameters it belongs to), over the sizes of the mesh's axes; without
    a mesh, everything is on one device. With a `step`, the table is followed by what
    the compiled step costs (`px.step_cost`).

    **Arguments:**

    - `module`: any purepax module (concrete or from `jax.eval_shape`).
    - `mesh`: optional `jax.sharding.Mesh` that the model is laid out on; or, to plan
      for devices you do not have, a `jax.sharding.AbstractMesh` or a mapping from axis
      names to sizes (`{"data": 2, "model": 4}`): only the axes' names and sizes are read.
    - `optimizer`: optional `purepax.optim.Optimizer` (or any module) whose state is
      counted as the optimizer's.
    - `step`: optional `(function, args)`: a training step and example arguments
      (arrays or `jax.ShapeDtypeStruct`s) to compile it for.

    **Returns:** the table, as a string ready to print.

    ```python
    print(px.summary(model))
    print(px.summary(model, mesh=mesh, optimizer=opt, step=(train_step, (model, opt, x, y))))
    ```
    """
    if not isinstance(module, Module):
        raise ArgumentError(
            f"px.summary takes a purepax module, got {type(module).__name__}."
        )
    if optimizer is not None and not isinstance(optimizer, Module):
        raise ArgumentError(
            f"px.summary: optimizer= takes a purepax.optim.Optimizer (a module), got "
            f"{type(optimizer).__name__}."
        )
    sizes: Mapping[str, int] | None = None
    if mesh is not None:
        sizes = mesh if isinstance(mesh, Mapping) else getattr(mesh, "shape", None)
        if not isinstance(sizes, Mapping) or not all(
            isinstance(n, int) for n in sizes.values()
        ):
            raise ArgumentError(
                f"px.summary: mesh= takes a jax.sharding.Mesh, an AbstractMesh or a mapping "
                f"from axis names to sizes, got {mesh!r:.80}. Make one with "
                "jax.make_mesh((2, 4), ('data', 'model')), or pass {'data': 2, 'model': 4}."
            )
    from ._stacked import (  # a stack is one row (imported here: stacks build on modules)
        Stacked,
        remat_name,
    )

    with_bytes = mesh is not None or optimizer is not None
    param_paths = {
        keys for keys, _ in jax.tree_util.tree_flatten_with_path(parameters(module))[0]
    }
    specs = _specs_by_path(module)
    rows: list[tuple[str, ...]] = []
    totals = [0, 0]
    byte_totals = [0, 0]  # parameters, state

    def add_row(
        prefix: tuple[Any, ...],
        module_text: str,
        arrays: list[str],
        counts: list[int],
        held: list[int],
    ) -> None:
        where = jax.tree_util.keystr(prefix).lstrip(".") or "(root)"
        row = (where, module_text, " ".join(arrays), str(counts[0]), str(counts[1]))
        rows.append((*row, str(sum(held))) if with_bytes else row)
        for i in (0, 1):
            totals[i] += counts[i]
            byte_totals[i] += held[i]

    def visit_stack(m: Any, prefix: tuple[Any, ...]) -> None:
        # One row for the whole stack: block type, n, the arrays of one block, and the
        # counts of all blocks (per block in the module column).
        n = len(m)
        counts, held = [0, 0], [0, 0]
        arrays: list[str] = []
        for keys, leaf in jax.tree_util.tree_flatten_with_path(m.layers)[0]:
            path = (*prefix, jax.tree_util.GetAttrKey("layers"), *keys)
            is_param = path in param_paths
            spec = specs.get(path, ())
            text, size = _format(leaf.dtype, tuple(leaf.shape)[1:], spec[1:])
            counts[0 if is_param else 1] += size * n
            held[0 if is_param else 1] += _device_bytes(
                leaf, spec, sizes, jax.tree_util.keystr(path).lstrip(".")
            )
            arrays.append(
                f"{jax.tree_util.keystr(keys).lstrip('.')}:{text}"
                + ("" if is_param else " (state)")
            )
        per_block = counts[0] // n if n else 0
        module_text = (
            f"Stacked[{type(m.layers).__name__}] x{n} ({per_block} params per block) "
            f"remat={remat_name(m.remat)} unroll={m.unroll}"
        )
        add_row(prefix, module_text, arrays, counts, held)

    def visit(m: Module, prefix: tuple[Any, ...]) -> None:
        if isinstance(m, Stacked):
            visit_stack(m, prefix)
            return
        arrays: list[str] = []
        counts, held = [0, 0], [0, 0]
        children: list[tuple[Module, tuple[Any, ...]]] = []
        for name in spec_of(type(m)).dynamic_names(m):
            field_prefix = (*prefix, jax.tree_util.GetAttrKey(name))
            items = jax.tree_util.tree_flatten_with_path(
                m.__dict__[name], is_leaf=is_module
            )[0]
            for keys, leaf in items:
                path = (*field_prefix, *keys)
                if isinstance(leaf, Module):
                    children.append((leaf, path))
                    continue
                spec = specs.get(path, ())
                text, size = _describe(leaf, spec)
                is_param = path in param_paths
                counts[0 if is_param else 1] += size
                held[0 if is_param else 1] += _device_bytes(
                    leaf, spec, sizes, jax.tree_util.keystr(path).lstrip(".")
                )
                label = jax.tree_util.keystr(keys).lstrip(".")
                arrays.append(
                    f"{name}{'.' if label and not label.startswith('[') else ''}{label}:{text}"
                    + ("" if is_param else " (state)")
                )
        add_row(prefix, type(m).__name__, arrays, counts, held)
        for child, path in children:
            visit(child, path)

    visit(module, ())
    header: tuple[str, ...] = ("path", "module", "arrays", "params", "state")
    if with_bytes:
        header = (*header, "bytes/device")
    total_row = ("total", "", "", str(totals[0]), str(totals[1]))
    rows.append((*total_row, str(sum(byte_totals))) if with_bytes else total_row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[i].ljust(widths[i]) for i in range(3)] + [
            row[i].rjust(widths[i]) for i in range(3, len(header))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(header), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])]
    note = (
        f"{totals[0]} parameters (trained) and {totals[1]} state values "
        "(not trained: counters, running statistics, PRNG keys), counted separately."
    )
    lines = [*body, note]
    if with_bytes:
        lines.append(_memory_line(module, optimizer, sizes, byte_totals))
    if step is not None:
        if not (isinstance(step, tuple) and len(step) == 2 and callable(step[0])):
            raise ArgumentError(
                "px.summary: step= takes a (function, args) pair, e.g. "
                f"step=(train_step, (model, opt, x, y)), got {step!r:.80}."
            )
        lines.append(str(step_cost(step[0], *step[1])))
    return "\n".join(lines)


def _memory_line(
    module: Module,
    optimizer: Module | None,
    mesh: Mapping[str, int] | None,
    byte_totals: list[int],
) -> str:
    where = (
        "On one device"
        if mesh is None
        else "Per device, on a mesh of "
        + ", ".join(f"{name}={size}" for name, size in mesh.items())
        + f" ({math.prod(mesh.values())} devices)"
    )
    parts = [
        f"parameters {_bytes_text(byte_totals[0])}",
        f"state {_bytes_text(byte_totals[1])}",
    ]
    total = sum(byte_totals)
    if optimizer is not None:
        specs = _specs_by_path(optimizer)
        held = sum(
            _device_bytes(
                leaf,
                specs.get(path, ()),
                mesh,
                "the optimizer's " + jax.tree_util.keystr(path).lstrip("."),
            )
            for path, leaf in jax.tree_util.tree_flatten_with_path(optimizer)[0]
        )
        parts.append(f"optimizer state {_bytes_text(held)}")
        total += held
    return f"{where}: {', '.join(parts)}; {_bytes_text(total)} in all."


@dataclasses.dataclass(frozen=True)
class StepCost:
    """What one compiled step costs, per device, as XLA counts it (`px.step_cost` makes it).

    `None` where the backend does not say (`str` writes "unknown"). FLOPs count a
    multiply-add as two (a matmul of `(m, k)` by `(k, n)` is `2*m*k*n`); the
    transcendentals (`exp`, `tanh`, ...) are counted apart.

    **Fields:** `flops`, `transcendentals`, `bytes_accessed` (XLA's
    `cost_analysis()`); `argument_bytes`, `output_bytes`, `alias_bytes` (outputs that
    reuse a donated argument's buffer), `temp_bytes` and `peak_bytes` (XLA's
    `memory_analysis()`; the peak is XLA's own where it reports one, else arguments,
    outputs and temporaries less what is aliased); `stacks`, one line per `px.Stacked` in
    the arguments: its path, blocks, `remat` policy and `unroll`.

    XLA counts the body of a loop once, whatever its length: a stack of `n` blocks
    (applied with `jax.lax.scan`) counts `unroll` blocks, not `n`, and its line says so.
    For the whole count, cost a copy with `unroll=n` (`px.replace(stack, unroll=n)`),
    which compiles `n` copies of the block.
    """

    name: str
    flops: float | None
    transcendentals: float | None
    bytes_accessed: float | None
    argument_bytes: int | None
    output_bytes: int | None
    alias_bytes: int | None
    temp_bytes: int | None
    peak_bytes: int | None
    stacks: tuple[str, ...]

    def __str__(self) -> str:
        def number(x: float | None) -> str:
            return "unknown" if x is None else str(int(x))

        if self.peak_bytes is None:
            memory = "unknown (this backend gives no memory analysis)"
        else:
            memory = (
                f"{_bytes_text(self.peak_bytes)}: arguments {self.argument_bytes}, "
                f"outputs {self.output_bytes}, temporaries {self.temp_bytes}, "
                f"aliased {self.alias_bytes}"
            )
        rows = [
            ("flops", number(self.flops)),
            ("transcendentals", number(self.transcendentals)),
            ("bytes accessed", number(self.bytes_accessed)),
            ("peak memory", memory),
            *(("stack", line) for line in self.stacks),
        ]
        width = max(len(label) for label, _ in rows)
        return "\n".join(
            [
                f"Compiled step {self.name}, per device (XLA's cost and memory analysis):",
                *(f"  {label.ljust(width)}  {text}" for label, text in rows),
            ]
        )


def step_cost(step: Callable[..., Any], /, *args: Any, **kwargs: Any) -> StepCost:
    """What `step(*args, **kwargs)` costs once compiled: FLOPs and memory, per device.

    The step is lowered and compiled for the arguments given (as `jax.jit` does; a
    function already wrapped by `px.jit` or `jax.jit` keeps its own options, shardings
    and donations included), and XLA's `cost_analysis()` and `memory_analysis()` of the
    compiled program are read. Nothing runs. Under a mesh, the numbers are those of one
    device's share of the program.

    **Arguments:** `step`, the function; `args`, `kwargs`, example arguments: arrays,
    modules, or `jax.ShapeDtypeStruct`s (`jax.eval_shape` of a model) so that nothing
    need be allocated.

    **Returns:** a `px.StepCost`; `print` it for a table.

    ```python
    cost = px.step_cost(train_step, model, opt, x, y)
    print(cost.flops, cost.peak_bytes)
    ```
    """
    if not callable(step):
        raise ArgumentError(
            f"px.step_cost takes the step function first, got {type(step).__name__}."
        )
    from ._stacked import Stacked  # the remat policy of each stack is shown

    lower: Callable[..., Any] | None = getattr(step, "lower", None)
    if lower is None:
        lower = jax.jit(step).lower
    compiled = lower(*args, **kwargs).compile()
    costs = _cost_analysis(compiled)
    memory = _memory_analysis(compiled)
    found = jax.tree_util.tree_flatten_with_path(
        (args, kwargs), is_leaf=lambda x: isinstance(x, Stacked)
    )[0]
    stacks = tuple(
        f"{_argument_path(path)}: {leaf.__purepax_note__()}"
        + (
            f"; XLA counts the FLOPs of its loop's body once: {leaf.unroll} of {len(leaf)} blocks"
            if leaf.unroll < len(leaf)
            else ""
        )
        for path, leaf in found
        if isinstance(leaf, Stacked)
    )
    return StepCost(
        name=getattr(step, "__name__", type(step).__name__),
        flops=costs.get("flops"),
        transcendentals=costs.get("transcendentals"),
        bytes_accessed=costs.get("bytes accessed"),
        stacks=stacks,
        **memory,
    )


def _cost_analysis(compiled: Any) -> dict[str, float]:
    """XLA's cost analysis as one dict: JAX before 0.4.38 gives a list, one dict per
    program (summed here); some backends give None or raise."""
    try:
        raw = compiled.cost_analysis()
    except NotImplementedError:
        return {}
    if raw is None:
        return {}
    programs = raw if isinstance(raw, (list, tuple)) else [raw]
    merged: dict[str, float] = {}
    for program in programs:
        for key, value in (program or {}).items():
            if isinstance(value, (int, float)):
                merged[key] = merged.get(key, 0.0) + float(value)
    return merged


def _memory_analysis(compiled: Any) -> dict[str, int | None]:
    names = ("argument", "output", "alias", "temp")
    try:
        stats = compiled.memory_analysis()
    except NotImplementedError:
        stats = None
    if stats is None:
        return {f"{n}_bytes": None for n in (*names, "peak")}
    values = {f"{n}_bytes": int(getattr(stats, f"{n}_size_in_bytes")) for n in names}
    peak = int(getattr(stats, "peak_memory_in_bytes", 0) or 0)  # newer JAX only
    if peak <= 0:
        peak = (
            values["argument_bytes"]
            + values["output_bytes"]
            - values["alias_bytes"]
            + values["temp_bytes"]
        )
    return {**values, "peak_bytes": peak}


def _argument_path(path: tuple[Any, ...]) -> str:
    """`args[0].blocks` or `model.blocks` for a path into `(args, kwargs)`."""
    where, first, *rest = path
    head = f"args[{first.idx}]" if where.idx == 0 else str(first.key)
    return head + jax.tree_util.keystr(tuple(rest))
