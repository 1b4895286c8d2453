"""Walks over the modules in a tree: the checks a tree of modules must pass, and the
helpers that visit or replace its submodules.

A module object may appear at one place of a tree only (JAX would rebuild two copies,
and a change to one would not reach the other), and a module may not keep a tracer of
a transformation that has finished. `check_tree` checks both in one walk when a
module is built or replaced, `check_not_shared` when a `px.pure` view sets a field.
`iter_modules` and `map_submodules` are the walks `px.pure`'s views and the helpers of
`_functional.py` build on. Each walk follows a module's children as its `ClassSpec`
names them, and stops at arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jax

from ._class_spec import ClassSpec, spec_of
from ._containers import ARRAY_TYPES, FrozenDict, MixedTuple
from ._errors import FieldError
from ._module_marker import ModuleMarker, is_module
from ._trace import Tracer, outside_transformations


def check_tree(module: ModuleMarker, spec: ClassSpec) -> None:
    """Refuse one module object at two places of `module`'s tree, and a tracer that leaked
    out of a transformation that has finished; one walk over the tree."""
    seen = {id(module)}
    d = module.__dict__
    for name in spec.dynamic_names(module):
        try:
            holds = _walk(d[name], seen)
        except _Shared:
            _refuse_shared_submodules(module)  # finds the two places, for the message
            raise
        if holds and outside_transformations():
            raise FieldError(
                f"{type(module).__name__}.{name} was given a tracer, but no JAX transformation "
                "is running: the tracer leaked out of one that has finished, and the module "
                "would outlive its trace. Build the module inside the transformed function and "
                "return it, or return the value from there."
            )


class _Shared(Exception):
    """A module object met twice in one tree (the message is built by a slower walk)."""


def _walk(value: Any, seen: set[int]) -> bool:
    """Record the modules in `value` into `seen` (raising `_Shared` on one met twice), and
    say whether `value` holds a tracer."""
    if isinstance(value, ARRAY_TYPES):
        return isinstance(value, Tracer)
    if value is None:
        return False
    kind = type(value)
    items: Any
    if isinstance(value, ModuleMarker):
        if id(value) in seen:
            raise _Shared
        seen.add(id(value))
        d = value.__dict__
        items = [d[n] for n in spec_of(kind).dynamic_names(value)]
    elif kind is tuple or kind is list or kind is MixedTuple:
        items = value
    elif kind is FrozenDict or kind is dict:
        items = value.values()
    else:  # a static item, or another pytree (a namedtuple, a custom node)
        items = jax.tree_util.tree_leaves(value, is_leaf=is_module)
        if len(items) == 1 and items[0] is value:
            return False
    holds = False
    for item in items:
        holds = (
            _walk(item, seen) or holds
        )  # visit every item: a module may repeat later
    return holds


def _refuse_shared_submodules(module: ModuleMarker) -> None:
    seen: dict[int, str] = {}

    def visit(m: ModuleMarker, path: str) -> None:
        if id(m) in seen:
            what = "itself" if m is module else f"{type(m).__name__} object"
            raise FieldError(
                f"One {what} is at two places of a {type(module).__name__}: {seen[id(m)]} "
                f"and {path}. A module must appear once in a tree; to share it, pass it "
                "explicitly to the code that needs it (or build two modules)."
            )
        seen[id(m)] = path
        for name in spec_of(type(m)).dynamic_names(m):
            for keypath, leaf in jax.tree_util.tree_flatten_with_path(
                m.__dict__[name], is_leaf=is_module
            )[0]:
                if isinstance(leaf, ModuleMarker):
                    visit(leaf, f"{path}.{name}{jax.tree_util.keystr(keypath)}")

    visit(module, "self")


def check_not_shared(module: ModuleMarker, name: str, value: Any) -> None:
    """Refuse `module.name = value` where `value` would put a module at a second place."""
    inside = [
        m for m in jax.tree_util.tree_leaves(value, is_leaf=is_module) if is_module(m)
    ]
    if not inside:
        return
    elsewhere: set[int] = set()
    for other in spec_of(type(module)).dynamic_names(module):
        if other != name:
            elsewhere.update(id(m) for m in iter_modules(module.__dict__[other]))
    for m in (x for top in inside for x in iter_modules(top)):
        if m is module or id(m) in elsewhere:
            raise FieldError(
                f"Setting {type(module).__name__}.{name} would put one {type(m).__name__} "
                "object at two places of the tree. Build a separate module, or pass the shared "
                "one explicitly to the code that needs it."
            )


def iter_modules(value: Any) -> Iterator[Any]:
    """Every module in `value`, submodules included, parents first.

    Typed `Any` (as `map_submodules`' modules are): they are `px.Module`s, a class this
    file, below `_module.py`, does not import.
    """
    for leaf in jax.tree_util.tree_leaves(value, is_leaf=is_module):
        if isinstance(leaf, ModuleMarker):
            yield leaf
            for name in spec_of(type(leaf)).dynamic_names(leaf):
                yield from iter_modules(leaf.__dict__[name])


def map_submodules(fn: Callable[[Any], ModuleMarker], value: Any) -> Any:
    """`value` with every module in it (not inside those modules) replaced by `fn(module)`."""
    if isinstance(value, ModuleMarker):
        return fn(value)
    if isinstance(value, ARRAY_TYPES) or value is None:
        return value
    return jax.tree_util.tree_map(
        lambda x: fn(x) if isinstance(x, ModuleMarker) else x, value, is_leaf=is_module
    )
