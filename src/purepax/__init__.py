"""purepax: typed, functional-first modules for JAX that stay pure.

The public names are imported on first use (PEP 562): mypy imports this package to load
`purepax.mypy_plugin`, and importing JAX there would cost every mypy run half a second.
For type checkers and readers, the block under `TYPE_CHECKING` is the list of exports.
"""

from __future__ import annotations

import importlib
import typing
from typing import Any

from ._version import __version__ as __version__

if typing.TYPE_CHECKING:
    from . import nn as nn  # a subpackage, imported on first use; not in __all__
    from ._capture import capture as capture
    from ._cast import cast as cast
    from ._checkpoint import load as load
    from ._checkpoint import save as save
    from ._containers import FrozenDict as FrozenDict
    from ._errors import ArgumentError as ArgumentError
    from ._errors import CarryStructureError as CarryStructureError
    from ._errors import CheckpointError as CheckpointError
    from ._errors import ClosureCaptureError as ClosureCaptureError
    from ._errors import FieldError as FieldError
    from ._errors import ImmutableModuleError as ImmutableModuleError
    from ._errors import ModelMismatchError as ModelMismatchError
    from ._errors import NonFiniteError as NonFiniteError
    from ._errors import PurepaxError as PurepaxError
    from ._errors import StaticArgumentError as StaticArgumentError
    from ._errors import TransformTypeError as TransformTypeError
    from ._errors import UnreturnedUpdateError as UnreturnedUpdateError
    from ._fields import param as param
    from ._fields import state as state
    from ._fields import static as static
    from ._functional import eval_mode as eval_mode
    from ._functional import parameters as parameters
    from ._functional import replace as replace
    from ._functional import train_mode as train_mode
    from ._functional import update_parameters as update_parameters
    from ._grad import grad as grad
    from ._grad import value_and_grad as value_and_grad
    from ._loops import fori_loop as fori_loop
    from ._loops import scan as scan
    from ._loops import while_loop as while_loop
    from ._module import Module as Module
    from ._module import StateModule as StateModule
    from ._nans import check_finite as check_finite
    from ._paths import get as get
    from ._paths import map_selected as map_selected
    from ._paths import select as select
    from ._paths import set as set
    from ._pure import pure as pure
    from ._pure import purecall as purecall
    from ._retrace import RetraceWarning as RetraceWarning
    from ._retrace import set_max_traces as set_max_traces
    from ._retrace import trace_count as trace_count
    from ._retrace import traces as traces
    from ._safetensors import load_safetensors as load_safetensors
    from ._safetensors import save_safetensors as save_safetensors
    from ._sharding import partition_specs as partition_specs
    from ._sharding import shard as shard
    from ._stacked import Stacked as Stacked
    from ._stacked import stack as stack
    from ._summary import StepCost as StepCost
    from ._summary import step_cost as step_cost
    from ._summary import summary as summary
    from ._transforms import cond as cond
    from ._transforms import jit as jit
    from ._transforms import remat as remat
    from ._transforms import switch as switch
    from ._transforms import vmap as vmap

_EXPORTS = {
    "capture": "_capture",
    "cast": "_cast",
    "FrozenDict": "_containers",
    **dict.fromkeys(
        (
            "ArgumentError",
            "CarryStructureError",
            "CheckpointError",
            "ClosureCaptureError",
            "FieldError",
            "ImmutableModuleError",
            "ModelMismatchError",
            "NonFiniteError",
            "PurepaxError",
            "StaticArgumentError",
            "TransformTypeError",
            "UnreturnedUpdateError",
        ),
        "_errors",
    ),
    **dict.fromkeys(("param", "state", "static"), "_fields"),
    **dict.fromkeys(
        ("eval_mode", "parameters", "replace", "train_mode", "update_parameters"),
        "_functional",
    ),
    **dict.fromkeys(("grad", "value_and_grad"), "_grad"),
    **dict.fromkeys(("fori_loop", "scan", "while_loop"), "_loops"),
    **dict.fromkeys(("Module", "StateModule"), "_module"),
    "check_finite": "_nans",
    **dict.fromkeys(("get", "map_selected", "select", "set"), "_paths"),
    **dict.fromkeys(("pure", "purecall"), "_pure"),
    **dict.fromkeys(
        ("RetraceWarning", "set_max_traces", "trace_count", "traces"), "_retrace"
    ),
    **dict.fromkeys(("Stacked", "stack"), "_stacked"),
    **dict.fromkeys(("partition_specs", "shard"), "_sharding"),
    **dict.fromkeys(("load", "save"), "_checkpoint"),
    **dict.fromkeys(("load_safetensors", "save_safetensors"), "_safetensors"),
    **dict.fromkeys(("StepCost", "step_cost", "summary"), "_summary"),
    **dict.fromkeys(("cond", "jit", "remat", "switch", "vmap"), "_transforms"),
}
__all__ = sorted(_EXPORTS)
_SUBPACKAGES = ("nn", "optim")  # `px.nn.Linear` after `import purepax as px`


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'purepax' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{where}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBPACKAGES})
