"""Which mutations of a function happen only under a condition its caller controls.

A mutation counts as *certain* for a function's facts only when every call makes it.
A mutation depends on the call (or on configuration), so the plugin cannot prove it at
a call site, when it sits in a branch (`if`, `while`, a conditional expression), or
after an `if` that may return early (`if deterministic: return x`), as in BatchNorm's
`if self.training: ...`, `model(x, deterministic=True)` or `if TRACK_STATS: self.n += 1`.
Only those mutations: a test of a mode elsewhere in the function (`if self.bias is not
None:` after `self.counter += 1`) leaves the function's other mutations certain.
"""

from __future__ import annotations

from mypy.nodes import (
    ConditionalExpr,
    Context,
    Expression,
    IfStmt,
    Node,
    ReturnStmt,
    WhileStmt,
)

from ._walk import walk


class Guards:
    """The parts of a function (its own `nodes`) that run only under a condition."""

    def __init__(self, nodes: list[Node]) -> None:
        self._inside: set[int] = set()  # ids of nodes in a guarded branch
        self._after = (
            -1
        )  # nodes on later lines run only if an early return did not happen
        for node in nodes:
            branches = _branches(node)
            for branch in branches:
                self._inside.update(id(n) for n in walk(branch, nested=False))
            if isinstance(node, IfStmt) and any(
                isinstance(n, ReturnStmt)
                for b in branches
                for n in walk(b, nested=False)
            ):
                last = max(n.line for n in walk(node, nested=False))
                self._after = last if self._after < 0 else min(self._after, last)

    def guarded(self, context: Context) -> bool:
        return id(context) in self._inside or (
            self._after >= 0 and context.line > self._after
        )


def _conditions(node: Node) -> list[Expression]:
    if isinstance(node, IfStmt):
        return list(node.expr)
    if isinstance(node, (ConditionalExpr, WhileStmt)):
        return [node.cond] if isinstance(node, ConditionalExpr) else [node.expr]
    return []


def _branches(node: Node) -> list[Node]:
    if isinstance(node, IfStmt):
        return [*node.body, *([node.else_body] if node.else_body is not None else [])]
    if isinstance(node, ConditionalExpr):
        return [node.if_expr, node.else_expr]
    if isinstance(node, WhileStmt):
        return [node.body]
    return []
