"""Walking mypy's AST by hand.

Compiled mypy does not let a plugin subclass `TraverserVisitor`, so this file lists, for
each node kind the rules care about, the nodes below it. An unknown node kind has no
children here: the plugin then sees less and reports less, never more.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    IfStmt,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
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


def _comprehension(g: GeneratorExpr) -> list[Node]:
    found: list[Node] = [g.left_expr, *g.indices, *g.sequences]
    for conds in g.condlists:
        found.extend(conds)
    return found


def _statement_children(node: Node) -> list[Node] | None:
    if isinstance(node, Block):
        return list(node.body)
    if isinstance(node, ExpressionStmt):
        return [node.expr]
    if isinstance(node, AssignmentStmt):
        return [*node.lvalues, node.rvalue]
    if isinstance(node, OperatorAssignmentStmt):
        return [node.lvalue, node.rvalue]
    if isinstance(node, ReturnStmt):
        return _opt(node.expr)
    if isinstance(node, IfStmt):
        return [*node.expr, *node.body, *_opt(node.else_body)]
    if isinstance(node, WhileStmt):
        return _opt(node.expr, node.body, node.else_body)
    if isinstance(node, ForStmt):
        return _opt(node.index, node.expr, node.body, node.else_body)
    if isinstance(node, WithStmt):
        return [*node.expr, *_opt(*node.target), node.body]
    if isinstance(node, TryStmt):
        return [
            node.body,
            *_opt(*node.types),
            *_opt(*node.vars),
            *node.handlers,
            *_opt(node.else_body, node.finally_body),
        ]
    if isinstance(
        node, (DelStmt, AwaitExpr, YieldFromExpr, StarExpr, CastExpr, UnaryExpr)
    ):
        return [node.expr]
    if isinstance(node, AssertStmt):
        return _opt(node.expr, node.msg)
    if isinstance(node, RaiseStmt):
        return _opt(node.expr, node.from_expr)
    if isinstance(node, Decorator):
        return [*node.original_decorators, node.func]
    if isinstance(node, OverloadedFuncDef):
        return _opt(node.impl)
    if isinstance(node, ClassDef):
        return [*node.decorators, node.defs]
    if isinstance(node, (FuncDef, LambdaExpr)):
        return [*_defaults(node), node.body]
    if isinstance(node, MypyFile):
        return list(node.defs)
    return None


def _expression_children(node: Node) -> list[Node]:
    if isinstance(node, CallExpr):
        return [node.callee, *node.args]
    if isinstance(node, MemberExpr):
        return [node.expr]
    if isinstance(node, IndexExpr):
        return [node.base, node.index]
    if isinstance(node, OpExpr):
        return [node.left, node.right]
    if isinstance(node, ComparisonExpr):
        return list(node.operands)
    if isinstance(node, (TupleExpr, ListExpr, SetExpr)):
        return list(node.items)
    if isinstance(node, DictExpr):
        return [e for k, v in node.items for e in (k, v) if e is not None]
    if isinstance(node, ConditionalExpr):
        return [node.cond, node.if_expr, node.else_expr]
    if isinstance(node, SliceExpr):
        return _opt(node.begin_index, node.end_index, node.stride)
    if isinstance(node, GeneratorExpr):
        return _comprehension(node)
    if isinstance(node, (ListComprehension, SetComprehension)):
        return [node.generator]
    if isinstance(node, DictionaryComprehension):
        found: list[Node] = [
            *_opt(node.key),
            node.value,
            *node.indices,
            *node.sequences,
        ]
        for conds in node.condlists:
            found.extend(conds)
        return found
    if isinstance(node, AssignmentExpr):
        return [node.target, node.value]
    if isinstance(node, YieldExpr):
        return _opt(node.expr)
    return []


SCOPES = (FuncDef, LambdaExpr, ClassDef)


_LEAVES = frozenset(
    {
        NameExpr,
        IntExpr,
        StrExpr,
        FloatExpr,
        BytesExpr,
        ComplexExpr,
        EllipsisExpr,
        PassStmt,
    }
)


def children(node: Node) -> list[Node]:
    """The nodes directly below `node` (none for a kind this file does not know)."""
    if type(node) in _LEAVES:
        return []
    found = _statement_children(node)
    return found if found is not None else _expression_children(node)


def walk(node: Node, *, nested: bool = True) -> Iterator[Node]:
    """`node` and everything below it, parents first.

    With `nested=False` the bodies of nested functions, lambdas and classes are left
    out (their own nodes, decorators and default values are still visited, since the
    enclosing scope evaluates those).
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not nested and current is not node and isinstance(current, SCOPES):
            if isinstance(current, ClassDef):
                stack.extend(reversed(current.decorators))
            else:
                stack.extend(reversed(_defaults(current)))
            continue
        stack.extend(reversed(children(current)))


def scope_nodes(func: FuncItem) -> Iterator[Node]:
    """The nodes of `func`'s own body (not of functions or classes nested in it)."""
    return walk(func.body, nested=False)


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
