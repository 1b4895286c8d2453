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
    IndexExpr,
    MemberExpr,
    NameExpr,
    RefExpr,
    TypeInfo,
    Var,
)
from mypy.types import AnyType, CallableType, Instance, ProperType, TupleType, Type, TypeOfAny, get_proper_type

from ._names import is_module_class, is_module_maker
from ._walk import is_global_ref, walk


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
    elif isinstance(proper, Instance) and proper.type.fullname in _CONTAINERS and proper.args:
        return holds_module(proper.args[-1])
    return None


_CONTAINERS = frozenset({"builtins.list", "builtins.tuple", "builtins.dict", "builtins.set"})


def instance(info: TypeInfo) -> Instance:
    return Instance(info, [AnyType(TypeOfAny.special_form)] * len(info.defn.type_vars))


class Types:
    """Types of the expressions of one file (or of one function's facts)."""

    def __init__(self, type_map: dict[Expression, Type] | None = None) -> None:
        self.type_map = type_map
        self.overrides: dict[Var, Type] = {}  # parameters typed by what a transform hands them
        self.selves: dict[Var, TypeInfo] = {}  # `self` of each method seen
        self.functions: dict[Var, Expression] = {}  # variables that name a function (`step = px.pure(f)`)

    def note_method(self, func: FuncDef) -> None:
        """Remember that the first parameter of `func` is an instance of its class."""
        if func.arguments and not isinstance(func.info, FakeInfo) and not func.is_static and not func.is_class:
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

    def _from_nodes(self, expr: Expression) -> Type | None:
        if isinstance(expr, NameExpr) or (isinstance(expr, MemberExpr) and is_global_ref(expr)):
            node = expr.node
            if isinstance(node, Var):
                return node.type
            return None
        if isinstance(expr, MemberExpr):
            owner = module_info(self.of(expr.expr))
            return attribute_type(owner, expr.name) if owner is not None else None
        if isinstance(expr, CallExpr):
            return self._call_result(expr)
        if isinstance(expr, IndexExpr):
            base = get_proper_type(self.of(expr.base))
            if isinstance(base, Instance) and base.type.fullname in _CONTAINERS and base.args:
                return base.args[-1]
        return None

    def _call_result(self, call: CallExpr) -> Type | None:
        callee = call.callee
        if isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo):
            return instance(callee.node)
        if is_module_maker(callee) and call.args:
            return self.of(call.args[0])
        if isinstance(callee, RefExpr) and isinstance(callee.node, (FuncDef, Decorator)):
            func = callee.node.func if isinstance(callee.node, Decorator) else callee.node
            if isinstance(func.type, CallableType):
                return func.type.ret_type
        return None


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
            if not isinstance(node, AssignmentStmt) or not isinstance(node.rvalue, CallExpr):
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
