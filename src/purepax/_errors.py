"""The errors purepax raises. Every message names the module or variable and the fix."""

from __future__ import annotations

from jaxtyping import TypeCheckError


class PurepaxError(Exception):
    """Base class of every error purepax raises.

    A message ends with a pointer to the error's section of the docs (`docs/errors.md`),
    which shows the error and its fix side by side.
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (f"{args[0]}\n(More: docs/errors.md#{type(self).__name__.lower()})",)
        super().__init__(*args)


class ImmutableModuleError(PurepaxError, ValueError):
    """A module was changed where it is immutable.

    Modules are immutable outside their own construction; only the copies that
    `px.pure` / `px.purecall` hand to a function are mutable, and only under the
    JAX trace in which that call was made. It is also a `ValueError`, as PAX's was.
    """


class ClosureCaptureError(PurepaxError, TypeError):
    """A function given to a checked transform captures a module instead of taking it as an argument."""


class StaticArgumentError(ClosureCaptureError):
    """A module (or a bound method of one) was given to `px.jit` as a static argument.

    Its arrays would be baked into the compiled program as constants, as for a captured
    module; it is a `ClosureCaptureError` (and a `TypeError`) for that reason.
    """


class UnreturnedUpdateError(PurepaxError, ValueError):
    """A function run by `px.pure` changed a module argument and did not return it."""


class FieldError(PurepaxError, AttributeError, TypeError, ValueError):
    """A field's value contradicts its declaration, or the field does not exist.

    Raised at construction (a value that does not fit its role or annotation, an
    unhashable static value, one module object at two places of a tree), by
    `px.replace`, and when setting or deleting an attribute that is not a field.
    It is also an `AttributeError`, `TypeError` and `ValueError`, so code that
    catches the builtin error it expects keeps working.
    """


class TransformTypeError(PurepaxError, TypeCheckError):
    """A call traced by a checked transform does not match the function's annotations.

    Also a `jaxtyping.TypeCheckError`, hence a `TypeError`, as an unchecked call with
    wrong types would raise.
    """


class CarryStructureError(PurepaxError, TypeError):
    """A loop body (`px.scan`, `px.while_loop`, `px.fori_loop`) returned its carry with another structure."""


class CheckpointError(PurepaxError, ValueError):
    """A checkpoint cannot be saved or loaded.

    Raised by `px.load` for a file that is cut short, altered, not a purepax checkpoint,
    or does not match `like` (the message names the field path), and by `px.save` for
    a value it cannot store (an object array, a leaf that is not an array or number).
    """


class ArgumentError(PurepaxError, TypeError, ValueError):
    """An argument given to a purepax function or layer has the wrong kind or an invalid value.

    Raised where the argument is read (a layer's constructor, `px.stack`, `px.summary`,
    ...), naming the function, the argument and what it accepts. It is also a
    `TypeError` and a `ValueError`, so code that catches the builtin error it expects
    keeps working.
    """


class ModelMismatchError(PurepaxError, TypeError, ValueError):
    """An optimizer was handed a model or gradient that is not shaped like the model it was built for.

    `Optimizer.apply_gradients` compares the parameters of both with those the optimizer
    was built for (tree structure, shapes, dtypes) when it is traced, and names the first
    path that differs. Also a `TypeError` and a `ValueError`.
    """
