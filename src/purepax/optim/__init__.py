"""Optimizers for purepax models, backed by optax (install with `pip install "purepax[optax]"`)."""

from __future__ import annotations

try:
    import optax as _optax  # noqa: F401
except (
    ImportError
) as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "purepax.optim needs optax, which is an optional extra of purepax. Install it with "
        '`pip install "purepax[optax]"` (or `pip install optax`).'
    ) from error

from ._optimizer import Optimizer as Optimizer

__all__ = ["Optimizer"]
