"""Learned parts of the extraction: CORE data, pair features, the alliance and type models, the English
organisation recogniser, and the training that rebuilds them all."""
