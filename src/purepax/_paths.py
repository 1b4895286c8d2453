"""Paths into a model: read, write and select any node by the path `px.summary` prints.

A path is a string such as `blocks[3].attn.q_proj.weight`: `.name` for a module's field,
`[i]` for an item of a tuple, `['key']` for an item of a dict, as
`jax.tree_util.keystr` writes them (and as `px.summary`, `px.parameters` and the
optimizer's `trainable` predicate see them). Into a `px.Stacked`, `[i]` addresses block
`i` (a read slices the stack, a write updates that slice), while `.layers` goes through
the stack as it is stored: every array there has the leading block axis, so a write
below `.layers` takes one value per block (stacked) and is made per block under
`jax.vmap`, where each block's construction checks see one block's shapes.

Writes go through `px.replace`, checked as at construction: a value of the wrong type or
shape is refused where it is written. A path that does not exist is an error that names
the nearest one that does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, overload

import jax
import jax.numpy as jnp

from ._class_spec import spec_of
from ._containers import ARRAY_TYPES, FrozenDict
from ._errors import ArgumentError, FieldError
from ._module import Module, replace_fields
from ._module_marker import is_module
from ._stacked import Stacked

_M = TypeVar("_M", bound=Module)
_T = TypeVar("_T")

Key = str | int  # one step of a path: a field name, or an item's index or key
Where = type | tuple[type, ...] | str | Callable[[str, Any], bool]
"""What `px.select` takes: a type (or tuple of types), a glob over paths, or a predicate."""


class _Item:
    """One `[...]` step of a parsed path: an index or a dict key (a field is a plain `str`)."""

    __slots__ = ("key",)

    def __init__(self, key: object) -> None:
        self.key = key


_TOKEN = re.compile(
    r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]"
)


def parse(path: str, fn: str) -> tuple[str | _Item, ...]:
    """`blocks[3].attn` -> `("blocks", _Item(3), "attn")`; an `ArgumentError` if it is no path."""
    if not isinstance(path, str):
        raise ArgumentError(
            f"px.{fn} takes a path as a string (e.g. 'blocks[3].attn.q_proj.weight'), got "
            f"{path!r}."
        )
    steps: list[str | _Item] = []
    at = 0
    while at < len(path):
        match = _TOKEN.match(path, at)
        if match is None or (match.group(1) and at == 0 and path[0] == "."):
            raise ArgumentError(
                f"px.{fn}: {path!r} is not a path: it cannot be read from {path[at:]!r} on. "
                "Write fields as `.name`, tuple items as `[0]` and dict items as `['key']`, "
                "e.g. 'blocks[3].attn.q_proj.weight' (px.summary prints them)."
            )
        name, index, single, double = match.groups()
        if name is not None:
            steps.append(name)
        elif index is not None:
            steps.append(_Item(int(index)))
        else:
            steps.append(_Item(single if single is not None else double))
        at = match.end()
    return tuple(steps)


def _format(steps: tuple[str | _Item, ...]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, str):
            out += f".{step}" if out else step
        else:
            out += f"[{step.key!r}]"
    return out


def _key_step(key: Any) -> str | _Item:
    """A `jax.tree_util` key as a path step."""
    if isinstance(key, jax.tree_util.GetAttrKey):
        return str(key.name)
    if isinstance(key, jax.tree_util.SequenceKey):
        return _Item(key.idx)
    if isinstance(key, jax.tree_util.DictKey):
        return _Item(key.key)
    return _Item(getattr(key, "key", key))


# --- reading -----------------------------------------------------------------------------


def _is_stacked(node: object) -> bool:
    return isinstance(node, Stacked)


def _child(node: Any, step: str | _Item) -> tuple[bool, Any]:
    """`(True, child)` for `node` at `step`, or `(False, None)` where there is none."""
    if isinstance(step, str):
        if isinstance(node, Module) and step in spec_of(type(node)).fields:
            return True, node.__dict__[step]
        return False, None
    key = step.key
    if isinstance(node, Module):
        if _is_stacked(node) and isinstance(key, int):
            stack: Any = node
            if -len(stack) <= key < len(stack):
                return True, stack[key]
        return False, None
    if isinstance(node, (tuple, list)) and isinstance(key, int):
        if -len(node) <= key < len(node):
            return True, node[key]
        return False, None
    if isinstance(node, (FrozenDict, Mapping)) and key in node:
        return True, node[key]
    return False, None


def _resolve(root: Module, steps: tuple[str | _Item, ...], fn: str, path: str) -> Any:
    node: Any = root
    for depth, step in enumerate(steps):
        found, child = _child(node, step)
        if not found:
            raise ArgumentError(_missing(root, steps, depth, node, path, fn))
        node = child
    return node


def _missing(
    root: Module,
    steps: tuple[str | _Item, ...],
    depth: int,
    node: Any,
    path: str,
    fn: str,
) -> str:
    """Where `path` fails (its step `depth`, below `node`), and the nearest path that exists."""
    reached = steps[:depth]
    prefix = _format(reached)
    candidates = [p for p, _ in walk(root, fields=True)]
    if reached:
        # Below a stack's block `[i]`, which the walk from the root does not take.
        for below, _ in _walk(node, (), fields=True):
            joint = "" if not below or below.startswith("[") else "."
            candidates.append(prefix + joint + below)
    candidates = [c for c in dict.fromkeys(candidates) if c]
    nearest = difflib.get_close_matches(path, candidates, n=1, cutoff=0.0)
    hint = f" The nearest path that exists is {nearest[0]!r}." if nearest else ""
    where = f"below {prefix!r}" if prefix else f"in the {type(root).__name__}"
    return (
        f"px.{fn}: the {type(root).__name__} has no path {path!r}: there is no "
        f"{_format(steps[depth : depth + 1])!r} {where}.{hint} "
        "px.select(model, lambda path, node: True) lists every path."
    )


@overload
def get(model: Module, path: str) -> Any: ...
@overload
def get(model: Module, path: str, kind: type[_T]) -> _T: ...
def get(model: Module, path: str, kind: type[Any] | None = None) -> Any:
    """The node of `model` at `path`: a submodule, an array, a container or a field's value.

    **Arguments:**

    - `model`: any purepax module.
    - `path`: as `px.summary` prints it, e.g. `"blocks[3].attn.q_proj.weight"`; `""` is
      `model` itself. In a `px.Stacked`, `[i]` is block `i`.
    - `kind`: optional type the node must have (a typed result for mypy and pyright).

    **Returns:** the node (shared with `model`, not copied).

    ```python
    weight = px.get(model, "layers[0].weight")
    first = px.get(model, "layers[0]", nn.Linear)
    ```
    """
    _require_module("get", model)
    node = _resolve(model, parse(path, "get"), "get", path)
    if kind is not None and not isinstance(node, kind):
        raise ArgumentError(
            f"px.get: {path!r} in the {type(model).__name__} is a {type(node).__name__}, not a "
            f"{kind.__name__}."
        )
    return node


# --- writing -----------------------------------------------------------------------------

# (the old node, what the write is given) -> the new node
Apply = Callable[[Any, Any], Any]
# (what the write is given, n) -> what each of the `n` blocks of a stack is given
PerBlock = Callable[[Any, int], Any]


def _put(
    node: Any,
    steps: tuple[str | _Item, ...],
    apply: Apply,
    given: Any,
    per_block: PerBlock,
    at: tuple[str | _Item, ...],
) -> Any:
    """`node` with `apply(old, given)` written at `steps` below it, each module on the way rebuilt."""
    if not steps:
        return apply(node, given)
    step, rest = steps[0], steps[1:]
    here = (*at, step)
    if isinstance(node, Module) and _is_stacked(node):
        if step == "layers" and rest:
            return replace_fields(
                node,
                {"layers": _put_per_block(node, rest, apply, given, per_block, here)},
            )
        if isinstance(step, _Item):
            return _put_block(node, step.key, rest, apply, given, per_block, here)
    _, child = _child(node, step)
    new_child = _put(child, rest, apply, given, per_block, here)
    if isinstance(node, Module):
        assert isinstance(step, str)
        return replace_fields(node, {step: new_child})
    return _with_item(node, step, child, new_child)


def _put_per_block(
    stack: Any,
    rest: tuple[str | _Item, ...],
    apply: Apply,
    given: Any,
    per_block: PerBlock,
    at: tuple[str | _Item, ...],
) -> Any:
    """Write below a stack's `layers`, one block at a time under `jax.vmap`."""
    n = len(stack)
    try:
        return jax.vmap(lambda block, g: _put(block, rest, apply, g, per_block, at))(
            stack.layers, per_block(given, n)
        )
    except ValueError as error:
        if "vmap" not in str(error):
            raise
        raise ArgumentError(
            f"A write at {_format(at + rest)!r} is below a stack's layers, where every array "
            f"has the leading block axis: give one value per block, stacked (leading axis "
            f"{n}), or write one block at {_format(at[:-1])}[i]. JAX said: "
            f"{str(error).splitlines()[0]}"
        ) from None


def _put_block(
    stack: Any,
    index: object,
    rest: tuple[str | _Item, ...],
    apply: Apply,
    given: Any,
    per_block: PerBlock,
    at: tuple[str | _Item, ...],
) -> Any:
    """Write into block `index` of a stack: that block is rebuilt, then written into its slice."""
    n = len(stack)
    if not isinstance(index, int) or not -n <= index < n:
        raise ArgumentError(
            f"{_format(at)!r}: the stack has {n} blocks; give a block index from {-n} to {n - 1}."
        )
    block = stack[index]
    new_block = _put(block, rest, apply, given, per_block, at)
    if not isinstance(new_block, Module) or jax.tree_util.tree_structure(
        new_block
    ) != jax.tree_util.tree_structure(block):  # type: ignore[operator, unused-ignore]
        raise FieldError(
            f"Cannot write {_format(at + rest)!r}: the blocks of a stack share one structure, "
            "so a write into one block must keep it (the same module types and static "
            f"fields). Write every block at once below {_format(at[:-1])}.layers, or "
            "unstack it (stack.unstack()) into separate modules."
        )
    layers = jax.tree_util.tree_map(
        lambda column, leaf: jnp.asarray(column).at[index].set(leaf),
        stack.layers,
        new_block,
    )
    return replace_fields(stack, {"layers": layers})


def _with_item(container: Any, step: str | _Item, old: Any, new: Any) -> Any:
    """`container` (a tuple or dict of a module's field) with the item at `step` replaced."""
    assert isinstance(step, _Item)
    leaves, treedef = jax.tree_util.tree_flatten_with_path(
        container, is_leaf=lambda x: x is old
    )
    replaced = [
        new
        if len(keys) == 1
        and isinstance(first := _key_step(keys[0]), _Item)
        and _same_key(first.key, step.key, len(container))
        else leaf
        for keys, leaf in leaves
    ]
    return jax.tree_util.tree_unflatten(treedef, replaced)


def _same_key(a: object, b: object, length: int) -> bool:
    if isinstance(a, int) and isinstance(b, int):
        return a % length == b % length
    return a == b


def _require_module(fn: str, model: object) -> None:
    if not isinstance(model, Module):
        raise ArgumentError(
            f"px.{fn} takes a purepax module, got {type(model).__name__}."
        )


def set(model: _M, path: str, value: Any) -> _M:  # noqa: A001 (px.set, beside px.get)
    """A copy of `model` with `value` at `path`, checked as at construction.

    Every module on the way is copied (`px.replace`); everything else is shared. Below a
    `px.Stacked`, `[i]` writes block `i`'s slice; a path through `.layers` takes one value
    per block, stacked along a leading axis.

    **Arguments:**

    - `model`: any purepax module.
    - `path`: as `px.summary` prints it, e.g. `"blocks[3].attn.q_proj.weight"`.
    - `value`: the new node; the field it lands in checks its type and shape.

    **Returns:** the new model, of `model`'s type.

    ```python
    model = px.set(model, "layers[0].bias", jnp.ones(4))
    ```
    """
    _require_module("set", model)
    steps = parse(path, "set")
    if not steps:
        raise ArgumentError(
            "px.set: the path '' is the model itself; use the new value instead of writing it."
        )
    old = _resolve(model, steps, "set", path)
    old_shape, new_shape = getattr(old, "shape", None), getattr(value, "shape", None)
    if _is_array(old) and _is_array(value) and old_shape != new_shape:
        raise FieldError(
            f"px.set: {path!r} in the {type(model).__name__} has shape {old_shape}, and the "
            f"new array has shape {new_shape}. An array keeps its shape (the module's sizes "
            "depend on it); to change a layer's size, write a new layer at its path."
        )
    out: _M = _put(model, steps, lambda old, new: new, value, lambda v, n: v, ())
    return out


# --- selecting ---------------------------------------------------------------------------


def walk(model: Any, *, fields: bool = False) -> Iterator[tuple[str, Any]]:
    """Every `(path, node)` of `model`, in tree order: modules (the root as `""`) and arrays.

    With `fields`, also containers and static fields (for naming the nearest path).
    """
    yield from _walk(model, (), fields)


def _walk(
    node: Any, at: tuple[str | _Item, ...], fields: bool
) -> Iterator[tuple[str, Any]]:
    if isinstance(node, Module):
        yield _format(at), node
        spec = spec_of(type(node))
        dynamic = spec.dynamic_names(node)
        for name in spec.fields if fields else dynamic:
            value = node.__dict__[name]
            if name not in dynamic:
                yield _format((*at, name)), value
                continue
            if fields and not is_module(value) and _is_container(value):
                yield _format((*at, name)), value
            for keys, leaf in jax.tree_util.tree_flatten_with_path(
                value, is_leaf=is_module
            )[0]:
                yield from _walk(
                    leaf, (*at, name, *(_key_step(k) for k in keys)), fields
                )
    else:
        yield _format(at), node


def _is_array(value: object) -> bool:
    return isinstance(value, ARRAY_TYPES)


def _is_container(value: object) -> bool:
    return isinstance(value, (tuple, list, FrozenDict, Mapping))


def matcher(where: Where, fn: str) -> Callable[[str, Any], bool]:
    """`where` (as `px.select` takes it) as a predicate over `(path, node)`."""
    if isinstance(where, type) or (
        isinstance(where, tuple) and where and all(isinstance(t, type) for t in where)
    ):
        kinds = where
        return lambda path, node: isinstance(node, kinds)
    if isinstance(where, str):
        pattern = re.compile(".*".join(re.escape(part) for part in where.split("*")))
        return lambda path, node: pattern.fullmatch(path) is not None
    if callable(where):
        return where
    raise ArgumentError(
        f"px.{fn} selects by a type (nn.Linear), a tuple of types, a glob over paths "
        f"('blocks.*.q_proj') or a predicate (path, node) -> bool; got {where!r}."
    )


def select(model: Module, where: Where) -> tuple[str, ...]:
    """The paths of `model`'s nodes that `where` selects, in tree order.

    The nodes are its modules (the root's path is `""`) and its arrays. Inside a
    `px.Stacked` the path goes through `.layers` (one path for all blocks, whose arrays
    have the leading block axis).

    **Arguments:**

    - `model`: any purepax module.
    - `where`: a type, or a tuple of types (every node that is an instance, e.g.
      `nn.Linear`); a string, a glob over paths in which `*` matches any characters
      (`"blocks.*_proj"`); or a predicate `(path, node) -> bool`.

    **Returns:** a tuple of paths, each one accepted by `px.get` and `px.set`.

    ```python
    linears = px.select(model, nn.Linear)
    biases = px.select(model, "*.bias")
    ```
    """
    _require_module("select", model)
    matches = matcher(where, "select")
    return tuple(path for path, node in walk(model) if matches(path, node))


def map_selected(model: _M, where: Where, fn: Callable[[Any], Any]) -> _M:
    """A copy of `model` with `fn(node)` in place of every node that `where` selects.

    Children are replaced before the modules that hold them. Below a `px.Stacked`, `fn`
    is applied to one block's node at a time, under `jax.vmap`. Each result is checked
    by the field it lands in, as at construction.

    **Arguments:** `model`; `where`, as for `px.select`; `fn`, from a node to its
    replacement.

    **Returns:** the new model (the model itself if nothing is selected).

    ```python
    frozen_biases = px.map_selected(model, "*.bias", jnp.zeros_like)
    ```
    """
    _require_module("map_selected", model)
    return update_selected(model, select(model, where), lambda node, _: fn(node), None)


def update_selected(
    model: _M,
    paths: tuple[str, ...],
    apply: Apply,
    given: Any,
    per_block: PerBlock = lambda given, n: given,
) -> _M:
    """`model` with `apply(node, given)` at each of `paths`, deepest first (for `nn.lora`).

    `per_block(given, n)` is what `apply` gets below a stack of `n` blocks, under
    `jax.vmap` (e.g. `n` keys split from one).
    """
    parsed = [parse(path, "map_selected") for path in paths]
    for steps in sorted(parsed, key=len, reverse=True):
        if not steps:
            replaced = apply(model, given)
            if not isinstance(replaced, type(model)):
                raise ArgumentError(
                    f"The root {type(model).__name__} was selected, and the function "
                    f"returned a {type(replaced).__name__}; the root must stay a "
                    f"{type(model).__name__}."
                )
            model = replaced
            continue
        model = _put(model, steps, apply, given, per_block, ())
    return model
