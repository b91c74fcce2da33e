"""Plotly figure specs as plain dicts (rendered by plotly.js in the page, no CDN).

Built by hand rather than through plotly.graph_objects: validation there costs tens of milliseconds
per figure and the pages only need a few trace kinds. Every chart has titled axes and a legend.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypedDict

from alliances.web.i18n import Translator
from alliances.web.palette import SERIES, TYPE_COLOURS, kind_colour

# A Plotly.js object (trace, layout, axis): JSON handed to Plotly.js unchanged, so not modelled here.
PlotlyJson: TypeAlias = dict[str, Any]


class Figure(TypedDict):
    """A Plotly figure spec as the pages embed it (`Plotly.newPlot(el, data, layout)`)."""

    data: list[PlotlyJson]
    layout: PlotlyJson


FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#1f2933"}


def year_axis(title: str, years: list[int]) -> PlotlyJson:
    """Whole years, horizontal labels: every year when they span up to 12, every other one beyond (the
    span, not the count: 2011 and 2016-2026 have gaps but still take 16 labels)."""
    span = max(years) - min(years) + 1 if years else 0
    return {
        "title": {"text": title},
        "dtick": 1 if span <= 12 else 2,
        "tickformat": "d",
        "tickangle": 0,
        "gridcolor": "#e8ecf0",
    }


def count_axis(title: str, top: float) -> PlotlyJson:
    """Counts never get fractional ticks (0.5 alliance means nothing)."""
    axis: dict[str, Any] = {
        "title": {"text": title},
        "rangemode": "tozero",
        "gridcolor": "#e8ecf0",
        "tickformat": "d",
    }
    if top <= 6:
        axis["dtick"] = 1
    return axis


def layout(title: str, xaxis: PlotlyJson, yaxis: PlotlyJson, **extra: Any) -> PlotlyJson:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": FONT,
        "margin": {"l": 60, "r": 16, "t": 48, "b": 110},
        "height": 400,
        "xaxis": xaxis,
        "yaxis": yaxis,
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        **extra,
    }


def _top(series: list[list[int]], stacked: bool = False) -> float:
    if not series:
        return 0
    if stacked:
        return max((sum(col) for col in zip(*series, strict=True)), default=0)
    return max((max(s, default=0) for s in series), default=0)


def by_type(trends: dict[str, Any], t: Translator) -> Figure:
    traces = [
        {
            "type": "bar",
            "name": t.label("alliance_types", key),
            "x": trends["years"],
            "y": values,
            "marker": {"color": TYPE_COLOURS.get(key, "#999999")},
        }
        for key, values in trends["by_type"].items()
    ]
    top = _top(list(trends["by_type"].values()), stacked=True)
    return {
        "data": traces,
        "layout": layout(
            t("trends.by_type"),
            year_axis(t("axis.year"), trends["years"]),
            count_axis(t("axis.alliances"), top),
            barmode="stack",
        ),
    }


def by_technology(trends: dict[str, Any], t: Translator) -> Figure:
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t.label("technologies", key),
            "x": trends["years"],
            "y": values,
            "line": {"color": SERIES[i % len(SERIES)], "width": 2},
        }
        for i, (key, values) in enumerate(trends["by_technology"].items())
    ]
    top = _top(list(trends["by_technology"].values()))
    return {
        "data": traces,
        "layout": layout(
            t("trends.by_technology"),
            year_axis(t("axis.year"), trends["years"]),
            count_axis(t("axis.alliances"), top),
        ),
    }


def partner_shares(trends: dict[str, Any], t: Translator) -> Figure:
    shares = trends["partners"]["shares"]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t.label("organisation_kinds", key),
            "x": trends["years"],
            "y": [round(v * 100, 1) for v in shares[key]],
            "line": {"color": kind_colour(key), "width": 2},
        }
        for key in trends["partners"]["highlight"]
    ]
    yaxis = {
        "title": {"text": t("axis.share_of_parties")},
        "ticksuffix": t.percent,
        "rangemode": "tozero",
        "gridcolor": "#e8ecf0",
    }
    return {
        "data": traces,
        "layout": layout(t("trends.partners"), year_axis(t("axis.year"), trends["years"]), yaxis),
    }


def terminations(trends: dict[str, Any], t: Translator) -> Figure:
    values = trends["terminations"]["by_year"]
    trace = {
        "type": "bar",
        "name": t("trends.terminated"),
        "x": trends["years"],
        "y": values,
        "marker": {"color": TYPE_COLOURS["equity_investment"]},
    }
    return {
        "data": [trace],
        "layout": layout(
            t("trends.terminations"),
            year_axis(t("axis.year"), trends["years"]),
            count_axis(t("axis.alliances"), _top([values])),
        ),
    }


def partners_by_year(profile: dict[str, Any], t: Translator) -> Figure:
    years = sorted(int(y) for y in profile["partners_by_year"])
    counts = [profile["partners_by_year"][y] for y in years]
    trace = {
        "type": "bar",
        "name": t("org.new_partners"),
        "x": years,
        "y": counts,
        "marker": {"color": SERIES[0]},
    }
    return {
        "data": [trace],
        "layout": layout(
            t("org.partners_by_year"),
            year_axis(t("axis.year"), years),
            count_axis(t("axis.partners"), _top([counts])),
            height=340,
        ),
    }
