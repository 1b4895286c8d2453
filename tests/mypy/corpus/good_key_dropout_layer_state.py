"""nn.Dropout carries its own key and advances it at each call: calling it in a loop is fine."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
import purepax.nn as nn

key = jax.random.key(0)
init_key, drop_key = jax.random.split(key)
layer = nn.Linear(4, 4, key=init_key)
drop = nn.Dropout(0.5, key=drop_key)
x = jnp.ones(4)
for _ in range(3):
    drop, y = px.purecall(drop, layer(x))
    print(y)
