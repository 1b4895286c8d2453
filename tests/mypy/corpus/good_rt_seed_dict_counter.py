"""The seed's first example: a dict counter mutated inside jax.jit (not a module)."""

# runtime: ok
from typing import Dict

import jax


def print_id_and_value(c: Dict[str, int], msg=""):
    print(f'({msg}) id {id(c)}  counter {c["count"]}')


@jax.jit
def increase_counter(c):
    c["count"] += 1
    print_id_and_value(c, "inside")


c = {"count": 1}
print_id_and_value(c, "before")
increase_counter(c)
print_id_and_value(c, "after ")
