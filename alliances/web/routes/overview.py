"""The overview: what the observatory holds, the latest alliances, the most connected organisations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.analytics.matrix import tech_stage_matrix
from alliances.schemas import AllianceFilters, OrganisationFilters, OverviewPublic
from alliances.store.candidates import pending_count
from alliances.store.organisations import list_organisations
from alliances.store.projects import stats, text_counts
from alliances.store.queries import list_alliances
from alliances.store.version import Memo, full_version, lean_version
from alliances.store.viewer import Viewer, scoped
from alliances.web.context import SessionDep, render
from alliances.web.deps import ViewerDep

router = APIRouter()


def overview(session: Session, viewer: Viewer | None = None) -> OverviewPublic:
    """Headline counts, the eight latest alliances, the ten most connected organisations, the matrix."""
    latest = AllianceFilters(per_page=8, sort="-announced")
    connected = OrganisationFilters(per_page=10, sort="-degree")
    return OverviewPublic.model_validate(
        {
            "stats": stats(session, viewer=viewer),
            "latest": list_alliances(session, latest, viewer=viewer).items,
            "connected": list_organisations(session, connected, viewer=viewer).items,
            "matrix": tech_stage_matrix(session, AllianceFilters(), "alliances", viewer=viewer).public(),
        },
        from_attributes=True,
    )


@router.get(
    "/api/v1/overview",
    tags=["overview"],
    summary="Headline counts, latest alliances, top organisations",
    response_model=OverviewPublic,
)
def overview_api(request: Request, session: SessionDep, viewer: ViewerDep) -> OverviewPublic:
    return cached_overview(request.app.state.memo, session, viewer=viewer)


def cached_overview(memo: Memo, session: Session, *, viewer: Viewer | None = None) -> OverviewPublic:
    """The overview is a pure function of the data and the visibility: computed once per data version,
    but for the candidates waiting for review, which a review changes without changing the data."""
    key = scoped("overview", viewer)
    data: OverviewPublic = memo.get(
        session, key, lambda: overview(session, viewer), version=lean_version(session)
    )
    # All but two counts stay the same when a known alliance is restated (the commonest accept): those
    # two, sources and evidence quotes, are read at the full version, and the pending candidates each time.
    texts = memo.get(
        session, ("overview-texts",), lambda: text_counts(session), version=full_version(session)
    )
    counts = {**texts, "candidates_pending": pending_count(session)}
    if any(getattr(data.stats, name) != n for name, n in counts.items()):
        data = data.model_copy(update={"stats": data.stats.model_copy(update=counts)})
    return data


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    data = cached_overview(request.app.state.memo, session, viewer=viewer)
    parts = {"stats": data.stats, "latest": data.latest, "connected": data.connected, "matrix": data.matrix}
    return render(request, "overview.html", {**parts, "page": "overview"})
