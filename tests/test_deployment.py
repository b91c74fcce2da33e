"""docs/deployment.md, followed step by step on a real PostgreSQL server: a fresh database, the env file,
`alliances db upgrade`, the web unit's ExecStart with two uvicorn workers on one port, a backup restored."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from alliances.errors import InvalidInput
from alliances.store.db import Database, pool_options
from alliances.synth.documents import write_documents

DOC = Path(__file__).resolve().parents[1] / "docs" / "deployment.md"
ALLIANCES = [sys.executable, "-c", "from alliances.cli import main; main()"]
PG_URL = os.environ.get("ALLIANCES_TEST_PG_URL")


def doc_block(lang: str, contains: str) -> str:
    """The doc's first fenced block in `lang` containing `contains`: the test runs what the doc says."""
    for block in re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S):
        if contains in block:
            return str(block)
    raise AssertionError(f"docs/deployment.md has no {lang} block with {contains!r}")


def unit_command(key: str) -> list[str]:
    """The web unit's ExecStart / ExecStartPre line, with the venv's `alliances` replaced by this one."""
    line = next(
        ln for ln in doc_block("ini", "Alliance Observatory web").splitlines() if ln.startswith(f"{key}=")
    )
    argv = line.split("=", 1)[1].split()
    assert argv[0].endswith("/bin/alliances")
    return ALLIANCES + argv[1:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fresh_pg() -> Iterator[tuple[str, str]]:
    """Two fresh databases (the observatory and the restore target) on the test server."""
    if not PG_URL:
        pytest.skip("ALLIANCES_TEST_PG_URL is not set (CI starts a PostgreSQL server and sets it)")
    names = [f"alliances_deploy_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def env_file(url: str, port: int) -> dict[str, str]:
    """The doc's /etc/alliances/env with this server's URL and a free port."""
    env = dict(os.environ)
    for line in doc_block("ini", "ALLIANCES_DB=").splitlines():
        name, value = line.split("=", 1)
        env[name] = value
    env["ALLIANCES_DB"], env["ALLIANCES_PORT"] = url, str(port)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)


def workers_of(pid: int) -> list[int]:
    """The uvicorn worker processes (multiprocessing spawn children) of the server `pid`."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status and "spawn_main" in cmd:
                out.append(int(entry.name))
    return out


def wait_for(predicate: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    pytest.fail("timed out")


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_db_upgrade_and_current_on_sqlite(cli: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "fresh.db")
    behind = cli("db", "current", "--db", db)
    assert behind.code == 1 and "empty (no schema)" in behind.out
    first = cli("db", "upgrade", "--db", db)
    assert first.code == 0 and "migrated from an empty schema" in first.out
    again = cli("db", "upgrade", "--db", db)
    assert again.code == 0 and "nothing to do" in again.out
    now = cli("db", "current", "--db", db)
    assert now.code == 0 and "up to date" in now.out
    assert cli("stats", "--db", db).code == 0  # the schema is there, empty of data


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCES_POOL_SIZE", "3")
    monkeypatch.setenv("ALLIANCES_POOL_MAX_OVERFLOW", "1")
    assert pool_options()["pool_size"] == 3 and pool_options()["max_overflow"] == 1
    monkeypatch.setenv("ALLIANCES_POOL_SIZE", "many")
    with pytest.raises(InvalidInput, match="ALLIANCES_POOL_SIZE must be a whole number"):
        pool_options()


@pytest.mark.postgres
def test_pool_applies_to_postgres(fresh_pg: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCES_POOL_SIZE", "3")
    db = Database.open(fresh_pg[0])
    try:
        assert db.engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        db.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_deployment_doc_on_postgres(fresh_pg: tuple[str, str], tmp_path: Path) -> None:
    url, restored = fresh_pg
    port = free_port()
    env = env_file(url, port)

    # 4. Schema and data: db current says behind, db upgrade migrates, init loads, db current is happy.
    assert run(ALLIANCES + ["db", "current"], env).returncode == 1
    pre = run(unit_command("ExecStartPre"), env)
    assert pre.returncode == 0 and "migrated from an empty schema" in pre.stdout, pre.stderr
    assert "postgres:***@" in pre.stdout and ":postgres@" not in pre.stdout  # the password is not printed
    assert run(ALLIANCES + ["init"], env).returncode == 0
    current = run(ALLIANCES + ["db", "current"], env)
    assert current.returncode == 0 and "up to date" in current.stdout

    # 5. The web unit: two workers behind one port; a killed worker is replaced while the other answers.
    server = subprocess.Popen(
        unit_command("ExecStart"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: answers(port) and len(workers_of(server.pid)) == 2)
        first = workers_of(server.pid)
        pages = ["/", "/alliances?technology=ai", "/matrix?lang=fr", "/api/v1/alliances?q=Sanofi"]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for path in pages * 3:
                assert client.get(path).status_code == 200, path
            counts = client.get("/healthz").json()
            assert counts["alliances"] > 250
        os.kill(first[0], signal.SIGKILL)
        # A new connection is answered by the surviving worker (the killed one held only its own).
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/alliances", timeout=30).status_code == 200
        wait_for(lambda: len(workers_of(server.pid)) == 2 and first[0] not in workers_of(server.pid))
        wait_for(lambda: answers(port))
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert "2 workers" in out

    # 7. Distributed ingestion: the doc's command, on a local cluster, into the served database.
    if importlib.util.find_spec("distributed"):
        docs = tmp_path / "press"
        write_documents(docs, 6, seed=11)
        command = next(ln for ln in doc_block("bash", "--dask").splitlines() if "ingest --dask" in ln)
        assert "--dask local:2" in command
        ingested = run(ALLIANCES + ["ingest", "--dask", "local:2", str(docs)], env)
        assert ingested.returncode == 0 and "6 documents: 6 stored" in ingested.stdout, ingested.stderr
        counts["sources"] = int(json.loads(run(ALLIANCES + ["stats", "--json"], env).stdout)["sources"])

    # 8. Backups: pg_dump --format=custom, pg_restore into an empty database, db current there.
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    dump = Path(f"/tmp/{uuid.uuid4().hex}.dump")
    try:
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq], check=True, timeout=120)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={restored.replace('+psycopg', '')}", str(dump)],
            check=True,
            timeout=120,
        )
    finally:
        dump.unlink(missing_ok=True)
    after = run(ALLIANCES + ["db", "current"], {**env, "ALLIANCES_DB": restored})
    assert after.returncode == 0 and "up to date" in after.stdout
    stats = json.loads(run(ALLIANCES + ["stats", "--json"], {**env, "ALLIANCES_DB": restored}).stdout)
    assert stats["alliances"] == counts["alliances"]
    assert stats["sources"] == counts.get("sources", stats["sources"])
