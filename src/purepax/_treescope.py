"""How a module shows in treescope, the tree viewer of Penzai and Flax NNX users.

treescope stays optional: it calls a module's `__treescope_repr__` (`_module.py`), which
imports this file, so treescope is imported only by treescope itself, never by purepax.
A module renders as its constructor, each field followed by a comment with its role
(`param`, `state`, `static`) and, where its arrays are laid over mesh axes, its
`sharding=`; frozen containers render as the dicts and tuples they were given as; a
class may add a comment to its first line with `__purepax_note__` (a `px.Stacked` says
its number of blocks, block type and remat policy there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
from treescope import rendering_parts  # type: ignore[import-untyped, import-not-found, unused-ignore]

from ._class_spec import field_sharding, spec_of
from ._containers import FrozenDict, MixedTuple
from ._fields import Role
from ._module_marker import ModuleMarker, is_module

_ROLE_WORDS = {Role.PARAM: "param", Role.STATE: "state", Role.STATIC: "static"}


def render(
    module: ModuleMarker, path: str | None, subtree_renderer: Callable[..., Any]
) -> Any:
    """`module`'s treescope rendering: `Linear(weight=..., bias=...)`, annotated."""
    d = module.__dict__
    names = [f.name for f in dataclasses.fields(module) if f.repr and f.name in d]  # type: ignore[arg-type]
    if d.get("training", True) is False:
        names.append("training")
    children = []
    for i, name in enumerate(names):
        last = i == len(names) - 1
        comma = (
            rendering_parts.fold_condition(expanded=rendering_parts.text(","))
            if last
            else rendering_parts.siblings(
                ",", rendering_parts.fold_condition(collapsed=rendering_parts.text(" "))
            )
        )
        value = d[name]
        parts = [
            rendering_parts.siblings_with_annotations(
                f"{name}=",
                subtree_renderer(
                    _plain(value), path=None if path is None else f"{path}.{name}"
                ),
            ),
            comma,
        ]
        note = _field_note(module, name, value)
        if note:
            parts.append(_comment(note))
        children.append(rendering_parts.build_full_line_with_annotations(*parts))
    describe: Callable[[], str] | None = getattr(module, "__purepax_note__", None)
    return rendering_parts.build_foldable_tree_node_from_children(
        prefix=rendering_parts.siblings(
            rendering_parts.roundtrip_condition(roundtrip=rendering_parts.text("<")),
            rendering_parts.maybe_qualified_type_name(type(module)),
            "(",
        ),
        children=children,
        suffix=rendering_parts.siblings(
            ")",
            rendering_parts.roundtrip_condition(roundtrip=rendering_parts.text(">")),
        ),
        path=path,
        first_line_annotation=None if describe is None else _comment(describe()),
        expand_state=rendering_parts.ExpandState.EXPANDED,
    )


def _comment(text: str) -> Any:
    # A Python comment (a rendering in round-trip mode is still Python), on an expanded
    # node only: a folded one is a single line.
    return rendering_parts.fold_condition(
        expanded=rendering_parts.comment_color(rendering_parts.text(f"  # {text}"))
    )


def _field_note(module: ModuleMarker, name: str, value: Any) -> str:
    """`param`, `state, sharding=(None, 'model')`, `static`, or "" for a field of submodules."""
    field = spec_of(type(module)).fields.get(name)
    if field is None:
        return ""
    if field.role is Role.STATIC or (
        field.role is Role.UNDECIDED
        and name not in spec_of(type(module)).dynamic_names(module)
    ):
        return "static"
    if field.role is Role.STATE:
        role = Role.STATE
    elif field.role is Role.PARAM or any(
        not is_module(leaf)
        for leaf in jax.tree_util.tree_leaves(value, is_leaf=is_module)
    ):
        role = field.array_role
    else:
        return ""  # its modules say what their arrays are
    sharding = field_sharding(module, name)
    where = "" if sharding is None else f", sharding={sharding!r}"
    return _ROLE_WORDS[role] + where


def _plain(value: Any) -> Any:
    """`value` with purepax's frozen containers shown as the dicts and tuples they hold."""
    if isinstance(value, FrozenDict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, MixedTuple) or type(value) is tuple:
        return tuple(_plain(v) for v in value)
    return value
