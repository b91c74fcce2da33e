"""Organisations: the list ranked by number of alliances, and the profile with its ego network."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.datastructures import State

from alliances.schemas import ORGANISATION_SORTS, OrganisationProfile, OrganisationPublic, Page
from alliances.store.organisations import get_organisation, list_organisations
from alliances.store.version import lean_version
from alliances.store.viewer import Viewer
from alliances.taxonomy import vocab
from alliances.web import charts
from alliances.web.context import (
    OrganisationQuery,
    SessionDep,
    filters_query,
    page_size,
    render,
    request_lang,
)
from alliances.web.deps import ViewerDep, get_viewer
from alliances.web.i18n import Translator

router = APIRouter()

Ref = Annotated[str, Path(max_length=200, description="Organisation id or name")]


def profile(request: Request, session: Session, ref: str) -> OrganisationProfile:
    return cached_profile(request.app.state, session, ref, viewer=get_viewer(request))


def cached_profile(
    state: State, session: Session, ref: str, *, viewer: Viewer | None = None
) -> OrganisationProfile:
    """The store's profile plus the ego network from the cached alliance graph (public alliances).

    Kept per data version and viewer (viewers with the same organisations share it): the largest hub's
    profile reads tens of thousands of rows, and its page is visited again and again. Shared: read only.
    """

    def compute() -> OrganisationProfile:
        found = get_organisation(session, ref, viewer=viewer)  # the API's shape: no local paths
        record = OrganisationProfile.model_validate(found, from_attributes=True)
        cache = state.network_cache
        rollup = bool(record.group)  # a group's network includes its subsidiaries' partners
        ego = state.memo.get(
            session, ("ego", record.id, rollup), lambda: cache.ego(session, record.id, rollup=rollup)
        )
        return record.model_copy(update={"ego_network": ego})

    cached: OrganisationProfile = state.memo.get(
        session, ("profile", ref, viewer), compute, lean_version(session)
    )
    return cached


@router.get(
    "/api/v1/organisations",
    tags=["organisations"],
    summary="Organisations with their number of alliances (sort=-degree ranks them)",
    response_model=Page[OrganisationPublic],
)
def organisations_api(
    filters: OrganisationQuery, session: SessionDep, viewer: ViewerDep
) -> Page[OrganisationPublic]:
    found = list_organisations(session, filters, viewer=viewer)
    return Page[OrganisationPublic].model_validate(found, from_attributes=True)


@router.get(
    "/api/v1/organisations/{ref}",
    tags=["organisations"],
    summary="Organisation profile by id or name: partners, technologies, stages, projects, family",
    response_model=OrganisationProfile,
)
def organisation_api(request: Request, ref: Ref, session: SessionDep) -> OrganisationProfile:
    return profile(request, session, ref)


@router.get("/organisations", response_class=HTMLResponse, include_in_schema=False)
def organisations_page(
    request: Request, filters: OrganisationQuery, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    filters = page_size(filters, 50)
    return render(
        request,
        "organisations.html",
        {
            "page": "organisations",
            "result": list_organisations(session, filters, viewer=viewer),
            "filters": filters,
            "kinds": vocab("organisation_kinds").keys,
            "sorts": ORGANISATION_SORTS,
            "query": filters_query(filters, page=None),
        },
    )


@router.get("/organisations/{ref}", response_class=HTMLResponse, include_in_schema=False)
def organisation_page(request: Request, ref: Ref, session: SessionDep) -> HTMLResponse:
    org = profile(request, session, ref).model_dump()  # plain values: the amount and source filters want them
    t = Translator(request_lang(request))
    return render(
        request,
        "organisation.html",
        {
            "page": "organisations",
            "org": org,
            "partners_chart": charts.partners_by_year(org, t),
            "stage_keys": vocab("stages").keys,
        },
    )
