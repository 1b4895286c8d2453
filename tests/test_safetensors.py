"""`px.save_safetensors` / `px.load_safetensors`: tensors named by module path, a name map
for another library's names, and a GPT-2-style file written by the safetensors package."""

from __future__ import annotations

import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import safetensors.numpy
from helpers import filled
from jaxtyping import Array, Float, Int
from safetensors import safe_open

import purepax as px
from purepax import nn

D, HEADS, VOCAB, CONTEXT, LAYERS = 8, 2, 11, 6, 2


class Block(px.Module):
    """A GPT-2 block: pre-norm attention and MLP, each added to the residual stream."""

    ln_1: nn.LayerNorm
    attn: nn.MultiHeadAttention
    ln_2: nn.LayerNorm
    fc: nn.Linear
    proj: nn.Linear

    def __init__(self, *, key):
        k1, k2, k3 = jax.random.split(key, 3)
        self.ln_1 = nn.LayerNorm(D)
        self.attn = nn.MultiHeadAttention(HEADS, D, key=k1)
        self.ln_2 = nn.LayerNorm(D)
        self.fc = nn.Linear(D, 4 * D, key=k2)
        self.proj = nn.Linear(4 * D, D, key=k3)

    def __call__(self, x):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, causal=True)
        return x + self.proj(jax.nn.gelu(self.fc(self.ln_2(x)), approximate=True))


class GPT2(px.Module):
    wte: nn.Embedding
    wpe: nn.Embedding
    blocks: px.Stacked[Block]
    ln_f: nn.LayerNorm

    def __init__(self, *, key):
        k1, k2, k3 = jax.random.split(key, 3)
        self.wte = nn.Embedding(VOCAB, D, key=k1)
        self.wpe = nn.Embedding(CONTEXT, D, key=k2)
        self.blocks = px.stack(lambda k: Block(key=k), jax.random.split(k3, LAYERS))
        self.ln_f = nn.LayerNorm(D)

    def __call__(self, ids):
        x = self.wte(ids) + self.wpe(jnp.arange(ids.shape[-1]))
        return self.wte.attend(self.ln_f(self.blocks(x)))


def _gpt2_names(key):
    """purepax's names to GPT-2's (as Hugging Face's `GPT2Model` saves them)."""
    if key.startswith(("wte.", "wpe.")):
        return key
    renames = {"scale": "weight", "bias": "bias"}
    if key.startswith("ln_f."):
        return "ln_f." + renames[key.split(".")[-1]]
    part, _, leaf = key.removeprefix("blocks.").rpartition(".")
    if part in ("ln_1", "ln_2"):
        return f"h.{{i}}.{part}.{renames[leaf]}"
    if part == "fc":
        return f"h.{{i}}.mlp.c_fc.{leaf}"
    if part == "proj":
        return f"h.{{i}}.mlp.c_proj.{leaf}"
    if part == "attn.out_proj":
        return f"h.{{i}}.attn.c_proj.{leaf}"
    # q, k and v are thirds of GPT-2's fused c_attn (its Conv1D is `x @ w`, as nn.Linear).
    third = {"attn.q_proj": 0, "attn.k_proj": 1, "attn.v_proj": 2}[part]
    return (
        f"h.{{i}}.attn.c_attn.{leaf}",
        lambda w: w[..., third * D : (third + 1) * D],
    )


def _gpt2_file(path, rng):
    """A GPT-2-style checkpoint, written by the safetensors package itself."""
    weights = {
        "wte.weight": rng.normal(size=(VOCAB, D)),
        "wpe.weight": rng.normal(size=(CONTEXT, D)),
        "ln_f.weight": 1 + 0.1 * rng.normal(size=D),
        "ln_f.bias": 0.1 * rng.normal(size=D),
    }
    for i in range(LAYERS):
        for name, shape in [
            ("ln_1.weight", D),
            ("ln_1.bias", D),
            ("attn.c_attn.weight", (D, 3 * D)),
            ("attn.c_attn.bias", 3 * D),
            ("attn.c_proj.weight", (D, D)),
            ("attn.c_proj.bias", D),
            ("ln_2.weight", D),
            ("ln_2.bias", D),
            ("mlp.c_fc.weight", (D, 4 * D)),
            ("mlp.c_fc.bias", 4 * D),
            ("mlp.c_proj.weight", (4 * D, D)),
            ("mlp.c_proj.bias", D),
        ]:
            weights[f"h.{i}.{name}"] = 0.3 * rng.normal(size=shape)
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    safetensors.numpy.save_file(weights, str(path), metadata={"format": "pt"})
    return weights


def _numpy_gpt2(w, ids):
    """GPT-2's forward pass, by hand, in numpy (float64)."""
    w = {k: v.astype(np.float64) for k, v in w.items()}

    def norm(x, name):
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * w[name + ".weight"] + w[
            name + ".bias"
        ]

    def gelu(x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))

    t = len(ids)
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]
    for i in range(LAYERS):
        p = f"h.{i}."
        h = norm(x, p + "ln_1")
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (
            a.reshape(t, HEADS, D // HEADS).transpose(1, 0, 2)
            for a in np.split(qkv, 3, -1)
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(D // HEADS)
        scores = np.where(np.tril(np.ones((t, t), bool)), scores, -np.inf)
        attention = np.exp(scores - scores.max(-1, keepdims=True))
        attention /= attention.sum(-1, keepdims=True)
        heads = (attention @ v).transpose(1, 0, 2).reshape(t, D)
        x = x + heads @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = gelu(
            norm(x, p + "ln_2") @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]
        )
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    return norm(x, "ln_f") @ w["wte.weight"].T


def test_a_gpt2_file_loads_by_name_map_and_computes_as_gpt2(tmp_path):
    path = tmp_path / "gpt2.safetensors"
    weights = _gpt2_file(path, np.random.default_rng(0))
    abstract = jax.eval_shape(lambda: GPT2(key=jax.random.key(0)))
    model = px.load_safetensors(path, like=abstract, names=_gpt2_names)
    ids = np.array([3, 1, 4, 1, 5])
    np.testing.assert_allclose(
        np.asarray(px.jit(lambda m, x: m(x))(model, jnp.asarray(ids))),
        _numpy_gpt2(weights, ids),
        rtol=2e-4,
        atol=2e-4,
    )
    np.testing.assert_array_equal(
        np.asarray(model.blocks.layers.attn.k_proj.weight[1]),
        weights["h.1.attn.c_attn.weight"][:, D : 2 * D],
    )


def test_a_file_with_a_tensor_nothing_reads_is_refused_unless_not_strict(tmp_path):
    path = tmp_path / "gpt2.safetensors"
    weights = _gpt2_file(path, np.random.default_rng(1))
    # Older GPT-2 files also hold each block's causal mask, a buffer nothing reads.
    weights["h.0.attn.bias"] = np.tril(np.ones((1, 1, CONTEXT, CONTEXT), np.float32))
    safetensors.numpy.save_file(weights, str(path))
    abstract = jax.eval_shape(lambda: GPT2(key=jax.random.key(0)))
    with pytest.raises(
        px.CheckpointError,
        match=r"'h\.0\.attn\.bias' \(1 in all\).*strict=False",
    ):
        px.load_safetensors(path, like=abstract, names=_gpt2_names)
    model = px.load_safetensors(path, like=abstract, names=_gpt2_names, strict=False)
    np.testing.assert_array_equal(np.asarray(model.ln_f.bias), weights["ln_f.bias"])


class Net(px.Module):
    embed: nn.Embedding
    blocks: px.Stacked[nn.Linear]
    head: tuple[nn.Linear, ...]
    drop: nn.Dropout
    steps: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(7))

    def __init__(self, *, key, dtype=jnp.float32):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        self.embed = nn.Embedding(5, 4, param_dtype=dtype, key=k1)
        self.blocks = px.stack(
            lambda k: nn.Linear(4, 4, param_dtype=dtype, key=k), jax.random.split(k2, 3)
        )
        self.head = (nn.Linear(4, 2, param_dtype=dtype, key=k3),)
        self.drop = nn.Dropout(0.1, key=k4)


def test_tensors_are_named_by_module_path_and_a_stack_is_one_tensor(tmp_path):
    net = filled(jax.eval_shape(lambda: Net(key=jax.random.key(0))))
    path = tmp_path / "net.safetensors"
    px.save_safetensors(path, net)
    saved = safetensors.numpy.load_file(str(path))
    assert {name: a.shape for name, a in saved.items()} == {
        "embed.weight": (5, 4),
        "blocks.weight": (3, 4, 4),
        "blocks.bias": (3, 4),
        "head[0].weight": (4, 2),
        "head[0].bias": (2,),
        "drop.key": (2,),
        "steps": (),
    }
    assert "blocks" in px.summary(net) and "weight:f32[4,4]" in px.summary(net)
    np.testing.assert_array_equal(
        saved["blocks.weight"][2], np.asarray(net.blocks[2].weight)
    )
    loaded = px.load_safetensors(path, like=filled(jax.eval_shape(lambda: net), seed=1))
    for got, want in zip(
        jax.tree_util.tree_leaves(loaded), jax.tree_util.tree_leaves(net)
    ):
        if jax.dtypes.issubdtype(want.dtype, jax.dtypes.prng_key):
            got, want = jax.random.key_data(got), jax.random.key_data(want)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert jax.random.key_impl(loaded.drop.key) == jax.random.key_impl(net.drop.key)


def test_bfloat16_round_trips_and_is_stored_as_bf16(tmp_path):
    net = filled(jax.eval_shape(lambda: Net(key=jax.random.key(0), dtype=jnp.bfloat16)))
    path = tmp_path / "net.safetensors"
    px.save_safetensors(path, net)
    with safe_open(str(path), framework="numpy") as f:
        assert f.get_slice("blocks.weight").get_dtype() == "BF16"
    loaded = px.load_safetensors(path, like=jax.eval_shape(lambda: net))
    assert loaded.blocks.layers.weight.dtype == jnp.bfloat16
    assert bool(jnp.all(loaded.blocks.layers.weight == net.blocks.layers.weight))


def test_a_stack_is_saved_and_loaded_as_per_layer_tensors_with_a_layout_change(
    tmp_path,
):
    net = filled(jax.eval_shape(lambda: Net(key=jax.random.key(0))))
    path = tmp_path / "torch_style.safetensors"
    # PyTorch's nn.Linear keeps its weight (out, in): transposed both ways.
    names = {
        "blocks.weight": ("layers.{i}.weight", np.transpose, np.transpose),
        "blocks.bias": "layers.{i}.bias",
    }
    px.save_safetensors(path, net, names=names)
    saved = safetensors.numpy.load_file(str(path))
    assert sorted(n for n in saved if n.startswith("layers.")) == [
        f"layers.{i}.{leaf}" for i in range(3) for leaf in ("bias", "weight")
    ]
    np.testing.assert_array_equal(
        saved["layers.1.weight"], np.asarray(net.blocks[1].weight).T
    )
    loaded = px.load_safetensors(path, like=jax.eval_shape(lambda: net), names=names)
    np.testing.assert_array_equal(
        np.asarray(loaded.blocks.layers.weight), np.asarray(net.blocks.layers.weight)
    )
    np.testing.assert_array_equal(
        np.asarray(loaded.blocks.layers.bias), np.asarray(net.blocks.layers.bias)
    )


def _write(path, **tensors):
    safetensors.numpy.save_file(
        {k: np.asarray(v) for k, v in tensors.items()}, str(path)
    )


class Pair(px.Module):
    a: Float[Array, "2 3"]
    b: Float[Array, "3"]


def _pair():
    return Pair(jnp.zeros((2, 3)), jnp.ones(3))


@pytest.mark.parametrize(
    "tensors, names, message",
    [
        (
            {"a": np.ones((2, 3), np.float32)},
            None,
            r"has no tensor 'b'.*b of `like` reads.*names=",
        ),
        (
            {"a": np.ones((2, 3), np.float32), "bb": np.ones(3, np.float32)},
            None,
            r"has no tensor 'b' \(the file has 'bb'\)",
        ),
        (
            {"a": np.ones((3, 2), np.float32), "b": np.ones(3, np.float32)},
            None,
            r"at a: shape \(3, 2\) in the file's 'a', \(2, 3\) in `like`.*transposed.*np\.transpose",
        ),
        (
            {"a": np.ones((2, 3), np.float16), "b": np.ones(3, np.float32)},
            None,
            r"at a: dtype float16 in the file's 'a', float32 in `like`.*astype\('float32'\)",
        ),
        (
            {"w": np.ones((2, 3), np.float32), "b": np.ones(3, np.float32)},
            {"a": ("w", lambda w: w[:1])},
            r"shape \(1, 3\) in the file's 'w' after names' transform",
        ),
    ],
)
def test_a_file_that_does_not_match_like_names_the_tensor_and_the_fix(
    tmp_path, tensors, names, message
):
    path = tmp_path / "f.safetensors"
    _write(path, **tensors)
    with pytest.raises(px.CheckpointError, match=message):
        px.load_safetensors(path, like=_pair(), names=names)


def test_not_strict_keeps_likes_values_but_needs_them_concrete(tmp_path):
    path = tmp_path / "f.safetensors"
    _write(path, a=np.full((2, 3), 5.0, np.float32), extra=np.ones(1, np.float32))
    loaded = px.load_safetensors(path, like=_pair(), strict=False)
    assert float(loaded.a[0, 0]) == 5.0 and float(loaded.b[0]) == 1.0
    with pytest.raises(px.CheckpointError, match=r"no tensor 'b' for b.*abstract"):
        px.load_safetensors(path, like=jax.eval_shape(_pair), strict=False)


def test_a_name_map_with_an_unknown_name_or_placeholder_is_refused(tmp_path):
    path = tmp_path / "f.safetensors"
    _write(path, a=np.ones((2, 3), np.float32), b=np.ones(3, np.float32))
    with pytest.raises(px.ArgumentError, match=r"names has 'bb'.*did you mean 'b'"):
        px.load_safetensors(path, like=_pair(), names={"bb": "b"})
    with pytest.raises(
        px.ArgumentError, match=r"maps a to 'h\.\{i\}\.a'.*0 px\.Stacked"
    ):
        px.load_safetensors(path, like=_pair(), names={"a": "h.{i}.a"})
    with pytest.raises(
        px.ArgumentError, match=r"no function for saving.*\(name, load, save\)"
    ):
        px.save_safetensors(path, _pair(), names={"a": ("a", np.transpose)})
    with pytest.raises(
        px.ArgumentError, match=r"both a and b to the file's tensor 'x'"
    ):
        px.save_safetensors(path, _pair(), names={"a": "x", "b": "x"})


def test_loading_gives_each_array_the_sharding_of_like(tmp_path):
    path = tmp_path / "f.safetensors"
    px.save_safetensors(path, _pair())
    mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]), ("data",))
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
    like = jax.tree_util.tree_map(
        lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=sharding), _pair()
    )
    loaded = px.load_safetensors(path, like=like)
    assert loaded.a.sharding == sharding and loaded.b.sharding == sharding


def test_saving_an_abstract_model_is_refused_before_writing(tmp_path):
    path = tmp_path / "f.safetensors"
    with pytest.raises(
        px.CheckpointError, match=r"px\.save_safetensors: a is a jax\.ShapeDtypeStruct"
    ):
        px.save_safetensors(path, jax.eval_shape(_pair))
    assert not path.exists()


def test_without_the_safetensors_package_the_error_names_the_extra(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ImportError, match=r'pip install "purepax\[safetensors\]"'):
        px.save_safetensors(tmp_path / "f.safetensors", _pair())


def test_a_file_that_is_not_safetensors_is_refused(tmp_path):
    path = tmp_path / "f.safetensors"
    path.write_bytes(b"not a safetensors file at all")
    with pytest.raises(
        px.CheckpointError, match=r"cannot read .* as a safetensors file"
    ):
        px.load_safetensors(path, like=_pair())
