"""`purepax-mutation`: a module mutated where it is provably immutable.

Provably immutable are:
- the parameters of a function run by a transform (JAX hands them over rebuilt, or
  as objects of an outer trace), unless `px.pure` wraps the function;
- variables whose every value is a module already finished with (`_scopes.py`):
  made by its class or a purepax helper, or returned by `px.purecall`, a pure function
  or a transform;
- any module at the top level of a file, where no pure call can be running.
Everywhere else (`self` in a method, a plain helper's parameter, a `px.pure`
function's parameter) the caller may hold a mutable view: the runtime engine decides.
"""

from __future__ import annotations

from mypy.nodes import AssignmentStmt, FuncItem, MypyFile, NameExpr, Node, RefExpr, Var

from ._applications import Application
from ._effects import FactSource, Mutation, mutations
from ._report import MUTATION, Reporter
from ._scopes import Bindings, param_vars
from ._types import Types
from ._walk import scope_nodes, walk


def check(
    tree: MypyFile,
    nodes: list[Node],
    bindings: Bindings,
    apps: list[Application],
    types: Types,
    facts: FactSource,
    report: Reporter,
) -> None:
    """Report the mutations in `tree` (whose nodes, all of them, are `nodes`)."""
    transformed: dict[FuncItem, str] = {}  # function -> the transform that runs it (unwrapped)
    captured: set[Var] = set()  # parameters given by a default value or functools.partial
    for app in apps:
        func = app.function.func
        if func is not None and not app.function.pure and app.function.module is None:
            transformed.setdefault(func, app.transform.name)
            given = param_vars(func)
            captured.update(given[i] for i, _ in app.function.bound if i < len(given))
            captured.update(a.variable for a in func.arguments if a.initializer is not None)
    for m in mutations(walk(tree, nested=False), lambda r: True, types, facts):
        if m.certain:
            report.error(m.context, MUTATION, _message(m, "at module top level", _TOP))
    for func in (n for n in nodes if isinstance(n, FuncItem)):
        params = set(param_vars(func)) - captured if func in transformed else set()
        rebuilt = {var for var in params if bindings.only_finished(var)}
        nodes = list(scope_nodes(func))
        own = {id(n) for n in nodes if isinstance(n, NameExpr)}
        rebuilt |= bindings.parts_of(rebuilt, own)
        straight = {
            id(n) for s in func.body.body if isinstance(s, AssignmentStmt) for lv in s.lvalues for n in walk(lv)
        }

        def is_root(r: RefExpr) -> bool:
            node = r.node
            if not isinstance(node, Var):
                return False
            if node in rebuilt or bindings.finished_at(node, r.line, own, straight):
                return True
            return bindings.immutable(node) and all(t in own for _, _, t in bindings.sites.get(node, []))

        for m in mutations(nodes, is_root, types, facts):
            if not m.certain:
                continue
            var = m.root.node
            if var in rebuilt:
                what = "a parameter" if var in params else "taken from a parameter"
                why = (
                    f'"{m.root.name}" is {what} of a function run by {transformed[func]}, '
                    "which hands it over as an immutable copy"
                )
                fix = (
                    f"use `{m.root.name}, out = px.purecall({m.root.name}, ...)` (or wrap the function "
                    f"with px.pure) and return {m.root.name}"
                )
            else:
                why = f'"{m.root.name}" holds a module that was already built or returned by a pure call'
                fix = (
                    f"call it through `{m.root.name}, out = px.purecall({m.root.name}, ...)` or "
                    "inside a px.pure function that takes it as an argument and returns it"
                )
            report.error(m.context, MUTATION, _message(m, f'in "{_name(func)}"', (why, fix)))


_TOP = (
    "no px.pure call is running at module top level, so every module is immutable there",
    "do the update inside a px.pure function that takes the module as an argument and returns "
    "it, or use `module, out = px.purecall(module, ...)`",
)


def _message(m: Mutation, where: str, reasons: tuple[str, str]) -> str:
    why, fix = reasons
    module = f" (a {m.module})" if m.module else ""
    return f'Cannot mutate "{m.target}"{module} {where}: it {m.how}, but {why}. Instead, {fix}.'


def _name(func: FuncItem) -> str:
    return func.name
