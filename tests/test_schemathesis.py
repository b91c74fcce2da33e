"""schemathesis against the app's own OpenAPI, in process: no 500, and answers that conform to the spec.

A bounded, derandomised pass (a few hundred cases per reader) run anonymously and with an admin's bearer
token, on a private copy of the bundled data. Checked: no server error, documented status codes and
content types, response bodies matching their schemas, 405 with `Allow`.

Left out, as they judge choices rather than conformance: `positive_data_acceptance` (every schema-valid
request should succeed; but some parameters are checked by the domain against vocabularies or against
each other, `year_from` after `year_to`, and a 422 naming the problem is the intended answer) and
`negative_data_rejection` (every schema-invalid request should fail; but an empty query value such as
`country=` means "no filter", as HTML forms send it). Invalid requests are still generated: they must
never get a 500 nor an undocumented status.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from alliances.auth import accounts
from alliances.settings import Settings
from alliances.store.db import Database
from alliances.web import create_app

EXAMPLES = 3  # per operation and reader: about 270 cases each, a minute or so


@pytest.fixture(scope="module")
def st_app(bundled_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("schemathesis") / "observatory.db"
    shutil.copy(bundled_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    with db.session(write=True) as s:
        user = accounts.add_user(
            s, "st@example.org", "a long enough password", organisation="Sanofi", role="admin"
        )
        token = accounts.issue(s, user).secret
    app = create_app(Settings(db=db.url, warm_up=False), database=db)
    yield {"app": app, "headers": {"Authorization": f"Bearer {token}"}}
    db.dispose()


@pytest.fixture(scope="module")
def api_schema(st_app: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return schemathesis.openapi.from_asgi("/openapi.json", st_app["app"])


schema = schemathesis.pytest.from_fixture("api_schema")
bounded = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def call(case: Any, headers: dict[str, str] | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx
        case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance, negative_data_rejection]
        )


@pytest.mark.slow
@schema.parametrize()
@bounded
def test_api_conforms_for_anonymous_readers(case: Any) -> None:
    call(case, None)


@pytest.mark.slow
@schema.parametrize()
@bounded
def test_api_conforms_for_a_bearer_token(case: Any, st_app: dict[str, Any]) -> None:
    call(case, st_app["headers"])
