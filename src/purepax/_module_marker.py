"""`ModuleMarker`, the base class of every `px.Module`, and the `is_module` predicate.

Many files must recognise a module (to freeze a container that holds one, to print one,
to stop a tree walk at one) but sit below `_module.py`, which builds modules with
everything above them. They ask this leaf file instead: `Module` derives from
`ModuleMarker` and nothing else does, so `is_module(x)` is `isinstance(x, px.Module)`
without importing `_module.py`, and the import graph shows every dependency.
"""

from __future__ import annotations


class ModuleMarker:
    """The base class of `px.Module`, so that lower files can recognise modules (see above)."""

    __slots__ = ()


def is_module(x: object) -> bool:
    """Whether `x` is a purepax module (also usable as `is_leaf=` to stop at modules)."""
    return isinstance(x, ModuleMarker)
