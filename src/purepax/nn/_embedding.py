"""`Embedding`: a lookup table from integer ids to vectors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray

from .._errors import ArgumentError
from .._fields import Sharding, static
from .._module import Module
from .._sharding import check_axes, matmul, take_rows
from ._init import Initializer, parameter
from ._precision import DType


class Embedding(Module):
    """A table of `num_embeddings` vectors of size `embedding_dim`, looked up by integer id.

    The table is initialised from a standard normal distribution, as in PyTorch and
    Equinox, unless `embedding_init` says otherwise.

    **Arguments:**

    - `num_embeddings`: how many ids (rows of `weight`).
    - `embedding_dim`: the size of each vector.
    - `embedding_init`: an initializer `(key, shape, dtype) -> array` (any of
      `jax.nn.initializers`), called as Flax's `Embed` calls it:
      `embedding_init(key, (num_embeddings, embedding_dim), param_dtype)`. Flax's default
      is `jax.nn.initializers.variance_scaling(1.0, "fan_in", "normal", out_axis=0)`;
      `None`: a standard normal.
    - `dtype`: the dtype of the output; `None` is the table's dtype.
    - `param_dtype`: the dtype the table is stored in (float32 by default).
    - `sharding`: how the table `(num_embeddings, embedding_dim)` is laid out over a
      mesh, one mesh-axis name (or `None`) per dimension: `(None, "model")` splits the
      vectors, `("model", None)` the vocabulary. `None` (default): replicated.
    - `key`: the PRNG key that draws the table.

    **Returns:** called on integer ids of any shape, their vectors: `(*ids.shape, embedding_dim)`.

    ```python
    embed = nn.Embedding(100, 8, key=jax.random.key(0))
    vectors = embed(jnp.array([[1, 2, 3]]))   # (1, 3, 8)
    ```
    """

    weight: Float[Array, "num_embeddings embedding_dim"]
    num_embeddings: int
    embedding_dim: int
    dtype: DType | None
    sharding: Sharding = static(repr=False)

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        embedding_init: Initializer | None = None,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        sharding: Sharding = None,
        key: PRNGKeyArray,
    ) -> None:
        self.sharding = check_axes(
            "Embedding", "the table", sharding, (num_embeddings, embedding_dim)
        )
        self.weight = parameter(
            "Embedding",
            "embedding_init",
            embedding_init,
            jax.random.normal,
            key,
            (num_embeddings, embedding_dim),
            param_dtype,
        )
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.dtype = dtype

    def __field_shardings__(self) -> dict[str, Sharding]:
        return {} if self.sharding is None else {"weight": self.sharding}

    def __call__(
        self, ids: Int[Array, "*shape"]
    ) -> Float[Array, "*shape embedding_dim"]:
        ids = jnp.asarray(ids)
        if not jnp.issubdtype(ids.dtype, jnp.integer):
            raise ArgumentError(
                f"Embedding takes integer ids, got dtype {ids.dtype}. Convert them "
                "with ids.astype(jnp.int32)."
            )
        vectors = take_rows(self.weight, ids)
        return vectors if self.dtype is None else vectors.astype(self.dtype)

    def attend(
        self, query: Float[Array, "*batch embedding_dim"]
    ) -> Float[Array, "*batch num_embeddings"]:
        """The dot product of `query` with every vector of the table (tied output logits)."""
        dtype = self.weight.dtype if self.dtype is None else jnp.dtype(self.dtype)
        return matmul(jnp.asarray(query, dtype), self.weight.astype(dtype).T)
