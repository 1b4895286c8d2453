"""The errors purepax raises. Every message names the module or variable and the fix.

A message ends with where to read more about its error, in two places that an installed
copy of purepax can reach: the error class's docstring (`help(purepax.FieldError)`), and
the error's section of the docs site, which shows code that raises it beside the fixed code.
"""

from __future__ import annotations

from jaxtyping import TypeCheckError

# The docs site (mkdocs.yml's `site_url`); docs/errors.md is its page `errors/`, where each
# error's section is the anchor MkDocs makes of its heading: the class name in lower case.
DOCS_SITE = "https://purepax.readthedocs.io/en/latest/"


def docs_pointer(error: type[PurepaxError]) -> str:
    """Where to read about `error`: its docstring through `help`, and its section of the docs site.

    A user's subclass of a purepax error is pointed to the purepax class it derives from.
    """
    documented = next(cls for cls in error.__mro__ if cls.__module__ == __name__)
    name = documented.__name__
    return f"help(purepax.{name}) or {DOCS_SITE}errors/#{name.lower()}"


class PurepaxError(Exception):
    """Base class of every error purepax raises on purpose.

    `except purepax.PurepaxError` catches all of them. Each one is also the builtin error
    that code written without purepax expects (`ValueError`, `TypeError`,
    `AttributeError`), as its own docstring says, so such code keeps working.

    A message says what went wrong, where (the module class, the field, the function, the
    variable) and the fix, and ends with where to read more: the error's docstring
    (`help(purepax.ClosureCaptureError)`) and its section of the docs site, which shows
    code that raises the error beside the fixed code.
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (f"{args[0]}\n(More: {docs_pointer(type(self))})",)
        super().__init__(*args)


class ImmutableModuleError(PurepaxError, ValueError):
    """A module was changed where it is immutable.

    Modules are immutable outside their own construction; only the copies that
    `px.pure` / `px.purecall` hand to a function are mutable, and only under the JAX trace
    in which that call was made. Also a `ValueError`, as PAX's was.

    **Usual causes:**

    - calling a module that changes itself (a counter, batch norm's running statistics in
      training mode) directly, outside `px.pure` / `px.purecall`;
    - changing a module inside a JAX transformation it does not belong to: one captured
      by a `jax.jit` or `jax.lax.scan` body, or one JAX handed in as a rebuilt argument
      (a scan's carry);
    - a parent's `__init__` changing a submodule after that submodule was finished.

    **Fix:** run the call on a copy and use the copy that comes back,
    `model, out = px.purecall(model, x)`; inside a transformation, take the module as an
    argument, `px.purecall` it there and return it. For a read-only call of a model with
    batch norm, call `px.eval_mode(model)` instead.
    """


class ClosureCaptureError(PurepaxError, TypeError):
    """A function given to a checked transform captures a module instead of taking it as an argument.

    The function given to `px.jit`, `px.scan`, `px.grad`, ... reaches a module other than
    through its arguments. The module's arrays would be baked into the compiled program
    as constants: they go stale when the module is updated, and changes made to it are
    lost. Also a `TypeError`.

    **Usual causes:** the module is a global or a variable of an enclosing function, a
    default argument, the `self` of a bound method (`px.jit(model.loss)`,
    `px.jit(self.train_step)` of a trainer holding the model), or an attribute, field or
    item of one of these (`self.model`, `config.models[1]`).

    **Fix:** take the module as an argument, and return it if it changes:

    ```python
    @px.jit
    def predict(model, x):
        return model(x)
    ```
    """


class StaticArgumentError(ClosureCaptureError):
    """A module (or a bound method of one) was given to `px.jit` as a static argument.

    Given through `static_argnums`, `static_argnames` or a static `self`, its arrays would
    be baked into the compiled program as constants, as for a captured module; it is a
    `ClosureCaptureError` (and a `TypeError`) for that reason.

    **Fix:** make only configuration (numbers, strings, flags) static and pass the module
    as a regular argument: its `px.static()` fields are part of its tree structure, hence
    static already.
    """


class UnreturnedUpdateError(PurepaxError, ValueError):
    """A function run by `px.pure` changed a module argument and did not return it.

    The change would be lost: the caller's module is never changed, only the copy the
    function was given. The message names the argument as the function declares it.
    Also a `ValueError`.

    **Usual cause:** a function that calls a module that changes itself (a counter, batch
    norm in training mode) and returns only the output, e.g. `return model(x)`.

    **Fix:** return the module too (`return model, model(x)`) and use the copy that comes
    back; to drop the change on purpose, return the module and ignore it.
    """


class FieldError(PurepaxError, AttributeError, TypeError, ValueError):
    """A field's value contradicts its declaration, or the field does not exist.

    Raised at construction, by `px.replace`, by writes to a view, and when setting or
    deleting an attribute that is not a field. Also an `AttributeError`, a `TypeError`
    and a `ValueError`, so code that catches the builtin error it expects keeps working.

    **Usual causes:**

    - a value of the wrong role: an array in a `px.static()` field, a module in a
      parameter field;
    - a value that does not match the field's annotation, shapes and dtypes included
      (a dimension name binds across the module's fields: `"o"` must have one size in
      `weight` and `bias`);
    - an unhashable static value (static values are part of the tree structure);
    - one module object at two places of a tree;
    - a `sharding=` with more entries than the array has dimensions;
    - setting an attribute that is not a field (a misspelt name).

    **Fix:** give each field a value that fits its declaration. To change fields whose
    shapes depend on each other, replace them at once:
    `px.replace(layer, weight=w, bias=b)`.
    """


class TransformTypeError(PurepaxError, TypeCheckError):
    """A call traced by a checked transform does not match the function's annotations.

    The arguments and the result are checked against the function's annotations (jaxtyping
    shapes and dtypes included) once per trace, never per compiled call. Also a
    `jaxtyping.TypeCheckError`, hence a `TypeError`, as an unchecked call with wrong types
    would raise.

    **Usual causes:** an array of another rank or shape than annotated (one dimension where
    `Float[Array, "n d"]` says two), a dimension name bound to two sizes, another module
    type than the annotated one.

    **Fix:** pass what the annotation says, or correct the annotation.
    """


class CarryStructureError(PurepaxError, TypeError):
    """A loop body (`px.scan`, `px.while_loop`, `px.fori_loop`) returned its carry with another structure.

    JAX needs a loop's carry to keep its tree structure across iterations. The message
    names the first place of the carry that differs. Also a `TypeError`.

    **Usual causes:** a field set to `None` (or from `None` to an array), a module swapped
    for another module type, a static field given another value.

    **Fix:** return the same kind of value at every place of the carry: the same module
    types and static fields, arrays where there were arrays and `None` where there was
    `None` (hold a value and mask it, instead of switching it off).
    """


class CheckpointError(PurepaxError, ValueError):
    """A checkpoint cannot be saved or loaded.

    Nothing is half loaded, and a refused save writes nothing: the previous file stays as
    it was. Also a `ValueError`.

    **Usual causes:**

    - `px.load` of a file that is cut short, altered (a checksum does not match) or not a
      purepax checkpoint;
    - `px.load` with a `like` whose arrays do not match the file's (the message names the
      field path, e.g. `layers[1].weight`, and what differs);
    - `px.save` of a leaf it cannot store: an object array, a string, a `jax.eval_shape`
      result, a tracer inside `jax.jit`.

    **Fix:** build `like` with the configuration the checkpoint was saved with (or from
    `jax.eval_shape` of the same constructor); save concrete arrays, outside `jax.jit`.
    """


class ArgumentError(PurepaxError, TypeError, ValueError):
    """An argument given to a purepax function or layer has the wrong kind or an invalid value.

    Raised where the argument is read (a layer's constructor, `px.stack`, `px.summary`,
    ...), naming the function, the argument and what it accepts. Also a `TypeError` and a
    `ValueError`, so code that catches the builtin error it expects keeps working.

    **Usual causes:** a dropout rate outside [0, 1], a number of attention heads that does
    not divide the width, a non-module where a module is expected, a function expected
    where something else was given.

    **Fix:** pass a value of the kind the message names.
    """


class ModelMismatchError(PurepaxError, TypeError, ValueError):
    """An optimizer was handed a model or gradient that is not shaped like the model it was built for.

    `Optimizer.apply_gradients` compares the parameters of both with those the optimizer
    was built for (tree structure, shapes, dtypes) when it is traced, never per compiled
    call, and names the first path that differs. Also a `TypeError` and a `ValueError`.

    **Usual causes:**

    - a model rebuilt with another width or another layer (a notebook cell re-run) given
      to the optimizer of the old one;
    - a gradient from a raw `jax.grad`, which differentiates every array of a model, its
      state too (batch norm's running statistics), where the optimizer has no parameter.

    **Fix:** differentiate with `px.grad` (or `px.value_and_grad`), which keeps state out
    of the gradient; for a new model, build a new `Optimizer(tx, model)` (optax's state is
    shaped like the parameters).
    """


class NonFiniteError(PurepaxError, FloatingPointError):
    """A computation checked by `px.check_finite` computed a NaN or an infinity.

    The message names the first non-finite value in the order the program computed it, and
    where: the pass (forward or backward), the module's path from the outermost module
    called (`blocks[3].attn.out`, with a `px.Stacked` block's index), and the value (a field
    such as `weight`, an input, the output, or the gradient of one of these), with the step.
    Also a `FloatingPointError`, as JAX's `jax_debug_nans` raises.

    **Usual causes:**

    - forward: a log, a square root or a division at 0, an exponential that overflows
      (float16 above 65504), a parameter already NaN (a previous step's update), NaN data;
    - backward: a derivative that is infinite where it is evaluated (`jnp.sqrt` or
      `jnp.log` at 0, a norm of a zero vector), or a `jnp.where` whose unused branch is
      NaN: its gradient is multiplied by 0, and 0 times NaN is NaN.

    **Fix:** look at what the named module computes from the finite values it was given;
    for a `jnp.where`, compute the unsafe branch on a safe value too
    (`jnp.where(x > 0, jnp.log(jnp.where(x > 0, x, 1.0)), 0.0)`); for float16, compute the
    overflowing part in float32.
    """
