"""Sizes, strides and paddings of convolutions and pooling, one entry per spatial dimension."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from .._errors import ArgumentError

Padding: TypeAlias = str | int | Sequence[int] | Sequence[tuple[int, int]]
""""SAME", "VALID", one int for every side, one int per dimension, or (low, high) pairs."""

NormalPadding: TypeAlias = str | tuple[tuple[int, int], ...]


def per_dimension(
    layer: str, name: str, value: int | Sequence[int], n: int
) -> tuple[int, ...]:
    """`value` as one positive int per spatial dimension (an int is repeated)."""
    values = (value,) * n if isinstance(value, int) else tuple(value)
    if len(values) != n or not all(isinstance(v, int) and v > 0 for v in values):
        raise ArgumentError(
            f"{layer}: {name} must be a positive int or {n} positive ints (one per spatial "
            f"dimension), got {value!r}."
        )
    return values


def normal_padding(layer: str, padding: Padding, n: int) -> NormalPadding:
    """`padding` as "SAME", "VALID" or one (low, high) pair per spatial dimension."""
    if isinstance(padding, str):
        upper = padding.upper()
        if upper not in ("SAME", "VALID"):
            raise ArgumentError(
                f"{layer}: padding must be 'SAME', 'VALID', an int or (low, high) pairs, got "
                f"{padding!r}."
            )
        return upper
    if isinstance(padding, int):
        return ((padding, padding),) * n
    pairs = []
    for item in padding:
        if isinstance(item, int):
            pairs.append((item, item))
        elif (
            isinstance(item, (tuple, list))
            and len(item) == 2
            and all(isinstance(q, int) for q in item)
        ):
            pairs.append((item[0], item[1]))
        else:
            break
    else:
        if len(pairs) == n:
            return tuple(pairs)
    raise ArgumentError(
        f"{layer}: padding must be 'SAME', 'VALID', an int, {n} ints or {n} (low, high) pairs "
        f"(one per spatial dimension), got {padding!r}."
    )
