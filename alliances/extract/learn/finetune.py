"""Training MiniLM for the alliance decision (models v8): a low-rank adapter (LoRA, rank 8, on the six
matrices of each layer) and a logistic head over the pair vector of `encoder.pair_vector`, trained
together on CORE train's encoded pairs. Training only: torch is imported here and nowhere else, and the
adapter is merged into the numpy weights at run time (`encoder.merged`).

Why an adapter and not the frozen encoder with a head (v7): the frozen vectors were made for sentence
similarity; trained on company relations they rank CORE dev's marked pairs better (average precision
of the encoder alone 0.853 -> 0.914, of its mean with the word model 0.894 -> 0.921, measured before
this was built: docs/extraction.md, ninth pass). Why not all the weights: 90 MB to ship instead of 1.3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from alliances.extract.learn import encoder as encoder_mod
from alliances.extract.learn.encoder import ADAPTED, HEADS, HIDDEN, LAYERS, RANK, SCALE, Inputs

EPOCHS = 3
BATCH = 16
LEARNING_RATE = 5e-4  # the adapter's; the head's is HEAD_RATE
HEAD_RATE = 1e-3
WARMUP = 0.1  # share of the steps with a rising learning rate, then a linear decay to 0
DROPOUT = 0.1  # on the pair vector, before the head


def _torch() -> Any:
    import torch

    return torch


def _modules(torch: Any, weights: dict[str, Any], seed: int) -> Any:
    """MiniLM's layers with frozen base weights, a trainable adapter on each ADAPTED matrix, and a head."""
    nn = torch.nn
    torch.manual_seed(seed)

    class Adapted(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self, key: str) -> None:
            super().__init__()
            w = torch.tensor(weights[key + ".weight"])
            self.register_buffer("w", w)
            self.register_buffer("bias", torch.tensor(weights[key + ".bias"]))
            self.a = nn.Parameter(torch.randn(RANK, w.shape[1]) * 0.01)
            self.b = nn.Parameter(torch.zeros(w.shape[0], RANK))

        def forward(self, x: Any) -> Any:
            return x @ self.w.T + self.bias + (x @ self.a.T) @ self.b.T * SCALE

    class Layer(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self, i: int) -> None:
            super().__init__()
            self.prefix = f"encoder.layer.{i}."
            self.dense = nn.ModuleDict({n.replace(".", "_"): Adapted(self.prefix + n) for n in ADAPTED})
            for short, n in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
                self.register_buffer(short + "_w", torch.tensor(weights[self.prefix + n + ".weight"]))
                self.register_buffer(short + "_b", torch.tensor(weights[self.prefix + n + ".bias"]))

        def forward(self, x: Any, mask: Any) -> Any:
            d = self.dense
            batch, n, _ = x.shape
            size = HIDDEN // HEADS
            q, k, v = (
                d[f"attention_self_{part}"](x).view(batch, n, HEADS, size).transpose(1, 2)
                for part in ("query", "key", "value")
            )
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + (1.0 - mask[:, None, None, :]) * -1e4
            c = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, n, HIDDEN)
            ln = torch.nn.functional.layer_norm
            x = ln(x + d["attention_output_dense"](c), (HIDDEN,), self.ln1_w, self.ln1_b, 1e-12)
            h = torch.nn.functional.gelu(d["intermediate_dense"](x))
            return ln(x + d["output_dense"](h), (HIDDEN,), self.ln2_w, self.ln2_b, 1e-12)

    class PairNet(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(Layer(i) for i in range(LAYERS))
            self.drop = nn.Dropout(DROPOUT)
            self.head = nn.Linear(6 * HIDDEN, 1)
            for key in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
                self.register_buffer(key, torch.tensor(weights[f"embeddings.{key}.weight"]))
            self.register_buffer("ln_w", torch.tensor(weights["embeddings.LayerNorm.weight"]))
            self.register_buffer("ln_b", torch.tensor(weights["embeddings.LayerNorm.bias"]))

        def forward(self, batch: Sequence[Inputs]) -> Any:
            n = max(len(ids) for ids, _, _ in batch)
            ids = torch.zeros(len(batch), n, dtype=torch.long)
            mask = torch.zeros(len(batch), n)
            for j, (row, _, _) in enumerate(batch):
                ids[j, : len(row)] = torch.tensor(row)
                mask[j, : len(row)] = 1.0
            x = self.word_embeddings[ids] + self.position_embeddings[:n] + self.token_type_embeddings[0]
            x = torch.nn.functional.layer_norm(x, (HIDDEN,), self.ln_w, self.ln_b, 1e-12)
            for layer in self.layers:
                x = layer(x, mask)
            vectors = torch.stack([_vector(torch, x[j], b) for j, b in enumerate(batch)])
            return self.head(self.drop(vectors))[:, 0]

    return PairNet()


def _vector(torch: Any, h: Any, inputs: Inputs) -> Any:
    """encoder.pair_vector's six means, in torch (without the final "encoded" 1)."""
    ids, first, second = inputs
    h = h[: len(ids)]

    def pool(idx: list[int]) -> Any:
        return h[idx].mean(0) if idx else torch.zeros(HIDDEN)

    va, vb = pool(first), pool(second)
    return torch.cat([h[0], h[1:-1].mean(0), va, vb, pool(encoder_mod.between(first, second)), va * vb])


def _batches(inputs: Sequence[Inputs], rows: Sequence[int]) -> list[list[int]]:
    """Rows in batches of similar length (less padding)."""
    order = sorted(rows, key=lambda i: len(inputs[i][0]))
    return [order[k : k + BATCH] for k in range(0, len(order), BATCH)]


@dataclass
class Trained:
    """A trained network, its adapter (arrays named as encoder.merged reads them) and its head."""

    net: Any
    adapter: dict[str, NDArray[np.float32]]
    head: tuple[Any, float]  # weights over the pair vector (without its final 1), bias

    def predict(self, inputs: Sequence[Inputs]) -> Any:
        """The probability of each row (torch, batched: the out-of-fold rows of training)."""
        torch = _torch()
        out = np.zeros(len(inputs))
        with torch.no_grad():
            for rows in _batches(inputs, range(len(inputs))):
                out[rows] = torch.sigmoid(self.net([inputs[i] for i in rows])).numpy()
        return out


def train(
    inputs: Sequence[Inputs], labels: Sequence[int], weights: Sequence[float], seed: int, epochs: int = EPOCHS
) -> Trained:
    """Adapter and head trained together on `inputs` (binary cross-entropy, weighted)."""
    torch = _torch()
    base = encoder_mod.base_encoder()
    if base is None:
        raise RuntimeError("the encoder's package (extra `neural`) is not installed")
    net = _modules(torch, base.weights, seed)
    adapter = [p for n, p in net.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW(
        [{"params": adapter, "lr": LEARNING_RATE}, {"params": net.head.parameters(), "lr": HEAD_RATE}],
        weight_decay=0.01,
    )
    batches = _batches(inputs, range(len(inputs)))
    steps = max(1, epochs * len(batches))
    warm = max(1.0, WARMUP * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1.0, steps - warm))
    )
    y = torch.tensor(np.asarray(labels, dtype=np.float32))
    w = torch.tensor(np.asarray(weights, dtype=np.float32))
    rng = np.random.default_rng(seed)
    net.train()
    for _ in range(epochs):
        for k in rng.permutation(len(batches)):
            rows = batches[k]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                net([inputs[i] for i in rows]), y[rows], weight=w[rows]
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    out: dict[str, NDArray[np.float32]] = {}
    for i, layer in enumerate(net.layers):
        for name in ADAPTED:
            module = layer.dense[name.replace(".", "_")]
            key = f"encoder.layer.{i}.{name}"
            out[key + ".a"] = module.a.detach().numpy().astype(np.float32)
            out[key + ".b"] = module.b.detach().numpy().astype(np.float32)
    head = (net.head.weight.detach().numpy()[0].astype(np.float32), float(net.head.bias.detach()[0]))
    net.eval()
    return Trained(net, out, head)


def out_of_fold(
    inputs: Sequence[Inputs | None],
    labels: Sequence[int],
    weights: Sequence[float],
    seed: int,
    epochs: int = EPOCHS,
    folds: int = 2,
) -> Any:
    """Each encoded row's probability from a network trained on the other folds (NaN where not encoded):
    what the thresholds are chosen on. Two folds of half the rows cost one full training."""
    out = np.full(len(inputs), np.nan)
    rows = np.array([i for i, x in enumerate(inputs) if x is not None])
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(len(rows)) % folds
    for f in range(folds):
        fit, test = rows[fold_of != f], rows[fold_of == f]
        trained = train(
            [inputs[i] for i in fit],
            [labels[i] for i in fit],
            [weights[i] for i in fit],
            seed,
            epochs,
        )
        out[test] = trained.predict([inputs[i] for i in test])
    return out
