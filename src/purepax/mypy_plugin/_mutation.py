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

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    AssignmentStmt,
    Expression,
    FakeInfo,
    FuncItem,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    RefExpr,
    StarExpr,
    TupleExpr,
    Var,
)

from ._applications import Application
from ._effects import FactSource, Mutation, mutations
from ._names import is_module_class, watches_transforms
from ._report import Reporter
from ._rules import FileContext
from ._scopes import FRESH, Bindings, origin_of, param_vars
from ._types import Types
from ._walk import scope_nodes, walk

MUTATION = ErrorCode(
    "purepax-mutation", "A module is mutated where it is provably immutable", "purepax"
)


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
    transformed: dict[
        FuncItem, str
    ] = {}  # function -> the transform that runs it (unwrapped)
    captured: set[Var] = (
        set()
    )  # parameters given by a default value or functools.partial
    for app in apps:
        func = app.function.func
        if (
            func is not None
            and not app.function.pure
            and not app.function.opaque
            and app.function.module is None
        ):
            transformed.setdefault(func, app.transform.name)
            given = param_vars(func)
            captured.update(given[i] for i, _ in app.function.bound if i < len(given))
            captured.update(
                a.variable for a in func.arguments if a.initializer is not None
            )
    for m in mutations(walk(tree, nested=False), lambda r: True, types, facts):
        if m.certain:
            report.error(m.context, MUTATION, _message(m, "at module top level", _TOP))
    # Only a variable given a finished module somewhere (or a parameter of a transformed
    # function) can be a root: a function naming none of them has nothing to report.
    finished = bindings.given_finished()
    for func in (n for n in nodes if isinstance(n, FuncItem)):
        params = set(param_vars(func)) - captured if func in transformed else set()
        rebuilt = {var for var in params if bindings.only_finished(var)}
        nodes = list(scope_nodes(func))
        names = [n for n in nodes if isinstance(n, NameExpr)]
        if rebuilt or any(n.node in finished for n in names):
            _check_function(
                func,
                nodes,
                names,
                rebuilt,
                params,
                bindings,
                transformed,
                types,
                facts,
                report,
            )
        if (
            func.name == "__init__"
            and not isinstance(func.info, FakeInfo)
            and is_module_class(func.info)
        ):
            if param_vars(func):
                _check_built_submodules(
                    func, param_vars(func)[0], nodes, types, facts, report
                )


def _check_function(
    func: FuncItem,
    nodes: list[Node],
    names: list[NameExpr],
    rebuilt: set[Var],
    params: set[Var],
    bindings: Bindings,
    transformed: dict[FuncItem, str],
    types: Types,
    facts: FactSource,
    report: Reporter,
) -> None:
    """Report the mutations in `func`'s own `nodes` of a module it provably cannot change."""
    own = {id(n) for n in names}
    rebuilt |= bindings.parts_of(rebuilt, own)
    straight = {
        id(n)
        for s in func.body.body
        if isinstance(s, AssignmentStmt)
        for lv in s.lvalues
        for n in walk(lv)
    }

    def is_root(r: RefExpr) -> bool:
        node = r.node
        if not isinstance(node, Var):
            return False
        if node in rebuilt or bindings.finished_at(node, r.line, own, straight):
            return True
        return bindings.immutable(node) and all(
            t in own for _, _, t in bindings.sites.get(node, [])
        )

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
        report.error(
            m.context, MUTATION, _message(m, f'in "{_name(func)}"', (why, fix))
        )


def _check_built_submodules(
    func: FuncItem,
    self_var: Var,
    nodes: list[Node],
    types: Types,
    facts: FactSource,
    report: Reporter,
) -> None:
    """In a module's `__init__`, `self.norm = Norm(c)` stores a finished module: mutating
    `self.norm` afterwards (`self.norm.reset()`) is mutating an immutable module.

    Only attributes given a new module by a statement of `__init__`'s own top-level
    block, and never anything else in it, count; `self` itself is still being built.
    """
    built: dict[
        str, int
    ] = {}  # attribute -> the line it is first given a finished module
    others: set[str] = set()
    straight = {id(s) for s in func.body.body}
    for node in nodes:
        if not isinstance(node, (AssignmentStmt, OperatorAssignmentStmt)):
            continue
        for target in _targets(
            node.lvalues if isinstance(node, AssignmentStmt) else [node.lvalue]
        ):
            if isinstance(target, NameExpr) and target.node is self_var:
                return  # `self` rebound: nothing is known
            if (
                isinstance(target, MemberExpr)
                and isinstance(target.expr, NameExpr)
                and target.expr.node is self_var
            ):
                whole = (
                    isinstance(node, AssignmentStmt) and target in node.lvalues
                )  # not unpacked
                if whole and id(node) in straight and origin_of(node.rvalue) == FRESH:
                    built.setdefault(target.name, node.line)
                else:
                    others.add(target.name)
    for attribute in others:
        built.pop(attribute, None)
    if not built:
        return
    for m in mutations(nodes, lambda r: r.node is self_var, types, facts):
        attribute = m.target.split(".")[1] if m.target.count(".") >= 1 else ""
        if (
            not m.certain
            or attribute not in built
            or m.context.line <= built[attribute]
        ):
            continue
        why = (
            f'"self.{attribute}" was given a module built on line {built[attribute]}, and a built '
            "module is immutable (only `self` is still under construction in __init__)"
        )
        fix = (
            f"build the submodule in the state it should have (or change it before building it, "
            f"e.g. with px.replace), or update it with `self.{attribute}, out = "
            f"px.purecall(self.{attribute}.method, ...)`"
        )
        report.error(
            m.context, MUTATION, _message(m, f'in "{_name(func)}"', (why, fix))
        )


def _targets(lvalues: list[Expression]) -> list[Expression]:
    """The single targets of assignment lvalues (`a, (b, c) = ...` gives a, b, c)."""
    found: list[Expression] = []
    for lvalue in lvalues:
        if isinstance(lvalue, (TupleExpr, ListExpr)):
            found += _targets(lvalue.items)
        elif isinstance(lvalue, StarExpr):
            found += _targets([lvalue.expr])
        else:
            found.append(lvalue)
    return found


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


class MutationRule:
    code = MUTATION

    def watches(self, fullname: str) -> bool:
        return watches_transforms(fullname)

    def check(self, file: FileContext) -> None:
        check(
            file.tree,
            file.nodes,
            file.bindings,
            file.applications,
            file.types,
            file.facts,
            file.report,
        )
