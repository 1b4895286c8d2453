"""optax masks and multi_transform labels built with tree_map_with_path over a model that
holds a dict of embedding tables (weight decay on matrices only, embeddings frozen or not)."""

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float

import purepax as px


class Recommender(px.Module):
    tables: dict[str, Float[Array, "n d"]]
    head: Float[Array, "d2 o"]
    bias: Float[Array, " o"]

    def __call__(self, user: jax.Array, item: jax.Array) -> jax.Array:
        z = jnp.concatenate([self.tables["user"][user], self.tables["item"][item]], -1)
        return z @ self.head + self.bias


def label(path: tuple[object, ...], leaf: object) -> str:
    names = jax.tree_util.keystr(path)
    return "embed" if "tables" in names else "dense"


def loss_fn(m: Recommender, u: jax.Array, i: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((m(u, i)[:, 0] - y) ** 2)


def main() -> None:
    k = jax.random.split(jax.random.PRNGKey(0), 3)
    model = Recommender(
        {"user": jax.random.normal(k[0], (5, 3)), "item": jax.random.normal(k[1], (7, 3))},
        jax.random.normal(k[2], (6, 1)) * 0.1,
        jnp.zeros(1),
    )
    decay_mask = jax.tree.map(lambda x: x.ndim == 2, model)
    assert jax.tree.structure(decay_mask) == jax.tree.structure(model)  # type: ignore[operator]  # jaxlib types PyTreeDef loosely
    labels = jax.tree_util.tree_map_with_path(label, model)
    assert labels.tables["user"] == "embed" and labels.bias == "dense"

    # A module is callable, and optax calls a callable mask/labels argument on the params:
    # hand it over as a function that returns the tree (as with Equinox modules).
    tx = optax.multi_transform(
        {"embed": optax.sgd(0.5), "dense": optax.adamw(0.05, weight_decay=0.1, mask=lambda _: decay_mask)},
        lambda _: labels,
    )
    opt_state = tx.init(model)
    u = jnp.array([0, 1, 2, 3, 4, 0])
    i = jnp.array([0, 2, 4, 6, 1, 3])
    y = jnp.array([1.0, -1.0, 0.5, 0.0, 2.0, -0.5])

    @jax.jit
    def step(model: Recommender, opt_state: optax.OptState) -> tuple[Recommender, optax.OptState, jax.Array]:
        loss, g = px.value_and_grad(loss_fn)(model, u, i, y)
        updates, opt_state = tx.update(g, opt_state, model)
        return optax.apply_updates(model, updates), opt_state, loss

    losses = []
    for _ in range(100):
        model, opt_state, loss = step(model, opt_state)
        losses.append(float(loss))
    assert isinstance(model, Recommender)
    assert losses[-1] < 0.05 * losses[0], (losses[0], losses[-1])

    frozen = optax.multi_transform({"embed": optax.set_to_zero(), "dense": optax.sgd(0.1)}, lambda _: labels)
    before = model.tables["item"]
    st = frozen.init(model)
    g = px.grad(loss_fn)(model, u, i, y)
    upd, st = frozen.update(g, st, model)
    after = optax.apply_updates(model, upd)
    assert jnp.array_equal(after.tables["item"], before) and not jnp.array_equal(after.head, model.head)


if __name__ == "__main__":
    main()
