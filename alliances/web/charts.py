"""Plotly figure specs as plain dicts (rendered by plotly.js in the page, no CDN).

Built by hand rather than through plotly.graph_objects: validation there costs tens of milliseconds
per figure and the pages only need a few trace kinds. Every chart has titled axes and a legend.
"""

from __future__ import annotations

from typing import Any

from alliances.web.i18n import Translator
from alliances.web.palette import SERIES, TYPE_COLOURS, kind_colour

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#1f2933"}


def layout(title: str, x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": FONT, "margin": {"l": 60, "r": 16, "t": 48, "b": 56}, "height": 360,
        "xaxis": {"title": {"text": x_title}, "dtick": 1, "tickformat": "d", "gridcolor": "#e8ecf0"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "gridcolor": "#e8ecf0"},
        "legend": {"orientation": "h", "y": -0.22}, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        **extra,
    }


def by_type(trends: dict[str, Any], t: Translator) -> dict[str, Any]:
    traces = [{"type": "bar", "name": t.label("alliance_types", key), "x": trends["years"], "y": values,
               "marker": {"color": TYPE_COLOURS.get(key, "#999999")}}
              for key, values in trends["by_type"].items()]
    return {"data": traces, "layout": layout(t("trends.by_type"), t("axis.year"), t("axis.alliances"),
                                             barmode="stack")}


def by_technology(trends: dict[str, Any], t: Translator) -> dict[str, Any]:
    traces = [{"type": "scatter", "mode": "lines+markers", "name": t.label("technologies", key),
               "x": trends["years"], "y": values, "line": {"color": SERIES[i % len(SERIES)], "width": 2}}
              for i, (key, values) in enumerate(trends["by_technology"].items())]
    return {"data": traces, "layout": layout(t("trends.by_technology"), t("axis.year"), t("axis.alliances"))}


def partner_shares(trends: dict[str, Any], t: Translator) -> dict[str, Any]:
    shares = trends["partners"]["shares"]
    traces = [{"type": "scatter", "mode": "lines+markers", "name": t.label("organisation_kinds", key),
               "x": trends["years"], "y": [round(v * 100, 1) for v in shares[key]],
               "line": {"color": kind_colour(key), "width": 2}}
              for key in trends["partners"]["highlight"]]
    return {"data": traces, "layout": layout(t("trends.partners"), t("axis.year"), t("axis.share_of_parties"),
                                             yaxis={"title": {"text": t("axis.share_of_parties")},
                                                    "ticksuffix": "%", "rangemode": "tozero",
                                                    "gridcolor": "#e8ecf0"})}


def terminations(trends: dict[str, Any], t: Translator) -> dict[str, Any]:
    trace = {"type": "bar", "name": t("trends.terminated"), "x": trends["years"],
             "y": trends["terminations"]["by_year"], "marker": {"color": TYPE_COLOURS["equity_investment"]}}
    return {"data": [trace], "layout": layout(t("trends.terminations"), t("axis.year"), t("axis.alliances"),
                                              showlegend=True)}


def partners_by_year(profile: dict[str, Any], t: Translator) -> dict[str, Any]:
    years = sorted(int(y) for y in profile["partners_by_year"])
    counts = [profile["partners_by_year"][y] for y in years]
    trace = {"type": "bar", "name": t("org.new_partners"), "x": years, "y": counts,
             "marker": {"color": SERIES[0]}}
    return {"data": [trace], "layout": layout(t("org.partners_by_year"), t("axis.year"), t("axis.partners"),
                                              showlegend=True, height=300)}
