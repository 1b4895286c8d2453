"""Where each variable of a file gets its values, and which variables a function binds.

A variable is *provably immutable* when every value it is ever given is a module that
construction or a pure call has already finished with: a module class called, a
purepax helper that returns a copy (`px.replace`, `px.update_parameters`,
`px.train_mode`, ...), the module returned by `px.purecall`, or what a pure or
transformed function returned. One binding of any other kind (a parameter, a loop
variable, an unknown call) and the plugin assumes nothing about the variable.
"""

from __future__ import annotations

from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    AssignmentExpr,
    AssignmentStmt,
    CallExpr,
    Decorator,
    DictionaryComprehension,
    Expression,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    IndexExpr,
    LambdaExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    RefExpr,
    StarExpr,
    TryStmt,
    TupleExpr,
    TypeInfo,
    Var,
    WithStmt,
)

from ._names import (
    decorators_of,
    is_module_class,
    is_module_maker,
    is_partial,
    is_pure,
    is_purecall,
    transform_of,
    wraps_purely,
)
from ._walk import root_name, walk

FRESH = "fresh"  # a module made here: immutable
RETURNED = "returned"  # what a pure call or a transform returned: immutable if a module
PART = "part"  # an item, attribute or alias of another variable (`c, t = carry`)
OTHER = "other"  # anything else: unknown
_FINISHED = frozenset({FRESH, RETURNED})


def param_vars(func: FuncItem) -> list[Var]:
    """The parameters of `func` that take one argument each (not *args / **kwargs)."""
    return [a.variable for a in func.arguments if a.kind not in (ARG_STAR, ARG_STAR2)]


class Bindings:
    """Every value each variable of a file (or of one function) is given."""

    def __init__(self, root: Node | list[Node]) -> None:
        self.origins: dict[
            Var, set[str]
        ] = {}  # assignments only, not parameter passing
        self.sites: dict[
            Var, list[tuple[int, str, int]]
        ] = {}  # (line, origin, id of the target)
        self.params: set[Var] = set()
        self.stores: set[int] = set()  # id() of each NameExpr that is assigned to
        self.values: dict[
            Var, list[Expression | None]
        ] = {}  # what each assignment gave (None: unknown)
        # (value, item path) of each assignment: `c, t = carry` gives `c` (carry, (0,))
        self.assigned: dict[Var, list[tuple[Expression, tuple[int, ...]]]] = {}
        self.sources: dict[
            Var, set[Var]
        ] = {}  # PART bindings: the variables they are taken from
        visit = self._visit
        for node in root if isinstance(root, list) else walk(root):
            if isinstance(node, _BINDING):
                visit(node)

    def immutable(self, var: Var) -> bool:
        """`var` is a variable (not a parameter) given only finished modules."""
        origins = self.origins.get(var)
        return (
            var not in self.params
            and origins is not None
            and bool(origins)
            and origins <= _FINISHED
        )

    def only_finished(self, param: Var) -> bool:
        """Parameter `param` is never reassigned, or only to finished modules."""
        return self.origins.get(param, set()) <= _FINISHED

    def finished_at(
        self, var: Var, line: int, own: set[int], straight: set[int]
    ) -> bool:
        """At `line`, `var` certainly holds a finished module (flow-sensitive, simply).

        True when a statement of the function's own top-level block (`straight`: ids of
        its assignment targets) gave `var` a finished module before `line`, and every
        later assignment to `var` does so too. Any assignment from outside the function's
        own scope (`own`), e.g. `nonlocal` in a nested function, and the plugin gives up.
        """
        sites = self.sites.get(var, [])
        if any(target not in own for _, _, target in sites):
            return False
        starts = [
            at
            for at, origin, target in sites
            if target in straight and at < line and origin in _FINISHED
        ]
        if not starts:
            return False
        start = max(starts)
        return all(origin in _FINISHED for at, origin, _ in sites if at >= start)

    def parts_of(self, whole: set[Var], own: set[int]) -> set[Var]:
        """Variables of one scope (`own`: ids of its names) taken only from `whole`'s variables.

        `c, total = carry` makes `c` part of `carry`: when `carry` is an immutable copy, so
        is `c`. Every binding of such a variable is a PART of `whole` (or of another such
        variable) or a finished module.
        """
        found: set[Var] = set()
        changed = True
        while changed:
            changed = False
            for var, sources in self.sources.items():
                sites = self.sites.get(var, [])
                if var in found or var in whole or var in self.params or not sites:
                    continue
                if any(target not in own for _, _, target in sites):
                    continue
                if (
                    all(origin in _FINISHED or origin == PART for _, origin, _ in sites)
                    and sources <= whole | found
                ):
                    found.add(var)
                    changed = True
        return found

    def given_finished(self) -> set[Var]:
        """The variables given a finished module by some assignment (all that `immutable`
        or `finished_at` can be true of)."""
        return {var for var, origins in self.origins.items() if origins & _FINISHED}

    def rebound(self, var: Var) -> bool:
        """`var` (a parameter) is assigned to somewhere."""
        return var in self.origins

    def _add(self, target: Expression, origin: str) -> None:
        if isinstance(target, NameExpr):
            self.stores.add(id(target))
            if isinstance(target.node, Var):
                self.origins.setdefault(target.node, set()).add(origin)
                self.sites.setdefault(target.node, []).append(
                    (target.line, origin, id(target))
                )
                self.values.setdefault(target.node, []).append(None)
        elif isinstance(target, (TupleExpr, ListExpr)):
            for item in target.items:
                self._add(item, origin)
        elif isinstance(target, StarExpr):
            self._add(target.expr, OTHER)

    def _bind(
        self, target: Expression, value: Expression, path: tuple[int, ...] = ()
    ) -> None:
        """`target = value` (`path`: the item of `value` that `target` is unpacked from)."""
        if isinstance(target, (TupleExpr, ListExpr)):
            if (
                not path
                and isinstance(value, (TupleExpr, ListExpr))
                and len(value.items) == len(target.items)
            ):
                for t, v in zip(target.items, value.items):
                    self._bind(t, v)
                return
            if (
                not path
                and isinstance(value, CallExpr)
                and is_purecall(value.callee)
                and len(target.items) == 2
            ):
                self._add(target.items[0], RETURNED)
                self._add(target.items[1], OTHER)
                self._record(target.items[0], value, (0,))
                self._record(target.items[1], value, (1,))
                return
            if any(isinstance(item, StarExpr) for item in target.items):
                self._add(target, origin_of(value))
                return
            for i, item in enumerate(target.items):
                self._bind(item, value, (*path, i))
            return
        origin = origin_of(value)
        source = _source(value)
        if origin == OTHER and source is not None:
            origin = PART
        self._add(target, origin)
        if isinstance(target, NameExpr) and isinstance(target.node, Var):
            if not path:
                self.values[target.node][-1] = value
            if origin == PART and source is not None:
                self.sources.setdefault(target.node, set()).add(source)
        self._record(target, value, path)

    def _record(
        self, target: Expression, value: Expression, path: tuple[int, ...]
    ) -> None:
        if isinstance(target, NameExpr) and isinstance(target.node, Var):
            self.assigned.setdefault(target.node, []).append((value, path))

    def typed_by_assignments(
        self, var: Var
    ) -> list[tuple[Expression, tuple[int, ...]]]:
        """The values `var` is given, when every binding of it is an assignment (else none)."""
        records = self.assigned.get(var, [])
        return (
            records
            if var not in self.params and len(records) == len(self.sites.get(var, []))
            else []
        )

    def functions(self) -> dict[Var, Expression]:
        """Variables given exactly one value, a function: `step = px.pure(f)`, `f = lambda x: ...`."""
        found: dict[Var, Expression] = {}
        for var, values in self.values.items():
            value = values[0]
            if (
                len(values) == 1
                and var not in self.params
                and value is not None
                and _function_like(value)
            ):
                found[var] = value
        return found

    def _visit(self, node: Node) -> None:
        if isinstance(node, AssignmentStmt):
            for lvalue in node.lvalues:
                self._bind(lvalue, node.rvalue)
        elif isinstance(node, OperatorAssignmentStmt):
            self._add(node.lvalue, OTHER)
        elif isinstance(node, AssignmentExpr):
            self._bind(node.target, node.value)
        elif isinstance(node, ForStmt):
            self._add(node.index, OTHER)
        elif isinstance(node, WithStmt):
            for target in node.target:
                if target is not None:
                    self._add(target, OTHER)
        elif isinstance(node, TryStmt):
            for var in node.vars:
                if var is not None:
                    self._add(var, OTHER)
        elif isinstance(node, (GeneratorExpr, DictionaryComprehension)):
            for index in node.indices:
                self._add(index, OTHER)
        elif isinstance(node, FuncItem):
            self.params.update(a.variable for a in node.arguments)


# The kinds of node that bind variables (`Bindings._visit`); the others are passed over.
_BINDING = (
    AssignmentStmt,
    OperatorAssignmentStmt,
    AssignmentExpr,
    ForStmt,
    WithStmt,
    TryStmt,
    GeneratorExpr,
    DictionaryComprehension,
    FuncItem,
)


def _source(value: Expression) -> Var | None:
    """The variable that `value` is taken from: `carry`, `carry[0]`, `model.encoder`."""
    if not isinstance(value, (NameExpr, MemberExpr, IndexExpr)):
        return None
    root = root_name(value)
    return root.node if root is not None and isinstance(root.node, Var) else None


def _function_like(value: Expression) -> bool:
    if isinstance(value, LambdaExpr):
        return True
    if isinstance(value, RefExpr):
        return isinstance(value.node, (FuncDef, Decorator))
    if isinstance(value, CallExpr):
        callee = value.callee
        return is_partial(callee) or is_pure(callee) or transform_of(callee) is not None
    return False


# Transforms that run the function at once (the others return a transformed function).
_RUNNERS = frozenset({"scan", "cond", "switch", "while_loop", "fori_loop"})


def origin_of(value: Expression) -> str:
    """What kind of value `value` is, as far as immutability goes."""
    if isinstance(value, IndexExpr) and isinstance(value.base, CallExpr):
        base = (
            value.base
        )  # `px.purecall(c, x)[0]`, `step(c, x)[0]`: an item of a call's output
        return (
            RETURNED
            if is_purecall(base.callee) or origin_of(base) == RETURNED
            else OTHER
        )
    if not isinstance(value, CallExpr):
        return OTHER
    callee = value.callee
    if isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo):
        return FRESH if is_module_class(callee.node) else OTHER
    if is_module_maker(callee):
        return FRESH
    transform = transform_of(callee)
    if transform is not None and transform.last in _RUNNERS:
        return RETURNED  # lax.scan / cond / while_loop / ... return their outputs
    if isinstance(callee, CallExpr) and (
        is_pure(callee.callee) or transform_of(callee.callee) is not None
    ):
        return RETURNED  # px.pure(f)(...), jax.jit(f)(...)
    if isinstance(callee, RefExpr) and isinstance(callee.node, Decorator):
        if wraps_purely(decorators_of(callee.node)):
            return RETURNED  # a @px.pure or @jax.jit function
    return OTHER


def assigned_vars(root: Node, *, params: bool = False) -> set[Var]:
    """The variables given a value anywhere in `root` (what `Bindings(root).origins` holds,
    without working out what each value is), and with `params` the parameters of the
    functions in it."""
    found: set[Var] = set()

    def add(target: Expression | None) -> None:
        if isinstance(target, NameExpr):
            if isinstance(target.node, Var):
                found.add(target.node)
        elif isinstance(target, (TupleExpr, ListExpr)):
            for item in target.items:
                add(item)
        elif isinstance(target, StarExpr):
            add(target.expr)

    for node in walk(root):
        if isinstance(node, AssignmentStmt):
            for lvalue in node.lvalues:
                add(lvalue)
        elif isinstance(node, OperatorAssignmentStmt):
            add(node.lvalue)
        elif isinstance(node, AssignmentExpr):
            add(node.target)
        elif isinstance(node, ForStmt):
            add(node.index)
        elif isinstance(node, WithStmt):
            for target in node.target:
                add(target)
        elif isinstance(node, TryStmt):
            for var in node.vars:
                add(var)
        elif isinstance(node, (GeneratorExpr, DictionaryComprehension)):
            for index in node.indices:
                add(index)
        elif params and isinstance(node, FuncItem):
            found.update(a.variable for a in node.arguments)
    return found


def local_vars(func: FuncItem) -> set[Var]:
    """The variables bound inside `func` or the functions nested in it (its parameters too)."""
    return assigned_vars(func, params=True)
