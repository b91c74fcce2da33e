"""Routes, one module per capability; each module exposes `router`."""
