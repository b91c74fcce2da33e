"""Plotly figure specs of the maturity observatory (plain dicts), shared by its pages and the report."""

from __future__ import annotations

from typing import Any

from alliances.maturity.model import load_model
from alliances.maturity.scoring import Scores
from alliances.maturity.survey import PublishedSurvey
from alliances.maturity.trajectory import Trajectory
from alliances.web.charts import FONT, Figure, PlotlyJson
from alliances.web.i18n import Translator
from alliances.web.palette import OKABE_ITO, SERIES

BLUE, ORANGE, GREY = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["grey"]


def _layout(title: str, **extra: Any) -> PlotlyJson:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 48, "b": 60},
        "height": 420,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        **extra,
    }


def dim_labels(t: Translator) -> dict[str, str]:
    return {d.key: d.label(t.lang) for d in load_model().dimensions}


def radar(scores: Scores, t: Translator, peers: dict[str, float] | None = None) -> Figure:
    """Own score per dimension (0-5), and the peer median when a group can be shown."""
    labels = dim_labels(t)
    dims = [d for d in scores.dimensions if d.score is not None]
    theta = [labels[d.key] for d in dims] + [labels[dims[0].key]] if dims else []
    traces = [
        {
            "type": "scatterpolar",
            "r": [d.score for d in dims] + [dims[0].score] if dims else [],
            "theta": theta,
            "fill": "toself",
            "name": t("maturity.you"),
            "line": {"color": BLUE},
        }
    ]
    if peers and dims:
        traces.append(
            {
                "type": "scatterpolar",
                "r": [peers.get(d.key) for d in dims] + [peers.get(dims[0].key)],
                "theta": theta,
                "name": t("maturity.peer_median"),
                "line": {"color": ORANGE, "dash": "dash"},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            t("maturity.radar_title"),
            # The circle keeps to the middle of the width: the longest labels (French) stay inside the card.
            polar={"radialaxis": {"range": [0, 5], "dtick": 1}, "domain": {"x": [0.27, 0.73]}},
            showlegend=True,
            legend={"orientation": "h", "y": -0.1},
            height=480,
        ),
    }


def cell_heatmap(scores: Scores, t: Translator) -> Figure:
    """Technology × value-chain link, points 0-5 (blank where unanswered)."""
    model = load_model()
    techs, links = list(model.technologies), list(model.links)
    return {
        "data": [
            {
                "type": "heatmap",
                "z": [[scores.cells[tech][link] for link in links] for tech in techs],
                "x": [t.label("stages", link) for link in links],
                "y": [t.label("technologies", tech) for tech in techs],
                "zmin": 0,
                "zmax": 5,
                "colorscale": "Blues",
                "reversescale": True,  # plotly's Blues runs from dark to light
                "colorbar": {"title": {"text": t("maturity.points")}},
                "hovertemplate": "%{y} × %{x}: %{z}<extra></extra>",
            }
        ],
        "layout": _layout(
            t("maturity.heatmap_title"),
            xaxis={"title": {"text": t("matrix.stage")}, "automargin": True},
            yaxis={"title": {"text": t("matrix.technology")}, "autorange": "reversed", "automargin": True},
            margin={"l": 180, "r": 20, "t": 48, "b": 60},
        ),
    }


def benchmark_ranges(group: dict[str, Any], t: Translator, own: dict[str, float] | None = None) -> Figure:
    """Per dimension: the p25-p75 band, the median and p90 of a group, and the reader's score."""
    labels = {**dim_labels(t), "overall": t("maturity.overall")}
    keys = list(group["percentiles"])
    names = [labels.get(k, k) for k in keys]
    p = group["percentiles"]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": [p[k]["p75"] - p[k]["p25"] for k in keys],
            "base": [p[k]["p25"] for k in keys],
            "name": "p25–p75",
            "marker": {"color": "#c6dbef"},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "y": names,
            "x": [p[k]["p50"] for k in keys],
            "name": t("maturity.median"),
            "marker": {"color": BLUE, "symbol": "line-ns-open", "size": 18},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "y": names,
            "x": [p[k]["p90"] for k in keys],
            "name": "p90",
            "marker": {"color": GREY, "symbol": "triangle-left", "size": 9},
        },
    ]
    if own:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": names,
                "x": [own.get(k) for k in keys],
                "name": t("maturity.you"),
                "marker": {"color": ORANGE, "size": 11},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            t("maturity.benchmark_chart", n=group["n"]),
            xaxis={"title": {"text": t("maturity.score_axis")}, "range": [0, 5]},
            yaxis={"autorange": "reversed", "automargin": True},
            height=120 + 28 * len(keys),
            showlegend=True,
            legend={"orientation": "h", "y": -0.15},
        ),
    }


def trajectory_lines(traj: Trajectory, t: Translator) -> Figure:
    labels = dim_labels(t)
    x = [f"{p.label} ({p.assessed[:4]})" for p in traj.points]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t("maturity.overall"),
            "x": x,
            "y": [p.overall_score for p in traj.points],
            "line": {"color": "#000000", "width": 3},
        }
    ]
    for i, key in enumerate(labels):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": labels[key],
                "x": x,
                "y": [p.scores.get(key) for p in traj.points],
                "line": {"color": SERIES[i % len(SERIES)], "width": 1.5},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            t("maturity.trajectory_chart"),
            xaxis={"title": {"text": t("maturity.assessment")}},
            yaxis={"title": {"text": t("maturity.score_axis")}, "range": [0, 5]},
            showlegend=True,
            height=460,
        ),
    }


def sector_medians(groups: list[dict[str, Any]], t: Translator) -> Figure:
    """Overall median per sector with its interquartile range as error bars."""
    names = [
        t.label("organisation_kinds", g["group"]["sector"]) if g["group"] else t("maturity.everyone")
        for g in groups
    ]
    p = [g["percentiles"]["overall"] for g in groups]
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": [v["p50"] for v in p],
                "name": t("maturity.median"),
                "marker": {"color": BLUE},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [round(v["p75"] - v["p50"], 4) for v in p],
                    "arrayminus": [round(v["p50"] - v["p25"], 4) for v in p],
                },
            }
        ],
        "layout": _layout(
            t("report.maturity_chart"),
            yaxis={"title": {"text": t("maturity.score_axis")}, "range": [0, 5]},
            showlegend=False,
        ),
    }


def count_heatmap(matrix: dict[str, Any], t: Translator, title: str) -> Figure:
    return {
        "data": [
            {
                "type": "heatmap",
                "z": matrix["rows"],
                "x": [t.label("stages", s) for s in matrix["stages"]],
                "y": [t.label("technologies", x) for x in matrix["technologies"]],
                "colorscale": "YlOrRd",
                "reversescale": True,  # plotly's YlOrRd runs from red to yellow
                "text": matrix["rows"],
                "texttemplate": "%{text}",
                "colorbar": {"title": {"text": t("report.count")}},
            }
        ],
        "layout": _layout(
            title,
            yaxis={"autorange": "reversed", "automargin": True},
            margin={"l": 180, "r": 20, "t": 48, "b": 60},
        ),
    }


def shares_chart(labels: list[str], items: list[dict[str, Any]], t: Translator, title: str) -> Figure:
    """Horizontal bars of shares (percent) with their 95% interval as error bars."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [round(100 * s["share"], 1) for s in items],
                "marker": {"color": BLUE},
                "name": t("surveys.value"),
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [round(100 * (s["high"] - s["share"]), 1) for s in items],
                    "arrayminus": [round(100 * (s["share"] - s["low"]), 1) for s in items],
                },
            }
        ],
        "layout": _layout(
            title,
            xaxis={"title": {"text": t("maturity.share_axis")}, "range": [0, 100], "ticksuffix": t.percent},
            yaxis={"autorange": "reversed", "automargin": True},
            height=120 + 34 * len(labels),
            showlegend=False,
            margin={"l": 20, "r": 20, "t": 48, "b": 60},
        ),
    }


def published_chart(pub: PublishedSurvey, t: Translator) -> Figure:
    """A published survey's shares with the intervals computed from its sample size."""
    labels = [f.label_fr if t.lang == "fr" else f.label_en for f in pub.figures]
    items = [{"share": f.value / 100, "low": f.low, "high": f.high} for f in pub.figures]
    return shares_chart(labels, items, t, pub.names.get(t.lang, pub.name))
