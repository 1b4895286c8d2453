"""`px.save_safetensors` and `px.load_safetensors`: weights by module path, in the
safetensors format that PyTorch, Hugging Face and most other libraries read and write.

A tensor's name is its module path as `px.summary` prints it (`blocks.attn.q_proj.weight`,
`layers[0].bias`); a `px.Stacked` is transparent, so the blocks' arrays are named as one
block's, and each is one tensor with a leading block axis. A name map (`names=`) renames
tensors to another library's names, maps a stack's block axis to per-layer names (`{i}` in
the name: `h.{i}.attn.c_attn.weight`), and transforms a tensor whose layout differs
(transposed, or one part of a fused tensor).

The `safetensors` package (an optional extra) reads and writes the files, through numpy
only; it is imported on first use. Loading checks names, shapes and dtypes against `like`
as `px.load` does, and places each array with `like`'s sharding.
"""

from __future__ import annotations

import difflib
import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, Union, cast

import jax
import numpy as np

from ._atomic_file import atomic_file
from ._checkpoint import _check_concrete, _host_array, _leaf_value, _target_sharding
from ._checkpoint_format import _entry, _path
from ._distributed import is_writer, wait_for_all
from ._errors import ArgumentError, CheckpointError
from ._stacked import Stacked

_T = TypeVar("_T")

Transform = Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]
"""A function from one numpy array to another: a tensor in one library's layout to the other's."""

Name = Union[str, tuple[str, Transform], tuple[str, Transform, Transform]]
"""A name map's entry for one of purepax's tensors: the file's name for it, or `(name,
load)` where `load` turns the file's tensor into purepax's layout, or `(name, load, save)`
where `save` turns purepax's back into the file's."""

Names = Union[Mapping[str, Name], Callable[[str], Union[Name, None]], None]
"""`names=`: purepax's tensor names to the file's, as a mapping (names it lacks are kept)
or a function (returning `None` keeps the name)."""

_INDICES = "ijk"  # the placeholders of the block axes of nested stacks, outermost first
_EXTRA = '`pip install "purepax[safetensors]"` (or `pip install safetensors`)'


@dataclass(frozen=True)
class _Tensor:
    """One array of the tree: its purepax name, the leaf, how many stacks hold it, and
    the file's names for it (one, or one per block) with the transforms of the name map."""

    key: str
    leaf: Any
    pattern: str
    files: tuple[tuple[str, tuple[int, ...]], ...]
    load: Transform | None
    save: Transform | None


def _safetensors(function: str) -> Any:
    """The `safetensors` package, imported on first use: it is an optional extra."""
    try:
        import safetensors
        import safetensors.numpy
    except ImportError as error:
        raise ImportError(
            f"{function} needs the safetensors package, an optional extra of purepax. "
            f"Install it with {_EXTRA}."
        ) from error
    return safetensors


def _named_leaves(tree: Any) -> list[tuple[str, Any, int]]:
    """`(name, leaf, number of enclosing stacks)` for every leaf, in tree order.

    A stack's own field (`layers`) is left out of the names, as `px.summary` shows it.
    """
    found: list[tuple[str, Any, int]] = []

    def visit(node: Any, prefix: tuple[Any, ...], stacks: int) -> None:
        if isinstance(node, Stacked):
            visit(node.layers, prefix, stacks + 1)
            return
        is_stack = lambda x: isinstance(x, Stacked)  # noqa: E731
        leaves = jax.tree_util.tree_flatten_with_path(node, is_leaf=is_stack)[0]
        for keys, leaf in leaves:
            if isinstance(leaf, Stacked):
                visit(leaf.layers, (*prefix, *keys), stacks + 1)
            else:
                found.append((_path((*prefix, *keys)), leaf, stacks))

    visit(tree, (), 0)
    return found


def _entry_of(
    names: Names, key: str, function: str
) -> tuple[str, Transform | None, Transform | None]:
    if names is None:
        entry: Any = None
    elif isinstance(names, Mapping):
        entry = names.get(key)
    else:
        entry = names(key)
    if entry is None:
        return key, None, None
    if isinstance(entry, str):
        return entry, None, None
    if (
        isinstance(entry, tuple)
        and len(entry) in (2, 3)
        and isinstance(entry[0], str)
        and all(callable(f) for f in entry[1:])
    ):
        return entry[0], entry[1], entry[2] if len(entry) == 3 else None
    raise ArgumentError(
        f"{function}: names gives {key!r} the entry {entry!r}. An entry is the file's name "
        "for the tensor, (name, load) or (name, load, save), where load and save are "
        "functions from a numpy array to a numpy array."
    )


def _file_names(
    pattern: str, key: str, leaf: Any, stacks: int, function: str
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The file's names for a tensor: `pattern` itself, or, where it holds `{i}` (and `{j}`
    for a stack inside a stack), one name per block, with the block's index."""
    fields = {
        field
        for _, field, _, _ in string.Formatter().parse(pattern)
        if field is not None
    }
    if not fields:
        return ((pattern, ()),)
    depth = next((n for n in range(1, stacks + 1) if fields == set(_INDICES[:n])), None)
    if depth is None:
        allowed = " and ".join("{" + c + "}" for c in _INDICES[:stacks]) or "none"
        raise ArgumentError(
            f"{function}: names maps {key} to {pattern!r}, whose placeholders "
            f"{sorted(fields)} are not the block indices of the stacks holding {key} "
            f"({stacks} px.Stacked; placeholders allowed: {allowed}, outermost first). Use "
            "{i} for the block of a stack, or a name without braces for the whole tensor."
        )
    blocks = tuple(getattr(leaf, "shape", ()))[:depth]
    return tuple(
        (pattern.format(**dict(zip(_INDICES, index))), index)
        for index in np.ndindex(*blocks)
    )


def _plan(tree: Any, names: Names, function: str) -> list[_Tensor]:
    """Every tensor of `tree` with the file's names for it; checks the name map."""
    leaves = _named_leaves(tree)
    keys = [key for key, _, _ in leaves]
    if isinstance(names, Mapping):
        known = set(keys)
        for key in names:
            if key not in known:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ArgumentError(
                    f"{function}: names has {key!r}, which is not a tensor of the model"
                    f"{hint}. Its keys are purepax's names, as px.summary prints them "
                    f"(e.g. {keys[:1]}); the values are the file's names."
                )
    elif names is not None and not callable(names):
        raise ArgumentError(
            f"{function}: names must be a mapping or a function of purepax's tensor names, "
            f"got {type(names).__name__}."
        )
    plan = []
    for key, leaf, stacks in leaves:
        pattern, load, save = _entry_of(names, key, function)
        files = _file_names(pattern, key, leaf, stacks, function)
        plan.append(_Tensor(key, leaf, pattern, files, load, save))
    return plan


def save_safetensors(
    path: str | os.PathLike[str],
    tree: Any,
    *,
    names: Names = None,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Save the arrays of a module (or any pytree of them) to a safetensors file.

    Each array is one tensor named by its module path as `px.summary` prints it
    (`blocks.attn.q_proj.weight`, `layers[0].bias`); the arrays of a `px.Stacked` are
    named as one block's and keep their leading block axis. `names` renames tensors for
    another library and may split a stack into per-layer tensors (`{i}` in the name) or
    change a tensor's layout (`(name, load, save)`: `save` is applied). PRNG keys are
    stored as their `jax.random.key_data`, Python numbers as 0-d arrays. Static fields are
    not stored. To save the parameters alone, save `px.parameters(model)`.

    The file is written atomically, as `px.save` writes (the whole file is built in memory
    first). In a multi-process run, call it on every process: process 0 writes.

    **Arguments:**

    - `path`: the file to write (replaced if it exists).
    - `tree`: a module, or a pytree of modules, arrays and numbers.
    - `names`: purepax's names to the file's: a mapping (names it lacks are kept) or a
      function (returning `None` keeps the name); an entry is a name, or `(name, load,
      save)`. See docs/checkpointing.md.
    - `metadata`: text written into the file's header (`{"format": "pt"}`, say).

    **Returns:** nothing.

    ```python
    px.save_safetensors("model.safetensors", model)
    px.save_safetensors("gpt2.safetensors", model, names={"embed.weight": "wte.weight"})
    ```
    """
    function = "px.save_safetensors"
    safetensors = _safetensors(function)
    plan = _plan(tree, names, function)
    written: dict[str, str] = {}
    for tensor in plan:
        _check_concrete(tensor.key, tensor.leaf, function)
        _entry(tensor.key, tensor.leaf, function)
        if tensor.load is not None and tensor.save is None:
            raise ArgumentError(
                f"{function}: names maps {tensor.key} to ({tensor.files[0][0]!r}, load) with "
                "no function for saving. Give (name, load, save), save turning purepax's "
                "array into the file's layout."
            )
        for name, _ in tensor.files:
            if name in written:
                raise ArgumentError(
                    f"{function}: names maps both {written[name]} and {tensor.key} to the "
                    f"file's tensor {name!r}; each tensor is written once. Give them "
                    "different names (tensors are not merged on saving)."
                )
            written[name] = tensor.key
    everyone = f"purepax.save_safetensors {os.fspath(path)}"
    if not is_writer():  # a multi-process run: process 0 writes what all of them gather
        for tensor in plan:
            _host_array(tensor.leaf)
        wait_for_all(everyone)
        return
    try:
        tensors = {}
        for tensor in plan:
            shape = _entry(tensor.key, tensor.leaf, function)["shape"]
            array = _host_array(tensor.leaf).reshape(shape)  # it makes 0-d arrays 1-d
            for name, index in tensor.files:
                block = array[index] if index else array  # a 0-d array stays an array
                tensors[name] = np.asarray(  # C order; a 0-d array stays 0-d
                    block if tensor.save is None else tensor.save(block), order="C"
                )
        data = safetensors.numpy.save(
            tensors, metadata=None if metadata is None else dict(metadata)
        )
        with atomic_file(path) as file:
            file.write_at(memoryview(data), 0)
    finally:
        wait_for_all(everyone)


def load_safetensors(
    path: str | os.PathLike[str],
    *,
    like: _T,
    names: Names = None,
    strict: bool = True,
) -> _T:
    """Load a safetensors file into the structure of `like`, by module path.

    Every array of `like` is read from the tensor named by its module path (as
    `px.summary` prints it, and `px.save_safetensors` writes it), or by `names`, which maps
    purepax's names to the file's: another library's names, per-layer tensors stacked
    into a `px.Stacked`'s leading axis (`{i}` in the name), and a transform where that
    library's layout differs. Shapes and dtypes (after the transform) must match `like`'s.
    `like` may be abstract (`jax.eval_shape`); each array gets the sharding of the
    matching leaf of `like`, as with `px.load`.

    **Arguments:**

    - `path`: a safetensors file (written by any library).
    - `like`: a module or pytree of the same structure, concrete or abstract.
    - `names`: purepax's names to the file's: a mapping (names it lacks are kept) or a
      function (returning `None` keeps the name); an entry is a name, `(name, load)` or
      `(name, load, save)`, `load` turning the file's numpy array into purepax's layout.
    - `strict`: `True` (default): every array of `like` must be in the file and every
      tensor of the file must be read. `False`: arrays the file lacks keep `like`'s values
      (so `like` must hold them), and tensors nothing reads are ignored.

    **Returns:** a tree like `like` holding the file's arrays.

    **Raises:** `px.CheckpointError` naming the first missing, unread or mismatched tensor.

    ```python
    model = px.load_safetensors("model.safetensors", like=model)
    model = px.load_safetensors("gpt2.safetensors", like=abstract, names=gpt2_names)
    ```
    """
    function = "px.load_safetensors"
    safetensors = _safetensors(function)
    leaves, treedef = jax.tree_util.tree_flatten(like)
    plan = _plan(like, names, function)
    assert len(plan) == len(leaves)  # a stack flattens to its blocks' leaves alone
    try:
        handle = safetensors.safe_open(os.fspath(path), framework="numpy")
    except Exception as error:  # the package raises OSError and its own SafetensorError
        raise CheckpointError(
            f"{function}: cannot read {os.fspath(path)} as a safetensors file ({error})."
        ) from None
    with handle as file:
        in_file = list(file.keys())
        _check_names(path, plan, in_file, strict, function)
        present = set(in_file)
        loaded = []
        for tensor, leaf in zip(plan, leaves):
            if not all(name in present for name, _ in tensor.files):
                loaded.append(
                    leaf
                )  # strict=False: like's value, checked to be concrete
                continue
            array = _read(file, path, tensor, safetensors, function)
            sharding = _target_sharding(tensor.key, leaf, function)
            loaded.append(
                _leaf_value(array, _entry(tensor.key, leaf, function), leaf, sharding)
            )
    return cast(_T, jax.tree_util.tree_unflatten(treedef, loaded))


def _check_names(
    path: Any, plan: list[_Tensor], in_file: list[str], strict: bool, function: str
) -> None:
    """Refuse, before reading, a tensor that `like` needs and the file lacks, and (strict)
    one that the file has and nothing reads."""
    present = set(in_file)
    where = os.fspath(path)
    for tensor in plan:
        missing = [name for name, _ in tensor.files if name not in present]
        if not missing:
            continue
        if strict:
            close = difflib.get_close_matches(missing[0], in_file, n=1)
            hint = f" (the file has {close[0]!r})" if close else ""
            raise CheckpointError(
                f"{function}: {where} has no tensor {missing[0]!r}{hint}, which {tensor.key} "
                f"of `like` reads. Map {tensor.key} to the file's name with names=..., or "
                "pass strict=False to keep `like`'s value for arrays the file lacks."
            )
        if isinstance(tensor.leaf, jax.ShapeDtypeStruct):
            raise CheckpointError(
                f"{function}: {where} has no tensor {missing[0]!r} for {tensor.key}, and "
                "`like` holds no value for it (it is abstract, from jax.eval_shape). Pass a "
                "concrete `like` to keep its values where the file has none."
            )
    if strict:
        read = {name for tensor in plan for name, _ in tensor.files}
        unread = [name for name in in_file if name not in read]
        if unread:
            raise CheckpointError(
                f"{function}: {where} has the tensor {unread[0]!r} ({len(unread)} in all), "
                "which no array of `like` reads. Map the array that should read it with "
                "names=..., or pass strict=False to ignore the file's other tensors."
            )


def _read(
    file: Any, path: Any, tensor: _Tensor, safetensors: Any, function: str
) -> np.ndarray[Any, Any]:
    """The tensor's array from the file: each block read, transformed and checked, then
    stacked along the leading block axes."""
    expected = _entry(tensor.key, tensor.leaf, function)
    depth = len(tensor.files[0][1])
    blocks_shape = tuple(expected["shape"][:depth])
    block_shape = tuple(expected["shape"][depth:])
    blocks = []
    for name, index in tensor.files:
        try:
            block = file.get_tensor(name)
        except Exception as error:  # older safetensors: no numpy reader for bfloat16
            raise CheckpointError(
                f"{function}: safetensors {safetensors.__version__} cannot read the tensor "
                f"{name!r} of {os.fspath(path)} into numpy ({error}). Upgrade it: "
                "pip install -U 'safetensors>=0.5'."
            ) from None
        if tensor.load is not None:
            block = np.asarray(tensor.load(block))
        _check_block(
            path, tensor, name, index, block, block_shape, expected["dtype"], function
        )
        blocks.append(block)
    if not depth:
        return cast(np.ndarray[Any, Any], blocks[0])
    return np.stack(blocks).reshape(blocks_shape + block_shape)


def _check_block(
    path: Any,
    tensor: _Tensor,
    name: str,
    index: tuple[int, ...],
    block: np.ndarray[Any, Any],
    shape: tuple[int, ...],
    dtype: str,
    function: str,
) -> None:
    where = f"{tensor.key}{''.join(f'[{i}]' for i in index)}"
    source = f"the file's {name!r}" + (" after names' transform" if tensor.load else "")
    if tuple(block.shape) != shape:
        fix = (
            f"The file holds it transposed: give names {{{tensor.key!r}: ({tensor.pattern!r}, "
            "np.transpose)}."
            if len(shape) == 2 and tuple(block.shape) == shape[::-1]
            else "Build `like` with the file's configuration, or map the right tensor "
            "(or a transform) with names=..."
        )
        raise CheckpointError(
            f"{function}: {os.fspath(path)} does not match `like` at {where}: shape "
            f"{tuple(block.shape)} in {source}, {shape} in `like`. {fix}"
        )
    if block.dtype.name != dtype:
        raise CheckpointError(
            f"{function}: {os.fspath(path)} does not match `like` at {where}: dtype "
            f"{block.dtype.name} in {source}, {dtype} in `like`. Build `like` with "
            f"param_dtype={block.dtype.name}, or cast in names: {{{tensor.key!r}: ({tensor.pattern!r}, "
            f"lambda a: a.astype({dtype!r}))}}."
        )
