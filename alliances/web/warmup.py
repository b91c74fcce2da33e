"""Warm-up before the port opens: what the first visitor of each main page would otherwise wait for.

Run from the FastAPI lifespan, so `serve` (and any ASGI server) computes the network's centralities, the
default lists and the default analytics once, before accepting connections.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from datetime import date

from fastapi import FastAPI

from alliances.analytics.network import METRICS, NetworkQuery
from alliances.schemas import AllianceFilters, OrganisationFilters
from alliances.store.organisations import list_organisations
from alliances.store.queries import list_alliances
from alliances.store.viewer import Viewer

log = logging.getLogger("alliances.web")

DEFAULT_TOP = 80
FREEZE_FROM = 5_000  # organisations in the network: from there, cached objects are frozen out of the GC
HUBS = 5  # the most connected organisations' profiles: the costliest pages to build
# The network's most used views beyond the default: groups rolled up, and one kind of party at a time (the
# network page's kind menu). Each costs a graph and its centralities, about a second at 100,000 alliances.
# So is the big-tech study (journey 2 of the product's user journeys): big tech over the last five years,
# subsidiaries rolled up to their groups.
COMMON_KINDS = ("big_tech", "startup")
JOURNEY_2 = NetworkQuery(AllianceFilters(kind="big_tech", year_from=date.today().year - 5), rollup=True)
COMMON_NETWORKS = [
    NetworkQuery(rollup=True),
    *(NetworkQuery(AllianceFilters(kind=kind), rollup) for kind in COMMON_KINDS for rollup in (False, True)),
    JOURNEY_2,
]


def warm_up(app: FastAPI) -> float:
    """Compute the default network, lists, matrix, trends and overview (and the common filters of the
    network and the lists); returns the seconds it took, also printed on stderr.

    Best effort: a failure here only means the first visit computes what it needs itself.
    """
    from alliances.web.routes.matrix import matrix_data
    from alliances.web.routes.organisations import cached_profile
    from alliances.web.routes.overview import cached_overview
    from alliances.web.routes.trends import trends_data

    start = time.perf_counter()
    state = app.state
    anonymous = Viewer()  # what a first visitor is, before signing in
    large = False
    try:
        with state.db.session() as session:
            network = state.network_cache.network(session, NetworkQuery())
            large = network.graph.number_of_nodes() >= FREEZE_FROM
            for metric in METRICS:  # the ranking and the drawing by each centrality
                network.top_subgraph(DEFAULT_TOP, metric)
            for query in COMMON_NETWORKS:
                state.network_cache.network(session, query).top_subgraph(DEFAULT_TOP, "degree")
            app.openapi()  # the schema behind /docs and /openapi.json
            warm_files()
            for kind in COMMON_KINDS:  # the kind menus of the alliance and organisation lists
                list_alliances(session, AllianceFilters(kind=kind, per_page=25), viewer=anonymous)
                list_organisations(session, OrganisationFilters(kind=kind, per_page=50), viewer=anonymous)
            list_alliances(session, AllianceFilters(per_page=25), viewer=anonymous)
            hubs = list_organisations(session, OrganisationFilters(per_page=HUBS), viewer=anonymous).items
            for hub in hubs:
                cached_profile(state, session, str(hub.id), viewer=anonymous)
            matrix_data(state.memo, AllianceFilters(), "alliances", session)
            trends_data(state.memo, session, AllianceFilters())
            cached_overview(state.memo, session)
        env = state.templates.env
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)  # compiled once here rather than on each page's first visit
    except Exception:  # noqa: BLE001 - the request path reports errors properly
        log.warning("warm-up failed; pages will compute on first visit", exc_info=True)
    if large:
        # What was just computed lives as long as the process: frozen out of the collector, so that a full
        # collection no longer walks millions of cached objects (1-2 s pauses at 100,000 alliances). Small
        # databases (and the test suite's many apps) skip it: their collections take milliseconds.
        gc.collect()
        gc.freeze()
    seconds = time.perf_counter() - start
    print(f"Warm-up: {seconds:.1f} s before the port opens.", file=sys.stderr, flush=True)
    return seconds


def warm_files() -> None:
    """Data files and locale data a first page reads (each cached for the process's life): about 1 s."""
    from alliances.taxonomy import vocabularies
    from alliances.taxonomy.areas import areas
    from alliances.web import i18n
    from alliances.web.templating import amount

    vocabularies()
    areas()
    i18n.catalogue()
    i18n.api_texts()
    i18n.error_patterns()
    for lang in ("en", "fr"):
        amount({"value": 1.2e9, "currency": "EUR"}, lang)  # Babel's locale data
