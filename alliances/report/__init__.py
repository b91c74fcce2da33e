"""The observatory's annual report: one self-contained HTML file, charts embedded, printable to PDF.

It calls the existing analytics (matrix, trends, network) and the maturity service; Plotly's JS is
inlined from the installed plotly package, so the file opens offline and never calls the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import plotly
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from alliances import __version__
from alliances.analytics.matrix import tech_stage_matrix
from alliances.analytics.network import NetworkCache, NetworkQuery
from alliances.analytics.trends import alliance_trends
from alliances.errors import StorageError
from alliances.maturity import service
from alliances.maturity.benchmark import Benchmark
from alliances.maturity.model import Dimension, load_model
from alliances.maturity.survey import Surveys
from alliances.maturity.survey import definitions as survey_definitions
from alliances.report import charts
from alliances.store.filters import Filters
from alliances.web import charts as web_charts
from alliances.web.charts import Figure
from alliances.web.i18n import Translator

HERE = Path(__file__).resolve().parent
LEADERS = 10


@cache
def plotly_source() -> str:
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise StorageError(f"plotly.min.js is missing from the installed plotly package ({path})")
    # "</script" inside the library would close the inline tag early.
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def figure_json(figure: Figure) -> str:
    """A figure for a data-figure attribute: plain text, so the template escapes its quotes."""
    return json.dumps(figure, ensure_ascii=False)


@dataclass(frozen=True)
class ReportData:
    """What the report template shows: the analytics' own results, held as they come (no copy)."""

    year: int
    benchmark: Benchmark
    groups: list[dict[str, Any]]  # Group.model_dump(): charts.sector_medians reads plain values
    dimensions: tuple[Dimension, ...]
    alliances_matrix: dict[str, Any]  # Matrix.to_dict() (analytics/matrix.py, typed there)
    projects_matrix: dict[str, Any]
    trends: dict[str, Any]  # alliance_trends() (analytics/trends.py, typed there)
    leaders: list[dict[str, Any]]  # Network.ranking() items (analytics/network.py, typed there)
    surveys: Surveys
    figures: dict[str, Figure]


def report_data(session: Session, *, year: int, lang: str) -> ReportData:
    """Every section's numbers and figures, up to the end of `year`."""
    t = Translator(lang)
    upto = Filters(year_to=year)
    bench = service.peer_benchmark(session)
    groups = [g.model_dump() for g in bench.groups]
    alliances_mx = tech_stage_matrix(session, upto, "alliances").public().model_dump()
    # most projects carry no year
    projects_mx = tech_stage_matrix(session, Filters(), "projects").public().model_dump()
    trends = alliance_trends(session, upto).model_dump()
    network = NetworkCache().network(session, NetworkQuery.from_filters(upto, rollup=True))
    leaders = [node.model_dump() for node in network.ranking("degree", 1, LEADERS).items]
    surveys = service.surveys(session)
    figures: dict[str, Figure] = {
        "alliances_matrix": charts.count_heatmap(alliances_mx, t, t("report.matrix_alliances")),
        "projects_matrix": charts.count_heatmap(projects_mx, t, t("report.matrix_projects")),
    }
    if groups:
        figures["maturity"] = charts.sector_medians(groups, t)
    if trends["years"]:
        figures["by_technology"] = web_charts.by_technology(trends, t)
        figures["by_type"] = web_charts.by_type(trends, t)
    for pub in surveys.published:
        figures[f"published-{pub.key}"] = charts.published_chart(pub, t)
    return ReportData(
        year=year,
        benchmark=bench,
        groups=groups,
        dimensions=load_model().dimensions,
        alliances_matrix=alliances_mx,
        projects_matrix=projects_mx,
        trends=trends,
        leaders=leaders,
        surveys=surveys,
        figures=figures,
    )


def render_report(session: Session, *, year: int, lang: str = "en") -> str:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"])
    )
    t = Translator(lang)
    data = report_data(session, year=year, lang=lang)
    return env.get_template("report.html").render(
        t=t,
        lang=lang,
        version=__version__,
        plotly_js=Markup(plotly_source()),
        figure_json=figure_json,
        survey_defs=survey_definitions(),
        **vars(data),
    )
