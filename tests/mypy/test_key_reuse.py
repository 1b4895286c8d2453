"""`purepax-key-reuse` beyond its corpus programs (`corpus/bad_key_*.py`, `good_key_*.py`,
checked with the rest of the corpus by test_plugin.py): its messages, its facts across
files and through mypy's cache, the schema of the cached facts, and JAX's run-time
checker (`jax_debug_key_reuse`) on purepax code, for what the plugin cannot prove."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest
from test_plugin import (
    CACHED,
    CORPUS,
    corpus_report,
    errors_in,
    run_mypy,
    warm_cache,
)

import purepax as px
from purepax import nn
from purepax.mypy_plugin._effects import Fact
from purepax.mypy_plugin._facts import decode, encode

__all__ = ["corpus_report"]  # the session fixture, shared with test_plugin.py

Report = dict[Path, list[tuple[int, str, str, str]]]


def messages(report: Report, name: str) -> dict[int, str]:
    return {line: msg for line, _, _, msg in report.get((CORPUS / name).resolve(), [])}


def test_a_message_names_the_key_its_first_use_and_the_fix(
    corpus_report: Report,
) -> None:
    twice = messages(corpus_report, "bad_key_bernoulli_mask_twice.py")
    assert '"key"' in twice[10] and "line 9" in twice[10], twice
    assert "key, subkey = jax.random.split(key)" in twice[10], twice
    loop = messages(corpus_report, "bad_key_shuffle_every_epoch.py")
    assert (
        "every iteration" in loop[11] and "jax.random.fold_in(key, step)" in loop[11]
    ), loop
    split = messages(corpus_report, "bad_key_parent_after_split.py")
    assert "after it was split on line 9" in split[12], split
    element = messages(corpus_report, "bad_key_same_split_element.py")
    assert '"keys[0]"' in element[10], element


def test_every_field_of_a_fact_survives_the_cache() -> None:
    """A field added to `Fact` travels through mypy's cache without more code (a field
    that `encode`/`decode` dropped would come back empty here)."""
    fact = Fact()
    for item in fields(Fact):
        empty = getattr(fact, item.name)
        if isinstance(empty, dict):
            setattr(
                fact,
                item.name,
                {0: True, 2: False} if item.name == "mutates" else {1: {"a.B.c"}},
            )
        else:
            setattr(fact, item.name, {0, 3})
    again = decode(encode(fact))
    for item in fields(Fact):
        assert getattr(again, item.name) == getattr(fact, item.name), item.name


XFILE_LIB = """\
import jax


def noise(key, x):
    return x + jax.random.normal(key, x.shape)
"""

XFILE_MAIN = """\
import jax
import jax.numpy as jnp
from xk_lib import noise

key = jax.random.key(0)
a = noise(key, jnp.zeros(2))
b = noise(key, jnp.zeros(2)){tail}
"""


def test_a_helper_of_a_cached_file_still_consumes_its_key() -> None:
    """The facts that say a helper consumes its key come from mypy's cache when its file
    is unchanged; when the helper stops consuming it, its callers are checked again."""
    work, cache = warm_cache("xfile-keys")
    lib, main = work / "xk_lib.py", work / "xk_main.py"
    lib.write_text(XFILE_LIB)
    main.write_text(XFILE_MAIN.format(tail=""))

    first, _, _ = run_mypy([lib, main], cache, *CACHED)
    assert errors_in(first, main) == [(7, "purepax-key-reuse")], first
    main.write_text(XFILE_MAIN.format(tail="\nprint(a, b)"))  # only the caller changes
    second, log, _ = run_mypy([lib, main], cache, "-v", *CACHED)
    assert "Metadata fresh for xk_lib" in log and "(xk_lib)" not in log, (
        "xk_lib was checked again"
    )
    assert errors_in(second, main) == [(7, "purepax-key-reuse")], second
    lib.write_text(
        XFILE_LIB.replace(
            "jax.random.normal(key, x.shape)", "jax.random.key_data(key).sum()"
        )
    )
    third, _, _ = run_mypy([lib, main], cache, *CACHED)
    assert errors_in(third, main) == [], third


@pytest.fixture
def key_reuse_checked() -> object:
    if not hasattr(jax.errors, "KeyReuseError"):
        pytest.skip("this JAX has no key-reuse checker")
    jax.config.update("jax_debug_key_reuse", True)
    try:
        yield jax.errors.KeyReuseError
    finally:
        jax.config.update("jax_debug_key_reuse", False)


def test_jax_key_reuse_checker_sees_through_px_jit(
    key_reuse_checked: type[Exception],
) -> None:
    @px.jit
    def draw(key: jax.Array) -> jax.Array:
        return jax.random.normal(key, (2,))

    key = jax.random.key(0)
    first, second = jax.random.split(key)
    draw(first)
    draw(second)
    with pytest.raises(key_reuse_checked):
        draw(first)


def test_jax_key_reuse_checker_follows_dropout_key_state(
    key_reuse_checked: type[Exception],
) -> None:
    """nn.Dropout advances its key at every call: kept updates never reuse it, a stale copy does."""
    drop = nn.Dropout(0.5, key=jax.random.key(0))
    step = px.jit(lambda d, x: px.purecall(d, x))
    for _ in range(2):
        drop, _ = px.purecall(drop, jnp.ones(4))
        drop, _ = step(drop, jnp.ones(4))
    px.purecall(drop, jnp.ones(4))  # its update dropped: `drop` keeps the key just used
    with pytest.raises(key_reuse_checked):
        px.purecall(drop, jnp.ones(4))
