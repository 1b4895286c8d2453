"""purepax: typed, functional-first modules for JAX that stay pure."""

from ._containers import FrozenDict as FrozenDict
from ._errors import CarryStructureError as CarryStructureError
from ._errors import ClosureCaptureError as ClosureCaptureError
from ._errors import FieldError as FieldError
from ._errors import ImmutableModuleError as ImmutableModuleError
from ._errors import PurepaxError as PurepaxError
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
from ._module import Module as Module
from ._module import StateModule as StateModule
from ._pure import pure as pure
from ._pure import purecall as purecall
from ._grad import grad as grad
from ._grad import value_and_grad as value_and_grad
from ._loops import fori_loop as fori_loop
from ._loops import scan as scan
from ._loops import while_loop as while_loop
from ._transforms import cond as cond
from ._transforms import jit as jit
from ._transforms import remat as remat
from ._transforms import switch as switch
from ._transforms import vmap as vmap

__version__ = "0.1.0"
