"""The learner of "is an alliance": the mean of two logistic regressions over the same hashed pair
features, seen two ways (models v6), averaged on English passages with the encoder's head (v7, v8).

1. present / absent, each row scaled to unit length (a long sentence no longer outweighs a short one);
2. the same, each feature first scaled by its |log-count ratio| between alliances and non-alliances
   (NB-SVM: a feature that tells the classes apart counts more than a frequent neutral one).

The mean ranks CORE train's out-of-fold pairs better than one LR over counts (average precision +0.015 on
name pairs, +0.03 on description pairs) and is better calibrated (docs/extraction.md, fifth pass).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _binary(x: Any) -> Any:
    b = x.tocsr(copy=True)
    b.data[:] = 1.0
    return b


class MeanOfTwo:
    """A scikit-learn style binary classifier: `fit(x, y, sample_weight)`, `predict_proba(x)`."""

    def __init__(self, c_binary: float = 8.0, c_ratio: float = 2.0, random_state: int = 0) -> None:
        self.c_binary = c_binary
        self.c_ratio = c_ratio
        self.random_state = random_state

    def _views(self, x: Any) -> tuple[Any, Any]:
        from sklearn.preprocessing import normalize

        b = _binary(x)
        return normalize(b), normalize(b.multiply(self.ratio_).tocsr())

    def fit(self, x: Any, y: Any, sample_weight: Any = None) -> MeanOfTwo:
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        b = _binary(x)
        # weighted counts of each feature in each class, smoothed by 1
        pos = np.asarray(b[y == 1].T @ w[y == 1]).ravel() + 1.0
        neg = np.asarray(b[y != 1].T @ w[y != 1]).ravel() + 1.0
        self.ratio_ = np.abs(np.log((pos / pos.sum()) / (neg / neg.sum())))
        one, two = self._views(x)
        self.binary_ = LogisticRegression(C=self.c_binary, solver="liblinear", random_state=self.random_state)
        self.weighted_ = LogisticRegression(
            C=self.c_ratio, solver="liblinear", random_state=self.random_state
        )
        self.binary_.fit(one, y, sample_weight=w)
        self.weighted_.fit(two, y, sample_weight=w)
        self.classes_ = self.binary_.classes_
        return self

    def predict_proba(self, x: Any) -> Any:
        one, two = self._views(x)
        return (self.binary_.predict_proba(one) + self.weighted_.predict_proba(two)) / 2

    def predict(self, x: Any) -> Any:
        return self.classes_[(self.predict_proba(x)[:, 1] >= 0.5).astype(int)]


class WithEncoder:
    """The word model (`MeanOfTwo`) on the first `n_words` columns, averaged, on the rows the encoder
    vectorised (their last column is 1: English passages, `encoder.py`), with the encoder's own head:
    a logistic layer trained with its adapter (`finetune.py`), given here, not fitted. Rows without
    encoder columns, a matrix of the word columns alone (no encoder installed) or no head get the word
    model's probability."""

    def __init__(self, n_words: int, head: tuple[Any, float] | None = None, random_state: int = 0) -> None:
        self.n_words = n_words
        self.head = head
        self.random_state = random_state

    def _split(self, x: Any) -> tuple[Any, Any, Any]:
        words = x[:, : self.n_words]
        if x.shape[1] <= self.n_words:
            return words, None, np.zeros(x.shape[0], dtype=bool)
        dense = np.asarray(x[:, self.n_words :].toarray(), dtype=np.float32)
        return words, dense, dense[:, -1] == 1

    def fit(self, x: Any, y: Any, sample_weight: Any = None) -> WithEncoder:
        """Fits the word model (on the word columns; the encoder's head was trained with its adapter)."""
        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.words_ = MeanOfTwo(random_state=self.random_state).fit(x[:, : self.n_words], y, sample_weight=w)
        self.classes_ = self.words_.classes_
        return self

    def encoder_probability(self, dense: Any) -> Any:
        """The head's probability for pair vectors (the "encoded" 1 last)."""
        assert self.head is not None
        weights, bias = self.head
        return 1.0 / (1.0 + np.exp(-(dense[:, :-1] @ weights + bias)))

    def predict_proba(self, x: Any) -> Any:
        words, dense, rows = self._split(x)
        p = self.words_.predict_proba(words)
        if self.head is not None and dense is not None and rows.any():
            both = (p[rows, 1] + self.encoder_probability(dense[rows])) / 2
            p[rows] = np.column_stack([1.0 - both, both])
        return p

    def predict(self, x: Any) -> Any:
        return self.classes_[(self.predict_proba(x)[:, 1] >= 0.5).astype(int)]
