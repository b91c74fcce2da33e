"""Plotly specs of the health pages (same plain-dict pattern as charts.py): timeline, radar, score trend."""

from __future__ import annotations

from typing import Any

from alliances.health.schemas import HealthReport
from alliances.web.charts import FONT, Figure, layout
from alliances.web.i18n import Translator
from alliances.web.palette import SERIES


def period_label(period: str, t: Translator) -> str:
    """A review period as the reader writes quarters ("2019-Q4", "2019-T4")."""
    year, _, quarter = period.partition("-Q")
    return t("health.period", year=year, q=quarter) if quarter else period


def timeline(report: HealthReport, t: Translator) -> Figure:
    """Milestones (first plan, re-baselines, actual) on one axis, cumulative spend against plan on another."""
    first: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
    moved: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
    done: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
    for m in report.milestones:
        if m.first_planned:
            first["x"].append(m.first_planned.isoformat())
            first["y"].append(m.name)
            first["text"].append(t("health.first_plan"))
        for r in m.rebaselines:
            if r["on"]:
                moved["x"].append(r["on"])
                moved["y"].append(m.name)
                moved["text"].append(r["reason"] or t("health.rebaselined"))
        if m.actual:
            done["x"].append(m.actual.isoformat())
            done["y"].append(m.name)
            done["text"].append(t("health.completed"))
    million = 1_000_000
    x = [p.date.isoformat() for p in report.trend]
    traces = [
        {"type": "scatter", "mode": "markers", "name": t("health.first_plan"), **first,
         "marker": {"symbol": "circle-open", "size": 11, "color": SERIES[0]}},
        {"type": "scatter", "mode": "markers", "name": t("health.rebaselined"), **moved,
         "marker": {"symbol": "x", "size": 10, "color": "#c2410c"}},
        {"type": "scatter", "mode": "markers", "name": t("health.completed"), **done,
         "marker": {"symbol": "circle", "size": 11, "color": "#15803d"}},
        {"type": "scatter", "mode": "lines+markers", "name": t("health.cumulative_spend"), "x": x,
         "y": [round(p.spent / million, 1) for p in report.trend], "yaxis": "y2",
         "line": {"color": "#7c3aed", "width": 2}},
        {"type": "scatter", "mode": "lines", "name": t("health.planned_spend"), "x": x,
         "y": [round(p.planned / million, 1) for p in report.trend], "yaxis": "y2",
         "line": {"color": "#7c3aed", "width": 1, "dash": "dash"}},
    ]  # fmt: skip
    spec = layout(
        t("health.timeline"),
        {"title": {"text": t("health.axis_date")}, "type": "date", "gridcolor": "#e8ecf0"},
        {"title": {"text": t("health.axis_milestone")}, "type": "category", "automargin": True},
        yaxis2={
            "title": {"text": t("health.axis_spend", currency=report.currency)},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
        },
        height=460,
    )
    spec["margin"] = {"l": 60, "r": 70, "t": 48, "b": 110}
    return {"data": traces, "layout": spec}


def radar(report: HealthReport, t: Translator) -> Figure:
    """Each party's mean answer per question: where the polygons part, the partners see it differently."""
    labels = [q.label for q in report.health_check]
    traces = []
    for i, party in enumerate(report.parties):
        values = [q.by_party.get(party) for q in report.health_check]
        traces.append(
            {
                "type": "scatterpolar",
                "name": party,
                "r": values + values[:1],
                "theta": labels + labels[:1],
                "fill": "toself",
                "hovertemplate": "%{theta}: %{r:.1f} / 5<extra>" + party + "</extra>",
                "opacity": 0.55,
                "line": {"color": SERIES[i % len(SERIES)]},
            }
        )
    return {
        "data": traces,
        "layout": {
            "title": {"text": t("health.radar"), "x": 0, "xanchor": "left", "font": {"size": 15}},
            "annotations": [
                {
                    "text": t("health.axis_answer"),
                    "showarrow": False,
                    "x": 0,
                    "y": 1.06,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "left",
                    "font": {"size": 11, "color": "#52606d"},
                }
            ],  # fmt: skip
            "font": FONT,
            "height": 460,
            "margin": {"l": 90, "r": 90, "t": 60, "b": 60},
            "polar": {
                "radialaxis": {"range": [0, 5], "dtick": 1, "title": {"text": t("health.axis_answer")}}
            },
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.1, "x": 0},
            "paper_bgcolor": "#ffffff",
        },
    }


def score_trend(report: HealthReport, t: Translator) -> Figure:
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": t("health.score"),
        "x": [period_label(p.period, t) for p in report.trend],
        "y": [p.score for p in report.trend],
        "line": {"color": SERIES[0], "width": 2},
    }
    return {
        "data": [trace],
        "layout": layout(
            t("health.score_trend"),
            {"title": {"text": t("health.axis_period")}, "type": "category"},
            {"title": {"text": t("health.score")}, "range": [0, 100]},
            height=320,
        ),
    }
