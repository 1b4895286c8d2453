"""Typing the unannotated parameters of a plain function from the calls in its file.

Research code leaves parameters unannotated (`def train(model, xs)`), so a transformed
function nested in it that captures `model` would be invisible. When every call of the
function in its file passes a module of one class at that position, and the function
is used nowhere else (not passed around, so no other caller can hide), the parameter
is typed as that module. Transformed and pure functions are typed by
`_applications.type_from_calls` instead.
"""

from __future__ import annotations

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Expression,
    FakeInfo,
    FuncDef,
    NameExpr,
    Node,
    Var,
)
from mypy.types import Type

from ._scopes import param_vars
from ._types import Types, module_info, untyped


def type_from_callers(nodes: list[Node], types: Types) -> None:
    defined = {
        node
        for node in nodes
        if isinstance(node, FuncDef) and isinstance(node.info, FakeInfo)
    }
    calls: dict[FuncDef, list[CallExpr]] = {}
    callees: set[int] = set()
    for node in nodes:
        if (
            isinstance(node, CallExpr)
            and isinstance(node.callee, NameExpr)
            and node.callee.node in defined
        ):
            func = node.callee.node
            assert isinstance(func, FuncDef)
            calls.setdefault(func, []).append(node)
            callees.add(id(node.callee))
    elsewhere = {
        n.node
        for n in nodes
        if isinstance(n, NameExpr) and n.node in defined and id(n) not in callees
    }
    for _ in range(2):  # `outer(m)` calls `inner(m)`: outer's parameter first
        for func, sites in calls.items():
            if func in elsewhere:
                continue
            for index, var in enumerate(param_vars(func)):
                if untyped(var) and var not in types.overrides:
                    found = _agreed(sites, func, index, var, types)
                    if found is not None:
                        types.overrides[var] = found


def _agreed(
    sites: list[CallExpr], func: FuncDef, index: int, var: Var, types: Types
) -> Type | None:
    """The module type that every call passes to parameter `index`, if they all agree."""
    found: Type | None = None
    for call in sites:
        arg = _argument(call, func, index, var.name)
        typ = types.of(arg) if arg is not None else None
        info = module_info(typ)
        if (
            typ is None
            or info is None
            or (found is not None and module_info(found) is not info)
        ):
            return None
        found = found or typ
    return found


def _argument(
    call: CallExpr, func: FuncDef, index: int, name: str
) -> Expression | None:
    position = 0
    for arg, kind, arg_name in zip(call.args, call.arg_kinds, call.arg_names):
        if kind == ARG_POS:
            if position == index:
                return arg
            position += 1
        elif kind == ARG_NAMED and arg_name == name:
            return arg
        elif kind not in (ARG_POS, ARG_NAMED):
            return None  # *args / **kwargs: the plugin cannot tell where they land
    return None
