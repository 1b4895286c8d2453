"""A px.pure function mutates its argument through another file's method and drops it."""

# runtime: UnreturnedUpdateError
import purepax as px
from xpkg.models import Meter


@px.pure
def measure(m: Meter, x):
    y = m.measure(x)
    return y  # E: purepax-unreturned


measure(Meter(), 1.0)
