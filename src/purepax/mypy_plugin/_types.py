"""The static type of an expression, and whether it is a purepax module.

Two sources: mypy's type map of the file being checked (the most precise), and the
nodes themselves (declared and inferred types of variables and attributes), which is
all there is when facts are computed before the bodies are checked. A type that is
not certainly a module (Any, a union with something else) never counts as one: the
plugin reports what it can prove.
"""

from __future__ import annotations

from mypy.nodes import (
    AssignmentStmt,
    CallExpr,
    Decorator,
    Expression,
    FakeInfo,
    FuncDef,
    FuncItem,
    IndexExpr,
    MemberExpr,
    NameExpr,
    RefExpr,
    ReturnStmt,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.subtypes import is_same_type
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from ._names import STACKED, is_module_class, is_module_maker, is_purecall
from ._walk import is_global_ref, scope_nodes, walk


def module_info(typ: Type | None) -> TypeInfo | None:
    """The module class of `typ` if it is certainly an instance of one."""
    if typ is None:
        return None
    proper = get_proper_type(typ)
    if isinstance(proper, Instance) and is_module_class(proper.type):
        return proper.type
    return None


def holds_module(typ: Type | None) -> TypeInfo | None:
    """A module class held by `typ`: a module, or a tuple/list/dict of modules."""
    found = module_info(typ)
    if found is not None or typ is None:
        return found
    proper = get_proper_type(typ)
    if isinstance(proper, TupleType):
        for item in proper.items:
            found = holds_module(item)
            if found is not None:
                return found
    elif (
        isinstance(proper, Instance)
        and proper.type.fullname in _CONTAINERS
        and proper.args
    ):
        return holds_module(proper.args[-1])
    return None


_CONTAINERS = frozenset(
    {"builtins.list", "builtins.tuple", "builtins.dict", "builtins.set"}
)


def instance(info: TypeInfo) -> Instance:
    return Instance(info, [AnyType(TypeOfAny.special_form)] * len(info.defn.type_vars))


class Types:
    """Types of the expressions of one file (or of one function's facts)."""

    def __init__(self, type_map: dict[Expression, Type] | None = None) -> None:
        self.type_map = type_map
        self.overrides: dict[
            Var, Type
        ] = {}  # parameters typed by what a transform hands them
        self._disputed: set[Var] = (
            set()
        )  # parameters given values of different (or unknown) types
        self.selves: dict[Var, TypeInfo] = {}  # `self` of each method seen
        self.functions: dict[
            Var, Expression
        ] = {}  # variables that name a function (`step = px.pure(f)`)
        # variables bound only by assignments: (value, item path) of each (`_scopes.Bindings`)
        self.assigned: dict[Var, list[tuple[Expression, tuple[int, ...]]]] = {}
        self._busy: set[object] = (
            set()
        )  # variables and functions whose type is being inferred

    def offer(self, var: Var, typ: Type | None) -> None:
        """One place (a call, a transform's carry, a bound argument) gives parameter `var`
        a value of type `typ`. `var` is typed by it only while every place agrees on one
        type holding a module: a generic function (`step(m, x)` given a Counter here and
        a Linear there, or a value of unknown type) stays untyped."""
        if var in self._disputed:
            return
        known = self.overrides.get(var)
        if (
            typ is None
            or holds_module(typ) is None
            or (known is not None and not is_same_type(known, typ))
        ):
            self._disputed.add(var)
            self.overrides.pop(var, None)
        elif known is None:
            self.overrides[var] = typ

    def note_method(self, func: FuncDef) -> None:
        """Remember that the first parameter of `func` is an instance of its class."""
        if (
            func.arguments
            and not isinstance(func.info, FakeInfo)
            and not func.is_static
            and not func.is_class
        ):
            self.selves[func.arguments[0].variable] = func.info

    def of(self, expr: Expression) -> Type | None:
        if isinstance(expr, RefExpr) and isinstance(expr.node, Var):
            override = self.overrides.get(expr.node)
            if override is not None:
                return override
            if expr.node in self.selves:
                return instance(self.selves[expr.node])
        if self.type_map is not None:
            found = self.type_map.get(expr)
            if found is not None and not isinstance(get_proper_type(found), AnyType):
                return found
        return self._from_nodes(expr)

    def module(self, expr: Expression) -> TypeInfo | None:
        """The module class of `expr`, if it is certainly a module."""
        return module_info(self.of(expr))

    def called_module(self, expr: Expression) -> TypeInfo | None:
        """The module class whose `__call__` runs when `expr` is called, if `expr` is
        certainly a module: for a `px.Stacked[Block]`, the block class (calling the stack
        calls every block and writes their changes back into the stack, so it mutates
        when `Block.__call__` does)."""
        typ = self.of(expr)
        info = module_info(typ)
        if info is None or info.fullname != STACKED:
            return info
        proper = get_proper_type(typ)
        if isinstance(proper, Instance) and proper.args:
            return module_info(proper.args[0]) or info
        return info

    def _from_nodes(self, expr: Expression) -> Type | None:
        if isinstance(expr, NameExpr) or (
            isinstance(expr, MemberExpr) and is_global_ref(expr)
        ):
            node = expr.node
            if isinstance(node, Var):
                return (
                    node.type
                    if not unknown(node.type)
                    else self._from_assignments(node) or node.type
                )
            return None
        if isinstance(expr, MemberExpr):
            owner = module_info(self.of(expr.expr))
            return attribute_type(owner, expr.name) if owner is not None else None
        if isinstance(expr, CallExpr):
            return self._call_result(expr)
        if isinstance(expr, IndexExpr):
            base = get_proper_type(self.of(expr.base))
            if (
                isinstance(base, Instance)
                and base.type.fullname in _CONTAINERS
                and base.args
            ):
                return base.args[-1]
        return None

    def _call_result(self, call: CallExpr) -> Type | None:
        callee = call.callee
        if isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo):
            return instance(callee.node)
        if is_module_maker(callee) and call.args:
            return self.of(call.args[0])
        if isinstance(callee, RefExpr) and isinstance(
            callee.node, (FuncDef, Decorator)
        ):
            func = (
                callee.node.func if isinstance(callee.node, Decorator) else callee.node
            )
            declared = (
                func.type.ret_type if isinstance(func.type, CallableType) else None
            )
            return (
                declared if not unknown(declared) else self._returned(func) or declared
            )
        return None

    def _from_assignments(self, var: Var) -> Type | None:
        """The module type that every assignment gives a variable mypy leaves as Any.

        `c = tick(c)` with an unannotated `tick` that returns its `Counter` argument, or
        `c, total = carry` with `carry` typed by what a transform hands it.
        """
        records = self.assigned.get(var)
        if not records or var in self._busy:
            return None
        self._busy.add(var)
        try:
            found: Type | None = None
            for value, path in records:
                if not path and _copy_of(value, var):
                    continue  # `model = px.replace(model, ...)` keeps the type the others give
                typ = _item(self.of(value), path)
                info = module_info(typ)
                if info is None or (
                    found is not None and module_info(found) is not info
                ):
                    return None
                found = found or typ
            return found
        finally:
            self._busy.discard(var)

    def _returned(self, func: FuncItem) -> Type | None:
        """The type of what an unannotated function of this file returns, when all its returns agree."""
        if self.type_map is None or not func.body.body or func in self._busy:
            return None
        self._busy.add(func)
        try:
            found: Type | None = None
            for ret in scope_nodes(func):
                if not isinstance(ret, ReturnStmt):
                    continue
                typ = self._shape(ret.expr) if ret.expr is not None else None
                if (
                    typ is None
                    or unknown(typ)
                    or (found is not None and not is_same_type(found, typ))
                ):
                    return None
                found = found or typ
            return found
        finally:
            self._busy.discard(func)

    def _shape(self, expr: Expression) -> Type | None:
        """The type of a returned value, item by item.

        mypy types a `return` against the declared return type, which is Any for an
        unannotated function, so `return c, y` and `return px.purecall(c, x)` are in its
        type map as `tuple[Any, Any]`; their items are typed here one by one instead.
        """
        typ = self.of(expr)
        proper = get_proper_type(typ) if typ is not None else None
        if not isinstance(proper, TupleType):
            return typ
        if isinstance(expr, TupleExpr) and len(expr.items) == len(proper.items):
            return proper.copy_modified(
                items=[self._shape(e) or t for e, t in zip(expr.items, proper.items)]
            )
        if (
            isinstance(expr, CallExpr)
            and is_purecall(expr.callee)
            and expr.args
            and len(proper.items) == 2
        ):
            target = expr.args[0]
            module = self.of(
                target.expr if isinstance(target, MemberExpr) else target
            )  # m or m.method
            if module is not None and module_info(module) is not None:
                return proper.copy_modified(items=[module, proper.items[1]])
        return typ


def _copy_of(value: Expression, var: Var) -> bool:
    """`value` is a functional copy of `var` (`px.update_parameters(px.eval_mode(var), p)`)."""
    while isinstance(value, CallExpr) and is_module_maker(value.callee) and value.args:
        value = value.args[0]
    return isinstance(value, NameExpr) and value.node is var


def _item(typ: Type | None, path: tuple[int, ...]) -> Type | None:
    """The item at `path` of a tuple type (`(0,)` of `tuple[Counter, int]` is `Counter`)."""
    for index in path:
        proper = get_proper_type(typ) if typ is not None else None
        if isinstance(proper, TupleType) and index < len(proper.items):
            typ = proper.items[index]
        elif (
            isinstance(proper, Instance)
            and proper.type.fullname == "builtins.tuple"
            and proper.args
        ):
            typ = proper.args[0]
        else:
            return None
    return typ


def attribute_type(info: TypeInfo, name: str) -> Type | None:
    """The type of attribute `name` of instances of `info`, declared or assigned in a method."""
    for klass in info.mro:
        symbol = klass.names.get(name)
        if symbol is None:
            continue
        if isinstance(symbol.node, Var):
            if symbol.node.type is not None:
                return symbol.node.type
            return _assigned_type(klass, name)
        return None
    return None


def _assigned_type(info: TypeInfo, name: str) -> ProperType | None:
    """`self.name = SomeModule(...)` in a method of `info`: that module's type."""
    for symbol in info.names.values():
        func = symbol.node.func if isinstance(symbol.node, Decorator) else symbol.node
        if not isinstance(func, FuncDef) or not func.arguments:
            continue
        me = func.arguments[0].variable
        for node in walk(func.body):
            if not isinstance(node, AssignmentStmt) or not isinstance(
                node.rvalue, CallExpr
            ):
                continue
            callee = node.rvalue.callee
            if not (isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo)):
                continue
            for lvalue in node.lvalues:
                if (
                    isinstance(lvalue, MemberExpr)
                    and lvalue.name == name
                    and isinstance(lvalue.expr, NameExpr)
                    and lvalue.expr.node is me
                ):
                    return instance(callee.node)
    return None


def untyped(var: Var) -> bool:
    """A variable without a (useful) static type: unannotated, or Any."""
    return unknown(var.type)


def unknown(typ: Type | None) -> bool:
    return typ is None or isinstance(get_proper_type(typ), AnyType)
