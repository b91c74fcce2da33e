"""Hardening: security headers, no inline scripts, size limits, CSV formula cells, exports that fail cleanly,
error texts without the database's address, and concurrent writes on SQLite that wait instead of failing."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from alliances.auth import accounts
from alliances.errors import StorageError
from alliances.store.candidates import store_extraction
from alliances.store.db import Database
from alliances.store.io import import_records, read_records
from alliances.store.writes import add_alliance
from alliances.web.exports import primed
from alliances.web.security import MAX_BODY

TEMPLATES = Path(__file__).resolve().parents[1] / "alliances" / "web" / "templates"


@pytest.mark.parametrize(
    "path", ["/", "/alliances", "/api/v1/alliances", "/static/css/app.css", "/nowhere", "/login"]
)
def test_every_response_carries_the_security_headers(web_client: Any, path: str) -> None:
    headers = web_client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_have_no_inline_scripts_or_handlers(template: str) -> None:
    html = (TEMPLATES / template).read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, (template, tag)
    assert not re.search(r"\son[a-z]+\s*=", html), template
    assert "javascript:" not in html


def test_request_size_limits(web_client: Any) -> None:
    big = web_client.post("/login", content=b"x" * (MAX_BODY + 1), headers={"content-type": "text/plain"})
    assert big.status_code == 413

    def chunks() -> Any:  # no Content-Length: the limit is counted as the body arrives
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"y" * 65536

    streamed = web_client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    assert web_client.get("/api/v1/alliances?q=" + "a" * 60_000).status_code == 414


def test_csv_cells_are_neutralised_and_round_trip(web_db: Database, client_for: Any, tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://evil.example","x")'
    with web_db.session() as s:
        add_alliance(
            s,
            {
                "parties": [{"name": "@SUM(A1)", "kind": "startup"}, {"name": "Sanofi"}],
                "type": "rd_collaboration",
                "title": hostile,
                "amount": {"value": 5, "currency": "EUR"},
                "key": "hostile-1",
            },
            create_missing=True,
        )
    body = client_for(web_db).get("/api/v1/alliances.csv?q=HYPERLINK").text
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["key"] == "hostile-1")
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert row["title"] == "'" + hostile and row["parties"].startswith("'@SUM(A1)")
    path = tmp_path / "back.csv"
    path.write_text(body, encoding="utf-8")
    target = Database.open(f"sqlite:///{tmp_path / 'target.db'}")
    target.upgrade()
    with target.session() as s:
        records = [(w, {**r, "key": "again"}) for w, r in read_records(path)]
        assert records[0][1]["title"] == hostile
        assert import_records(s, iter(records)).added == 1
    target.dispose()


def test_a_streamed_export_fails_before_its_first_byte() -> None:
    def broken() -> Any:
        raise ValueError("bad filter")
        yield "never"  # pragma: no cover

    with pytest.raises(ValueError):
        primed(broken())


def test_bad_export_filters_get_an_error_status_not_a_cut_body(web_client: Any) -> None:
    for query in ("year_from=abc", "party=" + "9" * 30, "party=²", "per_page=0"):
        response = web_client.get(f"/api/v1/alliances.csv?{query}")
        assert response.status_code in (200, 422), query
        if response.status_code == 200:
            assert response.text.startswith("key,title")


def test_storage_errors_do_not_show_the_database_address(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'secret-place.db'}")
    db.upgrade()
    with pytest.raises(StorageError) as caught, db.session() as s:
        s.execute(text("SELECT * FROM no_such_table"))
    assert "secret-place" not in caught.value.message and "no such table" in caught.value.message
    db.dispose()


def test_sqlite_runs_in_wal_mode(empty_db: Database) -> None:
    with empty_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_twenty_concurrent_accepts_on_sqlite_all_succeed(web_db: Database) -> None:
    """A real server with two workers: 20 distinct accepts at once, none answered 503 "locked"."""
    record = {
        "parties": [{"name": "Servier"}, {"name": "Owkin"}],
        "type": "rd_collaboration",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": "2024-03-01",
        "confidence": 0.9,
        "evidence": "Servier et Owkin signent un accord.",
    }
    with web_db.session() as s:
        ids = []
        for i in range(20):
            stored = store_extraction(s, content_hash=f"c{i}", records=[record], title=f"Communiqué {i}")
            assert stored is not None
            ids.append(stored[1][0].id)
        user = accounts.add_user(
            s, "ana@example.org", "a long enough password", organisation="Sanofi", role="analyst"
        )
        token = accounts.issue(s, user).secret
    web_db.dispose()
    port = free_port()
    env = {**os.environ, "ALLIANCES_DB": web_db.url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "alliances.web:create_app",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}

        def accept(cid: int) -> int:
            return httpx.post(
                f"{base}/api/v1/candidates/{cid}/accept", json={}, headers=headers, timeout=60
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(accept, ids))
        assert codes == [200] * 20
        accepted = httpx.get(f"{base}/api/v1/candidates?state=accepted", timeout=10).json()["total"]
        assert accepted == 20
    finally:
        server.terminate()
        server.wait(timeout=20)


def flat_routes(routes: list[Any]) -> list[Any]:
    found: list[Any] = []
    for route in routes:
        found += flat_routes(route.original_router.routes) if hasattr(route, "original_router") else [route]
    return found


FUZZ_PARAMS = ("party", "page", "per_page", "year_from", "q", "top", "org", "type", "source", "by", "state")
FUZZ_VALUES = ("9" * 30, "²", "٣", "-1", "a" * 3000)


@pytest.mark.slow
def test_no_get_route_answers_500_to_hostile_parameters(web_client: Any) -> None:
    """Out-of-range integers, Unicode digits, negative and huge values on every GET route and parameter."""
    failures = []
    for route in flat_routes(web_client.app.routes):
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        for value in FUZZ_VALUES:
            path = (
                route.path.replace("{alliance_id}", value)
                .replace("{ref}", value)
                .replace("{project_id}", value)
            )
            for name in FUZZ_PARAMS:
                status = web_client.get(path, params={name: value}).status_code
                if status >= 500:
                    failures.append((path[:40], name, value[:6], status))
    assert failures == []


def test_memo_computes_a_key_once_for_concurrent_readers(empty_db: Any) -> None:
    """Single flight: after a write, 8 readers of one key wait for one computation instead of 8."""
    import threading
    import time

    from alliances.store.version import Memo

    memo, calls, results = Memo(), [], []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.3)
        return 42

    def read() -> None:
        with empty_db.session() as s:
            results.append(memo.get(s, "key", slow))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8 and len(calls) == 1

    def broken() -> int:
        raise RuntimeError("boom")

    with empty_db.session() as s, pytest.raises(RuntimeError):
        memo.get(s, "other", broken)
    with empty_db.session() as s:  # a failed computation leaves nothing behind: the next reader computes
        assert memo.get(s, "other", lambda: 7) == 7
