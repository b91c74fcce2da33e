"""The learner of "is an alliance" (models v6): the mean of two logistic regressions over the same
hashed pair features, seen two ways.

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
    """The word model (`MeanOfTwo`) on the first `n_words` columns, averaged, on the rows a frozen
    encoder vectorised (its last column is 1: English pairs, `encoder.py`), with a logistic regression
    over the encoder's columns. Rows without them, or a matrix of the word columns alone (no encoder
    installed), get the word model's probability."""

    def __init__(self, n_words: int, c_encoder: float = 0.001, random_state: int = 0) -> None:
        self.n_words = n_words
        self.c_encoder = c_encoder
        self.random_state = random_state

    def _split(self, x: Any) -> tuple[Any, Any, Any]:
        words = x[:, : self.n_words]
        if x.shape[1] <= self.n_words:
            return words, None, np.zeros(x.shape[0], dtype=bool)
        dense = np.asarray(x[:, self.n_words :].toarray(), dtype=np.float32)
        return words, dense, dense[:, -1] == 1

    def fit(self, x: Any, y: Any, sample_weight: Any = None) -> WithEncoder:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        words, dense, rows = self._split(x)
        self.words_ = MeanOfTwo(random_state=self.random_state).fit(words, y, sample_weight=w)
        self.classes_ = self.words_.classes_
        self.encoder_ = None
        if dense is not None and rows.sum() >= 10 and len(set(y[rows])) == 2:
            head = make_pipeline(
                StandardScaler(),
                LogisticRegression(C=self.c_encoder, max_iter=3000, random_state=self.random_state),
            )
            head.fit(dense[rows][:, :-1], y[rows], logisticregression__sample_weight=w[rows])
            self.encoder_ = head
        return self

    def predict_proba(self, x: Any) -> Any:
        words, dense, rows = self._split(x)
        p = self.words_.predict_proba(words)
        if self.encoder_ is not None and dense is not None and rows.any():
            p[rows] = (p[rows] + self.encoder_.predict_proba(dense[rows][:, :-1])) / 2
        return p

    def predict(self, x: Any) -> Any:
        return self.classes_[(self.predict_proba(x)[:, 1] >= 0.5).astype(int)]
