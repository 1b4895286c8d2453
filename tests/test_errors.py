"""Every purepax error has a section in docs/errors.md and a docstring that says as much, and
its messages point to both in words an installed copy of purepax can follow."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import markdown
import pytest
import yaml

import purepax as px
from purepax._errors import DOCS_SITE

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "errors.md"
ERRORS = sorted(
    (getattr(px, name) for name in px.__all__ if name.endswith("Error")),
    key=lambda e: e.__name__,
)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_error_has_a_section(error: type[Exception]) -> None:
    assert issubclass(error, px.PurepaxError)
    headings = re.findall(r"^## (\w+)$", DOCS.read_text(), re.MULTILINE)
    assert error.__name__ in headings


def test_a_message_ends_with_the_error_s_docstring_and_docs_section() -> None:
    with pytest.raises(px.ImmutableModuleError) as info:
        px.Module().training = False
    assert str(info.value).endswith(
        "\n(More: help(purepax.ImmutableModuleError) or "
        "https://purepax.readthedocs.io/en/latest/errors/#immutablemoduleerror)"
    )


def _section_anchors() -> set[str]:
    """The ids MkDocs gives the sections of docs/errors.md: the page rendered with the site's
    Markdown extensions (mkdocs.yml), whose `toc` makes each heading's id."""
    extensions: list[str] = []
    options: dict[str, object] = {}
    for entry in yaml.safe_load((ROOT / "mkdocs.yml").read_text())[
        "markdown_extensions"
    ]:
        name, settings = (
            next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        )
        extensions.append(name)
        if settings:
            options[name] = settings
    html = markdown.Markdown(extensions=extensions, extension_configs=options).convert(
        DOCS.read_text()
    )
    return set(re.findall(r'<h2 id="([^"]+)"', html))


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_message_points_to_a_docstring_and_a_section_that_exist(
    error: type[Exception],
) -> None:
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]
    assert site == DOCS_SITE, (
        "mkdocs.yml's site_url and purepax/_errors.py's DOCS_SITE must agree"
    )
    message = str(error("Something went wrong."))
    pointer = re.fullmatch(
        r"Something went wrong\.\n\(More: help\(purepax\.(\w+)\) or (\S+)errors/#(\S+)\)",
        message,
    )
    assert pointer is not None, message
    name, address, anchor = pointer.groups()
    assert getattr(px, name) is error
    assert address == site
    assert anchor in _section_anchors()


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_error_s_docstring_says_what_it_means_and_the_fix(
    error: type[Exception],
) -> None:
    doc = inspect.getdoc(error)
    assert doc is not None and len(doc.split()) >= 50, (
        f"{error.__name__}'s docstring is what `help` shows a user"
    )
    if error is not px.PurepaxError:
        assert "**Fix:**" in doc


def test_a_user_s_subclass_points_to_the_purepax_error_it_derives_from() -> None:
    class ShapeError(px.FieldError):
        pass

    assert str(ShapeError("bad")).endswith(
        "(More: help(purepax.FieldError) or " + DOCS_SITE + "errors/#fielderror)"
    )


def test_a_change_deep_in_a_called_model_names_the_model_and_the_fix() -> None:
    import jax.numpy as jnp

    from purepax import nn

    class CNN(px.Module):
        norm: nn.BatchNorm

        def __call__(self, x):
            return self.norm(x)

    model = CNN(nn.BatchNorm(3))
    with pytest.raises(
        px.ImmutableModuleError,
        match=r"calling the CNN changes its BatchNorm.*px\.purecall\(cnn, \.\.\.\).*px\.eval_mode\(cnn\)",
    ):
        model(jnp.ones((4, 3)))
    model, _ = px.purecall(model, jnp.ones((4, 3)))  # the fix it names works
    px.eval_mode(model)(jnp.ones((4, 3)))


# The builtin errors purepax raises on purpose that are not a PurepaxError, each for a
# protocol that requires exactly that class (file: count).
PROTOCOL_RAISES = {
    # `__getattr__` of the package (PEP 562) and `__setattr__` of `__orig_class__`, which
    # Python's own machinery catches as AttributeError; purepax.optim without optax, an
    # ImportError as the import system expects.
    "__init__.py": 2,
    "_module.py": 1,
    # a malformed header, caught at once and re-raised as a CheckpointError naming the file.
    "_checkpoint_format.py": 3,
    # `stack[i]` out of range: IndexError, as for every sequence (`for` and unpacking rely on it).
    "_stacked.py": 1,
    # px.save_safetensors / px.load_safetensors without the safetensors package (an
    # optional extra): an ImportError, as for purepax.optim without optax.
    "_safetensors.py": 1,
}


def test_every_error_raised_on_purpose_is_a_purepax_error() -> None:
    import ast
    import builtins

    package = Path(px.__file__).resolve().parent
    builtin = {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    found: dict[str, list[int]] = {}
    for path in sorted(package.rglob("*.py")):
        if "mypy_plugin" in path.parts:
            continue  # runs inside mypy, which reports its own errors
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(call, ast.Name) and call.id in builtin:
                    found.setdefault(path.name, []).append(node.lineno)
    counts = {name: len(lines) for name, lines in found.items()}
    assert counts == PROTOCOL_RAISES, (
        f"builtin errors raised at {found}: raise a px.PurepaxError subclass (px.ArgumentError for a bad argument)"
    )
