"""Generates a BERT encoder as an ONNX model with random weights (fixed seed), in a
sentence-transformers folder next to a copy of a real tokenizer, for tests and benchmarks:
speed depends on the architecture, not the weights, and correctness is checked against a numpy
forward pass of the same weights. Needs the `onnx` package (Debian: python3-onnx).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TOKENIZER_FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "sentence_bert_config.json", "modules.json"]


@dataclass(frozen=True)
class Architecture:
    vocab_size: int = 30522
    hidden: int = 384
    layers: int = 6
    heads: int = 12
    intermediate: int = 1536
    max_positions: int = 512
    type_vocab: int = 2
    eps: float = 1e-12


MINILM_L6 = Architecture()


def random_weights(arch: Architecture, seed: int) -> dict:
    """float32 weights named like the ONNX initializers."""
    rng = np.random.default_rng(seed)

    def normal(*shape, scale=0.05):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    h, f = arch.hidden, arch.intermediate
    w = {
        "word": normal(arch.vocab_size, h, scale=0.5),
        "position": normal(arch.max_positions, h, scale=0.5),
        "type": normal(arch.type_vocab, h, scale=0.5),
        "emb_gamma": (1 + normal(h, scale=0.1)),
        "emb_beta": normal(h, scale=0.1),
    }
    for i in range(arch.layers):
        for name, shape in (("q", (h, h)), ("k", (h, h)), ("v", (h, h)), ("o", (h, h)), ("up", (h, f)), ("down", (f, h))):
            w[f"l{i}.{name}.w"] = normal(*shape, scale=1.0 / np.sqrt(shape[0]))
            w[f"l{i}.{name}.b"] = normal(shape[1], scale=0.05)
        for norm in ("ln1", "ln2"):
            w[f"l{i}.{norm}.gamma"] = 1 + normal(h, scale=0.1)
            w[f"l{i}.{norm}.beta"] = normal(h, scale=0.1)
    return w


def build_onnx(arch: Architecture, weights: dict):
    """The encoder graph: inputs input_ids, attention_mask, token_type_ids (int64 [batch, sequence]),
    output last_hidden_state (float [batch, sequence, hidden]); opset 17."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], [numpy_helper.from_array(v, name) for name, v in weights.items()]

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    head_dim = arch.hidden // arch.heads
    const("c.one", np.array(1, dtype=np.int64))
    const("c.zero", np.array(0, dtype=np.int64))
    const("c.f1", np.array(1.0, dtype=np.float32))
    const("c.neg", np.array(-10000.0, dtype=np.float32))
    const("c.half", np.array(0.5, dtype=np.float32))
    const("c.sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    const("c.scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))
    const("c.split_heads", np.array([0, 0, arch.heads, head_dim], dtype=np.int64))
    const("c.merge_heads", np.array([0, 0, arch.hidden], dtype=np.int64))
    const("c.mask_axes", np.array([1, 2], dtype=np.int64))

    node("Shape", ["input_ids"], "shape")
    node("Gather", ["shape", "c.one"], "seq_len", axis=0)
    node("Range", ["c.zero", "seq_len", "c.one"], "positions")
    node("Gather", ["word", "input_ids"], "e.word", axis=0)
    node("Gather", ["position", "positions"], "e.pos", axis=0)
    node("Gather", ["type", "token_type_ids"], "e.type", axis=0)
    node("Add", ["e.word", "e.pos"], "e.sum1")
    node("Add", ["e.sum1", "e.type"], "e.sum")
    x = node("LayerNormalization", ["e.sum", "emb_gamma", "emb_beta"], "e.out", axis=-1, epsilon=arch.eps)

    node("Cast", ["attention_mask"], "m.float", to=TensorProto.FLOAT)
    node("Sub", ["c.f1", "m.float"], "m.inv")
    node("Mul", ["m.inv", "c.neg"], "m.bias2d")
    node("Unsqueeze", ["m.bias2d", "c.mask_axes"], "m.bias")  # [batch, 1, 1, sequence]

    for i in range(arch.layers):
        p = f"l{i}"

        def dense(inp, name, p=p):
            node("MatMul", [inp, f"{p}.{name}.w"], f"{p}.{name}.mm")
            return node("Add", [f"{p}.{name}.mm", f"{p}.{name}.b"], f"{p}.{name}.out")

        heads = {}
        for name, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
            node("Reshape", [dense(x, name), "c.split_heads"], f"{p}.{name}.split")
            heads[name] = node("Transpose", [f"{p}.{name}.split"], f"{p}.{name}.heads", perm=perm)
        node("MatMul", [heads["q"], heads["k"]], f"{p}.scores.raw")
        node("Mul", [f"{p}.scores.raw", "c.scale"], f"{p}.scores.scaled")
        node("Add", [f"{p}.scores.scaled", "m.bias"], f"{p}.scores")
        node("Softmax", [f"{p}.scores"], f"{p}.probs", axis=-1)
        node("MatMul", [f"{p}.probs", heads["v"]], f"{p}.context.heads")
        node("Transpose", [f"{p}.context.heads"], f"{p}.context.t", perm=[0, 2, 1, 3])
        node("Reshape", [f"{p}.context.t", "c.merge_heads"], f"{p}.context")
        node("Add", [dense(f"{p}.context", "o"), x], f"{p}.res1")
        x1 = node("LayerNormalization", [f"{p}.res1", f"{p}.ln1.gamma", f"{p}.ln1.beta"], f"{p}.ln1.out", axis=-1, epsilon=arch.eps)
        up = dense(x1, "up")
        node("Div", [up, "c.sqrt2"], f"{p}.gelu.scaled")
        node("Erf", [f"{p}.gelu.scaled"], f"{p}.gelu.erf")
        node("Add", [f"{p}.gelu.erf", "c.f1"], f"{p}.gelu.plus")
        node("Mul", [up, f"{p}.gelu.plus"], f"{p}.gelu.prod")
        node("Mul", [f"{p}.gelu.prod", "c.half"], f"{p}.gelu")
        node("Add", [dense(f"{p}.gelu", "down"), x1], f"{p}.res2")
        x = node("LayerNormalization", [f"{p}.res2", f"{p}.ln2.gamma", f"{p}.ln2.beta"], f"{p}.ln2.out", axis=-1, epsilon=arch.eps)
    node("Identity", [x], "last_hidden_state")

    dims = ["batch", "sequence"]
    graph = helper.make_graph(
        nodes, "bert",
        [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ("input_ids", "attention_mask", "token_type_ids")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [arch.hidden])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ragkernels-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_folder(folder: Path, tokenizer_dir: Path, arch: Architecture, seed: int, pooling: str = "mean",
                 max_seq_length: int | None = None) -> dict:
    """Writes a sentence-transformers folder (model.onnx under onnx/, the tokenizer files copied
    from tokenizer_dir, config.json and 1_Pooling/config.json for `arch` and `pooling`). Returns
    the weights."""
    import onnx

    folder = Path(folder)
    (folder / "onnx").mkdir(parents=True, exist_ok=True)
    (folder / "1_Pooling").mkdir(exist_ok=True)
    for name in TOKENIZER_FILES:
        if (Path(tokenizer_dir) / name).is_file():
            shutil.copy2(Path(tokenizer_dir) / name, folder / name)
    if max_seq_length is not None:
        (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": max_seq_length, "do_lower_case": False}))
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": arch.hidden,
              "num_hidden_layers": arch.layers, "num_attention_heads": arch.heads,
              "intermediate_size": arch.intermediate, "max_position_embeddings": arch.max_positions,
              "type_vocab_size": arch.type_vocab, "vocab_size": arch.vocab_size, "layer_norm_eps": arch.eps,
              "hidden_act": "gelu"}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    modes = {"cls": "pooling_mode_cls_token", "mean": "pooling_mode_mean_tokens", "max": "pooling_mode_max_tokens",
             "mean_sqrt_len": "pooling_mode_mean_sqrt_len_tokens"}
    pool = {"word_embedding_dimension": arch.hidden, **{key: mode == pooling for mode, key in modes.items()}}
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pool, indent=2))
    weights = random_weights(arch, seed)
    onnx.save(build_onnx(arch, weights), str(folder / "onnx" / "model.onnx"))
    return weights
