"""Walking mypy's AST by hand.

Compiled mypy does not let a plugin subclass `TraverserVisitor`, so this file lists, for
each node kind the rules care about, the nodes below it. An unknown node kind has no
children here: the plugin then sees less and reports less, never more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mypy.nodes import (
    AssertStmt,
    AssignmentExpr,
    AssignmentStmt,
    AwaitExpr,
    Block,
    BytesExpr,
    CallExpr,
    CastExpr,
    ClassDef,
    ComparisonExpr,
    ComplexExpr,
    ConditionalExpr,
    Decorator,
    DelStmt,
    DictExpr,
    DictionaryComprehension,
    EllipsisExpr,
    Expression,
    ExpressionStmt,
    FloatExpr,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    GlobalDecl,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    NonlocalDecl,
    OperatorAssignmentStmt,
    OpExpr,
    OverloadedFuncDef,
    PassStmt,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    SetComprehension,
    SetExpr,
    SliceExpr,
    StarExpr,
    StrExpr,
    TryStmt,
    TupleExpr,
    UnaryExpr,
    WhileStmt,
    WithStmt,
    YieldExpr,
    YieldFromExpr,
)


def _opt(*nodes: Node | None) -> list[Node]:
    return [n for n in nodes if n is not None]


def _defaults(f: FuncItem) -> list[Node]:
    """What a def or lambda evaluates in the enclosing scope: its default values."""
    return [a.initializer for a in f.arguments if a.initializer is not None]


def _conditions(condlists: list[list[Expression]]) -> list[Node]:
    return [c for conds in condlists for c in conds]


def _try(n: TryStmt) -> list[Node]:
    return [
        n.body,
        *_opt(*n.types),
        *_opt(*n.vars),
        *n.handlers,
        *_opt(n.else_body, n.finally_body),
    ]


def _one(n: Any) -> list[Node]:
    return [n.expr]


def _none(n: Node) -> list[Node]:
    return []


# Node kind -> the nodes directly below one, in source order. The rules walk every file
# several times (hundreds of thousands of nodes in a large project), so the kind is looked
# up by its exact type rather than tested against each kind in turn.
_KINDS: list[tuple[type[Node], Callable[[Any], list[Node]]]] = [
    (Block, lambda n: list(n.body)),
    (ExpressionStmt, _one),
    (AssignmentStmt, lambda n: [*n.lvalues, n.rvalue]),
    (OperatorAssignmentStmt, lambda n: [n.lvalue, n.rvalue]),
    (ReturnStmt, lambda n: _opt(n.expr)),
    (IfStmt, lambda n: [*n.expr, *n.body, *_opt(n.else_body)]),
    (WhileStmt, lambda n: _opt(n.expr, n.body, n.else_body)),
    (ForStmt, lambda n: _opt(n.index, n.expr, n.body, n.else_body)),
    (WithStmt, lambda n: [*n.expr, *_opt(*n.target), n.body]),
    (TryStmt, _try),
    (DelStmt, _one),
    (AwaitExpr, _one),
    (YieldFromExpr, _one),
    (StarExpr, _one),
    (CastExpr, _one),
    (UnaryExpr, _one),
    (AssertStmt, lambda n: _opt(n.expr, n.msg)),
    (RaiseStmt, lambda n: _opt(n.expr, n.from_expr)),
    (Decorator, lambda n: [*n.original_decorators, n.func]),
    (OverloadedFuncDef, lambda n: _opt(n.impl)),
    (ClassDef, lambda n: [*n.decorators, n.defs]),
    (FuncDef, lambda n: [*_defaults(n), n.body]),
    (LambdaExpr, lambda n: [*_defaults(n), n.body]),
    (MypyFile, lambda n: list(n.defs)),
    (CallExpr, lambda n: [n.callee, *n.args]),
    (MemberExpr, lambda n: [n.expr]),
    (IndexExpr, lambda n: [n.base, n.index]),
    (OpExpr, lambda n: [n.left, n.right]),
    (ComparisonExpr, lambda n: list(n.operands)),
    (TupleExpr, lambda n: list(n.items)),
    (ListExpr, lambda n: list(n.items)),
    (SetExpr, lambda n: list(n.items)),
    (DictExpr, lambda n: [e for k, v in n.items for e in (k, v) if e is not None]),
    (ConditionalExpr, lambda n: [n.cond, n.if_expr, n.else_expr]),
    (SliceExpr, lambda n: _opt(n.begin_index, n.end_index, n.stride)),
    (
        GeneratorExpr,
        lambda n: [n.left_expr, *n.indices, *n.sequences, *_conditions(n.condlists)],
    ),
    (ListComprehension, lambda n: [n.generator]),
    (SetComprehension, lambda n: [n.generator]),
    (
        DictionaryComprehension,
        lambda n: [
            *_opt(n.key),
            n.value,
            *n.indices,
            *n.sequences,
            *_conditions(n.condlists),
        ],
    ),
    (AssignmentExpr, lambda n: [n.target, n.value]),
    (YieldExpr, lambda n: _opt(n.expr)),
]
_LEAVES = (
    NameExpr,
    IntExpr,
    StrExpr,
    FloatExpr,
    BytesExpr,
    ComplexExpr,
    EllipsisExpr,
    PassStmt,
)
_BY_TYPE: dict[type[Node], Callable[[Any], list[Node]]] = {
    **{kind: _none for kind in _LEAVES},
    **dict(_KINDS),
}


def _below(kind: type[Node]) -> Callable[[Any], list[Node]]:
    """How to find the children of a node of `kind`: a subclass of a known kind is read as
    that kind; an unknown kind has none. Remembered per kind."""
    found = next((get for known, get in _KINDS if issubclass(kind, known)), _none)
    _BY_TYPE[kind] = found
    return found


SCOPES = (FuncDef, LambdaExpr, ClassDef)
# Statements that neither compute nor bind anything in the function being walked (a
# nested def or class is walked on its own): the statement-order walks pass over them.
INERT = (
    FuncDef,
    Decorator,
    OverloadedFuncDef,
    ClassDef,
    PassStmt,
    Import,
    ImportFrom,
    ImportAll,
    GlobalDecl,
    NonlocalDecl,
)


def children(node: Node) -> list[Node]:
    """The nodes directly below `node` (none for a kind this file does not know)."""
    get = _BY_TYPE.get(type(node)) or _below(type(node))
    return get(node)


def walk(node: Node, *, nested: bool = True) -> Iterator[Node]:
    """`node` and everything below it, parents first.

    With `nested=False` the bodies of nested functions, lambdas and classes are left
    out (their own nodes, decorators and default values are still visited, since the
    enclosing scope evaluates those).
    """
    by_type = _BY_TYPE
    stack = [node]
    pop = stack.pop
    extend = stack.extend
    while stack:
        current = pop()
        yield current
        kind = type(current)
        get = by_type.get(kind)
        if get is _none:
            continue
        if not nested and current is not node and isinstance(current, SCOPES):
            if isinstance(current, ClassDef):
                extend(reversed(current.decorators))
            else:
                extend(reversed(_defaults(current)))
            continue
        if get is None:
            get = _below(kind)
        extend(reversed(get(current)))


_SCOPES: dict[FuncItem, tuple[Node, ...]] = {}


def scope_nodes(func: FuncItem) -> tuple[Node, ...]:
    """The nodes of `func`'s own body (not of functions or classes nested in it).

    Several rules and the facts read the same function: its nodes are remembered until
    `forget_scopes` (called as each file starts, so that mypy can free the bodies of the
    files it is done with).
    """
    found = _SCOPES.get(func)
    if found is None:
        found = _SCOPES[func] = tuple(walk(func.body, nested=False))
    return found


def forget_scopes() -> None:
    _SCOPES.clear()


def root_name(expr: Expression) -> NameExpr | MemberExpr | None:
    """The name at the start of `a.b[0].c`: `a` (None if it does not start with a name)."""
    while True:
        if isinstance(expr, MemberExpr) and not is_global_ref(expr):
            expr = expr.expr
        elif isinstance(expr, IndexExpr):
            expr = expr.base
        elif isinstance(expr, (NameExpr, MemberExpr)):
            return expr
        else:
            return None


def is_global_ref(expr: MemberExpr) -> bool:
    """`other_module.name`: a reference to a global of another module, not an attribute."""
    return isinstance(expr.expr, RefExpr) and isinstance(expr.expr.node, MypyFile)


def dotted(expr: Expression) -> str:
    """Source-like text of a name or attribute chain (`self.counter`, `jax.lax.scan`)."""
    if isinstance(expr, MemberExpr):
        return f"{dotted(expr.expr)}.{expr.name}"
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, IndexExpr):
        return f"{dotted(expr.base)}[...]"
    if isinstance(expr, CallExpr):
        return f"{dotted(expr.callee)}(...)"
    return "<expression>"
