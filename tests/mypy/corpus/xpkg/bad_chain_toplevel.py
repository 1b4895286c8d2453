"""Top-level code applies a helper of another file that mutates its argument."""

# runtime: ImmutableModuleError
from xpkg.helpers import advance
from xpkg.models import Meter

meter = Meter()
meter.look()
advance(meter.counter, 1.0)  # E: purepax-mutation
