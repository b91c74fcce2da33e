"""The lifespan warm-up: what it computes is served from the caches on the first request, and its time
is printed."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from alliances.analytics import network as network_module
from alliances.store.version import lean_version
from alliances.store.viewer import Viewer
from alliances.web.warmup import COMMON_NETWORKS, DEFAULT_TOP


def test_warm_up_fills_the_caches_the_first_visitors_read(
    web_db: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from alliances.settings import Settings
    from alliances.web import create_app

    app = create_app(Settings(db=web_db.url), database=web_db)

    def not_warmed(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("computed on request, not at startup")

    with TestClient(app) as client, web_db.session() as session:
        assert "Warm-up:" in capsys.readouterr().err
        hub = app.state.memo.get(session, "overview", not_warmed, lean_version(session)).connected[0].id
        monkeypatch.setattr(network_module, "centralities", not_warmed)  # any new network would fail
        for query in COMMON_NETWORKS:
            app.state.network_cache.network(session, query)
        kind = COMMON_NETWORKS[1].filters.kind
        assert client.get(f"/api/v1/network?kind={kind}&top={DEFAULT_TOP}").status_code == 200
        assert client.get("/api/v1/network?by=betweenness").status_code == 200
        # The hub's profile is kept for anonymous visitors; a signed-in viewer gets a profile of their own.
        cached = app.state.memo.get(
            session, ("profile", str(hub), Viewer()), not_warmed, lean_version(session)
        )
        answer = client.get(f"/api/v1/organisations/{hub}").json()
        assert answer["id"] == cached.id == hub
        drawn = [node["id"] for node in answer["ego_network"]["nodes"]]
        assert drawn == [node.id for node in cached.ego_network.nodes] and len(drawn) > 1
        with pytest.raises(AssertionError, match="computed on request"):
            app.state.memo.get(
                session, ("profile", str(hub), Viewer(is_admin=True)), not_warmed, lean_version(session)
            )
