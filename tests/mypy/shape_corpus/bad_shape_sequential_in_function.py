"""A Sequential built and called in one function on a known input; the last layer breaks."""

import jax
import jax.numpy as jnp

from purepax import nn


def main() -> None:
    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    model = nn.Sequential(
        nn.Linear(3, 4, key=k1),
        jax.nn.relu,
        nn.Linear(4, 8, key=k2),
        jax.nn.relu,
        nn.Linear(4, 1, key=k3),
    )
    print(model(jnp.ones((3, 3))))  # expect: purepax-shape


main()
