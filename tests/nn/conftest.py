"""Comparisons with Equinox and Flax NNX load the same weights through those libraries' own
APIs, as they are in the newest releases; the oldest supported environment (noxfile.py's
`tests(oldest)`) resolves older Equinox and Flax, whose weight-setting APIs differ. There
the comparisons are skipped; the numerics against `jax.lax` formulas still run."""

from __future__ import annotations

import re

import pytest

MINIMUM = {"equinox": (0, 13), "flax": (0, 11)}
# The words in a test's name that say it compares with the library.
WORDS = {"equinox": {"equinox", "eqx"}, "flax": {"flax", "nnx"}}


def _too_old(name: str) -> bool:
    module = pytest.importorskip(name)
    version = tuple(int(p) for p in re.findall(r"\d+", module.__version__)[:2])
    return version < MINIMUM[name]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    old = [name for name in MINIMUM if _too_old(name)]
    if not old:
        return
    for item in items:
        words = set(re.split(r"[^a-z0-9]+", item.name.lower()))
        if "tests/nn/" in item.nodeid and any(words & WORDS[name] for name in old):
            item.add_marker(pytest.mark.skip(reason=f"compares with {', '.join(old)} newer than installed"))
