"""Functional helpers: copies of a module with some of its leaves or fields changed."""

from __future__ import annotations

from typing import Any, TypeVar

import jax

from ._class_spec import spec_of
from ._containers import same_structure
from ._errors import ArgumentError, FieldError
from ._fields import Role
from ._module import Module, replace_fields, shallow_copy
from ._module_marker import is_module
from ._tree_check import map_submodules

_M = TypeVar("_M", bound=Module)


def _require_module(fn: str, module: object) -> None:
    if not isinstance(module, Module):
        raise ArgumentError(
            f"px.{fn} takes a purepax module, got {type(module).__name__}."
        )


def parameters(module: _M) -> _M:
    """The parameters of `module`: a module of the same type whose non-parameter leaves are `None`.

    State arrays (`px.state`, or array fields of a `StateModule`) become `None`; so this
    is the tree `px.grad` differentiates and optimizers update.

    ```python
    params = px.parameters(model)
    ```
    """
    _require_module("parameters", module)
    new = shallow_copy(module)
    spec = spec_of(type(module))
    for name in spec.dynamic_names(module):
        if spec.fields[name].role is Role.STATE:
            # Everything in a state field is state, whole submodules (EMA copies) included.
            new.__dict__[name] = jax.tree_util.tree_map(
                lambda x: None, new.__dict__[name]
            )
            continue
        keep = spec.fields[name].array_role is Role.PARAM
        new.__dict__[name] = jax.tree_util.tree_map(
            lambda x: parameters(x) if isinstance(x, Module) else (x if keep else None),
            new.__dict__[name],
            is_leaf=is_module,
        )
    return new


def update_parameters(module: _M, params: _M) -> _M:
    """A copy of `module` whose parameters are taken from `params`.

    `params` is shaped like `px.parameters(module)`; a `None` where `module` has a
    parameter, or a whole submodule, keeps it (so a partial tree updates only part of a
    model).
    State is kept from `module`.

    ```python
    model = px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, params, grads))
    ```
    """
    _require_module("update_parameters", module)
    return _merge(module, params, "params")


def _merge(module: _M, params: Any, where: str) -> _M:
    if type(params) is not type(module):
        raise FieldError(
            f"px.update_parameters: {where} is a {type(params).__name__} where the model has a "
            f"{type(module).__name__}. Pass a tree shaped like px.parameters(model)."
        )
    new = shallow_copy(module)
    spec = spec_of(type(module))
    for name in spec.dynamic_names(module):
        if spec.fields[name].role is Role.STATE:
            continue  # state, kept from `module` (the copy shares it)
        take = spec.fields[name].array_role is Role.PARAM
        ours, theirs = module.__dict__[name], params.__dict__[name]
        leaves, treedef = jax.tree_util.tree_flatten_with_path(
            ours, is_leaf=_is_module_or_none
        )
        other, other_def = jax.tree_util.tree_flatten(
            theirs, is_leaf=_is_module_or_none
        )
        if not same_structure(treedef, other_def):
            raise FieldError(
                f"px.update_parameters: {where}.{name} has structure {other_def} but the model's "
                f"{type(module).__name__}.{name} has {treedef}. Pass a tree shaped like "
                "px.parameters(model)."
            )
        merged = []
        for (path, mine), new_leaf in zip(leaves, other):
            at = f"{where}.{name}{jax.tree_util.keystr(path)}"
            if isinstance(mine, Module):
                merged.append(mine if new_leaf is None else _merge(mine, new_leaf, at))
            elif take and new_leaf is not None and mine is not None:
                shape = getattr(mine, "shape", None)
                if shape is not None and getattr(new_leaf, "shape", None) != shape:
                    raise FieldError(
                        f"px.update_parameters: {at} has shape {getattr(new_leaf, 'shape', None)} "
                        f"but the model's parameter has shape {shape}."
                    )
                merged.append(new_leaf)
            else:
                merged.append(mine)
        new.__dict__[name] = jax.tree_util.tree_unflatten(treedef, merged)
    return new


def replace(module: _M, **fields: Any) -> _M:
    """A copy of `module` with some fields replaced, checked as at construction.

    Unnamed fields (static values included) are shared with `module`, so a jitted
    function is not traced again for the copy.

    ```python
    wider = px.replace(layer, bias=jnp.ones(3))
    ```
    """
    _require_module("replace", module)
    return replace_fields(module, fields)


def train_mode(module: _M) -> _M:
    """A copy of `module` with every module's `training` flag set to True."""
    _require_module("train_mode", module)
    return _set_training(module, True)


def eval_mode(module: _M) -> _M:
    """A copy of `module` with every module's `training` flag set to False."""
    _require_module("eval_mode", module)
    return _set_training(module, False)


def _set_training(module: _M, training: bool) -> _M:
    new = shallow_copy(module)
    new.__dict__["training"] = training
    for name in spec_of(type(module)).dynamic_names(module):
        new.__dict__[name] = map_submodules(
            lambda m: _set_training(m, training), new.__dict__[name]
        )
    return new


def _is_module_or_none(x: object) -> bool:
    return x is None or is_module(x)
