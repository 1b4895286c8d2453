"""`purepax-unreturned`: an update made on a view that the function then loses.

Two shapes:
- a `px.pure` function (decorated, or given to `px.pure(...)`) that certainly mutates a
  module argument, or a submodule of one, and returns it nowhere; the runtime raises
  `px.UnreturnedUpdateError` for it. The argument must not escape in any other way
  (passed to a call whose result is used, stored in a variable or in a container that
  is returned), or the plugin cannot prove that it is not returned;
- a function run by a transform that binds the updated module from `px.purecall` to a
  name it never reads and returns the stale argument instead (`_` drops it on purpose),
  where the call certainly changes the module (its class is known and the method called
  mutates it unconditionally). No runtime check can see this one: the update is
  silently lost.
"""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    AssignmentExpr,
    AssignmentStmt,
    CallExpr,
    Context,
    DictExpr,
    Expression,
    ExpressionStmt,
    FuncItem,
    GlobalDecl,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    NonlocalDecl,
    OperatorAssignmentStmt,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    StarExpr,
    TupleExpr,
    Var,
    YieldExpr,
    YieldFromExpr,
)
from mypy.types import Instance, LiteralType, NoneType, Type, get_proper_type

from ._applications import Application, Function
from ._effects import FactSource, mutations
from ._names import is_purecall, is_purepax_name, watches_transforms
from ._report import Reporter
from ._rules import FileContext
from ._scopes import PART, Bindings, param_vars
from ._types import Types
from ._walk import children, dotted, is_global_ref, root_name, scope_nodes, walk

UNRETURNED = ErrorCode(
    "purepax-unreturned",
    "A module updated by a pure function is not returned",
    "purepax",
)


def check_pure(
    function: Function,
    context: Context,
    types: Types,
    facts: FactSource,
    report: Reporter,
) -> None:
    func = function.func
    if func is None or _is_generator(func):
        return
    bindings = Bindings(func.body)
    returns = [n for n in scope_nodes(func) if isinstance(n, ReturnStmt)]
    if not returns and func.body.body and isinstance(func.body.body[-1], RaiseStmt):
        return  # it never returns: nothing is lost
    for var in param_vars(func)[len(function.bound) :]:
        if (
            bindings.rebound(var)
            or _escapes(func, var, types, facts)
            or any(_returned(r, var) for r in returns)
        ):
            continue
        found = [
            m
            for m in mutations(scope_nodes(func), lambda r: r.node is var, types, facts)
            if m.certain
        ]
        if not found:
            continue
        m = found[0]
        where: Context = returns[-1] if returns else func
        info = types.module(m.root)
        module = (
            f" (a {info.name})"
            if info is not None
            else f" (a {m.module})"
            if m.module
            else ""
        )
        part = "" if m.target == var.name else f"its submodule {m.target}: "
        report.error(
            where,
            UNRETURNED,
            f'px.pure function "{func.name}" mutates its argument "{var.name}"{module} ({part}it {m.how}, '
            f"line {m.context.line}) but never returns it, so the update is lost when the call "
            f"returns. Return it with the output (e.g. `return {var.name}, out`) and use the "
            "returned copy; to drop the update on purpose, return it and ignore it.",
        )


def check_transform(
    app: Application, types: Types, facts: FactSource, report: Reporter
) -> None:
    func = app.function.func
    if func is None:
        return
    nodes = list(scope_nodes(func))
    every = list(walk(func.body))
    bindings = Bindings(func.body)
    own = {id(n) for n in nodes if isinstance(n, NameExpr)}
    params = {var for var in param_vars(func) if not bindings.rebound(var)}
    # the arguments, and the modules unpacked from them (`c, total = carry`), never rebound
    params |= {
        var
        for var in bindings.parts_of(params, own)
        if bindings.origins.get(var) == {PART}
    }
    copies = _copy_assignments(nodes)
    held = _holding_arguments(func, nodes, bindings, own, params, copies)
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
        stale = (
            target.expr if isinstance(target, MemberExpr) else target
        )  # px.purecall(c.step, x)
        if not (
            isinstance(first, NameExpr)
            and isinstance(first.node, Var)
            and isinstance(stale, NameExpr)
        ):
            continue
        if first.name.startswith("_") or stale.node not in held:
            continue
        if not _proves_update(target, types, facts):
            continue  # `v, out = px.purecall(c.peek)`, or a module not known to change: nothing provably lost
        new = first.node
        if any(
            isinstance(n, NameExpr) and n.node is new and id(n) not in bindings.stores
            for n in every
        ):
            continue  # the updated module is used
        aliases = _plain_values(nodes, bindings)
        same = _copies_of(stale.node, held, bindings, copies)
        for ret in (n for n in nodes if isinstance(n, ReturnStmt)):
            if ret.expr is not None and _contains(ret.expr, same, aliases):
                report.error(
                    ret,
                    UNRETURNED,
                    f'Function "{func.name}" given to {app.transform.name} binds the module updated '
                    f'by px.purecall to "{new.name}" (line {node.line}), never uses it, and returns '
                    f'the stale argument "{dotted(stale)}" instead, so the update is lost. Return '
                    f'"{new.name}" (or bind it to "_" to drop the update on purpose).',
                )


def _proves_update(target: Expression, types: Types, facts: FactSource) -> bool:
    """`px.purecall(target, ...)` certainly changes the module it is given.

    Only a module of a known class whose method certainly mutates it: an argument of
    unknown type (unannotated, Any) may be a module that only reads, and a mutation under
    a mode test (BatchNorm's `if self.training:`) may not happen; dropping such an update
    loses nothing then, so the plugin cannot prove an error.
    """
    if (
        isinstance(target, MemberExpr) and types.module(target) is None
    ):  # `px.purecall(c.step, x)`
        info, method = types.module(target.expr), target.name
    else:  # the module, or a submodule of it (`px.purecall(model.counter, x)`), called
        info, method = types.called_module(target), "__call__"
    if info is None:
        return False
    func, fact = facts.method(info, method)
    return func is not None and fact.mutates.get(0, False)


def _returned(ret: ReturnStmt, var: Var) -> bool:
    return ret.expr is not None and _contains(ret.expr, {var})


def _contains(
    expr: Node,
    vars: set[Var],
    aliases: dict[Var, list[Expression]] | None = None,
    depth: int = 0,
) -> bool:
    """One of `vars` is `expr` or an item of the tuples, lists and dicts that `expr`
    builds, or the module of a functional copy of it (`px.replace(var, ...)`,
    `px.eval_mode(var)`); with `aliases`, also through a local every value of which
    holds one (`out = (var, y); return out`)."""
    if isinstance(expr, NameExpr):
        if expr.node in vars:
            return True
        values = (
            aliases.get(expr.node, [])
            if aliases is not None and isinstance(expr.node, Var)
            else []
        )
        return (
            bool(values)
            and depth < 8
            and all(_contains(v, vars, aliases, depth + 1) for v in values)
        )
    if isinstance(expr, (TupleExpr, ListExpr, DictExpr)):
        return any(_contains(c, vars, aliases, depth) for c in children(expr))
    if isinstance(expr, CallExpr) and expr.args and _is_copy(expr.callee):
        return _contains(expr.args[0], vars, aliases, depth)
    return False


def _copied(expr: Expression) -> Var | None:
    """The variable that `expr` is a functional copy of (`px.replace(px.eval_mode(m))`: `m`)."""
    while isinstance(expr, CallExpr) and expr.args and _is_copy(expr.callee):
        expr = expr.args[0]
    return (
        expr.node if isinstance(expr, NameExpr) and isinstance(expr.node, Var) else None
    )


def _copy_assignments(nodes: list[Node]) -> dict[int, Var]:
    """id of the target of each `v = px.replace(w, ...)` among `nodes` -> `w`."""
    found: dict[int, Var] = {}
    for node in nodes:
        if isinstance(node, AssignmentStmt) and len(node.lvalues) == 1:
            target, value = node.lvalues[0], node.rvalue
        elif isinstance(node, AssignmentExpr):
            target, value = node.target, node.value
        else:
            continue
        if (
            isinstance(target, NameExpr)
            and isinstance(value, CallExpr)
            and _is_copy(value.callee)
        ):
            source = _copied(value)
            if source is not None:
                found[id(target)] = source
    return found


def _holding_arguments(
    func: FuncItem,
    nodes: list[Node],
    bindings: Bindings,
    own: set[int],
    args: set[Var],
    copies: dict[int, Var],
) -> set[Var]:
    """The variables of `func` that hold one of `args` (its arguments and the modules
    unpacked from them), or a functional copy of one, whichever path ran: every assignment
    to them unpacks one (`model, velocity = carry`) or copies one (`model =
    px.update_parameters(model, params)`: a copy of a stale argument is still stale).

    Locals only: a `global` or `nonlocal` name may hold a value from elsewhere when it
    is read before this function assigns it.
    """
    outside = _declared_outside(nodes)
    mine = set(param_vars(func))
    held = set(args)
    changed = True
    while changed:
        changed = False
        for var, sites in bindings.sites.items():
            if (
                var in held
                or var.name in outside
                or not bindings.sources.get(var, set()) <= held
            ):
                continue
            if not all(target in own for _, _, target in sites):
                continue  # assigned in a nested function too
            copied = [copies.get(target) for _, _, target in sites]
            kept = (
                source in held or source is var
                if source is not None
                else origin == PART
                for (_, origin, _), source in zip(sites, copied)
            )
            if not all(kept):
                continue
            if var in mine or any(
                source is not var for source in copied
            ):  # it starts from one of them
                held.add(var)
                changed = True
    return held


def _copies_of(
    var: Var, held: set[Var], bindings: Bindings, copies: dict[int, Var]
) -> set[Var]:
    """`var` and the locals of `held` given only functional copies of it (`m = px.eval_mode(var)`)."""
    same = {var}
    changed = True
    while changed:
        changed = False
        for other in held - same - bindings.params:
            sources = [
                copies.get(target) for _, _, target in bindings.sites.get(other, [])
            ]
            if any(s in same for s in sources) and all(
                s in same or s is other for s in sources
            ):
                same.add(other)
                changed = True
    return same


def _is_copy(callee: Expression) -> bool:
    """A purepax helper returning a copy of its first argument, the whole module."""
    return isinstance(callee, RefExpr) and is_purepax_name(callee.fullname, _COPIES)


_COPIES = frozenset({"replace", "update_parameters", "train_mode", "eval_mode"})


def _plain_values(nodes: list[Node], bindings: Bindings) -> dict[Var, list[Expression]]:
    """The locals of a function (its own `nodes`) given values only by plain assignments
    there (`new_carry = (model, velocity)`, once or on several paths): those values."""
    outside = _declared_outside(nodes)
    found: dict[Var, list[Expression]] = {}
    for node in nodes:
        if isinstance(node, AssignmentStmt) and len(node.lvalues) == 1:
            target = node.lvalues[0]
            if (
                isinstance(target, NameExpr)
                and isinstance(target.node, Var)
                and target.name not in outside
            ):
                found.setdefault(target.node, []).append(node.rvalue)
    return {
        var: values
        for var, values in found.items()
        if var not in bindings.params
        and [id(v) for v in bindings.values.get(var, [])] == [id(v) for v in values]
    }


def _declared_outside(nodes: list[Node]) -> set[str]:
    """The names a function (its own `nodes`) declares `global` or `nonlocal`."""
    return {
        name
        for n in nodes
        if isinstance(n, (GlobalDecl, NonlocalDecl))
        for name in n.names
    }


def _escapes(func: FuncItem, var: Var, types: Types, facts: FactSource) -> bool:
    """`var` may reach the output other than by being returned directly.

    Allowed uses: reading an attribute (`var.x`), calling it or a method of it that
    does not return it (`y = var(x)`; but `return var.add(x)` escapes when `add` returns
    `self`), passing it to a call whose result is thrown away unless that call may store
    it where the output is read from (`outs.append(var)` with `return outs`), and
    returning it in a tuple/list/dict.
    """
    statements = [
        n.expr
        for n in walk(func.body)
        if isinstance(n, ExpressionStmt) and isinstance(n.expr, CallExpr)
    ]
    if var in _reaching_output(func, statements, types):
        return True
    thrown = {id(call) for call in statements}
    allowed: set[int] = set()
    for node in walk(func.body):
        if isinstance(node, MemberExpr):
            allowed.add(id(node.expr))
        elif isinstance(node, CallExpr):
            allowed.add(id(node.callee))
            if id(node) in thrown:
                allowed.update(id(a) for a in node.args)
                continue
            receiver, method = _receiver(node)
            if (
                receiver is not None
                and receiver.node is var
                and _may_return(node, receiver, method, types, facts)
            ):
                return True
        elif isinstance(node, ReturnStmt) and node.expr is not None:
            allowed.update(id(n) for n in _direct_items(node.expr))
    return any(
        isinstance(n, NameExpr) and n.node is var and id(n) not in allowed
        for n in walk(func.body)
    )


def _reaching_output(func: FuncItem, thrown: list[CallExpr], types: Types) -> set[Var]:
    """The variables whose values may end up in what `func` returns.

    Those named in a return value, then, until nothing changes, the variables stored into
    one of them: by an assignment (`out = (var, y)`, `out["m"] = var`), or by a call whose
    result is thrown away, which may store any of its arguments into its receiver or its
    other arguments (`outs.append(var)`, `results.update(m=var)`, `store(out, var)`).
    A variable only read through an attribute (`var.x`) or called (`var(x)`) is not named.
    """
    reaching: set[Var] = set()
    flows: list[tuple[set[Var], set[Var]]] = []  # (into, from)
    for node in walk(func.body):
        if isinstance(node, ReturnStmt) and node.expr is not None:
            reaching |= _named(node.expr)
        elif isinstance(node, AssignmentStmt):
            flows.append(
                (
                    set().union(*(_stored_into(lv) for lv in node.lvalues)),
                    _named(node.rvalue),
                )
            )
        elif isinstance(node, OperatorAssignmentStmt):
            flows.append((_stored_into(node.lvalue), _named(node.rvalue)))
    for call in thrown:
        holders = list(call.args)
        if isinstance(call.callee, MemberExpr) and not is_global_ref(call.callee):
            holders.append(call.callee.expr)
        for holder in holders:
            if _cannot_hold(types.of(holder)):
                continue
            into = _stored_into(holder)
            flows.append(
                (into, set().union(*(_named(a) for a in call.args if a is not holder)))
            )
    changed = True
    while changed:
        changed = False
        for into, sources in flows:
            if into & reaching and not sources <= reaching:
                reaching |= sources
                changed = True
    return reaching


def _named(expr: Expression) -> set[Var]:
    """The variables `expr` may evaluate to, or hold: not those only read through an
    attribute or called."""
    used = {id(n.expr) for n in walk(expr) if isinstance(n, MemberExpr)}
    used |= {id(n.callee) for n in walk(expr) if isinstance(n, CallExpr)}
    return {
        n.node
        for n in walk(expr)
        if isinstance(n, NameExpr) and isinstance(n.node, Var) and id(n) not in used
    }


def _stored_into(target: Expression) -> set[Var]:
    """The variables that an assignment to `target` (`x`, `x[k]`, `x.f`, `a, b`) changes."""
    if isinstance(target, (TupleExpr, ListExpr)):
        return set().union(*(_stored_into(item) for item in target.items))
    if isinstance(target, StarExpr):
        return _stored_into(target.expr)
    root = root_name(target)
    return {root.node} if root is not None and isinstance(root.node, Var) else set()


def _cannot_hold(typ: Type | None) -> bool:
    """A value of type `typ` (an array, a number, a string, None) holds no module."""
    proper = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, (NoneType, LiteralType)):
        return True
    if not isinstance(proper, Instance):
        return False
    name = proper.type.fullname
    return name in _SCALARS or (
        name.partition(".")[0] in ("jax", "jaxlib", "numpy")
        and proper.type.name in _ARRAYS
    )


_SCALARS = frozenset(
    {
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.complex",
        "builtins.str",
        "builtins.bytes",
    }
)
_ARRAYS = frozenset({"Array", "ArrayImpl", "ndarray"})


def _receiver(call: CallExpr) -> tuple[NameExpr | None, str]:
    """`c` and the method called in `c(...)` / `c.method(...)`."""
    callee = call.callee
    if isinstance(callee, NameExpr):
        return callee, "__call__"
    if isinstance(callee, MemberExpr) and isinstance(callee.expr, NameExpr):
        return callee.expr, callee.name
    return None, ""


def _may_return(
    call: CallExpr, receiver: NameExpr, method: str, types: Types, facts: FactSource
) -> bool:
    """`call` of `method` of `receiver` may give the module itself (or a copy of it) back."""
    if call.callee is not receiver and types.module(call.callee) is not None:
        return False  # `var.sub(x)` calls a submodule, which cannot return `var`
    info = types.module(receiver)
    if info is None:
        return True
    func, fact = facts.method(info, method)
    return func is None or 0 in fact.returns


def _direct_items(expr: Node) -> list[Node]:
    if isinstance(expr, (TupleExpr, ListExpr, DictExpr)):
        return [item for c in children(expr) for item in _direct_items(c)]
    return [expr]


def _is_generator(func: FuncItem) -> bool:
    return any(isinstance(n, (YieldExpr, YieldFromExpr)) for n in scope_nodes(func))


class UnreturnedRule:
    code = UNRETURNED

    def watches(self, fullname: str) -> bool:
        return watches_transforms(fullname)

    def check(self, file: FileContext) -> None:
        for app in file.applications:
            check_transform(app, file.types, file.facts, file.report)
        for function, context in file.pures:
            check_pure(function, context, file.types, file.facts, file.report)
