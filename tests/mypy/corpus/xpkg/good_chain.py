"""The same methods, used through px.purecall and read-only."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from xpkg.models import Meter


def body(m: Meter, x):
    m, y = px.purecall(m.measure, x)
    return m, y + m.look()


meter, ys = jax.lax.scan(body, Meter(), jnp.arange(3.0))
meter.look()
assert int(meter.counter.count) == 3
