"""Dimensions and shapes for `purepax-shape`: jaxtyping's dimension strings, parsed, and
the shapes the rule gives values.

A *spec* is one annotation's dimension string (`"*batch in_features"`), parsed as jaxtyping
reads it: literal sizes, names, one variadic (`*name`, `...`), `#` for a broadcastable
dimension and `_` for an anonymous one. Whatever the rule does not model (arithmetic,
`name=...`, `?`) is an anonymous dimension: nothing is checked there. A string with two
variadics, which jaxtyping refuses, is no spec at all.

A *shape* is what the rule knows of a value: its dimensions, each a literal size with
where it comes from, a symbolic name (a parameter's annotation, a module's constructor
argument), or unknown; with an unknown run of dimensions in the middle when its rank is
not known (`*batch`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INT = re.compile(r"[0-9]+\Z")


@dataclass(frozen=True)
class SpecDim:
    """One dimension of a spec: a literal `size`, a `name`, or neither (anonymous)."""

    size: int | None = None
    name: str | None = None
    broadcast: bool = False  # `#`: a size of 1 is accepted (and binds nothing)


ANONYMOUS = SpecDim()


@dataclass(frozen=True)
class Spec:
    """A parsed dimension string: `front`, then (if `variadic`) any number of dimensions
    named `star` (None: anonymous, `...`), then `back`."""

    text: str
    front: tuple[SpecDim, ...]
    back: tuple[SpecDim, ...] = ()
    variadic: bool = False
    star: str | None = None


def parse(text: str) -> Spec | None:
    """The spec of a jaxtyping dimension string (None: one jaxtyping refuses)."""
    front: list[SpecDim] = []
    back: list[SpecDim] = []
    variadic = False
    star: str | None = None
    for token in text.split():
        into = back if variadic else front
        if token == "...":
            if variadic:
                return None
            variadic = True
            continue
        broadcast = False
        if token.startswith("#"):
            broadcast, token = True, token[1:]
        if token.startswith("*"):
            if variadic:
                return None
            variadic = True
            name = token[1:].lstrip("#")
            # a broadcastable or anonymous variadic binds nothing the rule can use
            if (
                not broadcast
                and "#" not in token
                and _NAME.match(name)
                and not name.startswith("_")
            ):
                star = name
            continue
        if token.startswith("#"):  # `*#name` spelled `#*name` is handled above
            broadcast, token = True, token[1:]
        if _INT.match(token):
            into.append(SpecDim(size=int(token), broadcast=broadcast))
        elif _NAME.match(token) and not token.startswith("_"):
            into.append(SpecDim(name=token, broadcast=broadcast))
        else:  # `_`, `_name`, `name=...`, arithmetic, `?name`: not modelled
            into.append(ANONYMOUS)
    return Spec(text.strip(), tuple(front), tuple(back), variadic, star)


@dataclass(frozen=True)
class Dim:
    """One dimension of a value: a literal `size`, or a symbolic `key` (equal keys are
    equal sizes), or neither (unknown). `label` is how a message names it (`in_features`),
    `origin` where it comes from (`Linear built with in_features=3 on line 2`)."""

    size: int | None = None
    key: object = None
    label: str = ""
    origin: str = ""

    @property
    def known(self) -> bool:
        return self.size is not None

    def shown(self) -> str:
        """`in_features=3`, `4`, or `n`."""
        if self.size is not None:
            return f"{self.label}={self.size}" if self.label else str(self.size)
        return self.label or "an unknown size"


UNKNOWN = Dim()


@dataclass(frozen=True)
class Shape:
    """`front`, then (if `variadic`) an unknown run of dimensions, then `back`."""

    front: tuple[Dim, ...]
    back: tuple[Dim, ...] = ()
    variadic: bool = False

    @property
    def rank(self) -> int | None:
        return None if self.variadic else len(self.front)

    @property
    def least_rank(self) -> int:
        return len(self.front) + len(self.back)

    def from_end(self, index: int) -> Dim | None:
        """The dimension `index` places from the end (1: the last), if its place is known."""
        if self.variadic:
            if index <= len(self.back):
                return self.back[-index]
            return None
        if index <= len(self.front):
            return self.front[-index]
        return None

    def tail(self, count: int) -> tuple[Dim, ...] | None:
        """The last `count` dimensions, if known to be there."""
        dims = self.back if self.variadic else self.front
        if count > len(dims):
            return None
        return dims[len(dims) - count :] if count else ()

    def drop_tail(self, count: int) -> Shape:
        """This shape without its last `count` dimensions (known to be there)."""
        if self.variadic:
            return Shape(self.front, self.back[: len(self.back) - count], True)
        return Shape(self.front[: len(self.front) - count])

    def reversed(self) -> Shape:
        if self.variadic:
            return Shape(self.back[::-1], self.front[::-1], True)
        return Shape(self.front[::-1])

    def map(self, change: Callable[[Dim], Dim]) -> Shape:
        return Shape(
            tuple(change(d) for d in self.front),
            tuple(change(d) for d in self.back),
            self.variadic,
        )


def fixed(dims: tuple[Dim, ...] | list[Dim]) -> Shape:
    return Shape(tuple(dims))


def join_dims(a: Dim, b: Dim) -> Dim:
    """What a variable holds after two branches gave it `a` and `b`."""
    if a.size is not None and a.size == b.size:
        return a
    if a.size is None and b.size is None and a.key is not None and a.key == b.key:
        return a
    return UNKNOWN


def join(a: Shape, b: Shape) -> Shape | None:
    """The shape of a value that is `a` on one path and `b` on another (None: unknown)."""
    if a == b:
        return a
    if a.variadic or b.variadic or len(a.front) != len(b.front):
        return None
    return Shape(tuple(join_dims(x, y) for x, y in zip(a.front, b.front)))


def axis_name(index_from_end: int | None, index: int | None) -> str:
    """`the last axis`, `the second-to-last axis`, `axis 0`."""
    if index_from_end == 1:
        return "the last axis"
    if index_from_end == 2:
        return "the second-to-last axis"
    if index is not None:
        return f"axis {index}"
    return f"axis {-(index_from_end or 0)}"
