"""Every purepax error has a section in docs/errors.md, and its messages point there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import purepax as px

DOCS = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
ERRORS = sorted(
    (getattr(px, name) for name in px.__all__ if name.endswith("Error")), key=lambda e: e.__name__
)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_error_has_a_section(error: type[Exception]) -> None:
    assert issubclass(error, px.PurepaxError)
    headings = re.findall(r"^## (\w+)$", DOCS.read_text(), re.MULTILINE)
    assert error.__name__ in headings


def test_a_message_points_to_its_section() -> None:
    with pytest.raises(px.ImmutableModuleError) as info:
        px.Module().training = False
    assert str(info.value).endswith("(More: docs/errors.md#immutablemoduleerror)")
    assert "## ImmutableModuleError" in DOCS.read_text()


def test_a_change_deep_in_a_called_model_names_the_model_and_the_fix() -> None:
    import jax.numpy as jnp

    from purepax import nn

    class CNN(px.Module):
        norm: nn.BatchNorm

        def __call__(self, x):
            return self.norm(x)

    model = CNN(nn.BatchNorm(3))
    with pytest.raises(px.ImmutableModuleError, match=r"calling the CNN changes its BatchNorm.*px\.purecall\(cnn, \.\.\.\).*px\.eval_mode\(cnn\)"):
        model(jnp.ones((4, 3)))
    model, _ = px.purecall(model, jnp.ones((4, 3)))  # the fix it names works
    px.eval_mode(model)(jnp.ones((4, 3)))
