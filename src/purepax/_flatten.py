"""The pytree functions of a module class: JAX's flatten and rebuild path.

JAX flattens a module's arguments and rebuilds its results on every call of a jitted
function, so this path runs no `__init__` and checks nothing: `unflatten` copies the
leaves into a new object. A class whose fields' roles are fixed by their annotations gets
straight-line code generated for it (no loops); a class with value-decided fields
(annotated `Any`, a type variable, ...) keeps which of them hold arrays or modules in a
per-instance layout, stored under `LAYOUT`, which its generic functions read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ._module_marker import ModuleMarker

LAYOUT = (
    "_purepax_layout"  # instance key: which value-decided fields hold arrays/modules
)


def register_pytree(
    cls: type[ModuleMarker],
    data: tuple[str, ...],
    meta: tuple[str, ...],
    undecided: tuple[str, ...],
) -> None:
    """Register `cls` with JAX: `data` are its children, `meta` its static fields, and each
    of `undecided` is one or the other per instance (as its `LAYOUT` says)."""
    new = object.__new__
    keys = tuple(jax.tree_util.GetAttrKey(n) for n in data)

    if not undecided:
        flatten, unflatten = _generated_pytree_functions(cls, data, meta)

        def flatten_with_keys(m: ModuleMarker) -> tuple[list[Any], tuple[Any, ...]]:
            d = m.__dict__
            return [(k, d[n]) for k, n in zip(keys, data)], tuple([d[n] for n in meta])

    else:

        def flatten_with_keys(m: ModuleMarker) -> tuple[list[Any], tuple[Any, ...]]:
            d = m.__dict__
            layout = d[LAYOUT]
            names = data + tuple(n for n, dyn in zip(undecided, layout) if dyn)
            statics = tuple([d[n] for n, dyn in zip(undecided, layout) if not dyn])
            children = [(jax.tree_util.GetAttrKey(n), d[n]) for n in names]
            return children, (tuple([d[n] for n in meta]), layout, statics)

        def flatten(m: ModuleMarker) -> tuple[list[Any], tuple[Any, ...]]:
            children, aux = flatten_with_keys(m)
            return [c for _, c in children], aux

        def unflatten(aux: tuple[Any, ...], children: Any) -> ModuleMarker:
            metas, layout, statics = aux
            m = new(cls)
            d = m.__dict__
            d.update(zip(meta, metas))
            d[LAYOUT] = layout
            dynamic = data + tuple(n for n, dyn in zip(undecided, layout) if dyn)
            d.update(zip(dynamic, children))
            d.update(zip((n for n, dyn in zip(undecided, layout) if not dyn), statics))
            return m

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)


def _generated_pytree_functions(
    cls: type[ModuleMarker], data: tuple[str, ...], meta: tuple[str, ...]
) -> tuple[Callable[[ModuleMarker], Any], Callable[[Any, Any], ModuleMarker]]:
    """`flatten` and `unflatten` for a class whose fields' roles are fixed, as straight-line code.

    They run on every call of a jitted function (flatten the arguments, unflatten the
    results); generated code without loops costs about half of the generic version, which
    keeps a module as cheap as a plain pytree (benchmarks/pytree_step.py).
    """

    def items(names: tuple[str, ...]) -> str:
        return "".join(f"d[{n!r}], " for n in names)

    source = (
        "def flatten(m):\n"
        "    d = m.__dict__\n"
        f"    return ({items(data)}), ({items(meta)})\n"
        "def unflatten(aux, children):\n"
        "    m = new(cls)\n"
        "    d = m.__dict__\n"
        + (f"    {items(data)}= children\n" if data else "")
        + (f"    {items(meta)}= aux\n" if meta else "")
        + "    return m\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    exec(source, namespace)
    return namespace["flatten"], namespace["unflatten"]
