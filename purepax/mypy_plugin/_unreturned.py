"""`purepax-unreturned`: an update made on a view that the function then loses.

Two shapes:
- a `px.pure` function (decorated, or given to `px.pure(...)`) that certainly mutates a
  module argument, or a submodule of one, and returns it nowhere; the runtime raises
  `px.UnreturnedUpdateError` for it. The argument must not escape in any other way
  (passed to a call whose result is used, stored in a variable), or the plugin cannot
  prove that it is not returned;
- a function run by a transform that binds the updated module from `px.purecall` to a
  name it never reads and returns the stale argument instead (`_` drops it on purpose).
  No runtime check can see this one: the update is silently lost.
"""

from __future__ import annotations

from mypy.nodes import (
    AssignmentStmt,
    CallExpr,
    Context,
    DictExpr,
    ExpressionStmt,
    FuncItem,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    RaiseStmt,
    ReturnStmt,
    TupleExpr,
    Var,
    YieldExpr,
    YieldFromExpr,
)

from ._applications import Application, Function
from ._effects import FactSource, mutations
from ._names import is_purecall
from ._report import UNRETURNED, Reporter
from ._scopes import Bindings, param_vars
from ._types import Types
from ._walk import children, dotted, scope_nodes, walk


def check_pure(function: Function, context: Context, types: Types, facts: FactSource, report: Reporter) -> None:
    func = function.func
    if func is None or _is_generator(func):
        return
    bindings = Bindings(func.body)
    returns = [n for n in scope_nodes(func) if isinstance(n, ReturnStmt)]
    if not returns and func.body.body and isinstance(func.body.body[-1], RaiseStmt):
        return  # it never returns: nothing is lost
    for var in param_vars(func)[len(function.bound) :]:
        if bindings.rebound(var) or _escapes(func, var) or any(_returned(r, var) for r in returns):
            continue
        found = [m for m in mutations(scope_nodes(func), lambda r: r.node is var, types, facts) if m.certain]
        if not found:
            continue
        m = found[0]
        where: Context = returns[-1] if returns else func
        module = f" (a {m.module})" if m.module else ""
        report.error(
            where,
            UNRETURNED,
            f'px.pure function "{func.name}" mutates its argument "{var.name}"{module} (it {m.how}, '
            f"line {m.context.line}) but never returns it, so the update is lost when the call "
            f"returns. Return it with the output (e.g. `return {var.name}, out`) and use the "
            "returned copy; to drop the update on purpose, return it and ignore it.",
        )


def check_transform(app: Application, report: Reporter) -> None:
    func = app.function.func
    if func is None:
        return
    nodes = list(scope_nodes(func))
    every = list(walk(func.body))
    bindings = Bindings(func.body)
    params = set(param_vars(func))
    for node in nodes:
        if not (
            isinstance(node, AssignmentStmt)
            and len(node.lvalues) == 1
            and isinstance(node.lvalues[0], TupleExpr)
            and isinstance(node.rvalue, CallExpr)
            and is_purecall(node.rvalue.callee)
            and node.rvalue.args
        ):
            continue
        first = node.lvalues[0].items[0] if node.lvalues[0].items else None
        target = node.rvalue.args[0]
        stale = target.expr if isinstance(target, MemberExpr) else target  # px.purecall(c.step, x)
        if not (isinstance(first, NameExpr) and isinstance(first.node, Var) and isinstance(stale, NameExpr)):
            continue
        if first.name.startswith("_") or stale.node not in params or bindings.rebound(stale.node):
            continue
        new = first.node
        if any(isinstance(n, NameExpr) and n.node is new and id(n) not in bindings.stores for n in every):
            continue  # the updated module is used
        for ret in (n for n in nodes if isinstance(n, ReturnStmt)):
            if ret.expr is not None and _contains(ret.expr, stale.node):
                report.error(
                    ret,
                    UNRETURNED,
                    f'Function "{func.name}" given to {app.transform.name} binds the module updated '
                    f'by px.purecall to "{new.name}" (line {node.line}), never uses it, and returns '
                    f'the stale argument "{dotted(stale)}" instead, so the update is lost. Return '
                    f'"{new.name}" (or bind it to "_" to drop the update on purpose).',
                )


def _returned(ret: ReturnStmt, var: Var) -> bool:
    return ret.expr is not None and _contains(ret.expr, var)


def _contains(expr: Node, var: Var) -> bool:
    """`var` is `expr` or an item of the tuples, lists and dicts that `expr` builds."""
    if isinstance(expr, NameExpr):
        return expr.node is var
    if isinstance(expr, (TupleExpr, ListExpr, DictExpr)):
        return any(_contains(c, var) for c in children(expr))
    return False


def _escapes(func: FuncItem, var: Var) -> bool:
    """`var` may reach the output other than by being returned directly.

    Allowed uses: reading an attribute (`var.x`, `var.sub(...)`), calling it, passing it
    to a call whose result is thrown away, and returning it in a tuple/list/dict.
    """
    allowed: set[int] = set()
    for node in walk(func.body):
        if isinstance(node, MemberExpr):
            allowed.add(id(node.expr))
        elif isinstance(node, CallExpr):
            allowed.add(id(node.callee))
        elif isinstance(node, ExpressionStmt) and isinstance(node.expr, CallExpr):
            allowed.update(id(a) for a in node.expr.args)
        elif isinstance(node, ReturnStmt) and node.expr is not None:
            allowed.update(id(n) for n in _direct_items(node.expr))
    return any(isinstance(n, NameExpr) and n.node is var and id(n) not in allowed for n in walk(func.body))


def _direct_items(expr: Node) -> list[Node]:
    if isinstance(expr, (TupleExpr, ListExpr, DictExpr)):
        return [item for c in children(expr) for item in _direct_items(c)]
    return [expr]


def _is_generator(func: FuncItem) -> bool:
    return any(isinstance(n, (YieldExpr, YieldFromExpr)) for n in scope_nodes(func))
