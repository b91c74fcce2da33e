"""The digital-maturity observatory: model, scoring with must-have gating, benchmarks, trajectory, surveys.

`service` joins the store (private answers read with a Viewer) and the pure functions of the other
modules; the CLI, the web pages and the annual report all call it.
"""
