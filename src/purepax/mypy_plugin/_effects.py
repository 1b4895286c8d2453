"""Finding the statements that mutate a module: attribute assignments and mutating calls.

A mutation is found on an expression reached from a *root* name (`c`, `self`,
`model.encoder`); which roots matter is up to the rule asking. A call mutates when the
callee's facts (`_facts.py`) say it mutates the corresponding parameter.

A mutation is *certain* or only *possible*: code that tests a module's `training` flag
(BatchNorm, Dropout and the models holding them) mutates only in training mode, which
the plugin cannot see, so such a mutation never proves an error on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    AssignmentStmt,
    CallExpr,
    Context,
    Decorator,
    Expression,
    FuncDef,
    FuncItem,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    RefExpr,
    StarExpr,
    TupleExpr,
    TypeInfo,
)

from ._types import Types, unknown
from ._walk import dotted, is_global_ref, root_name


@dataclass
class Fact:
    """What calling a function does to its arguments."""

    # parameter index -> mutated certainly (True) or only in training mode (False)
    mutates: dict[int, bool] = field(default_factory=dict)
    # parameter index -> methods called on that parameter when its type is unknown
    # (`def helper(c): c(x)`): whether they mutate depends on what the caller passes.
    calls: dict[int, set[str]] = field(default_factory=dict)
    # parameters that the function may return, itself or a copy (`return self`,
    # `return px.replace(self, ...)`): a call's result may then be its argument.
    returns: set[int] = field(default_factory=set)
    # parameter index -> "module.Class.method" of the calls through a declared class that
    # made its mutation certain (and nothing else did): a subclass's override may not
    # mutate, so that certainty is checked again where the fact is used
    via: dict[int, set[str]] = field(default_factory=dict)
    # parameters that every call consumes as PRNG keys (`_keys.py`), or annotated as keys
    consumes: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.mutates or self.calls or self.returns or self.consumes)


class FactSource(Protocol):
    def method(self, info: TypeInfo, name: str) -> tuple[FuncItem | None, Fact]:
        """The method `name` of `info` (looked up along the MRO) and what it does."""

    def function(self, node: FuncDef | Decorator) -> tuple[FuncItem | None, Fact]:
        """A module-level function and what it does."""


@dataclass(frozen=True)
class Mutation:
    context: Context  # where to report
    root: NameExpr | MemberExpr  # the name the mutated module is reached from
    target: str  # source text of the mutated module, e.g. "self.counter"
    module: str  # its class name ("" when the plugin only knows the root is mutated)
    how: str  # e.g. "sets Counter.count"
    certain: bool
    via: str = ""  # "module.Class.method" when it is a call through that declared class


def mutations(
    nodes: Iterable[Node],
    is_root: Callable[[RefExpr], bool],
    types: Types,
    facts: FactSource,
    *,
    structural: bool = False,
) -> list[Mutation]:
    """The mutations in `nodes` of modules reached from a root."""
    return effects(nodes, is_root, types, facts, structural=structural).found


def effects(
    nodes: Iterable[Node],
    is_root: Callable[[RefExpr], bool],
    types: Types,
    facts: FactSource,
    *,
    structural: bool = False,
) -> _Finder:
    """The mutations (`.found`) and method calls on untyped roots (`.calls`) in `nodes`.

    With `structural=True` (computing a function's facts), a root of unknown type counts
    too: an attribute assignment to it is a mutation, and a method called on it is
    recorded, so that the caller, who knows what it passes, can decide.
    """
    finder = _Finder(is_root, types, facts, structural)
    for node in nodes:
        if isinstance(node, AssignmentStmt):
            for lvalue in node.lvalues:
                finder.assignment(lvalue)
        elif isinstance(node, OperatorAssignmentStmt):
            finder.assignment(node.lvalue)
        elif isinstance(node, CallExpr):
            finder.call(node)
    return finder


class _Finder:
    def __init__(
        self,
        is_root: Callable[[RefExpr], bool],
        types: Types,
        facts: FactSource,
        structural: bool,
    ):
        self.is_root = is_root
        self.types = types
        self.facts = facts
        self.structural = structural
        self.found: list[Mutation] = []
        self.calls: list[tuple[NameExpr | MemberExpr, str, CallExpr]] = []

    def _rooted(self, expr: Expression) -> NameExpr | MemberExpr | None:
        root = root_name(expr)
        return root if root is not None and self.is_root(root) else None

    def assignment(self, lvalue: Expression) -> None:
        if isinstance(lvalue, (TupleExpr, ListExpr)):
            for item in lvalue.items:
                self.assignment(item)
            return
        if isinstance(lvalue, StarExpr):
            self.assignment(lvalue.expr)
            return
        if not isinstance(lvalue, MemberExpr) or is_global_ref(lvalue):
            return
        owner = lvalue.expr
        root = self._rooted(owner)
        if root is None:
            return
        info = self.types.module(owner)
        if info is None and not (self.structural and owner is root):
            return
        module = info.name if info is not None else ""
        what = f"{module}.{lvalue.name}" if module else f"{dotted(owner)}.{lvalue.name}"
        self.found.append(
            Mutation(lvalue, root, dotted(owner), module, f"sets {what}", True)
        )

    def call(self, call: CallExpr) -> None:
        callee = call.callee
        if (
            isinstance(callee, RefExpr)
            and callee.fullname == "builtins.setattr"
            and call.args
        ):
            self._argument(call, call.args[0], "calls setattr on it", True)
            return
        if isinstance(callee, MemberExpr) and not is_global_ref(callee):
            info = self.types.module(callee.expr)
            func, fact = (
                self.facts.method(info, callee.name)
                if info is not None
                else (None, Fact())
            )
            if info is not None and func is not None:
                static = isinstance(func, FuncDef) and func.is_static
                if not static:
                    self._receiver(call, callee.expr, info, callee.name, fact)
                self._arguments(
                    call, func, fact, 0 if static else 1, f"{info.name}.{callee.name}"
                )
                return
            self._untyped_call(call, callee.expr, callee.name)
            owner = callee.expr.node if isinstance(callee.expr, RefExpr) else None
            if isinstance(owner, TypeInfo):  # `Class.helper(c)`: a static method
                symbol = owner.get(callee.name)
                if symbol is not None and isinstance(symbol.node, (FuncDef, Decorator)):
                    func, fact = self.facts.function(symbol.node)
                    self._arguments(call, func, fact, 0, f"{owner.name}.{callee.name}")
                    return
        info = self.types.called_module(callee)
        if info is not None:
            func, fact = self.facts.method(info, "__call__")
            self._receiver(call, callee, info, "__call__", fact)
            self._arguments(call, func, fact, 1, f"{info.name}.__call__")
            return
        if isinstance(callee, RefExpr) and isinstance(
            callee.node, (FuncDef, Decorator)
        ):
            func, fact = self.facts.function(callee.node)
            self._arguments(call, func, fact, 0, callee.node.name)
            return
        self._untyped_call(call, callee, "__call__")

    def _untyped_call(self, call: CallExpr, receiver: Expression, method: str) -> None:
        root = self._rooted(receiver)
        if (
            self.structural
            and root is not None
            and receiver is root
            and unknown(self.types.of(receiver))
        ):
            self.calls.append((root, method, call))

    def _receiver(
        self,
        call: CallExpr,
        receiver: Expression,
        info: TypeInfo,
        method: str,
        fact: Fact,
    ) -> None:
        if 0 not in fact.mutates:
            return
        how = (
            f"calls it, and {info.name}.__call__"
            if method == "__call__"
            else f"calls {info.name}.{method}, which"
        )
        self._argument(
            call,
            receiver,
            f"{how} mutates it",
            fact.mutates[0],
            info,
            f"{info.fullname}.{method}",
        )

    def _arguments(
        self, call: CallExpr, func: FuncItem | None, fact: Fact, offset: int, name: str
    ) -> None:
        if func is None or not fact:
            return
        for index, arg in _bind(call, func, offset):
            if index in fact.mutates:
                self._argument(
                    call,
                    arg,
                    f"passes it to {name}, which mutates that argument",
                    fact.mutates[index],
                )
            for method in sorted(fact.calls.get(index, ())):
                info = self.types.module(arg)
                if info is not None:
                    _, called = self.facts.method(info, method)
                    if 0 in called.mutates:
                        how = f"passes it to {name}, which calls {info.name}.{method} on it"
                        self._argument(
                            call,
                            arg,
                            how,
                            called.mutates[0],
                            info,
                            f"{info.fullname}.{method}",
                        )
                else:
                    self._untyped_call(call, arg, method)

    def _argument(
        self,
        call: CallExpr,
        arg: Expression,
        how: str,
        certain: bool,
        info: TypeInfo | None = None,
        via: str = "",
    ) -> None:
        root = self._rooted(arg)
        if root is None:
            return
        if info is None:
            info = self.types.module(arg)
        if info is None and not (self.structural and arg is root):
            return
        module = info.name if info is not None else ""
        self.found.append(Mutation(call, root, dotted(arg), module, how, certain, via))


def _bind(call: CallExpr, func: FuncItem, offset: int) -> list[tuple[int, Expression]]:
    """(parameter index, argument) for the plain positional and keyword arguments of `call`."""
    bound: list[tuple[int, Expression]] = []
    position = offset
    for arg, kind, name in zip(call.args, call.arg_kinds, call.arg_names):
        if kind == ARG_POS:
            bound.append((position, arg))
            position += 1
        elif kind == ARG_NAMED and name in func.arg_names:
            bound.append((func.arg_names.index(name), arg))
        else:
            break
    return bound
