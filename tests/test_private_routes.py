"""A private alliance is seen only by members of its owning organisation, on every route of the app.

A private alliance with a partner and a vehicle no public record names is planted in a copy of the
bundled database; every GET route is then visited by an anonymous reader, by a member of another
organisation, and by a member of the owner.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from alliances.auth import accounts
from alliances.errors import InvalidInput
from alliances.health.model import Plan
from alliances.store import maturity
from alliances.store.db import Database
from alliances.store.health import save_entries
from alliances.store.models import Alliance, Organisation, Party
from alliances.store.viewer import Viewer
from alliances.store.writes import add_alliance

PARTNER = "Zyxqar Therapeutics"
VEHICLE = "Qwvex Holdings"
PLAN = "Vrelkon roadmap"  # the name of two private health plans, one on a public alliance
SECRET = (PARTNER, VEHICLE, "Zyxqar", "Qwvex", PLAN, "Vrelkon")
PASSWORD = "a long enough password"


def flat_routes(routes: list[Any]) -> list[Any]:
    found: list[Any] = []
    for route in routes:
        if hasattr(route, "original_router"):
            found += flat_routes(route.original_router.routes)
        else:
            found.append(route)
    return found


@pytest.fixture
def planted(bundled_db: Database, client_for: Any) -> Iterator[dict[str, Any]]:
    with bundled_db.session() as s:
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
        servier = s.scalar(select(Organisation.id).where(Organisation.name == "Servier"))
        alliance = add_alliance(
            s,
            {
                "parties": [{"name": "Sanofi"}, {"name": PARTNER, "kind": "startup"}],
                "type": "joint_venture",
                "vehicle": VEHICLE,
                "technologies": ["ai"],
                "stages": ["research"],
                "therapeutic_areas": ["oncology"],
                "date": "2025-02-01",
                "title": f"Sanofi and {PARTNER} plan {VEHICLE}",
                "visibility": "private",
                "owner_id": sanofi,
            },
            create_missing=True,
        )
        public = s.scalar(  # a public alliance of Sanofi's that Servier (the outsider) is not a party to
            select(Alliance.id)
            .where(Alliance.visibility == "public", Alliance.parties.any(Party.organisation_id == sanofi))
            .where(~Alliance.parties.any(Party.organisation_id == servier))
            .order_by(Alliance.id)
        )
        assert public is not None
        admin = Viewer(is_admin=True)
        for aid in (alliance.id, public):
            plan = Plan(name=PLAN, start=date(2024, 1, 15), end=date(2026, 12, 31))
            save_entries(s, aid, "plan", [plan], viewer=admin, owner_id=sanofi, where="plan.csv")
        assessment = maturity.create_assessment(
            s, organisation_id=sanofi, sector="pharma", size_band="large", country="FR", viewer=admin
        )
        maturity.save_answers(s, assessment, {"cell.ai.research": "4"}, viewer=admin)
        partner = s.scalar(select(Organisation.id).where(Organisation.name == PARTNER))
        vehicle = s.scalar(select(Organisation.id).where(Organisation.name == VEHICLE))
        tokens = {}
        for who, org, role in (
            ("member", sanofi, "viewer"),
            ("outsider", servier, "viewer"),
            ("admin", servier, "admin"),
        ):
            user = accounts.add_user(s, f"{who}@example.org", PASSWORD, organisation=str(org), role=role)
            tokens[who] = accounts.issue(s, user).secret
        ids = {
            "alliance": alliance.id,
            "partner": partner,
            "vehicle": vehicle,
            "sanofi": sanofi,
            "public": public,
            "assessment": assessment,
        }
    assert ids["partner"] and ids["vehicle"]
    yield {"client": client_for(bundled_db), "ids": ids, "tokens": tokens, "db": bundled_db}


def headers_of(planted: dict[str, Any], who: str) -> dict[str, str]:
    return {} if who == "anonymous" else {"Authorization": f"Bearer {planted['tokens'][who]}"}


def addresses(app: Any, ids: dict[str, int]) -> list[str]:
    """Every GET address of the app, private resources and searches for the secret names included."""
    out: list[str] = []
    for route in flat_routes(app.routes):
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        path = route.path
        if "{alliance_id}" in path:
            out += [path.replace("{alliance_id}", str(ids["alliance"])), path.replace("{alliance_id}", "1")]
        elif "{ref}" in path:
            path = path.replace("{name}", "escalation_of_commitment")  # health alerts
            refs = ("partner", "vehicle", "sanofi", "alliance", "public")  # organisations, plans' alliances
            out += [path.replace("{ref}", str(ids[k])) for k in refs]
            out += [path.replace("{ref}", PARTNER), path.replace("{ref}", "Zyxqar")]
        elif "{assessment_id}" in path:
            out.append(path.replace("{assessment_id}", str(ids["assessment"])))
        elif "{organisation_id}" in path:
            out += [path.replace("{organisation_id}", str(ids[k])) for k in ("sanofi", "partner")]
        elif "{project_id}" in path:
            out.append(path.replace("{project_id}", "1"))
        else:
            out.append(path)
            out += [
                f"{path}?q=Zyxqar",
                f"{path}?party=Sanofi",
                f"{path}?party={PARTNER}",
                f"{path}?org=Sanofi",
            ]
            out += [
                f"{path}?org=Zyxqar",
                f"{path}?q=Qwvex&per_page=500",
                f"{path}?technology=ai&stage=research",
            ]
    return out


PRIVATE = ("/api/v1/alliances/{a}", "/alliances/{a}", "/api/v1/organisations/{p}", "/organisations/{p}")
# Health plans (on the private and on a public alliance) and the maturity assessment: member-only.
PLANS = ("/api/v1/alliances/{a}/health", "/api/v1/alliances/{a}/health/reviews", "/alliances/{a}/health")
ASSESSMENT = (
    "/api/v1/maturity/assessments/{m}",
    "/maturity/assessments/{m}",
    "/maturity/assessments/{m}/form",
    "/api/v1/maturity/trajectory/{o}",
    "/maturity/trajectory?organisation={o}",
)


def private_addresses(ids: dict[str, int]) -> list[str]:
    plans = [t.format(a=ids[k]) for t in PLANS for k in ("alliance", "public")]
    return plans + [t.format(m=ids["assessment"], o=ids["sanofi"]) for t in ASSESSMENT]


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_outsiders_never_see_the_private_alliance_anywhere(planted: dict[str, Any], who: str) -> None:
    client, ids = planted["client"], planted["ids"]
    headers = headers_of(planted, who)
    visited = 0
    for address in addresses(client.app, ids):
        response = client.get(address, headers=headers)
        assert response.status_code < 500, (address, response.status_code)
        body = response.text
        for secret in SECRET:  # a search echoes its own words: look for the names it did not ask for
            if secret not in unquote(address) and not any(w in unquote(address) for w in secret.split()):
                assert secret not in body, (who, address, secret)
        visited += 1
    assert visited > 100
    for template in PRIVATE:
        for ref in (ids["alliance"], ids["partner"], ids["vehicle"]):
            path = template.format(a=ids["alliance"], p=ref)
            assert client.get(path, headers=headers).status_code in (403, 404), path
    for path in private_addresses(ids):
        response = client.get(path, headers=headers)
        assert response.status_code in (403, 404), (who, path, response.status_code)
    listed = client.get("/api/v1/maturity/assessments", headers=headers).json()
    assert listed == {"items": [], "total": 0}


def test_the_owners_member_reads_the_plans_and_the_assessment(planted: dict[str, Any]) -> None:
    client, ids = planted["client"], planted["ids"]
    headers = headers_of(planted, "member")
    for path in private_addresses(ids):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    assert PLAN in client.get(f"/alliances/{ids['public']}/health", headers=headers).text
    answers = client.get(f"/api/v1/maturity/assessments/{ids['assessment']}", headers=headers).json()
    assert answers["assessment"]["answers"] == {"cell.ai.research": "4"}


def test_counts_are_those_of_what_the_reader_may_see(planted: dict[str, Any]) -> None:
    client = planted["client"]
    anonymous = client.get("/healthz").json()["alliances"]
    outsider = client.get("/healthz", headers=headers_of(planted, "outsider")).json()["alliances"]
    member = client.get("/healthz", headers=headers_of(planted, "member")).json()["alliances"]
    assert anonymous == outsider == member - 1
    total = client.get("/api/v1/alliances", headers=headers_of(planted, "outsider")).json()["total"]
    assert total == anonymous
    assert client.get("/api/v1/alliances", headers=headers_of(planted, "member")).json()["total"] == member


def test_members_of_the_owner_see_search_and_export_it(planted: dict[str, Any]) -> None:
    client, ids = planted["client"], planted["ids"]
    headers = headers_of(planted, "member")
    record = client.get(f"/api/v1/alliances/{ids['alliance']}", headers=headers).json()
    assert record["visibility"] == "private" and PARTNER in {p["name"] for p in record["parties"]}
    found = client.get("/api/v1/alliances?q=Zyxqar", headers=headers).json()
    assert [a["id"] for a in found["items"]] == [ids["alliance"]]
    assert PARTNER in client.get("/api/v1/alliances.csv?q=Zyxqar", headers=headers).text
    assert client.get(f"/api/v1/organisations/{ids['partner']}", headers=headers).status_code == 200
    listed = client.get("/api/v1/organisations?q=Zyxqar", headers=headers).json()
    assert [o["name"] for o in listed["items"]] == [PARTNER]


def test_reading_private_data_is_audited(planted: dict[str, Any]) -> None:
    from alliances.store.audit import entries, verify

    client, ids = planted["client"], planted["ids"]
    client.get(f"/api/v1/alliances/{ids['alliance']}", headers=headers_of(planted, "member"))
    client.get("/api/v1/alliances.csv?q=Zyxqar", headers=headers_of(planted, "member"))
    client.get("/api/v1/alliances.csv?q=Zyxqar")  # anonymous: public data only, nothing to log
    with planted["db"].session() as s:
        reads = list(entries(s, who="member@example.org", action="alliance.read"))
        assert reads and reads[0].record == f"alliance:{ids['alliance']}"
        exports = list(entries(s, action="alliance.export"))
        assert [e.who for e in exports] == ["member@example.org"] and "Zyxqar" in (exports[0].detail or "")
        assert verify(s).ok


def test_cli_acts_as_admin_and_exports_private_alliances(planted: dict[str, Any], cli: Any) -> None:
    db = planted["db"]
    shown = cli("show", str(planted["ids"]["alliance"]), "--db", db.url)
    assert shown.code == 0 and PARTNER in shown.out
    exported = cli("export", "--db", db.url)
    assert exported.code == 0
    mine = [json.loads(line) for line in exported.out.splitlines() if PARTNER in line]
    assert len(mine) == 1 and mine[0]["visibility"] == "private" and mine[0]["owner_id"]


@pytest.mark.parametrize("owner", [999999, "abc", "²", 10**30, True])
def test_owner_id_is_validated(bundled_db: Database, owner: Any) -> None:
    record = {"parties": [{"name": "Sanofi"}, {"name": "Servier"}], "type": "rd_collaboration"}
    with bundled_db.session() as s, pytest.raises(InvalidInput, match="owner_id"):
        add_alliance(s, {**record, "visibility": "private", "owner_id": owner})
    with bundled_db.session() as s, pytest.raises(InvalidInput, match="owner_id"):
        add_alliance(s, {**record, "visibility": "private"})


READERS = ("anonymous", "member", "admin", "outsider", "anonymous")  # interleaved: no cache serves another's


def number(page: str, pattern: str) -> int:
    found = re.search(pattern, page)
    assert found, pattern
    return int(found.group(1))


def analytics_of(planted: dict[str, Any], who: str) -> dict[str, Any]:
    """What one reader is told by the matrix, trends, network and overview (API and pages) and exports."""
    client, headers = planted["client"], headers_of(planted, who)

    def get(path: str) -> Any:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (who, path, response.status_code)
        return response

    matrix = get("/api/v1/matrix?type=joint_venture").json()
    trends = get("/api/v1/trends?type=joint_venture").json()
    network = get("/api/v1/network?type=joint_venture&per_page=500").json()
    overview = get("/api/v1/overview").json()
    years = dict(zip(trends["years"], trends["total"], strict=True))
    exports = ("graphml", "gexf", "nodes.csv", "edges.csv")
    return {
        "matrix": matrix["records"],
        "cell": next(
            c["alliances"] for c in matrix["cells"] if (c["technology"], c["stage"]) == ("ai", "research")
        ),
        "trends_2025": years.get(2025, 0),
        "network_nodes": network["summary"]["nodes"],
        "network_names": PARTNER in {n["name"] for n in network["items"]},
        "overview": overview["stats"]["alliances"],
        "overview_matrix": overview["matrix"]["records"],
        "matrix_page": number(get("/matrix?type=joint_venture").text, r"<caption>\D*(\d+)"),
        "trends_page": number(
            get("/trends?type=joint_venture").text, r'<tr><td>2025</td><td class="num">(\d+)'
        ),
        "overview_page": number(get("/").text, r'data-count="alliances">\s*<span class="n">(\d+)'),
        "network_page": PARTNER in get("/network?party=Sanofi&per_page=500").text,
        "exports": {e: PARTNER in get(f"/api/v1/network.{e}?party=Sanofi").text for e in exports},
        "jsonl": PARTNER in get("/api/v1/alliances.jsonl?party=Sanofi").text,
    }


def test_members_and_admins_see_the_private_alliance_counted_in_analytics(planted: dict[str, Any]) -> None:
    seen = [analytics_of(planted, who) for who in READERS]
    anonymous, member, admin, outsider, again = seen
    assert anonymous == outsider == again
    for reader in (member, admin):
        for key in ("matrix", "cell", "trends_2025", "overview", "overview_matrix"):
            assert reader[key] == anonymous[key] + 1, key
        assert reader["network_nodes"] == anonymous["network_nodes"] + 1  # the private partner
        assert reader["network_names"] and not anonymous["network_names"]
        for page, api in (
            ("matrix_page", "matrix"),
            ("trends_page", "trends_2025"),
            ("overview_page", "overview"),
        ):
            assert (reader[page], anonymous[page]) == (reader[api], anonymous[api]), page
        assert reader["network_page"] and not anonymous["network_page"]
        assert all(reader["exports"].values()) and not any(anonymous["exports"].values()), reader["exports"]
        assert reader["jsonl"] and not anonymous["jsonl"]
