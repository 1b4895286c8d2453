"""`Optimizer`: an optax transformation and its state, held as a purepax module.

The optimizer is itself a module (a pytree), so it goes through `px.jit` and serves as a
`px.scan` carry beside the model, and `px.save((model, opt))` stores both. Optax's state
is a pytree that mixes arrays with modules shaped like the parameters; it is kept here
flattened (its arrays in a dict keyed by their path in the state, its structure static),
so the optimizer's own fields stay plain arrays whatever transformation made them.

The optimizer also keeps the tree structure, shapes and dtypes of the parameters it was
built for (static), and steps only a model and gradient that have them: optax would
otherwise accept another model's (its state silently taking the new shapes) or fail
deep inside a transformation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

import jax
import optax
from jax.sharding import PartitionSpec

from .._containers import FrozenDict, same_structure
from .._difference import Signature, first_difference, in_words, signature
from .._errors import ArgumentError, ModelMismatchError
from .._fields import state as state_field
from .._fields import static
from .._functional import parameters, train_mode, update_parameters
from .._module import Module, shallow_copy
from .._sharding import partition_specs

_M = TypeVar("_M", bound=Module)

Trainable = Callable[[str, jax.Array], bool]
"""A predicate over a parameter's path (e.g. `"encoder.layers[0].weight"`) and value: train it?"""


@runtime_checkable
class Transformation(Protocol):
    """What `Optimizer` needs of `tx`: optax's `init` and `update`.

    Every optax transformation has them: `optax.GradientTransformation` and
    `GradientTransformationExtraArgs` (what `optax.chain`, `optax.multi_transform`,
    `optax.inject_hyperparams(...)(...)` return) as fields, `optax.MultiSteps` as methods.
    """

    def init(self, params: Any, /) -> Any: ...

    def update(
        self, updates: Any, state: Any, params: Any = None, /
    ) -> tuple[Any, Any]: ...


def _path(keys: tuple[Any, ...]) -> str:
    return str(jax.tree_util.keystr(keys)).lstrip(".")


def _select(params: _M, trainable: Trainable | None) -> _M:
    """`params` with the parameters that `trainable` refuses replaced by `None`."""
    if trainable is None:
        return params
    return cast(
        _M,
        jax.tree_util.tree_map_with_path(
            lambda keys, leaf: leaf if trainable(_path(keys), leaf) else None, params
        ),
    )


class _Parameters:
    """The tree structure, shapes and dtypes of the parameters an optimizer was built for: a static value.

    Its hash is computed once, as `_Structure`'s.
    """

    __slots__ = ("treedef", "leaves", "_hash")

    def __init__(self, params: Module) -> None:
        leaves, self.treedef = jax.tree_util.tree_flatten(params)
        self.leaves: Signature = signature(leaves)
        self._hash = hash((self.treedef, self.leaves))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, _Parameters)
            and self._hash == other._hash
            and self.leaves == other.leaves
            and same_structure(self.treedef, other.treedef)
        )

    def __repr__(self) -> str:
        return f"<parameter shapes, {len(self.leaves)} arrays>"

    def check(self, params: Module, grads: Any, name: str) -> None:
        """Raise `ModelMismatchError` unless `params` (of the model called `name`) and `grads`
        have this structure, these shapes and dtypes.

        A flatten and a comparison per tree, no device work: shapes and dtypes are known
        statically (under `jax.jit`, this runs when the step is traced).
        """
        for tree, what in ((params, "model"), (grads, "gradient")):
            leaves, treedef = jax.tree_util.tree_flatten(tree)
            if not (
                same_structure(treedef, self.treedef)
                and signature(leaves) == self.leaves
            ):
                raise ModelMismatchError(self._mismatch(tree, what, name))

    def _mismatch(self, tree: Any, what: str, name: str) -> str:
        abstract = [jax.ShapeDtypeStruct(*leaf) for leaf in self.leaves]  # type: ignore[no-untyped-call, unused-ignore]
        expected = jax.tree_util.tree_unflatten(self.treedef, abstract)
        difference = first_difference(expected, tree, name, shapes=True)
        if difference is None:
            where = f"its tree structure is {jax.tree_util.tree_structure(tree)}, not {self.treedef}"
        else:
            there = (
                "the model it was built for has"
                if what == "model"
                else "the model's parameters have"
            )
            where = in_words(difference, here=f" in the {what}", there=there)
        if what == "model" and difference is not None and difference.kind == "static":
            return (
                f"Optimizer.apply_gradients: the model is not configured as the one this optimizer "
                f"was built for: {where}. Step the model with the static fields (configuration, "
                "training mode) it was built with, or build a new Optimizer(tx, model) for this model."
            )
        if what == "model":
            return (
                f"Optimizer.apply_gradients: the model is not the one this optimizer was built for: "
                f"{where}. Build a new Optimizer(tx, model) for a new model: optax's state is shaped "
                "like the parameters of the model it was made for."
            )
        if (
            difference is not None
            and difference.first is None
            and difference.kind == "value"
        ):
            return (
                f"Optimizer.apply_gradients: the gradient differentiates the model's state: {where}. "
                "A raw jax.grad differentiates every array of a model; compute the gradient with "
                "px.grad or px.value_and_grad, which differentiate its parameters only."
            )
        return (
            f"Optimizer.apply_gradients: the gradient is not shaped like the model's parameters: "
            f"{where}. Pass the gradient of this model as px.grad returns it "
            "(`px.grad(loss)(model, ...)`)."
        )


class Optimizer(Module):
    """An optax transformation with its state for the parameters of a model.

    The state covers `px.parameters(model)` (state arrays of the model are never
    updated). Parameters that `trainable` refuses are frozen: they get no update and
    no optimizer state (no memory for Adam's moments, for instance).

    **Arguments:**

    - `tx`: any optax transformation (chains, schedules, `optax.MultiSteps`,
      `optax.masked`, `optax.multi_transform`, `optax.inject_hyperparams`, ...).
    - `model`: the model whose parameters are optimised (only its structure, shapes and
      dtypes matter; its values initialise optax's state as optax's `init` does). The
      optimizer steps only a model with these parameters.
    - `trainable`: optional predicate `(path, leaf) -> bool` over the model's
      parameters, where `path` is a parameter's path in the model as `px.save` and
      `px.summary` write it (`"blocks[1].attn.q_proj.weight"`); `False` freezes it.
      `None` (default) trains every parameter.

    **Returns:** (from `apply_gradients`) the updated model and optimizer.

    ```python
    import optax
    from purepax.optim import Optimizer

    opt = Optimizer(optax.adam(1e-3), model)
    grads = px.grad(loss)(model, x, y)
    model, opt = opt.apply_gradients(model, grads)

    # Fine-tune the head only:
    opt = Optimizer(optax.adam(1e-3), model, trainable=lambda path, leaf: path.startswith("head."))
    ```
    """

    tx: Transformation = static()
    trainable: Trainable | None = static()
    opt_state: dict[str, Any] = state_field()
    structure: Any = static(repr=False)
    built_for: _Parameters = static(repr=False)

    def __init__(
        self, tx: Transformation, model: Module, *, trainable: Trainable | None = None
    ) -> None:
        if not isinstance(model, Module):
            raise ArgumentError(
                f"Optimizer(tx, model) takes a purepax module as `model`, got "
                f"{type(model).__name__}. Pass the model whose parameters it will update."
            )
        if not isinstance(tx, Transformation):
            raise ArgumentError(
                f"Optimizer(tx, model) takes an optax transformation as `tx` (an "
                f"optax.GradientTransformation, or an object with its init and update such as "
                f"optax.MultiSteps), got {type(tx).__name__}. Pass one, e.g. `optax.adam(1e-3)`."
            )
        self.tx = tx
        self.trainable = trainable
        # In one training mode: the mode is a static field, part of the tree structure, and
        # a model is stepped in either (a frozen batch norm in eval mode while fine-tuning).
        all_params = train_mode(parameters(model))
        self.built_for = _Parameters(all_params)
        params = _select(all_params, trainable)
        opt_state = tx.init(params)
        self.opt_state, structure = _flatten(opt_state)
        structure.specs = _state_specs(opt_state, params)
        self.structure = structure

    @property
    def state(self) -> Any:
        """Optax's state, as `tx.init` and `tx.update` build it."""
        leaves = [self.opt_state[k] for k in self.structure.keys]
        return jax.tree_util.tree_unflatten(self.structure.treedef, leaves)

    def __partition_specs__(self) -> Optimizer:
        """Optax's state sharded like the parameters it belongs to (Adam's moments take
        their parameter's `sharding=`); counters and other scalars are replicated."""
        by_key = dict(zip(self.structure.keys, self.structure.specs))
        new = shallow_copy(self)
        new.__dict__["opt_state"] = jax.tree_util.tree_map_with_path(
            lambda path, _: by_key.get(path[0].key, PartitionSpec()),  # type: ignore[no-untyped-call]
            self.opt_state,
        )
        return new

    def apply_gradients(
        self, model: _M, grads: _M, **extra_args: Any
    ) -> tuple[_M, Optimizer]:
        """One optimizer step: the updated model and optimizer (neither input changes).

        **Arguments:**

        - `model`: the model the gradients were computed for.
        - `grads`: its gradient as `px.grad` returns it, a module shaped like
          `px.parameters(model)` (`None` where the model holds state).
        - `**extra_args`: passed on to `tx.update`, for transformations that take more
          (`value=loss` for `optax.contrib.reduce_on_plateau`, for instance).

        Both must have the parameters the optimizer was built for (tree structure, shapes,
        dtypes; the training mode may differ), or `px.ModelMismatchError` names the first
        path that differs; this is checked when the step is traced (under `px.jit`, once per
        compilation).

        **Returns:** `(model, optimizer)`, both new; the model's state is kept as is.

        ```python
        model, opt = opt.apply_gradients(model, px.grad(loss)(model, x, y))
        ```
        """
        all_params = train_mode(parameters(model))
        grads = train_mode(grads) if isinstance(grads, Module) else grads
        self.built_for.check(all_params, grads, type(model).__name__)
        params = _select(all_params, self.trainable)
        grads = _select(grads, self.trainable) if self.trainable is not None else grads
        updates, new_state = self.tx.update(grads, self.state, params, **extra_args)
        new_params = optax.apply_updates(params, updates)
        new_opt = _replace_state(self, *_flatten(new_state))
        # Back in the model's own training modes: the same leaves, the model's structure.
        own = jax.tree_util.tree_structure(_select(parameters(model), self.trainable))
        new_params = jax.tree_util.tree_unflatten(
            own, jax.tree_util.tree_leaves(new_params)
        )
        return update_parameters(model, new_params), new_opt


class _Structure:
    """The structure of optax's state and the keys of its leaves: a static value.

    Its hash is computed once: `jax.jit` hashes the static values of its arguments on
    every call, and a large model's optimizer state has thousands of keys.
    """

    __slots__ = ("treedef", "keys", "specs", "_hash")

    def __init__(self, treedef: Any, keys: tuple[str, ...]) -> None:
        self.treedef, self.keys = treedef, keys
        # Each leaf's PartitionSpec, set when the optimizer is made (not compared: it
        # follows from the parameters, which the treedef already holds).
        self.specs: tuple[PartitionSpec, ...] = ()
        self._hash = hash((treedef, keys))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, _Structure)
            and self._hash == other._hash
            and self.keys == other.keys
            and self.treedef == other.treedef
        )

    def __repr__(self) -> str:
        return f"<optax state structure, {len(self.keys)} arrays>"


def _flatten(opt_state: Any) -> tuple[dict[str, Any], _Structure]:
    leaves, treedef = jax.tree_util.tree_flatten_with_path(opt_state)
    keys = tuple(_path(k) for k, _ in leaves)
    return dict(zip(keys, (leaf for _, leaf in leaves))), _Structure(treedef, keys)


def _state_specs(opt_state: Any, params: Module) -> tuple[PartitionSpec, ...]:
    """A PartitionSpec per leaf of optax's state: a part shaped like the parameters takes
    their specs, anything else (step counts, scalars) is replicated."""
    treedef = jax.tree_util.tree_structure(params)
    param_specs = jax.tree_util.tree_leaves(
        partition_specs(params), is_leaf=lambda x: isinstance(x, PartitionSpec)
    )

    def like_params(node: Any) -> bool:
        return type(node) is type(params) and same_structure(
            jax.tree_util.tree_structure(node), treedef
        )

    def specs_of(node: Any) -> Any:
        if like_params(node):
            return jax.tree_util.tree_unflatten(treedef, param_specs)
        return PartitionSpec()  # type: ignore[no-untyped-call]

    tree = jax.tree_util.tree_map(specs_of, opt_state, is_leaf=like_params)
    return tuple(
        jax.tree_util.tree_leaves(tree, is_leaf=lambda x: isinstance(x, PartitionSpec))
    )


def _replace_state(
    opt: Optimizer, opt_state: dict[str, Any], structure: _Structure
) -> Optimizer:
    # No construction checks: this runs on every (possibly traced) step, like JAX's unflatten.
    if structure == opt.structure:
        structure = opt.structure  # keeps the specs
    new = shallow_copy(opt)
    new.__dict__["opt_state"] = FrozenDict(opt_state)
    new.__dict__["structure"] = structure
    return new
